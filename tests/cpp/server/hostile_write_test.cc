// Writes and expressions at the edges a hostile client can reach (found
// while adding the fuzz_server target, tests/fuzz/README.md): the bins a
// record may hold, collection values clients could not decode, user keys
// and set names the server would not store, and integer expression
// arithmetic at INT64_MIN.
#include <limits>

#include "absl/strings/str_cat.h"
#include "server/reply.h"
#include "server_test_support.h"

namespace aerospike_py::server::testing {
namespace {

using p::Value;

constexpr size_t kMaxBins = 0x7FFF;  // the real server's RECORD_MAX_BINS

TEST(HostileWrite, RecordsHoldAtMost32767Bins) {
  Harness h;
  // A record at the cap, stored directly in its stored form (building it
  // through requests would cost a linear bin lookup per op).
  ByteBuffer full;
  for (size_t i = 0; i < kMaxBins; ++i) {
    AppendReplyOp(&full, 1, static_cast<uint8_t>(p::ParticleType::kString),
                  absl::StrCat("b", i), "v");
  }
  Namespace* ns = h.state().store.Find("test");
  Record* r = ns->Insert(Req(1).digest, ns->SetId("demo"));
  r->generation = 1;
  r->bins = std::string(full.view());
  r->n_bins = kMaxBins;

  // One more bin fails with 4, as the server's write_master_bin_ops() does,
  // and leaves the record alone; rewriting an existing bin still works.
  EXPECT_EQ(h.One(PutReq(1, {Write("one_more", Value::Int(1))})).rc(), 4);
  EXPECT_EQ(ns->partition(p::PartitionId(Req(1).digest)).at(Req(1).digest).n_bins, kMaxBins);
  EXPECT_EQ(h.One(PutReq(1, {Write("b7", Value::Int(7))})).rc(), 0);
  auto got = h.One(GetReq(1));
  ASSERT_EQ(got.rc(), 0);
  EXPECT_EQ(got.bins.size(), kMaxBins);
  EXPECT_EQ(got.Int("b7"), 7);
  // Deleting a bin makes room again.
  EXPECT_EQ(h.One(PutReq(1, {Write("b0", Value::Nil()), Write("one_more", Value::Int(1))})).rc(),
            0);
}

TEST(HostileWrite, CollectionsAreRewrittenOrRefusedAsTheServerDoes) {
  Harness h;
  auto put_raw = [&](p::ParticleType type, std::string value) {
    ByteBuffer b;
    p::RecordRequest base = PutReq(1, {});
    p::MessageWriter w(&b, base.header);
    w.AddField(p::FieldType::kNamespace, "test");
    w.AddField(p::FieldType::kSet, "demo");  // GetReq names it: reads check it
    w.AddDigestField(base.digest.data());
    w.AddOp(p::OpType::kWrite, type, "c", AsBytes(value));
    w.Finish();
    return h.Run(b)[0].rc();
  };
  // {ext(type 0x41, 1 byte): 1}: an ext is no map key; the server refuses
  // the value with UNKNOWN (1), as map_from_wire() does.
  EXPECT_EQ(put_raw(p::ParticleType::kMap, std::string("\x81\xd4\x41\x00\x01", 5)), 1);
  // A map sent as a list.
  EXPECT_EQ(put_raw(p::ParticleType::kList, std::string("\x81\x01\x02", 3)), 1);
  // A list nested 300 deep: the real server stores it, the embedded server
  // refuses nesting beyond 256 levels (its stack, and no client decodes
  // deeper) -- a deliberate difference.
  EXPECT_EQ(put_raw(p::ParticleType::kList, std::string(300, '\x91') + '\x01'), 1);
  EXPECT_EQ(h.state().store.Find("test")->objects(), 0u);
  // A fixext 2 first in a list is its order marker (the server keeps only
  // the ordered flag of its type, 7): stored as an empty ordered list.
  EXPECT_EQ(put_raw(p::ParticleType::kList, std::string("\x91\xd5\x07\x00\x00", 5)), 0);
  auto stored = h.One(GetReq(1));
  ASSERT_EQ(stored.bins.size(), 1u);
  EXPECT_EQ(stored.bins[0].value, std::string("\x91\xc7\x00\x01", 4));
  // What clients send is still stored: a key-ordered map (order marker
  // first) and a plain list.
  EXPECT_EQ(put_raw(p::ParticleType::kMap, std::string("\x82\xc7\x00\x01\xc0\xa2\x03" "a\x01", 9)),
            0);
  EXPECT_EQ(put_raw(p::ParticleType::kList, std::string("\x92\x01\xa2\x03" "a", 5)), 0);
}

TEST(HostileWrite, OnlyWellFormedUserKeysAreStored) {
  Harness h;
  auto put_with_key = [&](std::string key_field) {
    ByteBuffer b;
    p::RecordRequest base = PutReq(1, {});
    p::MessageWriter w(&b, base.header);
    w.AddField(p::FieldType::kNamespace, "test");
    w.AddField(p::FieldType::kSet, "demo");
    w.AddDigestField(base.digest.data());
    w.AddField(p::FieldType::kKey, AsBytes(key_field));
    const uint8_t one = 1;
    w.AddOp(p::OpType::kWrite, p::ParticleType::kInteger, "v", ByteSpan(&one, 1));
    w.Finish();
    return h.Run(b)[0].rc();
  };
  // An integer key of 1 byte, an empty key field: 16 (get_msg_key()).
  EXPECT_EQ(put_with_key(std::string("\x01\x04", 2)), 16);
  EXPECT_EQ(put_with_key(""), 16);
  EXPECT_EQ(h.state().store.Find("test")->objects(), 0u);
  // An 8-byte integer key is stored, and a later mismatch is 19.
  EXPECT_EQ(put_with_key(std::string("\x01\0\0\0\0\0\0\0\x01", 9)), 0);
  EXPECT_EQ(put_with_key(std::string("\x01\0\0\0\0\0\0\0\x02", 9)), 19);
  EXPECT_EQ(put_with_key(std::string("\x01\x04", 2)), 19);
}

TEST(HostileWrite, NewRecordsNeedASetNameTheServerCanHold) {
  Harness h;
  p::RecordRequest r = PutReq(1, {Write("a", Value::Int(1))});
  r.set = std::string(64, 's');
  EXPECT_EQ(h.One(r).rc(), 4);
  EXPECT_EQ(h.state().store.Find("test")->sets().size(), 1u);  // only "no set"
  r.set = std::string(63, 's');
  EXPECT_EQ(h.One(r).rc(), 0);
}

// Evaluates `expression` as an expression read on a stored record.
Value ExpRead(Harness& h, std::string expression) {
  p::RecordRequest r = Req(1);
  r.header.info1 = p::info1::kRead;
  r.ops = {Op(p::OpType::kExpRead, "x", Value::Bytes("\x92" + expression + '\x00'))};
  auto got = h.One(r);
  EXPECT_EQ(got.rc(), 0);
  return got.bins.size() == 1 ? got.bins[0].Decoded() : Value::String("<no bin>");
}

TEST(HostileWrite, IntegerExpressionsWrapInsteadOfTrapping) {
  Harness h;
  h.One(PutReq(1, {Write("n", Value::Int(1))}));
  const int64_t kMin = std::numeric_limits<int64_t>::min();
  const std::string min("\xd3\x80\x00\x00\x00\x00\x00\x00\x00", 9);
  // INT64_MIN / -1 and INT64_MIN % -1 trap in hardware; -, abs and a
  // float-to-int cast of NaN are undefined. They wrap like + - * do.
  EXPECT_EQ(ExpRead(h, "\x93\x17" + min + "\xff"), Value::Int(kMin));  // div
  EXPECT_EQ(ExpRead(h, "\x93\x1a" + min + "\xff"), Value::Int(0));     // mod
  EXPECT_EQ(ExpRead(h, "\x92\x1b" + min), Value::Int(kMin));           // abs
  EXPECT_EQ(ExpRead(h, "\x92\x15" + min), Value::Int(kMin));           // unary -
  const std::string nan("\xcb\x7f\xf8\x00\x00\x00\x00\x00\x00", 9);
  EXPECT_EQ(ExpRead(h, "\x92\x1e" + nan), Value::Int(kMin));           // to-int
  const std::string big("\xcb\x43\xe0\x00\x00\x00\x00\x00\x00", 9);   // 2^63
  EXPECT_EQ(ExpRead(h, "\x92\x1e" + big), Value::Int(kMin));
  // Ordinary values are unchanged.
  EXPECT_EQ(ExpRead(h, std::string("\x93\x17\xd0\x9c\xfd", 5)), Value::Int(33));   // -100 / -3
  EXPECT_EQ(ExpRead(h, std::string("\x93\x1a\xd0\x9c\xfd", 5)), Value::Int(-1));   // -100 % -3
  EXPECT_EQ(ExpRead(h, std::string("\x92\x1b\xd0\x9c", 4)), Value::Int(100));      // abs(-100)
  const std::string minus_2_5("\xcb\xc0\x04\x00\x00\x00\x00\x00\x00", 9);
  EXPECT_EQ(ExpRead(h, "\x92\x1e" + minus_2_5), Value::Int(-2));
}

}  // namespace
}  // namespace aerospike_py::server::testing
