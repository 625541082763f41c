// Single-record commands through the Processor: result codes and reply
// shapes as the real server answers them (wire protocol §7.1 and the golden
// captures), and that failed commands leave the store untouched.
#include "server_test_support.h"

namespace aerospike_py::server::testing {
namespace {

using p::info1::kGetAll;
using p::info1::kNoBinData;
using p::info1::kRead;
using p::Value;

TEST(RecordCommand, PutThenGetReturnsBinsInWriteOrder) {
  Harness h;
  auto put = h.One(PutReq(1, {Write("a", Value::Int(7)), Write("s", Value::String("x")),
                              Write("f", Value::Double(2.5)),
                              Write("l", Value::List({Value::Int(1), Value::String("a")}))}));
  EXPECT_EQ(put.rc(), 0);
  EXPECT_EQ(put.header.generation, 1u);
  EXPECT_EQ(put.header.record_ttl, 0u);  // default-ttl 0: never expires
  EXPECT_TRUE(put.bins.empty());
  auto get = h.One(GetReq(1));
  ASSERT_EQ(get.rc(), 0);
  EXPECT_EQ(get.header.generation, 1u);
  ASSERT_EQ(get.bins.size(), 4u);
  EXPECT_EQ(get.bins[0].name, "a");
  EXPECT_EQ(get.bins[0].op, 1);
  EXPECT_EQ(get.Int("a"), 7);
  EXPECT_EQ(get.Bin("s")->Decoded(), Value::String("x"));
  EXPECT_EQ(get.Bin("f")->Decoded(), Value::Double(2.5));
  EXPECT_EQ(get.Bin("l")->Decoded(), Value::List({Value::Int(1), Value::String("a")}));
  EXPECT_TRUE(get.fields.empty());  // single-record answers carry no fields
}

TEST(RecordCommand, SmallIntegersAreWidenedToEightBytes) {
  Harness h;
  p::RecordRequest r = PutReq(1, {});
  ByteBuffer b;
  {
    p::MessageWriter w(&b, r.header);
    w.AddField(p::FieldType::kNamespace, "test");
    w.AddField(p::FieldType::kSet, "demo");
    w.AddDigestField(r.digest.data());
    const uint8_t one = 5;
    w.AddOp(p::OpType::kWrite, p::ParticleType::kInteger, "i", ByteSpan(&one, 1));
    w.Finish();
  }
  EXPECT_EQ(h.Run(b)[0].rc(), 0);
  auto get = h.One(GetReq(1));
  ASSERT_EQ(get.bins.size(), 1u);
  EXPECT_EQ(get.bins[0].value.size(), 8u);
  EXPECT_EQ(get.Int("i"), 5);
}

TEST(RecordCommand, MissingRecordIsNotFoundWithZeroMetadata) {
  Harness h;
  auto get = h.One(GetReq(42));
  EXPECT_EQ(get.rc(), 2);
  EXPECT_EQ(get.header.generation, 0u);
  EXPECT_EQ(get.header.record_ttl, 0u);
  p::RecordRequest exists = Req(42);
  exists.header.info1 = kRead | kNoBinData;
  EXPECT_EQ(h.One(exists).rc(), 2);
}

TEST(RecordCommand, ExistsAndNamedBins) {
  Harness h;
  h.One(PutReq(1, {Write("a", Value::Int(1)), Write("b", Value::Int(2))}));
  p::RecordRequest exists = Req(1);
  exists.header.info1 = kRead | kNoBinData;
  auto e = h.One(exists);
  EXPECT_EQ(e.rc(), 0);
  EXPECT_EQ(e.header.generation, 1u);
  EXPECT_TRUE(e.bins.empty());

  p::RecordRequest sel = Req(1);
  sel.header.info1 = kRead;
  sel.ops = {Read("b"), Read("missing"), Read("a")};
  auto s = h.One(sel);
  ASSERT_EQ(s.bins.size(), 2u);  // missing bins are left out
  EXPECT_EQ(s.bins[0].name, "b");
  EXPECT_EQ(s.bins[1].name, "a");

  sel.header.info2 = p::info2::kRespondAllOps;
  auto all = h.One(sel);
  ASSERT_EQ(all.bins.size(), 3u);  // ... unless every op must answer
  EXPECT_EQ(all.bins[1].name, "missing");
  EXPECT_EQ(all.bins[1].type, 0);
}

TEST(RecordCommand, ReadWithoutOpsOrGetAllIsParameterError) {
  Harness h;
  h.One(PutReq(1, {Write("a", Value::Int(1))}));
  p::RecordRequest r = Req(1);
  r.header.info1 = kRead;
  EXPECT_EQ(h.One(r).rc(), 4);
}

TEST(RecordCommand, ExistsPolicies) {
  Harness h;
  p::RecordRequest create = PutReq(1, {Write("a", Value::Int(1))});
  create.header.info2 |= p::info2::kCreateOnly;
  EXPECT_EQ(h.One(create).rc(), 0);
  auto again = h.One(create);
  EXPECT_EQ(again.rc(), 5);
  EXPECT_EQ(again.header.generation, 1u);  // the existing record's

  p::RecordRequest update_only = PutReq(2, {Write("a", Value::Int(1))});
  update_only.header.info3 = p::info3::kUpdateOnly;
  EXPECT_EQ(h.One(update_only).rc(), 2);
  p::RecordRequest replace_only = PutReq(2, {Write("a", Value::Int(1))});
  replace_only.header.info3 = p::info3::kReplaceOnly;
  EXPECT_EQ(h.One(replace_only).rc(), 2);
  EXPECT_EQ(h.One(GetReq(2)).rc(), 2);

  // Replace drops the bins not written.
  h.One(PutReq(3, {Write("a", Value::Int(1)), Write("b", Value::Int(2))}));
  p::RecordRequest replace = PutReq(3, {Write("c", Value::Int(3))});
  replace.header.info3 = p::info3::kCreateOrReplace;
  auto rep = h.One(replace);
  EXPECT_EQ(rep.rc(), 0);
  EXPECT_EQ(rep.header.generation, 2u);
  auto got = h.One(GetReq(3));
  ASSERT_EQ(got.bins.size(), 1u);
  EXPECT_EQ(got.bins[0].name, "c");
  // Update (default) merges.
  h.One(PutReq(3, {Write("d", Value::Int(4))}));
  EXPECT_EQ(h.One(GetReq(3)).bins.size(), 2u);
}

TEST(RecordCommand, GenerationChecks) {
  Harness h;
  h.One(PutReq(1, {Write("a", Value::Int(1))}));
  h.One(PutReq(1, {Write("a", Value::Int(2))}));  // gen 2
  p::RecordRequest eq = PutReq(1, {Write("a", Value::Int(3))});
  eq.header.info2 |= p::info2::kGeneration;
  eq.header.generation = 99;
  auto bad = h.One(eq);
  EXPECT_EQ(bad.rc(), 3);
  EXPECT_EQ(bad.header.generation, 2u);
  eq.header.generation = 2;
  auto good = h.One(eq);
  EXPECT_EQ(good.rc(), 0);
  EXPECT_EQ(good.header.generation, 3u);

  p::RecordRequest gt = PutReq(1, {Write("a", Value::Int(4))});
  gt.header.info2 |= p::info2::kGenerationGt;
  gt.header.generation = 3;
  EXPECT_EQ(h.One(gt).rc(), 3);
  gt.header.generation = 4;
  EXPECT_EQ(h.One(gt).rc(), 0);
  EXPECT_EQ(h.One(GetReq(1)).Int("a"), 4);
}

TEST(RecordCommand, TtlSpecialValues) {
  Harness h;
  const uint32_t now = ServerEpochSeconds(NowUnixNanos());
  p::RecordRequest r = PutReq(1, {Write("a", Value::Int(1))});
  r.header.record_ttl = 3600;
  auto w = h.One(r);
  EXPECT_GE(w.header.record_ttl, now + 3599);
  EXPECT_LE(w.header.record_ttl, now + 3601);
  // -2: keep the void time.
  r.header.record_ttl = p::kTtlDontUpdate;
  EXPECT_EQ(h.One(r).header.record_ttl, w.header.record_ttl);
  // -1: never expire.
  r.header.record_ttl = p::kTtlNeverExpire;
  EXPECT_EQ(h.One(r).header.record_ttl, 0u);
  // More than ten years is refused.
  r.header.record_ttl = 10u * 365 * 24 * 3600 + 1;
  EXPECT_EQ(h.One(r).rc(), 4);
  // -2 on a new record means the namespace default.
  p::RecordRequest fresh = PutReq(2, {Write("a", Value::Int(1))});
  fresh.header.record_ttl = p::kTtlDontUpdate;
  EXPECT_EQ(h.One(fresh).header.record_ttl, 0u);
}

TEST(RecordCommand, NamespaceDefaultTtl) {
  ServerOptions o;
  o.default_ttl = 100;
  Harness h(o);
  const uint32_t now = ServerEpochSeconds(NowUnixNanos());
  auto w = h.One(PutReq(1, {Write("a", Value::Int(1))}));
  EXPECT_GE(w.header.record_ttl, now + 99);
  EXPECT_LE(w.header.record_ttl, now + 101);
}

TEST(RecordCommand, ExpiredRecordsVanishOnRead) {
  Harness h;
  h.One(PutReq(1, {Write("a", Value::Int(1))}));
  Namespace* ns = h.state().store.Find("test");
  Record* r = ns->Find(p::ComputeDigest("demo", int64_t{1}), 0);
  ASSERT_NE(r, nullptr);
  r->void_time = ServerEpochSeconds(NowUnixNanos()) - 1;  // expired a second ago
  EXPECT_EQ(h.One(GetReq(1)).rc(), 2);
  EXPECT_EQ(ns->objects(), 0u);
  // A create on top of an expired record is a fresh record.
  h.One(PutReq(2, {Write("a", Value::Int(1))}));
  ns->Find(p::ComputeDigest("demo", int64_t{2}), 0)->void_time = 1;
  p::RecordRequest create = PutReq(2, {Write("b", Value::Int(2))});
  create.header.info2 |= p::info2::kCreateOnly;
  auto c = h.One(create);
  EXPECT_EQ(c.rc(), 0);
  EXPECT_EQ(c.header.generation, 1u);
}

TEST(RecordCommand, SendKeyStoresAndChecksTheKey) {
  Harness h;
  p::RecordRequest r = PutReq(1, {Write("a", Value::Int(1))});
  r.key = Value::Int(1);
  EXPECT_EQ(h.One(r).rc(), 0);
  // The same digest with another key: 19.
  r.key = Value::Int(2);
  auto mismatch = h.One(r);
  EXPECT_EQ(mismatch.rc(), 19);
  EXPECT_EQ(mismatch.header.generation, 1u);
  p::RecordRequest get = GetReq(1);
  get.key = Value::Int(2);
  EXPECT_EQ(h.One(get).rc(), 19);
  get.key = Value::Int(1);
  EXPECT_EQ(h.One(get).rc(), 0);
  // The stored key is type byte + 8-byte BE integer.
  Record* rec = h.state().store.Find("test")->Find(p::ComputeDigest("demo", int64_t{1}), 0);
  ASSERT_NE(rec, nullptr);
  EXPECT_EQ(rec->key, std::string("\x01\0\0\0\0\0\0\0\x01", 9));
}

TEST(RecordCommand, DeletingABinMovesTheLastBinIntoItsPlace) {
  Harness h;
  h.One(PutReq(1, {Write("a", Value::Int(1)), Write("t", Value::Int(2)), Write("l", Value::Int(3)),
                   Write("g", Value::Int(4))}));
  h.One(PutReq(1, {Write("t", Value::Nil())}));
  auto get = h.One(GetReq(1));
  ASSERT_EQ(get.bins.size(), 3u);
  EXPECT_EQ(get.bins[0].name, "a");
  EXPECT_EQ(get.bins[1].name, "g");
  EXPECT_EQ(get.bins[2].name, "l");
}

TEST(RecordCommand, NullBinDeletesBinAndLastBinDeletesRecord) {
  Harness h;
  h.One(PutReq(1, {Write("a", Value::Int(1)), Write("b", Value::Int(2))}));
  auto w = h.One(PutReq(1, {Write("a", Value::Nil())}));
  EXPECT_EQ(w.rc(), 0);
  EXPECT_EQ(w.header.generation, 2u);
  auto get = h.One(GetReq(1));
  ASSERT_EQ(get.bins.size(), 1u);
  EXPECT_EQ(get.bins[0].name, "b");
  auto last = h.One(PutReq(1, {Write("b", Value::Nil())}));
  EXPECT_EQ(last.rc(), 0);
  EXPECT_EQ(last.header.generation, 0u);
  EXPECT_EQ(h.One(GetReq(1)).rc(), 2);
  // Only deletions on a missing record: not found, nothing created.
  EXPECT_EQ(h.One(PutReq(5, {Write("b", Value::Nil())})).rc(), 2);
  EXPECT_EQ(h.state().store.Find("test")->objects(), 0u);
}

TEST(RecordCommand, DeleteTouchAndDurableDelete) {
  Harness h;
  p::RecordRequest del = Req(1);
  del.header.info2 = p::info2::kWrite | p::info2::kDelete;
  EXPECT_EQ(h.One(del).rc(), 2);
  h.One(PutReq(1, {Write("a", Value::Int(1))}));
  p::RecordRequest durable = del;
  durable.header.info2 |= p::info2::kDurableDelete;
  EXPECT_EQ(h.One(durable).rc(), 25);  // Community Edition
  auto d = h.One(del);
  EXPECT_EQ(d.rc(), 0);
  EXPECT_EQ(d.header.generation, 0u);
  EXPECT_EQ(h.One(GetReq(1)).rc(), 2);

  p::RecordRequest touch = PutReq(2, {Op(p::OpType::kTouch, "")});
  touch.header.record_ttl = 600;
  EXPECT_EQ(h.One(touch).rc(), 2);  // touch never creates
  h.One(PutReq(2, {Write("a", Value::Int(1))}));
  auto t = h.One(touch);
  EXPECT_EQ(t.rc(), 0);
  EXPECT_EQ(t.header.generation, 2u);
  EXPECT_GT(t.header.record_ttl, 0u);
}

TEST(RecordCommand, OperateIncrAppendPrependAndReads) {
  Harness h;
  h.One(PutReq(1, {Write("n", Value::Int(10)), Write("s", Value::String("mid")),
                   Write("f", Value::Double(1.0))}));
  p::RecordRequest op = PutReq(1, {Op(p::OpType::kIncr, "n", Value::Int(5)),
                                   Op(p::OpType::kAppend, "s", Value::String("_end")),
                                   Op(p::OpType::kPrepend, "s", Value::String("start_")),
                                   Op(p::OpType::kIncr, "f", Value::Double(2.0)),
                                   Read("n"), Read("s"), Read("f")});
  op.header.info1 = kRead;
  auto r = h.One(op);
  ASSERT_EQ(r.rc(), 0);
  ASSERT_EQ(r.bins.size(), 3u);  // only reads answer without RESPOND_ALL_OPS
  EXPECT_EQ(r.Int("n"), 15);
  EXPECT_EQ(r.Bin("s")->Decoded(), Value::String("start_mid_end"));
  EXPECT_EQ(r.Bin("f")->Decoded(), Value::Double(3.0));
  EXPECT_EQ(r.header.generation, 2u);
  // Incr on a missing bin creates it.
  h.One(PutReq(1, {Op(p::OpType::kIncr, "new", Value::Int(3))}));
  EXPECT_EQ(h.One(GetReq(1)).Int("new"), 3);
}

TEST(RecordCommand, OperateTypeErrorsLeaveTheRecordAlone) {
  Harness h;
  h.One(PutReq(1, {Write("n", Value::Int(10)), Write("s", Value::String("x"))}));
  EXPECT_EQ(h.One(PutReq(1, {Op(p::OpType::kIncr, "s", Value::Int(1))})).rc(), 12);
  EXPECT_EQ(h.One(PutReq(1, {Op(p::OpType::kIncr, "n", Value::Double(1.5))})).rc(), 12);
  EXPECT_EQ(h.One(PutReq(1, {Op(p::OpType::kAppend, "n", Value::String("x"))})).rc(), 12);
  // incr of a string on an integer bin: INCOMPATIBLE_TYPE too (the
  // operand's type is checked against the bin's, not refused as a value).
  EXPECT_EQ(h.One(PutReq(1, {Op(p::OpType::kIncr, "n", Value::String("x"))})).rc(), 12);
  // A failing op after a successful one applies nothing.
  EXPECT_EQ(h.One(PutReq(1, {Write("n", Value::Int(99)),
                             Op(p::OpType::kIncr, "s", Value::Int(1))})).rc(), 12);
  auto get = h.One(GetReq(1));
  EXPECT_EQ(get.Int("n"), 10);
  EXPECT_EQ(get.header.generation, 1u);
}

TEST(RecordCommand, RespondAllOpsEchoesEveryOp) {
  Harness h;
  h.One(PutReq(1, {Write("n", Value::Int(1))}));
  p::RecordRequest op = PutReq(1, {Op(p::OpType::kIncr, "n", Value::Int(1)),
                                   Write("w", Value::String("v")), Read("n"), Read("zz")});
  op.header.info1 = kRead;
  op.header.info2 |= p::info2::kRespondAllOps;
  auto r = h.One(op);
  ASSERT_EQ(r.bins.size(), 4u);
  EXPECT_EQ(r.bins[0].op, 5);  // the request op's code, nil value
  EXPECT_EQ(r.bins[0].type, 0);
  EXPECT_EQ(r.bins[1].op, 2);
  EXPECT_EQ(r.bins[2].op, 1);
  EXPECT_EQ(r.bins[2].Decoded(), Value::Int(2));
  EXPECT_EQ(r.bins[3].type, 0);
}

TEST(RecordCommand, OperateDeleteAndReadAll) {
  Harness h;
  h.One(PutReq(1, {Write("a", Value::Int(1)), Write("b", Value::Int(2))}));
  p::RecordRequest op = PutReq(1, {Write("c", Value::Int(3)), Read("")});
  op.header.info1 = kRead | kGetAll;
  auto all = h.One(op);
  ASSERT_EQ(all.bins.size(), 3u);
  // read-all may not be combined with RESPOND_ALL_OPS or named reads.
  op.header.info2 |= p::info2::kRespondAllOps;
  EXPECT_EQ(h.One(op).rc(), 4);
  p::RecordRequest mixed = PutReq(1, {Read(""), Read("a")});
  mixed.header.info1 = kRead | kGetAll;
  EXPECT_EQ(h.One(mixed).rc(), 4);
  // A read op without the READ flag is refused.
  EXPECT_EQ(h.One(PutReq(1, {Read("a")})).rc(), 4);
  // Delete-record op then a write: the record is recreated with one bin.
  auto recreate = h.One(PutReq(1, {Op(p::OpType::kDelete, ""), Write("z", Value::Int(9))}));
  EXPECT_EQ(recreate.rc(), 0);
  auto get = h.One(GetReq(1));
  ASSERT_EQ(get.bins.size(), 1u);
  EXPECT_EQ(get.bins[0].name, "z");
  auto gone = h.One(PutReq(1, {Op(p::OpType::kDelete, "")}));
  EXPECT_EQ(gone.rc(), 0);
  EXPECT_EQ(gone.header.generation, 0u);
  EXPECT_EQ(h.One(GetReq(1)).rc(), 2);
}

TEST(RecordCommand, BadRequests) {
  Harness h;
  // Unknown namespace.
  p::RecordRequest r = PutReq(1, {Write("a", Value::Int(1))});
  r.ns = "nope";
  EXPECT_EQ(h.One(r).rc(), 20);
  // Bin name over 15 bytes.
  EXPECT_EQ(h.One(PutReq(1, {Write("sixteen_chars_xx", Value::Int(1))})).rc(), 21);
  // A write with no ops.
  EXPECT_EQ(h.One(PutReq(1, {})).rc(), 4);
  // A bool that is not one byte 0/1.
  ByteBuffer b;
  {
    p::RecordRequest base = PutReq(1, {});
    p::MessageWriter w(&b, base.header);
    w.AddField(p::FieldType::kNamespace, "test");
    w.AddDigestField(base.digest.data());
    const uint8_t two = 2;
    w.AddOp(p::OpType::kWrite, p::ParticleType::kBool, "b", ByteSpan(&two, 1));
    w.Finish();
  }
  EXPECT_EQ(h.Run(b)[0].rc(), 4);
  // Unknown op code 6.
  ByteBuffer u;
  {
    p::RecordRequest base = PutReq(1, {});
    p::MessageWriter w(&u, base.header);
    w.AddField(p::FieldType::kNamespace, "test");
    w.AddDigestField(base.digest.data());
    w.AddOp(static_cast<p::OpType>(6), p::ParticleType::kNull, "x", ByteSpan());
    w.Finish();
  }
  EXPECT_EQ(h.Run(u)[0].rc(), 4);
  // Nothing was stored by any of them.
  EXPECT_EQ(h.state().store.Find("test")->objects(), 0u);
}

TEST(RecordCommand, SetNameMustMatchTheRecordsSet) {
  Harness h;
  h.One(PutReq(1, {Write("a", Value::Int(1))}));  // set "demo"
  p::RecordRequest other = GetReq(1);
  other.set = "other";  // same digest, different set field
  EXPECT_EQ(h.One(other).rc(), 4);
  p::RecordRequest none = GetReq(1);
  none.set = "";
  EXPECT_EQ(h.One(none).rc(), 0);  // an empty set field matches any record
}

TEST(RecordCommand, FilterExpressions) {
  Harness h;
  h.One(PutReq(1, {Write("i", Value::Int(43)), Write("s", Value::String("bob"))}));
  auto with = [&](std::string exp) {
    p::RecordRequest r = GetReq(1);
    r.filter_expression = std::move(exp);
    return h.One(r);
  };
  // bin("i") == 43 (bytes of golden capture 49) and == 0 (capture 50).
  EXPECT_EQ(with(std::string("\x93\x01\x93\x51\x02\xa1\x69\x2b", 8)).rc(), 0);
  auto out = with(std::string("\x93\x01\x93\x51\x02\xa1\x69\x00", 8));
  EXPECT_EQ(out.rc(), 27);
  EXPECT_EQ(out.header.generation, 1u);
  // and(bin("s") == "bob", bin("i") > 40)
  EXPECT_EQ(with(std::string("\x93\x10\x93\x01\x93\x51\x03\xa1s\xa4\x03" "bob"
                             "\x93\x03\x93\x51\x02\xa1i\x28", 22)).rc(), 0);
  // A missing bin is "unknown", which filters out.
  EXPECT_EQ(with(std::string("\x93\x01\x93\x51\x02\xa1z\x01", 8)).rc(), 27);
  // An opcode we do not evaluate is a parameter error.
  EXPECT_EQ(with(std::string("\x92\x0b\x01", 3)).rc(), 4);
  // Writes honour the filter too and leave the record alone.
  p::RecordRequest w = PutReq(1, {Write("i", Value::Int(0))});
  w.filter_expression = std::string("\x93\x01\x93\x51\x02\xa1\x69\x00", 8);
  EXPECT_EQ(h.One(w).rc(), 27);
  EXPECT_EQ(h.One(GetReq(1)).Int("i"), 43);
}

TEST(RecordCommand, CdtReadOpsAnswerFromTheEngine) {
  // List ops are no longer answered 16: a list SIZE answers the size; a
  // modify op sent as a CDT read is a parameter error (4); a list op on an
  // integer bin answers 12, as the real server does.
  Harness h;
  h.One(PutReq(1, {Write("l", Value::List({Value::Int(1)})), Write("i", Value::Int(5))}));
  p::RecordRequest r = Req(1);
  r.header.info1 = kRead;
  r.ops = {Op(p::OpType::kCdtRead, "l", Value::Bytes(std::string("\x91\x10", 2)))};
  const auto size = h.One(r);
  EXPECT_EQ(size.rc(), 0);
  EXPECT_EQ(size.Int("l"), 1);
  r.ops = {Op(p::OpType::kCdtRead, "l", Value::Bytes(std::string("\x92\x01\x05", 3)))};
  EXPECT_EQ(h.One(r).rc(), 4);
  r.ops = {Op(p::OpType::kCdtRead, "i", Value::Bytes(std::string("\x91\x10", 2)))};
  EXPECT_EQ(h.One(r).rc(), 12);
}

}  // namespace
}  // namespace aerospike_py::server::testing

#include "server/geojson.h"

namespace aerospike_py::server::testing {
namespace {

TEST(GeoJson, PointCellIdMatchesTheRealServer) {
  // Golden capture 22: {"type":"Point","coordinates":[103.913,1.308]} is
  // stored with the single cell 0x31da180ab7f7a279.
  EXPECT_EQ(S2LeafCellId(1.308, 103.913), 0x31da180ab7f7a279ull);
  auto p = GeoJsonPoint("{\"type\":\"Point\",\"coordinates\":[103.913,1.308]}");
  ASSERT_TRUE(p.has_value());
  EXPECT_DOUBLE_EQ(p->first, 103.913);
  EXPECT_FALSE(GeoJsonPoint("{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,0],[1,1],[0,0]]]}"));
  EXPECT_FALSE(GeoJsonPoint("not json"));
}

}  // namespace
}  // namespace aerospike_py::server::testing

namespace aerospike_py::server::testing {
namespace {

using p::Value;

// An expression op value: msgpack [expression, flags].
Value ExpOp(std::string expression, uint8_t flags) {
  return Value::Bytes("\x92" + expression + std::string(1, static_cast<char>(flags)));
}

TEST(ExpressionOps, ReadAndWriteLikeGoldenCapture66) {
  Harness h;
  h.One(PutReq(1, {Write("n", Value::Int(16))}));
  p::RecordRequest r = PutReq(1, {
      // e = n + 100, r = n * 2 (the bytes of golden capture 66)
      Op(p::OpType::kExpModify, "e", ExpOp(std::string("\x93\x14\x93\x51\x02\xa1n\x64", 8), 0)),
      Op(p::OpType::kExpRead, "r", ExpOp(std::string("\x93\x16\x93\x51\x02\xa1n\x02", 8), 0))});
  r.header.info1 = p::info1::kRead;
  r.header.info2 |= p::info2::kRespondAllOps;
  auto reply = h.One(r);
  ASSERT_EQ(reply.rc(), 0);
  ASSERT_EQ(reply.bins.size(), 2u);
  EXPECT_EQ(reply.bins[0].op, 8);
  EXPECT_EQ(reply.bins[0].type, 0);
  EXPECT_EQ(reply.bins[1].op, 7);
  EXPECT_EQ(reply.bins[1].Decoded(), Value::Int(32));
  EXPECT_EQ(h.One(GetReq(1)).Int("e"), 116);

  // A read-only request may use expression reads too.
  p::RecordRequest ro = Req(1);
  ro.header.info1 = p::info1::kRead;
  ro.ops = {Op(p::OpType::kExpRead, "x", ExpOp(std::string("\x93\x14\x93\x51\x02\xa1" "e\x01", 8), 0))};
  auto got = h.One(ro);
  ASSERT_EQ(got.bins.size(), 1u);
  EXPECT_EQ(got.bins[0].Decoded(), Value::Int(117));
}

TEST(ExpressionOps, FlagsAndFailures) {
  Harness h;
  h.One(PutReq(1, {Write("n", Value::Int(1))}));
  const std::string missing_bin("\x93\x51\x02\xa1z", 5);  // bin("z") as int
  // Unknown result: 26 unless eval-no-fail.
  EXPECT_EQ(h.One(PutReq(1, {Op(p::OpType::kExpModify, "w", ExpOp(missing_bin, 0))})).rc(), 26);
  EXPECT_EQ(h.One(PutReq(1, {Op(p::OpType::kExpModify, "w", ExpOp(missing_bin, 16))})).rc(), 0);
  const std::string seven("\x07", 1);
  // create-only on an existing bin: 6 (or nothing with policy-no-fail).
  EXPECT_EQ(h.One(PutReq(1, {Op(p::OpType::kExpModify, "n", ExpOp(seven, 1))})).rc(), 6);
  EXPECT_EQ(h.One(PutReq(1, {Op(p::OpType::kExpModify, "n", ExpOp(seven, 1 | 8))})).rc(), 0);
  EXPECT_EQ(h.One(GetReq(1)).Int("n"), 1);
  // update-only on a missing bin: 17.
  EXPECT_EQ(h.One(PutReq(1, {Op(p::OpType::kExpModify, "q", ExpOp(seven, 2))})).rc(), 17);
  // nil deletes only with allow-delete.
  const std::string nil("\xc0", 1);
  EXPECT_EQ(h.One(PutReq(1, {Op(p::OpType::kExpModify, "n", ExpOp(nil, 0))})).rc(), 26);
  h.One(PutReq(1, {Write("m", Value::Int(5))}));
  EXPECT_EQ(h.One(PutReq(1, {Op(p::OpType::kExpModify, "n", ExpOp(nil, 4))})).rc(), 0);
  EXPECT_EQ(h.One(GetReq(1)).Bin("n"), nullptr);
  // Malformed op values: 4.
  EXPECT_EQ(h.One(PutReq(1, {Op(p::OpType::kExpModify, "n", Value::Bytes("\x01"))})).rc(), 4);
}

}  // namespace
}  // namespace aerospike_py::server::testing
