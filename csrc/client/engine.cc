#include "client/engine.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "client/admin_execution.h"
#include "client/batch_coalescer.h"
#include "client/batch_execution.h"
#include "client/coalescer.h"
#include "client/command_log.h"
#include "client/completion.h"
#include "client/counters.h"
#include "client/execution.h"
#include "client/info_execution.h"
#include "client/log_queue.h"
#include "client/query_execution.h"
#include "client/query_stream.h"
#include "client/record_execution.h"
#include "client/user_agent.h"
#include "common/bcrypt.h"
#include "common/status_payload.h"
#include "io/authenticator.h"
#include "io/address.h"
#include "io/connection_pool.h"
#include "io/node_io.h"

namespace aerospike_py::client {

namespace {

Status ValidateConfig(const ClientConfig& c) {
  if (c.seeds.empty()) return absl::InvalidArgumentError("no seed hosts given");
  for (const Seed& s : c.seeds) {
    if (s.host.empty()) return absl::InvalidArgumentError("a seed host is empty");
    if (s.port == 0) return absl::InvalidArgumentError(absl::StrCat("seed ", s.host, " has port 0"));
  }
  if (c.max_conns_per_node == 0) {
    return absl::InvalidArgumentError("max_conns_per_node must be at least 1");
  }
  if (c.min_conns_per_node > c.max_conns_per_node) {
    return absl::InvalidArgumentError("min_conns_per_node exceeds max_conns_per_node");
  }
  if (c.tend_interval_ms < 10) {
    return absl::InvalidArgumentError("tend_interval_ms must be at least 10");
  }
  if (c.max_keys_per_batch_request == 0) {
    return absl::InvalidArgumentError("max_keys_per_batch_request must be at least 1");
  }
  if (c.auth_mode > 2) return absl::InvalidArgumentError("auth_mode must be 0, 1 or 2");
  const auto mode = static_cast<proto::AuthMode>(c.auth_mode);
  if (mode == proto::AuthMode::kExternal && !c.user.empty() && !c.tls.enable &&
      !c.external_insecure) {
    // External (LDAP) login sends the password in clear: only over TLS.
    return absl::InvalidArgumentError(
        "auth_mode AUTH_EXTERNAL sends the password itself to the server and needs TLS "
        "(config['tls']['enable'])");
  }
  if (mode == proto::AuthMode::kPki && (!c.tls.enable || c.tls.certfile.empty())) {
    return absl::InvalidArgumentError(
        "auth_mode AUTH_PKI logs in with the TLS client certificate: set config['tls'] "
        "'enable', 'certfile' and 'keyfile'");
  }
  if (c.tls.for_login_only && c.user.empty() && mode != proto::AuthMode::kPki) {
    return absl::InvalidArgumentError("tls for_login_only needs a user to log in");
  }
  return absl::OkStatus();
}

// Completes once the cluster is usable, or fails.
class ConnectExecution final : public Execution {
 public:
  using Execution::Execution;
  bool admitted_work() const override { return false; }
  void Start() override {}
  void Abort(const Status& why) override { Fail(why); }
  void Succeed() {
    timer_.Cancel();
    Finish(absl::OkStatus());
  }
  void Fail(const Status& why) {
    timer_.Cancel();
    Finish(why);
  }
  io::Timer timer_;
};

}  // namespace

ResultCode ResultForStatus(const Status& status) {
  if (std::optional<ResultCode> code = ResultCodeOf(status)) return *code;
  switch (status.code()) {
    case absl::StatusCode::kOk:
      return ResultCode::kOk;
    case absl::StatusCode::kDeadlineExceeded:
      return ResultCode::kTimeout;
    case absl::StatusCode::kUnavailable:
      return ResultCode::kConnection;
    case absl::StatusCode::kCancelled:
      return ResultCode::kClientAbort;
    case absl::StatusCode::kInvalidArgument:
      return ResultCode::kClientParam;
    case absl::StatusCode::kResourceExhausted:
      return ResultCode::kNoMoreConnections;
    case absl::StatusCode::kAborted:
      return ResultCode::kMaxErrorRate;
    default:
      return ResultCode::kClientError;
  }
}

bool IsRetryable(const Status& status) {
  // DataLoss: an answer that was malformed or did not fit its request; its
  // connection is closed, and another try (or replica) may answer cleanly.
  return status.code() == absl::StatusCode::kUnavailable ||
         status.code() == absl::StatusCode::kDataLoss ||
         status.code() == absl::StatusCode::kAborted ||
         status.code() == absl::StatusCode::kDeadlineExceeded;
}

int64_t Execution::DeadlineFor(uint32_t total_ms, int64_t now_ms) const {
  if (total_ms == 0) return 0;
  const int64_t waited_ns = io::SteadyNowNs() - command_->timings.submitted - queued_ns_;
  const int64_t waited_ms = waited_ns > 0 ? waited_ns / 1000000 : 0;
  // At least 1 ms from now: an already spent budget still fails through
  // the timer, on the normal path.
  return now_ms + std::max<int64_t>(static_cast<int64_t>(total_ms) - waited_ms, 1);
}

void Execution::Finish(const Status& status) {
  if (finished_) return;
  finished_ = true;
  command_->status = status;
  engine_->Complete(this, std::move(command_));
}

Engine::Engine(ClientConfig config) : config_(std::move(config)) {
  rack_ids_ = config_.rack_ids;
}

StatusOr<std::unique_ptr<Engine>> Engine::Start(ClientConfig config) {
  ASPY_RETURN_IF_ERROR(ValidateConfig(config));
  // Certificates and keys are read now, on the caller's thread: a bad file
  // is a configuration error of connect(), not a later connection failure.
  std::shared_ptr<tls::TlsContext> tls_context;
  if (config.tls.enable) {
    ASPY_ASSIGN_OR_RETURN(tls_context, tls::TlsContext::Create(config.tls, tls::Role::kClient));
  }
  std::unique_ptr<Engine> engine(new Engine(std::move(config)));
  engine->tls_context_ = std::move(tls_context);
  ASPY_ASSIGN_OR_RETURN(engine->loop_, io::EventLoop::Create(engine.get()));
  engine->loop_->StartThread();
  GlobalCounters().live_clients.fetch_add(1, std::memory_order_relaxed);
  return engine;
}

Engine::~Engine() { Close(); }

void Engine::Close() {
  {
    absl::MutexLock lock(&submit_mu_);
    closed_ = true;
  }
  if (loop_ == nullptr) return;
  if (loop_->OnLoopThread()) return;  // documented misuse; the owner's thread joins later
  loop_->Stop();
  if (!joined_.exchange(true)) {
    if (!loop_->closed_cleanly()) {
      GlobalCounters().unclean_loop_exits.fetch_add(1, std::memory_order_relaxed);
    }
    GlobalCounters().live_clients.fetch_sub(1, std::memory_order_relaxed);
  }
}

void Engine::Submit(std::unique_ptr<Command> command) {
  command->timings.submitted = io::SteadyNowNs();
  {
    absl::MutexLock lock(&submit_mu_);
    if (!closed_) {
      const bool was_empty = submitted_.empty();
      submitted_.push_back(std::move(command));
      // Under the lock, so the wakeup never races the loop's shutdown.
      if (was_empty) loop_->Wakeup();
      return;
    }
  }
  command->status = absl::CancelledError("the client is closed");
  command->timings.completed = io::SteadyNowNs();
  Deliver(std::move(command));
}

bool Engine::IsConnected() const {
  absl::MutexLock lock(&names_mu_);
  return !node_names_.empty();
}

std::vector<std::string> Engine::NodeNames() const {
  absl::MutexLock lock(&names_mu_);
  return node_names_;
}

std::vector<proto::Endpoint> Engine::NodeAddresses() const {
  absl::MutexLock lock(&names_mu_);
  return node_addresses_;
}

void Engine::PublishNodes() {
  std::vector<std::string> names;
  std::vector<proto::Endpoint> addresses;
  if (cluster_ != nullptr) {
    for (const auto& node : cluster_->nodes()) {
      names.push_back(node->name());
      addresses.push_back(node->address());
    }
  }
  absl::MutexLock lock(&names_mu_);
  node_names_ = std::move(names);
  node_addresses_ = std::move(addresses);
}

int64_t Engine::NowMs() {
  loop_->UpdateTime();
  return loop_->NowMs();
}

void Engine::Log(cluster::LogLevel level, std::string message) {
  LogQueue& q = LogQueue::Global();
  if (q.Enabled(level)) q.Push(level, std::move(message));
}

cluster::RouteOptions Engine::RouteFor(const CommandPolicy& policy, bool write, uint32_t attempt) {
  cluster::RouteOptions o;
  o.replica = static_cast<cluster::ReplicaPolicy>(policy.replica);
  o.write = write;
  o.attempt = attempt;
  o.rotation = rotation_++;
  o.rack_ids = &rack_ids_;
  return o;
}

// --- event thread ---

void Engine::OnLoopStart() {
  io::LoopCounters& counters = loop_->counters();
  counters.open_connections = &GlobalCounters().open_connections;
  counters.connections_opened = &GlobalCounters().connections_opened;
  offload_ = std::make_unique<io::OffloadQueue>(loop_.get());
  const bool login = !config_.user.empty() || config_.auth_mode == 2;
  if (!login) {
    StartCluster(nullptr);
    return;
  }
  // The password's bcrypt hash, computed once per client, off the event
  // thread (it takes tens of milliseconds); tending starts when it is known.
  auto credentials = std::make_shared<io::Credentials>();
  credentials->mode = static_cast<proto::AuthMode>(config_.auth_mode);
  credentials->user = config_.user;
  if (credentials->mode == proto::AuthMode::kExternal) {
    credentials->clear_password = config_.password;
  }
  auto password = std::make_shared<std::string>(config_.password);
  WipeString(&config_.password);  // the core keeps the hash only
  offload_->Run(
      [credentials, password] {
        if (credentials->mode != proto::AuthMode::kPki) {
          credentials->credential = AerospikePasswordHash(*password);
        }
        WipeString(password.get());
      },
      [this, credentials] {
        StartCluster(std::make_shared<io::Authenticator>(std::move(*credentials)));
      });
}

void Engine::StartCluster(std::shared_ptr<io::Authenticator> auth) {
  if (stopping_) return;
  if (tls_context_ != nullptr || auth != nullptr) {
    auto security = std::make_shared<io::ConnectionSecurity>();
    security->tls = tls_context_;
    security->auth = std::move(auth);
    security->login_timeout_ms = config_.login_timeout_ms;
    if (config_.tls.log_session_info) {
      security->on_session = [this](const std::string& peer, const std::string& summary) {
        Log(cluster::LogLevel::kInfo, absl::StrCat("TLS session with ", peer, ": ", summary));
      };
    }
    // TLS for login only: nodes are validated and logged in over TLS, then
    // their connections are clear text that authenticate with the session.
    if (config_.tls.for_login_only && security->tls != nullptr) {
      auto clear = std::make_shared<io::ConnectionSecurity>(*security);
      clear->tls = nullptr;
      clear->on_session = nullptr;
      node_security_ = std::move(clear);
    } else {
      node_security_ = security;
    }
    security_ = std::move(security);
  }
  const uint32_t info_timeout = std::max<uint32_t>(config_.connect_timeout_ms, 1000);
  transport_ = std::make_unique<io::ClusterTransport>(loop_.get(), config_.connect_timeout_ms,
                                                      info_timeout, security_);
  cluster::ClusterOptions options;
  for (const Seed& s : config_.seeds) {
    // Without a TLS name the seed's host name is what its certificate
    // must carry, as for any TLS client.
    std::string tls_name = config_.tls.enable ? (s.tls_name.empty() ? s.host : s.tls_name) : "";
    options.seeds.push_back({s.host, s.port, std::move(tls_name)});
  }
  options.tls = config_.tls.enable;
  options.tls_login_only = config_.tls.enable && config_.tls.for_login_only;
  options.cluster_name = config_.cluster_name;
  options.rack_aware = config_.rack_aware;
  options.use_alternate_addresses = config_.use_services_alternate;
  options.user_agent = UserAgent(config_.app_id);
  cluster_ = std::make_unique<cluster::Cluster>(std::move(options), transport_.get(), this);
  cluster_->Tend();
  ArmTend(config_.tend_interval_ms);
  // Commands that arrived while the password was being hashed.
  std::vector<std::unique_ptr<Command>> early;
  early.swap(early_);
  for (auto& command : early) Dispatch(std::move(command));
}

void Engine::ArmTend(uint32_t delay_ms) {
  tend_timer_.Start(&loop_->timers(), loop_->NowMs() + delay_ms,
                    &io::Timer::Thunk<Engine, &Engine::OnTendTimer>, this);
}

void Engine::OnTendTimer() {
  if (stopping_ || cluster_ == nullptr) return;
  const int64_t now = NowMs();
  for (const auto& node : cluster_->nodes()) {
    if (io::NodeIo* nio = io::NodeIo::Of(*node)) nio->Maintain(now);
  }
  last_tend_ms_ = now;
  cluster_->Tend();
  // While nobody is reachable and a connect() waits, look again sooner.
  const bool hurry = cluster_->nodes().empty() && !connect_waiters_.empty();
  ArmTend(hurry ? std::min<uint32_t>(config_.tend_interval_ms, 100) : config_.tend_interval_ms);
}

void Engine::OnWakeup() {
  {
    absl::MutexLock lock(&submit_mu_);
    draining_.swap(submitted_);
  }
  CoalesceDrained();
  const int64_t now = io::SteadyNowNs();
  loop_->UpdateTime();
  for (auto& command : draining_) {
    if (command == nullptr) continue;  // merged into a coalesced batch
    command->timings.started = now;
    Dispatch(std::move(command));
  }
  draining_.clear();
  PollCoalesceWindow();
}

namespace {

// A get to fuse with others (client/coalescer.h) or a batch read to merge
// with others (client/batch_coalescer.h).
bool WaitsForCompany(const Command& c) { return IsCoalescable(c) || IsMergeableBatch(c); }

}  // namespace

void Engine::Coalesce(std::vector<std::unique_ptr<Command>>* commands) {
  bool gets = false, batches = false;
  for (const auto& c : *commands) {
    if (c == nullptr) continue;
    gets = gets || IsCoalescable(*c);
    batches = batches || IsMergeableBatch(*c);
  }
  if (gets) CoalesceReads(this, commands);
  if (batches) MergeBatches(commands);
}

void Engine::CoalesceDrained() {
  if (cluster_ == nullptr || stopping_) return;
  if (config_.coalesce_window_us == 0) {
    Coalesce(&draining_);
    return;
  }
  // A window gives calls issued a moment later (the rest of an asyncio loop
  // iteration) the same batch. The calls wait in coalesce_held_ rather than
  // the thread sleeping: other commands' replies keep being read meanwhile.
  const size_t held_before = coalesce_held_.size();
  for (auto& c : draining_) {
    if (c != nullptr && WaitsForCompany(*c)) coalesce_held_.push_back(std::move(c));
  }
  if (coalesce_held_.size() == held_before || coalesce_deadline_ns_ != 0) return;
  const uint32_t window_us = config_.coalesce_window_us;
  coalesce_deadline_ns_ = io::SteadyNowNs() + int64_t{window_us} * 1000;
  if (window_us >= 1000) {
    loop_->UpdateTime();
    coalesce_timer_.Start(&loop_->timers(), loop_->NowMs() + (window_us + 999) / 1000,
                          &io::Timer::Thunk<Engine, &Engine::FlushCoalesceWindow>, this);
  }
}

void Engine::PollCoalesceWindow() {
  if (coalesce_deadline_ns_ == 0 || coalesce_timer_.armed()) return;
  if (io::SteadyNowNs() >= coalesce_deadline_ns_) {
    FlushCoalesceWindow();
  } else {
    loop_->Wakeup();
  }
}

void Engine::FlushCoalesceWindow() {
  coalesce_timer_.Cancel();
  coalesce_deadline_ns_ = 0;
  std::vector<std::unique_ptr<Command>> held;
  held.swap(coalesce_held_);
  if (!stopping_) Coalesce(&held);
  const int64_t now = io::SteadyNowNs();
  loop_->UpdateTime();
  for (auto& command : held) {
    if (command == nullptr) continue;  // merged into a coalesced batch
    command->timings.started = now;
    Dispatch(std::move(command));  // cancels them when stopping
  }
}

void Engine::Dispatch(std::unique_ptr<Command> command) {
  if (stopping_) {
    command->status = absl::CancelledError("the client is closed");
    command->timings.completed = io::SteadyNowNs();
    Deliver(std::move(command));
    return;
  }
  if (cluster_ == nullptr) {
    // Still hashing the password (a few tens of ms after start).
    early_.push_back(std::move(command));
    return;
  }
  Execution* e = nullptr;
  switch (command->kind()) {
    case CommandKind::kConnect: {
      auto* c = new ConnectExecution(this, std::move(command));
      ListPush(&live_head_, &live_tail_, c);
      c->where_ = Execution::Where::kLive;
      if (cluster_->usable()) {
        c->Succeed();
        return;
      }
      connect_waiters_.push_back(c);
      c->timer_.Start(
          &loop_->timers(), NowMs() + config_.connect_timeout_ms,
          [](void* arg) {
            auto* self = static_cast<ConnectExecution*>(arg);
            self->engine_->Log(cluster::LogLevel::kWarning, "connect timed out");
            self->Fail(self->engine_->ConnectFailure(
                "cannot connect to the cluster within the connect timeout"));
          },
          c);
      if (!cluster_->tending()) cluster_->Tend();
      return;
    }
    case CommandKind::kInfo:
      e = new InfoExecution(this, std::move(command));
      break;
    case CommandKind::kRecord:
      e = new RecordExecution(this, std::move(command));
      break;
    case CommandKind::kBatch:
      e = new BatchExecution(this, std::move(command));
      break;
    case CommandKind::kQuery:
      e = new QueryExecution(this, std::move(command));
      break;
    case CommandKind::kQueryControl: {
      // Straight to the running query, if it still runs; never admitted.
      auto* control = static_cast<QueryControlCommand*>(command.get());
      if (QueryControl* target = control->stream->control()) {
        if (control->action == QueryControlCommand::Action::kResume) {
          target->OnResume();
        } else {
          target->OnCancel();
        }
      }
      return;
    }
    case CommandKind::kStreamWake:
      Deliver(std::move(command));  // not work for the event thread
      return;
    case CommandKind::kAdmin:
      e = new AdminExecution(this, std::move(command));
      break;
  }
  if (!e->admitted_work() || config_.max_concurrent_operations == 0 ||
      (in_flight_ < config_.max_concurrent_operations && queued_head_ == nullptr)) {
    Admit(e);
    return;
  }
  // Backpressure: wait in FIFO order.
  ListPush(&queued_head_, &queued_tail_, e);
  e->where_ = Execution::Where::kQueued;
  e->queued_since_ns_ = io::SteadyNowNs();
  ++queued_;
  GlobalCounters().queued_commands.fetch_add(1, std::memory_order_relaxed);
  if (config_.operation_queue_timeout_ms > 0) {
    e->queue_timer_.Start(&loop_->timers(), NowMs() + config_.operation_queue_timeout_ms,
                          [](void* arg) {
                            auto* ex = static_cast<Execution*>(arg);
                            ex->engine_->OnQueueTimeout(ex);
                          },
                          e);
  }
}

void Engine::Admit(Execution* e) {
  ListPush(&live_head_, &live_tail_, e);
  e->where_ = Execution::Where::kLive;
  if (e->admitted_work()) ++in_flight_;
  e->Start();  // may complete (and unlink) before returning
}

void Engine::OnQueueTimeout(Execution* e) {
  ListRemove(&queued_head_, &queued_tail_, e);
  e->where_ = Execution::Where::kNone;
  --queued_;
  GlobalCounters().queued_commands.fetch_sub(1, std::memory_order_relaxed);
  e->Abort(absl::ResourceExhaustedError(absl::StrCat(
      "more than ", config_.max_concurrent_operations,
      " operations in flight and none finished within operation_queue_timeout_ms (",
      config_.operation_queue_timeout_ms, " ms)")));
}

void Engine::Pump() {
  if (pumping_) return;
  pumping_ = true;
  while (queued_head_ != nullptr && !stopping_ &&
         in_flight_ < config_.max_concurrent_operations) {
    Execution* e = queued_head_;
    ListRemove(&queued_head_, &queued_tail_, e);
    e->queue_timer_.Cancel();
    e->queued_ns_ += io::SteadyNowNs() - e->queued_since_ns_;
    --queued_;
    GlobalCounters().queued_commands.fetch_sub(1, std::memory_order_relaxed);
    Admit(e);
  }
  pumping_ = false;
}

void Engine::Complete(Execution* e, std::unique_ptr<Command> command) {
  if (e->where_ == Execution::Where::kLive) {
    ListRemove(&live_head_, &live_tail_, e);
    if (e->admitted_work()) --in_flight_;
  } else if (e->where_ == Execution::Where::kQueued) {
    ListRemove(&queued_head_, &queued_tail_, e);
    --queued_;
    GlobalCounters().queued_commands.fetch_sub(1, std::memory_order_relaxed);
  }
  e->where_ = Execution::Where::kNone;
  e->queue_timer_.Cancel();
  auto it = std::find(connect_waiters_.begin(), connect_waiters_.end(), e);
  if (it != connect_waiters_.end()) connect_waiters_.erase(it);
  finished_.emplace_back(e);
  command->timings.completed = io::SteadyNowNs();
  LogCommand(*command);  // a DEBUG record if wanted; one atomic load otherwise
  Deliver(std::move(command));
  if (config_.max_concurrent_operations != 0) Pump();
}

Status Engine::ConnectFailure(std::string_view what) const {
  const std::string& detail = cluster_->last_error();
  Status why = absl::UnavailableError(absl::StrCat(
      AbslView(what), detail.empty() ? ": no seed answered" : ": ", detail));
  // A TLS failure or a refused login keeps its code: TLSError, or the
  // AdminError subclass of the server's security code.
  if (std::optional<ResultCode> code = ResultCodeOf(cluster_->last_failure())) {
    why = WithResultCode(why, *code);
  }
  return why;
}

void Engine::OnNodeTrouble() {
  if (stopping_ || cluster_ == nullptr || cluster_->tending()) return;
  const int64_t now = loop_->NowMs();
  if (now - last_tend_ms_ < 100) return;
  // From the timer, not from inside the failing command's callback.
  if (tend_timer_.armed() && tend_timer_.deadline() <= now) return;
  ArmTend(0);
}

Status Engine::CheckErrorRate(const cluster::Node& node) const {
  if (config_.max_error_rate == 0) return absl::OkStatus();
  const io::NodeIo* nio = io::NodeIo::Of(node);
  if (nio == nullptr) return absl::OkStatus();
  const uint32_t errors = nio->data_pool()->errors_in_window();
  if (errors < config_.max_error_rate) return absl::OkStatus();
  return absl::AbortedError(absl::StrCat("node ", node.name(), " had ", errors,
                                         " errors in the current window (max_error_rate ",
                                         config_.max_error_rate, "); it is skipped until the ",
                                         "window ends"));
}

void Engine::RollErrorWindow() {
  if (config_.max_error_rate == 0) return;
  const int64_t now = loop_->NowMs();
  const int64_t window_ms =
      static_cast<int64_t>(config_.error_rate_window) * config_.tend_interval_ms;
  if (now - error_window_start_ms_ < window_ms) return;
  error_window_start_ms_ = now;
  for (const auto& node : cluster_->nodes()) {
    if (io::NodeIo* nio = io::NodeIo::Of(*node)) nio->data_pool()->ResetErrorWindow();
  }
}

void Engine::OnLoopIteration() {
  finished_.clear();
  if (cluster_ == nullptr) return;
  if (transport_) transport_->Sweep();
}

void Engine::OnStop() {
  stopping_ = true;
  tend_timer_.Cancel();
  if (coalesce_deadline_ns_ != 0) FlushCoalesceWindow();
  std::vector<std::unique_ptr<Command>> pending;
  {
    absl::MutexLock lock(&submit_mu_);
    pending.swap(submitted_);
  }
  const Status cancelled = absl::CancelledError("the client was closed");
  for (auto& command : pending) {
    command->status = cancelled;
    command->timings.completed = io::SteadyNowNs();
    Deliver(std::move(command));
  }
  // Abort() completes (and unlinks) each one; the checks only guard
  // against a subclass that forgot to.
  while (Execution* e = queued_head_) {
    e->Abort(cancelled);
    if (queued_head_ == e) ListRemove(&queued_head_, &queued_tail_, e);
  }
  while (Execution* e = live_head_) {
    e->Abort(cancelled);
    if (live_head_ == e) ListRemove(&live_head_, &live_tail_, e);
  }
  for (auto& command : early_) {
    command->status = cancelled;
    command->timings.completed = io::SteadyNowNs();
    Deliver(std::move(command));
  }
  early_.clear();
  if (offload_) offload_->CancelAll();
  if (transport_) transport_->Shutdown();
  if (cluster_) cluster_->Shutdown();
  PublishNodes();
}

void Engine::OnNodeAdded(cluster::Node& node) {
  StatusOr<io::SocketAddress> address = io::NumericAddress(node.address().host, node.address().port);
  if (!address.ok()) {
    Log(cluster::LogLevel::kError, absl::StrCat("node ", node.name(), ": ", address.status().message()));
    return;
  }
  io::NodePoolOptions options;
  options.max_conns = config_.max_conns_per_node;
  options.min_conns = config_.min_conns_per_node;
  options.idle_timeout_ms = config_.idle_timeout_ms;
  options.connect_timeout_ms = config_.connect_timeout_ms;
  options.security = node_security_;
  options.tls_name = node.address().tls_name;
  if (!node.login_address().host.empty() && authenticator() != nullptr) {
    // Logged in over TLS at its TLS endpoint; its clear connections use
    // that session.
    authenticator()->ShareSession(io::FormatEndpoint(node.login_address()),
                                  io::FormatEndpoint(node.address()));
  }
  node.set_extension(std::make_unique<io::NodeIo>(loop_.get(), *address, options));
  PublishNodes();
}

void Engine::OnNodeRemoved(cluster::Node& node) {
  if (io::NodeIo* nio = io::NodeIo::Of(node)) {
    nio->Close(absl::UnavailableError(absl::StrCat("node ", node.name(), " left the cluster")));
  }
  PublishNodes();
}

void Engine::OnPartitionsChanged() {
  Log(cluster::LogLevel::kInfo,
      absl::StrCat("partition map updated: ", cluster_->nodes().size(), " nodes"));
}

void Engine::OnTendComplete() {
  PublishNodes();
  RollErrorWindow();
  if (connect_waiters_.empty()) return;
  std::vector<Execution*> waiters = connect_waiters_;
  if (cluster_->usable()) {
    for (Execution* e : waiters) static_cast<ConnectExecution*>(e)->Succeed();
  } else if (cluster_->nodes().empty()) {
    const Status why = ConnectFailure("cannot connect to the cluster");
    for (Execution* e : waiters) static_cast<ConnectExecution*>(e)->Fail(why);
  }
}

void Engine::OnLog(cluster::LogLevel level, std::string message) { Log(level, std::move(message)); }

void Engine::ListPush(Execution** head, Execution** tail, Execution* e) {
  e->next_ = nullptr;
  e->prev_ = *tail;
  if (*tail) (*tail)->next_ = e; else *head = e;
  *tail = e;
}

void Engine::ListRemove(Execution** head, Execution** tail, Execution* e) {
  if (e->prev_) e->prev_->next_ = e->next_; else *head = e->next_;
  if (e->next_) e->next_->prev_ = e->prev_; else *tail = e->prev_;
  e->prev_ = e->next_ = nullptr;
}

}  // namespace aerospike_py::client
