#include "io/connection_pool.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace aerospike_py::io {

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
  StatusOr<Connection*> c = Connection::Open(loop_, address_, options_.connect_timeout_ms, this);
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
}

}  // namespace aerospike_py::io
