#include "proto/compression.h"

#include <zlib.h>

#include "absl/strings/str_cat.h"
#include "common/byte_order.h"
#include "proto/constants.h"
#include "proto/headers.h"

namespace aerospike_py::proto {

namespace {
// The largest expansion a deflate stream can encode (258-byte matches coded
// in about two bits each) is a little over 1032:1.
constexpr uint64_t kMaxDeflateRatio = 1040;
}  // namespace

StatusOr<ByteBuffer> CompressFrame(ByteSpan frame) {
  uLongf bound = compressBound(frame.size());
  ByteBuffer out(kProtoHeaderSize + 8 + bound);
  out.Resize(kProtoHeaderSize + 8 + bound);
  int rc = compress2(out.data() + 16, &bound, frame.data(), frame.size(),
                     Z_BEST_SPEED);
  if (rc != Z_OK) return absl::InternalError(absl::StrCat("zlib compress failed: ", rc));
  out.Resize(16 + bound);
  EncodeProtoHeader(out.data(), ProtoType::kCompressed, 8 + bound);
  StoreBE64(out.data() + 8, frame.size());
  return out;
}

StatusOr<ByteBuffer> DecompressBody(ByteSpan body) {
  if (body.size() < 8) return MalformedError("compressed frame shorter than its length prefix");
  const uint64_t original = LoadBE64(body.data());
  if (original < kProtoHeaderSize || original > kProtoHeaderSize + kMaxBodySize) {
    return MalformedError(absl::StrCat("compressed frame announces ", original, " bytes"));
  }
  // Deflate expands at most ~1032:1, so a larger claim is malformed; checking
  // it first keeps a tiny hostile frame from making us allocate 128 MiB.
  const uint64_t compressed = body.size() - 8;
  if (original > compressed * kMaxDeflateRatio + 64) {
    return MalformedError(absl::StrCat("compressed frame of ", compressed,
                                       " bytes cannot inflate to ", original));
  }
  ByteBuffer out(original);
  out.Resize(original);
  uLongf produced = original;
  int rc = uncompress(out.data(), &produced, body.data() + 8, body.size() - 8);
  if (rc != Z_OK || produced != original) {
    return MalformedError("compressed frame does not inflate to its announced length");
  }
  ProtoHeader inner = DecodeProtoHeader(out.data());
  if (inner.version != kProtoVersion ||
      inner.type != static_cast<uint8_t>(ProtoType::kMessage) ||
      inner.size + kProtoHeaderSize != original) {
    return MalformedError("compressed frame holds an invalid inner frame");
  }
  return out;
}

}  // namespace aerospike_py::proto
