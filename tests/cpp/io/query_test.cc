// The client core's scans and queries against the embedded server, without
// Python: chunks through a QueryStream, backpressure (a consumer that does
// not take chunks makes the query pause reading, and taking them resumes
// it), cancel, max_records paging with the partition cursor, and a
// 3-node cluster where every partition is read exactly once.
#include <set>

#include "client/query_command.h"
#include "client/query_stream.h"
#include "client_test_support.h"

namespace aerospike_py::client::testing {
namespace {

class QueryTest : public ::testing::Test {
 protected:
  void TearDown() override {
    // Everything a test created is gone once its client closed.
    for (int i = 0; i < 200 && (GlobalCounters().live_commands.load() != 0 ||
                                GlobalCounters().live_query_streams.load() != 0);
         ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    EXPECT_EQ(GlobalCounters().live_commands.load(), 0);
    EXPECT_EQ(GlobalCounters().live_query_streams.load(), 0);
  }
};

void Fill(Client& c, const std::string& set, int n, size_t pad = 16) {
  for (int i = 0; i < n; ++i) {
    auto done = Exec(c, Put(IntKey(set, i), {{"i", p::Value::Int(i)},
                                             {"pad", p::Value::String(std::string(pad, 'x'))}}));
    ASSERT_TRUE(done->status.ok());
  }
}

std::unique_ptr<QueryCommand> Scan(const std::string& set, std::shared_ptr<QueryStream> stream) {
  auto q = std::make_unique<QueryCommand>();
  q->ns = "test";
  q->set = set;
  q->policy.total_timeout_ms = 0;
  q->policy.socket_timeout_ms = 10000;
  q->stream = stream;
  q->sink = stream;
  return q;
}

// Takes every chunk until the end; returns the records' "i" bins.
std::vector<int64_t> Drain(Client& c, const std::shared_ptr<QueryStream>& stream,
                           std::unique_ptr<QueryCommand>* done, size_t stop_after = SIZE_MAX) {
  QueryStream& s = *stream;
  std::vector<int64_t> out;
  for (;;) {
    QueryChunk chunk;
    bool resume = false;
    const QueryStream::Next next = s.Take(&chunk, &resume);
    if (resume) {
      c.Submit(std::make_unique<QueryControlCommand>(stream,
                                                     QueryControlCommand::Action::kResume));
    }
    if (next == QueryStream::Next::kEnd) break;
    if (next == QueryStream::Next::kWait) {
      s.WaitFor(100);
      continue;
    }
    for (size_t r = 0; r < chunk.records.size(); ++r) {
      auto m = p::ParseMessage(chunk.frame.body().subspan(chunk.records[r].offset));
      EXPECT_TRUE(m.ok());
      const p::MessageView view = chunk.Record(r);
      EXPECT_EQ(view.ops.size(), m->ops.size());
      EXPECT_EQ(view.fields.size(), m->fields.size());
      p::OpIterator it(view);
      p::OpView op;
      while (it.Next(&op)) {
        if (op.name == "i") out.push_back(static_cast<int64_t>(LoadBE64(op.value.data())));
      }
      if (out.size() >= stop_after) return out;
    }
  }
  *done = s.TakeCommand();
  return out;
}

TEST_F(QueryTest, ScanStreamsEveryRecordOnce) {
  auto server = StartServer();
  auto client = Connect(ConfigFor(*server));
  Fill(*client, "scan", 500);
  auto stream = std::make_shared<QueryStream>();
  client->Submit(Scan("scan", stream));
  std::unique_ptr<QueryCommand> done;
  std::vector<int64_t> got = Drain(*client, stream, &done);
  ASSERT_NE(done, nullptr);
  EXPECT_TRUE(done->status.ok()) << done->status;
  EXPECT_EQ(done->records, 500u);
  EXPECT_TRUE(done->all_done);
  std::sort(got.begin(), got.end());
  ASSERT_EQ(got.size(), 500u);
  for (int i = 0; i < 500; ++i) EXPECT_EQ(got[i], i);
}

TEST_F(QueryTest, SlowConsumerPausesReadingAndResumes) {
  auto server = StartServer();
  auto client = Connect(ConfigFor(*server));
  Fill(*client, "slow", 3000, 1000);  // ~3 MB of records
  auto stream = std::make_shared<QueryStream>(64 * 1024);
  client->Submit(Scan("slow", stream));
  // Take nothing for a while: the buffer fills to its bound and stops.
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  EXPECT_GE(stream->pauses(), 1u);
  EXPECT_LT(stream->buffered_bytes(), 1u << 20);  // bounded, far below the result
  std::unique_ptr<QueryCommand> done;
  std::vector<int64_t> got = Drain(*client, stream, &done);
  ASSERT_NE(done, nullptr);
  EXPECT_TRUE(done->status.ok()) << done->status;
  EXPECT_EQ(got.size(), 3000u);
  EXPECT_GE(stream->pauses(), 2u);
}

TEST_F(QueryTest, CancelClosesTheStream) {
  auto server = StartServer();
  auto client = Connect(ConfigFor(*server));
  Fill(*client, "cancel", 2000, 1000);
  auto stream = std::make_shared<QueryStream>(32 * 1024);
  client->Submit(Scan("cancel", stream));
  std::unique_ptr<QueryCommand> done;
  std::vector<int64_t> got = Drain(*client, stream, &done, 10);
  EXPECT_EQ(got.size(), 10u);
  stream->Abandon();
  client->Submit(std::make_unique<QueryControlCommand>(stream,
                                                       QueryControlCommand::Action::kCancel));
  for (int i = 0; i < 500 && !stream->ended(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_TRUE(stream->ended());
  auto finished = stream->TakeCommand();
  ASSERT_NE(finished, nullptr);
  EXPECT_EQ(finished->status.code(), absl::StatusCode::kCancelled);
  EXPECT_FALSE(finished->all_done);
}

TEST_F(QueryTest, MaxRecordsPagesWithTheCursor) {
  auto server = StartServer(3, 2);
  auto client = Connect(ConfigFor(*server));
  Fill(*client, "pages", 700);
  std::vector<PartitionStatus> cursor;
  std::set<int64_t> seen;
  for (int page = 0; page < 20; ++page) {
    auto stream = std::make_shared<QueryStream>();
    auto q = Scan("pages", stream);
    q->max_records = 100;
    q->partitions = cursor;
    client->Submit(std::move(q));
    std::unique_ptr<QueryCommand> done;
    std::vector<int64_t> got = Drain(*client, stream, &done);
    ASSERT_NE(done, nullptr);
    ASSERT_TRUE(done->status.ok()) << done->status;
    EXPECT_LE(got.size(), 100u);
    for (int64_t i : got) EXPECT_TRUE(seen.insert(i).second) << "record " << i << " twice";
    cursor = done->partitions;
    if (done->all_done) break;
  }
  EXPECT_EQ(seen.size(), 700u);
}

}  // namespace
}  // namespace aerospike_py::client::testing
