// FrameReader reassembles proto frames from a byte stream split at any
// point. It never interprets a body beyond inflating type-4 frames (and,
// when asked to split, finding where its AS_MSG messages end), so the
// same reader serves client connections (replies) and server connections
// (requests). Two ways in:
//  - Feed(): copies bytes from a scratch buffer (small replies, TLS output);
//  - BodyReadSpan()/CommitBodyRead(): lets the socket read straight into the
//    body of a large frame, so batch replies are not copied through a
//    scratch buffer.
// Completed frames own their bytes; views handed out later point into them.
// The body buffer grows with the bytes that actually arrive (beyond the
// first kEagerBodyBytes), so a hostile 8-byte header announcing 128 MiB does
// not commit 128 MiB of memory.
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
  // Bodies up to this size are allocated in full when their header
  // arrives; larger ones grow geometrically as their bytes arrive. A real
  // server flushes a scan/query frame once it passes 1 MiB, so its frames are
  // 1 MiB plus one record: the extra 64 KiB lets them fit the first buffer
  // instead of being reallocated and copied once each.
  static constexpr size_t kEagerBodyBytes = (1 << 20) + (64 << 10);

  // `allowed_types` is a bit set (1 << type) of proto types this side
  // accepts; anything else is a protocol error. With `inflate_compressed`
  // false, type-4 frames are handed over as received (type 4, body not
  // inflated): a Community Edition server refuses them unread.
  explicit FrameReader(uint32_t allowed_types = (1u << 1) | (1u << 2) |
                                                (1u << 3) | (1u << 4),
                       bool inflate_compressed = true)
      : allowed_types_(allowed_types), inflate_compressed_(inflate_compressed) {}

  // Consumes all of `bytes`, appending each completed frame to `out`.
  // After an error the reader is unusable (the connection must close): every
  // later call returns the same error.
  Status Feed(ByteSpan bytes, std::vector<Frame>* out);

  // Where the next body bytes may be read to directly; empty when no body
  // is being read (between frames or inside a proto header). The span may
  // be shorter than the rest of the body; read into it, commit, ask again.
  // Only worth using when the body remainder is large.
  absl::Span<uint8_t> BodyReadSpan();
  // Records that `n` bytes (at most BodyReadSpan().size()) were read into
  // the span returned last.
  Status CommitBodyRead(size_t n, std::vector<Frame>* out);

  // Multi-record answers (scans, queries): a message body (type 3) larger
  // than twice `bytes` is handed out in pieces of about `bytes` as its bytes
  // arrive, each piece a Frame of type 3 whose body is a whole number of
  // AS_MSG messages, instead of as one frame once all of it has arrived.
  // A real server's scan frames are 1 MiB: the memory a stream holds then
  // follows the piece, not the frame. 0 (the default): whole frames. Takes
  // effect from the next frame on; a frame being read keeps its mode.
  void set_split_bytes(size_t bytes) { split_bytes_ = bytes; }

  bool in_body() const { return state_ == State::kBody; }
  // True between frames: no partial frame is buffered.
  bool idle() const { return state_ == State::kHeader && header_have_ == 0; }
  // Body bytes still missing from the frame being read (0 outside a body).
  uint64_t body_remaining() const {
    return state_ == State::kBody ? body_size_ - received() : 0;
  }

 private:
  enum class State { kHeader, kBody, kFailed };
  Status StartBody();
  Status FinishFrame(std::vector<Frame>* out);
  Status Fail(Status status);
  // Makes room for at least one more body byte (and usually many).
  void GrowBody();
  // Splitting: hands out the whole messages of the full piece in body_ and
  // keeps the partial one for the next piece (or grows the piece when not
  // even one message fits it).
  Status CutPiece(std::vector<Frame>* out);
  // After `n` body bytes landed in body_: the frame or a piece is complete.
  Status BodyBytesAdded(std::vector<Frame>* out);
  // Body bytes of the current frame received so far (in earlier pieces too).
  uint64_t received() const { return handed_ + body_.size(); }

  uint32_t allowed_types_;
  bool inflate_compressed_;
  State state_ = State::kHeader;
  Status failure_;
  uint8_t header_[kProtoHeaderSize];
  size_t header_have_ = 0;
  uint8_t type_ = 0;
  uint64_t body_size_ = 0;  // announced by the header
  ByteBuffer body_;         // the body (or, splitting, the current piece) so far
  size_t split_bytes_ = 0;  // set_split_bytes
  bool splitting_ = false;  // the current frame goes out in pieces
  uint64_t handed_ = 0;     // its body bytes handed out in earlier pieces
};

// The length of the whole AS_MSG messages at the start of `body` (a
// message cut short is left out), or an error when a message header is not
// one (wrong header size, a field or op of size 0).
StatusOr<size_t> WholeMessagesPrefix(ByteSpan body);

}  // namespace aerospike_py::proto
