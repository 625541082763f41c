// The digest vectors of the wire-protocol fact sheet (§5.1): the ones
// asserted by the Go and Rust client suites and the locally computed extras;
// the RIPEMD-160 reference vectors; the batch (SIMD lane) path against the
// one-key path and against OpenSSL's RIPEMD-160 on random inputs.
#define OPENSSL_SUPPRESS_DEPRECATED 1
#include "proto/digest.h"

#include <gtest/gtest.h>
#include <openssl/ripemd.h>

#include <random>
#include <string>
#include <vector>

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

TEST(DigestTest, Ripemd160ReferenceVectors) {
  // From the algorithm's specification.
  EXPECT_EQ(Hex(Ripemd160(AsBytes(""))), "9c1185a5c5e9fc54612808977ee8f548b2258d31");
  EXPECT_EQ(Hex(Ripemd160(AsBytes("a"))), "0bdc9d2d256b3ee9daae347be6f4dc835a467ffe");
  EXPECT_EQ(Hex(Ripemd160(AsBytes("abc"))), "8eb208f7e05d987a9b044a8e98c6b087f15a0bfc");
  EXPECT_EQ(Hex(Ripemd160(AsBytes("message digest"))), "5d0689ef49d2fae572b881b123a85ffa21595f36");
  EXPECT_EQ(Hex(Ripemd160(AsBytes("abcdefghijklmnopqrstuvwxyz"))),
            "f71c27109c692c1b56bbdceb5b9d2865b3708dbc");
  EXPECT_EQ(Hex(Ripemd160(AsBytes("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"))),
            "12a053384a9c0c88e405a06c27dcf49ada62eb2b");
  EXPECT_EQ(Hex(Ripemd160(AsBytes(
                "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"))),
            "b0e20b6e3116640286ed3a87a5713079b21f5189");
  std::string eighty;
  for (int i = 0; i < 8; ++i) eighty += "1234567890";
  EXPECT_EQ(Hex(Ripemd160(AsBytes(eighty))), "9b752e45573d4b39f4dbd3323cab82bf63326bfb");
  EXPECT_EQ(Hex(Ripemd160(AsBytes(std::string(1000000, 'a')))),
            "52783243c1697bdbe16d37f97f68f08325dc1528");
}

Digest OpenSslDigest(std::string_view set, uint8_t type, const std::string& key) {
  RIPEMD160_CTX ctx;
  RIPEMD160_Init(&ctx);
  RIPEMD160_Update(&ctx, set.data(), set.size());
  RIPEMD160_Update(&ctx, &type, 1);
  RIPEMD160_Update(&ctx, key.data(), key.size());
  Digest d;
  RIPEMD160_Final(d.data(), &ctx);
  return d;
}

TEST(DigestTest, BatchMatchesOneByOneAndOpenSsl) {
  std::mt19937 rng(20261126);
  for (int round = 0; round < 400; ++round) {
    // Group sizes around the lane widths, short (one block) and long keys,
    // lengths across the 55/56/64-byte padding edges.
    const size_t n = rng() % 37;
    std::vector<std::string> sets(n), keys(n);
    std::vector<uint8_t> types(n);
    std::vector<Digest> out(n);
    std::vector<DigestRequest> requests(n);
    for (size_t i = 0; i < n; ++i) {
      sets[i] = std::string(rng() % 64, static_cast<char>('a' + rng() % 26));
      keys[i].resize(rng() % (round % 4 == 0 ? 200 : 60));
      for (char& ch : keys[i]) ch = static_cast<char>(rng());
      types[i] = static_cast<uint8_t>(rng() % 5);
      requests[i] = {sets[i], static_cast<ParticleType>(types[i]), AsBytes(keys[i]), &out[i]};
    }
    ComputeDigests(requests);
    for (size_t i = 0; i < n; ++i) {
      const Digest want = OpenSslDigest(sets[i], types[i], keys[i]);
      ASSERT_EQ(Hex(out[i]), Hex(want)) << "round " << round << " key " << i;
      ASSERT_EQ(Hex(ComputeDigest(sets[i], static_cast<ParticleType>(types[i]), AsBytes(keys[i]))),
                Hex(want));
    }
  }
}

TEST(DigestTest, BatchOfKnownKeys) {
  std::vector<std::string> keys = {"", "s", "aaaaaaaaaa", "haha"};
  std::vector<Digest> out(keys.size());
  std::vector<DigestRequest> requests;
  for (size_t i = 0; i < keys.size(); ++i) {
    requests.push_back({"set", ParticleType::kString, AsBytes(keys[i]), &out[i]});
  }
  ComputeDigests(requests);
  EXPECT_EQ(Hex(out[0]), "2819b1ff6e346a43b4f5f6b77a88bc3eaac22a83");
  EXPECT_EQ(Hex(out[1]), "607cddba7cd111745ef0a3d783d57f0e83c8f311");
  EXPECT_EQ(Hex(out[2]), "5979fb32a80da070ff356f7695455592272e36c2");
  EXPECT_EQ(Hex(out[3]), "36eb02a807dbade8cd784e7800d76308b4e89212");
  ComputeDigests({});  // nothing to do, nothing touched
}

TEST(DigestTest, PartitionId) {
  EXPECT_EQ(PartitionId(ComputeDigest("set", int64_t{0})), 2451u);
  EXPECT_EQ(PartitionId(ComputeDigest("demo", std::string_view("key1"))), 492u);
}

}  // namespace
}  // namespace aerospike_py::proto
