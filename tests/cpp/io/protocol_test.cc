// Malformed and unexpected answers from a scripted node: each fails only
// the command that was waiting (DataLoss), closes that connection, and the
// next command succeeds on a fresh one.
#include <gtest/gtest.h>

#include <atomic>

#include "client_test_support.h"
#include "fake_node.h"
#include "proto/message_view.h"

namespace aerospike_py::client::testing {
namespace {

enum class Mode {
  kGood,
  kWrongType,        // an info frame instead of AS_MSG
  kAdminFrame,       // type 2 on a data connection
  kHugeHeader,       // announces more than 128 MiB
  kBadHeaderSize,    // AS_MSG header_sz != 22
  kExtraBytes,       // bytes after the message inside its frame
  kTrailingFrame,    // a complete answer followed by another frame
  kBigValue,         // a 2 MiB bin (read in place)
  kBatchBadIndex,    // a batch record for an index that was not asked
  kBatchAfterLast,   // a record after the LAST message
};

class ProtocolTest : public ClientTest {
 protected:
  void SetUp() override {
    node_ = std::make_unique<FakeNode>([this](const proto::Frame& f, bool* close_after) {
      return Answer(f, close_after);
    });
    ClientConfig c;
    c.seeds.push_back({"127.0.0.1", node_->port(), ""});
    c.tend_interval_ms = 50;
    client_ = Connect(c);
  }
  void TearDown() override {
    client_.reset();
    node_.reset();
    ClientTest::TearDown();
  }

  std::string Answer(const proto::Frame& f, bool* close_after) {
    switch (mode_.load()) {
      case Mode::kGood:
        break;
      case Mode::kWrongType:
        return FakeNode::Frame(1, "node\tFAKE1\n");
      case Mode::kAdminFrame:
        return FakeNode::Frame(2, std::string(16, '\0'));
      case Mode::kHugeHeader: {
        std::string h(8, '\0');
        proto::EncodeProtoHeader(reinterpret_cast<uint8_t*>(h.data()), proto::ProtoType::kMessage,
                                 200ull << 20);
        return h;
      }
      case Mode::kBadHeaderSize: {
        std::string a = FakeNode::RecordAnswer(0, 1, "a", 1);
        a[8] = 21;
        return a;
      }
      case Mode::kExtraBytes: {
        std::string a = FakeNode::RecordAnswer(0, 1, "a", 1);
        a += "xyz";
        proto::EncodeProtoHeader(reinterpret_cast<uint8_t*>(a.data()), proto::ProtoType::kMessage,
                                 a.size() - 8);
        return a;
      }
      case Mode::kTrailingFrame:
        return FakeNode::RecordAnswer(0, 1, "a", 1) + FakeNode::RecordAnswer(0, 1, "a", 2);
      case Mode::kBigValue: {
        proto::MsgHeader h;
        h.generation = 1;
        ByteBuffer out;
        proto::MessageWriter w(&out, h);
        w.AddValueOp(proto::OpType::kRead, "big", proto::Value::Bytes(std::string(2 << 20, 'z')));
        w.Finish();
        return std::string(out.view());
      }
      case Mode::kBatchBadIndex:
      case Mode::kBatchAfterLast: {
        proto::MsgHeader rec;
        rec.transaction_ttl = mode_ == Mode::kBatchBadIndex ? 99 : 0;
        proto::MsgHeader last;
        last.info3 = proto::info3::kLast;
        ByteBuffer body;
        auto add = [&](const proto::MsgHeader& h) {
          uint8_t* p = body.Extend(proto::kMsgHeaderSize);
          proto::EncodeMsgHeader(p, h);
        };
        if (mode_ == Mode::kBatchBadIndex) {
          add(rec);
          add(last);
        } else {
          add(last);
          add(rec);
        }
        return FakeNode::Frame(3, std::string(body.view()));
      }
    }
    (void)close_after;
    (void)f;
    return FakeNode::RecordAnswer(0, 1, "a", 1);
  }

  std::unique_ptr<RecordCommand> OneGet() {
    auto g = Get(Key("p", "k"));
    g->policy.max_retries = 0;
    g->policy.total_timeout_ms = 2000;
    return Exec(*client_, std::move(g));
  }
  void ExpectDataLossThenRecovery(Mode mode) {
    mode_ = mode;
    auto bad = OneGet();
    EXPECT_EQ(bad->status.code(), absl::StatusCode::kDataLoss) << bad->status;
    mode_ = Mode::kGood;
    const int before = node_->connections_accepted();
    auto good = OneGet();
    ASSERT_TRUE(good->status.ok()) << good->status;
    EXPECT_EQ(BinsOf(good->message)["a"].as_int(), 1);
    EXPECT_EQ(node_->connections_accepted(), before + 1);  // a fresh connection
  }

  std::atomic<Mode> mode_{Mode::kGood};
  std::unique_ptr<FakeNode> node_;
  std::unique_ptr<Client> client_;
};

TEST_F(ProtocolTest, GoodAnswersReuseOneConnection) {
  const int before = node_->connections_accepted();
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(OneGet()->status.ok());
  EXPECT_EQ(node_->connections_accepted(), before + 1);
}

TEST_F(ProtocolTest, WrongProtoType) { ExpectDataLossThenRecovery(Mode::kWrongType); }
TEST_F(ProtocolTest, AdminFrameOnDataConnection) { ExpectDataLossThenRecovery(Mode::kAdminFrame); }
TEST_F(ProtocolTest, OversizedFrame) { ExpectDataLossThenRecovery(Mode::kHugeHeader); }
TEST_F(ProtocolTest, BadMessageHeaderSize) { ExpectDataLossThenRecovery(Mode::kBadHeaderSize); }
TEST_F(ProtocolTest, ExtraBytesInAnswer) { ExpectDataLossThenRecovery(Mode::kExtraBytes); }

// Two answers to one request: the first may belong to another exchange, so
// neither is trusted (a duplicate, or bytes left behind, look the same).
TEST_F(ProtocolTest, TrailingFrame) { ExpectDataLossThenRecovery(Mode::kTrailingFrame); }

TEST_F(ProtocolTest, UnsolicitedBytesOnAnIdleConnectionCloseIt) {
  ASSERT_TRUE(OneGet()->status.ok());
  const int64_t open = GlobalCounters().open_connections.load();
  node_->Broadcast(FakeNode::RecordAnswer(0, 1, "a", 5));
  EXPECT_TRUE(WaitFor([&] { return GlobalCounters().open_connections.load() == open - 1; }, 2000));
  const int before = node_->connections_accepted();
  ASSERT_TRUE(OneGet()->status.ok());
  EXPECT_EQ(node_->connections_accepted(), before + 1);
}

TEST_F(ProtocolTest, LargeAnswerIsReadInPlace) {
  mode_ = Mode::kBigValue;
  auto g = OneGet();
  ASSERT_TRUE(g->status.ok()) << g->status;
  auto bins = BinsOf(g->message);
  EXPECT_EQ(bins["big"].str().size(), size_t{2} << 20);
  EXPECT_EQ(bins["big"].str().back(), 'z');
}

TEST_F(ProtocolTest, MalformedBatchAnswers) {
  for (Mode mode : {Mode::kBatchBadIndex, Mode::kBatchAfterLast}) {
    mode_ = mode;
    BatchBuilder b;
    const uint16_t all = b.ReadAllSpec();
    b.AddIntKey("test", "p", 1, all);
    b.cmd->policy.max_retries = 0;
    auto done = Exec(*client_, std::move(b.cmd));
    EXPECT_EQ(done->status.code(), absl::StatusCode::kDataLoss) << done->status;
  }
  mode_ = Mode::kGood;
  ASSERT_TRUE(OneGet()->status.ok());
}

}  // namespace
}  // namespace aerospike_py::client::testing
