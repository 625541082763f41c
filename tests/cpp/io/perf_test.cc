// Figures of the core against the embedded server (same process): batch
// round-trip latency for 200-key batches of 10-bin records, the event
// thread's CPU per record, and pipelined records/s. Printed, never
// asserted on (timings depend on the machine); the test checks only that
// every answer is right.
#include <gtest/gtest.h>

#include <dirent.h>
#include <pthread.h>
#include <time.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>

#include "client_test_support.h"

namespace aerospike_py::client::testing {
namespace {

using p::Value;

// CPU seconds used so far by threads named `name` in this process.
double ThreadCpuSeconds(const std::string& name) {
  double total = 0;
  DIR* dir = opendir("/proc/self/task");
  if (dir == nullptr) return 0;
  while (dirent* e = readdir(dir)) {
    if (e->d_name[0] == '.') continue;
    std::string base = std::string("/proc/self/task/") + e->d_name;
    std::ifstream comm(base + "/comm");
    std::string c;
    std::getline(comm, c);
    if (c != name) continue;
    std::ifstream stat(base + "/stat");
    std::string s((std::istreambuf_iterator<char>(stat)), {});
    size_t close = s.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(s.substr(close + 2));
    std::string field;
    unsigned long long utime = 0, stime = 0;
    for (int i = 3; i <= 15 && rest >> field; ++i) {
      if (i == 14) utime = std::stoull(field);
      if (i == 15) stime = std::stoull(field);
    }
    total += static_cast<double>(utime + stime) / sysconf(_SC_CLK_TCK);
  }
  closedir(dir);
  return total;
}

double CallerCpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

TEST(PerfTest, Batch200Of10BinRecords) {
  auto server = StartServer();
  ASSERT_NE(server, nullptr);
  auto client = Connect(ConfigFor(*server));
  const int kRecords = 20000;
  {
    BatchBuilder b;
    const uint16_t w = b.WriteSpec({{"i1", Value::Int(1)}, {"i2", Value::Int(-2)},
                                    {"i3", Value::Int(3000000000LL)}, {"f1", Value::Double(0.5)},
                                    {"f2", Value::Double(-1.25)}, {"s1", Value::String("user")},
                                    {"s2", Value::String("campaign-42")},
                                    {"s3", Value::String(std::string(32, 'q'))},
                                    {"b1", Value::Bytes(std::string(64, '\x07'))},
                                    {"i4", Value::Int(7)}});
    for (int i = 0; i < kRecords; ++i) b.AddIntKey("test", "perf", i, w);
    b.cmd->policy.total_timeout_ms = 30000;
    auto done = Exec(*client, std::move(b.cmd), 60000);
    ASSERT_TRUE(done->status.ok()) << done->status;
  }
  std::mt19937 rng(1);
  auto make_batch = [&] {
    BatchBuilder b;
    const uint16_t all = b.ReadAllSpec();
    for (int j = 0; j < 200; ++j) b.AddIntKey("test", "perf", rng() % kRecords, all);
    return std::move(b.cmd);
  };
  for (int i = 0; i < 200; ++i) ASSERT_TRUE(Exec(*client, make_batch())->status.ok());  // warm

  // Sequential round trips.
  const int kBatches = 2000;
  std::vector<double> us;
  us.reserve(kBatches);
  const double io0 = ThreadCpuSeconds("aspy-io");
  const double caller0 = CallerCpuSeconds();
  auto waiter = std::make_shared<SyncWaiter>();
  size_t ok_records = 0;
  for (int i = 0; i < kBatches; ++i) {
    auto cmd = make_batch();
    cmd->sink = waiter;
    auto t0 = std::chrono::steady_clock::now();
    client->Submit(std::move(cmd));
    auto done = waiter->WaitFor(10000);
    us.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count());
    ASSERT_NE(done, nullptr);
    ASSERT_TRUE(done->status.ok());
    for (const auto& r : static_cast<BatchCommand*>(done.get())->results) {
      ok_records += r.result == ResultCode::kOk && r.message.header.n_ops == 10;
    }
  }
  const double io_cpu = ThreadCpuSeconds("aspy-io") - io0;
  const double caller_cpu = CallerCpuSeconds() - caller0;
  EXPECT_EQ(ok_records, size_t{kBatches} * 200);
  std::sort(us.begin(), us.end());
  std::printf(
      "[perf] batch 200 x 10 bins, sequential: p50 %.0f us, p90 %.0f us, p99 %.0f us; "
      "event-thread CPU %.3f us/record; caller CPU %.3f us/record\n",
      us[us.size() / 2], us[us.size() * 9 / 10], us[us.size() * 99 / 100],
      io_cpu * 1e6 / (kBatches * 200.0), caller_cpu * 1e6 / (kBatches * 200.0));

  // Pipelined: 16 batches in flight.
  auto sink = std::make_shared<CollectingSink>();
  const int kPipelined = 4000;
  const double io1 = ThreadCpuSeconds("aspy-io");
  auto t0 = std::chrono::steady_clock::now();
  int submitted = 0, completed = 0;
  while (completed < kPipelined) {
    while (submitted < kPipelined && submitted - completed < 16) {
      auto cmd = make_batch();
      cmd->sink = sink;
      client->Submit(std::move(cmd));
      ++submitted;
    }
    sink->WaitForCount(1, 10000);
    for (auto& done : sink->Take()) {
      ASSERT_TRUE(done->status.ok());
      ++completed;
    }
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("[perf] batch 200, 16 in flight: %.0f records/s; event-thread CPU %.3f us/record\n",
              kPipelined * 200 / secs,
              (ThreadCpuSeconds("aspy-io") - io1) * 1e6 / (kPipelined * 200.0));

  // Single-record gets, sequential.
  std::vector<double> get_us;
  for (int i = 0; i < 5000; ++i) {
    auto g = Get(IntKey("perf", rng() % kRecords));
    auto s0 = std::chrono::steady_clock::now();
    g = Exec(*client, std::move(g));
    get_us.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - s0).count());
    ASSERT_EQ(g->result, ResultCode::kOk);
  }
  std::sort(get_us.begin(), get_us.end());
  std::printf("[perf] get, sequential: p50 %.0f us, p99 %.0f us\n", get_us[get_us.size() / 2],
              get_us[get_us.size() * 99 / 100]);
  client.reset();
  server.reset();
  EXPECT_EQ(GlobalCounters().live_commands.load(), 0);
  EXPECT_EQ(GlobalCounters().open_connections.load(), 0);
}

}  // namespace
}  // namespace aerospike_py::client::testing
