// A scripted single node on plain posix sockets, for protocol violations
// the embedded server never commits: it answers the tend's info requests
// like a one-node cluster owning every partition of "test", and hands each
// AS_MSG request to a test-supplied function that returns the raw bytes to
// send back (anything at all). One thread per connection.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/strings.h"
#include "proto/frame_reader.h"
#include "proto/headers.h"
#include "proto/info.h"
#include "proto/message_writer.h"

namespace aerospike_py::client::testing {

class FakeNode {
 public:
  // Returns the bytes to write for one request frame (the whole frame,
  // header included). `close_after` closes the connection after writing.
  using Handler = std::function<std::string(const proto::Frame& request, bool* close_after)>;

  explicit FakeNode(Handler handler) : handler_(std::move(handler)) {
    // The client under test runs as it does under CPython, which ignores
    // SIGPIPE: a write to a socket the other side closed (a connection the
    // client dropped for a bad answer, a tend connection at teardown) is an
    // EPIPE error, not the end of the test process.
    signal(SIGPIPE, SIG_IGN);
    listen_fd_ = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    listen(listen_fd_, 64);
    socklen_t len = sizeof a;
    getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    acceptor_ = std::thread([this] { AcceptLoop(); });
  }
  ~FakeNode() {
    stopping_ = true;
    shutdown(listen_fd_, SHUT_RDWR);
    close(listen_fd_);
    acceptor_.join();
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (int fd : fds_) shutdown(fd, SHUT_RDWR);
    }
    for (auto& t : workers_) t.join();
  }

  uint16_t port() const { return port_; }
  int connections_accepted() const { return accepted_.load(); }
  // Writes `bytes` on every open data connection (unsolicited).
  void Broadcast(const std::string& bytes) {
    std::lock_guard<std::mutex> lock(mu_);
    for (int fd : data_fds_) (void)!send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
  }

  static std::string Frame(uint8_t type, const std::string& body) {
    std::string out(8, '\0');
    proto::EncodeProtoHeader(reinterpret_cast<uint8_t*>(out.data()),
                             static_cast<proto::ProtoType>(type), body.size());
    return out + body;
  }
  // A complete single-record answer frame.
  static std::string RecordAnswer(uint8_t result, uint32_t generation, const std::string& bin,
                                  int64_t value) {
    proto::MsgHeader h;
    h.result_code = result;
    h.generation = generation;
    ByteBuffer out;
    proto::MessageWriter w(&out, h);
    if (!bin.empty()) w.AddValueOp(proto::OpType::kRead, bin, proto::Value::Int(value));
    w.Finish();
    return std::string(out.view());
  }

 private:
  std::string InfoAnswer(std::string_view request) {
    static const std::string all_ones = [] {
      proto::NamespaceReplicas nr;
      nr.ns = "test";
      proto::ReplicaBitmap bitmap;
      bitmap.fill(0xFF);
      nr.replicas.push_back(bitmap);
      return proto::FormatReplicas({nr});
    }();
    std::string body;
    for (std::string_view line : Split(request, '\n', true)) {
      std::string value = "ERROR:4:unrecognized command";
      if (line == "node") value = "FAKE1";
      if (line == "partition-generation" || line == "peers-generation") value = "1";
      if (line == "build") value = "8.1.2.0";
      if (line == "features") value = "pscans;batch-any";
      if (line == "peers-clear-std") value = "1,3000,[]";
      if (line == "replicas") value = all_ones;
      absl::StrAppend(&body, AbslView(line), "\t", value, "\n");
    }
    return Frame(1, body);
  }

  void AcceptLoop() {
    while (!stopping_) {
      int fd = accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) return;
      ++accepted_;
      int one = 1;
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      std::lock_guard<std::mutex> lock(mu_);
      fds_.push_back(fd);
      workers_.emplace_back([this, fd] { Serve(fd); });
    }
  }

  void Serve(int fd) {
    proto::FrameReader reader;
    std::vector<proto::Frame> frames;
    char buf[65536];
    bool open = true;
    while (open) {
      ssize_t n = read(fd, buf, sizeof buf);
      if (n <= 0) break;
      if (!reader.Feed(ByteSpan(reinterpret_cast<uint8_t*>(buf), n), &frames).ok()) break;
      for (const proto::Frame& f : frames) {
        std::string reply;
        bool close_after = false;
        if (f.type == 1) {
          reply = InfoAnswer(AsChars(f.body()));
        } else {
          {
            std::lock_guard<std::mutex> lock(mu_);
            if (std::find(data_fds_.begin(), data_fds_.end(), fd) == data_fds_.end()) {
              data_fds_.push_back(fd);
            }
          }
          reply = handler_(f, &close_after);
        }
        size_t off = 0;
        while (off < reply.size()) {
          ssize_t w = send(fd, reply.data() + off, reply.size() - off, MSG_NOSIGNAL);
          if (w <= 0) break;
          off += static_cast<size_t>(w);
        }
        if (close_after) open = false;
      }
      frames.clear();
    }
    std::lock_guard<std::mutex> lock(mu_);
    data_fds_.erase(std::remove(data_fds_.begin(), data_fds_.end(), fd), data_fds_.end());
    fds_.erase(std::remove(fds_.begin(), fds_.end(), fd), fds_.end());
    close(fd);
  }

  Handler handler_;
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> accepted_{0};
  std::thread acceptor_;
  std::mutex mu_;
  std::vector<int> fds_;
  std::vector<int> data_fds_;
  std::vector<std::thread> workers_;
};

}  // namespace aerospike_py::client::testing
