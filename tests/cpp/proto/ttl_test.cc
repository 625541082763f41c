#include "proto/ttl.h"

#include <ctime>

#include <gtest/gtest.h>

namespace aerospike_py::proto {
namespace {

TEST(Ttl, NeverExpiresIsAllOnes) { EXPECT_EQ(TtlFromVoidTime(0, 500), 0xFFFFFFFFu); }

TEST(Ttl, SecondsLeftAgainstTheGivenNow) {
  EXPECT_EQ(TtlFromVoidTime(1500, 500), 1000u);
  EXPECT_EQ(TtlFromVoidTime(501, 500), 1u);
}

TEST(Ttl, DueOrSkewedRecordsReportOneSecond) {
  EXPECT_EQ(TtlFromVoidTime(500, 500), 1u);
  EXPECT_EQ(TtlFromVoidTime(400, 500), 1u);
}

TEST(Ttl, NowIsNeverBehindTheCoarseClock) {
  // The coarse clock trails the precise one; the reverse would let a record
  // written at a second boundary report more TTL than it was given.
  const int64_t coarse = static_cast<int64_t>(std::time(nullptr)) - kCitrusleafEpoch;
  EXPECT_GE(NowServerEpochSeconds(), coarse);
}

}  // namespace
}  // namespace aerospike_py::proto
