// proto::CheckRecordAnswer / CheckStreamEnd / CheckInfoAnswer: every answer
// the real server gave the official client in the golden captures passes
// (no false alarm on real traffic), and answers that are well framed but do
// not fit their request fail: ops never asked for, out of order or twice,
// bins on an exists or an error, impossible generations, end-of-stream flags
// on records, particles whose layout breaks their type, info answers that
// do not echo their request.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "common/byte_order.h"
#include "golden_support.h"
#include "proto/batch.h"
#include "proto/compression.h"
#include "proto/message_view.h"
#include "proto/message_writer.h"
#include "proto/msgpack.h"
#include "proto/op_writer.h"
#include "proto/reply_check.h"

namespace aerospike_py::proto {
namespace {

using testing::AllGolden;
using testing::GoldenFile;
using testing::GoldenMessage;

// A reply message built from (op, particle, name, value) tuples.
struct ReplyOp {
  OpType op;
  ParticleType particle;
  std::string name;
  std::string value;
};

ByteBuffer BuildReply(const MsgHeader& header, const std::vector<ReplyOp>& ops) {
  ByteBuffer out;
  MessageWriter w(&out, header);
  for (const ReplyOp& op : ops) w.AddOp(op.op, op.particle, op.name, AsBytes(op.value));
  w.Finish();
  return out;
}

MessageView Parse(const ByteBuffer& frame) {
  StatusOr<MessageView> m = ParseMessage(frame.span().subspan(kProtoHeaderSize));
  EXPECT_TRUE(m.ok()) << m.status();
  return *m;
}

std::string Int8(int64_t v) {
  std::string s(8, '\0');
  StoreBE64(reinterpret_cast<uint8_t*>(s.data()), static_cast<uint64_t>(v));
  return s;
}

MsgHeader Ok(uint32_t generation = 1) {
  MsgHeader h;
  h.generation = generation;
  return h;
}

// Request ops reading the named bins.
ByteBuffer ReadOps(std::initializer_list<std::string_view> names) {
  ByteBuffer ops;
  OpWriter w(&ops);
  for (std::string_view n : names) w.Add(OpType::kRead, ParticleType::kNull, n, ByteSpan());
  return ops;
}

Status Check(const std::vector<ReplyOp>& reply_ops, const ReplyExpectation& e,
             const MsgHeader& header = Ok()) {
  ByteBuffer reply = BuildReply(header, reply_ops);
  return CheckRecordAnswer(Parse(reply), e);
}

TEST(ReplyCheckTest, NamedReadsAnswerAnInOrderSubsequence) {
  ByteBuffer ops = ReadOps({"a", "b", "c"});
  ReplyExpectation e = ExpectationFor(info1::kRead, 0, ops.span(), 3);
  ASSERT_EQ(e.ops, ReplyExpectation::Ops::kEchoRequest);
  const ReplyOp a{OpType::kRead, ParticleType::kInteger, "a", Int8(1)};
  const ReplyOp b{OpType::kRead, ParticleType::kString, "b", "x"};
  const ReplyOp c{OpType::kRead, ParticleType::kInteger, "c", Int8(3)};
  EXPECT_TRUE(Check({a, b, c}, e).ok());
  EXPECT_TRUE(Check({a, c}, e).ok());  // b missing from the record
  EXPECT_TRUE(Check({}, e).ok());
  EXPECT_FALSE(Check({c, a}, e).ok());     // out of order
  EXPECT_FALSE(Check({a, a}, e).ok());     // twice
  EXPECT_FALSE(Check({a, b, c, c}, e).ok());
  EXPECT_FALSE(Check({{OpType::kRead, ParticleType::kInteger, "z", Int8(1)}}, e).ok());
  // The op code is echoed too.
  EXPECT_FALSE(Check({{OpType::kWrite, ParticleType::kInteger, "a", Int8(1)}}, e).ok());
}

// A batch read row is answered with every op typed READ, whatever was asked
// (the server's as_batch_add_result()): a list read comes back as READ.
TEST(ReplyCheckTest, BatchReadRowsAnswerEveryOpAsRead) {
  ByteBuffer ops;
  OpWriter w(&ops);
  w.Add(OpType::kCdtRead, ParticleType::kBlob, "l", AsBytes(std::string("\x93\x03\x00\x01")));
  w.Add(OpType::kRead, ParticleType::kNull, "a", ByteSpan());
  ReplyExpectation e = ExpectationFor(info1::kRead, 0, ops.span(), 2);
  const ReplyOp l_as_read{OpType::kRead, ParticleType::kInteger, "l", Int8(7)};
  const ReplyOp a{OpType::kRead, ParticleType::kInteger, "a", Int8(1)};
  // A single-record answer echoes the op code: READ does not answer a list read.
  EXPECT_FALSE(Check({l_as_read, a}, e).ok());
  e = BatchRowExpectationFor(info1::kRead, 0, ops.span(), 2);
  ASSERT_TRUE(e.ops_answered_as_read);
  EXPECT_TRUE(Check({l_as_read, a}, e).ok());
  EXPECT_TRUE(Check({{OpType::kCdtRead, ParticleType::kInteger, "l", Int8(7)}, a}, e).ok());
  // Names and their order are still checked.
  EXPECT_FALSE(Check({a, l_as_read}, e).ok());
  EXPECT_FALSE(Check({{OpType::kRead, ParticleType::kInteger, "z", Int8(1)}}, e).ok());
  // Only READ stands in for another op.
  EXPECT_FALSE(Check({{OpType::kWrite, ParticleType::kInteger, "l", Int8(7)}, a}, e).ok());
}

TEST(ReplyCheckTest, AllBinsAnswersAreReadsWithBinNames) {
  ReplyExpectation e = ExpectationFor(info1::kRead | info1::kGetAll, 0, ByteSpan(), 0);
  ASSERT_EQ(e.ops, ReplyExpectation::Ops::kAnyBins);
  EXPECT_TRUE(Check({{OpType::kRead, ParticleType::kInteger, "any", Int8(1)}}, e).ok());
  EXPECT_FALSE(Check({{OpType::kRead, ParticleType::kInteger, "", Int8(1)}}, e).ok());
  EXPECT_FALSE(Check({{OpType::kRead, ParticleType::kInteger, std::string(16, 'n'), Int8(1)}}, e)
                   .ok());
  EXPECT_FALSE(Check({{OpType::kIncr, ParticleType::kInteger, "any", Int8(1)}}, e).ok());
  // A record always has a bin: a plain read of all bins gets at least one.
  EXPECT_FALSE(Check({}, e).ok());
}

TEST(ReplyCheckTest, OperateWithReadAllAcceptsBinsAndEchoedOps) {
  ByteBuffer ops;
  OpWriter w(&ops);
  w.Add(OpType::kIncr, ParticleType::kInteger, "n", AsBytes(Int8(1)));
  w.Add(OpType::kCdtModify, ParticleType::kNull, "l", ByteSpan());
  w.Add(OpType::kRead, ParticleType::kNull, "", ByteSpan());
  ReplyExpectation e =
      ExpectationFor(info1::kRead | info1::kGetAll, info2::kWrite, ops.span(), 3);
  EXPECT_TRUE(Check({{OpType::kCdtModify, ParticleType::kInteger, "l", Int8(2)},
                     {OpType::kRead, ParticleType::kInteger, "n", Int8(2)}},
                    e)
                  .ok());
  EXPECT_FALSE(Check({{OpType::kCdtModify, ParticleType::kInteger, "x", Int8(2)}}, e).ok());
  // With writes, the record may be gone by the time it is read.
  EXPECT_TRUE(Check({}, e).ok());
}

TEST(ReplyCheckTest, ExistsAndDeleteAnswerWithoutBins) {
  const ReplyOp bin{OpType::kRead, ParticleType::kInteger, "a", Int8(1)};
  ReplyExpectation exists = ExpectationFor(info1::kRead | info1::kNoBinData, 0, ByteSpan(), 0);
  EXPECT_TRUE(Check({}, exists).ok());
  EXPECT_FALSE(Check({bin}, exists).ok());
  ReplyExpectation del = ExpectationFor(0, info2::kWrite | info2::kDelete, ByteSpan(), 0);
  EXPECT_TRUE(Check({}, del, Ok(0)).ok());
  EXPECT_FALSE(Check({bin}, del).ok());
  // A request without ops or read-all (a UDF call) is not constrained.
  ReplyExpectation udf = ExpectationFor(0, info2::kWrite, ByteSpan(), 0);
  EXPECT_TRUE(Check({{OpType::kRead, ParticleType::kString, "SUCCESS", "ok"}}, udf).ok());
}

TEST(ReplyCheckTest, HeaderNumbersMustBePossible) {
  ReplyExpectation get = ExpectationFor(info1::kRead | info1::kGetAll, 0, ByteSpan(), 0);
  const ReplyOp bin{OpType::kRead, ParticleType::kInteger, "a", Int8(1)};
  EXPECT_TRUE(Check({bin}, get, Ok(0xFFFF)).ok());
  EXPECT_FALSE(Check({bin}, get, Ok(0x10000)).ok());  // generations are 16 bits
  EXPECT_FALSE(Check({bin}, get, Ok(0)).ok());        // a record has generation >= 1
  MsgHeader not_found;
  not_found.result_code = 2;
  EXPECT_TRUE(Check({}, get, not_found).ok());
  EXPECT_FALSE(Check({bin}, get, not_found).ok());  // an error carries no bins
  MsgHeader last = Ok();
  last.info3 = info3::kLast;
  EXPECT_FALSE(Check({bin}, get, last).ok());
  MsgHeader done = Ok();
  done.info3 = info3::kPartitionDone;
  EXPECT_FALSE(Check({bin}, get, done).ok());
  // A write answers with its new generation; 0 is not refused there.
  ReplyExpectation put = ExpectationFor(0, info2::kWrite, ByteSpan(), 0);
  EXPECT_TRUE(Check({}, put, Ok(0)).ok());
}

TEST(ReplyCheckTest, ParticlesMustFitTheirType) {
  ReplyExpectation get = ExpectationFor(info1::kRead | info1::kGetAll, 0, ByteSpan(), 0);
  auto one = [&](ParticleType t, std::string value) {
    return Check({{OpType::kRead, t, "b", std::move(value)}}, get);
  };
  EXPECT_TRUE(one(ParticleType::kInteger, Int8(7)).ok());
  EXPECT_FALSE(one(ParticleType::kInteger, "1234").ok());
  EXPECT_TRUE(one(ParticleType::kFloat, Int8(7)).ok());
  EXPECT_FALSE(one(ParticleType::kFloat, "123456789").ok());
  EXPECT_TRUE(one(ParticleType::kBool, "\x01").ok());
  EXPECT_FALSE(one(ParticleType::kBool, "").ok());
  EXPECT_TRUE(one(ParticleType::kNull, "").ok());
  EXPECT_FALSE(one(ParticleType::kNull, "x").ok());
  EXPECT_TRUE(one(ParticleType::kList, "\x92\x01\x02").ok());
  EXPECT_FALSE(one(ParticleType::kList, "\x93\x01\x02").ok());      // short
  EXPECT_FALSE(one(ParticleType::kList, "\x92\x01\x02\x03").ok());  // trailing byte
  EXPECT_FALSE(one(ParticleType::kList, "\x81\x01\x02").ok());      // a map
  EXPECT_TRUE(one(ParticleType::kMap, "\x81\x01\x02").ok());
  EXPECT_FALSE(one(ParticleType::kMap, "\x81\x01").ok());
  EXPECT_FALSE(one(ParticleType::kMap, "\x92\x01\x02").ok());
  EXPECT_FALSE(one(ParticleType::kList, "\xdd\xff\xff\xff\xff").ok());  // huge count
  // Strings, blobs and unknown types have no layout to check.
  EXPECT_TRUE(one(ParticleType::kString, "\xff\xfe").ok());
  EXPECT_TRUE(one(static_cast<ParticleType>(99), "??").ok());
}

TEST(ReplyCheckTest, NestingIsBoundedAsTheBridgeDecodesIt) {
  auto nested = [](int levels) {
    std::string s(static_cast<size_t>(levels), '\x91');  // [[[...]]]
    s.back() = '\x90';
    return s;
  };
  EXPECT_TRUE(CheckMsgpackValue(AsBytes(nested(kMaxMsgpackDepth + 1)), true).ok());
  EXPECT_FALSE(CheckMsgpackValue(AsBytes(nested(kMaxMsgpackDepth + 2)), true).ok());
  EXPECT_FALSE(CheckMsgpackValue(AsBytes(std::string("\x91\x01\x02", 3)), true).ok());
  EXPECT_FALSE(CheckMsgpackValue(ByteSpan(), true).ok());
}

TEST(ReplyCheckTest, StreamEndCarriesOnlyAResult) {
  MsgHeader h;
  h.info3 = info3::kLast;
  h.result_code = 4;
  ByteBuffer end = BuildReply(h, {});
  EXPECT_TRUE(CheckStreamEnd(Parse(end)).ok());
  h.transaction_ttl = 17;  // a record's row index: a flipped LAST bit
  EXPECT_FALSE(CheckStreamEnd(Parse(BuildReply(h, {}))).ok());
  h.transaction_ttl = 0;
  h.generation = 3;
  EXPECT_FALSE(CheckStreamEnd(Parse(BuildReply(h, {}))).ok());
  h.generation = 0;
  EXPECT_FALSE(
      CheckStreamEnd(Parse(BuildReply(h, {{OpType::kRead, ParticleType::kNull, "a", ""}}))).ok());
}

TEST(ReplyCheckTest, InfoAnswersEchoTheirRequest) {
  EXPECT_TRUE(CheckInfoAnswer("build\n", "build\t8.1.2.0\n").ok());
  EXPECT_TRUE(CheckInfoAnswer("a\nb\n", "a\t1\nb\t2\n").ok());
  EXPECT_TRUE(CheckInfoAnswer("a\nb\n", "a\tx\ny\nb\t2\n").ok());  // a value with a newline
  EXPECT_TRUE(CheckInfoAnswer("a\n", "a\t\n").ok());
  EXPECT_TRUE(CheckInfoAnswer("a\nb\n", "ERROR:80:not authenticated\n").ok());
  EXPECT_TRUE(CheckInfoAnswer("", "anything").ok());  // the summary
  EXPECT_FALSE(CheckInfoAnswer("build\n", "bUild\t8.1.2.0\n").ok());
  EXPECT_FALSE(CheckInfoAnswer("build\n", "build\t8.1.2.0").ok());
  EXPECT_FALSE(CheckInfoAnswer("build\n", "build\t8.1\nbuild\t8.1\n").ok());
  EXPECT_FALSE(CheckInfoAnswer("a\nb\n", "b\t2\na\t1\n").ok());
  EXPECT_FALSE(CheckInfoAnswer("a\nb\n", "a\t1\n").ok());
  EXPECT_FALSE(CheckInfoAnswer("a\n", "").ok());
  EXPECT_FALSE(CheckInfoAnswer("a\n", "ERROR:1:x\nmore\n").ok());
}

// --- Real traffic: the golden captures -------------------------------------

struct Pending {
  bool batch = false;
  bool info = false;
  bool stream = false;  // a scan or query: not checked here
  std::string request;  // body (inflated when it came compressed)
};

// Replays one capture file: each request with the reply (frames) that
// answered it, on its connection.
void CheckGoldenFile(const GoldenFile& file, size_t* records, size_t* infos) {
  std::map<int, std::vector<Pending>> queue;  // per connection
  for (const GoldenMessage& m : file.messages) {
    if (m.c2s) {
      if (m.type != 1 && m.type != 3 && m.type != 4) continue;
      Pending p;
      p.info = m.type == 1;
      p.request = std::string(AsChars(m.body()));
      if (m.type == 4) {
        StatusOr<ByteBuffer> inflated = DecompressBody(m.body());
        ASSERT_TRUE(inflated.ok()) << file.name;
        p.request = std::string(AsChars(inflated->span().subspan(kProtoHeaderSize)));
      }
      if (!p.info) {
        StatusOr<MessageView> req = ParseMessage(AsBytes(p.request));
        ASSERT_TRUE(req.ok()) << file.name;
        p.batch = req->FindField(FieldType::kBatchIndex).has_value() ||
                  req->FindField(FieldType::kBatchIndexWithSet).has_value();
        p.stream = !p.batch && !req->FindField(FieldType::kDigest).has_value();
      }
      queue[m.conn].push_back(p);
      continue;
    }
    if (m.type != 1 && m.type != 3) continue;
    auto& q = queue[m.conn];
    ASSERT_FALSE(q.empty()) << file.name << ": a reply without a request";
    const Pending& p = q.front();
    if (p.info) {
      Status s = CheckInfoAnswer(p.request, AsChars(m.body()));
      EXPECT_TRUE(s.ok()) << file.name << ": " << s;
      ++*infos;
      q.erase(q.begin());
      continue;
    }
    if (p.stream) {
      // Skipped to its LAST message.
      MessageIterator it(m.body());
      while (!it.AtEnd()) {
        StatusOr<MessageView> msg = it.Next();
        ASSERT_TRUE(msg.ok()) << file.name;
        if (msg->is_last()) q.erase(q.begin());
        if (msg->is_last()) break;
      }
      continue;
    }
    StatusOr<MessageView> req = ParseMessage(AsBytes(p.request));
    ASSERT_TRUE(req.ok());
    if (!p.batch) {
      StatusOr<MessageView> reply = ParseMessage(m.body());
      ASSERT_TRUE(reply.ok()) << file.name;
      Status s = CheckRecordAnswer(
          *reply, ExpectationFor(req->header.info1, req->header.info2, req->ops, req->header.n_ops));
      EXPECT_TRUE(s.ok()) << file.name << ": " << s;
      ++*records;
      q.erase(q.begin());
      continue;
    }
    // A batch: rows by index, with their REPEAT rows resolved.
    std::optional<ByteSpan> field = req->FindField(FieldType::kBatchIndex);
    if (!field) field = req->FindField(FieldType::kBatchIndexWithSet);
    StatusOr<BatchRowParser> rows = BatchRowParser::Create(*field);
    ASSERT_TRUE(rows.ok());
    std::map<uint32_t, ReplyExpectation> expect;
    BatchRowView row;
    while (true) {
      StatusOr<bool> more = rows->Next(&row);
      ASSERT_TRUE(more.ok());
      if (!*more) break;
      expect[row.index] = BatchRowExpectationFor(row.info1, row.info2, row.ops, row.n_ops);
    }
    MessageIterator it(m.body());
    bool last = false;
    while (!it.AtEnd()) {
      StatusOr<MessageView> msg = it.Next();
      ASSERT_TRUE(msg.ok()) << file.name;
      if (msg->is_last()) {
        EXPECT_TRUE(CheckStreamEnd(*msg).ok()) << file.name;
        last = true;
        continue;
      }
      auto e = expect.find(msg->header.transaction_ttl);
      ASSERT_NE(e, expect.end()) << file.name;
      Status s = CheckRecordAnswer(*msg, e->second);
      EXPECT_TRUE(s.ok()) << file.name << ": " << s;
      ++*records;
    }
    if (last) q.erase(q.begin());
  }
}

TEST(ReplyCheckTest, EveryGoldenAnswerFitsItsRequest) {
  size_t records = 0, infos = 0;
  for (const GoldenFile& file : AllGolden()) CheckGoldenFile(file, &records, &infos);
  EXPECT_GE(records, 190u);  // 196 record answers and 40+ info answers when written
  EXPECT_GT(infos, 20u);
}

}  // namespace
}  // namespace aerospike_py::proto
