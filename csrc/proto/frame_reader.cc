#include "proto/frame_reader.h"

#include <algorithm>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "proto/compression.h"
#include "proto/headers.h"

namespace aerospike_py::proto {

Status FrameReader::StartBody() {
  ProtoHeader h = DecodeProtoHeader(header_);
  ASPY_RETURN_IF_ERROR(ValidateProtoHeader(h));
  if ((allowed_types_ & (1u << h.type)) == 0) {
    return MalformedError(absl::StrCat("unexpected proto type ", h.type));
  }
  type_ = h.type;
  body_ = ByteBuffer(h.size);
  body_.Resize(h.size);
  body_have_ = 0;
  state_ = State::kBody;
  return absl::OkStatus();
}

Status FrameReader::FinishFrame(std::vector<Frame>* out) {
  Frame frame;
  if (type_ == static_cast<uint8_t>(ProtoType::kCompressed)) {
    ASPY_ASSIGN_OR_RETURN(frame.buffer, DecompressBody(body_.span()));
    frame.type = static_cast<uint8_t>(ProtoType::kMessage);
    frame.body_offset = kProtoHeaderSize;
  } else {
    frame.type = type_;
    frame.buffer = std::move(body_);
  }
  out->push_back(std::move(frame));
  body_ = ByteBuffer();
  state_ = State::kHeader;
  header_have_ = 0;
  return absl::OkStatus();
}

Status FrameReader::Feed(ByteSpan bytes, std::vector<Frame>* out) {
  size_t pos = 0;
  // A zero-length body completes as soon as its header does, so the loop
  // also runs once with no bytes left.
  while (pos < bytes.size() || (state_ == State::kBody && body_have_ == body_.size())) {
    if (state_ == State::kHeader) {
      const size_t take = std::min(kProtoHeaderSize - header_have_, bytes.size() - pos);
      std::memcpy(header_ + header_have_, bytes.data() + pos, take);
      header_have_ += take;
      pos += take;
      if (header_have_ < kProtoHeaderSize) break;
      ASPY_RETURN_IF_ERROR(StartBody());
      continue;
    }
    const size_t take = std::min(body_.size() - body_have_, bytes.size() - pos);
    if (take) std::memcpy(body_.data() + body_have_, bytes.data() + pos, take);
    body_have_ += take;
    pos += take;
    if (body_have_ == body_.size()) ASPY_RETURN_IF_ERROR(FinishFrame(out));
  }
  return absl::OkStatus();
}

absl::Span<uint8_t> FrameReader::BodyReadSpan() {
  if (state_ != State::kBody) return {};
  return absl::Span<uint8_t>(body_.data() + body_have_, body_.size() - body_have_);
}

Status FrameReader::CommitBodyRead(size_t n, std::vector<Frame>* out) {
  body_have_ += n;
  if (body_have_ == body_.size()) return FinishFrame(out);
  return absl::OkStatus();
}

}  // namespace aerospike_py::proto
