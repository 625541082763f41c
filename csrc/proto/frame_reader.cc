#include "proto/frame_reader.h"

#include <algorithm>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "proto/compression.h"
#include "proto/headers.h"

namespace aerospike_py::proto {

Status FrameReader::Fail(Status status) {
  state_ = State::kFailed;
  failure_ = status;
  body_ = ByteBuffer();
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
  body_ = ByteBuffer(static_cast<size_t>(std::min<uint64_t>(h.size, kEagerBodyBytes)));
  state_ = State::kBody;
  return absl::OkStatus();
}

void FrameReader::GrowBody() {
  if (body_.capacity() > body_.size()) return;
  const uint64_t want = std::max<uint64_t>(uint64_t{body_.capacity()} * 2, kEagerBodyBytes);
  body_.Reserve(static_cast<size_t>(std::min<uint64_t>(want, body_size_)));
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
         (state_ == State::kBody && body_.size() == body_size_)) {
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
    const uint64_t missing = body_size_ - body_.size();
    const size_t take = static_cast<size_t>(
        std::min<uint64_t>(missing, bytes.size() - pos));
    if (body_.size() + take > body_.capacity()) {
      // Grow to at least what this chunk needs, geometrically otherwise.
      GrowBody();
      body_.Reserve(body_.size() + take);
    }
    body_.Append(bytes.data() + pos, take);
    pos += take;
    if (body_.size() == body_size_) {
      Status s = FinishFrame(out);
      if (!s.ok()) return Fail(std::move(s));
    }
  }
  return absl::OkStatus();
}

absl::Span<uint8_t> FrameReader::BodyReadSpan() {
  if (state_ != State::kBody || body_.size() == body_size_) return {};
  GrowBody();
  const size_t room = std::min<uint64_t>(body_.capacity() - body_.size(),
                                         body_size_ - body_.size());
  return absl::Span<uint8_t>(body_.data() + body_.size(), room);
}

Status FrameReader::CommitBodyRead(size_t n, std::vector<Frame>* out) {
  if (state_ == State::kFailed) return failure_;
  if (state_ != State::kBody ||
      n > std::min<uint64_t>(body_.capacity() - body_.size(),
                             body_size_ - body_.size())) {
    return Fail(absl::FailedPreconditionError("CommitBodyRead beyond BodyReadSpan"));
  }
  body_.Resize(body_.size() + n);
  if (body_.size() == body_size_) {
    Status s = FinishFrame(out);
    if (!s.ok()) return Fail(std::move(s));
  }
  return absl::OkStatus();
}

}  // namespace aerospike_py::proto
