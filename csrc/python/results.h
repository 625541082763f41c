// Finished commands to Python results. The same functions serve the sync
// Client (called after the wait) and the asyncio bridge (called in the
// drain), so both return exactly the same objects and exceptions:
// Record / ExistsResult / OperateOrderedResult NamedTuples, info strings and
// InfoNodeResult lists, or the mapped exception. GIL held.
#pragma once

#include <cstdint>
#include <memory>

#include "client/command.h"
#include "python/module_state.h"

namespace aerospike_py::python {

enum class ResultKind : uint8_t {
  kNone,       // None on success (put, remove, touch, append, ...)
  kRecord,     // Record(key, meta, bins) (get, select)
  kOperate,    // Record(key, meta, bins) of operate(): see op_results.h
  kExists,     // ExistsResult(key, meta); meta None when the record is absent
  kOrdered,    // OperateOrderedResult(key, meta, [BinTuple...]) in op order
  kConnect,    // None; failures are ClusterError unless the core says better
  kInfoOne,    // str: the value answered for the request line
  kInfoAll,    // [InfoNodeResult(node_name, error_code, response)]
  kPing,       // bool, never raises
  kTruncate,   // None; the node must answer "ok"
  kBatchRead,  // aerospike-py's dict {user_key: bins} of found records
  kBatchView,  // lossless: [BatchRecord(key, result, record, in_doubt)] in input order
  kBatchWrite, // BatchWriteResult([BatchRecord...])
  kBatchNumpy, // NumpyBatchRecords (batch_read with _dtype; ctx: (dtype, key context))
  kBatchArrow, // pyarrow.RecordBatch (batch_read with _arrow; ctx: (schema, key context))
  kUdf,        // apply: the SUCCESS bin's value; result 100 raises UDFError(FAILURE bin)
  // The admin API (admin_results.cc): None, or user/role dicts.
  kAdmin,      // None; a non-zero server code raises its AdminError subclass
  kAdminUser,  // {"user", "roles", "conns_in_use"[, "read_info", "write_info"]}
  kAdminUsers, // [user dict]
  kAdminRole,  // {"name", "privileges", "allowlist", "read_quota", "write_quota"}
  kAdminRoles, // [role dict]
};

// kAdmin* results (admin_results.cc).
PyObject* ConvertAdmin(ModuleState* st, ResultKind kind, client::Command& cmd);

// New reference to the result, or null with the exception set. `ctx` is
// what the caller kept for the conversion: the user's key tuple for record
// commands, the keys tuple for batches. A result may take the command over
// (batch_read keeps it for its lazy lossless view): `cmd` is then null
// afterwards, so callers read what they need from it first.
PyObject* ConvertResult(ModuleState* st, ResultKind kind, std::unique_ptr<client::Command>& cmd,
                        PyObject* ctx);

// RecordMetadata(gen, ttl) with ttl converted from the server's void time
// the way the C client does: 0 (never expires) -> 0xFFFFFFFF, otherwise the
// seconds left, at least 1.
PyObject* NewMeta(ModuleState* st, uint32_t generation, uint32_t void_time);

// A NamedTuple (tuple subclass) instance with `n` items stolen from `items`;
// on failure the items are released. Untracked when its items allow
// (UntrackIfAtomic). New reference.
PyObject* NewNamedTuple(PyObject* type, PyObject** items, Py_ssize_t n);

// Takes a tuple (or NamedTuple) we just filled out of the cyclic GC's lists
// when none of its items can lead to a container, as CPython does for exact
// tuples; records, whose bins dict the caller may mutate, stay tracked.
void UntrackIfAtomic(PyObject* tuple);

}  // namespace aerospike_py::python
