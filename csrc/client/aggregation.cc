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

AggregationOutcome RunReduce(lua::Environment& env, const AggregationSpec& spec,
                             lua::StreamSource* input, Clock::time_point deadline) {
  ClientServices services;
  ValueSink sink;
  lua::CallResult r =
      lua::CallStreamFunction(env, spec.function, input, &sink, &services, spec.args, deadline);
  AggregationOutcome out;
  if (!r.success) {
    out.status = UdfError(r.error);
    return out;
  }
  out.values = std::move(sink.values);
  return out;
}

}  // namespace

// The worker: its queue is the reduce's input stream.
class Aggregation::Impl final : public lua::StreamSource {
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

  void Push(proto::Value value) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (finished_) return;
      queue_.push_back(std::move(value));
    }
    ready_.notify_one();
  }

  void Finish(Status upstream) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (finished_) return;
      finished_ = true;
      upstream_ = std::move(upstream);
      if (!upstream_.ok()) queue_.clear();  // abandoned: the reduce stops at once
    }
    ready_.notify_one();
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
    if (!ready_.wait_until(lock, deadline_, [this] { return !queue_.empty() || finished_; })) {
      timed_out_ = true;
      return Kind::kEnd;
    }
    if (queue_.empty()) return Kind::kEnd;
    *value = std::move(queue_.front());
    queue_.pop_front();
    return Kind::kValue;
  }

 private:
  void Run() {
    AggregationOutcome out = RunReduce(*env_, spec_, this, deadline_);
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
    done_(std::move(out));
  }

  AggregationSpec spec_;
  Done done_;
  SourceResolver resolver_;
  std::unique_ptr<lua::Environment> env_;
  Clock::time_point deadline_;
  std::thread worker_;

  mutable std::mutex mu_;
  std::condition_variable ready_;
  std::deque<proto::Value> queue_;
  bool finished_ = false;
  bool timed_out_ = false;  // worker only
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

void Aggregation::Push(proto::Value value) { impl_->Push(std::move(value)); }

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
