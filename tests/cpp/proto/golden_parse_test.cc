// Every exchange in tests/golden/ parses completely: requests and replies of
// every proto type (info, admin, AS_MSG, the compressed request), with every
// field and op size adding up exactly, info replies echoing their request
// lines, batch fields parsed row by row, and multi-record replies walked to
// their LAST message.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "common/strings.h"
#include "golden_support.h"
#include "proto/constants.h"

namespace aerospike_py::proto {
namespace {

using testing::AllGolden;
using testing::DecodedFrame;
using testing::DecodedMessage;
using testing::DecodeFrameStrict;
using testing::GoldenFile;
using testing::GoldenIndex;
using testing::GoldenMessage;

bool HasField(const DecodedMessage& m, FieldType type) {
  for (const auto& f : m.fields) {
    if (f.first == static_cast<uint8_t>(type)) return true;
  }
  return false;
}

TEST(GoldenParseTest, IndexListsEveryCaptureWithItsMessageCount) {
  std::map<std::string, const GoldenFile*> by_name;
  for (const GoldenFile& f : AllGolden()) by_name[f.name] = &f;
  const auto& files = GoldenIndex()["files"].items();
  ASSERT_EQ(files.size(), 98u);
  ASSERT_EQ(by_name.size(), files.size());
  for (const auto& entry : files) {
    const std::string name = entry["name"].as_string();
    ASSERT_TRUE(by_name.count(name)) << name;
    const GoldenFile& file = *by_name[name];
    EXPECT_EQ(file.messages.size(), static_cast<size_t>(entry["messages"].as_int())) << name;
    std::set<int> conns;
    for (const GoldenMessage& m : file.messages) conns.insert(m.conn);
    EXPECT_EQ(conns.size(), static_cast<size_t>(entry["connections"].as_int())) << name;
  }
}

TEST(GoldenParseTest, EveryMessageParsesToTheLastByte) {
  std::map<std::pair<bool, int>, int> seen;  // (c2s, type) -> frames
  size_t as_msgs = 0, ops = 0, fields = 0, rows = 0;
  for (const GoldenFile& file : AllGolden()) {
    for (size_t i = 0; i < file.messages.size(); ++i) {
      const GoldenMessage& m = file.messages[i];
      auto decoded = DecodeFrameStrict(m.span(), m.c2s);
      ASSERT_TRUE(decoded.ok()) << file.name << " #" << i + 1 << ": " << decoded.status();
      EXPECT_EQ(decoded->type, m.type) << file.name << " #" << i + 1;
      ++seen[{m.c2s, m.type}];
      for (const DecodedMessage& msg : decoded->messages) {
        ++as_msgs;
        ops += msg.ops.size();
        fields += msg.fields.size();
        rows += msg.batch_rows;
        EXPECT_EQ(msg.header.header_size, kMsgHeaderSize);
        EXPECT_EQ(msg.fields.size(), msg.header.n_fields);
        EXPECT_EQ(msg.ops.size(), msg.header.n_ops);
      }
    }
  }
  // Both directions of info, admin and AS_MSG, and the compressed request.
  EXPECT_GT((seen[{true, 1}]), 0);
  EXPECT_GT((seen[{false, 1}]), 0);
  EXPECT_EQ((seen[{true, 2}]), 1);
  EXPECT_EQ((seen[{false, 2}]), 1);
  EXPECT_GT((seen[{true, 3}]), 0);
  EXPECT_GT((seen[{false, 3}]), 0);
  EXPECT_EQ((seen[{true, 4}]), 1);
  EXPECT_EQ((seen[{false, 4}]), 0);
  EXPECT_GT(as_msgs, 300u);
  EXPECT_GT(ops, 300u);
  EXPECT_GT(fields, 300u);
  EXPECT_GT(rows, 50u);
}

// Each info reply names exactly the lines its request asked for, in order.
TEST(GoldenParseTest, InfoRepliesEchoTheirRequestLines) {
  int pairs = 0;
  for (const GoldenFile& file : AllGolden()) {
    std::map<int, std::vector<std::string>> pending;  // conn -> requested lines
    for (const GoldenMessage& m : file.messages) {
      if (m.type != 1) continue;
      auto decoded = DecodeFrameStrict(m.span(), m.c2s);
      ASSERT_TRUE(decoded.ok());
      if (m.c2s) {
        ASSERT_FALSE(decoded->info_body.empty());
        ASSERT_EQ(decoded->info_body.back(), '\n') << file.name;
        std::vector<std::string> lines;
        for (std::string_view l : Split(decoded->info_body, '\n', true)) lines.emplace_back(l);
        pending[m.conn] = lines;
        continue;
      }
      ASSERT_TRUE(pending.count(m.conn)) << file.name << ": reply without request";
      const std::vector<std::string>& asked = pending[m.conn];
      ASSERT_EQ(decoded->info.size(), asked.size()) << file.name;
      for (size_t i = 0; i < asked.size(); ++i) {
        EXPECT_EQ(decoded->info[i].first, asked[i]) << file.name;
        ++pairs;
      }
      pending.erase(m.conn);
    }
    EXPECT_TRUE(pending.empty()) << file.name << ": request without reply";
  }
  EXPECT_EQ(pairs, 57);
}

// Single-record requests get one frame with one message; batch, scan and
// query requests get a stream whose last message (and only that one) has
// info3 LAST.
TEST(GoldenParseTest, RepliesEndWhereTheirRequestSays) {
  int streams = 0, singles = 0;
  for (const GoldenFile& file : AllGolden()) {
    struct Pending {
      bool stream = false;
      std::vector<DecodedMessage> reply;
      int frames = 0;
    };
    std::map<int, Pending> pending;
    auto finish = [&](int conn) {
      auto it = pending.find(conn);
      if (it == pending.end()) return;
      const Pending& p = it->second;
      ASSERT_FALSE(p.reply.empty()) << file.name << ": no reply";
      if (p.stream) {
        ++streams;
        for (size_t i = 0; i + 1 < p.reply.size(); ++i) {
          EXPECT_FALSE(p.reply[i].header.info3 & info3::kLast) << file.name;
        }
        const DecodedMessage& last = p.reply.back();
        EXPECT_TRUE(last.header.info3 & info3::kLast) << file.name;
        EXPECT_EQ(last.header.n_fields, 0);
        EXPECT_EQ(last.header.n_ops, 0);
      } else {
        ++singles;
        EXPECT_EQ(p.frames, 1) << file.name;
        ASSERT_EQ(p.reply.size(), 1u) << file.name;
        EXPECT_FALSE(p.reply[0].header.info3 & info3::kLast) << file.name;
      }
      pending.erase(it);
    };
    for (const GoldenMessage& m : file.messages) {
      if (m.type != 3 && m.type != 4) continue;
      auto decoded = DecodeFrameStrict(m.span(), m.c2s);
      ASSERT_TRUE(decoded.ok());
      if (m.c2s) {
        finish(m.conn);
        ASSERT_EQ(decoded->messages.size(), 1u);
        const DecodedMessage& req = decoded->messages[0];
        Pending p;
        p.stream = (req.header.info1 & info1::kBatch) != 0 || !HasField(req, FieldType::kDigest);
        pending[m.conn] = std::move(p);
        continue;
      }
      ASSERT_TRUE(pending.count(m.conn)) << file.name;
      Pending& p = pending[m.conn];
      ++p.frames;
      for (DecodedMessage& d : decoded->messages) p.reply.push_back(std::move(d));
    }
    for (auto it = pending.begin(); it != pending.end(); it = pending.begin()) finish(it->first);
  }
  // 9 batch, 3 scan and 7 query commands; every other AS_MSG request is a
  // single-record command.
  EXPECT_EQ(streams, 19);
  EXPECT_EQ(singles, 132);
}

TEST(GoldenParseTest, CompressedRequestInflatesToAPut) {
  for (const GoldenFile& file : AllGolden()) {
    if (file.name != "36_put_compressed") continue;
    ASSERT_EQ(file.messages[0].type, 4);
    auto decoded = DecodeFrameStrict(file.messages[0].span(), true);
    ASSERT_TRUE(decoded.ok()) << decoded.status();
    ASSERT_EQ(decoded->messages.size(), 1u);
    const DecodedMessage& put = decoded->messages[0];
    EXPECT_EQ(put.header.info2, info2::kWrite);
    ASSERT_EQ(put.ops.size(), 1u);
    EXPECT_EQ(put.ops[0].name, "v");
    EXPECT_EQ(put.ops[0].value, Value::String(std::string(2000, 'x')));
    return;
  }
  FAIL() << "36_put_compressed missing";
}

TEST(GoldenParseTest, AdminExchangeIsQueryUsersAnsweredWithNotSupported) {
  for (const GoldenFile& file : AllGolden()) {
    if (file.name != "94_admin_query_users") continue;
    ASSERT_EQ(file.messages.size(), 2u);
    auto request = DecodeFrameStrict(file.messages[0].span(), true);
    auto reply = DecodeFrameStrict(file.messages[1].span(), false);
    ASSERT_TRUE(request.ok() && reply.ok());
    EXPECT_EQ(request->admin_command, 9);  // QUERY_USERS
    EXPECT_EQ(request->admin_fields, 0u);
    EXPECT_EQ(reply->admin_result, 51);    // SECURITY_NOT_SUPPORTED
    return;
  }
  FAIL() << "94_admin_query_users missing";
}

}  // namespace
}  // namespace aerospike_py::proto
