// The store on its own: insert/find/erase accounting per namespace and set,
// expiry on read and by the sweeper, truncation by set and last-update time.
#include "server/bins.h"
#include "server/store.h"
#include "server_test_support.h"

namespace aerospike_py::server::testing {
namespace {

Record* Put(Namespace& ns, int64_t key, std::string_view set, uint32_t void_time = 0,
            uint64_t lut = 1) {
  Record* r = ns.Insert(p::ComputeDigest(set, key), ns.SetId(set));
  r->generation = 1;
  r->void_time = void_time;
  r->last_update_ns = lut;
  BinList bins;
  bins.Set("a", 1, std::string(8, '\0'));
  r->bins = bins.Encode();
  r->n_bins = 1;
  return r;
}

TEST(Store, InsertFindEraseKeepCounts) {
  Namespace ns("test", 0);
  Put(ns, 1, "a");
  Put(ns, 2, "a");
  Put(ns, 3, "b");
  Put(ns, 4, "");
  EXPECT_EQ(ns.objects(), 4u);
  EXPECT_EQ(ns.sets()[ns.FindSetId("a")].objects, 2u);
  EXPECT_EQ(ns.sets()[0].objects, 1u);
  EXPECT_EQ(ns.FindSetId("zzz"), -1);
  EXPECT_NE(ns.Find(p::ComputeDigest("a", int64_t{1}), 0), nullptr);
  ns.Erase(p::ComputeDigest("a", int64_t{1}));
  ns.Erase(p::ComputeDigest("a", int64_t{1}));  // twice is harmless
  EXPECT_EQ(ns.Find(p::ComputeDigest("a", int64_t{1}), 0), nullptr);
  EXPECT_EQ(ns.objects(), 3u);
  EXPECT_EQ(ns.sets()[ns.FindSetId("a")].objects, 1u);
  ns.Clear();
  EXPECT_EQ(ns.objects(), 0u);
}

TEST(Store, ExpiredRecordsVanishOnReadAndAreSwept) {
  Namespace ns("test", 0);
  for (int i = 0; i < 1000; ++i) Put(ns, i, "s", i % 2 ? 100 : 0);  // odd keys expire at 100
  EXPECT_EQ(ns.objects(), 1000u);
  EXPECT_NE(ns.Find(p::ComputeDigest("s", int64_t{1}), 99), nullptr);
  EXPECT_EQ(ns.Find(p::ComputeDigest("s", int64_t{1}), 100), nullptr);
  EXPECT_EQ(ns.objects(), 999u);
  uint64_t swept = 0;
  for (int tick = 0; tick < 4; ++tick) swept += ns.SweepSome(200, p::kPartitions / 4);
  EXPECT_EQ(swept, 499u);
  EXPECT_EQ(ns.objects(), 500u);
  EXPECT_EQ(ns.SweepSome(200, p::kPartitions), 0u);
}

TEST(Store, TruncateBySetAndLastUpdate) {
  // Last-update times in Unix ns; cut-offs in ms since 2010-01-01.
  const uint64_t epoch_ns = uint64_t{p::kCitrusleafEpoch} * 1000000000ull;
  auto at_ms = [&](uint64_t ms) { return epoch_ns + ms * 1000000ull; };
  Namespace ns("test", 0);
  for (int i = 0; i < 10; ++i) Put(ns, i, "a", 0, /*lut=*/at_ms(i < 5 ? 100 : 200));
  for (int i = 0; i < 10; ++i) Put(ns, i, "b", 0, at_ms(100));
  const int a = ns.FindSetId("a");
  EXPECT_EQ(ns.Truncate(a, 150), 5u);
  EXPECT_EQ(ns.sets()[a].objects, 5u);
  EXPECT_EQ(ns.sets()[a].truncate_lut_ms, 150u);
  // A record updated in the cut-off's own millisecond stays.
  EXPECT_EQ(ns.Truncate(a, 200), 0u);
  // An earlier cut-off than the current one changes nothing.
  EXPECT_EQ(ns.Truncate(a, 120), 0u);
  EXPECT_EQ(ns.sets()[a].truncate_lut_ms, 200u);
  EXPECT_TRUE(ns.WriteIsTruncated(static_cast<uint16_t>(a), 199));
  EXPECT_FALSE(ns.WriteIsTruncated(static_cast<uint16_t>(a), 200));
  ns.UndoTruncate(a);
  EXPECT_FALSE(ns.WriteIsTruncated(static_cast<uint16_t>(a), 199));
  EXPECT_EQ(ns.Truncate(-1, 1000), 15u);
  EXPECT_EQ(ns.truncate_lut_ms(), 1000u);
  EXPECT_TRUE(ns.WriteIsTruncated(0, 999));
  EXPECT_EQ(ns.objects(), 0u);
}

TEST(Store, ANamespaceHoldsAtMost4095Sets) {
  Namespace ns("test", 0);
  for (size_t i = 1; i <= Namespace::kMaxSets; ++i) {
    ASSERT_TRUE(ns.CanUseSet("s" + std::to_string(i)));
    ns.SetId("s" + std::to_string(i));
  }
  EXPECT_FALSE(ns.CanUseSet("one_more"));
  EXPECT_TRUE(ns.CanUseSet("s7"));  // known sets stay usable
  EXPECT_TRUE(ns.CanUseSet(""));
}

TEST(Store, BinListEncodesReplyOps) {
  BinList bins;
  bins.Set("a", 1, std::string("\0\0\0\0\0\0\0\x07", 8));
  bins.Set("bb", 3, "xy");
  bins.Set("a", 3, "z");  // replaced in place
  const std::string blob = bins.Encode();
  BinCursor c(blob);
  BinView b;
  ASSERT_TRUE(c.Next(&b));
  EXPECT_EQ(b.name, "a");
  EXPECT_EQ(b.type, 3);
  EXPECT_EQ(b.value, "z");
  EXPECT_EQ(b.encoded.size(), 8u + 1 + 1);
  EXPECT_EQ(static_cast<uint8_t>(b.encoded[4]), 1);  // op READ
  ASSERT_TRUE(c.Next(&b));
  EXPECT_EQ(b.name, "bb");
  EXPECT_FALSE(c.Next(&b));
  BinList again(blob);
  EXPECT_EQ(again.size(), 2u);
  EXPECT_TRUE(FindBin(blob, "bb", &b));
  EXPECT_FALSE(FindBin(blob, "b", &b));
}

}  // namespace
}  // namespace aerospike_py::server::testing
