#include "python/op_metrics.h"

#include <string_view>

#include "python/errors.h"

namespace aerospike_py::python {

namespace {

using client::OperationMetrics;

int32_t OutcomeCode(const client::Command& cmd) {
  if (!cmd.status.ok()) return CodeForStatus(cmd.status, cmd.result);
  // A batch's `result` is the first non-zero LAST code of a node request;
  // its per-key outcomes are data, not a failure of the call.
  if (cmd.kind() == client::CommandKind::kBatch) return 0;
  return ToInt(cmd.result);
}

// _operation_metrics() -> [(op, namespace, set, code, (bucket counts...), count, sum_ns)]
// Bucket counts are per bucket (not cumulative); the last one counts what
// lies above the last bound.
PyObject* OperationMetricsImpl(PyObject*, PyObject*) {
  const std::vector<OperationMetrics::Snapshot> snaps = OperationMetrics::Get().SnapshotAll();
  Ref out = Ref::Steal(PyList_New(0));
  if (!out) return nullptr;
  for (const OperationMetrics::Snapshot& s : snaps) {
    Ref buckets = Ref::Steal(PyTuple_New(OperationMetrics::kBuckets + 1));
    if (!buckets) return nullptr;
    for (int b = 0; b <= OperationMetrics::kBuckets; ++b) {
      PyObject* n = PyLong_FromUnsignedLongLong(s.buckets[b]);
      if (n == nullptr) return nullptr;
      PyTuple_SET_ITEM(buckets.get(), b, n);
    }
    Ref row = Ref::Steal(Py_BuildValue(
        "(s#s#s#iOKK)", s.op.data(), static_cast<Py_ssize_t>(s.op.size()), s.ns.data(),
        static_cast<Py_ssize_t>(s.ns.size()), s.set.data(), static_cast<Py_ssize_t>(s.set.size()),
        static_cast<int>(s.code), buckets.get(), static_cast<unsigned long long>(s.count),
        static_cast<unsigned long long>(s.sum_ns)));
    if (!row) {
      // A namespace or set name that is not UTF-8: skip that series rather
      // than fail the whole scrape.
      if (!PyErr_ExceptionMatches(PyExc_UnicodeDecodeError)) return nullptr;
      PyErr_Clear();
      continue;
    }
    if (PyList_Append(out.get(), row.get()) < 0) return nullptr;
  }
  return out.release();
}

// _operation_metric_bounds() -> (seconds, ...): the buckets' upper bounds.
PyObject* OperationMetricBoundsImpl(PyObject*, PyObject*) {
  Ref out = Ref::Steal(PyTuple_New(OperationMetrics::kBuckets));
  if (!out) return nullptr;
  for (int b = 0; b < OperationMetrics::kBuckets; ++b) {
    PyObject* v = PyFloat_FromDouble(static_cast<double>(OperationMetrics::kBoundsNs[b]) / 1e9);
    if (v == nullptr) return nullptr;
    PyTuple_SET_ITEM(out.get(), b, v);
  }
  return out.release();
}

PyObject* SetOperationMetricsImpl(PyObject*, PyObject* arg) {
  int r = PyObject_IsTrue(arg);
  if (r < 0) return nullptr;
  OperationMetrics::Get().set_enabled(r == 1);
  Py_RETURN_NONE;
}

PyObject* OperationMetricsEnabledImpl(PyObject*, PyObject*) {
  return PyBool_FromLong(OperationMetrics::Get().enabled());
}

}  // namespace

client::OperationMetrics::Series* SeriesForCommand(OpKind op, const client::Command& cmd) {
  OperationMetrics& metrics = OperationMetrics::Get();
  if (!metrics.enabled()) return nullptr;
  std::string_view ns, set;
  if (cmd.kind() == client::CommandKind::kRecord) {
    const auto& record = static_cast<const client::RecordCommand&>(cmd);
    ns = record.key.ns;
    set = record.key.set;
  } else if (cmd.kind() == client::CommandKind::kBatch) {
    // A batch may span sets; its series is that of its first key's
    // namespace and set, as aerospike-py labels it.
    const auto& batch = static_cast<const client::BatchCommand&>(cmd);
    if (!batch.ns_sets.empty()) {
      ns = batch.ns_sets.front().ns;
      set = batch.ns_sets.front().set;
    }
  }
  return metrics.SeriesFor(OpKindName(op), ns, set, OutcomeCode(cmd));
}

PyMethodDef kOperationMetricsMethods[] = {
    {"_operation_metrics", OperationMetricsImpl, METH_NOARGS,
     "_operation_metrics()\n--\n\nThe operation latency histograms: a list of (op, namespace, "
     "set, result_code, bucket_counts, count, sum_ns); bucket counts are per bucket, the last "
     "one above the last bound."},
    {"_operation_metric_bounds", OperationMetricBoundsImpl, METH_NOARGS,
     "_operation_metric_bounds()\n--\n\nThe histogram buckets' upper bounds in seconds."},
    {"_set_operation_metrics", SetOperationMetricsImpl, METH_O,
     "_set_operation_metrics(enabled)\n--\n\nTurns the operation histograms on or off."},
    {"_operation_metrics_enabled", OperationMetricsEnabledImpl, METH_NOARGS,
     "_operation_metrics_enabled()\n--\n\nWhether the operation histograms are on."},
    {nullptr, nullptr, 0, nullptr},
};

}  // namespace aerospike_py::python
