#include "io/cluster_transport.h"

#include <netdb.h>
#include <uv.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "io/address.h"
#include "io/event_loop.h"
#include "io/node_io.h"
#include "proto/message_writer.h"

namespace aerospike_py::io {

// One info request/answer.
class ClusterTransport::Exchange : public AttemptListener {
 public:
  Exchange(ClusterTransport* owner, std::string request, InfoCallback done)
      : owner_(owner), request_(proto::EncodeInfoRequest(request)), done_(std::move(done)) {}

  ByteSpan request() const { return request_.span(); }
  Attempt& attempt() { return attempt_; }

  StatusOr<bool> OnAttemptFrame(proto::Frame frame) override {
    if (frame.type != static_cast<uint8_t>(proto::ProtoType::kInfo)) {
      return absl::DataLossError(absl::StrCat("expected an info answer, got proto type ",
                                              frame.type));
    }
    body_ = std::string(AsChars(frame.body()));
    return true;
  }

  void OnAttemptDone(const Status& status) override {
    InfoCallback done = std::move(done_);
    StatusOr<std::string> result =
        status.ok() ? StatusOr<std::string>(std::move(body_)) : StatusOr<std::string>(status);
    owner_->Finished(this);  // deferred free
    done(std::move(result));
  }

 private:
  ClusterTransport* owner_;
  ByteBuffer request_;
  InfoCallback done_;
  std::string body_;
  Attempt attempt_{this};
};

struct ClusterTransport::ResolveRequest {
  uv_getaddrinfo_t req;
  ClusterTransport* owner;
  uint16_t port;
  ResolveCallback done;
};

ClusterTransport::ClusterTransport(EventLoop* loop, uint32_t connect_timeout_ms,
                                   uint32_t info_timeout_ms,
                                   std::shared_ptr<const ConnectionSecurity> security)
    : loop_(loop),
      connect_timeout_ms_(connect_timeout_ms),
      info_timeout_ms_(info_timeout_ms),
      security_(std::move(security)) {}

ClusterTransport::~ClusterTransport() { Shutdown(); }

void ClusterTransport::Shutdown() {
  shut_down_ = true;
  for (auto& e : live_) e->attempt().Abort();
  live_.clear();
  done_.clear();
  for (ResolveRequest* r : resolving_) {
    r->owner = nullptr;
    uv_cancel(reinterpret_cast<uv_req_t*>(&r->req));
  }
  resolving_.clear();
}

void ClusterTransport::Sweep() { done_.clear(); }

void ClusterTransport::Finished(Exchange* e) {
  auto it = std::find_if(live_.begin(), live_.end(),
                         [e](const std::unique_ptr<Exchange>& p) { return p.get() == e; });
  if (it == live_.end()) return;
  done_.push_back(std::move(*it));
  live_.erase(it);
}

void ClusterTransport::Resolve(const proto::Endpoint& host, ResolveCallback done) {
  if (shut_down_) return;
  if (IsNumericHost(host.host)) {
    done(std::vector<proto::Endpoint>{host});
    return;
  }
  auto* r = new ResolveRequest;
  r->owner = this;
  r->port = host.port;
  r->done = std::move(done);
  r->req.data = r;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  int rc = uv_getaddrinfo(
      loop_->uv(), &r->req,
      [](uv_getaddrinfo_t* req, int status, addrinfo* res) {
        auto* r = static_cast<ResolveRequest*>(req->data);
        ClusterTransport* owner = r->owner;
        StatusOr<std::vector<proto::Endpoint>> out;
        if (status < 0) {
          out = absl::UnavailableError(absl::StrCat("resolve: ", uv_strerror(status)));
        } else {
          std::vector<proto::Endpoint> eps;
          for (addrinfo* ai = res; ai != nullptr; ai = ai->ai_next) {
            if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6) continue;
            SocketAddress sa;
            std::memcpy(&sa.storage, ai->ai_addr, ai->ai_addrlen);
            proto::Endpoint ep = EndpointOf(sa);
            ep.port = r->port;
            if (std::find_if(eps.begin(), eps.end(), [&](const proto::Endpoint& e) {
                  return e.host == ep.host;
                }) == eps.end()) {
              eps.push_back(ep);
            }
          }
          if (eps.empty()) {
            out = absl::UnavailableError("resolve: no address");
          } else {
            out = std::move(eps);
          }
        }
        uv_freeaddrinfo(res);
        ResolveCallback done = std::move(r->done);
        if (owner != nullptr) {
          auto& v = owner->resolving_;
          v.erase(std::remove(v.begin(), v.end(), r), v.end());
        }
        delete r;
        if (owner != nullptr) done(std::move(out));
      },
      host.host.c_str(), nullptr, &hints);
  if (rc != 0) {
    ResolveCallback cb = std::move(r->done);
    delete r;
    cb(absl::UnavailableError(absl::StrCat("resolve ", host.host, ": ", uv_strerror(rc))));
    return;
  }
  resolving_.push_back(r);
}

void ClusterTransport::InfoToAddress(const proto::Endpoint& address, std::string request,
                                     InfoCallback done) {
  if (shut_down_) return;
  StatusOr<SocketAddress> sa = NumericAddress(address.host, address.port);
  if (!sa.ok()) {
    done(sa.status());
    return;
  }
  live_.push_back(std::make_unique<Exchange>(this, std::move(request), std::move(done)));
  Exchange* e = live_.back().get();
  ByteSpan part = e->request();
  ConnectOptions connect;
  connect.connect_timeout_ms = connect_timeout_ms_;
  connect.security = security_;
  connect.tls_name = address.tls_name;
  // The deadline covers connect, TLS handshake and login as well.
  const uint32_t login_ms = security_ && security_->auth ? security_->login_timeout_ms : 0;
  e->attempt().StartFresh(loop_, *sa, connect, absl::MakeConstSpan(&part, 1),
                          loop_->NowMs() + info_timeout_ms_ + login_ms);
}

void ClusterTransport::InfoToNode(cluster::Node& node, std::string request, InfoCallback done) {
  if (shut_down_) return;
  NodeIo* io = NodeIo::Of(node);
  if (io == nullptr) {
    done(absl::UnavailableError(absl::StrCat("node ", node.name(), " has no connections")));
    return;
  }
  live_.push_back(std::make_unique<Exchange>(this, std::move(request), std::move(done)));
  Exchange* e = live_.back().get();
  ByteSpan part = e->request();
  e->attempt().Start(loop_, io->tend_pool(), absl::MakeConstSpan(&part, 1),
                     loop_->NowMs() + info_timeout_ms_);
}

}  // namespace aerospike_py::io
