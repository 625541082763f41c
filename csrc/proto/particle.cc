#include "proto/particle.h"

#include "absl/strings/str_cat.h"
#include "common/byte_order.h"
#include "proto/msgpack.h"

namespace aerospike_py::proto {

ParticleType ParticleTypeOf(const Value& value) {
  switch (value.type()) {
    case Value::Type::kNil: return ParticleType::kNull;
    case Value::Type::kBool: return ParticleType::kBool;
    case Value::Type::kInt: return ParticleType::kInteger;
    case Value::Type::kDouble: return ParticleType::kFloat;
    case Value::Type::kString: return ParticleType::kString;
    case Value::Type::kBytes: return static_cast<ParticleType>(value.subtype());
    case Value::Type::kGeoJson: return ParticleType::kGeoJson;
    case Value::Type::kHll: return ParticleType::kHll;
    case Value::Type::kList: return ParticleType::kList;
    case Value::Type::kMap: return ParticleType::kMap;
    case Value::Type::kWildcard:
    case Value::Type::kInfinity: return ParticleType::kBlob;
  }
  return ParticleType::kNull;
}

void AppendParticle(const Value& value, ByteBuffer* out) {
  switch (value.type()) {
    case Value::Type::kNil:
      return;
    case Value::Type::kBool:
      out->PushBack(value.as_bool() ? 1 : 0);
      return;
    case Value::Type::kInt:
      StoreBE64(out->Extend(8), static_cast<uint64_t>(value.as_int()));
      return;
    case Value::Type::kDouble:
      StoreBE64(out->Extend(8), DoubleBits(value.as_double()));
      return;
    case Value::Type::kString:
    case Value::Type::kBytes:
    case Value::Type::kHll:
      out->Append(value.str());
      return;
    case Value::Type::kGeoJson: {
      uint8_t* p = out->Extend(3);  // flags 0, ncells 0
      p[0] = p[1] = p[2] = 0;
      out->Append(value.str());
      return;
    }
    case Value::Type::kList:
    case Value::Type::kMap:
    case Value::Type::kWildcard:
    case Value::Type::kInfinity:
      MsgpackWriter(out).Pack(value);
      return;
  }
}

StatusOr<std::string_view> GeoJsonText(ByteSpan bytes) {
  if (bytes.size() < 3) return MalformedError("geojson particle too short");
  const size_t ncells = LoadBE16(bytes.data() + 1);
  const size_t skip = 3 + ncells * 8;
  if (skip > bytes.size()) return MalformedError("geojson cell count overruns value");
  return AsChars(bytes.subspan(skip));
}

StatusOr<Value> DecodeParticle(uint8_t particle_type, ByteSpan bytes) {
  switch (static_cast<ParticleType>(particle_type)) {
    case ParticleType::kNull:
      if (!bytes.empty()) return MalformedError("null particle with a value");
      return Value::Nil();
    case ParticleType::kInteger: {
      const uint8_t* p = bytes.data();
      switch (bytes.size()) {
        case 1: return Value::Int(static_cast<int8_t>(p[0]));
        case 2: return Value::Int(static_cast<int16_t>(LoadBE16(p)));
        case 4: return Value::Int(static_cast<int32_t>(LoadBE32(p)));
        case 8: return Value::Int(static_cast<int64_t>(LoadBE64(p)));
        default:
          return MalformedError(absl::StrCat("integer particle of ", bytes.size(), " bytes"));
      }
    }
    case ParticleType::kFloat:
      if (bytes.size() != 8) return MalformedError("float particle is not 8 bytes");
      return Value::Double(BitsToDouble(LoadBE64(bytes.data())));
    case ParticleType::kString:
      return Value::String(std::string(AsChars(bytes)));
    case ParticleType::kBool:
      if (bytes.size() != 1) return MalformedError("bool particle is not 1 byte");
      return Value::Bool(bytes[0] != 0);
    case ParticleType::kHll:
      return Value::Hll(std::string(AsChars(bytes)));
    case ParticleType::kGeoJson: {
      ASPY_ASSIGN_OR_RETURN(std::string_view text, GeoJsonText(bytes));
      return Value::GeoJson(std::string(text));
    }
    case ParticleType::kList:
    case ParticleType::kMap: {
      ASPY_ASSIGN_OR_RETURN(Value v, DecodeMsgpack(bytes));
      const bool want_list = particle_type == static_cast<uint8_t>(ParticleType::kList);
      if (v.type() != (want_list ? Value::Type::kList : Value::Type::kMap)) {
        return MalformedError("collection particle does not hold its collection type");
      }
      return v;
    }
    default:
      // Blob, language blobs, and particle types we do not know: raw bytes
      // tagged with their type.
      return Value::Bytes(std::string(AsChars(bytes)), particle_type);
  }
}

}  // namespace aerospike_py::proto
