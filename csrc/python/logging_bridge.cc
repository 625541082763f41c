#include "python/logging_bridge.h"

#include <atomic>
#include <algorithm>
#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

#include "client/log_queue.h"

namespace aerospike_py::python {
namespace {

// At most this many records per call: a burst is handed over in slices so
// that one call never holds the GIL for long.
constexpr size_t kMaxRecordsPerCall = 2000;
// How often a waiting _wait_logs() looks at the queue (GIL released). The
// queue's mutex is uncontended nearly always, so a look costs ~50 ns.
constexpr auto kPollInterval = std::chrono::milliseconds(20);

std::atomic<bool> g_wait_stopped{false};
// Held around every LogQueue::Drain of this file, and across fork() by
// _log_fork_lock/_log_fork_unlock: a fork while the log thread is inside the
// queue's mutex would leave that mutex locked forever in the child.
std::mutex g_drain_mu;

void DrainQueue(std::vector<client::LogRecord>* out) {
  std::lock_guard<std::mutex> lock(g_drain_mu);
  client::LogQueue::Global().Drain(out, kMaxRecordsPerCall);
}

// Log records carry steady-clock stamps (the event thread's clock); Python's
// LogRecord.created is wall-clock seconds.
double UnixSeconds(int64_t steady_ns) {
  const int64_t steady_now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                                 std::chrono::steady_clock::now().time_since_epoch())
                                 .count();
  const int64_t wall_now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
  return static_cast<double>(wall_now - (steady_now - steady_ns)) / 1e9;
}

// New reference: [(level, message, unix_time)], or null with an exception.
PyObject* NewRecordList(const std::vector<client::LogRecord>& records) {
  Ref list = Ref::Steal(PyList_New(static_cast<Py_ssize_t>(records.size())));
  if (!list) return nullptr;
  for (size_t i = 0; i < records.size(); ++i) {
    const client::LogRecord& r = records[i];
    PyObject* t = Py_BuildValue("(is#d)", static_cast<int>(r.level), r.message.data(),
                                static_cast<Py_ssize_t>(r.message.size()), UnixSeconds(r.time_ns));
    if (t == nullptr) return nullptr;
    PyList_SET_ITEM(list.get(), static_cast<Py_ssize_t>(i), t);
  }
  return list.release();
}

PyObject* SetLogLevelImpl(PyObject*, PyObject* arg) {
  const long level = PyLong_AsLong(arg);
  if (level == -1 && PyErr_Occurred()) return nullptr;
  if (level < -1 || level > 3) {
    PyErr_SetString(PyExc_ValueError, "core log level must be -1..3");
    return nullptr;
  }
  client::LogQueue::Global().SetLevel(static_cast<int>(level));
  Py_RETURN_NONE;
}

PyObject* LogLevelImpl(PyObject*, PyObject*) {
  return PyLong_FromLong(client::LogQueue::Global().level());
}

PyObject* DrainLogsImpl(PyObject*, PyObject*) {
  std::vector<client::LogRecord> records;
  DrainQueue(&records);
  return NewRecordList(records);
}

PyObject* WaitLogsImpl(PyObject*, PyObject* arg) {
  const long timeout_ms = PyLong_AsLong(arg);
  if (timeout_ms == -1 && PyErr_Occurred()) return nullptr;
  if (timeout_ms < 0) {
    PyErr_SetString(PyExc_ValueError, "timeout_ms must be >= 0");
    return nullptr;
  }
  std::vector<client::LogRecord> records;
  Py_BEGIN_ALLOW_THREADS
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (true) {
    DrainQueue(&records);
    if (!records.empty() || g_wait_stopped.load(std::memory_order_relaxed)) break;
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) break;
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(kPollInterval,
                                                                              deadline - now));
  }
  Py_END_ALLOW_THREADS
  return NewRecordList(records);
}

PyObject* StopLogWaitImpl(PyObject*, PyObject* arg) {
  const int stopped = PyObject_IsTrue(arg);
  if (stopped < 0) return nullptr;
  g_wait_stopped.store(stopped == 1, std::memory_order_relaxed);
  Py_RETURN_NONE;
}

// os.register_at_fork(before=...): the log thread drains without the GIL,
// so take its lock (it is only ever held for one Drain).
PyObject* ForkLockImpl(PyObject*, PyObject*) {
  Py_BEGIN_ALLOW_THREADS
  g_drain_mu.lock();
  Py_END_ALLOW_THREADS
  Py_RETURN_NONE;
}

// after_in_parent and after_in_child: the forking thread holds the lock in both.
PyObject* ForkUnlockImpl(PyObject*, PyObject*) {
  g_drain_mu.unlock();
  Py_RETURN_NONE;
}

PyObject* DroppedLogsImpl(PyObject*, PyObject*) {
  return PyLong_FromUnsignedLongLong(client::LogQueue::Global().dropped());
}

}  // namespace

PyMethodDef kLoggingMethods[] = {
    {"_set_log_level", SetLogLevelImpl, METH_O,
     "_set_log_level(level)\n--\n\nQueue core log records up to level (0 error..3 debug, -1 none)."},
    {"_log_level", LogLevelImpl, METH_NOARGS,
     "_log_level()\n--\n\nThe level set by _set_log_level (-1: nothing is queued)."},
    {"_drain_logs", DrainLogsImpl, METH_NOARGS,
     "_drain_logs()\n--\n\nQueued core log records as [(level, message, unix_time)], "
     "without waiting."},
    {"_wait_logs", WaitLogsImpl, METH_O,
     "_wait_logs(timeout_ms)\n--\n\nLike _drain_logs(), but first waits with the GIL released "
     "until a record is queued, timeout_ms passed or _stop_log_wait(True) was called."},
    {"_stop_log_wait", StopLogWaitImpl, METH_O,
     "_stop_log_wait(stopped)\n--\n\nWhile stopped is true, _wait_logs() returns at once."},
    {"_log_fork_lock", ForkLockImpl, METH_NOARGS,
     "_log_fork_lock()\n--\n\nFork hook (before): no drain may be running across fork()."},
    {"_log_fork_unlock", ForkUnlockImpl, METH_NOARGS,
     "_log_fork_unlock()\n--\n\nFork hook (after, parent and child): undoes _log_fork_lock()."},
    {"_dropped_logs", DroppedLogsImpl, METH_NOARGS,
     "_dropped_logs()\n--\n\nCore log records dropped because the queue was full."},
    {nullptr, nullptr, 0, nullptr},
};

}  // namespace aerospike_py::python
