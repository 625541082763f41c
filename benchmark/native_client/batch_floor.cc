// The benchmark's floor: Env A batch reads through csrc/client with no Python.
// It keeps `concurrency` BatchCommands in flight on one thread, like the
// asyncio drivers do, waiting on the client's Mailbox eventfd with poll(),
// and walks every found record's ops (the part of decoding that cannot be
// skipped) without building any objects. The gap between this and our
// Python client is what the bridge costs. With --values it is instead a raw
// C++ client that hands its user every record: each bin decoded into the
// core's proto::Value (strings, lists and blobs owned), as the official C
// client hands out as_record/as_val.
//
// It speaks the orchestrator's worker line protocol (benchmark/workerproc.py,
// NativeWorker): on stdin
//   hello
//   env_a NS SET BATCH CONCURRENCY WARMUP ITERATIONS KEY_SPACE SEED
//   quit
// and on stdout one line per command: "@@aspy-bench " + JSON.
// Keys are drawn exactly like benchmark/workers/aspy_bench/dataset.py
// (splitmix64, distinct per batch, user keys "s<set>_<index:08d>").
#include <poll.h>
#include <time.h>

#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <unordered_set>
#include <vector>

#include "client/client.h"
#include "client/command.h"
#include "client/completion.h"
#include "common/status.h"
#include "proto/message_view.h"
#include "proto/particle.h"
#include "proto/value.h"

namespace aerospike_py::bench {
namespace {

using client::BatchCommand;
using client::Command;

constexpr const char* kReplyPrefix = "@@aspy-bench ";

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

double ProcessCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

std::string JsonEscape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out;
}

void Reply(const std::string& json) {
  std::cout << kReplyPrefix << json << std::endl;
}

void ReplyError(std::string_view msg) {
  Reply("{\"ok\": false, \"error\": \"" + JsonEscape(msg) + "\"}");
}

// --- keys: mirrors dataset.py ---------------------------------------------

uint64_t SplitMix64(uint64_t* state) {
  *state += 0x9E3779B97F4A7C15ULL;
  uint64_t z = *state;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

std::vector<std::vector<uint64_t>> DrawIndices(uint64_t seed, uint32_t stream, int calls,
                                               int batch, uint64_t key_space) {
  uint64_t state = ((seed & 0xFFFFFFFFULL) << 32) | stream;
  std::vector<std::vector<uint64_t>> out(calls);
  for (auto& row : out) {
    std::unordered_set<uint64_t> seen;
    row.reserve(batch);
    while (static_cast<int>(row.size()) < batch) {
      uint64_t idx = SplitMix64(&state) % key_space;
      if (seen.insert(idx).second) row.push_back(idx);
    }
  }
  return out;
}

std::string UserKey(int set_index, uint64_t index) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "s%d_%08" PRIu64, set_index, index);
  return buf;
}

// A ready-to-submit batch read of one set; built before timing starts.
std::unique_ptr<BatchCommand> MakeBatch(const std::string& ns, const std::string& set,
                                        int set_index, const std::vector<uint64_t>& idx) {
  auto cmd = std::make_unique<BatchCommand>();
  cmd->ns_sets.push_back({ns, set});
  client::BatchRowSpec spec;
  spec.info1 = proto::info1::kRead | proto::info1::kGetAll;
  cmd->specs.push_back(std::move(spec));
  cmd->keys.reserve(idx.size());
  for (uint64_t i : idx) {
    std::string k = UserKey(set_index, i);
    client::BatchKey key;
    key.ns_set = 0;
    key.spec = 0;
    key.key_type = proto::ParticleType::kString;
    key.key_offset = static_cast<uint32_t>(cmd->key_bytes.size());
    key.key_len = static_cast<uint32_t>(k.size());
    cmd->key_bytes.Append(std::string_view(k));
    cmd->keys.push_back(key);
  }
  return cmd;
}

struct Tally {
  std::vector<double> latencies_ms;
  uint64_t found = 0;
  uint64_t errors = 0;
  uint64_t bytes_seen = 0;
  std::map<std::string, uint64_t> error_kinds;
  std::string first_error;
};

// One record as a C++ program on the core would hand it to its user: each
// bin's name and its value decoded into the core's own Value type.
struct DecodedRecord {
  std::vector<std::pair<std::string, proto::Value>> bins;
};

// Counts found records and touches every op's value, as a decoder must;
// with `values`, also decodes every bin into a DecodedRecord (a raw C++
// client's result), kept until the batch is accounted for.
bool Account(const BatchCommand& cmd, bool values, Tally* tally) {
  if (!cmd.status.ok()) {
    ++tally->errors;
    std::string kind = absl::StatusCodeToString(cmd.status.code());
    ++tally->error_kinds[kind];
    if (tally->first_error.empty()) tally->first_error = cmd.status.ToString();
    return false;
  }
  std::vector<DecodedRecord> records;
  if (values) records.reserve(cmd.results.size());
  for (const auto& r : cmd.results) {
    if (!r.answered || r.result != ResultCode::kOk) continue;
    ++tally->found;
    proto::OpIterator ops(r.message);
    proto::OpView op;
    if (!values) {
      while (ops.Next(&op)) {
        tally->bytes_seen += op.value.size() + op.name.size();
        if (!op.value.empty()) tally->bytes_seen += op.value[0];
      }
      continue;
    }
    DecodedRecord& rec = records.emplace_back();
    rec.bins.reserve(r.message.header.n_ops);
    while (ops.Next(&op)) {
      StatusOr<proto::Value> v = proto::DecodeParticle(op.particle_type, op.value);
      if (!v.ok()) {
        ++tally->errors;
        ++tally->error_kinds["decode"];
        if (tally->first_error.empty()) tally->first_error = v.status().ToString();
        return false;
      }
      rec.bins.emplace_back(std::string(op.name), *std::move(v));
    }
    tally->bytes_seen += rec.bins.size();
  }
  return true;
}

// Runs every worker's command list with `concurrency` in flight at once; a
// worker's next command is submitted when its previous one completes.
Status RunPhase(client::Client* cli, const std::shared_ptr<client::Mailbox>& mailbox,
                std::vector<std::vector<std::unique_ptr<BatchCommand>>>* work, bool values,
                Tally* tally) {
  const size_t workers = work->size();
  std::vector<size_t> next(workers, 0);
  std::vector<int64_t> started(workers, 0);
  size_t in_flight = 0;
  auto submit = [&](size_t w) {
    auto& list = (*work)[w];
    if (next[w] >= list.size()) return;
    std::unique_ptr<BatchCommand> cmd = std::move(list[next[w]++]);
    cmd->token = w;
    cmd->sink = mailbox;
    started[w] = NowNs();
    ++in_flight;
    cli->Submit(std::move(cmd));
  };
  for (size_t w = 0; w < workers; ++w) submit(w);
  std::vector<std::unique_ptr<Command>> done;
  while (in_flight > 0) {
    pollfd pfd{mailbox->fd(), POLLIN, 0};
    int rc = poll(&pfd, 1, 30000);
    if (rc == 0) return absl::DeadlineExceededError("no completion within 30 s");
    if (rc < 0 && errno != EINTR) return absl::InternalError("poll failed");
    size_t left;
    do {
      done.clear();
      left = mailbox->Drain(&done, 1024);
      for (auto& c : done) {
        int64_t end = NowNs();
        size_t w = static_cast<size_t>(c->token);
        --in_flight;
        const auto& batch = static_cast<const BatchCommand&>(*c);
        if (tally != nullptr && Account(batch, values, tally)) {
          tally->latencies_ms.push_back(static_cast<double>(end - started[w]) / 1e6);
        }
        c.reset();
        submit(w);
      }
    } while (left > 0);
  }
  return absl::OkStatus();
}

std::string EnvA(client::Client* cli, const std::shared_ptr<client::Mailbox>& mailbox,
                 bool values, const std::vector<std::string>& args) {
  if (args.size() != 9) return "";
  const std::string& ns = args[1];
  const std::string& set = args[2];
  int batch = std::stoi(args[3]);
  int conc = std::stoi(args[4]);
  int warmup = std::stoi(args[5]);
  int iters = std::stoi(args[6]);
  uint64_t key_space = std::stoull(args[7]);
  uint64_t seed = std::stoull(args[8]);
  int set_index = std::stoi(set.substr(set.rfind('_') + 1));
  if (batch <= 0 || conc <= 0 || static_cast<uint64_t>(batch) > key_space) return "";

  std::vector<std::vector<std::unique_ptr<BatchCommand>>> warm(conc), meas(conc);
  for (int w = 0; w < conc; ++w) {
    auto rows = DrawIndices(seed, static_cast<uint32_t>(w), warmup + iters, batch, key_space);
    for (int i = 0; i < warmup + iters; ++i) {
      (i < warmup ? warm : meas)[w].push_back(MakeBatch(ns, set, set_index, rows[i]));
    }
  }
  Tally tally;
  if (Status s = RunPhase(cli, mailbox, &warm, values, nullptr); !s.ok()) {
    return "ERROR " + s.ToString();
  }
  double cpu0 = ProcessCpuSeconds();
  int64_t t0 = NowNs();
  if (Status s = RunPhase(cli, mailbox, &meas, values, &tally); !s.ok()) {
    return "ERROR " + s.ToString();
  }
  double wall = static_cast<double>(NowNs() - t0) / 1e9;
  double cpu = ProcessCpuSeconds() - cpu0;

  std::ostringstream js;
  js.precision(6);
  js << "{\"ok\": true, \"latencies_ms\": [";
  for (size_t i = 0; i < tally.latencies_ms.size(); ++i) {
    js << (i ? ", " : "") << tally.latencies_ms[i];
  }
  uint64_t calls = static_cast<uint64_t>(conc) * iters;
  js << "], \"wall_s\": " << wall << ", \"cpu_s\": " << cpu << ", \"calls\": " << calls
     << ", \"ok_calls\": " << tally.latencies_ms.size()
     << ", \"records_requested\": " << calls * batch << ", \"found\": " << tally.found
     << ", \"errors\": " << tally.errors << ", \"error_kinds\": {";
  bool first = true;
  for (const auto& [k, v] : tally.error_kinds) {
    js << (first ? "" : ", ") << "\"" << JsonEscape(k) << "\": " << v;
    first = false;
  }
  js << "}, \"first_error\": \"" << JsonEscape(tally.first_error) << "\", \"gil\": {}"
     << ", \"bytes_seen\": " << tally.bytes_seen << "}";
  return js.str();
}

StatusOr<std::vector<client::Seed>> ParseHosts(const std::string& text) {
  std::vector<client::Seed> seeds;
  std::stringstream ss(text);
  std::string part;
  while (std::getline(ss, part, ',')) {
    size_t colon = part.rfind(':');
    client::Seed seed;
    seed.host = part.substr(0, colon);
    seed.port = colon == std::string::npos ? 3000
                                           : static_cast<uint16_t>(std::stoi(part.substr(colon + 1)));
    seeds.push_back(seed);
  }
  if (seeds.empty()) return absl::InvalidArgumentError("no hosts");
  return seeds;
}

int Main(int argc, char** argv) {
  std::string hosts = "127.0.0.1:3000";
  bool values = false;  // --values: decode every bin (see Account)
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--hosts") == 0 && i + 1 < argc) {
      hosts = argv[++i];
    } else if (std::strcmp(argv[i], "--values") == 0) {
      values = true;
    }
  }
  auto seeds = ParseHosts(hosts);
  if (!seeds.ok()) {
    ReplyError(seeds.status().ToString());
    return 2;
  }
  client::ClientConfig config;
  config.seeds = *seeds;
  auto cli = client::Client::Start(config);
  if (!cli.ok()) {
    ReplyError("Client::Start: " + cli.status().ToString());
    return 1;
  }
  {
    auto waiter = std::make_shared<client::SyncWaiter>();
    auto connect = std::make_unique<client::ConnectCommand>();
    connect->sink = waiter;
    (*cli)->Submit(std::move(connect));
    std::unique_ptr<Command> done = waiter->Wait();
    if (!done->status.ok()) {
      ReplyError("connect: " + done->status.ToString());
      return 1;
    }
  }
  auto mailbox = client::Mailbox::Create();
  if (!mailbox.ok()) {
    ReplyError(mailbox.status().ToString());
    return 1;
  }
  std::string line;
  while (std::getline(std::cin, line)) {
    std::vector<std::string> args;
    std::stringstream ss(line);
    for (std::string a; ss >> a;) args.push_back(a);
    if (args.empty()) continue;
    if (args[0] == "quit") {
      Reply("{\"ok\": true}");
      break;
    }
    if (args[0] == "hello") {
      Reply("{\"ok\": true, \"native\": true, \"values\": " + std::string(values ? "true" : "false") +
            ", \"hosts\": \"" + JsonEscape(hosts) + "\"}");
      continue;
    }
    if (args[0] == "env_a") {
      std::string out;
      try {
        out = EnvA(cli->get(), *mailbox, values, args);
      } catch (const std::exception& e) {  // std::stoi on a bad argument
        out = std::string("ERROR ") + e.what();
      }
      if (out.empty()) {
        ReplyError("usage: env_a NS SET BATCH CONCURRENCY WARMUP ITERATIONS KEY_SPACE SEED");
      } else if (out.rfind("ERROR ", 0) == 0) {
        ReplyError(out.substr(6));
      } else {
        Reply(out);
      }
      continue;
    }
    ReplyError("unknown command " + args[0]);
  }
  (*mailbox)->Close();
  (*cli)->Close();
  return 0;
}

}  // namespace
}  // namespace aerospike_py::bench

int main(int argc, char** argv) { return aerospike_py::bench::Main(argc, argv); }
