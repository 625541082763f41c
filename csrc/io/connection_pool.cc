#include "io/connection_pool.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "proto/constants.h"
#include "proto/message_view.h"

namespace aerospike_py::io {

// The user of a recovering connection: it reads the rest of an answer
// nobody waits for. Owned by the pool's `recovering_` list; every path out
// (answer complete, connection error, delay expired, pool closed) ends
// with EndRecovery(), which destroys it, as the last thing it does.
class ConnectionPool::Recovery final : public ConnectionUser {
 public:
  Recovery(ConnectionPool* pool, Connection* c, bool multi_record)
      : pool_(pool), c_(c), multi_record_(multi_record) {}
  ~Recovery() override = default;

  void Start(uint32_t delay_ms) {
    c_->Attach(this);
    timer_.Start(&pool_->loop_->timers(), pool_->loop_->NowMs() + delay_ms,
                 &Timer::Thunk<Recovery, &Recovery::OnExpired>, this);
  }

  // The pool closes (or is destroyed): close without calling back.
  void Abandon(const Status& why, bool forget_owner) {
    timer_.Cancel();
    Connection* c = c_;
    c_ = nullptr;
    if (c == nullptr) return;
    c->Detach();
    if (forget_owner) c->set_owner(nullptr);
    c->Close(why);
  }

 private:
  StatusOr<bool> OnFrame(proto::Frame frame) override {
    if (!multi_record_) return true;  // a single-record answer is one frame
    if (frame.type != static_cast<uint8_t>(proto::ProtoType::kMessage)) {
      return absl::DataLossError("unexpected frame while recovering a connection");
    }
    proto::MessageIterator it(frame.body());
    while (!it.AtEnd()) {
      StatusOr<proto::MessageView> m = it.Next();
      if (!m.ok()) return m.status();
      if (m->is_last()) {
        if (!it.AtEnd()) return absl::DataLossError("bytes after the end of a late answer");
        return true;
      }
    }
    return false;
  }

  void OnAnswerComplete(Connection* c, bool reusable) override {
    timer_.Cancel();
    c_ = nullptr;
    ConnectionPool* pool = pool_;
    pool->EndRecovery(this);  // destroys this
    if (reusable) pool->Give(c);
  }

  void OnConnectionError(const Status&) override {
    timer_.Cancel();
    c_ = nullptr;
    pool_->EndRecovery(this);  // destroys this
  }

  void OnExpired() {
    Connection* c = c_;
    c_ = nullptr;
    c->Detach();
    ConnectionPool* pool = pool_;
    pool->EndRecovery(this);  // destroys this
    c->Close(absl::DeadlineExceededError("timeout_delay passed before the late answer ended"));
  }

  ConnectionPool* pool_;
  Connection* c_;
  bool multi_record_;
  Timer timer_;
};

ConnectionPool::ConnectionPool(EventLoop* loop, SocketAddress address, PoolOptions options)
    : loop_(loop),
      address_(address),
      peer_(FormatEndpoint(EndpointOf(address))),
      options_(options) {
  if (options_.max_conns == 0) options_.max_conns = 1;
}

ConnectionPool::~ConnectionPool() {
  // Normally Close() ran and every connection reported closing. Anything
  // left (a bug in the owner) is closed without calling back into us.
  std::vector<std::unique_ptr<Recovery>> recovering;
  recovering.swap(recovering_);
  for (auto& r : recovering) r->Abandon(absl::CancelledError("pool destroyed"), true);
  for (Connection* c : idle_) {
    c->set_owner(nullptr);
    c->Close(absl::CancelledError("pool destroyed"));
  }
  for (auto& [c, w] : connecting_) {
    c->set_owner(nullptr);
    c->Close(absl::CancelledError("pool destroyed"));
  }
}

void ConnectionPool::PushWaiter(PoolWaiter* w) {
  w->waiting_in_ = this;
  w->next_ = nullptr;
  w->prev_ = tail_;
  if (tail_) tail_->next_ = w; else head_ = w;
  tail_ = w;
  ++waiters_;
}

PoolWaiter* ConnectionPool::PopWaiter() {
  PoolWaiter* w = head_;
  if (w == nullptr) return nullptr;
  head_ = w->next_;
  if (head_) head_->prev_ = nullptr; else tail_ = nullptr;
  w->next_ = w->prev_ = nullptr;
  w->waiting_in_ = nullptr;
  --waiters_;
  return w;
}

void ConnectionPool::Acquire(PoolWaiter* w) {
  if (closed_) {
    w->OnPoolError(closed_why_);
    return;
  }
  while (!idle_.empty()) {
    Connection* c = idle_.back();
    idle_.pop_back();
    if (c->ready()) {
      w->OnPoolConnection(c);
      return;
    }
  }
  if (open_ < options_.max_conns) {
    OpenFor(w);
    return;
  }
  PushWaiter(w);
}

void ConnectionPool::OpenFor(PoolWaiter* w) {
  ConnectOptions connect;
  connect.connect_timeout_ms = options_.connect_timeout_ms;
  connect.security = options_.security;
  connect.tls_name = options_.tls_name;
  StatusOr<Connection*> c = Connection::Open(loop_, address_, connect, this);
  if (!c.ok()) {
    if (w) w->OnPoolError(c.status());
    return;
  }
  ++open_;
  connecting_[*c] = w;
  if (w) w->connecting_ = *c;
}

void ConnectionPool::CancelWait(PoolWaiter* w) {
  if (w->waiting_in_ == this) {
    if (w->prev_) w->prev_->next_ = w->next_; else head_ = w->next_;
    if (w->next_) w->next_->prev_ = w->prev_; else tail_ = w->prev_;
    w->next_ = w->prev_ = nullptr;
    w->waiting_in_ = nullptr;
    --waiters_;
  }
  if (w->connecting_ != nullptr) {
    // The connection still comes up and serves someone else.
    auto it = connecting_.find(w->connecting_);
    if (it != connecting_.end()) it->second = nullptr;
    w->connecting_ = nullptr;
  }
}

void ConnectionPool::Give(Connection* c) {
  c->set_last_used_ms(loop_->NowMs());
  if (closed_) {
    c->Close(closed_why_);
    return;
  }
  if (PoolWaiter* w = PopWaiter()) {
    w->OnPoolConnection(c);
    return;
  }
  idle_.push_back(c);
}

void ConnectionPool::Release(Connection* c) { Give(c); }

void ConnectionPool::Recover(Connection* c, uint32_t delay_ms, bool multi_record) {
  if (closed_ || delay_ms == 0 || !c->ready() || c->has_user() || c->write_pending()) {
    c->Close(absl::DeadlineExceededError("timed out mid-answer"));
    return;
  }
  recovering_.push_back(std::make_unique<Recovery>(this, c, multi_record));
  recovering_.back()->Start(delay_ms);
}

void ConnectionPool::EndRecovery(Recovery* r) {
  auto it = std::find_if(recovering_.begin(), recovering_.end(),
                         [r](const std::unique_ptr<Recovery>& p) { return p.get() == r; });
  if (it == recovering_.end()) return;
  std::unique_ptr<Recovery> done = std::move(*it);
  recovering_.erase(it);
}

void ConnectionPool::OnConnected(Connection* c) {
  PoolWaiter* w = nullptr;
  auto it = connecting_.find(c);
  if (it != connecting_.end()) {
    w = it->second;
    connecting_.erase(it);
  }
  if (w != nullptr) {
    w->connecting_ = nullptr;
    if (!closed_) {
      w->OnPoolConnection(c);
      return;
    }
  }
  Give(c);
}

void ConnectionPool::OnConnectionClosed(Connection* c, const Status& why, bool) {
  --open_;
  PoolWaiter* w = nullptr;
  auto it = connecting_.find(c);
  if (it != connecting_.end()) {
    w = it->second;
    connecting_.erase(it);
  } else {
    auto idle = std::find(idle_.begin(), idle_.end(), c);
    if (idle != idle_.end()) idle_.erase(idle);
  }
  if (w != nullptr) {
    w->connecting_ = nullptr;
    w->OnPoolError(why);
  }
  // A slot freed up: serve the longest waiter with a new connection.
  if (!closed_ && head_ != nullptr && open_ < options_.max_conns) OpenFor(PopWaiter());
}

void ConnectionPool::Prewarm() {
  while (!closed_ && open_ < options_.min_conns) {
    const uint32_t before = open_;
    OpenFor(nullptr);
    if (open_ == before) break;  // could not even start
  }
}

void ConnectionPool::ReapIdle(int64_t now_ms) {
  if (options_.idle_timeout_ms != 0) {
    // idle_ is ordered by last use: the front is the coldest.
    size_t reap = 0;
    while (reap < idle_.size() && open_ - reap > options_.min_conns &&
           now_ms - idle_[reap]->last_used_ms() > options_.idle_timeout_ms) {
      ++reap;
    }
    if (reap > 0) {
      std::vector<Connection*> cold(idle_.begin(), idle_.begin() + static_cast<ptrdiff_t>(reap));
      idle_.erase(idle_.begin(), idle_.begin() + static_cast<ptrdiff_t>(reap));
      for (Connection* c : cold) c->Close(absl::CancelledError("idle connection reaped"));
    }
  }
  Prewarm();
}

void ConnectionPool::Close(const Status& why) {
  if (closed_) return;
  closed_ = true;
  closed_why_ = why;
  while (PoolWaiter* w = PopWaiter()) w->OnPoolError(why);
  std::vector<Connection*> idle;
  idle.swap(idle_);
  for (Connection* c : idle) c->Close(why);
  std::vector<Connection*> connecting;
  for (auto& [c, w] : connecting_) connecting.push_back(c);
  for (Connection* c : connecting) c->Close(why);
  std::vector<std::unique_ptr<Recovery>> recovering;
  recovering.swap(recovering_);
  for (auto& r : recovering) r->Abandon(why, false);
}

}  // namespace aerospike_py::io
