// The expression evaluator's door into the CDT engine
// (csrc/server/expression_cdt.cc): calls answer what eval_call() of the
// real server answers (a read: the op's result; a modify: the modified
// local copy), comparisons refuse unordered maps only where msgpack_cmp
// reads one, and map_keys/map_values keep the stored order.
#include <gtest/gtest.h>

#include <string>

#include "server/expression_cdt.h"

namespace aerospike_py::server::exp {
namespace {

std::string B(std::initializer_list<int> b) {
  std::string s;
  for (int x : b) s.push_back(static_cast<char>(x));
  return s;
}

constexpr uint8_t kCdt = 0, kBits = 1, kHll = 2, kModify = 0x40;

TEST(ExpressionCdt, ListReadAnswersTheOpResult) {
  CallBin list{20, B({0x93, 0x01, 0x05, 0x03})};
  CallBin out;
  ASSERT_TRUE(RunCall(kCdt, B({0x91, 0x10}), list, &out));  // [SIZE]
  EXPECT_EQ(out.type, 1);
  EXPECT_EQ(out.value, B({0, 0, 0, 0, 0, 0, 0, 3}));
}

TEST(ExpressionCdt, MapModifyAnswersTheModifiedCopyInKeyOrder) {
  // Strings inside collections carry their particle type (3) first.
  CallBin map{19, B({0x81, 0xa2, 3, 'x', 0xa2, 3, 'u'})};
  CallBin out;
  ASSERT_TRUE(RunCall(kCdt | kModify, B({0x93, 0x43, 0xa2, 3, 'a', 0x01}), map, &out));  // PUT a=1
  EXPECT_EQ(out.type, 19);
  EXPECT_EQ(out.value, B({0x82, 0xa2, 3, 'a', 0x01, 0xa2, 3, 'x', 0xa2, 3, 'u'}));
}

TEST(ExpressionCdt, AFailedCallIsUnknown) {
  // A list op on a map bin: the engine answers 12, the expression unknown.
  CallBin map{19, B({0x81, 0xa1, 'x', 0x01})};
  CallBin out;
  EXPECT_FALSE(RunCall(kCdt, B({0x91, 0x10}), map, &out));
  // Sorting an unordered list descending while dropping duplicates: 4.
  CallBin list{20, B({0x93, 0x01, 0x05, 0x03})};
  EXPECT_FALSE(RunCall(kCdt | kModify, B({0x92, 0x0d, 0x03}), list, &out));
}

TEST(ExpressionCdt, BitAndHllCalls) {
  CallBin blob{4, B({0x01, 0x02})};
  CallBin out;
  ASSERT_TRUE(RunCall(kBits, B({0x93, 0x32, 0x00, 0x08}), blob, &out));  // GET 0..8
  EXPECT_EQ(out.type, 4);
  EXPECT_EQ(out.value, B({0x01}));
  // HLL init on no bin (modify of the local copy), then its count.
  CallBin none;
  CallBin hll;
  ASSERT_TRUE(RunCall(kHll | kModify, B({0x93, 0x00, 0x08, 0x00}), none, &hll));
  EXPECT_EQ(hll.type, 18);
  ASSERT_TRUE(RunCall(kHll, B({0x91, 0x32}), hll, &out));  // COUNT
  EXPECT_EQ(out.type, 1);
  EXPECT_EQ(out.value, B({0, 0, 0, 0, 0, 0, 0, 0}));
}

TEST(ExpressionCdt, ComparisonsThatReadAnUnorderedMapAreUnknown) {
  int c = 0;
  const std::string unordered = B({0x81, 0xa1, 'a', 0x01});
  EXPECT_FALSE(CompareMsgpack(unordered, unordered, true, &c));
  EXPECT_TRUE(CompareMsgpack(unordered, unordered, false, &c));  // in_list does not check
  EXPECT_EQ(c, 0);
  // Key-ordered maps (c7 00 01 marker) and empty maps compare.
  const std::string ordered = B({0x82, 0xc7, 0x00, 0x01, 0xc0, 0xa1, 'a', 0x01});
  EXPECT_TRUE(CompareMsgpack(ordered, ordered, true, &c));
  EXPECT_EQ(c, 0);
  EXPECT_TRUE(CompareMsgpack(B({0x80}), B({0x80}), true, &c));
  // Decided before the map is read: [1, {..}] < [2, {..}].
  const std::string l1 = B({0x92, 0x01, 0x81, 0xa1, 'a', 0x01});
  const std::string l2 = B({0x92, 0x02, 0x81, 0xa1, 'a', 0x01});
  EXPECT_TRUE(CompareMsgpack(l1, l2, true, &c));
  EXPECT_LT(c, 0);
  EXPECT_FALSE(CompareMsgpack(l1, l1, true, &c));
  // Truncated values cannot be compared.
  EXPECT_FALSE(CompareMsgpack(B({0x92, 0x01}), l1, false, &c));
}

TEST(ExpressionCdt, MapKeysAndValuesKeepStoredOrder) {
  std::string list;
  const std::string map = B({0x82, 0xa1, 'b', 0x01, 0xa1, 'a', 0x02});
  ASSERT_TRUE(MapKeysOrValues(map, false, &list));
  EXPECT_EQ(list, B({0x92, 0xa1, 'b', 0xa1, 'a'}));
  ASSERT_TRUE(MapKeysOrValues(map, true, &list));
  EXPECT_EQ(list, B({0x92, 0x01, 0x02}));
  EXPECT_FALSE(MapKeysOrValues(B({0x91, 0x01}), false, &list));
}

}  // namespace
}  // namespace aerospike_py::server::exp
