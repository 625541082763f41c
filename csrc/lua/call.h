// Calls into a UDF module: a record UDF on one record, or a stream UDF from
// an input stream to an output stream. Each call runs under the
// environment's deadline and reports what the server reports: success with
// the function's (first) return value, or failure with the Lua error
// message. Users: the embedded server's UDF room, the client's aggregation.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "lua/environment.h"
#include "lua/host.h"
#include "proto/value.h"

namespace aerospike_py::lua {

struct CallResult {
  bool success = false;
  // Success: the returned value; nil when the function returned nothing or
  // something with no Aerospike form (a table, a function).
  proto::Value value;
  // Failure: the error message ("<file>:<line>: <message>" for Lua errors,
  // "function not found", "UDF Execution Timeout", ...), or "result value
  // type unexpected" when the error value was not a string.
  std::string error;
  // Failure: the Lua status of the call (2 a runtime error, a timeout or a
  // missing function; 4 out of memory), which the server reports as
  // "UDF: Execution Error <status>".
  int status = 0;
};

// apply_record(f, record, args...) for `function` of the environment's
// module. The record object is unusable once the call returns.
CallResult CallRecordFunction(Environment& env, std::string_view function, RecordHost* record,
                              HostServices* services, const std::vector<proto::Value>& args,
                              std::chrono::steady_clock::time_point deadline);

// apply_stream(f, scope, input, output, args...): the part of the stream
// chain for the environment's scope (server or client). `result.value` is
// unused; outputs go to `output`.
CallResult CallStreamFunction(Environment& env, std::string_view function, StreamSource* input,
                              StreamSink* output, HostServices* services,
                              const std::vector<proto::Value>& args,
                              std::chrono::steady_clock::time_point deadline);

}  // namespace aerospike_py::lua
