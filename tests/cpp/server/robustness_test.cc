// Hostile input never crashes the server or corrupts its store: every
// request of the golden captures, mutated at random (bytes flipped, counts
// and sizes changed, truncated), goes through the Processor, and after each
// one the store's invariants are checked.
#include <chrono>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include "common/strings.h"
#include "server/bins.h"
#include "server_test_support.h"

namespace aerospike_py::server::testing {
namespace {

std::string GoldenDir() {
  std::string here = __FILE__;
  return here.substr(0, here.rfind("/tests/cpp/server/")) + "/tests/golden";
}

// The c2s messages of every capture, as raw frames.
std::vector<std::string> GoldenRequests() {
  std::vector<std::string> out;
  std::ifstream index(GoldenDir() + "/index.json");
  std::stringstream ss;
  ss << index.rdbuf();
  const std::string text = ss.str();
  size_t pos = 0;
  while ((pos = text.find("\"file\": \"", pos)) != std::string::npos) {
    pos += 9;
    const std::string name = text.substr(pos, text.find('"', pos) - pos);
    std::ifstream f(GoldenDir() + "/" + name);
    std::string line;
    while (std::getline(f, line)) {
      if (line.find("\"dir\": \"c2s\"") == std::string::npos &&
          line.find("\"dir\":\"c2s\"") == std::string::npos) {
        continue;
      }
      const size_t h = line.find("\"hex\"");
      const size_t start = line.find('"', line.find(':', h) + 1) + 1;
      std::string raw;
      if (HexDecode(line.substr(start, line.find('"', start) - start), &raw)) {
        out.push_back(std::move(raw));
      }
    }
  }
  return out;
}

void CheckStore(ServerState& state) {
  for (auto& ns : state.store.namespaces()) {
    uint64_t n = 0;
    std::vector<uint64_t> per_set(ns->sets().size(), 0);
    for (uint32_t pid = 0; pid < p::kPartitions; ++pid) {
      for (const auto& [digest, r] : ns->partition(pid)) {
        ASSERT_EQ(p::PartitionId(digest), pid);
        ASSERT_LT(r.set_id, ns->sets().size());
        ++per_set[r.set_id];
        ++n;
        BinCursor c(r.bins);
        BinView b;
        size_t bins = 0, bytes = 0;
        while (c.Next(&b)) {
          ++bins;
          bytes += b.encoded.size();
          ASSERT_LE(b.name.size(), p::kMaxBinNameLen);
        }
        ASSERT_EQ(bins, r.n_bins);
        ASSERT_EQ(bytes, r.bins.size());
        ASSERT_NE(r.n_bins, 0u);  // records without bins are deleted
      }
    }
    ASSERT_EQ(n, ns->objects());
    for (size_t i = 0; i < per_set.size(); ++i) ASSERT_EQ(per_set[i], ns->sets()[i].objects);
  }
}

TEST(Robustness, GoldenRequestsReplayCleanly) {
  const auto requests = GoldenRequests();
  ASSERT_GT(requests.size(), 150u);
  Harness h;
  for (const std::string& r : requests) {
    // Truncate removes what was written before its millisecond (as the real
    // server's lut does): let the clock pass the writes replayed before it.
    if (r.size() > 1 && r[1] == 1 && r.find("truncate") != std::string::npos) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    h.Run(ByteBuffer::CopyOf(AsBytes(r)));
    CheckStore(h.state());
  }
  // The captures end with a truncate of their set: nothing is left.
  EXPECT_EQ(h.state().store.Find("test")->objects(), 0u);
}

TEST(Robustness, MutatedRequestsNeverCrashOrCorrupt) {
  const auto requests = GoldenRequests();
  Harness h;
  for (const std::string& r : requests) h.Run(ByteBuffer::CopyOf(AsBytes(r)));
  std::mt19937_64 rng(12345);
  int processed = 0;
  for (int round = 0; round < 20000; ++round) {
    std::string m = requests[rng() % requests.size()];
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits && m.size() > 8; ++e) {
      const size_t at = 8 + rng() % (m.size() - 8);
      switch (rng() % 5) {
        case 0: m[at] = static_cast<char>(rng()); break;           // flip a byte
        case 1: m[at] ^= static_cast<char>(1u << (rng() % 8)); break;  // flip a bit
        case 2: m.resize(at); break;                                // truncate
        case 3: m.insert(at, std::string(1 + rng() % 9, static_cast<char>(rng()))); break;
        default:
          if (m.size() > 30) m[8 + 18 + rng() % 4] = static_cast<char>(rng() % 8);  // counts
          break;
      }
    }
    // Keep the proto header consistent with the (mutated) body half the
    // time, so the body parsers see the damage, not just the framer.
    if (rng() % 2 && m.size() >= 8) StoreBE48(reinterpret_cast<uint8_t*>(m.data()) + 2, m.size() - 8);
    p::FrameReader reader;
    std::vector<p::Frame> frames;
    if (!reader.Feed(AsBytes(m), &frames).ok()) continue;
    ByteBuffer out;
    Processor processor(&h.state());
    for (const p::Frame& f : frames) {
      processor.Handle(0, f, &out);
      ++processed;
    }
    if (round % 500 == 0) CheckStore(h.state());
    // Every reply must itself be well-formed frames.
    p::FrameReader check;
    std::vector<p::Frame> replies;
    ASSERT_TRUE(check.Feed(out.span(), &replies).ok());
    ASSERT_TRUE(check.idle());
  }
  CheckStore(h.state());
  EXPECT_GT(processed, 5000);
}

}  // namespace
}  // namespace aerospike_py::server::testing
