// Replays the server fuzz target's inputs through its own check function
// (tests/fuzz/server_check.cc): the inputs under tests/fuzz/regressions/
// named server-* (each once broke the target), and the golden captures'
// client->server frames, one by one and each file's requests as one
// connection. So a fixed server bug stays fixed in every build, and the
// check itself runs in CI without libFuzzer.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "checks.h"
#include "golden_support.h"

namespace aerospike_py::server {
namespace {

namespace golden = ::aerospike_py::proto::testing;

TEST(ServerFuzzReplayTest, EveryRecordedInputPassesTheServerCheck) {
  const std::vector<golden::NamedInput> inputs =
      golden::ReadInputs(std::string(ASPY_FUZZ_DIR) + "/regressions", {"server-"});
  ASSERT_FALSE(inputs.empty()) << "tests/fuzz/regressions/ holds no server-* inputs";
  for (const golden::NamedInput& in : inputs) {
    EXPECT_EQ(fuzz::CheckServerRequest(AsBytes(in.bytes)), "") << in.name;
  }
}

TEST(ServerFuzzReplayTest, GoldenRequestsPassTheServerCheck) {
  size_t requests = 0;
  for (const golden::GoldenFile& file : golden::AllGolden()) {
    std::string stream;
    for (const golden::GoldenMessage& m : file.messages) {
      if (!m.c2s) continue;
      EXPECT_EQ(fuzz::CheckServerRequest(m.span()), "") << file.name;
      stream += m.bytes;
      ++requests;
    }
    if (!stream.empty()) {
      EXPECT_EQ(fuzz::CheckServerRequest(AsBytes(stream)), "") << file.name << " (stream)";
    }
  }
  EXPECT_GT(requests, 100u);
}

// The empty input (a connection that sent nothing) and input that is not a
// frame at all leave the seeded store intact.
TEST(ServerFuzzReplayTest, EmptyAndGarbageInputPass) {
  EXPECT_EQ(fuzz::CheckServerRequest(ByteSpan()), "");
  const char kGarbage[] = "\xff\xee\x00\x00\x00\x00\x00\x10garbage-garbage!";
  EXPECT_EQ(fuzz::CheckServerRequest(ByteSpan(reinterpret_cast<const uint8_t*>(kGarbage),
                                              sizeof(kGarbage) - 1)),
            "");
}

}  // namespace
}  // namespace aerospike_py::server
