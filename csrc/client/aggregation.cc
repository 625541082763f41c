#include "client/aggregation.h"

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <utility>

#include "common/status_payload.h"
#include "lua/call.h"
#include "lua/environment.h"
#include "lua/host.h"

namespace aerospike_py::client {
namespace {

using Clock = std::chrono::steady_clock;

// `require` inside the module finds the other modules the client knows.
class SourceResolver final : public lua::ModuleResolver {
 public:
  explicit SourceResolver(const std::map<std::string, std::string>* sources)
      : sources_(sources) {}
  bool FindModule(std::string_view name, std::string* source) override {
    auto it = sources_->find(std::string(name));
    if (it == sources_->end()) return false;
    *source = it->second;
    return true;
  }

 private:
  const std::map<std::string, std::string>* sources_;
};

// What a client-side UDF logs goes nowhere (the client has no UDF log);
// the clock is the wall clock.
class ClientServices final : public lua::HostServices {
 public:
  void Log(int, std::string_view, int, std::string_view) override {}
  uint64_t CurrentTimeMs() override {
    return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count());
  }
};

// Collects what the client's chain produces.
class ValueSink final : public lua::StreamSink {
 public:
  int Write(proto::Value value) override {
    if (!value.is_nil()) values.push_back(std::move(value));
    return 0;
  }
  std::vector<proto::Value> values;
};

// A fixed list of values (ReduceOnThisThread).
class ListSource final : public lua::StreamSource {
 public:
  explicit ListSource(const std::vector<proto::Value>* values) : values_(values) {}
  Kind Next(proto::Value* value, lua::RecordHost**) override {
    if (at_ == values_->size()) return Kind::kEnd;
    *value = (*values_)[at_++];
    return Kind::kValue;
  }

 private:
  const std::vector<proto::Value>* values_;
  size_t at_ = 0;
};

Status UdfError(std::string message) {
  return WithResultCode(absl::AbortedError(AbslView(message)), ResultCode::kUdf);
}

Clock::time_point DeadlineFor(std::chrono::milliseconds timeout) {
  // "No limit" is a deadline far enough away never to pass.
  if (timeout.count() <= 0) return Clock::now() + std::chrono::hours(24 * 365);
  return Clock::now() + timeout;
}

StatusOr<std::unique_ptr<lua::Environment>> LoadClientEnvironment(const AggregationSpec& spec,
                                                                   lua::ModuleResolver* resolver) {
  auto it = spec.sources.find(spec.module);
  if (it == spec.sources.end()) {
    return UdfError("UDF module '" + spec.module +
                    "' is not known to the client (register it with udf_put from this "
                    "client, or name its directory in the client config's lua user_path)");
  }
  lua::EnvironmentOptions options;
  options.server_mode = false;
  options.memory_limit = spec.memory_limit;
  auto env = lua::Environment::Create(options, spec.module, it->second, resolver);
  if (!env.ok()) return UdfError(std::string(env.status().message()));
  return env;
}

// `sink` null: the values are collected into the outcome.
AggregationOutcome RunReduce(lua::Environment& env, const AggregationSpec& spec,
                             lua::StreamSource* input, Clock::time_point deadline,
                             lua::StreamSink* sink = nullptr) {
  ClientServices services;
  ValueSink collected;
  lua::CallResult r = lua::CallStreamFunction(env, spec.function, input,
                                              sink != nullptr ? sink : &collected, &services,
                                              spec.args, deadline);
  AggregationOutcome out;
  if (!r.success) {
    out.status = UdfError(r.error);
    return out;
  }
  out.values = std::move(collected.values);
  return out;
}

}  // namespace

// The worker: its queue is the reduce's input stream; with stream_output
// it is also the chain's sink (the output queue).
class Aggregation::Impl final : public lua::StreamSource, public lua::StreamSink {
 public:
  Impl(AggregationSpec spec, Done done) : spec_(std::move(spec)), done_(std::move(done)),
                                          resolver_(&spec_.sources) {}

  Status Load() {
    auto env = LoadClientEnvironment(spec_, &resolver_);
    if (!env.ok()) return env.status();
    env_ = std::move(env).value();
    return Status();
  }

  void StartThread() {
    deadline_ = DeadlineFor(spec_.timeout);
    worker_ = std::thread([this] { Run(); });
  }

  PushResult Push(proto::Value&& value, bool wait) {
    std::unique_lock<std::mutex> lock(mu_);
    for (;;) {
      if (finished_ || stopped_) return PushResult::kEnded;
      if (queue_.size() < limit(spec_.queue_limit)) break;
      if (spec_.stream_output && !output_.empty()) return PushResult::kOutputReady;
      if (!wait) return PushResult::kFull;
      changed_.wait(lock);
    }
    queue_.push_back(std::move(value));
    lock.unlock();
    changed_.notify_all();
    return PushResult::kQueued;
  }

  void WaitForRoom() {
    std::unique_lock<std::mutex> lock(mu_);
    changed_.wait(lock, [this] {
      return finished_ || stopped_ || queue_.size() < limit(spec_.queue_limit) ||
             (spec_.stream_output && !output_.empty());
    });
  }

  bool TakeOutput(std::vector<proto::Value>* out, bool wait) {
    std::unique_lock<std::mutex> lock(mu_);
    if (wait) changed_.wait(lock, [this] { return !output_.empty() || stopped_; });
    if (output_.empty()) return !stopped_;
    for (proto::Value& v : output_) out->push_back(std::move(v));
    output_.clear();
    lock.unlock();
    changed_.notify_all();  // the worker may wait for room
    return true;
  }

  void Finish(Status upstream) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (finished_) return;
      finished_ = true;
      upstream_ = std::move(upstream);
      if (!upstream_.ok()) {  // abandoned: the reduce stops at once
        queue_.clear();
        output_.clear();
        abandoned_ = true;
      }
    }
    changed_.notify_all();
  }

  void Join() {
    if (worker_.joinable()) worker_.join();
  }

  size_t queued() const {
    std::lock_guard<std::mutex> lock(mu_);
    return queue_.size();
  }

  // lua::StreamSource, on the worker: waits for the next value or the end.
  // The wait is bounded by the deadline so a query that never ends cannot
  // hold the worker past it.
  Kind Next(proto::Value* value, lua::RecordHost**) override {
    std::unique_lock<std::mutex> lock(mu_);
    if (!changed_.wait_until(lock, deadline_, [this] { return !queue_.empty() || finished_; })) {
      timed_out_ = true;
      return Kind::kEnd;
    }
    if (queue_.empty()) return Kind::kEnd;
    *value = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    changed_.notify_all();  // room for Push
    return Kind::kValue;
  }

  // lua::StreamSink (stream_output), on the worker: one value of the chain;
  // waits while output_limit values wait to be taken. Non-zero stops the
  // chain (abandoned, or the deadline passed while nobody took values).
  int Write(proto::Value value) override {
    if (value.is_nil()) return 0;
    std::unique_lock<std::mutex> lock(mu_);
    if (!changed_.wait_until(lock, deadline_, [this] {
          return abandoned_ || output_.size() < limit(spec_.output_limit);
        })) {
      timed_out_ = true;
      return 1;
    }
    if (abandoned_) return 1;
    output_.push_back(std::move(value));
    lock.unlock();
    changed_.notify_all();
    return 0;
  }

 private:
  static size_t limit(size_t n) { return n == 0 ? 1 : n; }

  void Run() {
    AggregationOutcome out =
        RunReduce(*env_, spec_, this, deadline_, spec_.stream_output ? this : nullptr);
    Status upstream;
    {
      std::lock_guard<std::mutex> lock(mu_);
      upstream = upstream_;
    }
    if (!upstream.ok()) {
      out.status = upstream;
      out.values.clear();
    } else if (timed_out_ && out.status.ok()) {
      out.status = UdfError("UDF Execution Timeout");
      out.values.clear();
    }
    env_.reset();  // the Lua state is freed on the thread that used it
    if (!out.status.ok()) {
      std::lock_guard<std::mutex> lock(mu_);
      output_.clear();  // a failed chain has no result
    }
    done_(std::move(out));
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopped_ = true;  // after done_: TakeOutput's false means the outcome is there
      queue_.clear();
    }
    changed_.notify_all();
  }

  AggregationSpec spec_;
  Done done_;
  SourceResolver resolver_;
  std::unique_ptr<lua::Environment> env_;
  Clock::time_point deadline_;
  std::thread worker_;

  mutable std::mutex mu_;
  // Signalled on every change: a value queued or taken, output produced or
  // taken, Finish, the worker's end. Producer, worker and consumer wait on it.
  std::condition_variable changed_;
  std::deque<proto::Value> queue_;
  std::vector<proto::Value> output_;  // stream_output: produced, not yet taken
  bool finished_ = false;
  bool abandoned_ = false;  // Finish with an error: stop producing
  bool stopped_ = false;    // the worker ended (done_ has been called)
  bool timed_out_ = false;
  Status upstream_;
};

StatusOr<std::unique_ptr<Aggregation>> Aggregation::Start(AggregationSpec spec, Done done) {
  auto impl = std::make_unique<Impl>(std::move(spec), std::move(done));
  ASPY_RETURN_IF_ERROR(impl->Load());
  impl->StartThread();
  return std::unique_ptr<Aggregation>(new Aggregation(std::move(impl)));
}

Aggregation::Aggregation(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Aggregation::~Aggregation() {
  impl_->Finish(absl::CancelledError("the aggregation was abandoned"));
  impl_->Join();
}

PushResult Aggregation::Push(proto::Value&& value, bool wait) {
  return impl_->Push(std::move(value), wait);
}

void Aggregation::WaitForRoom() { impl_->WaitForRoom(); }

bool Aggregation::TakeOutput(std::vector<proto::Value>* out, bool wait) {
  return impl_->TakeOutput(out, wait);
}

void Aggregation::Finish(Status upstream) { impl_->Finish(std::move(upstream)); }

size_t Aggregation::queued() const { return impl_->queued(); }

AggregationOutcome ReduceOnThisThread(const AggregationSpec& spec,
                                      const std::vector<proto::Value>& values) {
  SourceResolver resolver(&spec.sources);
  auto env = LoadClientEnvironment(spec, &resolver);
  if (!env.ok()) {
    AggregationOutcome out;
    out.status = env.status();
    return out;
  }
  ListSource input(&values);
  return RunReduce(**env, spec, &input, DeadlineFor(spec.timeout));
}

}  // namespace aerospike_py::client
