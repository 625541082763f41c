// The TimerQueue heap on its own (no loop): order, cancel, re-arm from a
// callback, destruction while armed.
#include "io/timer_queue.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

namespace aerospike_py::io {
namespace {

struct Fired {
  std::vector<int> ids;
};

struct Probe {
  Probe(Fired* f, int i) : fired(f), id(i) {}
  Fired* fired;
  int id;
  Timer timer;
  static void Fire(void* arg) {
    auto* p = static_cast<Probe*>(arg);
    p->fired->ids.push_back(p->id);
  }
};

TEST(TimerQueueTest, FiresInDeadlineOrderAndCancels) {
  int64_t armed = -1;
  TimerQueue q([&](int64_t earliest) { armed = earliest; });
  Fired fired;
  std::vector<std::unique_ptr<Probe>> probes;
  std::mt19937 rng(7);
  for (int i = 0; i < 200; ++i) {
    probes.push_back(std::make_unique<Probe>(&fired, i));
    probes.back()->timer.Start(&q, 1000 + static_cast<int64_t>(rng() % 500), &Probe::Fire,
                               probes.back().get());
  }
  EXPECT_GE(armed, 1000);
  for (int i = 0; i < 200; i += 3) probes[i]->timer.Cancel();
  probes[1].reset();  // destroying an armed timer cancels it
  q.RunExpired(1249);
  q.RunExpired(2000);
  EXPECT_EQ(q.size(), 0u);
  std::vector<int64_t> deadlines;
  for (int id : fired.ids) {
    EXPECT_NE(id % 3, 0);
    EXPECT_NE(id, 1);
    deadlines.push_back(probes[id]->timer.deadline());
  }
  EXPECT_EQ(fired.ids.size(), 200u - 67u - 1u);
  EXPECT_TRUE(std::is_sorted(deadlines.begin(), deadlines.end()));
}

struct Rearmer {
  explicit Rearmer(TimerQueue* queue) : q(queue) {}
  TimerQueue* q;
  Timer timer;
  int count = 0;
  static void Fire(void* arg) {
    auto* r = static_cast<Rearmer*>(arg);
    ++r->count;
    // Re-arming in the past must not spin inside one RunExpired().
    r->timer.Start(r->q, 0, &Rearmer::Fire, r);
  }
};

TEST(TimerQueueTest, ReArmingFromACallbackWaitsForTheNextRun) {
  TimerQueue q(nullptr);
  Rearmer r(&q);
  r.timer.Start(&q, 10, &Rearmer::Fire, &r);
  q.RunExpired(10);
  EXPECT_EQ(r.count, 1);
  EXPECT_TRUE(r.timer.armed());
  EXPECT_EQ(r.timer.deadline(), 11);
  q.RunExpired(11);
  EXPECT_EQ(r.count, 2);
  r.timer.Cancel();
  EXPECT_EQ(q.size(), 0u);
}

}  // namespace
}  // namespace aerospike_py::io
