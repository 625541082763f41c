#include "proto/msgpack.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/byte_order.h"
#include "proto/constants.h"

namespace aerospike_py::proto {

Status MsgpackReader::Truncated() const {
  return MalformedError(absl::StrCat("msgpack: truncated at offset ", pos_));
}

Status MsgpackReader::Next(MsgpackItem* item) {
  using Kind = MsgpackItem::Kind;
  ASPY_RETURN_IF_ERROR(Need(1));
  const uint8_t* p = data_.data() + pos_;
  const uint8_t tag = *p++;
  ++pos_;
  item->data = {};
  item->count = 0;

  auto read_payload = [&](size_t len, Kind kind) -> Status {
    ASPY_RETURN_IF_ERROR(Need(len));
    item->kind = kind;
    item->data = std::string_view(
        reinterpret_cast<const char*>(data_.data() + pos_), len);
    pos_ += len;
    return absl::OkStatus();
  };
  auto read_uint = [&](size_t width, uint64_t* v) -> Status {
    ASPY_RETURN_IF_ERROR(Need(width));
    const uint8_t* q = data_.data() + pos_;
    switch (width) {
      case 1: *v = q[0]; break;
      case 2: *v = LoadBE16(q); break;
      case 4: *v = LoadBE32(q); break;
      default: *v = LoadBE64(q); break;
    }
    pos_ += width;
    return absl::OkStatus();
  };

  if (tag <= 0x7f) {
    item->kind = Kind::kInt;
    item->i = tag;
    return absl::OkStatus();
  }
  if (tag >= 0xe0) {
    item->kind = Kind::kInt;
    item->i = static_cast<int8_t>(tag);
    return absl::OkStatus();
  }
  if ((tag & 0xf0) == 0x80) {
    item->kind = Kind::kMap;
    item->count = tag & 0x0f;
    return absl::OkStatus();
  }
  if ((tag & 0xf0) == 0x90) {
    item->kind = Kind::kArray;
    item->count = tag & 0x0f;
    return absl::OkStatus();
  }
  if ((tag & 0xe0) == 0xa0) return read_payload(tag & 0x1f, Kind::kStr);

  uint64_t v = 0;
  switch (tag) {
    case 0xc0: item->kind = Kind::kNil; return absl::OkStatus();
    case 0xc2: item->kind = Kind::kBool; item->b = false; return absl::OkStatus();
    case 0xc3: item->kind = Kind::kBool; item->b = true; return absl::OkStatus();
    case 0xc4: case 0xc5: case 0xc6:
      ASPY_RETURN_IF_ERROR(read_uint(size_t{1} << (tag - 0xc4), &v));
      return read_payload(v, Kind::kBin);
    case 0xd9: case 0xda: case 0xdb:
      ASPY_RETURN_IF_ERROR(read_uint(size_t{1} << (tag - 0xd9), &v));
      return read_payload(v, Kind::kStr);
    case 0xc7: case 0xc8: case 0xc9: {
      ASPY_RETURN_IF_ERROR(read_uint(size_t{1} << (tag - 0xc7), &v));
      ASPY_RETURN_IF_ERROR(Need(1));
      item->ext_type = static_cast<int8_t>(data_[pos_++]);
      return read_payload(v, Kind::kExt);
    }
    case 0xd4: case 0xd5: case 0xd6: case 0xd7: case 0xd8: {
      ASPY_RETURN_IF_ERROR(Need(1));
      item->ext_type = static_cast<int8_t>(data_[pos_++]);
      return read_payload(size_t{1} << (tag - 0xd4), Kind::kExt);
    }
    case 0xca: {
      ASPY_RETURN_IF_ERROR(read_uint(4, &v));
      float f;
      uint32_t bits = static_cast<uint32_t>(v);
      std::memcpy(&f, &bits, 4);
      item->kind = Kind::kDouble;
      item->d = f;
      return absl::OkStatus();
    }
    case 0xcb:
      ASPY_RETURN_IF_ERROR(read_uint(8, &v));
      item->kind = Kind::kDouble;
      item->d = BitsToDouble(v);
      return absl::OkStatus();
    case 0xcc: case 0xcd: case 0xce: case 0xcf:
      ASPY_RETURN_IF_ERROR(read_uint(size_t{1} << (tag - 0xcc), &v));
      if (v > static_cast<uint64_t>(INT64_MAX)) {
        item->kind = Kind::kUInt;
        item->u = v;
      } else {
        item->kind = Kind::kInt;
        item->i = static_cast<int64_t>(v);
      }
      return absl::OkStatus();
    case 0xd0: case 0xd1: case 0xd2: case 0xd3: {
      const size_t width = size_t{1} << (tag - 0xd0);
      ASPY_RETURN_IF_ERROR(read_uint(width, &v));
      item->kind = Kind::kInt;
      switch (width) {
        case 1: item->i = static_cast<int8_t>(v); break;
        case 2: item->i = static_cast<int16_t>(v); break;
        case 4: item->i = static_cast<int32_t>(v); break;
        default: item->i = static_cast<int64_t>(v); break;
      }
      return absl::OkStatus();
    }
    case 0xdc: case 0xdd:
      ASPY_RETURN_IF_ERROR(read_uint(tag == 0xdc ? 2 : 4, &v));
      item->kind = Kind::kArray;
      item->count = static_cast<uint32_t>(v);
      return absl::OkStatus();
    case 0xde: case 0xdf:
      ASPY_RETURN_IF_ERROR(read_uint(tag == 0xde ? 2 : 4, &v));
      item->kind = Kind::kMap;
      item->count = static_cast<uint32_t>(v);
      return absl::OkStatus();
    default:
      --pos_;
      return MalformedError(
          absl::StrCat("msgpack: invalid type byte 0x", absl::Hex(tag),
                       " at offset ", pos_));
  }
}

Status MsgpackReader::Skip() {
  // Iterative, so that skipping hostile nesting cannot overflow the stack.
  uint64_t pending = 1;
  MsgpackItem item;
  while (pending > 0) {
    ASPY_RETURN_IF_ERROR(Next(&item));
    --pending;
    if (item.kind == MsgpackItem::Kind::kArray) {
      pending += item.count;
    } else if (item.kind == MsgpackItem::Kind::kMap) {
      pending += uint64_t{item.count} * 2;
    }
    // Every element needs at least one byte; a count beyond the remaining
    // bytes is malformed and would otherwise spin on tiny inputs.
    if (pending > remaining()) {
      return MalformedError("msgpack: collection larger than its buffer");
    }
  }
  return absl::OkStatus();
}

TaggedPayload ClassifyPayload(std::string_view payload) {
  if (payload.empty()) return {Value::Type::kBytes, 4, payload};
  const uint8_t prefix = static_cast<uint8_t>(payload[0]);
  std::string_view body = payload.substr(1);
  if (prefix == static_cast<uint8_t>(ParticleType::kString)) {
    return {Value::Type::kString, prefix, body};
  }
  if (prefix == static_cast<uint8_t>(ParticleType::kGeoJson)) {
    return {Value::Type::kGeoJson, prefix, body};
  }
  return {Value::Type::kBytes, prefix, body};
}

namespace {

// Collections reserve at most this many elements up front. A count is only
// bounded by the bytes left, and nested headers share those bytes, so
// reserving the full count at every level would let a few KiB of input
// reserve tens of MiB; past this, vectors grow with what actually decodes.
constexpr uint32_t kMaxReserve = 64;

// Consumes the order marker if the next item is one (a zero-length ext: only
// the ext8/16/32 tags can encode that) and returns its flags.
bool TakeOrderMarker(MsgpackReader& reader, uint8_t* flags) {
  const int tag = reader.PeekByte();
  if (tag != 0xc7 && tag != 0xc8 && tag != 0xc9) return false;
  MsgpackReader peek = reader;
  MsgpackItem first;
  if (!peek.Next(&first).ok() || !IsOrderFlagExt(first)) return false;
  *flags = static_cast<uint8_t>(first.ext_type);
  reader = peek;
  return true;
}

}  // namespace

StatusOr<Value> ReadMsgpackValue(MsgpackReader& reader, int max_depth) {
  using Kind = MsgpackItem::Kind;
  if (max_depth <= 0) return MalformedError("msgpack: nesting too deep");
  MsgpackItem item;
  ASPY_RETURN_IF_ERROR(reader.Next(&item));
  switch (item.kind) {
    case Kind::kNil: return Value::Nil();
    case Kind::kBool: return Value::Bool(item.b);
    case Kind::kInt: return Value::Int(item.i);
    case Kind::kUInt: return Value::Int(static_cast<int64_t>(item.u));
    case Kind::kDouble: return Value::Double(item.d);
    case Kind::kStr:
    case Kind::kBin: {
      TaggedPayload t = ClassifyPayload(item.data);
      if (t.type == Value::Type::kString) return Value::String(std::string(t.body));
      if (t.type == Value::Type::kGeoJson) return Value::GeoJson(std::string(t.body));
      if (t.subtype == static_cast<uint8_t>(ParticleType::kHll)) {
        return Value::Hll(std::string(t.body));
      }
      return Value::Bytes(std::string(t.body), t.subtype);
    }
    case Kind::kExt:
      // Only the two reserved fixext1 values (type 0xff, 0 wildcard, 1
      // infinity) are values; order markers are consumed by their
      // collection, and anything else has no meaning as a value.
      if (item.ext_type == -1 && item.data.size() == 1) {
        if (item.data[0] == 0) return Value::Wildcard();
        if (item.data[0] == 1) return Value::Infinity();
      }
      return MalformedError("msgpack: unexpected ext value");
    case Kind::kArray: {
      if (item.count > reader.remaining()) {
        return MalformedError("msgpack: array larger than its buffer");
      }
      std::vector<Value> items;
      items.reserve(std::min<uint32_t>(item.count, kMaxReserve));
      uint8_t flags = 0;
      for (uint32_t i = 0; i < item.count; ++i) {
        if (i == 0 && TakeOrderMarker(reader, &flags)) continue;
        ASPY_ASSIGN_OR_RETURN(Value v, ReadMsgpackValue(reader, max_depth - 1));
        items.push_back(std::move(v));
      }
      return Value::List(std::move(items), flags);
    }
    case Kind::kMap: {
      if (uint64_t{item.count} * 2 > reader.remaining()) {
        return MalformedError("msgpack: map larger than its buffer");
      }
      std::vector<Value> flat;
      flat.reserve(size_t{std::min<uint32_t>(item.count, kMaxReserve)} * 2);
      uint8_t flags = 0;
      for (uint32_t i = 0; i < item.count; ++i) {
        if (i == 0 && TakeOrderMarker(reader, &flags)) {
          ASPY_RETURN_IF_ERROR(reader.Skip());  // the nil paired with the marker
          continue;
        }
        ASPY_ASSIGN_OR_RETURN(Value k, ReadMsgpackValue(reader, max_depth - 1));
        ASPY_ASSIGN_OR_RETURN(Value v, ReadMsgpackValue(reader, max_depth - 1));
        flat.push_back(std::move(k));
        flat.push_back(std::move(v));
      }
      return Value::MapFromFlat(std::move(flat), flags);
    }
  }
  return MalformedError("msgpack: unknown item");
}

StatusOr<Value> DecodeMsgpack(ByteSpan bytes) {
  MsgpackReader reader(bytes);
  ASPY_ASSIGN_OR_RETURN(Value v, ReadMsgpackValue(reader));
  if (!reader.AtEnd()) return MalformedError("msgpack: trailing bytes");
  return v;
}

void MsgpackWriter::Int(int64_t v) {
  if (v >= 0) {
    UInt(static_cast<uint64_t>(v));
    return;
  }
  if (v >= -32) {
    out_->PushBack(static_cast<uint8_t>(v));
  } else if (v >= INT8_MIN) {
    uint8_t* p = out_->Extend(2);
    p[0] = 0xd0;
    p[1] = static_cast<uint8_t>(v);
  } else if (v >= INT16_MIN) {
    uint8_t* p = out_->Extend(3);
    p[0] = 0xd1;
    StoreBE16(p + 1, static_cast<uint16_t>(v));
  } else if (v >= INT32_MIN) {
    uint8_t* p = out_->Extend(5);
    p[0] = 0xd2;
    StoreBE32(p + 1, static_cast<uint32_t>(v));
  } else {
    uint8_t* p = out_->Extend(9);
    p[0] = 0xd3;
    StoreBE64(p + 1, static_cast<uint64_t>(v));
  }
}

void MsgpackWriter::UInt(uint64_t v) {
  if (v < 128) {
    out_->PushBack(static_cast<uint8_t>(v));
  } else if (v <= UINT8_MAX) {
    uint8_t* p = out_->Extend(2);
    p[0] = 0xcc;
    p[1] = static_cast<uint8_t>(v);
  } else if (v <= UINT16_MAX) {
    uint8_t* p = out_->Extend(3);
    p[0] = 0xcd;
    StoreBE16(p + 1, static_cast<uint16_t>(v));
  } else if (v <= UINT32_MAX) {
    uint8_t* p = out_->Extend(5);
    p[0] = 0xce;
    StoreBE32(p + 1, static_cast<uint32_t>(v));
  } else {
    uint8_t* p = out_->Extend(9);
    p[0] = 0xcf;
    StoreBE64(p + 1, v);
  }
}

void MsgpackWriter::Double(double v) {
  uint8_t* p = out_->Extend(9);
  p[0] = 0xcb;
  StoreBE64(p + 1, DoubleBits(v));
}

void MsgpackWriter::StrHeader(uint32_t n) {
  if (n < 32) {
    out_->PushBack(static_cast<uint8_t>(0xa0 | n));
  } else if (n <= UINT8_MAX) {
    uint8_t* p = out_->Extend(2);
    p[0] = 0xd9;
    p[1] = static_cast<uint8_t>(n);
  } else if (n <= UINT16_MAX) {
    uint8_t* p = out_->Extend(3);
    p[0] = 0xda;
    StoreBE16(p + 1, static_cast<uint16_t>(n));
  } else {
    uint8_t* p = out_->Extend(5);
    p[0] = 0xdb;
    StoreBE32(p + 1, n);
  }
}

void MsgpackWriter::Tagged(uint8_t prefix, std::string_view body) {
  StrHeader(static_cast<uint32_t>(body.size() + 1));
  out_->PushBack(prefix);
  out_->Append(body);
}

void MsgpackWriter::RawString(std::string_view s) {
  StrHeader(static_cast<uint32_t>(s.size()));
  out_->Append(s);
}

void MsgpackWriter::ArrayHeader(uint32_t n) {
  if (n < 16) {
    out_->PushBack(static_cast<uint8_t>(0x90 | n));
  } else if (n <= UINT16_MAX) {
    uint8_t* p = out_->Extend(3);
    p[0] = 0xdc;
    StoreBE16(p + 1, static_cast<uint16_t>(n));
  } else {
    uint8_t* p = out_->Extend(5);
    p[0] = 0xdd;
    StoreBE32(p + 1, n);
  }
}

void MsgpackWriter::MapHeader(uint32_t n) {
  if (n < 16) {
    out_->PushBack(static_cast<uint8_t>(0x80 | n));
  } else if (n <= UINT16_MAX) {
    uint8_t* p = out_->Extend(3);
    p[0] = 0xde;
    StoreBE16(p + 1, static_cast<uint16_t>(n));
  } else {
    uint8_t* p = out_->Extend(5);
    p[0] = 0xdf;
    StoreBE32(p + 1, n);
  }
}

void MsgpackWriter::Ext(uint8_t type, std::string_view data) {
  const size_t n = data.size();
  if (n == 1 || n == 2 || n == 4 || n == 8 || n == 16) {
    static constexpr uint8_t kFixTags[17] = {0, 0xd4, 0xd5, 0, 0xd6, 0, 0, 0, 0xd7,
                                             0, 0, 0, 0, 0, 0, 0, 0xd8};
    out_->PushBack(kFixTags[n]);
  } else if (n <= UINT8_MAX) {
    uint8_t* p = out_->Extend(2);
    p[0] = 0xc7;
    p[1] = static_cast<uint8_t>(n);
  } else if (n <= UINT16_MAX) {
    uint8_t* p = out_->Extend(3);
    p[0] = 0xc8;
    StoreBE16(p + 1, static_cast<uint16_t>(n));
  } else {
    uint8_t* p = out_->Extend(5);
    p[0] = 0xc9;
    StoreBE32(p + 1, static_cast<uint32_t>(n));
  }
  out_->PushBack(type);
  out_->Append(data);
}

void MsgpackWriter::OrderFlagExt(uint8_t flags) {
  uint8_t* p = out_->Extend(3);
  p[0] = 0xc7;
  p[1] = 0;
  p[2] = flags;
}

void MsgpackWriter::Pack(const Value& value) {
  switch (value.type()) {
    case Value::Type::kNil: Nil(); return;
    case Value::Type::kBool: Bool(value.as_bool()); return;
    case Value::Type::kInt: Int(value.as_int()); return;
    case Value::Type::kDouble: Double(value.as_double()); return;
    case Value::Type::kString: String(value.str()); return;
    case Value::Type::kBytes: Blob(value.str(), value.subtype()); return;
    case Value::Type::kGeoJson: GeoJson(value.str()); return;
    case Value::Type::kHll: Blob(value.str(), static_cast<uint8_t>(ParticleType::kHll)); return;
    case Value::Type::kWildcard: Ext(0xff, std::string_view("\x00", 1)); return;
    case Value::Type::kInfinity: Ext(0xff, std::string_view("\x01", 1)); return;
    case Value::Type::kList: {
      const auto& items = value.items();
      if (value.flags() != 0) {
        ArrayHeader(static_cast<uint32_t>(items.size() + 1));
        OrderFlagExt(value.flags());
      } else {
        ArrayHeader(static_cast<uint32_t>(items.size()));
      }
      for (const Value& item : items) Pack(item);
      return;
    }
    case Value::Type::kMap: {
      const size_t n = value.map_size();
      if (value.flags() != 0) {
        MapHeader(static_cast<uint32_t>(n + 1));
        OrderFlagExt(value.flags());
        Nil();
      } else {
        MapHeader(static_cast<uint32_t>(n));
      }
      for (const Value& item : value.items()) Pack(item);
      return;
    }
  }
}

ByteBuffer EncodeMsgpack(const Value& value) {
  ByteBuffer out;
  MsgpackWriter(&out).Pack(value);
  return out;
}

}  // namespace aerospike_py::proto
