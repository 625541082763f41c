#include "proto/message_writer.h"

#include "common/byte_order.h"
#include "proto/particle.h"

namespace aerospike_py::proto {

MessageWriter::MessageWriter(ByteBuffer* out, const MsgHeader& header,
                             Framing framing)
    : out_(out),
      frame_start_(out->size()),
      header_size_(framing == Framing::kOwnFrame ? kProtoHeaderSize : 0) {
  uint8_t* p = out_->Extend(header_size_ + kMsgHeaderSize);
  EncodeMsgHeader(p + header_size_, header);
}

void MessageWriter::AddField(FieldType type, ByteSpan data) {
  uint8_t* p = out_->Extend(5 + data.size());
  StoreBE32(p, static_cast<uint32_t>(data.size() + 1));
  p[4] = static_cast<uint8_t>(type);
  if (!data.empty()) std::memcpy(p + 5, data.data(), data.size());
  ++n_fields_;
}

void MessageWriter::AddU32Field(FieldType type, uint32_t value) {
  uint8_t data[4];
  StoreBE32(data, value);
  AddField(type, ByteSpan(data, 4));
}

void MessageWriter::AddU64Field(FieldType type, uint64_t value) {
  uint8_t data[8];
  StoreBE64(data, value);
  AddField(type, ByteSpan(data, 8));
}

void MessageWriter::BeginField(FieldType type) {
  open_start_ = out_->size();
  uint8_t* p = out_->Extend(5);
  p[4] = static_cast<uint8_t>(type);
}

void MessageWriter::EndField() {
  StoreBE32(out_->data() + open_start_,
            static_cast<uint32_t>(out_->size() - open_start_ - 4));
  ++n_fields_;
}

void MessageWriter::BeginOp(OpType op, ParticleType particle,
                            std::string_view bin_name) {
  open_start_ = out_->size();
  uint8_t* p = out_->Extend(8 + bin_name.size());
  p[4] = static_cast<uint8_t>(op);
  p[5] = static_cast<uint8_t>(particle);
  p[6] = 0;
  p[7] = static_cast<uint8_t>(bin_name.size());
  if (!bin_name.empty()) std::memcpy(p + 8, bin_name.data(), bin_name.size());
}

void MessageWriter::EndOp() {
  StoreBE32(out_->data() + open_start_,
            static_cast<uint32_t>(out_->size() - open_start_ - 4));
  ++n_ops_;
}

void MessageWriter::AddOp(OpType op, ParticleType particle,
                          std::string_view bin_name, ByteSpan value) {
  BeginOp(op, particle, bin_name);
  out_->Append(value);
  EndOp();
}

void MessageWriter::AddValueOp(OpType op, std::string_view bin_name,
                               const Value& value) {
  BeginOp(op, ParticleTypeOf(value), bin_name);
  AppendParticle(value, out_);
  EndOp();
}

size_t MessageWriter::Finish() {
  uint8_t* frame = out_->data() + frame_start_;
  const size_t total = out_->size() - frame_start_;
  if (header_size_ != 0) {
    EncodeProtoHeader(frame, ProtoType::kMessage, total - kProtoHeaderSize);
  }
  StoreBE16(frame + header_size_ + 18, n_fields_);
  StoreBE16(frame + header_size_ + 20, n_ops_);
  return total;
}

FrameWriter::FrameWriter(ByteBuffer* out, ProtoType type)
    : out_(out), frame_start_(out->size()), type_(type) {
  out_->Extend(kProtoHeaderSize);
}

size_t FrameWriter::Finish() {
  const size_t total = out_->size() - frame_start_;
  EncodeProtoHeader(out_->data() + frame_start_, type_, total - kProtoHeaderSize);
  return total;
}

ByteBuffer EncodeInfoRequest(std::string_view names) {
  const bool needs_newline = !names.empty() && names.back() != '\n';
  const size_t body = names.size() + (needs_newline ? 1 : 0);
  ByteBuffer out(kProtoHeaderSize + body);
  EncodeProtoHeader(out.Extend(kProtoHeaderSize), ProtoType::kInfo, body);
  out.Append(names);
  if (needs_newline) out.PushBack('\n');
  return out;
}

}  // namespace aerospike_py::proto
