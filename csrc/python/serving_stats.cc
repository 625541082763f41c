#include "python/serving_stats.h"

#include "client/serving_counters.h"
#include "python/py_ref.h"

namespace aerospike_py::python {
namespace {

// Labels of CoalesceCounters::by_size buckets.
constexpr const char* kSizeLabels[client::CoalesceCounters::kBuckets] = {
    "2", "3-4", "5-8", "9-16", "17-32", "33-64", "65-128", "129-256", "257+"};

int64_t Take(std::atomic<int64_t>& v, bool reset) {
  return reset ? v.exchange(0, std::memory_order_relaxed) : v.load(std::memory_order_relaxed);
}

PyObject* ServingStatsImpl(PyObject*, PyObject* const* args, Py_ssize_t nargs,
                           PyObject* kwnames) {
  if (nargs > 1 || (kwnames != nullptr && PyTuple_GET_SIZE(kwnames) != 0)) {
    PyErr_SetString(PyExc_TypeError, "serving_stats(reset=False) takes one positional argument");
    return nullptr;
  }
  bool reset = false;
  if (nargs == 1) {
    const int r = PyObject_IsTrue(args[0]);
    if (r < 0) return nullptr;
    reset = r == 1;
  }
  client::ServingCounters& c = client::GlobalServingCounters();
  Ref sizes = Ref::Steal(PyDict_New());
  if (!sizes) return nullptr;
  for (int b = 0; b < client::CoalesceCounters::kBuckets; ++b) {
    Ref n = Ref::Steal(PyLong_FromLongLong(Take(c.coalesce.by_size[b], reset)));
    if (!n || PyDict_SetItemString(sizes.get(), kSizeLabels[b], n.get()) < 0) return nullptr;
  }
  return Py_BuildValue("{s:L,s:L,s:L,s:O,s:L,s:L,s:L,s:L,s:L,s:L,s:L}",
                       "coalesced_batches", static_cast<long long>(Take(c.coalesce.batches, reset)),
                       "coalesced_calls", static_cast<long long>(Take(c.coalesce.calls, reset)),
                       "coalesced_max_calls",
                       static_cast<long long>(Take(c.coalesce.max_calls, reset)),
                       "coalesced_batches_by_calls", sizes.get(),
                       "merged_batch_requests",
                       static_cast<long long>(Take(c.batch_merge.requests, reset)),
                       "merged_batch_calls",
                       static_cast<long long>(Take(c.batch_merge.calls, reset)),
                       "hedged_reads", static_cast<long long>(Take(c.hedge.hedged, reset)),
                       "hedge_wins", static_cast<long long>(Take(c.hedge.hedge_wins, reset)),
                       "hedge_losers_cancelled",
                       static_cast<long long>(Take(c.hedge.losers_cancelled, reset)),
                       "hedged_batch_requests",
                       static_cast<long long>(Take(c.hedge.batch_hedged, reset)),
                       "hedge_batch_rows",
                       static_cast<long long>(Take(c.hedge.batch_hedge_rows, reset)));
}

}  // namespace

PyMethodDef kServingMethods[] = {
    {"serving_stats",
     reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)(void)>(ServingStatsImpl)),
     METH_FASTCALL | METH_KEYWORDS,
     "serving_stats(reset=False)\n--\n\nCumulative counters of coalesced gets (batches, "
     "calls carried, the largest batch, batches by calls carried), merged batch reads "
     "(merged batches, batch_read calls they carried) and hedged reads "
     "(hedges sent, hedges that answered first, losing attempts cancelled; batch hedge "
     "requests and the rows they answered first)."},
    {nullptr, nullptr, 0, nullptr},
};

}  // namespace aerospike_py::python
