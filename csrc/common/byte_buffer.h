// ByteBuffer: an owned, growable byte array that does not zero what it
// reserves. Request encoders append into it; response readers read socket
// bytes straight into it and later hand views over it to the bridge.
// Used by every room; it knows nothing of the protocol.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>
#include <utility>

#include "absl/types/span.h"

namespace aerospike_py {

using ByteSpan = absl::Span<const uint8_t>;

inline ByteSpan AsBytes(std::string_view s) {
  return ByteSpan(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}
inline std::string_view AsChars(ByteSpan b) {
  return std::string_view(reinterpret_cast<const char*>(b.data()), b.size());
}

class ByteBuffer {
 public:
  ByteBuffer() = default;
  explicit ByteBuffer(size_t capacity) { Reserve(capacity); }
  ByteBuffer(ByteBuffer&& other) noexcept
      : data_(std::move(other.data_)),
        size_(std::exchange(other.size_, 0)),
        capacity_(std::exchange(other.capacity_, 0)) {}
  ByteBuffer& operator=(ByteBuffer&& other) noexcept {
    data_ = std::move(other.data_);
    size_ = std::exchange(other.size_, 0);
    capacity_ = std::exchange(other.capacity_, 0);
    return *this;
  }
  ByteBuffer(const ByteBuffer&) = delete;
  ByteBuffer& operator=(const ByteBuffer&) = delete;

  static ByteBuffer CopyOf(ByteSpan bytes) {
    ByteBuffer b(bytes.size());
    b.Append(bytes);
    return b;
  }

  uint8_t* data() { return data_.get(); }
  const uint8_t* data() const { return data_.get(); }
  size_t size() const { return size_; }
  size_t capacity() const { return capacity_; }
  bool empty() const { return size_ == 0; }
  ByteSpan span() const { return ByteSpan(data_.get(), size_); }
  std::string_view view() const { return AsChars(span()); }

  void Clear() { size_ = 0; }
  void Reserve(size_t capacity) {
    if (capacity <= capacity_) return;
    std::unique_ptr<uint8_t[]> grown(new uint8_t[capacity]);
    if (size_ != 0) std::memcpy(grown.get(), data_.get(), size_);
    data_ = std::move(grown);
    capacity_ = capacity;
  }
  // Sets the size without initializing new bytes (the caller fills them).
  void Resize(size_t size) {
    EnsureRoom(size > size_ ? size - size_ : 0);
    size_ = size;
  }
  // Returns a pointer to `n` writable bytes at the end and grows by `n`.
  uint8_t* Extend(size_t n) {
    EnsureRoom(n);
    uint8_t* out = data_.get() + size_;
    size_ += n;
    return out;
  }
  void Append(const void* src, size_t n) {
    if (n == 0) return;
    std::memcpy(Extend(n), src, n);
  }
  void Append(ByteSpan bytes) { Append(bytes.data(), bytes.size()); }
  void Append(std::string_view s) { Append(s.data(), s.size()); }
  void PushBack(uint8_t b) { *Extend(1) = b; }

 private:
  void EnsureRoom(size_t extra) {
    if (size_ + extra <= capacity_) return;
    size_t want = capacity_ < 64 ? 64 : capacity_ * 2;
    if (want < size_ + extra) want = size_ + extra;
    Reserve(want);
  }

  std::unique_ptr<uint8_t[]> data_;
  size_t size_ = 0;
  size_t capacity_ = 0;
};

}  // namespace aerospike_py
