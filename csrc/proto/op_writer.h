// Writes complete ops (size, op, particle type, flags, name, value) into a
// buffer outside any message. The bridge encodes a command's ops this way
// while it reads Python values; the event thread later places the bytes
// after the message's fields without touching them again.
#pragma once

#include <cstdint>
#include <string_view>

#include "common/byte_buffer.h"
#include "common/byte_order.h"
#include "proto/constants.h"

namespace aerospike_py::proto {

class OpWriter {
 public:
  explicit OpWriter(ByteBuffer* out) : out_(out) {}

  // Starts an op; the caller appends the value to buffer() and calls End().
  void Begin(OpType op, ParticleType particle, std::string_view bin_name) {
    start_ = out_->size();
    uint8_t* p = out_->Extend(8 + bin_name.size());
    p[4] = static_cast<uint8_t>(op);
    p[5] = static_cast<uint8_t>(particle);
    p[6] = 0;
    p[7] = static_cast<uint8_t>(bin_name.size());
    if (!bin_name.empty()) std::memcpy(p + 8, bin_name.data(), bin_name.size());
  }
  // Changes the particle type of the op begun last (known only after the
  // value was converted).
  void SetParticle(ParticleType particle) {
    out_->data()[start_ + 5] = static_cast<uint8_t>(particle);
  }
  void End() {
    StoreBE32(out_->data() + start_, static_cast<uint32_t>(out_->size() - start_ - 4));
    ++count_;
  }
  void Add(OpType op, ParticleType particle, std::string_view bin_name,
           ByteSpan value) {
    Begin(op, particle, bin_name);
    out_->Append(value);
    End();
  }

  ByteBuffer* buffer() { return out_; }
  // Ops written so far. A message carries at most 65535; the caller checks
  // before narrowing to the header's 16-bit field.
  size_t count() const { return count_; }

 private:
  ByteBuffer* out_;
  size_t start_ = 0;
  size_t count_ = 0;
};

}  // namespace aerospike_py::proto
