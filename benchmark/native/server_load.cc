// Load program for the embedded server: how many records per second one
// server node serves in batch reads (default: 200-key batches of 10-bin
// records). The server runs in this process on its own event thread (one
// core by construction); the load generator is a single thread driving
// several pipelined connections with poll(), pre-encoded requests, and a
// reply walker that only finds message boundaries and counts records. CPU
// time of the server is reported as process CPU minus the load thread's,
// so "records per server-CPU-second" is the figure that does not depend on
// how much CPU the generator got.
//
//   aspy_server_load [--records N] [--bins N] [--batch N] [--seconds S]
//                    [--connections N] [--depth N] [--value-bytes N]
//                    [--host H --port P]   (an external server instead)
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "common/byte_order.h"
#include "proto/batch.h"
#include "proto/commands.h"
#include "proto/digest.h"
#include "server/server.h"

namespace {

using aerospike_py::ByteBuffer;
namespace proto = aerospike_py::proto;

struct Options {
  uint64_t records = 100000;
  int bins = 10;
  int batch = 200;
  double seconds = 5;
  int connections = 4;
  int depth = 4;
  int value_bytes = 8;  // string bins of this size; 8 = integers
  std::string host = "127.0.0.1";
  int port = 0;  // 0: start an embedded server
};

double Now(clockid_t clock) {
  timespec ts;
  clock_gettime(clock, &ts);
  return static_cast<double>(ts.tv_sec) + ts.tv_nsec / 1e9;
}

double ProcessCpu() {
  rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec +
         ru.ru_stime.tv_usec / 1e6;
}

int Connect(const std::string& host, int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET, host.c_str(), &addr.sin_addr);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    std::perror("connect");
    std::exit(1);
  }
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  return fd;
}

void WriteAll(int fd, const uint8_t* p, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      std::perror("write");
      std::exit(1);
    }
    p += w;
    n -= static_cast<size_t>(w);
  }
}

// Reads replies from a connection and counts records until `want_lasts`
// LAST messages arrived. Incremental: keeps partial frames between calls.
struct ReplyCounter {
  std::vector<uint8_t> buf;
  size_t have = 0;
  uint64_t records = 0;
  uint64_t not_found = 0;
  uint64_t lasts = 0;

  // Consumes complete frames in buf[0, have).
  void Parse() {
    size_t pos = 0;
    while (have - pos >= 8) {
      const uint64_t size = aerospike_py::LoadBE48(buf.data() + pos + 2);
      if (have - pos < 8 + size) break;
      const uint8_t* body = buf.data() + pos + 8;
      size_t off = 0;
      while (off + 22 <= size) {
        const uint8_t* m = body + off;
        const uint16_t n_fields = aerospike_py::LoadBE16(m + 18);
        const uint16_t n_ops = aerospike_py::LoadBE16(m + 20);
        size_t p = 22;
        for (uint16_t i = 0; i < n_fields; ++i) p += 4 + aerospike_py::LoadBE32(m + p);
        for (uint16_t i = 0; i < n_ops; ++i) p += 4 + aerospike_py::LoadBE32(m + p);
        if (m[3] & 0x01) {
          ++lasts;
        } else if (m[5] == 0) {
          ++records;
        } else {
          ++not_found;
        }
        off += p;
      }
      pos += 8 + size;
    }
    std::memmove(buf.data(), buf.data() + pos, have - pos);
    have -= pos;
  }

  bool ReadSome(int fd) {
    if (buf.size() - have < 256 * 1024) buf.resize(have + 1024 * 1024);
    ssize_t n = read(fd, buf.data() + have, buf.size() - have);
    if (n <= 0) return false;
    have += static_cast<size_t>(n);
    Parse();
    return true;
  }
};

void Load(const Options& o) {
  // Writes of `records` records with `bins` bins, pipelined on one
  // connection in chunks.
  int fd = Connect(o.host, o.port);
  ReplyCounter counter;
  std::string value(static_cast<size_t>(o.value_bytes), 'v');
  uint64_t sent = 0;
  const uint64_t chunk = 1000;
  while (sent < o.records) {
    ByteBuffer out;
    const uint64_t end = std::min(o.records, sent + chunk);
    for (uint64_t k = sent; k < end; ++k) {
      proto::RecordRequest r;
      r.header.info2 = proto::info2::kWrite;
      r.header.transaction_ttl = 5000;
      r.ns = "test";
      r.set = "load";
      r.digest = proto::ComputeDigest("load", static_cast<int64_t>(k));
      for (int b = 0; b < o.bins; ++b) {
        proto::OpSpec op;
        op.op = proto::OpType::kWrite;
        op.bin = "bin" + std::to_string(b);
        op.value = o.value_bytes == 8 ? proto::Value::Int(static_cast<int64_t>(k * 100 + b))
                                      : proto::Value::String(value);
        r.ops.push_back(std::move(op));
      }
      proto::EncodeRecordRequest(r, &out);
    }
    WriteAll(fd, out.data(), out.size());
    // Single-record replies are one message each; count them as "records".
    const uint64_t want = end;
    while (counter.records + counter.not_found < want) {
      if (!counter.ReadSome(fd)) {
        std::fprintf(stderr, "load: connection closed\n");
        std::exit(1);
      }
    }
    sent = end;
  }
  close(fd);
}

// Pre-encodes `n` distinct batch requests over random keys.
std::vector<ByteBuffer> BatchRequests(const Options& o, int n) {
  std::vector<ByteBuffer> requests;
  proto::BatchRowShape shape;
  shape.row_flags = proto::batch_row_flags::kHasInfo | proto::batch_row_flags::kHasTtl;
  shape.info1 = proto::info1::kRead | proto::info1::kGetAll;
  shape.ns = "test";
  shape.set = "load";
  uint64_t seed = 0x9E3779B97F4A7C15ull;
  for (int i = 0; i < n; ++i) {
    std::vector<proto::Digest> digests(static_cast<size_t>(o.batch));
    std::vector<proto::BatchRow> rows(static_cast<size_t>(o.batch));
    for (int k = 0; k < o.batch; ++k) {
      seed ^= seed << 13;
      seed ^= seed >> 7;
      seed ^= seed << 17;
      digests[k] = proto::ComputeDigest("load", static_cast<int64_t>(seed % o.records));
      rows[k].index = static_cast<uint32_t>(k);
      rows[k].digest = digests[k].data();
      rows[k].shape = &shape;
    }
    proto::BatchEnvelope env;
    env.transaction_ttl = 5000;
    ByteBuffer out;
    proto::EncodeBatchRequest(env, rows, &out);
    requests.push_back(std::move(out));
  }
  return requests;
}

int Run(Options o) {
  std::unique_ptr<aerospike_py::server::Server> server;
  if (o.port == 0) {
    aerospike_py::server::ServerOptions so;
    so.sweep_interval_ms = 0;
    auto started = aerospike_py::server::Server::Start(so);
    if (!started.ok()) {
      std::fprintf(stderr, "server: %s\n", std::string(started.status().message()).c_str());
      return 1;
    }
    server = std::move(*started);
    o.port = server->ports()[0];
  }
  std::printf("loading %" PRIu64 " records of %d bins (%s) ...\n", o.records, o.bins,
              o.value_bytes == 8 ? "integers" : "strings");
  Load(o);

  const std::vector<ByteBuffer> requests = BatchRequests(o, 64);
  std::vector<int> fds;
  std::vector<ReplyCounter> counters(static_cast<size_t>(o.connections));
  std::vector<int> in_flight(static_cast<size_t>(o.connections), 0);
  std::vector<uint64_t> lasts_seen(static_cast<size_t>(o.connections), 0);
  for (int i = 0; i < o.connections; ++i) fds.push_back(Connect(o.host, o.port));
  size_t next = 0;
  auto send_one = [&](int c) {
    const ByteBuffer& r = requests[next++ % requests.size()];
    WriteAll(fds[c], r.data(), r.size());
    ++in_flight[c];
  };

  // Warm-up (also checks the answers are what we expect).
  for (int c = 0; c < o.connections; ++c) send_one(c);
  for (int c = 0; c < o.connections; ++c) {
    while (counters[c].lasts < 1) counters[c].ReadSome(fds[c]);
    in_flight[c] = 0;
    lasts_seen[c] = counters[c].lasts;
  }
  uint64_t warm_records = 0, warm_missing = 0;
  for (auto& c : counters) {
    warm_records += c.records;
    warm_missing += c.not_found;
    c.records = c.not_found = 0;
  }
  if (warm_missing != 0 || warm_records != static_cast<uint64_t>(o.batch * o.connections)) {
    std::fprintf(stderr, "unexpected warm-up answers: %" PRIu64 " found, %" PRIu64 " missing\n",
                 warm_records, warm_missing);
    return 1;
  }

  const double wall0 = Now(CLOCK_MONOTONIC);
  const double cpu0 = ProcessCpu();
  const double self0 = Now(CLOCK_THREAD_CPUTIME_ID);
  uint64_t batches = 0;
  for (int c = 0; c < o.connections; ++c) {
    while (in_flight[c] < o.depth) send_one(c);
  }
  std::vector<pollfd> pfds(static_cast<size_t>(o.connections));
  while (Now(CLOCK_MONOTONIC) - wall0 < o.seconds) {
    for (int c = 0; c < o.connections; ++c) pfds[c] = pollfd{fds[c], POLLIN, 0};
    if (poll(pfds.data(), pfds.size(), 1000) <= 0) continue;
    for (int c = 0; c < o.connections; ++c) {
      if (!(pfds[c].revents & POLLIN)) continue;
      if (!counters[c].ReadSome(fds[c])) {
        std::fprintf(stderr, "connection closed\n");
        return 1;
      }
      const uint64_t done = counters[c].lasts - lasts_seen[c];
      lasts_seen[c] = counters[c].lasts;
      batches += done;
      in_flight[c] -= static_cast<int>(done);
      while (in_flight[c] < o.depth) send_one(c);
    }
  }
  const double wall = Now(CLOCK_MONOTONIC) - wall0;
  const double cpu = ProcessCpu() - cpu0;
  const double self = Now(CLOCK_THREAD_CPUTIME_ID) - self0;
  uint64_t records = 0, missing = 0;
  for (auto& c : counters) {
    records += c.records;
    missing += c.not_found;
  }
  // Count only complete batches: records of batches still in flight at the
  // end are included in `records`, so derive from batches.
  const double rec = static_cast<double>(batches) * o.batch;
  const double server_cpu = o.port != 0 && server ? cpu - self : 0;
  std::printf("batch reads: %d keys x %d bins, %d connections x depth %d, %.1f s\n", o.batch,
              o.bins, o.connections, o.depth, wall);
  std::printf("  batches/s        %12.0f\n", batches / wall);
  std::printf("  records/s        %12.0f   (wall clock)\n", rec / wall);
  if (server) {
    std::printf("  server CPU       %12.2f s (%.0f%% of one core)\n", server_cpu,
                100.0 * server_cpu / wall);
    std::printf("  records/s/core   %12.0f   (per server CPU second)\n", rec / server_cpu);
  }
  std::printf("  load thread CPU  %12.2f s\n", self);
  std::printf("  not found        %12" PRIu64 "\n", missing);
  for (int fd : fds) close(fd);
  if (server) server->Stop();
  return missing == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> const char* {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "%s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--records") o.records = std::strtoull(next(), nullptr, 10);
    else if (a == "--bins") o.bins = std::atoi(next());
    else if (a == "--batch") o.batch = std::atoi(next());
    else if (a == "--seconds") o.seconds = std::atof(next());
    else if (a == "--connections") o.connections = std::atoi(next());
    else if (a == "--depth") o.depth = std::atoi(next());
    else if (a == "--value-bytes") o.value_bytes = std::atoi(next());
    else if (a == "--host") o.host = next();
    else if (a == "--port") o.port = std::atoi(next());
    else {
      std::fprintf(stderr, "usage: %s [--records N] [--bins N] [--batch N] [--seconds S] "
                   "[--connections N] [--depth N] [--value-bytes N] [--host H --port P]\n",
                   argv[0]);
      return 2;
    }
  }
  if (o.records == 0 || o.bins < 1 || o.batch < 1 || o.connections < 1 || o.depth < 1) {
    std::fprintf(stderr, "bad options\n");
    return 2;
  }
  return Run(o);
}
