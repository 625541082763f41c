// The process-wide count of active cluster nodes, summed over every client's
// cluster: what the `aerospike_py_nodes` gauge reports on a scrape. The
// cluster's tend (cluster.cc) adds a node when it joins and removes it when
// it leaves or the cluster shuts down; anyone may read it. A relaxed atomic:
// it is a gauge, not a synchronisation point.
#pragma once

#include <atomic>
#include <cstdint>

namespace aerospike_py::cluster {

std::atomic<int64_t>& ActiveNodeCount();

}  // namespace aerospike_py::cluster
