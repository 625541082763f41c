// The one place that maps the core's outcomes to Python exceptions.
// Server answers are ResultCodes (non-negative); core failures are
// absl::Status values, mapped to the client-side (negative) codes of
// common/result_code.h, or 9 for client timeouts as the C client does.
// The class for a code comes from aerospike_py.exception.EXCEPTION_BY_CODE
// (exception_for_code() for codes it does not list); each instance gets
// code, msg, in_doubt, key and node attributes.
// Used by every file of the bridge that can fail.
#pragma once

#include <string_view>

#include "client/command.h"
#include "common/result_code.h"
#include "common/status.h"
#include "python/module_state.h"

namespace aerospike_py::python {

// Debian's abseil has its own string_view type; this views it as std's.
inline std::string_view StdView(absl::string_view v) { return {v.data(), v.size()}; }

// The code a failed Status stands for. A core that knows better puts a
// negative ResultCode in the command's `result` next to the failed status;
// that code wins.
int CodeForStatus(const Status& status, ResultCode result);

// A new exception instance for `code` (null with an exception set if even
// that failed). `key` may be null.
PyObject* NewError(ModuleState* st, int code, std::string_view msg,
                   bool in_doubt, PyObject* key, std::string_view node);

// The exception for a finished command that failed (status not OK or a
// non-OK server result). New reference.
PyObject* NewCommandError(ModuleState* st, const client::Command& cmd,
                          PyObject* key);

// Raises `exc` (stealing it) and returns null, for `return RaiseOwned(...)`.
PyObject* RaiseOwned(PyObject* exc);

// Raises InvalidArgError (code -2, AEROSPIKE_ERR_PARAM of the client) with a
// printf-style message (PyUnicode_FromFormat codes). Returns null.
PyObject* RaiseInvalidArg(ModuleState* st, const char* format, ...);
// Same, for ClientError (code -1).
PyObject* RaiseClientError(ModuleState* st, const char* format, ...);

// Re-raises a pending TypeError/ValueError/OverflowError raised by a
// CPython conversion as InvalidArgError with `context` prefixed, keeping
// other exceptions (MemoryError, KeyboardInterrupt) as they are.
PyObject* ConvertPendingToInvalidArg(ModuleState* st, const char* context);

}  // namespace aerospike_py::python
