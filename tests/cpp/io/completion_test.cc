// Sinks and delivery: a sink never gets a command that still refers to it,
// so neither a Mailbox's queue nor a SyncWaiter's slot keeps the sink alive
// through its commands (the sync client's abandoned waits relied on this);
// an abandoned SyncWaiter destroys late commands.
#include <gtest/gtest.h>

#include <memory>

#include "client_test_support.h"

namespace aerospike_py::client::testing {
namespace {

class CompletionTest : public ClientTest {};

void SetDelay(server::Server& server, uint32_t ms) {
  server::Fault f;
  f.kind = server::FaultKind::kDelay;
  f.scope = server::FaultScope::kData;
  f.delay_ms = ms;
  ASSERT_TRUE(server.SetFault(0, f).ok());
}

class RecordingSink : public CompletionSink {
 public:
  void Complete(std::unique_ptr<Command> command) override {
    saw_own_reference = command->sink != nullptr;
    kept = std::move(command);
  }
  bool saw_own_reference = true;
  std::unique_ptr<Command> kept;
};

TEST(DeliverTest, ClearsTheCommandsSinkBeforeHandingItOver) {
  auto sink = std::make_shared<RecordingSink>();
  auto cmd = std::make_unique<ConnectCommand>();
  cmd->sink = sink;
  Deliver(std::move(cmd));
  EXPECT_FALSE(sink->saw_own_reference);
  ASSERT_NE(sink->kept, nullptr);
  EXPECT_EQ(sink->kept->sink, nullptr);
  Deliver(std::make_unique<ConnectCommand>());  // no sink: destroyed quietly
}

TEST(DeliverTest, QueuedCommandsDoNotKeepTheirMailboxAlive) {
  auto created = Mailbox::Create();
  ASSERT_TRUE(created.ok());
  std::shared_ptr<Mailbox> mailbox = std::move(*created);
  std::weak_ptr<Mailbox> weak = mailbox;
  for (int i = 0; i < 3; ++i) {
    auto cmd = std::make_unique<ConnectCommand>();
    cmd->sink = mailbox;
    Deliver(std::move(cmd));
  }
  mailbox.reset();  // the owner lets go while three commands are queued
  EXPECT_TRUE(weak.expired());
}

TEST_F(CompletionTest, WaiterDroppedBeforeALateCommandIsFreed) {
  auto server = StartServer();
  auto client = Connect(ConfigFor(*server));
  SetDelay(*server, 50);
  auto waiter = std::make_shared<SyncWaiter>();
  std::weak_ptr<SyncWaiter> weak = waiter;
  auto get = Get(IntKey("late", 1));
  get->sink = waiter;
  client->Submit(std::move(get));
  waiter.reset();  // the caller gives up without waiting (e.g. interrupted)
  // Delivery hands the command to the waiter, whose last reference was the
  // command's: both are freed, nothing keeps the other alive.
  EXPECT_TRUE(WaitFor([&] { return weak.expired(); }, 5000));
}

TEST_F(CompletionTest, AbandonedWaiterDestroysLateCommands) {
  auto server = StartServer();
  auto client = Connect(ConfigFor(*server));
  SetDelay(*server, 50);
  auto waiter = std::make_shared<SyncWaiter>();
  auto get = Get(IntKey("late", 2));
  get->sink = waiter;
  client->Submit(std::move(get));
  EXPECT_EQ(waiter->WaitFor(1), nullptr);
  waiter->Abandon();
  // The command completes later and is destroyed on arrival: the waiter,
  // still referenced here, holds nothing.
  EXPECT_TRUE(WaitFor([&] { return waiter.use_count() == 1; }, 5000));
  EXPECT_EQ(waiter->WaitFor(200), nullptr);
}

}  // namespace
}  // namespace aerospike_py::client::testing
