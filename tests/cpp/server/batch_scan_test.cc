// Batch-index requests and scans through the Processor: row order and
// indexes, REPEAT rows, per-row result codes, the error semantics of
// respond-all-keys (§8.4), the LAST message in a frame of its own; scan
// partition filters, resume digests, max-records and selected bins (§9).
#include <algorithm>
#include <deque>
#include <map>
#include <set>

#include "proto/op_writer.h"
#include "server_test_support.h"

namespace aerospike_py::server::testing {
namespace {

using p::Value;

struct BatchBuilder {
  std::vector<p::Digest> digests;
  std::vector<p::BatchRow> rows;
  std::vector<std::unique_ptr<p::BatchRowShape>> shapes;
  std::vector<std::string> key_fields;
  p::BatchEnvelope env;

  p::BatchRowShape* Shape(uint8_t info1, uint8_t info2 = 0, ByteSpan ops = {}, uint16_t n_ops = 0,
                          std::string ns = "test") {
    auto s = std::make_unique<p::BatchRowShape>();
    s->row_flags = p::batch_row_flags::kHasInfo | p::batch_row_flags::kHasTtl |
                   (info2 ? p::batch_row_flags::kHasGeneration : 0);
    s->info1 = info1;
    s->info2 = info2;
    names.push_back(std::move(ns));
    s->ns = names.back();
    s->set = "demo";
    s->ops = ops;
    s->n_ops = n_ops;
    shapes.push_back(std::move(s));
    return shapes.back().get();
  }
  void Add(int64_t key, const p::BatchRowShape* shape) {
    digests.push_back(p::ComputeDigest("demo", key));
    p::BatchRow r;
    r.index = static_cast<uint32_t>(rows.size());
    r.shape = shape;
    rows.push_back(r);
  }
  ByteBuffer Encode() {
    for (size_t i = 0; i < rows.size(); ++i) rows[i].digest = digests[i].data();
    ByteBuffer b;
    p::EncodeBatchRequest(env, rows, &b);
    return b;
  }
  std::deque<std::string> names;
};

void Seed(Harness& h, int n) {
  for (int i = 0; i < n; ++i) {
    h.One(PutReq(i, {Write("a", Value::Int(i)), Write("s", Value::String(absl::StrCat("v", i)))}));
  }
}

// Frame boundaries of the last reply: the LAST message must sit alone.
size_t LastFrameSize(const ByteBuffer& bytes) {
  size_t pos = 0, last = 0;
  while (pos + 8 <= bytes.size()) {
    last = LoadBE48(bytes.data() + pos + 2);
    pos += 8 + last;
  }
  return last;
}

// The key_busy fault: every record, single or batch row, is answered
// KEY_BUSY and nothing is executed; the store is untouched.
TEST(Batch, ForcedRecordResultAnswersEveryRowUnexecuted) {
  Harness h;
  Seed(h, 3);
  h.processor().set_forced_record_result(14);
  EXPECT_EQ(h.One(GetReq(0)).rc(), 14);
  EXPECT_EQ(h.One(PutReq(0, {Write("a", Value::Int(100))})).rc(), 14);
  BatchBuilder b;
  b.env.batch_flags = p::batch_flags::kRespondAllKeys | p::batch_flags::kReportErrorRecord;
  auto* shape = b.Shape(p::info1::kRead | p::info1::kGetAll);
  for (int i = 0; i < 4; ++i) b.Add(i, shape);
  auto busy = h.Run(b.Encode());
  ASSERT_EQ(busy.size(), 5u);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(busy[i].rc(), 14) << i;
  h.processor().set_forced_record_result(0);
  EXPECT_EQ(h.One(GetReq(0)).Int("a"), 0);  // the forced put did not apply
}

TEST(Batch, ReadsAnswerEveryRowInOrderThenLast) {
  Harness h;
  Seed(h, 7);
  BatchBuilder b;
  auto* shape = b.Shape(p::info1::kRead | p::info1::kGetAll);
  for (int i = 0; i < 10; ++i) b.Add(i, shape);  // rows 1..9 are REPEAT rows
  auto replies = h.Run(b.Encode());
  ASSERT_EQ(replies.size(), 11u);
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(replies[i].header.transaction_ttl, static_cast<uint32_t>(i));
    if (i < 7) {
      EXPECT_EQ(replies[i].rc(), 0);
      EXPECT_EQ(replies[i].Int("a"), i);
      EXPECT_EQ(replies[i].bins.size(), 2u);
    } else {
      EXPECT_EQ(replies[i].rc(), 2);
      EXPECT_TRUE(replies[i].bins.empty());
    }
  }
  EXPECT_EQ(replies[10].header.info3, p::info3::kLast);
  EXPECT_EQ(replies[10].rc(), 0);
  EXPECT_EQ(LastFrameSize(h.last_bytes()), p::kMsgHeaderSize);
}

TEST(Batch, ExistsNamedBinsAndLegacyField42) {
  Harness h;
  Seed(h, 3);
  BatchBuilder b;
  auto* exists = b.Shape(p::info1::kRead | p::info1::kNoBinData);
  b.Add(0, exists);
  b.Add(5, exists);
  ByteBuffer ops;
  p::OpWriter w(&ops);
  w.Add(p::OpType::kRead, p::ParticleType::kNull, "s", {});
  auto* named = b.Shape(p::info1::kRead, 0, ops.span(), 1);
  b.Add(1, named);
  b.env.legacy_field = true;
  auto replies = h.Run(b.Encode());
  ASSERT_EQ(replies.size(), 4u);
  EXPECT_EQ(replies[0].rc(), 0);
  EXPECT_TRUE(replies[0].bins.empty());
  EXPECT_EQ(replies[0].header.generation, 1u);
  EXPECT_EQ(replies[1].rc(), 2);
  ASSERT_EQ(replies[2].bins.size(), 1u);
  EXPECT_EQ(replies[2].bins[0].name, "s");
}

TEST(Batch, WritesDeletesAndOperateRows) {
  Harness h;
  Seed(h, 2);
  BatchBuilder b;
  ByteBuffer put_ops;
  p::OpWriter pw(&put_ops);
  pw.Add(p::OpType::kWrite, p::ParticleType::kInteger, "a",
         ByteSpan(reinterpret_cast<const uint8_t*>("\0\0\0\0\0\0\0\x01"), 8));
  auto* put = b.Shape(0, p::info2::kWrite | p::info2::kRespondAllOps, put_ops.span(), 1);
  auto* del = b.Shape(0, p::info2::kWrite | p::info2::kRespondAllOps | p::info2::kDelete);
  ByteBuffer incr_ops;
  p::OpWriter iw(&incr_ops);
  iw.Add(p::OpType::kIncr, p::ParticleType::kInteger, "a",
         ByteSpan(reinterpret_cast<const uint8_t*>("\0\0\0\0\0\0\0\x05"), 8));
  iw.Add(p::OpType::kRead, p::ParticleType::kNull, "a", {});
  auto* incr = b.Shape(p::info1::kRead, p::info2::kWrite | p::info2::kRespondAllOps,
                       incr_ops.span(), 2);
  b.Add(10, put);
  b.Add(1, del);
  b.Add(0, incr);
  b.Add(99, del);
  auto replies = h.Run(b.Encode());
  ASSERT_EQ(replies.size(), 5u);
  EXPECT_EQ(replies[0].rc(), 0);
  ASSERT_EQ(replies[0].bins.size(), 1u);
  EXPECT_EQ(replies[0].bins[0].op, 2);  // write ops answer nil with their op code
  EXPECT_EQ(replies[1].rc(), 0);
  EXPECT_EQ(replies[1].header.generation, 0u);
  ASSERT_EQ(replies[2].bins.size(), 2u);
  EXPECT_EQ(replies[2].bins[1].Decoded(), Value::Int(5));
  EXPECT_EQ(replies[3].rc(), 2);
  EXPECT_EQ(h.One(GetReq(10)).Int("a"), 1);
  EXPECT_EQ(h.One(GetReq(1)).rc(), 2);
}

// The real server writes every op of a batch read row as READ (1), an
// expression read (7) included; a single operate echoes 7. Write rows keep
// the echoed op types (WritesDeletesAndOperateRows above).
TEST(Batch, ReadRowsAnswerEveryOpAsRead) {
  Harness h;
  Seed(h, 1);
  const uint8_t exp_op[] = {0x92, 0x05, 0x00};  // [expression 5, flags 0]
  ByteBuffer ops;
  p::OpWriter w(&ops);
  w.Add(p::OpType::kExpRead, p::ParticleType::kBlob, "x", ByteSpan(exp_op, sizeof exp_op));
  w.Add(p::OpType::kRead, p::ParticleType::kNull, "a", {});
  BatchBuilder b;
  b.Add(0, b.Shape(p::info1::kRead, 0, ops.span(), 2));
  auto replies = h.Run(b.Encode());
  ASSERT_EQ(replies.size(), 2u);
  ASSERT_EQ(replies[0].bins.size(), 2u);
  EXPECT_EQ(replies[0].bins[0].op, 1);
  EXPECT_EQ(replies[0].bins[0].Decoded(), Value::Int(5));
  EXPECT_EQ(replies[0].bins[1].op, 1);
}

TEST(Batch, AnErrorStopsTheSendingUnlessRespondAllKeys) {
  Harness h;
  Seed(h, 3);
  // Row 1 fails with 4 (a write without ops).
  auto build = [&](uint8_t flags) {
    BatchBuilder b;
    auto* read = b.Shape(p::info1::kRead | p::info1::kGetAll);
    auto* bad = b.Shape(0, p::info2::kWrite);
    b.Add(0, read);
    b.Add(1, bad);
    b.Add(2, read);
    b.env.batch_flags = flags;
    return h.Run(b.Encode());
  };
  auto all = build(p::batch_flags::kRespondAllKeys | p::batch_flags::kReportErrorRecord);
  ASSERT_EQ(all.size(), 4u);
  EXPECT_EQ(all[1].rc(), 4);
  EXPECT_EQ(all[2].rc(), 0);
  EXPECT_EQ(all[3].rc(), 0);  // LAST

  // Every row is executed; the block holding the failing row (here all
  // three) is sent, then LAST carrying the code.
  auto keep = build(p::batch_flags::kReportErrorRecord);
  ASSERT_EQ(keep.size(), 4u);
  EXPECT_EQ(keep[1].rc(), 4);
  EXPECT_EQ(keep[2].rc(), 0);
  EXPECT_EQ(keep[3].header.info3, p::info3::kLast);
  EXPECT_EQ(keep[3].rc(), 4);

  auto drop = build(0);
  ASSERT_EQ(drop.size(), 1u);  // the unsent block is dropped, LAST carries the code
  EXPECT_EQ(drop[0].rc(), 4);
}

TEST(Batch, NotFoundAndFilteredOutDoNotStopTheBatch) {
  Harness h;
  Seed(h, 2);
  BatchBuilder b;
  auto* read = b.Shape(p::info1::kRead | p::info1::kGetAll);
  b.Add(0, read);
  b.Add(7, read);
  b.Add(1, read);
  b.env.batch_flags = 0;
  // A batch-level filter a == 1 (field 43).
  std::string exp("\x93\x01\x93\x51\x02\xa1" "a" "\x01", 8);
  b.env.filter_expression = AsBytes(exp);
  auto replies = h.Run(b.Encode());
  ASSERT_EQ(replies.size(), 4u);
  EXPECT_EQ(replies[0].rc(), 27);
  EXPECT_EQ(replies[1].rc(), 2);
  EXPECT_EQ(replies[2].rc(), 0);
  EXPECT_EQ(replies[3].rc(), 0);
}

TEST(Batch, UnknownNamespaceRowAndWholeBatchFailures) {
  Harness h;
  BatchBuilder b;
  auto* read = b.Shape(p::info1::kRead | p::info1::kGetAll, 0, {}, 0, "nope");
  b.Add(0, read);
  b.env.batch_flags = p::batch_flags::kRespondAllKeys;
  auto replies = h.Run(b.Encode());
  // A row of an unknown namespace ends the parsing: the whole batch fails
  // with PARAMETER, whatever the flags.
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(replies[0].rc(), 4);
  EXPECT_EQ(replies[0].header.info3, p::info3::kLast);

  ServerOptions o;
  o.batch_max_requests = 2;
  Harness small(o);
  BatchBuilder big;
  auto* s = big.Shape(p::info1::kRead | p::info1::kGetAll);
  for (int i = 0; i < 3; ++i) big.Add(i, s);
  auto too_many = small.Run(big.Encode());
  ASSERT_EQ(too_many.size(), 1u);
  EXPECT_EQ(too_many[0].rc(), 151);
  EXPECT_EQ(too_many[0].header.info3, p::info3::kLast);
}

TEST(Batch, MalformedRowsFailWithParameterError) {
  Harness h;
  BatchBuilder b;
  auto* read = b.Shape(p::info1::kRead | p::info1::kGetAll);
  b.Add(0, read);
  b.Add(1, read);
  ByteBuffer req = b.Encode();
  // Claim 3 rows while only 2 follow.
  const size_t count_at = p::kProtoHeaderSize + p::kMsgHeaderSize + 5;
  StoreBE32(req.data() + count_at, 3);
  auto replies = h.Run(req);
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(replies[0].rc(), 4);
  EXPECT_EQ(replies[0].header.info3, p::info3::kLast);
}

// ---------------------------------------------------------------------------
// Scans

p::ScanRequest Scan(std::vector<uint16_t> pids) {
  p::ScanRequest s;
  s.header.info1 = p::info1::kRead;
  s.header.info3 = p::info3::kPartitionDone;
  s.header.record_ttl = 0xFFFFFFFF;
  s.ns = "test";
  s.set = "demo";
  s.socket_timeout = 3000;
  s.task_id = 7;
  s.partition_ids = std::move(pids);
  return s;
}
std::vector<uint16_t> AllPids() {
  std::vector<uint16_t> v(p::kPartitions);
  for (uint32_t i = 0; i < p::kPartitions; ++i) v[i] = static_cast<uint16_t>(i);
  return v;
}
ByteBuffer EncodeScan(const p::ScanRequest& s) {
  ByteBuffer b;
  p::EncodeScanRequest(s, &b);
  return b;
}

TEST(Scan, WholeSetWithFieldsAndLast) {
  Harness h;
  Seed(h, 50);
  p::RecordRequest other = PutReq(1000, {Write("x", Value::Int(1))});
  other.set = "other";
  other.digest = p::ComputeDigest("other", int64_t{1000});
  h.One(other);
  p::RecordRequest keyed = PutReq(500, {Write("k", Value::Int(1))});
  keyed.key = Value::String("five hundred");
  h.One(keyed);
  auto replies = h.Run(EncodeScan(Scan(AllPids())));
  ASSERT_EQ(replies.size(), 52u);
  std::set<int64_t> seen;
  for (size_t i = 0; i + 1 < replies.size(); ++i) {
    const ReplyMsg& m = replies[i];
    ASSERT_GE(m.fields.size(), 3u);
    EXPECT_EQ(m.fields[0].first, 0);
    EXPECT_EQ(m.fields[0].second, "test");
    EXPECT_EQ(m.fields[1].first, 4);
    EXPECT_EQ(m.fields[2].first, 1);
    EXPECT_EQ(m.fields[2].second, "demo");
    if (m.Bin("a")) seen.insert(m.Int("a"));
    if (m.Bin("k")) {
      ASSERT_EQ(m.fields.size(), 4u);
      EXPECT_EQ(m.fields[3].first, 2);
      EXPECT_EQ(m.fields[3].second, std::string("\x03") + "five hundred");
    }
  }
  EXPECT_EQ(seen.size(), 50u);
  EXPECT_EQ(replies.back().header.info3, p::info3::kLast);
}

TEST(Scan, PartitionFilterAndResumeDigest) {
  Harness h;
  Seed(h, 300);
  // Find a partition holding at least two records.
  std::map<uint32_t, std::vector<p::Digest>> by_pid;
  for (int i = 0; i < 300; ++i) {
    p::Digest d = p::ComputeDigest("demo", int64_t{i});
    by_pid[p::PartitionId(d)].push_back(d);
  }
  uint32_t pid = 0;
  for (auto& [k, v] : by_pid) {
    if (v.size() >= 2) { pid = k; break; }
  }
  auto& digests = by_pid[pid];
  // The real server walks a partition from the largest digest down.
  std::sort(digests.begin(), digests.end(), [](const p::Digest& a, const p::Digest& b) {
    return b < a;
  });
  auto only = h.Run(EncodeScan(Scan({static_cast<uint16_t>(pid)})));
  ASSERT_EQ(only.size(), digests.size() + 1);
  for (size_t i = 0; i < digests.size(); ++i) {
    // Descending digest order within a partition.
    EXPECT_EQ(only[i].fields[1].second,
              std::string(reinterpret_cast<const char*>(digests[i].data()), 20));
  }
  p::ScanRequest resume = Scan({});
  resume.resume_digests = {digests[0]};
  auto rest = h.Run(EncodeScan(resume));
  EXPECT_EQ(rest.size(), digests.size());  // the smaller digests (all but the first), plus LAST
}

TEST(Scan, MaxRecordsSelectedBinsAndNoBins) {
  Harness h;
  Seed(h, 20);
  h.One(PutReq(100, {Write("only", Value::Int(1))}));
  p::ScanRequest s = Scan(AllPids());
  s.max_records = 5;
  EXPECT_EQ(h.Run(EncodeScan(s)).size(), 6u);
  p::ScanRequest sel = Scan(AllPids());
  sel.bins = {"only"};
  auto selected = h.Run(EncodeScan(sel));
  ASSERT_EQ(selected.size(), 2u);  // records without the bin are not sent
  ASSERT_EQ(selected[0].bins.size(), 1u);
  p::ScanRequest meta = Scan(AllPids());
  meta.header.info1 |= p::info1::kNoBinData;
  auto m = h.Run(EncodeScan(meta));
  ASSERT_EQ(m.size(), 22u);
  EXPECT_EQ(m[0].header.info1, p::info1::kNoBinData);
  EXPECT_TRUE(m[0].bins.empty());
}

TEST(Scan, RequestErrors) {
  Harness h;
  Seed(h, 3);
  p::ScanRequest no_pdone = Scan(AllPids());
  no_pdone.header.info3 = 0;
  EXPECT_EQ(h.Run(EncodeScan(no_pdone))[0].rc(), 16);
  EXPECT_EQ(h.Run(EncodeScan(Scan({})))[0].rc(), 16);  // neither pids nor digests
  p::ScanRequest bad_ns = Scan(AllPids());
  bad_ns.ns = "nope";
  EXPECT_EQ(h.Run(EncodeScan(bad_ns))[0].rc(), 20);
  EXPECT_EQ(h.Run(EncodeScan(Scan({5000})))[0].rc(), 4);
  EXPECT_EQ(h.Run(EncodeScan(Scan({1, 1})))[0].rc(), 4);
  p::ScanRequest sindex = Scan(AllPids());
  sindex.index_range = p::IndexRange::IntegerEqual("a", 1);
  EXPECT_EQ(h.Run(EncodeScan(sindex))[0].rc(), 201);  // no such index
  p::ScanRequest unknown_set = Scan(AllPids());
  unknown_set.set = "never";
  auto none = h.Run(EncodeScan(unknown_set));
  ASSERT_EQ(none.size(), 1u);
  EXPECT_EQ(none[0].header.info3, p::info3::kLast);
}

TEST(Scan, FilterExpression) {
  Harness h;
  Seed(h, 30);
  p::ScanRequest s = Scan(AllPids());
  s.filter_expression = std::string("\x93\x04\x93\x51\x02\xa1" "a" "\x14", 8);  // a >= 20
  auto replies = h.Run(EncodeScan(s));
  EXPECT_EQ(replies.size(), 11u);
  for (size_t i = 0; i + 1 < replies.size(); ++i) EXPECT_GE(replies[i].Int("a"), 20);
}

}  // namespace
}  // namespace aerospike_py::server::testing

namespace aerospike_py::server::testing {
namespace {

TEST(Scan, PartitionsANodeDoesNotOwnAreAnsweredUnavailable) {
  ServerOptions o;
  o.nodes = 2;
  Harness h(o);
  Seed(h, 100);
  std::vector<uint16_t> owned, foreign;
  for (uint32_t pid = 0; pid < p::kPartitions; ++pid) {
    (h.state().cluster.IsReplica(0, pid) ? owned : foreign).push_back(static_cast<uint16_t>(pid));
  }
  ASSERT_FALSE(foreign.empty());
  h.state().cluster.node(0).misrouted.store(0);
  auto replies = h.Run(EncodeScan(Scan(AllPids())), /*node=*/0);
  size_t records = 0, done = 0;
  for (const ReplyMsg& m : replies) {
    if (m.header.info3 & p::info3::kPartitionDone) {
      EXPECT_EQ(m.rc(), 11);
      EXPECT_FALSE(h.state().cluster.IsReplica(0, m.header.generation));
      ++done;
    } else if (!(m.header.info3 & p::info3::kLast)) {
      const std::string& d = m.fields[1].second;
      EXPECT_TRUE(h.state().cluster.IsReplica(
          0, p::PartitionId(reinterpret_cast<const uint8_t*>(d.data()))));
      ++records;
    }
  }
  EXPECT_EQ(done, foreign.size());
  EXPECT_EQ(h.state().cluster.node(0).misrouted.load(), foreign.size());
  // The other node holds the rest: together every record is seen once.
  auto other = h.Run(EncodeScan(Scan(foreign)), 1);
  EXPECT_EQ(records + other.size() - 1, 100u);
}

}  // namespace
}  // namespace aerospike_py::server::testing

namespace aerospike_py::server::testing {
namespace {

TEST(Scan, BackgroundQueryAppliesWriteOpsAndIsShownDone) {
  Harness h;
  Seed(h, 20);
  p::ScanRequest bg;
  bg.header.info2 = p::info2::kWrite;
  bg.ns = "test";
  bg.set = "demo";
  bg.task_id = 4242;
  bg.filter_expression = std::string("\x93\x04\x93\x51\x02\xa1" "a" "\x0a", 8);  // a >= 10
  bg.ops = {Write("bg", Value::Int(1))};
  auto replies = h.Run(EncodeScan(bg));
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(replies[0].header.info3, p::info3::kLast);
  EXPECT_EQ(replies[0].rc(), 0);
  for (int i = 0; i < 20; ++i) {
    auto got = h.One(GetReq(i));
    EXPECT_EQ(got.Bin("bg") != nullptr, i >= 10) << i;
    EXPECT_EQ(got.header.generation, i >= 10 ? 2u : 1u);
  }
  const std::string show = h.Info("query-show:id=4242");
  EXPECT_NE(show.find("status=done(ok)"), std::string::npos) << show;
  EXPECT_NE(show.find("recs-succeeded=10:"), std::string::npos) << show;
  EXPECT_EQ(h.Info("query-show:id=1").rfind("ERROR", 0), 0u);
  // Read ops are not allowed in a background query.
  bg.ops = {Read("a")};
  EXPECT_EQ(h.Run(EncodeScan(bg))[0].rc(), 4);
}

}  // namespace
}  // namespace aerospike_py::server::testing
