// bcrypt against published vectors: the jBCrypt / OpenBSD test suite's
// $2a$06$ cases (the same outputs libxcrypt's crypt(3) gives), and the
// Aerospike clients' fixed salt with "admin" (the default admin password).
#include "common/bcrypt.h"

#include <gtest/gtest.h>

namespace aerospike_py {
namespace {

struct Vector {
  const char* password;
  const char* salt;
  const char* hash;
};

constexpr Vector kVectors[] = {
    {"", "$2a$06$DCq7YPn5Rq63x1Lad4cll.",
     "$2a$06$DCq7YPn5Rq63x1Lad4cll.TV4S6ytwfsfvkgY8jIucDrjc8deX1s."},
    {"a", "$2a$06$m0CrhHm10qJ3lXRY.5zDGO",
     "$2a$06$m0CrhHm10qJ3lXRY.5zDGO3rS2KdeeWLuGmsfGlMfOxih58VYVfxe"},
    {"abc", "$2a$06$If6bvum7DFjUnE9p2uDeDu",
     "$2a$06$If6bvum7DFjUnE9p2uDeDu0YHzrHM6tf.iqN8.yx.jNN1ILEf7h0i"},
    {"abcdefghijklmnopqrstuvwxyz", "$2a$06$.rCVZVOThsIa97pEDOxvGu",
     "$2a$06$.rCVZVOThsIa97pEDOxvGuRRgzG64bvtJ0938xuqzv18d3ZpQhstC"},
    {"~!@#$%^&*()      ~!@#$%^&*()PNBFRD", "$2a$06$fPIsBO8qRqkjj273rfaOI.",
     "$2a$06$fPIsBO8qRqkjj273rfaOI.HtSV9jLDpTbZn782DC6/t7qT67P6FfO"},
};

TEST(Bcrypt, PublishedVectors) {
  for (const Vector& v : kVectors) {
    StatusOr<std::string> h = BcryptHash(v.password, v.salt);
    ASSERT_TRUE(h.ok()) << h.status();
    EXPECT_EQ(*h, v.hash) << "password '" << v.password << "'";
    // A whole previous hash works as the salt (its first 29 characters).
    EXPECT_EQ(*BcryptHash(v.password, v.hash), v.hash);
  }
}

TEST(Bcrypt, AerospikeFixedSalt) {
  EXPECT_EQ(AerospikePasswordHash("admin"),
            "$2a$10$7EqJtq98hPqEX7fNZaFWoO1mVO/4MLpGzsqojz6E9Gef6iXDjXdDa");
  EXPECT_EQ(AerospikePasswordHash("admin").size(), 60u);
}

TEST(Bcrypt, KeyIsCutAt72Bytes) {
  const std::string long_a(100, 'x');
  const std::string long_b = std::string(72, 'x') + "different tail";
  EXPECT_EQ(*BcryptHash(long_a, "$2a$04$......................"),
            *BcryptHash(long_b, "$2a$04$......................"));
}

TEST(Bcrypt, BadSaltsAreErrors) {
  for (const char* bad : {"", "$2a$10$", "$2x$10$7EqJtq98hPqEX7fNZaFWoO", "$2a$03$7EqJtq98hPqEX7fNZaFWoO",
                          "$2a$10$7EqJtq98hPqEX7fNZaFW!O", "2a$10$7EqJtq98hPqEX7fNZaFWoOxx"}) {
    EXPECT_FALSE(BcryptHash("pw", bad).ok()) << bad;
  }
}

TEST(Bcrypt, WipeStringClears) {
  std::string secret = "hunter2";
  WipeString(&secret);
  EXPECT_TRUE(secret.empty());
}

}  // namespace
}  // namespace aerospike_py
