// Replays every input under tests/fuzz/regressions/ (inputs that once broke
// a fuzz target; the file name says which target: response-* or msgpack-*)
// through the fuzz targets' own check functions, so a fixed crash stays
// fixed in every build, sanitized or not.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "checks.h"
#include "golden_support.h"

namespace aerospike_py::proto {
namespace {

TEST(FuzzRegressionTest, EveryRecordedInputPassesItsTarget) {
  const std::vector<testing::NamedInput> inputs =
      testing::ReadInputs(std::string(ASPY_FUZZ_DIR) + "/regressions", {"response-", "msgpack-"});
  ASSERT_FALSE(inputs.empty()) << "tests/fuzz/regressions/ holds no inputs";
  for (const testing::NamedInput& in : inputs) {
    const std::string failure = in.name.rfind("response-", 0) == 0
                                    ? fuzz::CheckResponseBytes(AsBytes(in.bytes))
                                    : fuzz::CheckMsgpackBytes(AsBytes(in.bytes));
    EXPECT_EQ(failure, "") << in.name;
  }
}

// The seed corpus itself: every golden frame and stream passes the
// response checks, every captured msgpack payload the msgpack checks.
TEST(FuzzRegressionTest, GoldenFramesPassTheResponseChecks) {
  for (const testing::GoldenFile& file : testing::AllGolden()) {
    std::string stream;
    for (const testing::GoldenMessage& m : file.messages) {
      EXPECT_EQ(fuzz::CheckResponseBytes(m.span()), "") << file.name;
      stream += m.bytes;
    }
    EXPECT_EQ(fuzz::CheckResponseBytes(AsBytes(stream)), "") << file.name;
  }
}

}  // namespace
}  // namespace aerospike_py::proto
