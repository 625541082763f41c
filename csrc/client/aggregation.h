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
// scope. Values are pushed as they arrive and the worker's reduce pulls them
// from a queue, so the reduce runs while the nodes are still answering. When
// the input ends (Finish), the chain drains and `done` is called once, on
// the worker thread, with the final values or the error. No Python object
// and no GIL here: the bridge turns the outcome into Python values.
//
// Memory is bounded both ways: the input queue holds at most `queue_limit`
// values (Push waits, or says kFull, until the reduce takes one: the caller
// stops reading the nodes' stream, whose own buffer then pauses the
// socket), and with `stream_output` the values the chain produces wait in
// a queue of at most `output_limit` for TakeOutput (the worker waits when
// it is full), so a chain without a reduce, whose every input value is a
// result, streams through in constant memory to a slow consumer.
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
  // Input values queued before Push waits for the reduce.
  size_t queue_limit = 1024;
  // Hand the chain's values out as they come (TakeOutput) instead of in
  // `done`; at most output_limit wait to be taken.
  bool stream_output = false;
  size_t output_limit = 1024;
};

// What Push did with a value.
enum class PushResult {
  kQueued,       // taken
  kOutputReady,  // not taken: values wait in TakeOutput (take them, push again)
  kFull,         // not taken: the queue is full (Push without waiting only)
  kEnded,        // dropped: Finish was called or the worker stopped (see `done`)
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

  // One value a node sent. While `queue_limit` values are queued, waits
  // (`wait`) until the reduce takes one, output is ready (stream_output) or
  // the aggregation ends; without `wait` says kFull at once instead. The
  // value is moved from only when kQueued.
  PushResult Push(proto::Value&& value, bool wait = true);
  // Waits until Push would not: room in the queue, output ready, or the end.
  void WaitForRoom();
  // stream_output: appends the values produced and not yet taken to `out`.
  // With `wait`, first waits until there is one or the worker stopped.
  // False once the worker stopped and every value was taken (`done` has
  // then been called).
  bool TakeOutput(std::vector<proto::Value>* out, bool wait);
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
