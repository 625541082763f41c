// Routing: which node serves a key's partition for one attempt of a
// command. Writes go to the master. Reads follow the replica policy:
// MASTER, SEQUENCE (master first, the next replica on each retry),
// PREFER_RACK (a replica on one of the client's racks first, then
// sequence), ANY (rotating start column). Reads in strong-consistency
// namespaces go to the master (session consistency). Inactive or missing
// owners are skipped, so a retry lands on a live replica when there is one.
#pragma once

#include <cstdint>
#include <vector>

#include "cluster/partition_table.h"

namespace aerospike_py::cluster {

class Node;

enum class ReplicaPolicy : uint8_t { kMaster = 0, kSequence = 1, kPreferRack = 2, kAny = 3 };

struct RouteOptions {
  ReplicaPolicy replica = ReplicaPolicy::kSequence;
  bool write = false;
  uint32_t attempt = 0;        // 0 for the first attempt
  uint32_t rotation = 0;       // kAny: a per-command rotating counter
  const std::vector<int32_t>* rack_ids = nullptr;  // kPreferRack: preferred racks in order
};

// nullptr when no live node serves the partition.
Node* Route(const NamespacePartitions& table, uint32_t pid, const RouteOptions& options);

}  // namespace aerospike_py::cluster
