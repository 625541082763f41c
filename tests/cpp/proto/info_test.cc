// The info protocol's structured values (§2): request framing, answer
// splitting, error answers, endpoints (IPv4, bracketed and bare IPv6, DNS
// names), peers lists (TLS names, default-port stripping, departed-node
// form) and replicas bitmaps with and without the regime column.
#include <gtest/gtest.h>

#include "common/strings.h"
#include "golden_support.h"
#include "proto/info.h"
#include "proto/message_writer.h"

namespace aerospike_py::proto {
namespace {

TEST(InfoTest, RequestFraming) {
  // Fact sheet A.1.
  EXPECT_EQ(testing::HexOf(EncodeInfoRequest("node\npartition-generation\n").span()),
            "02010000000000" "1a" "6e6f64650a706172746974696f6e2d67656e65726174696f6e0a");
  // The trailing newline is added when missing, never doubled.
  EXPECT_EQ(EncodeInfoRequest("build").view().substr(8), "build\n");
  EXPECT_EQ(EncodeInfoRequest("build\n").view().substr(8), "build\n");
  // An empty request asks for the summary: a header alone.
  EXPECT_EQ(testing::HexOf(EncodeInfoRequest("").span()), "0201000000000000");
}

TEST(InfoTest, ResponseSplitting) {
  auto pairs = ParseInfoResponse("node\tA1\nbuild\t8.1.2.0\nsindex-list:\t\n\nodd line\n");
  ASSERT_EQ(pairs.size(), 4u);
  EXPECT_EQ(pairs[0].name, "node");
  EXPECT_EQ(pairs[0].value, "A1");
  EXPECT_EQ(pairs[2].name, "sindex-list:");
  EXPECT_EQ(pairs[2].value, "");
  // A line without a tab (the "not authenticated" answer) has no name.
  EXPECT_EQ(pairs[3].name, "");
  EXPECT_EQ(pairs[3].value, "odd line");
  // A value may contain tabs after the first; a missing final newline is fine.
  auto tabs = ParseInfoResponse("x\ta\tb");
  ASSERT_EQ(tabs.size(), 1u);
  EXPECT_EQ(tabs[0].value, "a\tb");
  EXPECT_TRUE(ParseInfoResponse("").empty());

  ByteBuffer reply = EncodeInfoResponse({{"namespaces", "test"}, {"x", ""}});
  EXPECT_EQ(reply.view().substr(8), "namespaces\ttest\nx\t\n");
  EXPECT_EQ(reply.size(), 8u + 19u);
}

TEST(InfoTest, ErrorAnswers) {
  int code = 0;
  std::string_view msg;
  ASSERT_TRUE(ParseInfoError("ERROR:4:unrecognized command", &code, &msg));
  EXPECT_EQ(code, 4);
  EXPECT_EQ(msg, "unrecognized command");
  ASSERT_TRUE(ParseInfoError("ERROR:80:not authenticated", &code, &msg));
  EXPECT_EQ(code, 80);
  ASSERT_TRUE(ParseInfoError("ERROR::bad thing", &code, &msg));
  EXPECT_EQ(code, 1);  // an omitted code means 1
  EXPECT_EQ(msg, "bad thing");
  ASSERT_TRUE(ParseInfoError("ERROR:0:zero", &code, &msg));
  EXPECT_EQ(code, 1);  // 0 is treated as 1
  ASSERT_TRUE(ParseInfoError("FAIL:201:no index", &code, &msg));
  EXPECT_EQ(code, 201);
  ASSERT_TRUE(ParseInfoError("ERROR:", &code, &msg));
  EXPECT_EQ(code, 1);
  ASSERT_TRUE(ParseInfoError("ERROR:nonsense", &code, &msg));
  EXPECT_EQ(code, 1);
  EXPECT_FALSE(ParseInfoError("ok", &code, &msg));
  EXPECT_FALSE(ParseInfoError("error=bad udf", &code, &msg));
  EXPECT_FALSE(ParseInfoError("", &code, &msg));
}

TEST(InfoTest, Endpoints) {
  auto ep = [](std::string_view text) { return ParseEndpoint(text, 3000); };
  EXPECT_EQ(ep("10.0.0.1")->host, "10.0.0.1");
  EXPECT_EQ(ep("10.0.0.1")->port, 3000);
  EXPECT_EQ(ep("10.0.0.1:3100")->port, 3100);
  EXPECT_EQ(ep("db.example.com:4000")->host, "db.example.com");
  EXPECT_EQ(ep("[::1]")->host, "::1");
  EXPECT_EQ(ep("[::1]")->port, 3000);
  EXPECT_EQ(ep("[2001:db8::1]:3101")->host, "2001:db8::1");
  EXPECT_EQ(ep("[2001:db8::1]:3101")->port, 3101);
  // A bare IPv6 address is one host, not host "2001:db8:" and port 1.
  EXPECT_EQ(ep("2001:db8::1")->host, "2001:db8::1");
  EXPECT_EQ(ep("2001:db8::1")->port, 3000);
  EXPECT_EQ(ep("fe80::1%eth0")->host, "fe80::1%eth0");
  for (const char* bad : {"", ":3000", "[]", "[::1", "[::1]x", "[::1]:", "h:", "h:0",
                          "h:65536", "h:-1", "h:12ab", "[::1]:99999",
                          // found by fuzz_response: a "bare IPv6" holding brackets
                          "2001:db8::1&[::1]:3100", "[a[b]", "a,b", "[::1,::2]"}) {
    EXPECT_FALSE(ep(bad).ok()) << bad;
  }
}

TEST(InfoTest, PeersOfOneNode) {
  auto p = ParsePeers("0,3000,[]");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->generation, 0u);
  EXPECT_EQ(p->default_port, 3000);
  EXPECT_TRUE(p->peers.empty());
  EXPECT_EQ(FormatPeers(*p), "0,3000,[]");
}

TEST(InfoTest, PeersWithIpv6AndTlsNames) {
  const std::string value =
      "12,3000,[[BB9040011AC4202,,[10.0.0.2,10.0.0.3:3100]],"
      "[BB9050011AC4202,tls-b,[[2001:db8::5]:4333,[fe80::2]]],"
      "[BB9060011AC4202,,[host.example:3001]]]";
  auto p = ParsePeers(value);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->generation, 12u);
  ASSERT_EQ(p->peers.size(), 3u);
  EXPECT_EQ(p->peers[0].node_id, "BB9040011AC4202");
  EXPECT_EQ(p->peers[0].tls_name, "");
  ASSERT_EQ(p->peers[0].endpoints.size(), 2u);
  EXPECT_EQ(p->peers[0].endpoints[0].host, "10.0.0.2");
  EXPECT_EQ(p->peers[0].endpoints[0].port, 3000);  // the default port, stripped by S
  EXPECT_EQ(p->peers[0].endpoints[1].port, 3100);
  EXPECT_EQ(p->peers[1].tls_name, "tls-b");
  ASSERT_EQ(p->peers[1].endpoints.size(), 2u);
  EXPECT_EQ(p->peers[1].endpoints[0].host, "2001:db8::5");
  EXPECT_EQ(p->peers[1].endpoints[0].port, 4333);
  EXPECT_EQ(p->peers[1].endpoints[1].host, "fe80::2");
  EXPECT_EQ(p->peers[1].endpoints[1].port, 3000);
  EXPECT_EQ(p->peers[2].endpoints[0].host, "host.example");
  // The server's own formatting comes back unchanged.
  EXPECT_EQ(FormatPeers(*p), value);
}

TEST(InfoTest, PeersVariants) {
  // An empty default port means 3000; a non-default one applies to bare
  // endpoints.
  auto empty_port = ParsePeers("3,,[[A1,,[10.0.0.1]]]");
  ASSERT_TRUE(empty_port.ok());
  EXPECT_EQ(empty_port->default_port, 3000);
  auto other = ParsePeers("3,4000,[[A1,,[10.0.0.1,10.0.0.2:3000]]]");
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(other->peers[0].endpoints[0].port, 4000);
  EXPECT_EQ(other->peers[0].endpoints[1].port, 3000);
  EXPECT_EQ(FormatPeers(*other), "3,4000,[[A1,,[10.0.0.1,10.0.0.2:3000]]]");
  // Departed nodes in delta answers: [ID,,] with no endpoint list.
  auto departed = ParsePeers("9,3000,[[A2,,]]");
  ASSERT_TRUE(departed.ok()) << departed.status();
  EXPECT_TRUE(departed->peers[0].endpoints.empty());
  // A bare IPv6 endpoint inside the list.
  auto bare = ParsePeers("1,3000,[[A3,,[2001:db8::9]]]");
  ASSERT_TRUE(bare.ok());
  EXPECT_EQ(bare->peers[0].endpoints[0].host, "2001:db8::9");
}

TEST(InfoTest, MalformedPeers) {
  for (const char* bad : {"", "x,3000,[]", "1", "1,3000", "1,3000,", "1,3000,[",
                          "1,99999,[]", "1,3000,[[A1,,[10.0.0.1]]", "1,3000,[[A1]]",
                          "1,3000,[[,,[10.0.0.1]]]", "1,3000,[[A1,,[10.0.0.1:0]]]",
                          "1,3000,[[A1,,[10.0.0.1]][A2,,[]]]", "1,3000,[A1,,[]]",
                          "1,3000,[[A1,,[[::1]:3000 ]]]", "1,3000,[[A1,,[10.0.0.1,]]]"}) {
    EXPECT_FALSE(ParsePeers(bad).ok()) << bad;
  }
}

// 512 bytes of 0xff: 170 groups "////" and a final "//8=" (the fact sheet's
// "680 x / then /8=" is one character short).
std::string AllOnes() { return std::string(682, '/') + "8="; }
std::string AllZeros() { return std::string(683, 'A') + "="; }

TEST(InfoTest, ReplicasWithRegime) {
  ReplicaBitmap half{};
  for (uint32_t pid = 0; pid < kPartitions; pid += 2) BitmapSet(half, pid);
  const std::string half_b64 = Base64Encode(
      std::string_view(reinterpret_cast<const char*>(half.data()), half.size()));
  ASSERT_EQ(half_b64.size(), kReplicaBitmapBase64);
  const std::string value =
      "test:0,1," + AllOnes() + ";sc:7,2," + half_b64 + "," + AllZeros();
  auto r = ParseReplicas(value);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].ns, "test");
  EXPECT_EQ((*r)[0].regime, 0u);
  ASSERT_EQ((*r)[0].replicas.size(), 1u);
  EXPECT_TRUE(BitmapHas((*r)[0].replicas[0], 0));
  EXPECT_TRUE(BitmapHas((*r)[0].replicas[0], 4095));
  EXPECT_EQ((*r)[1].ns, "sc");
  EXPECT_EQ((*r)[1].regime, 7u);
  ASSERT_EQ((*r)[1].replicas.size(), 2u);
  EXPECT_TRUE(BitmapHas((*r)[1].replicas[0], 0));
  EXPECT_FALSE(BitmapHas((*r)[1].replicas[0], 1));
  EXPECT_TRUE(BitmapHas((*r)[1].replicas[0], 4094));
  EXPECT_FALSE(BitmapHas((*r)[1].replicas[1], 0));
  // MSB first: partition 0 is bit 0x80 of byte 0.
  EXPECT_EQ(half[0], 0xaa);
  EXPECT_EQ(FormatReplicas(*r), value);
}

TEST(InfoTest, ReplicasWithoutRegime) {
  // The older replicas-all form: ns:count,bitmaps...
  auto r = ParseReplicas("test:2," + AllOnes() + "," + AllZeros() + ";");
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].regime, 0u);
  ASSERT_EQ((*r)[0].replicas.size(), 2u);
  EXPECT_TRUE(BitmapHas((*r)[0].replicas[0], 17));
  EXPECT_FALSE(BitmapHas((*r)[0].replicas[1], 17));
  auto one = ParseReplicas("test:1," + AllOnes());
  ASSERT_TRUE(one.ok());
  EXPECT_EQ((*one)[0].replicas.size(), 1u);
  // Formatting always writes the current form, with the regime.
  EXPECT_EQ(FormatReplicas(*one), "test:0,1," + AllOnes());
}

TEST(InfoTest, MalformedReplicas) {
  const std::string ones = AllOnes();
  for (const std::string& bad : std::vector<std::string>{
           "test", ":0,1," + ones, std::string(32, 'n') + ":0,1," + ones, "test:0,0",
           "test:0,2," + ones, "test:0,1," + ones + "," + ones, "test:0,1," + ones.substr(1),
           "test:0,1," + ones + "A", "test:0,1," + std::string(684, '*'),
           "test:x,1," + ones, "test:0,x," + ones, "test:0,256," + ones,
           "test:0,1,", "test:"}) {
    EXPECT_FALSE(ParseReplicas(bad).ok()) << bad.substr(0, 40);
  }
  EXPECT_TRUE(ParseReplicas("").ok());  // no namespaces
}

}  // namespace
}  // namespace aerospike_py::proto
