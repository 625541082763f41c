// The digest vectors of the wire-protocol fact sheet (§5.1): the ones
// asserted by the Go and Rust client suites and the locally computed extras.
#include "proto/digest.h"

#include <gtest/gtest.h>

#include "common/strings.h"

namespace aerospike_py::proto {
namespace {

std::string Hex(const Digest& d) {
  return HexEncode(
      std::string_view(reinterpret_cast<const char*>(d.data()), d.size()));
}

TEST(DigestTest, IntegerKeys) {
  EXPECT_EQ(Hex(ComputeDigest("set", int64_t{0})), "93d943aae37b017ad7e011b0c1d2e2143c2fb37d");
  EXPECT_EQ(Hex(ComputeDigest("set", int64_t{-1})), "22116d253745e29fc63fdf760b6e26f7e197e01d");
  EXPECT_EQ(Hex(ComputeDigest("set", int64_t{1})), "82d7213b469812947c109a6d341e3b5b1dedec1f");
  EXPECT_EQ(Hex(ComputeDigest("set", INT64_MIN)), "7185c2a47fb02c996daed26b4e01b83240aee9d4");
  EXPECT_EQ(Hex(ComputeDigest("set", INT64_MAX)), "1698328974afa62c8e069860c1516f780d63dbb8");
  EXPECT_EQ(Hex(ComputeDigest("set", int64_t{127})), "a58f7d98bf60e10fe369c82030b1c9dee053def9");
  EXPECT_EQ(Hex(ComputeDigest("demo", int64_t{1})), "b7f4b83889e2da67de683e1df6919a1eacc446c8");
  EXPECT_EQ(Hex(ComputeDigest("demo", int64_t{12345})), "8d60730e4a37c88b573022bdfe2e94497669c6b1");
}

TEST(DigestTest, StringKeys) {
  EXPECT_EQ(Hex(ComputeDigest("set", std::string_view(""))), "2819b1ff6e346a43b4f5f6b77a88bc3eaac22a83");
  EXPECT_EQ(Hex(ComputeDigest("set", std::string_view("s"))), "607cddba7cd111745ef0a3d783d57f0e83c8f311");
  EXPECT_EQ(Hex(ComputeDigest("set", std::string_view("aaaaaaaaaa"))), "5979fb32a80da070ff356f7695455592272e36c2");
  EXPECT_EQ(Hex(ComputeDigest("set", std::string_view("haha"))), "36eb02a807dbade8cd784e7800d76308b4e89212");
  EXPECT_EQ(Hex(ComputeDigest("demo", std::string_view("key1"))), "ec91192d4b7f8ce35d5d78d34bca65cbaaaac960");
  EXPECT_EQ(Hex(ComputeDigest("", std::string_view("key1"))), "579f05ecf9e6a9e796f4da2ab0b1323364df5c10");
}

TEST(DigestTest, BlobKeys) {
  EXPECT_EQ(Hex(ComputeDigest("set", ParticleType::kBlob, ByteSpan())),
            "327e2877b8815c7aeede0d5a8620d4ef8df4a4b4");
  EXPECT_EQ(Hex(ComputeDigest("set", ParticleType::kBlob, AsBytes("aaaaaaaaaa"))),
            "d10982327b2b04c7360579f252e164a75f83cd99");
}

TEST(DigestTest, PartitionId) {
  EXPECT_EQ(PartitionId(ComputeDigest("set", int64_t{0})), 2451u);
  EXPECT_EQ(PartitionId(ComputeDigest("demo", std::string_view("key1"))), 492u);
}

}  // namespace
}  // namespace aerospike_py::proto
