#include "proto/frame_reader.h"

#include <algorithm>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "common/byte_order.h"
#include "proto/compression.h"
#include "proto/headers.h"

namespace aerospike_py::proto {

StatusOr<size_t> WholeMessagesPrefix(ByteSpan body) {
  size_t whole = 0;
  while (body.size() - whole >= kMsgHeaderSize) {
    const uint8_t* m = body.data() + whole;
    if (m[0] != kMsgHeaderSize) {
      return MalformedError(absl::StrCat("AS_MSG header size ", m[0], " (expected 22)"));
    }
    const uint32_t parts = uint32_t{LoadBE16(m + 18)} + LoadBE16(m + 20);  // fields + ops
    uint64_t end = whole + kMsgHeaderSize;
    for (uint32_t i = 0; i < parts; ++i) {
      if (body.size() - end < 4) return whole;  // cut inside a size
      const uint32_t size = LoadBE32(body.data() + end);
      if (size == 0) return MalformedError("AS_MSG field or op of size 0");
      end += 4 + uint64_t{size};
      if (end > body.size()) return whole;  // cut inside a field or op
    }
    whole = static_cast<size_t>(end);
  }
  return whole;
}

Status FrameReader::Fail(Status status) {
  state_ = State::kFailed;
  failure_ = status;
  body_ = ByteBuffer();
  splitting_ = false;
  handed_ = 0;
  return status;
}

Status FrameReader::StartBody() {
  ProtoHeader h = DecodeProtoHeader(header_);
  ASPY_RETURN_IF_ERROR(ValidateProtoHeader(h));
  if ((allowed_types_ & (1u << h.type)) == 0) {
    return MalformedError(absl::StrCat("unexpected proto type ", h.type));
  }
  type_ = h.type;
  body_size_ = h.size;
  handed_ = 0;
  // Bodies up to twice the piece size stay whole: split, they would make a
  // piece and a sliver.
  splitting_ = split_bytes_ != 0 && h.type == static_cast<uint8_t>(ProtoType::kMessage) &&
               h.size > 2 * uint64_t{split_bytes_};
  const size_t first = splitting_ ? split_bytes_ : kEagerBodyBytes;
  body_ = ByteBuffer(static_cast<size_t>(std::min<uint64_t>(h.size, first)));
  state_ = State::kBody;
  return absl::OkStatus();
}

void FrameReader::GrowBody() {
  if (splitting_) return;  // pieces are cut (CutPiece), not grown
  if (body_.capacity() > body_.size()) return;
  const uint64_t want = std::max<uint64_t>(uint64_t{body_.capacity()} * 2, kEagerBodyBytes);
  body_.Reserve(static_cast<size_t>(std::min<uint64_t>(want, body_size_)));
}

Status FrameReader::CutPiece(std::vector<Frame>* out) {
  ASPY_ASSIGN_OR_RETURN(const size_t whole, WholeMessagesPrefix(body_.span()));
  const uint64_t left = body_size_ - received();
  if (whole == 0) {
    // One message larger than the piece: the piece grows to hold it.
    body_.Reserve(static_cast<size_t>(
        body_.size() + std::min<uint64_t>(std::max<size_t>(body_.capacity(), split_bytes_), left)));
    return absl::OkStatus();
  }
  const size_t tail = body_.size() - whole;
  ByteBuffer next(static_cast<size_t>(
      tail + std::min<uint64_t>(std::max<size_t>(split_bytes_, tail), left)));
  next.Append(body_.data() + whole, tail);
  body_.Resize(whole);
  Frame piece;
  piece.type = static_cast<uint8_t>(ProtoType::kMessage);
  piece.buffer = std::move(body_);
  out->push_back(std::move(piece));
  handed_ += whole;
  body_ = std::move(next);
  return absl::OkStatus();
}

Status FrameReader::BodyBytesAdded(std::vector<Frame>* out) {
  if (received() == body_size_) return FinishFrame(out);
  if (splitting_ && body_.size() == body_.capacity()) return CutPiece(out);
  return absl::OkStatus();
}

Status FrameReader::FinishFrame(std::vector<Frame>* out) {
  Frame frame;
  if (type_ == static_cast<uint8_t>(ProtoType::kCompressed) && inflate_compressed_) {
    ASPY_ASSIGN_OR_RETURN(frame.buffer, DecompressBody(body_.span()));
    frame.type = static_cast<uint8_t>(ProtoType::kMessage);
    frame.body_offset = kProtoHeaderSize;
  } else {
    frame.type = type_;
    frame.buffer = std::move(body_);
  }
  out->push_back(std::move(frame));
  body_ = ByteBuffer();
  body_size_ = 0;
  splitting_ = false;
  handed_ = 0;
  state_ = State::kHeader;
  header_have_ = 0;
  return absl::OkStatus();
}

Status FrameReader::Feed(ByteSpan bytes, std::vector<Frame>* out) {
  if (state_ == State::kFailed) return failure_;
  size_t pos = 0;
  // A zero-length body completes as soon as its header does, so the loop
  // also runs once with no bytes left.
  while (pos < bytes.size() ||
         (state_ == State::kBody && received() == body_size_)) {
    if (state_ == State::kHeader) {
      const size_t take = std::min(kProtoHeaderSize - header_have_, bytes.size() - pos);
      std::memcpy(header_ + header_have_, bytes.data() + pos, take);
      header_have_ += take;
      pos += take;
      if (header_have_ < kProtoHeaderSize) break;
      Status s = StartBody();
      if (!s.ok()) return Fail(std::move(s));
      continue;
    }
    const uint64_t missing = body_size_ - received();
    size_t take = static_cast<size_t>(std::min<uint64_t>(missing, bytes.size() - pos));
    if (splitting_) {
      take = std::min(take, body_.capacity() - body_.size());  // the rest goes to the next piece
    } else if (body_.size() + take > body_.capacity()) {
      // Grow to at least what this chunk needs, geometrically otherwise.
      GrowBody();
      body_.Reserve(body_.size() + take);
    }
    body_.Append(bytes.data() + pos, take);
    pos += take;
    Status s = BodyBytesAdded(out);
    if (!s.ok()) return Fail(std::move(s));
  }
  return absl::OkStatus();
}

absl::Span<uint8_t> FrameReader::BodyReadSpan() {
  if (state_ != State::kBody || received() == body_size_) return {};
  GrowBody();
  const size_t room = std::min<uint64_t>(body_.capacity() - body_.size(),
                                         body_size_ - received());
  return absl::Span<uint8_t>(body_.data() + body_.size(), room);
}

Status FrameReader::CommitBodyRead(size_t n, std::vector<Frame>* out) {
  if (state_ == State::kFailed) return failure_;
  if (state_ != State::kBody ||
      n > std::min<uint64_t>(body_.capacity() - body_.size(),
                             body_size_ - received())) {
    return Fail(absl::FailedPreconditionError("CommitBodyRead beyond BodyReadSpan"));
  }
  body_.Resize(body_.size() + n);
  Status s = BodyBytesAdded(out);
  if (!s.ok()) return Fail(std::move(s));
  return absl::OkStatus();
}

}  // namespace aerospike_py::proto
