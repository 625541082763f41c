#include "client/serving_counters.h"

namespace aerospike_py::client {

ServingCounters& GlobalServingCounters() {
  static ServingCounters counters;
  return counters;
}

}  // namespace aerospike_py::client
