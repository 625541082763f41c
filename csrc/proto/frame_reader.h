// FrameReader reassembles proto frames from a byte stream split at any
// point. It never interprets a body beyond inflating type-4 frames, so the
// same reader serves client connections (replies) and server connections
// (requests). Two ways in:
//  - Feed(): copies bytes from a scratch buffer (small replies, TLS output);
//  - ReadSpan()/CommitRead(): lets the socket read straight into the body of
//    a large frame, so batch replies are never copied.
// Completed frames own their bytes; views handed out later point into them.
#pragma once

#include <cstdint>
#include <vector>

#include "absl/types/span.h"
#include "common/byte_buffer.h"
#include "common/status.h"
#include "proto/constants.h"

namespace aerospike_py::proto {

struct Frame {
  uint8_t type = 0;  // 1 info, 2 admin, 3 message (type 4 arrives inflated as 3)
  ByteBuffer buffer; // the bytes received (or inflated)
  size_t body_offset = 0;
  ByteSpan body() const { return buffer.span().subspan(body_offset); }
};

class FrameReader {
 public:
  // `allowed_types` is a bit set (1 << type) of proto types this side
  // accepts; anything else is a protocol error.
  explicit FrameReader(uint32_t allowed_types = (1u << 1) | (1u << 2) |
                                                (1u << 3) | (1u << 4))
      : allowed_types_(allowed_types) {}

  // Consumes all of `bytes`, appending each completed frame to `out`.
  // After an error the reader is unusable (the connection must close).
  Status Feed(ByteSpan bytes, std::vector<Frame>* out);

  // Where the next bytes may be read to directly; empty when in the header.
  // Only worth using when the body remainder is large.
  absl::Span<uint8_t> BodyReadSpan();
  // Records that `n` bytes were read into BodyReadSpan().
  Status CommitBodyRead(size_t n, std::vector<Frame>* out);

  bool in_body() const { return state_ == State::kBody; }
  // True between frames: no partial frame is buffered.
  bool idle() const { return state_ == State::kHeader && header_have_ == 0; }

 private:
  enum class State { kHeader, kBody };
  Status StartBody();
  Status FinishFrame(std::vector<Frame>* out);

  uint32_t allowed_types_;
  State state_ = State::kHeader;
  uint8_t header_[kProtoHeaderSize];
  size_t header_have_ = 0;
  uint8_t type_ = 0;
  ByteBuffer body_;
  size_t body_have_ = 0;
};

}  // namespace aerospike_py::proto
