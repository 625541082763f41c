// What the cluster tells its owner: nodes joining and leaving, partition
// map changes, the end of each tend round, and log lines. The owner (the
// client engine on the event thread) turns these into connection pools,
// connect completions and records of the client's log queue. Everything is
// called on the thread that drives the Cluster.
#pragma once

#include <cstdint>
#include <string>

namespace aerospike_py::cluster {

class Node;

enum class LogLevel : uint8_t { kError = 0, kWarning = 1, kInfo = 2, kDebug = 3 };

class ClusterListener {
 public:
  virtual ~ClusterListener() = default;
  // A validated node joined; the owner attaches its I/O state here.
  virtual void OnNodeAdded(Node& node) = 0;
  // The node left the cluster (it stays alive while commands hold it).
  virtual void OnNodeRemoved(Node& node) = 0;
  // The partition table was rebuilt.
  virtual void OnPartitionsChanged() = 0;
  // A tend round finished (successfully or not).
  virtual void OnTendComplete() = 0;
  virtual void OnLog(LogLevel level, std::string message) = 0;
};

}  // namespace aerospike_py::cluster
