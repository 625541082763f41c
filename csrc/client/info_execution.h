// InfoExecution: an info request to a random node, every node (in
// parallel, one answer per node in node order), a named node, or a host
// on a fresh connection (resolving its name first). Data connections of
// the node's pool carry it; no retries; one timeout (timeout_ms) per
// request. Per-node failures land in each NodeAnswer; the command's status
// is an error only when no request could be made at all.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "client/execution.h"
#include "cluster/node.h"
#include "common/byte_buffer.h"
#include "io/address.h"
#include "io/attempt.h"

namespace aerospike_py::client {

class InfoExecution final : public Execution {
 public:
  InfoExecution(Engine* engine, std::unique_ptr<Command> command);
  ~InfoExecution() override;
  void Start() override;
  void Abort(const Status& why) override;

 private:
  struct Request;
  void StartOn(size_t index, cluster::NodeRef node);
  void StartHost(const io::SocketAddress& address);
  void RequestDone(Request* r, const Status& status);

  InfoCommand* cmd_;
  ByteBuffer request_;
  std::vector<std::unique_ptr<Request>> requests_;
  size_t pending_ = 0;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace aerospike_py::client
