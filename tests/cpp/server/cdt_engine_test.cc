// The CDT engine on its own (csrc/server/cdt/): value ordering across
// types, list and map operations with their result types and errors,
// context navigation and creation, bit operations and HLL estimates.
// Expected values are the real Aerospike 8.1 server's answers.
#include <gtest/gtest.h>

#include <initializer_list>
#include <string>

#include "server/cdt/container.h"
#include "server/cdt/engine.h"
#include "server/cdt/msgpack_element.h"

namespace aerospike_py::server::cdt {
namespace {

// Tiny msgpack builders for the tests.
std::string I(int64_t v) { std::string s; PackInt(&s, v); return s; }
std::string S(std::string_view v) {
  std::string s;
  PackStrHeader(&s, static_cast<uint32_t>(v.size() + 1));
  s.push_back(3);
  s.append(v);
  return s;
}
std::string B(std::string_view v) {
  std::string s;
  PackStrHeader(&s, static_cast<uint32_t>(v.size() + 1));
  s.push_back(4);
  s.append(v);
  return s;
}
std::string D(double d) { std::string s; PackDouble(&s, d); return s; }
std::string Nil() { return std::string(1, static_cast<char>(0xc0)); }
std::string True() { return std::string(1, static_cast<char>(0xc3)); }
std::string L(std::initializer_list<std::string> items) {
  std::string s;
  PackArrayHeader(&s, static_cast<uint32_t>(items.size()));
  for (const auto& i : items) s += i;
  return s;
}
std::string M(std::initializer_list<std::pair<std::string, std::string>> entries) {
  std::string s;
  PackMapHeader(&s, static_cast<uint32_t>(entries.size()));
  for (const auto& [k, v] : entries) s += k + v;
  return s;
}
std::string Wildcard() { return std::string("\xd4\xff\x00", 3); }
std::string Inf() { return std::string("\xd4\xff\x01", 3); }

constexpr uint8_t kList = 20, kMap = 19;

struct Outcome {
  uint8_t rc = 0;
  OpReply reply;
  bool changed = false;
};

Outcome Cdt(bool modify, const std::string& op, BinValue* bin) {
  Outcome r;
  r.rc = ApplyCdt(modify, op, bin, &r.reply, &r.changed);
  return r;
}

BinValue ListBin(const std::string& packed) { return BinValue{true, kList, packed}; }
BinValue MapBin(const std::string& packed) { return BinValue{true, kMap, packed}; }

int64_t IntOf(const OpReply& r) {
  EXPECT_TRUE(r.has);
  EXPECT_EQ(r.type, 1);
  int64_t v = 0;
  for (char c : r.value) v = (v << 8) | static_cast<uint8_t>(c);
  return v;
}

TEST(CdtCompare, OrdersTypesAsTheServer) {
  // nil < bool < int < string < list < map < bytes < double < geojson
  const std::string order[] = {Nil(), True(), I(-5), I(7), S("a"), L({I(1)}),
                               M({{I(1), I(2)}}), B("x"), D(0.5)};
  for (size_t i = 0; i + 1 < std::size(order); ++i) {
    EXPECT_LT(Compare(order[i], order[i + 1]), 0) << i;
    EXPECT_GT(Compare(order[i + 1], order[i]), 0) << i;
  }
  EXPECT_LT(Compare(S("ab"), S("b")), 0);
  EXPECT_LT(Compare(S("a"), S("ab")), 0);
  EXPECT_LT(Compare(L({I(1), I(2)}), L({I(1), I(2), I(0)})), 0);
  EXPECT_GT(Compare(L({I(2)}), L({I(1), I(9)})), 0);
  // Maps: size first, then entries in stored order.
  EXPECT_LT(Compare(M({{I(9), I(9)}}), M({{I(1), I(1)}, {I(2), I(2)}})), 0);
  // A wildcard matches anything, and infinity is above everything.
  EXPECT_EQ(Compare(L({I(1), Wildcard()}), L({I(1), S("z"), I(3)})), 0);
  EXPECT_GT(Compare(Inf(), M({{I(1), I(1)}})), 0);
}

TEST(CdtRewrite, CompactsSortsAndRefuses) {
  std::string out;
  // d1 00 05 -> 05; a map with keys out of order is sorted by key.
  ASSERT_TRUE(RewriteUntrusted(std::string("\x92\xd1\x00\x05\x82\xa2\x03\x62\x01\xa2\x03\x61\x02", 13), &out));
  EXPECT_EQ(out, L({I(5), M({{S("a"), I(2)}, {S("b"), I(1)}})}));
  EXPECT_FALSE(RewriteUntrusted(M({{S("a"), I(1)}, {S("a"), I(2)}}), &out));  // duplicate key
  EXPECT_FALSE(RewriteUntrusted(M({{L({}), I(1)}}), &out));                     // bad key type
  EXPECT_FALSE(RewriteUntrusted(L({Wildcard()}), &out));
  EXPECT_FALSE(RewriteUntrusted(I(1) + I(2), &out));  // trailing bytes
}

TEST(CdtList, AppendInsertGetAndErrors) {
  BinValue bin;
  Outcome r = Cdt(true, L({I(1), I(4)}), &bin);  // append 4 to a missing bin
  ASSERT_EQ(r.rc, 0);
  EXPECT_EQ(IntOf(r.reply), 1);
  EXPECT_TRUE(r.changed);
  EXPECT_EQ(bin.type, kList);
  r = Cdt(true, L({I(2), L({I(3), I(1), I(3)})}), &bin);  // append_items
  EXPECT_EQ(IntOf(r.reply), 4);
  r = Cdt(true, L({I(3), I(6), I(9)}), &bin);  // insert past the end pads with nil
  EXPECT_EQ(IntOf(r.reply), 7);
  EXPECT_EQ(bin.value, L({I(4), I(3), I(1), I(3), Nil(), Nil(), I(9)}));
  // get_by_rank(value) 0 -> the nil
  r = Cdt(false, L({I(21), I(7), I(0)}), &bin);
  EXPECT_FALSE(r.reply.has);
  // get_all_by_value(index) 3 -> [1, 3]
  r = Cdt(false, L({I(22), I(1), I(3)}), &bin);
  EXPECT_EQ(r.reply.type, kList);
  EXPECT_EQ(r.reply.value, L({I(1), I(3)}));
  // get out of range: 26; a modify op sent as a read: 4
  EXPECT_EQ(Cdt(false, L({I(17), I(40)}), &bin).rc, 26);
  EXPECT_EQ(Cdt(false, L({I(1), I(40)}), &bin).rc, 4);
  // A list op on a map bin: 12.
  BinValue map = MapBin(M({{S("a"), I(1)}}));
  EXPECT_EQ(Cdt(true, L({I(1), I(1)}), &map).rc, 12);
}

TEST(CdtList, OrderedListKeepsOrderAndUnique) {
  BinValue bin;
  // append with create type ordered (1)
  ASSERT_EQ(Cdt(true, L({I(2), L({I(5), I(1), I(3)}), I(1)}), &bin).rc, 0);
  EXPECT_EQ(bin.value, std::string("\x94\xc7\x00\x01\x01\x03\x05", 7));
  // add_unique of an existing value: 24, with no-fail: 0 and unchanged
  EXPECT_EQ(Cdt(true, L({I(1), I(3), I(1), I(1)}), &bin).rc, 24);
  Outcome r = Cdt(true, L({I(1), I(3), I(1), I(5)}), &bin);
  EXPECT_EQ(r.rc, 0);
  EXPECT_FALSE(r.changed);
  // insert into an ordered list: 26
  EXPECT_EQ(Cdt(true, L({I(3), I(0), I(7)}), &bin).rc, 26);
  // remove_by_value_interval [2, inf) returning values
  r = Cdt(true, L({I(38), I(7), I(2), Inf()}), &bin);
  EXPECT_EQ(r.reply.value, L({I(3), I(5)}));
  EXPECT_EQ(bin.value, std::string("\x92\xc7\x00\x01\x01", 5));
}

TEST(CdtList, ServerQuirksOfRangeResults) {
  // get_by_rank_range values come out of the server's heap: a range nearer
  // the low end lists them in descending order.
  BinValue bin = ListBin(L({I(3), I(1), I(2), I(5), I(4)}));
  Outcome r = Cdt(false, L({I(26), I(7), I(0), I(2)}), &bin);
  EXPECT_EQ(r.reply.value, L({I(2), I(1)}));
  r = Cdt(false, L({I(26), I(7), I(3), I(2)}), &bin);
  EXPECT_EQ(r.reply.value, L({I(4), I(5)}));
  // An inverted value interval answers EXISTS from what it matched.
  r = Cdt(false, L({I(25), I(13 | 0x10000), I(1), I(2)}), &bin);
  EXPECT_EQ(r.reply.type, 17);
  EXPECT_EQ(r.reply.value, std::string(1, '\0'));
  // An inverted index range that leaves one piece is answered as that range.
  r = Cdt(false, L({I(24), I(1 | 0x10000), I(0), I(2)}), &bin);
  EXPECT_EQ(r.reply.value, L({I(2), I(3), I(4)}));
}

TEST(CdtMap, PutFlagsAndSelections) {
  BinValue bin;
  // put "b"=2 with order k-ordered (1)
  Outcome r = Cdt(true, L({I(67), S("b"), I(2), I(1)}), &bin);
  ASSERT_EQ(r.rc, 0);
  EXPECT_EQ(IntOf(r.reply), 1);
  r = Cdt(true, L({I(68), M({{S("c"), I(1)}, {S("a"), I(3)}})}), &bin);
  EXPECT_EQ(IntOf(r.reply), 3);
  EXPECT_EQ(bin.value, std::string("\x84\xc7\x00\x01\xc0", 5) + S("a") + I(3) + S("b") + I(2) +
                           S("c") + I(1));
  // create-only on an existing key: 24; update-only on a missing key: 23
  EXPECT_EQ(Cdt(true, L({I(67), S("a"), I(9), I(1), I(1)}), &bin).rc, 24);
  EXPECT_EQ(Cdt(true, L({I(67), S("z"), I(9), I(1), I(2)}), &bin).rc, 23);
  // get_by_rank_range(key_value) 0..2 -> {c:1, b:2} in rank order
  r = Cdt(false, L({I(106), I(8), I(0), I(2)}), &bin);
  EXPECT_EQ(r.reply.type, kMap);
  EXPECT_EQ(r.reply.value, std::string("\x83\xc7\x00\x08\xc0", 5) + S("c") + I(1) + S("b") + I(2));
  // increment creates a missing key
  r = Cdt(true, L({I(73), S("d"), I(5)}), &bin);
  EXPECT_EQ(IntOf(r.reply), 5);
  // size
  EXPECT_EQ(IntOf(Cdt(false, L({I(96)}), &bin).reply), 4);
}

TEST(CdtMap, UnflaggedMapsTakeNewKeysInKeyOrder) {
  // Real 8.1: a put into an unflagged map goes before the first greater key
  // while the stored keys ascend, else at the end.
  BinValue bin = MapBin(M({{S("b"), I(1)}, {S("x"), I(2)}}));
  ASSERT_EQ(Cdt(true, L({I(67), S("a"), I(0)}), &bin).rc, 0);
  ASSERT_EQ(Cdt(true, L({I(67), S("c"), I(3)}), &bin).rc, 0);
  EXPECT_EQ(bin.value, M({{S("a"), I(0)}, {S("b"), I(1)}, {S("c"), I(3)}, {S("x"), I(2)}}));
  BinValue unsorted = MapBin(M({{S("x"), I(1)}, {S("b"), I(2)}}));
  ASSERT_EQ(Cdt(true, L({I(67), S("y"), I(3)}), &unsorted).rc, 0);
  EXPECT_EQ(unsorted.value, M({{S("x"), I(1)}, {S("b"), I(2)}, {S("y"), I(3)}}));
  // put_items sorts the unflagged map by key first.
  ASSERT_EQ(Cdt(true, L({I(68), M({{S("a"), I(0)}})}), &unsorted).rc, 0);
  EXPECT_EQ(unsorted.value, M({{S("a"), I(0)}, {S("b"), I(2)}, {S("x"), I(1)}, {S("y"), I(3)}}));
  // A map key context with create inserts its key the same way.
  BinValue outer = MapBin(M({{S("x"), I(1)}}));
  ASSERT_EQ(Cdt(true, L({I(0xff), L({I(0x62), S("new")}), L({I(67), S("z"), I(26)})}), &outer).rc, 0);
  ASSERT_EQ(Cdt(true, L({I(0xff), L({I(0x22), S("new")}), L({I(67), S("a"), I(1)})}), &outer).rc, 0);
  EXPECT_EQ(outer.value, M({{S("new"), M({{S("a"), I(1)}, {S("z"), I(26)}})}, {S("x"), I(1)}}));
}

TEST(CdtContext, DigsAndCreates) {
  BinValue bin = ListBin(L({I(1), L({I(2), I(3)})}));
  // [0xff, [0x10, 1], [1, 5]]: append 5 to the list at index 1
  Outcome r = Cdt(true, L({I(0xff), L({I(0x10), I(1)}), L({I(1), I(5)})}), &bin);
  ASSERT_EQ(r.rc, 0);
  EXPECT_EQ(IntOf(r.reply), 3);
  EXPECT_EQ(bin.value, L({I(1), L({I(2), I(3), I(5)})}));
  // Index out of range without a create flag: 26.
  EXPECT_EQ(Cdt(true, L({I(0xff), L({I(0x10), I(7)}), L({I(1), I(5)})}), &bin).rc, 26);
  // A map key context with create (0x22 | 0x40 unordered map) on a missing bin.
  BinValue empty;
  r = Cdt(true, L({I(0xff), L({I(0x62), S("k")}), L({I(67), S("x"), I(1)})}), &empty);
  ASSERT_EQ(r.rc, 0);
  EXPECT_EQ(empty.type, kMap);
  EXPECT_EQ(empty.value, M({{S("k"), M({{S("x"), I(1)}})}}));
  // The selected element is not a list: 12.
  EXPECT_EQ(Cdt(true, L({I(0xff), L({I(0x10), I(0)}), L({I(1), I(5)})}), &bin).rc, 12);
  // Odd context: 4.
  EXPECT_EQ(Cdt(true, L({I(0xff), L({I(0x10)}), L({I(1), I(5)})}), &bin).rc, 4);
}

TEST(CdtBits, SetGetCountAndOverflow) {
  BinValue bin{true, 4, std::string("\x00\x00", 2)};
  OpReply reply;
  bool changed;
  // set 8 bits at offset 0 to 0xff (golden 64)
  ASSERT_EQ(ApplyBits(true, L({I(3), I(0), I(8), B("\xff"), I(0)}), &bin, &reply, &changed), 0);
  EXPECT_EQ(bin.value, std::string("\xff\x00", 2));
  ASSERT_EQ(ApplyBits(false, L({I(51), I(4), I(8)}), &bin, &reply, &changed), 0);
  EXPECT_EQ(IntOf(reply), 4);
  ASSERT_EQ(ApplyBits(false, L({I(50), I(4), I(8)}), &bin, &reply, &changed), 0);
  EXPECT_EQ(reply.value, std::string("\xf0", 1));
  // add 1 to the unsigned 8-bit 0xff: overflow fails (26) unless wrap/saturate
  EXPECT_EQ(ApplyBits(true, L({I(10), I(0), I(8), I(1)}), &bin, &reply, &changed), 26);
  ASSERT_EQ(ApplyBits(true, L({I(10), I(0), I(8), I(1), I(0), I(2)}), &bin, &reply, &changed), 0);
  EXPECT_EQ(bin.value[0], static_cast<char>(0xff));
  ASSERT_EQ(ApplyBits(true, L({I(10), I(0), I(8), I(1), I(0), I(4)}), &bin, &reply, &changed), 0);
  EXPECT_EQ(bin.value[0], 0);
  // out of range: 26; a bit op on a missing bin other than insert/resize: 17
  EXPECT_EQ(ApplyBits(false, L({I(50), I(16), I(8)}), &bin, &reply, &changed), 26);
  BinValue none;
  EXPECT_EQ(ApplyBits(true, L({I(3), I(0), I(8), B("\xff")}), &none, &reply, &changed), 17);
}

TEST(CdtHll, AddCountMatchesTheServer) {
  BinValue bin;
  OpReply reply;
  bool changed;
  // golden 65: add ["a","b","c","a"] with 8 index bits -> 3 added, count 3
  ASSERT_EQ(ApplyHll(true, L({I(1), L({S("a"), S("b"), S("c"), S("a")}), I(8), I(-1), I(0)}),
                     &bin, &reply, &changed), 0);
  EXPECT_EQ(IntOf(reply), 3);
  EXPECT_EQ(bin.type, 18);
  EXPECT_EQ(bin.value.size(), 11u + 192u);
  ASSERT_EQ(ApplyHll(false, L({I(50)}), &bin, &reply, &changed), 0);
  EXPECT_EQ(IntOf(reply), 3);
  ASSERT_EQ(ApplyHll(false, L({I(55)}), &bin, &reply, &changed), 0);
  EXPECT_EQ(reply.value, L({I(8), I(0)}));
  // index bits out of range: 4
  BinValue other;
  EXPECT_EQ(ApplyHll(true, L({I(0), I(17)}), &other, &reply, &changed), 4);
}

}  // namespace
}  // namespace aerospike_py::server::cdt
