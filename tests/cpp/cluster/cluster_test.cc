// Cluster tending and routing driven by scripted info answers (no sockets).
#include "cluster/cluster.h"

#include <gtest/gtest.h>

#include "cluster/router.h"
#include "cluster/validation.h"
#include "fake_transport.h"
#include "proto/digest.h"

namespace aerospike_py::cluster {
namespace {

using testing::FakeNode;
using testing::FakeTransport;
using testing::RecordingListener;
using testing::StripedReplicas;

proto::PeerInfo Peer(const std::string& id, const std::string& host, uint16_t port) {
  proto::PeerInfo p;
  p.node_id = id;
  p.endpoints.push_back({host, port});
  return p;
}

// Three nodes on 10.0.0.{1,2,3}:3000 that list each other, replication 2.
void ThreeNodes(FakeTransport& t, int columns = 2) {
  const char* ids[] = {"A1", "B2", "C3"};
  for (int i = 0; i < 3; ++i) {
    FakeNode& n = t.Add("10.0.0." + std::to_string(i + 1), 3000, ids[i]);
    n.replicas = StripedReplicas("test", i, 3, columns);
    for (int j = 0; j < 3; ++j) {
      if (j != i) n.peers.push_back(Peer(ids[j], "10.0.0." + std::to_string(j + 1), 3000));
    }
  }
}

ClusterOptions Seeds(std::vector<proto::Endpoint> seeds) {
  ClusterOptions o;
  o.seeds = std::move(seeds);
  return o;
}

TEST(ClusterTest, SingleSeedBecomesUsable) {
  FakeTransport t;
  FakeNode& n = t.Add("127.0.0.1", 3000, "BB9");
  n.replicas = StripedReplicas("test", 0, 1, 1);
  n.peers_generation = 0;
  RecordingListener l;
  Cluster c(Seeds({{"127.0.0.1", 3000}}), &t, &l);
  EXPECT_FALSE(c.usable());
  c.Tend();
  EXPECT_FALSE(c.tending());
  EXPECT_TRUE(c.usable());
  ASSERT_EQ(c.nodes().size(), 1u);
  EXPECT_EQ(c.nodes()[0]->name(), "BB9");
  EXPECT_EQ(l.added, std::vector<std::string>{"BB9"});
  EXPECT_EQ(l.tends, 1);
  EXPECT_EQ(l.partitions_changed, 1);
  const NamespacePartitions* table = c.partitions().Find("test");
  ASSERT_NE(table, nullptr);
  EXPECT_EQ(table->n_replicas, 1u);
  for (uint32_t pid = 0; pid < proto::kPartitions; ++pid) {
    ASSERT_EQ(table->owners[pid][0], c.nodes()[0].get());
  }
  EXPECT_EQ(c.partitions().Find("other"), nullptr);

  // A quiet second round asks only the three generations.
  t.log.clear();
  c.Tend();
  ASSERT_EQ(t.log.size(), 1u);
  EXPECT_EQ(t.log[0], "127.0.0.1:3000 <- node\npeers-generation\npartition-generation\n");
  EXPECT_EQ(l.partitions_changed, 1);
  EXPECT_EQ(l.tends, 2);
}

TEST(ClusterTest, UserAgentIsSentOnceToEachNodeThatTakesIt) {
  FakeTransport t;
  FakeNode& a = t.Add("127.0.0.1", 3000, "A");
  FakeNode& b = t.Add("127.0.0.1", 3001, "B");
  b.build = "7.2.0.1";  // before user-agent-set existed
  a.replicas = StripedReplicas("test", 0, 1, 1);
  b.replicas = a.replicas;
  RecordingListener l;
  ClusterOptions o = Seeds({{"127.0.0.1", 3000}, {"127.0.0.1", 3001}});
  o.user_agent = "1,aerospike_py-0.1.0,recsys";
  Cluster c(o, &t, &l);
  c.Tend();
  c.Tend();
  ASSERT_EQ(c.nodes().size(), 2u);
  std::vector<std::string> sent;
  for (const std::string& line : t.log) {
    if (line.find("user-agent-set") != std::string::npos) sent.push_back(line);
  }
  // base64("1,aerospike_py-0.1.0,recsys")
  EXPECT_EQ(sent, std::vector<std::string>{
                      "127.0.0.1:3000 <- user-agent-set:value=MSxhZXJvc3Bpa2VfcHktMC4xLjAscmVjc3lz\n"});

  FakeTransport quiet_t;
  quiet_t.Add("127.0.0.1", 3000, "A").replicas = StripedReplicas("test", 0, 1, 1);
  Cluster quiet(Seeds({{"127.0.0.1", 3000}}), &quiet_t, &l);  // no user agent configured
  quiet.Tend();
  for (const std::string& line : quiet_t.log) {
    EXPECT_EQ(line.find("user-agent-set"), std::string::npos) << line;
  }
}

TEST(ClusterTest, ValidationRejectsBadNodes) {
  EXPECT_FALSE(ValidateNodeAnswer("node\tA\npartition-generation\t-1\nbuild\t8.1.2.0\n", "", "").ok());
  EXPECT_FALSE(ValidateNodeAnswer("node\t\npartition-generation\t1\nbuild\t8.1.2.0\n", "", "").ok());
  EXPECT_FALSE(ValidateNodeAnswer("partition-generation\t1\nbuild\t8.1.2.0\n", "", "").ok());
  EXPECT_FALSE(ValidateNodeAnswer("node\tA\npartition-generation\tx\nbuild\t8.1.2.0\n", "", "").ok());
  // Too old and no pscans feature.
  EXPECT_FALSE(ValidateNodeAnswer("node\tA\npartition-generation\t1\nbuild\t4.8.0.0\nfeatures\tpeers\n", "", "").ok());
  // Old build string but advertises pscans: accepted (Java/Go rule).
  EXPECT_TRUE(ValidateNodeAnswer("node\tA\npartition-generation\t1\nbuild\tweird\nfeatures\tpeers;pscans\n", "", "").ok());
  // Peer advertised under another id.
  EXPECT_FALSE(ValidateNodeAnswer("node\tA\npartition-generation\t1\nbuild\t8.1.2.0\n", "B", "").ok());
  // Cluster name.
  EXPECT_FALSE(ValidateNodeAnswer("node\tA\npartition-generation\t1\nbuild\t8.1.2.0\ncluster-name\tx\n", "", "y").ok());
  EXPECT_FALSE(ValidateNodeAnswer("node\tA\npartition-generation\t1\nbuild\t8.1.2.0\n", "", "y").ok());
  EXPECT_FALSE(ValidateNodeAnswer("ERROR:80:not authenticated\n", "", "").ok());
  auto ok = ValidateNodeAnswer(
      "node\tA\npartition-generation\t0\nbuild\t8.1.2.0\nfeatures\tbatch-any;pscans\ncluster-name\ty\n",
      "A", "y");
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(ok->name, "A");
  EXPECT_TRUE(ok->features.batch_any);
  EXPECT_EQ(ok->features.version[0], 8);
  EXPECT_EQ(ok->features.version[2], 2);

  int v[4];
  EXPECT_TRUE(ParseBuildVersion("5.7.0", v));
  EXPECT_TRUE(ParseBuildVersion("8.1.2.0-rc1", v));
  EXPECT_FALSE(ParseBuildVersion("8", v));
  EXPECT_FALSE(ParseBuildVersion("a.b.c", v));
  EXPECT_FALSE(ParseBuildVersion("1.2.3.4.5", v));
}

TEST(ClusterTest, SeedWithWrongClusterNameOrNotReadyIsNotUsed) {
  FakeTransport t;
  FakeNode& n = t.Add("127.0.0.1", 3000, "A");
  n.cluster_name = "prod";
  n.replicas = StripedReplicas("test", 0, 1, 1);
  RecordingListener l;
  ClusterOptions o = Seeds({{"127.0.0.1", 3000}});
  o.cluster_name = "staging";
  Cluster c(o, &t, &l);
  c.Tend();
  EXPECT_FALSE(c.usable());
  EXPECT_TRUE(c.nodes().empty());
  EXPECT_NE(c.last_error().find("staging"), std::string::npos) << c.last_error();

  n.cluster_name = "staging";
  n.partition_generation = -1;
  c.Tend();
  EXPECT_TRUE(c.nodes().empty());
  EXPECT_NE(c.last_error().find("not ready"), std::string::npos) << c.last_error();

  n.partition_generation = 3;
  c.Tend();
  EXPECT_TRUE(c.usable());
}

TEST(ClusterTest, SeedHostNameTriesEveryAddress) {
  FakeTransport t;
  t.dns["db.local"] = {{"10.9.9.9", 0}, {"127.0.0.1", 0}};
  t.Add("127.0.0.1", 3100, "A").replicas = StripedReplicas("test", 0, 1, 1);
  RecordingListener l;
  Cluster c(Seeds({{"nowhere.local", 3100}, {"db.local", 3100}}), &t, &l);
  c.Tend();
  ASSERT_TRUE(c.usable());
  EXPECT_EQ(c.nodes()[0]->address().host, "127.0.0.1");
  EXPECT_EQ(c.nodes()[0]->address().port, 3100);
}

TEST(ClusterTest, DiscoversPeersAndRoutesByReplicaPolicy) {
  for (bool deferred : {false, true}) {
    FakeTransport t;
    t.deferred = deferred;
    ThreeNodes(t);
    RecordingListener l;
    Cluster c(Seeds({{"10.0.0.2", 3000}}), &t, &l);
    c.Tend();
    t.RunPending();
    ASSERT_FALSE(c.tending());
    ASSERT_EQ(c.nodes().size(), 3u);
    EXPECT_EQ(l.added.size(), 3u);
    const NamespacePartitions* table = c.partitions().Find("test");
    ASSERT_NE(table, nullptr);
    EXPECT_EQ(table->n_replicas, 2u);
    for (uint32_t pid = 0; pid < proto::kPartitions; ++pid) {
      Node* master = table->owners[pid][0];
      Node* replica = table->owners[pid][1];
      ASSERT_NE(master, nullptr);
      ASSERT_NE(replica, nullptr);
      const char* ids[] = {"A1", "B2", "C3"};
      EXPECT_EQ(master->name(), ids[pid % 3]);
      EXPECT_EQ(replica->name(), ids[(pid + 1) % 3]);  // (p+1)%3 == k
    }
    const uint32_t pid = 7;
    Node* master = table->owners[pid][0];
    Node* replica = table->owners[pid][1];
    RouteOptions ro;
    ro.replica = ReplicaPolicy::kSequence;
    EXPECT_EQ(Route(*table, pid, ro), master);
    ro.attempt = 1;
    EXPECT_EQ(Route(*table, pid, ro), replica);
    ro.attempt = 2;
    EXPECT_EQ(Route(*table, pid, ro), master);
    ro.write = true;
    ro.attempt = 1;
    EXPECT_EQ(Route(*table, pid, ro), master);  // writes: always the master
    ro.write = false;
    ro.replica = ReplicaPolicy::kMaster;
    EXPECT_EQ(Route(*table, pid, ro), master);
    ro.replica = ReplicaPolicy::kAny;
    ro.attempt = 0;
    ro.rotation = 1;
    EXPECT_EQ(Route(*table, pid, ro), replica);
    // An inactive master is skipped by SEQUENCE but not by MASTER.
    master->set_active(false);
    ro.replica = ReplicaPolicy::kSequence;
    EXPECT_EQ(Route(*table, pid, ro), replica);
    ro.replica = ReplicaPolicy::kMaster;
    EXPECT_EQ(Route(*table, pid, ro), nullptr);
    master->set_active(true);
  }
}

TEST(ClusterTest, FailedUnlistedNodeIsRemovedAndPartitionsMove) {
  FakeTransport t;
  ThreeNodes(t);
  RecordingListener l;
  Cluster c(Seeds({{"10.0.0.1", 3000}}), &t, &l);
  c.Tend();
  ASSERT_EQ(c.nodes().size(), 3u);

  // C3 stops; the others drop it from their peers and take its partitions.
  FakeNode& a = t.nodes["10.0.0.1:3000"];
  FakeNode& b = t.nodes["10.0.0.2:3000"];
  t.nodes["10.0.0.3:3000"].down = true;
  a.peers = {Peer("B2", "10.0.0.2", 3000)};
  b.peers = {Peer("A1", "10.0.0.1", 3000)};
  a.peers_generation = b.peers_generation = 2;
  a.replicas = StripedReplicas("test", 0, 2, 2);
  b.replicas = StripedReplicas("test", 1, 2, 2);
  a.partition_generation = b.partition_generation = 2;
  c.Tend();
  ASSERT_EQ(c.nodes().size(), 2u);
  EXPECT_EQ(l.removed, std::vector<std::string>{"C3"});
  const NamespacePartitions* table = c.partitions().Find("test");
  ASSERT_NE(table, nullptr);
  for (uint32_t pid = 0; pid < proto::kPartitions; ++pid) {
    ASSERT_NE(table->owners[pid][0], nullptr);
    ASSERT_NE(table->owners[pid][0]->name(), "C3");
    ASSERT_NE(table->owners[pid][1]->name(), "C3");
  }

  // C3 comes back: the peers generation moves, it is validated and used.
  t.nodes["10.0.0.3:3000"].down = false;
  ThreeNodes(t);
  for (auto& [addr, n] : t.nodes) n.peers_generation = 3, n.partition_generation = 3;
  c.Tend();
  EXPECT_EQ(c.nodes().size(), 3u);
  EXPECT_EQ(l.added.size(), 4u);
  table = c.partitions().Find("test");
  EXPECT_EQ(table->owners[2][0]->name(), "C3");
}

TEST(ClusterTest, SingleNodeIsDroppedAfterRepeatedFailuresThenReseeded) {
  FakeTransport t;
  FakeNode& n = t.Add("127.0.0.1", 3000, "A");
  n.replicas = StripedReplicas("test", 0, 1, 1);
  RecordingListener l;
  ClusterOptions o = Seeds({{"127.0.0.1", 3000}});
  o.max_tend_failures = 3;
  Cluster c(o, &t, &l);
  c.Tend();
  ASSERT_TRUE(c.usable());
  n.down = true;
  c.Tend();
  c.Tend();
  EXPECT_EQ(c.nodes().size(), 1u);  // two failures: still a member
  c.Tend();
  EXPECT_TRUE(c.nodes().empty());
  EXPECT_FALSE(c.usable());
  EXPECT_EQ(l.removed, std::vector<std::string>{"A"});
  c.Tend();  // seeds again, still down
  EXPECT_TRUE(c.nodes().empty());
  n.down = false;
  c.Tend();
  EXPECT_TRUE(c.usable());
}

TEST(ClusterTest, TransientFailureForcesFullRefresh) {
  FakeTransport t;
  FakeNode& n = t.Add("127.0.0.1", 3000, "A");
  n.replicas = StripedReplicas("test", 0, 1, 1);
  RecordingListener l;
  Cluster c(Seeds({{"127.0.0.1", 3000}}), &t, &l);
  c.Tend();
  n.down = true;
  c.Tend();
  n.down = false;
  t.log.clear();
  c.Tend();
  // After a failure the node is asked for peers and replicas again.
  ASSERT_EQ(t.log.size(), 3u);
  EXPECT_EQ(t.log[1], "127.0.0.1:3000 <- peers-clear-std\n");
  EXPECT_EQ(t.log[2], "127.0.0.1:3000 <- partition-generation\nreplicas\n");
}

TEST(ClusterTest, PartitionGenerationChangeRereadsReplicas) {
  FakeTransport t;
  ThreeNodes(t);
  RecordingListener l;
  Cluster c(Seeds({{"10.0.0.1", 3000}}), &t, &l);
  c.Tend();
  // Rotate ownership: node k now owns p where (p + c + 1) % 3 == k.
  const char* ids[] = {"A1", "B2", "C3"};
  for (int i = 0; i < 3; ++i) {
    FakeNode& n = t.nodes["10.0.0." + std::to_string(i + 1) + ":3000"];
    n.replicas = StripedReplicas("test", (i + 2) % 3, 3, 2);
    n.partition_generation = 9;
  }
  const int changes = l.partitions_changed;
  c.Tend();
  EXPECT_EQ(l.partitions_changed, changes + 1);
  const NamespacePartitions* table = c.partitions().Find("test");
  for (uint32_t pid = 0; pid < 12; ++pid) {
    // (p % 3) == (k + 2) % 3  =>  k = (p + 1) % 3
    EXPECT_EQ(table->owners[pid][0]->name(), ids[(pid + 1) % 3]);
  }
}

TEST(ClusterTest, NodeThatChangesNameIsRemoved) {
  FakeTransport t;
  FakeNode& n = t.Add("127.0.0.1", 3000, "A");
  n.replicas = StripedReplicas("test", 0, 1, 1);
  RecordingListener l;
  Cluster c(Seeds({{"127.0.0.1", 3000}}), &t, &l);
  c.Tend();
  n.name = "B";
  c.Tend();
  EXPECT_EQ(l.removed, std::vector<std::string>{"A"});
  c.Tend();  // reseeded under its new name
  ASSERT_EQ(c.nodes().size(), 1u);
  EXPECT_EQ(c.nodes()[0]->name(), "B");
}

TEST(ClusterTest, PeerAdvertisedUnderWrongIdIsRejected) {
  FakeTransport t;
  FakeNode& a = t.Add("10.0.0.1", 3000, "A");
  a.replicas = StripedReplicas("test", 0, 1, 1);
  a.peers = {Peer("B", "10.0.0.2", 3000)};
  t.Add("10.0.0.2", 3000, "Z");
  RecordingListener l;
  Cluster c(Seeds({{"10.0.0.1", 3000}}), &t, &l);
  c.Tend();
  EXPECT_EQ(c.nodes().size(), 1u);
}

TEST(ClusterTest, StrongConsistencyRegimeWinsOverNewerStaleClaim) {
  FakeTransport t;
  FakeNode& a = t.Add("10.0.0.1", 3000, "A");
  FakeNode& b = t.Add("10.0.0.2", 3000, "B");
  a.peers = {Peer("B", "10.0.0.2", 3000)};
  b.peers = {Peer("A", "10.0.0.1", 3000)};
  // Both claim every partition as master; A with regime 5, B with 3.
  a.replicas = StripedReplicas("sc", 0, 1, 1, 5);
  b.replicas = StripedReplicas("sc", 0, 1, 1, 3);
  RecordingListener l;
  Cluster c(Seeds({{"10.0.0.1", 3000}}), &t, &l);
  c.Tend();
  ASSERT_EQ(c.nodes().size(), 2u);
  const NamespacePartitions* table = c.partitions().Find("sc");
  ASSERT_NE(table, nullptr);
  EXPECT_TRUE(table->strong_consistency);
  EXPECT_EQ(table->owners[0][0]->name(), "A");
  EXPECT_EQ(table->regimes[0], 5u);
  // B's claim is read again later (newer) but its regime is still lower.
  b.partition_generation = 7;
  c.Tend();
  table = c.partitions().Find("sc");
  EXPECT_EQ(table->owners[0][0]->name(), "A");
  // Reads in SC namespaces go to the master whatever the replica policy.
  RouteOptions ro;
  ro.replica = ReplicaPolicy::kSequence;
  ro.attempt = 1;
  EXPECT_EQ(Route(*table, 0, ro)->name(), "A");
}

TEST(ClusterTest, PreferRackRoutesToTheClientsRack) {
  FakeTransport t;
  ThreeNodes(t, 3);
  t.nodes["10.0.0.1:3000"].rack_ids = "test:1";
  t.nodes["10.0.0.2:3000"].rack_ids = "test:2";
  t.nodes["10.0.0.3:3000"].rack_ids = "test:3";
  RecordingListener l;
  ClusterOptions o = Seeds({{"10.0.0.1", 3000}});
  o.rack_aware = true;
  Cluster c(o, &t, &l);
  c.Tend();
  ASSERT_EQ(c.nodes().size(), 3u);
  const NamespacePartitions* table = c.partitions().Find("test");
  std::vector<int32_t> racks = {2};
  RouteOptions ro;
  ro.replica = ReplicaPolicy::kPreferRack;
  ro.rack_ids = &racks;
  for (uint32_t pid = 0; pid < 30; ++pid) {
    EXPECT_EQ(Route(*table, pid, ro)->name(), "B2");
  }
  ro.attempt = 1;  // retry: sequence from the next column
  EXPECT_EQ(Route(*table, 0, ro), table->owners[0][1]);
  racks = {9};
  ro.attempt = 0;
  EXPECT_EQ(Route(*table, 0, ro), table->owners[0][0]);
  auto parsed = ParseRackIds("test:1;bar:22");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ((*parsed)[1].second, 22);
  EXPECT_FALSE(ParseRackIds("test").ok());
}

TEST(ClusterTest, ShutdownIgnoresLateAnswers) {
  FakeTransport t;
  t.deferred = true;
  ThreeNodes(t);
  RecordingListener l;
  Cluster c(Seeds({{"10.0.0.1", 3000}}), &t, &l);
  c.Tend();
  t.RunPending();
  ASSERT_EQ(c.nodes().size(), 3u);
  c.Tend();  // answers pending
  EXPECT_TRUE(c.tending());
  c.Tend();  // a round is running: no second one
  c.Shutdown();
  EXPECT_EQ(l.removed.size(), 3u);
  t.RunPending();
  EXPECT_TRUE(c.nodes().empty());
  EXPECT_FALSE(c.usable());
  EXPECT_EQ(l.tends, 1);
}

TEST(ClusterTest, AlternateAddressesComeFromPeersClearAlt) {
  FakeTransport t;
  FakeNode& a = t.Add("192.168.0.1", 3000, "A");
  a.replicas = StripedReplicas("test", 0, 2, 1);
  a.peers = {Peer("B", "10.0.0.2", 3000)};      // private: unreachable here
  a.alt_peers = {Peer("B", "192.168.0.2", 3000)};  // public
  FakeNode& b = t.Add("192.168.0.2", 3000, "B");
  b.replicas = StripedReplicas("test", 1, 2, 1);
  RecordingListener l;
  ClusterOptions o = Seeds({{"192.168.0.1", 3000}});
  o.use_alternate_addresses = true;
  Cluster c(o, &t, &l);
  c.Tend();
  ASSERT_EQ(c.nodes().size(), 2u);
  EXPECT_EQ(c.FindNode("B")->address().host, "192.168.0.2");
}

TEST(ClusterTest, BadReplicasAnswerCountsAsFailure) {
  FakeTransport t;
  FakeNode& n = t.Add("127.0.0.1", 3000, "A");
  n.replicas = "test:0,1,notbase64";
  RecordingListener l;
  Cluster c(Seeds({{"127.0.0.1", 3000}}), &t, &l);
  c.Tend();
  EXPECT_EQ(c.nodes().size(), 1u);
  EXPECT_FALSE(c.usable());
  n.replicas = StripedReplicas("test", 0, 1, 1);
  c.Tend();
  EXPECT_TRUE(c.usable());
}

}  // namespace
}  // namespace aerospike_py::cluster
