#include "client/info_execution.h"

#include <random>

#include "absl/strings/str_cat.h"
#include "client/engine.h"
#include "io/event_loop.h"
#include "io/node_io.h"
#include "proto/message_writer.h"
#include "proto/reply_check.h"

namespace aerospike_py::client {

struct InfoExecution::Request : public io::AttemptListener {
  Request(InfoExecution* owner, size_t index) : owner(owner), index(index) {}
  StatusOr<bool> OnAttemptFrame(proto::Frame frame) override {
    if (frame.type != static_cast<uint8_t>(proto::ProtoType::kInfo)) {
      return absl::DataLossError(
          absl::StrCat("expected an info answer, got proto type ", frame.type));
    }
    body = std::string(AsChars(frame.body()));
    // The answer must echo this request's lines (see CheckInfoAnswer).
    Status fits = proto::CheckInfoAnswer(
        AsChars(owner->request_.span().subspan(proto::kProtoHeaderSize)), body);
    if (!fits.ok()) {
      return absl::DataLossError(absl::StrCat("info answer does not fit its request: ",
                                              fits.message()));
    }
    return true;
  }
  void OnAttemptDone(const Status& status) override { owner->RequestDone(this, status); }

  InfoExecution* owner;
  size_t index;
  cluster::NodeRef node;
  std::string body;
  bool done = false;
  io::Attempt attempt{this};
};

InfoExecution::InfoExecution(Engine* engine, std::unique_ptr<Command> command)
    : Execution(engine, std::move(command)), cmd_(static_cast<InfoCommand*>(this->command())) {}

InfoExecution::~InfoExecution() = default;

void InfoExecution::Start() {
  request_ = proto::EncodeInfoRequest(cmd_->request);
  cmd_->answers.clear();
  const auto& nodes = engine_->cluster().nodes();
  switch (cmd_->target) {
    case InfoCommand::Target::kRandomNode: {
      if (nodes.empty()) {
        Finish(absl::UnavailableError("the client is not connected to any node"));
        return;
      }
      static thread_local std::minstd_rand rng(std::random_device{}());
      cmd_->answers.resize(1);
      pending_ = 1;
      StartOn(0, nodes[rng() % nodes.size()]);
      return;
    }
    case InfoCommand::Target::kNamedNode: {
      cluster::NodeRef node = engine_->cluster().FindNode(cmd_->node_name);
      if (node == nullptr) {
        cmd_->result = ResultCode::kInvalidNode;
        Finish(absl::InvalidArgumentError(
            absl::StrCat("Invalid node: ", cmd_->node_name, " is not in the cluster")));
        return;
      }
      cmd_->answers.resize(1);
      pending_ = 1;
      StartOn(0, node);
      return;
    }
    case InfoCommand::Target::kAllNodes: {
      if (nodes.empty()) {
        Finish(absl::UnavailableError("the client is not connected to any node"));
        return;
      }
      std::vector<cluster::NodeRef> targets = nodes;  // StartOn may finish us
      cmd_->answers.resize(targets.size());
      pending_ = targets.size() + 1;  // held until every request is issued
      for (size_t i = 0; i < targets.size(); ++i) StartOn(i, targets[i]);
      if (--pending_ == 0) Finish(absl::OkStatus());
      return;
    }
    case InfoCommand::Target::kHost: {
      cmd_->answers.resize(1);
      cmd_->answers[0].node = io::FormatEndpoint({cmd_->host.host, cmd_->host.port});
      StatusOr<io::SocketAddress> address = io::NumericAddress(cmd_->host.host, cmd_->host.port);
      if (address.ok()) {
        StartHost(*address);
        return;
      }
      // A host name: resolve it, then connect to its first address. The
      // execution may be aborted meanwhile; the weak token tells.
      std::weak_ptr<bool> alive = alive_;
      engine_->transport().Resolve(
          {cmd_->host.host, cmd_->host.port},
          [this, alive](StatusOr<std::vector<proto::Endpoint>> addresses) {
            if (alive.expired() || finished()) return;
            if (!addresses.ok()) {
              Finish(addresses.status());
              return;
            }
            const proto::Endpoint& ep = addresses->front();
            StatusOr<io::SocketAddress> address = io::NumericAddress(ep.host, ep.port);
            if (!address.ok()) {
              Finish(address.status());
              return;
            }
            StartHost(*address);
          });
      return;
    }
  }
}

void InfoExecution::StartOn(size_t index, cluster::NodeRef node) {
  cmd_->answers[index].node = node->name();
  io::NodeIo* nio = io::NodeIo::Of(*node);
  auto r = std::make_unique<Request>(this, index);
  r->node = node;
  Request* raw = r.get();
  requests_.push_back(std::move(r));
  if (nio == nullptr) {
    RequestDone(raw, absl::UnavailableError(absl::StrCat("node ", node->name(), " has no connections")));
    return;
  }
  ByteSpan part = request_.span();
  raw->attempt.Start(&engine_->loop(), nio->data_pool(), absl::MakeConstSpan(&part, 1),
                     engine_->loop().NowMs() + (cmd_->timeout_ms ? cmd_->timeout_ms : 1000));
}

void InfoExecution::StartHost(const io::SocketAddress& address) {
  auto r = std::make_unique<Request>(this, 0);
  Request* raw = r.get();
  requests_.push_back(std::move(r));
  pending_ = 1;
  ByteSpan part = request_.span();
  const uint32_t timeout = cmd_->timeout_ms ? cmd_->timeout_ms : 1000;
  io::ConnectOptions connect;
  connect.connect_timeout_ms = timeout;
  connect.security = engine_->security();
  connect.tls_name = cmd_->host.tls_name.empty() ? cmd_->host.host : cmd_->host.tls_name;
  raw->attempt.StartFresh(&engine_->loop(), address, connect, absl::MakeConstSpan(&part, 1),
                          engine_->loop().NowMs() + timeout);
}

void InfoExecution::RequestDone(Request* r, const Status& status) {
  if (r->done || finished()) return;
  r->done = true;
  InfoCommand::NodeAnswer& answer = cmd_->answers[r->index];
  answer.status = status;
  if (status.ok()) answer.response = std::move(r->body);
  if (--pending_ > 0) return;
  // A single target's failure is the command's failure.
  if (cmd_->target != InfoCommand::Target::kAllNodes && !status.ok()) {
    Finish(status);
    return;
  }
  Finish(absl::OkStatus());
}

void InfoExecution::Abort(const Status& why) {
  alive_.reset();
  for (auto& r : requests_) r->attempt.Abort();
  Finish(why);
}

}  // namespace aerospike_py::client
