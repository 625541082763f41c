#include "server/udf/particles.h"

#include <cstring>

#include "common/byte_order.h"
#include "proto/constants.h"
#include "proto/msgpack.h"
#include "server/geojson.h"

namespace aerospike_py::server::udf {
namespace {

using proto::ParticleType;
using proto::Value;

uint8_t Type(ParticleType t) { return static_cast<uint8_t>(t); }

std::string Int64Bytes(int64_t v) {
  std::string out(8, '\0');
  StoreBE64(reinterpret_cast<uint8_t*>(out.data()), static_cast<uint64_t>(v));
  return out;
}

// GeoJSON particle: flags u8, cell count u16, cells u64 each, then JSON.
bool GeoJsonText(std::string_view particle, std::string_view* json) {
  if (particle.size() < 3) return false;
  const uint16_t cells = LoadBE16(reinterpret_cast<const uint8_t*>(particle.data()) + 1);
  const size_t at = 3 + size_t{cells} * 8;
  if (particle.size() < at) return false;
  *json = particle.substr(at);
  return true;
}

std::string GeoJsonWireParticle(std::string_view json) {
  std::string p(3, '\0');  // flags 0, no cells
  p.append(json);
  return p;
}

}  // namespace

bool ParticleToValue(uint8_t type, std::string_view bytes, Value* out) {
  const auto* p = reinterpret_cast<const uint8_t*>(bytes.data());
  switch (static_cast<ParticleType>(type)) {
    case ParticleType::kInteger:
      if (bytes.size() != 8) return false;
      *out = Value::Int(static_cast<int64_t>(LoadBE64(p)));
      return true;
    case ParticleType::kFloat:
      if (bytes.size() != 8) return false;
      *out = Value::Double(BitsToDouble(LoadBE64(p)));
      return true;
    case ParticleType::kString:
      *out = Value::String(std::string(bytes));
      return true;
    case ParticleType::kBool:
      *out = Value::Bool(!bytes.empty() && bytes[0] != 0);
      return true;
    case ParticleType::kHll:
      *out = Value::Hll(std::string(bytes));
      return true;
    case ParticleType::kList:
    case ParticleType::kMap: {
      auto v = proto::DecodeMsgpack(AsBytes(bytes));
      if (!v.ok()) return false;
      *out = std::move(v).value();
      return true;
    }
    case ParticleType::kGeoJson: {
      std::string_view json;
      if (!GeoJsonText(bytes, &json)) return false;
      *out = Value::GeoJson(std::string(json));
      return true;
    }
    default:  // blobs, language blobs
      *out = Value::Bytes(std::string(bytes), type);
      return true;
  }
}

bool ValueToStoredParticle(const Value& v, uint8_t* type, std::string* bytes) {
  switch (v.type()) {
    case Value::Type::kBool:
      *type = Type(ParticleType::kBool);
      bytes->assign(1, v.as_bool() ? '\1' : '\0');
      return true;
    case Value::Type::kInt:
      *type = Type(ParticleType::kInteger);
      *bytes = Int64Bytes(v.as_int());
      return true;
    case Value::Type::kDouble:
      *type = Type(ParticleType::kFloat);
      *bytes = Int64Bytes(static_cast<int64_t>(DoubleBits(v.as_double())));
      return true;
    case Value::Type::kString:
      *type = Type(ParticleType::kString);
      *bytes = v.str();
      return true;
    case Value::Type::kBytes:
      // Blob and language-blob subtypes are kept; any other tag the UDF set
      // with bytes.set_type stores a plain blob.
      *type = proto::IsLanguageBlob(v.subtype()) ? v.subtype() : Type(ParticleType::kBlob);
      *bytes = v.str();
      return true;
    case Value::Type::kHll:
      *type = Type(ParticleType::kHll);
      *bytes = v.str();
      return true;
    case Value::Type::kList:
    case Value::Type::kMap: {
      *type = Type(v.type() == Value::Type::kList ? ParticleType::kList : ParticleType::kMap);
      *bytes = std::string(proto::EncodeMsgpack(v).view());
      return true;
    }
    case Value::Type::kGeoJson: {
      auto stored = NormalizeGeoJsonParticle(GeoJsonWireParticle(v.str()));
      if (!stored) return false;
      *type = Type(ParticleType::kGeoJson);
      *bytes = std::move(*stored);
      return true;
    }
    default:
      return false;
  }
}

void ValueToReplyParticle(const Value& v, uint8_t* type, std::string* bytes) {
  switch (v.type()) {
    case Value::Type::kBytes:
    case Value::Type::kHll:
      *type = Type(ParticleType::kBlob);
      *bytes = v.str();
      return;
    case Value::Type::kGeoJson:
      *type = Type(ParticleType::kGeoJson);
      *bytes = GeoJsonWireParticle(v.str());
      return;
    default:
      if (!ValueToStoredParticle(v, type, bytes)) {
        *type = Type(ParticleType::kNull);
        bytes->clear();
      }
      return;
  }
}

bool StoredKeyToValue(std::string_view key, Value* out) {
  if (key.empty()) return false;
  const auto type = static_cast<uint8_t>(key[0]);
  const std::string_view body = key.substr(1);
  switch (static_cast<ParticleType>(type)) {
    case ParticleType::kInteger:
      if (body.size() != 8) return false;
      *out = Value::Int(static_cast<int64_t>(LoadBE64(reinterpret_cast<const uint8_t*>(body.data()))));
      return true;
    case ParticleType::kString:
      *out = Value::String(std::string(body));
      return true;
    default:
      *out = Value::Bytes(std::string(body), type);
      return true;
  }
}

}  // namespace aerospike_py::server::udf
