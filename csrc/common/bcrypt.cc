#include "common/bcrypt.h"

#include <openssl/crypto.h>

#include <array>
#include <cstdint>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "common/blowfish_pi.h"

namespace aerospike_py {
namespace {

constexpr size_t kSaltBytes = 16;
constexpr size_t kMaxKeyBytes = 72;
constexpr char kAlphabet[] = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

// Blowfish state: 18 subkeys and four S-boxes, laid out as in blowfish_pi.h.
struct Blowfish {
  uint32_t p[18];
  uint32_t s[4][256];

  Blowfish() {
    std::memcpy(p, blowfish_pi::kWords, sizeof(p));
    std::memcpy(s, blowfish_pi::kWords + 18, sizeof(s));
  }

  uint32_t F(uint32_t x) const {
    return ((s[0][x >> 24] + s[1][(x >> 16) & 0xFF]) ^ s[2][(x >> 8) & 0xFF]) + s[3][x & 0xFF];
  }

  void Encrypt(uint32_t* left, uint32_t* right) const {
    uint32_t l = *left, r = *right;
    for (int i = 0; i < 16; i += 2) {
      l ^= p[i];
      r ^= F(l);
      r ^= p[i + 1];
      l ^= F(r);
    }
    *left = r ^ p[17];
    *right = l ^ p[16];
  }

  // bcrypt's ExpandKey: the key cycles over the subkeys; each block
  // encrypted while refilling the state is first mixed with the next 64
  // bits of the (cycling) salt, when there is one.
  void ExpandKey(const uint8_t* key, size_t key_len, const uint8_t* salt) {
    size_t k = 0;
    for (uint32_t& subkey : p) subkey ^= NextWord(key, key_len, &k);
    uint32_t l = 0, r = 0;
    size_t sp = 0;
    auto refill = [&](uint32_t* out, size_t n) {
      for (size_t i = 0; i < n; i += 2) {
        if (salt != nullptr) {
          l ^= NextWord(salt, kSaltBytes, &sp);
          r ^= NextWord(salt, kSaltBytes, &sp);
        }
        Encrypt(&l, &r);
        out[i] = l;
        out[i + 1] = r;
      }
    };
    refill(p, 18);
    for (auto& box : s) refill(box, 256);
  }

  // Four bytes of `data` (big-endian), cycling back to its start.
  static uint32_t NextWord(const uint8_t* data, size_t len, size_t* pos) {
    uint32_t w = 0;
    for (int i = 0; i < 4; ++i) {
      w = (w << 8) | data[*pos];
      *pos = (*pos + 1) % len;
    }
    return w;
  }
};

int DecodeChar(char c) {
  const char* hit = std::strchr(kAlphabet, c);
  return (c == '\0' || hit == nullptr) ? -1 : static_cast<int>(hit - kAlphabet);
}

// bcrypt's base64 (its own alphabet, no padding): 22 characters -> 16 bytes.
bool DecodeSalt(std::string_view text, uint8_t out[kSaltBytes]) {
  size_t o = 0, i = 0;
  while (o < kSaltBytes) {
    int c[4] = {0, 0, 0, 0};
    const size_t take = std::min<size_t>(4, text.size() - i);
    for (size_t j = 0; j < take; ++j) {
      c[j] = DecodeChar(text[i + j]);
      if (c[j] < 0) return false;
    }
    i += take;
    const uint8_t bytes[3] = {static_cast<uint8_t>((c[0] << 2) | (c[1] >> 4)),
                              static_cast<uint8_t>(((c[1] & 0x0F) << 4) | (c[2] >> 2)),
                              static_cast<uint8_t>(((c[2] & 0x03) << 6) | c[3])};
    for (int b = 0; b < 3 && o < kSaltBytes; ++b) out[o++] = bytes[b];
  }
  return true;
}

void Encode(const uint8_t* data, size_t len, std::string* out) {
  size_t i = 0;
  while (i < len) {
    uint32_t c1 = data[i++];
    out->push_back(kAlphabet[c1 >> 2]);
    c1 = (c1 & 0x03) << 4;
    if (i >= len) {
      out->push_back(kAlphabet[c1]);
      return;
    }
    uint32_t c2 = data[i++];
    out->push_back(kAlphabet[c1 | (c2 >> 4)]);
    c1 = (c2 & 0x0F) << 2;
    if (i >= len) {
      out->push_back(kAlphabet[c1]);
      return;
    }
    c2 = data[i++];
    out->push_back(kAlphabet[c1 | (c2 >> 6)]);
    out->push_back(kAlphabet[c2 & 0x3F]);
  }
}

}  // namespace

StatusOr<std::string> BcryptHash(std::string_view password, std::string_view salt) {
  // "$2a$" (or 2b/2y, which differ only in bugs of other implementations
  // with long or 8-bit passwords), two cost digits, "$", 22 salt chars.
  if (salt.size() < 29 || salt[0] != '$' || salt[1] != '2' ||
      (salt[2] != 'a' && salt[2] != 'b' && salt[2] != 'y') || salt[3] != '$' || salt[6] != '$' ||
      salt[4] < '0' || salt[4] > '9' || salt[5] < '0' || salt[5] > '9') {
    return absl::InvalidArgumentError("bcrypt: malformed salt (want $2a$NN$ + 22 characters)");
  }
  const int cost = (salt[4] - '0') * 10 + (salt[5] - '0');
  if (cost < 4 || cost > 31) return absl::InvalidArgumentError("bcrypt: cost must be 04..31");
  uint8_t salt_bytes[kSaltBytes];
  if (!DecodeSalt(salt.substr(7, 22), salt_bytes)) {
    return absl::InvalidArgumentError("bcrypt: salt has characters outside its alphabet");
  }
  // The key is the password with its terminating NUL, at most 72 bytes.
  std::array<uint8_t, kMaxKeyBytes> key{};
  const size_t n = std::min(password.size(), kMaxKeyBytes - 1);
  std::memcpy(key.data(), password.data(), n);
  key[n] = 0;
  const size_t key_len = n + 1;

  Blowfish bf;
  bf.ExpandKey(key.data(), key_len, salt_bytes);
  const uint64_t rounds = uint64_t{1} << cost;
  for (uint64_t i = 0; i < rounds; ++i) {
    bf.ExpandKey(key.data(), key_len, nullptr);
    bf.ExpandKey(salt_bytes, kSaltBytes, nullptr);
  }
  OPENSSL_cleanse(key.data(), key.size());

  // "OrpheanBeholderScryDoubt" encrypted 64 times.
  static constexpr char kMagic[] = "OrpheanBeholderScryDoubt";
  uint32_t text[6];
  size_t pos = 0;
  for (uint32_t& w : text) {
    w = Blowfish::NextWord(reinterpret_cast<const uint8_t*>(kMagic), 24, &pos);
  }
  for (int i = 0; i < 64; ++i) {
    for (int b = 0; b < 6; b += 2) bf.Encrypt(&text[b], &text[b + 1]);
  }
  uint8_t digest[24];
  for (int i = 0; i < 6; ++i) {
    digest[4 * i] = static_cast<uint8_t>(text[i] >> 24);
    digest[4 * i + 1] = static_cast<uint8_t>(text[i] >> 16);
    digest[4 * i + 2] = static_cast<uint8_t>(text[i] >> 8);
    digest[4 * i + 3] = static_cast<uint8_t>(text[i]);
  }
  std::string out(salt.substr(0, 7));
  Encode(salt_bytes, kSaltBytes, &out);
  Encode(digest, 23, &out);  // bcrypt keeps 23 of the 24 bytes
  OPENSSL_cleanse(&bf, sizeof(bf));
  return out;
}

std::string AerospikePasswordHash(std::string_view password) {
  // The salt is a valid constant: this cannot fail.
  return *BcryptHash(password, kAerospikePasswordSalt);
}

void WipeString(std::string* s) {
  if (!s->empty()) OPENSSL_cleanse(s->data(), s->size());
  s->clear();
}

}  // namespace aerospike_py
