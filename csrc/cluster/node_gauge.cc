#include "cluster/node_gauge.h"

namespace aerospike_py::cluster {

std::atomic<int64_t>& ActiveNodeCount() {
  static std::atomic<int64_t> count{0};
  return count;
}

}  // namespace aerospike_py::cluster
