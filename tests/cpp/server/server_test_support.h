// Helpers shared by the embedded server's GoogleTests: building requests
// with the codec's encoders, running them through a Processor (no sockets)
// or a real socket, and decoding every reply message.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/byte_order.h"
#include "gtest/gtest.h"
#include "proto/batch.h"
#include "proto/commands.h"
#include "proto/frame_reader.h"
#include "proto/message_view.h"
#include "proto/message_writer.h"
#include "proto/particle.h"
#include "server/processor.h"

namespace aerospike_py::server::testing {

namespace p = ::aerospike_py::proto;

struct ReplyBin {
  uint8_t op = 0;
  uint8_t type = 0;
  std::string name;
  std::string value;
  p::Value Decoded() const {
    auto v = p::DecodeParticle(type, AsBytes(value));
    return v.ok() ? *v : p::Value::String("<undecodable>");
  }
};

struct ReplyMsg {
  uint8_t frame_type = 0;
  p::MsgHeader header;
  std::vector<std::pair<uint8_t, std::string>> fields;
  std::vector<ReplyBin> bins;
  std::string info;  // type-1 frames: the body
  std::string admin;  // type-2 frames: the body

  uint8_t rc() const { return header.result_code; }
  const ReplyBin* Bin(std::string_view name) const {
    for (const auto& b : bins) {
      if (b.name == name) return &b;
    }
    return nullptr;
  }
  int64_t Int(std::string_view name) const {
    const ReplyBin* b = Bin(name);
    return b ? b->Decoded().as_int() : -999999;
  }
};

// Decodes every frame in `bytes` (which must hold whole frames).
inline std::vector<ReplyMsg> DecodeReplies(ByteSpan bytes) {
  std::vector<ReplyMsg> out;
  p::FrameReader reader;
  std::vector<p::Frame> frames;
  EXPECT_TRUE(reader.Feed(bytes, &frames).ok());
  for (const p::Frame& f : frames) {
    if (f.type == 1 || f.type == 2) {
      ReplyMsg m;
      m.frame_type = f.type;
      (f.type == 1 ? m.info : m.admin) = std::string(AsChars(f.body()));
      out.push_back(std::move(m));
      continue;
    }
    p::MessageIterator it(f.body());
    while (!it.AtEnd()) {
      auto mv = it.Next();
      EXPECT_TRUE(mv.ok()) << mv.status();
      if (!mv.ok()) break;
      ReplyMsg m;
      m.frame_type = f.type;
      m.header = mv->header;
      p::FieldIterator fi(*mv);
      p::FieldView fv;
      while (fi.Next(&fv)) m.fields.emplace_back(fv.type, std::string(AsChars(fv.data)));
      p::OpIterator oi(*mv);
      p::OpView ov;
      while (oi.Next(&ov)) {
        m.bins.push_back(ReplyBin{ov.op, ov.particle_type, std::string(ov.name),
                                  std::string(AsChars(ov.value))});
      }
      out.push_back(std::move(m));
    }
  }
  return out;
}

inline p::OpSpec Write(std::string bin, p::Value v) {
  return p::OpSpec{p::OpType::kWrite, std::move(bin), std::move(v)};
}
inline p::OpSpec Read(std::string bin) { return p::OpSpec{p::OpType::kRead, std::move(bin), {}}; }
inline p::OpSpec Op(p::OpType op, std::string bin, p::Value v = p::Value()) {
  return p::OpSpec{op, std::move(bin), std::move(v)};
}

// A request against (test, demo, key).
inline p::RecordRequest Req(int64_t key, std::string set = "demo", std::string ns = "test") {
  p::RecordRequest r;
  r.ns = std::move(ns);
  r.set = std::move(set);
  r.digest = p::ComputeDigest(r.set, key);
  r.header.transaction_ttl = 1000;
  return r;
}
inline p::RecordRequest PutReq(int64_t key, std::vector<p::OpSpec> ops) {
  p::RecordRequest r = Req(key);
  r.header.info2 = p::info2::kWrite;
  r.ops = std::move(ops);
  return r;
}
inline p::RecordRequest GetReq(int64_t key) {
  p::RecordRequest r = Req(key);
  r.header.info1 = p::info1::kRead | p::info1::kGetAll;
  return r;
}
inline ByteBuffer Encode(const p::RecordRequest& r) {
  ByteBuffer b;
  p::EncodeRecordRequest(r, &b);
  return b;
}

// A Processor over its own state, fed whole request frames.
class Harness {
 public:
  explicit Harness(ServerOptions o = ServerOptions()) {
    std::vector<std::string> ids;
    std::vector<uint16_t> ports;
    for (int i = 0; i < o.nodes; ++i) {
      ids.push_back(absl::StrCat("N", i + 1));
      ports.push_back(static_cast<uint16_t>(3000 + i));
    }
    state_ = std::make_unique<ServerState>(o, ids, ports);
    processor_ = std::make_unique<Processor>(state_.get());
  }

  // Feeds request bytes (whole frames) to `node`; returns decoded replies.
  std::vector<ReplyMsg> Run(const ByteBuffer& request, int node = 0,
                            FrameOutcome* outcome = nullptr) {
    p::FrameReader reader;
    std::vector<p::Frame> frames;
    Status st = reader.Feed(request.span(), &frames);
    EXPECT_TRUE(st.ok()) << st;
    ByteBuffer out;
    for (const p::Frame& f : frames) {
      FrameOutcome o = processor_->Handle(node, f, &out);
      if (outcome) *outcome = o;
      // A scan/query answer continues as a stream: take it to its end.
      if (std::unique_ptr<ReplyStream> stream = processor_->TakeStream()) {
        uint64_t wait_ms = 0;
        while (stream->Produce(&out, 1 << 20, &wait_ms) != ReplyStream::Step::kDone) {
        }
      }
    }
    last_bytes_ = ByteBuffer::CopyOf(out.span());
    return DecodeReplies(out.span());
  }
  ReplyMsg One(const p::RecordRequest& r, int node = 0) {
    auto replies = Run(Encode(r), node);
    EXPECT_EQ(replies.size(), 1u);
    return replies.empty() ? ReplyMsg() : replies[0];
  }
  std::string Info(std::string_view cmd, int node = 0) {
    return processor_->InfoValue(node, cmd);
  }

  ServerState& state() { return *state_; }
  Processor& processor() { return *processor_; }
  const ByteBuffer& last_bytes() const { return last_bytes_; }

 private:
  std::unique_ptr<ServerState> state_;
  std::unique_ptr<Processor> processor_;
  ByteBuffer last_bytes_;
};

// A blocking socket to a running server.
class Socket {
 public:
  explicit Socket(uint16_t port) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0;
    int one = 1;
    setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  }
  ~Socket() {
    if (fd_ >= 0) close(fd_);
  }
  bool connected() const { return connected_; }
  void Send(ByteSpan b) {
    size_t off = 0;
    while (off < b.size()) {
      ssize_t n = send(fd_, b.data() + off, b.size() - off, MSG_NOSIGNAL);
      if (n <= 0) return;
      off += static_cast<size_t>(n);
    }
  }
  void Send(const ByteBuffer& b) { Send(b.span()); }
  // Reads until `n` whole frames arrived, the peer closed, or `timeout_ms`
  // passed. Returns the bytes of the complete frames.
  ByteBuffer ReadFrames(size_t n, int timeout_ms = 3000) {
    ByteBuffer out;
    size_t frames = 0;
    size_t complete = 0;
    while (frames < n) {
      pollfd pfd{fd_, POLLIN, 0};
      if (poll(&pfd, 1, timeout_ms) <= 0) break;
      uint8_t buf[65536];
      ssize_t r = recv(fd_, buf, sizeof(buf), 0);
      if (r <= 0) {
        closed_ = true;
        break;
      }
      out.Append(buf, static_cast<size_t>(r));
      while (out.size() - complete >= 8) {
        const uint64_t size = LoadBE48(out.data() + complete + 2);
        if (out.size() - complete < 8 + size) break;
        complete += 8 + size;
        ++frames;
      }
    }
    raw_ = ByteBuffer::CopyOf(out.span());
    out.Resize(complete);
    return out;
  }
  // Whatever bytes arrive within `timeout_ms` (empty on timeout or close):
  // for tests that parse a long answer themselves, frame boundaries and all.
  ByteBuffer ReadSome(int timeout_ms = 3000) {
    ByteBuffer out;
    pollfd pfd{fd_, POLLIN, 0};
    if (poll(&pfd, 1, timeout_ms) <= 0) return out;
    uint8_t buf[65536];
    ssize_t r = recv(fd_, buf, sizeof(buf), 0);
    if (r <= 0) {
      closed_ = true;
      return out;
    }
    out.Append(buf, static_cast<size_t>(r));
    return out;
  }
  // True when the peer closed the connection within `timeout_ms`.
  bool WaitClosed(int timeout_ms = 3000) {
    if (closed_) return true;
    for (;;) {
      pollfd pfd{fd_, POLLIN, 0};
      if (poll(&pfd, 1, timeout_ms) <= 0) return false;
      uint8_t buf[4096];
      ssize_t r = recv(fd_, buf, sizeof(buf), 0);
      if (r <= 0) return true;
      raw_.Append(buf, static_cast<size_t>(r));
    }
  }
  const ByteBuffer& raw() const { return raw_; }

 private:
  int fd_ = -1;
  bool connected_ = false;
  bool closed_ = false;
  ByteBuffer raw_;
};

}  // namespace aerospike_py::server::testing
