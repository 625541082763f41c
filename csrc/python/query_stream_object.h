// The Python face of a running scan/query: aerospike_py._core.QueryStream,
// an iterator (sync) and an async iterator (asyncio) over Record
// NamedTuples, fed by a client::QueryStream.
//
// Records are converted one at a time from the chunk being consumed (the
// received frame, in wire form), so the Python objects alive at any time
// are the ones the consumer keeps: memory stays flat however large the
// result. When the chunk is used up the next is taken; when none is queued:
//  - sync: wait on the stream with the GIL released (in slices, so Ctrl-C
//    works);
//  - asyncio: `__anext__` returns a small awaitable whose am_send converts
//    a record without suspending when one is at hand, and otherwise yields
//    a future of the loop's bridge that a StreamWakeCommand resolves.
// Taking a chunk may tell the consumer to resume a paused query: a
// QueryControlCommand is submitted then.
//
// close() / dropping the stream cancels a query still running (its
// connections close) and discards what was queued; the query's end (status,
// cursor) is kept for status() and partitions(). Loop thread (GIL held).
#pragma once

#include <memory>
#include <vector>

#include "client/client.h"
#include "client/query_stream.h"
#include "python/module_state.h"

namespace aerospike_py::python {

extern PyType_Spec kQueryStreamSpec;
extern PyType_Spec kQueryNextSpec;

// A new QueryStream object of `type` (the state's type or a Python
// subclass) reading `stream`; `core` is kept to submit resumes and cancels.
// `initial`: the partitions as the query started (empty: all 4096 from
// the start), kept to compute the cursor of a stream stopped early.
PyObject* NewQueryStream(ModuleState* st, PyTypeObject* type,
                         std::shared_ptr<client::QueryStream> stream,
                         std::shared_ptr<client::Client> core, PyObject* ns_str,
                         std::vector<client::PartitionStatus> initial, bool has_where,
                         uint64_t task_id);

}  // namespace aerospike_py::python
