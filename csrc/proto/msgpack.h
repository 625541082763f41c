// Aerospike's MessagePack dialect, both directions.
// - Strings and blobs are msgpack str items whose payload starts with a
//   particle-type byte (3 string, 4 blob, 23 GeoJSON, 7..12 language blobs).
// - Ordered lists/maps carry a leading zero-length ext whose type byte holds
//   the order flags (maps: followed by a nil value).
// MsgpackReader is a bounds-checked pull parser used by both the Value
// decoder below and the Python bridge (which builds objects from items
// without an intermediate Value). Nothing here allocates per item.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

#include "common/byte_buffer.h"
#include "common/byte_order.h"
#include "common/status.h"
#include "proto/value.h"

namespace aerospike_py::proto {

// Deeper nesting is rejected by decoders, so hostile input cannot exhaust
// the stack of a recursive consumer.
inline constexpr int kMaxMsgpackDepth = 256;

struct MsgpackItem {
  enum class Kind : uint8_t {
    kNil,
    kBool,
    kInt,     // signed or small unsigned; value in `i`
    kUInt,    // unsigned above INT64_MAX; value in `u`
    kDouble,  // float32 items are widened
    kStr,     // payload in `data` (prefix byte included)
    kBin,     // msgpack bin (c4..c6): same payload convention as kStr
    kArray,   // `count` elements follow
    kMap,     // `count` key/value pairs follow
    kExt,     // `ext_type`, payload in `data`
  };
  Kind kind = Kind::kNil;
  bool b = false;
  int8_t ext_type = 0;
  uint32_t count = 0;
  int64_t i = 0;
  uint64_t u = 0;
  double d = 0;
  std::string_view data;
};

class MsgpackReader {
 public:
  explicit MsgpackReader(ByteSpan data) : data_(data) {}

  bool AtEnd() const { return pos_ >= data_.size(); }
  // The next type byte without consuming it; -1 at the end.
  int PeekByte() const { return AtEnd() ? -1 : data_[pos_]; }
  size_t offset() const { return pos_; }
  size_t remaining() const { return data_.size() - pos_; }

  // Reads one item. For arrays and maps only the header is consumed.
  Status Next(MsgpackItem* item);
  // Skips one complete value, nested contents included.
  Status Skip();

  // Fast paths for the items of numeric lists (feature vectors, id lists),
  // where the general Next() costs more than the value: each consumes the
  // next item and returns true only when it is that kind of number and is
  // complete; otherwise nothing is consumed and Next() handles the item.
  // An integer item that fits int64 (fixints, cc..ce, cf up to INT64_MAX, d0..d3).
  bool TryNextInt(int64_t* v) {
    if (AtEnd()) return false;
    const uint8_t* p = data_.data() + pos_;
    const uint8_t tag = p[0];
    if (tag <= 0x7f || tag >= 0xe0) {  // positive / negative fixint
      *v = tag <= 0x7f ? int64_t{tag} : int64_t{static_cast<int8_t>(tag)};
      ++pos_;
      return true;
    }
    size_t width;
    bool is_signed;
    if (tag >= 0xcc && tag <= 0xcf) {
      width = size_t{1} << (tag - 0xcc);
      is_signed = false;
    } else if (tag >= 0xd0 && tag <= 0xd3) {
      width = size_t{1} << (tag - 0xd0);
      is_signed = true;
    } else {
      return false;
    }
    if (width + 1 > remaining()) return false;
    const uint8_t* q = p + 1;
    uint64_t raw;
    switch (width) {
      case 1: raw = q[0]; break;
      case 2: raw = LoadBE16(q); break;
      case 4: raw = LoadBE32(q); break;
      default: raw = LoadBE64(q); break;
    }
    if (is_signed) {
      switch (width) {
        case 1: *v = static_cast<int8_t>(raw); break;
        case 2: *v = static_cast<int16_t>(raw); break;
        case 4: *v = static_cast<int32_t>(raw); break;
        default: *v = static_cast<int64_t>(raw); break;
      }
    } else {
      if (raw > static_cast<uint64_t>(INT64_MAX)) return false;  // Next() reports kUInt
      *v = static_cast<int64_t>(raw);
    }
    pos_ += width + 1;
    return true;
  }
  // A float64 (cb) or float32 (ca, widened) item.
  bool TryNextDouble(double* v) {
    if (AtEnd()) return false;
    const uint8_t* p = data_.data() + pos_;
    if (p[0] == 0xcb && remaining() >= 9) {
      *v = BitsToDouble(LoadBE64(p + 1));
      pos_ += 9;
      return true;
    }
    if (p[0] == 0xca && remaining() >= 5) {
      const uint32_t bits = LoadBE32(p + 1);
      float f;
      std::memcpy(&f, &bits, 4);
      *v = f;
      pos_ += 5;
      return true;
    }
    return false;
  }

 private:
  // Inline so that the bounds check of every item costs a compare: only
  // the truncated case builds a status.
  Status Need(size_t n) const {
    if (n <= data_.size() - pos_) [[likely]] return absl::OkStatus();
    return Truncated();
  }
  Status Truncated() const;
  ByteSpan data_;
  size_t pos_ = 0;
};

// How a str/bin payload is read in Aerospike's dialect.
struct TaggedPayload {
  Value::Type type;      // kString, kGeoJson or kBytes
  uint8_t subtype;       // particle type for kBytes
  std::string_view body; // payload without the prefix byte
};
TaggedPayload ClassifyPayload(std::string_view payload);

// True when `item` is the zero-length ext that marks an ordered collection.
inline bool IsOrderFlagExt(const MsgpackItem& item) {
  return item.kind == MsgpackItem::Kind::kExt && item.data.empty();
}

// Decodes one value at the reader's position. Value has no unsigned
// integer: a msgpack uint64 above INT64_MAX becomes the int64 with the same
// bits (Aerospike integers are int64; MsgpackReader still reports kUInt).
StatusOr<Value> ReadMsgpackValue(MsgpackReader& reader,
                                 int max_depth = kMaxMsgpackDepth);
// Decodes a buffer that holds exactly one value.
StatusOr<Value> DecodeMsgpack(ByteSpan bytes);

class MsgpackWriter {
 public:
  explicit MsgpackWriter(ByteBuffer* out) : out_(out) {}

  void Nil() { out_->PushBack(0xc0); }
  void Bool(bool b) { out_->PushBack(b ? 0xc3 : 0xc2); }
  void Int(int64_t v);
  void UInt(uint64_t v);
  void Double(double v);
  void String(std::string_view s) { Tagged(3, s); }
  void Blob(std::string_view b, uint8_t subtype = 4) { Tagged(subtype, b); }
  void GeoJson(std::string_view json) { Tagged(23, json); }
  // A str without the particle prefix (bin and variable names inside
  // expressions).
  void RawString(std::string_view s);
  void ArrayHeader(uint32_t n);
  void MapHeader(uint32_t n);
  void Ext(uint8_t type, std::string_view data);
  // `c7 00 <flags>`: the marker of an ordered list or map.
  void OrderFlagExt(uint8_t flags);
  void Pack(const Value& value);

 private:
  void Tagged(uint8_t prefix, std::string_view body);
  void StrHeader(uint32_t n);
  ByteBuffer* out_;
};

// Encodes one value into a fresh buffer.
ByteBuffer EncodeMsgpack(const Value& value);

}  // namespace aerospike_py::proto
