// The seam between cluster tending and the network. The cluster state
// machine asks for info answers through this interface and never touches a
// socket, so tests drive it with scripted answers; csrc/io implements it
// with real connections on the event thread. Callbacks may run before the
// call returns (fakes do that) or later; they always run on the thread that
// drives the Cluster, and exactly once.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "common/status.h"
#include "proto/info.h"

namespace aerospike_py::cluster {

class Node;

class InfoTransport {
 public:
  // The body of the info answer ("name\tvalue\n"...), or why there is none.
  using InfoCallback = std::function<void(StatusOr<std::string> body)>;
  // Numeric addresses of a host name (a numeric host resolves to itself).
  using ResolveCallback = std::function<void(StatusOr<std::vector<proto::Endpoint>>)>;

  virtual ~InfoTransport() = default;

  virtual void Resolve(const proto::Endpoint& host, ResolveCallback done) = 0;
  // On a fresh connection to `address` (numeric), closed afterwards: used to
  // validate seeds and peers before they become nodes.
  virtual void InfoToAddress(const proto::Endpoint& address, std::string request,
                             InfoCallback done) = 0;
  // On the node's tend connection.
  virtual void InfoToNode(Node& node, std::string request, InfoCallback done) = 0;
};

}  // namespace aerospike_py::cluster
