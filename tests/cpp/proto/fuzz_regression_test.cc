// Replays every input under tests/fuzz/regressions/ (inputs that once broke
// a fuzz target; the file name says which target: response-* or msgpack-*)
// through the fuzz targets' own check functions, so a fixed crash stays
// fixed in every build, sanitized or not.
#include <dirent.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "checks.h"
#include "golden_support.h"

namespace aerospike_py::proto {
namespace {

std::vector<std::string> RegressionFiles() {
  std::vector<std::string> names;
  const std::string dir = std::string(ASPY_FUZZ_DIR) + "/regressions";
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d)) {
      std::string n = e->d_name;
      if (n.rfind("response-", 0) == 0 || n.rfind("msgpack-", 0) == 0) names.push_back(n);
    }
    closedir(d);
  }
  std::sort(names.begin(), names.end());
  return names;
}

TEST(FuzzRegressionTest, EveryRecordedInputPassesItsTarget) {
  const std::vector<std::string> files = RegressionFiles();
  ASSERT_FALSE(files.empty()) << "tests/fuzz/regressions/ holds no inputs";
  for (const std::string& name : files) {
    const std::string bytes =
        testing::ReadWholeFile(std::string(ASPY_FUZZ_DIR) + "/regressions/" + name);
    const std::string failure = name.rfind("response-", 0) == 0
                                    ? fuzz::CheckResponseBytes(AsBytes(bytes))
                                    : fuzz::CheckMsgpackBytes(AsBytes(bytes));
    EXPECT_EQ(failure, "") << name;
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
