// ServerImpl: the event thread of the embedded server and the control
// channel into it. Control calls from other threads are closures pushed on
// a mutex-guarded queue and run by the loop after a uv_async_send (the only
// thread-safe libuv call); the caller waits for its closure to finish.
#include "server/server.h"

#include <uv.h>

#include <cinttypes>
#include <condition_variable>
#include <cstdio>
#include <functional>
#include <mutex>
#include <thread>

#include "absl/strings/str_cat.h"
#include "server/connection.h"
#include "server/processor.h"

namespace aerospike_py::server {

class ServerImpl {
 public:
  explicit ServerImpl(ServerOptions options) : options_(std::move(options)) {}
  ~ServerImpl() { Stop(); }

  Status Start();
  void Stop();

  // Runs `fn` on the event thread and waits for it. Returns false (without
  // running it) when the loop is not running.
  bool RunOnLoop(const std::function<void()>& fn);

  const ServerOptions& options() const { return options_; }
  std::vector<uint16_t> ports() const { return ports_; }
  std::vector<uint16_t> tls_ports() const { return tls_ports_; }
  ServerState* state() { return state_.get(); }
  Processor* processor() { return processor_.get(); }
  NodeListener& listener(int i) { return *listeners_[i]; }
  bool stopped_cleanly() const { return stopped_cleanly_; }

 private:
  static void OnAsync(uv_async_t* a);
  static void OnSweep(uv_timer_t* t);
  static void OnSindexBuild(uv_timer_t* t);
  void DrainQueue();
  void BeginShutdown();

  ServerOptions options_;
  std::vector<uint16_t> ports_;
  std::vector<uint16_t> tls_ports_;
  uv_loop_t loop_;
  uv_async_t async_;
  uv_timer_t sweep_;
  uv_timer_t sindex_build_;  // builds new secondary indexes a slice at a time
  bool loop_ready_ = false;
  bool stopped_cleanly_ = false;
  std::thread thread_;
  std::unique_ptr<ServerState> state_;
  std::unique_ptr<Processor> processor_;
  std::vector<std::unique_ptr<NodeListener>> listeners_;

  std::mutex mu_;
  std::vector<std::function<void()>*> queue_;  // guarded by mu_
  bool running_ = false;                      // guarded by mu_
};

namespace {

std::string DefaultNodeId(uint16_t port, int index) {
  // Uppercase hex without leading zeros, like the server's `node` answer.
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%" PRIX64,
                (uint64_t{0xBB9} << 40) | (uint64_t{port} << 8) | static_cast<uint64_t>(index + 1));
  return buf;
}

}  // namespace

Status ServerImpl::Start() {
  const ServerOptions& o = options_;
  if (o.nodes < 1 || o.nodes > 64) return absl::InvalidArgumentError("nodes must be 1..64");
  if (o.namespaces.empty()) return absl::InvalidArgumentError("at least one namespace");
  // AS_NAMESPACE_SZ: a server runs at most 32 namespaces.
  if (o.namespaces.size() > 32) return absl::InvalidArgumentError("at most 32 namespaces");
  for (const std::string& ns : o.namespaces) {
    if (ns.empty() || ns.size() > proto::kMaxNamespaceLen) {
      return absl::InvalidArgumentError(absl::StrCat("bad namespace name '", ns, "'"));
    }
  }
  if (o.replication_factor < 1) return absl::InvalidArgumentError("replication_factor >= 1");
  if (o.port != 0 && static_cast<int>(o.port) + o.nodes - 1 > 65535) {
    return absl::InvalidArgumentError("port range exceeds 65535");
  }
  if (o.tls_port != 0 && static_cast<int>(o.tls_port) + o.nodes - 1 > 65535) {
    return absl::InvalidArgumentError("tls_port range exceeds 65535");
  }
  // Both are built before the loop exists: loading certificates and
  // hashing the seed users' passwords are slow and may fail.
  std::shared_ptr<tls::TlsContext> tls_context;
  if (o.tls.enable) {
    ASPY_ASSIGN_OR_RETURN(tls_context, tls::TlsContext::Create(o.tls, tls::Role::kServer));
  }
  std::unique_ptr<security::Security> security;
  if (o.security.enable) {
    ASPY_ASSIGN_OR_RETURN(security, security::Security::Create(o.security));
  }

  if (uv_loop_init(&loop_) != 0) return absl::InternalError("uv_loop_init failed");
  loop_ready_ = true;
  uv_async_init(&loop_, &async_, OnAsync);
  async_.data = this;
  uv_timer_init(&loop_, &sweep_);
  sweep_.data = this;
  uv_timer_init(&loop_, &sindex_build_);
  sindex_build_.data = this;

  // Node ids derive from the ports, known only once bound: the cluster
  // starts with blank identities that are filled in below.
  std::vector<std::string> ids(o.nodes);
  std::vector<uint16_t> ports(o.nodes, 0);
  state_ = std::make_unique<ServerState>(o, ids, ports);
  state_->tls = std::move(tls_context);
  state_->security = std::move(security);
  processor_ = std::make_unique<Processor>(state_.get());
  Status status;
  std::vector<uint16_t> tls_ports(o.tls.enable ? o.nodes : 0, 0);
  for (int i = 0; i < o.nodes; ++i) {
    listeners_.push_back(std::make_unique<NodeListener>(i, &loop_, processor_.get(), state_.get()));
    status = listeners_.back()->Listen(
        o.host, o.port == 0 ? 0 : static_cast<uint16_t>(o.port + i),
        o.tls_port == 0 ? 0 : static_cast<uint16_t>(o.tls_port + i));
    if (!status.ok()) break;
    ports[i] = listeners_.back()->port();
    if (o.tls.enable) tls_ports[i] = listeners_.back()->tls_port();
  }
  if (status.ok()) {
    for (int i = 0; i < o.nodes; ++i) {
      ids[i] = (i < static_cast<int>(o.node_ids.size()) && !o.node_ids[i].empty())
                   ? o.node_ids[i]
                   : DefaultNodeId(ports[i], i);
    }
    for (int i = 0; i < o.nodes; ++i) {
      state_->cluster.node(i).id = ids[i];
      state_->cluster.node(i).port = ports[i];
      if (o.tls.enable) state_->cluster.node(i).tls_port = tls_ports[i];
    }
    state_->stats.start_ns = NowUnixNanos();
    ports_ = ports;
    tls_ports_ = tls_ports;
  }
  if (!status.ok()) {
    for (auto& l : listeners_) l->Close();
    uv_close(reinterpret_cast<uv_handle_t*>(&async_), nullptr);
    uv_close(reinterpret_cast<uv_handle_t*>(&sweep_), nullptr);
    uv_close(reinterpret_cast<uv_handle_t*>(&sindex_build_), nullptr);
    uv_run(&loop_, UV_RUN_DEFAULT);
    uv_loop_close(&loop_);
    loop_ready_ = false;
    listeners_.clear();
    return status;
  }
  if (o.sweep_interval_ms > 0) {
    uv_timer_start(&sweep_, OnSweep, o.sweep_interval_ms, o.sweep_interval_ms);
  }
  // Index builds: a slice every 2 ms while one is pending.
  state_->sindexes.set_build_hook([this] {
    if (!uv_is_active(reinterpret_cast<uv_handle_t*>(&sindex_build_))) {
      uv_timer_start(&sindex_build_, OnSindexBuild, 2, 2);
    }
  });
  {
    std::lock_guard<std::mutex> lock(mu_);
    running_ = true;
  }
  thread_ = std::thread([this] {
    uv_run(&loop_, UV_RUN_DEFAULT);
  });
  return absl::OkStatus();
}

void ServerImpl::OnSweep(uv_timer_t* t) {
  auto* self = static_cast<ServerImpl*>(t->data);
  const uint32_t now = ServerEpochSeconds(NowUnixNanos());
  // A quarter of the partitions per tick: every record is looked at within
  // four intervals, and no tick stalls the loop on a big store.
  for (auto& ns : self->state_->store.namespaces()) ns->SweepSome(now, proto::kPartitions / 4);
}

void ServerImpl::OnSindexBuild(uv_timer_t* t) {
  auto* self = static_cast<ServerImpl*>(t->data);
  if (!self->state_->sindexes.BuildSome(20000)) uv_timer_stop(t);
}

void ServerImpl::OnAsync(uv_async_t* a) { static_cast<ServerImpl*>(a->data)->DrainQueue(); }

void ServerImpl::DrainQueue() {
  std::vector<std::function<void()>*> work;
  {
    std::lock_guard<std::mutex> lock(mu_);
    work.swap(queue_);
  }
  for (auto* fn : work) (*fn)();
}

bool ServerImpl::RunOnLoop(const std::function<void()>& fn) {
  std::mutex done_mu;
  std::condition_variable done_cv;
  bool done = false;
  std::function<void()> wrapped = [&] {
    fn();
    std::lock_guard<std::mutex> lock(done_mu);
    done = true;
    done_cv.notify_one();
  };
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!running_) return false;
    queue_.push_back(&wrapped);
  }
  uv_async_send(&async_);
  std::unique_lock<std::mutex> lock(done_mu);
  done_cv.wait(lock, [&] { return done; });
  return true;
}

void ServerImpl::BeginShutdown() {
  for (auto& l : listeners_) l->Close();
  uv_timer_stop(&sweep_);
  uv_close(reinterpret_cast<uv_handle_t*>(&sweep_), nullptr);
  uv_timer_stop(&sindex_build_);
  uv_close(reinterpret_cast<uv_handle_t*>(&sindex_build_), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&async_), nullptr);
}

void ServerImpl::Stop() {
  if (!loop_ready_) return;
  bool was_running;
  {
    std::lock_guard<std::mutex> lock(mu_);
    was_running = running_;
  }
  if (was_running) {
    // The last closure run on the loop: close everything, then refuse
    // further control calls.
    RunOnLoop([this] {
      BeginShutdown();
      std::lock_guard<std::mutex> lock(mu_);
      running_ = false;
    });
  }
  if (thread_.joinable()) thread_.join();
  bool drained = true;
  for (auto& l : listeners_) drained = drained && l->drained();
  stopped_cleanly_ = uv_loop_close(&loop_) == 0 && drained;
  loop_ready_ = false;
  listeners_.clear();
}

// ----------------------------------------------------------------------------
// Server facade

Server::Server(std::unique_ptr<ServerImpl> impl) : impl_(std::move(impl)) {}
Server::~Server() { Stop(); }

StatusOr<std::unique_ptr<Server>> Server::Start(ServerOptions options) {
  auto impl = std::make_unique<ServerImpl>(std::move(options));
  ASPY_RETURN_IF_ERROR(impl->Start());
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

void Server::Stop() {
  if (impl_) impl_->Stop();
}

bool Server::stopped_cleanly() const { return impl_->stopped_cleanly(); }

const ServerOptions& Server::options() const { return impl_->options(); }
const std::string& Server::host() const { return impl_->options().host; }
std::vector<uint16_t> Server::ports() const { return impl_->ports(); }
std::vector<uint16_t> Server::tls_ports() const { return impl_->tls_ports(); }
int Server::nodes() const { return impl_->options().nodes; }

std::string Server::NodeId(int node) const {
  if (node < 0 || node >= nodes()) return std::string();
  return impl_->state()->cluster.node(node).id;
}

static Status CheckNode(int node, int n) {
  if (node < 0 || node >= n) {
    return absl::InvalidArgumentError(absl::StrCat("no node ", node, " (nodes: ", n, ")"));
  }
  return absl::OkStatus();
}

Status Server::StopNode(int node) {
  ASPY_RETURN_IF_ERROR(CheckNode(node, nodes()));
  Status result;
  const bool ran = impl_->RunOnLoop([&] {
    NodeListener& l = impl_->listener(node);
    if (!l.listening()) {
      result = absl::FailedPreconditionError(absl::StrCat("node ", node, " is not running"));
      return;
    }
    l.Close();
    impl_->state()->cluster.SetRunning(node, false);
  });
  if (!ran) return absl::FailedPreconditionError("server stopped");
  return result;
}

Status Server::StartNode(int node) {
  ASPY_RETURN_IF_ERROR(CheckNode(node, nodes()));
  Status result;
  const bool ran = impl_->RunOnLoop([&] {
    NodeListener& l = impl_->listener(node);
    if (l.listening()) {
      result = absl::FailedPreconditionError(absl::StrCat("node ", node, " is running"));
      return;
    }
    const std::vector<uint16_t> tls_ports = impl_->tls_ports();
    result = l.Listen(impl_->options().host, impl_->ports()[node],
                      tls_ports.empty() ? 0 : tls_ports[node]);
    if (result.ok()) impl_->state()->cluster.SetRunning(node, true);
  });
  if (!ran) return absl::FailedPreconditionError("server stopped");
  return result;
}

bool Server::NodeRunning(int node) const {
  if (node < 0 || node >= nodes()) return false;
  bool running = false;
  impl_->RunOnLoop([&] { running = impl_->state()->cluster.node(node).running; });
  return running;
}

void Server::Reshuffle() {
  impl_->RunOnLoop([&] { impl_->state()->cluster.Reshuffle(); });
}

uint64_t Server::Misrouted(int node) const {
  if (node < 0 || node >= nodes()) return 0;
  return impl_->state()->cluster.node(node).misrouted.load(std::memory_order_relaxed);
}

uint64_t Server::MisroutedTotal() const {
  uint64_t total = 0;
  for (int i = 0; i < nodes(); ++i) total += Misrouted(i);
  return total;
}

void Server::ResetMisrouted() {
  for (int i = 0; i < nodes(); ++i) {
    impl_->state()->cluster.node(i).misrouted.store(0, std::memory_order_relaxed);
  }
}

Status Server::SetFault(int node, const Fault& fault) {
  if (node != -1) ASPY_RETURN_IF_ERROR(CheckNode(node, nodes()));
  impl_->RunOnLoop([&] {
    for (int i = 0; i < nodes(); ++i) {
      if (node == -1 || node == i) impl_->listener(i).SetFault(fault);
    }
  });
  return absl::OkStatus();
}

void Server::ClearFaults() { SetFault(-1, Fault{}).IgnoreError(); }

StatusOr<std::string> Server::Info(int node, std::string_view command) {
  ASPY_RETURN_IF_ERROR(CheckNode(node, nodes()));
  std::string value;
  const std::string cmd(command);
  if (!impl_->RunOnLoop([&] { value = impl_->processor()->InfoValue(node, cmd); })) {
    return absl::FailedPreconditionError("server stopped");
  }
  return value;
}

uint64_t Server::RecordCount(std::string_view ns) {
  uint64_t n = 0;
  const std::string name(ns);
  impl_->RunOnLoop([&] {
    Namespace* found = impl_->state()->store.Find(name);
    if (found == nullptr) return;
    // Expired records still in the map are not counted.
    const uint32_t now = ServerEpochSeconds(NowUnixNanos());
    for (uint32_t pid = 0; pid < proto::kPartitions; ++pid) {
      for (const auto& [d, r] : found->partition(pid)) n += r.expired(now) ? 0 : 1;
    }
  });
  return n;
}

void Server::Clear() {
  impl_->RunOnLoop([&] { impl_->state()->store.Clear(); });
}

}  // namespace aerospike_py::server
