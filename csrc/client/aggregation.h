// Aggregation: the client's half of query.apply(module, function, args).
//
// Each server node runs the stream UDF's chain up to and including its
// first reduce over its records and sends the values it produced (SUCCESS
// ops). The client runs the rest of the chain, starting with that reduce,
// over every value from every node, with its own copy of the module, and
// the values that chain produces are the query's results. (Aerospike's
// clients do the same: the module must be known to the client.)
//
// An Aggregation owns one worker thread and one Lua environment in client
// scope. Values are pushed as they arrive (from the event thread: Push never
// waits for Lua) and the worker's reduce pulls them from a queue, so the
// reduce runs while the nodes are still answering. When the input ends
// (Finish), the chain drains and `done` is called once, on the worker
// thread, with the final values or the error. No Python object and no GIL
// here: the bridge turns the outcome into Python values.
//
// Errors in `done`'s status: a Lua error, a missing function or the
// deadline carry ResultCode::kUdf (the bridge raises UDFError) and the
// message as the Lua environment reports it; an upstream error passed to
// Finish is handed back unchanged.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "proto/value.h"

namespace aerospike_py::client {

struct AggregationSpec {
  std::string module;    // module name, without ".lua"
  std::string function;  // the stream function
  std::vector<proto::Value> args;
  // The Lua sources the client knows, by module name (without ".lua"): the
  // module itself and any module it `require`s.
  std::map<std::string, std::string> sources;
  // The whole client-side reduce must end by then (0: no limit).
  std::chrono::milliseconds timeout{0};
  // Bytes the worker's Lua state may allocate.
  size_t memory_limit = size_t{256} << 20;
};

struct AggregationOutcome {
  Status status;
  std::vector<proto::Value> values;
};

class Aggregation {
 public:
  using Done = std::function<void(AggregationOutcome)>;

  // Loads the module in client scope and starts the worker. Fails (with
  // ResultCode::kUdf) when the module is unknown or does not load; `done`
  // is then never called.
  static StatusOr<std::unique_ptr<Aggregation>> Start(AggregationSpec spec, Done done);

  // Stops the reduce if it is still running (Finish(Cancelled)) and joins
  // the worker; `done` has been called when this returns.
  ~Aggregation();
  Aggregation(const Aggregation&) = delete;
  Aggregation& operator=(const Aggregation&) = delete;

  // One value a node sent. Ignored after Finish.
  void Push(proto::Value value);
  // The input ended: ok when every node finished, otherwise the query's
  // error (the reduce is abandoned and `done` gets that status).
  void Finish(Status upstream);

  // Values pushed and not yet taken by the reduce (for tests and metrics).
  size_t queued() const;

 private:
  class Impl;
  explicit Aggregation(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Runs the client scope of `spec` over `values` on the calling thread (the
// worker's body, also used by tests that need no thread).
AggregationOutcome ReduceOnThisThread(const AggregationSpec& spec,
                                      const std::vector<proto::Value>& values);

}  // namespace aerospike_py::client
