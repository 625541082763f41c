#include "server/expression.h"

#include <string>
#include <utility>

#include "common/byte_order.h"
#include "proto/constants.h"
#include "server/bins.h"
#include "server/expression_build.h"
#include "server/expression_eval.h"
#include "server/geojson.h"

namespace aerospike_py::server {
namespace {

using proto::ParticleType;

uint32_t UintvarSize(uint32_t v) {
  if ((v & 0xFFFFFF80u) == 0) return 1;
  if ((v & 0xFFFFC000u) == 0) return 2;
  if ((v & 0xFFE00000u) == 0) return 3;
  if ((v & 0xF0000000u) == 0) return 4;
  return 5;
}

// The flat size of one particle (as_bin_particle_flat_size).
size_t ParticleFlatSize(uint8_t type, std::string_view value) {
  switch (static_cast<ParticleType>(type)) {
    case ParticleType::kInteger: {
      const uint64_t v = value.size() == 8
                             ? LoadBE64(reinterpret_cast<const uint8_t*>(value.data()))
                             : 0;
      if ((v & ~0xFFFFFFFFull) != 0) return 2 + 8;
      if ((v & ~0xFFFFull) != 0) return 2 + 4;
      if ((v & ~0xFFull) != 0) return 2 + 2;
      return 2 + 1;
    }
    case ParticleType::kFloat: return 9;
    case ParticleType::kBool: return 2;
    default: return 5 + value.size();  // type, u32 size, bytes
  }
}

constexpr int64_t kNewRecordStoredSize = 16;

exp::Subject ToSubject(const FilterSubject& s, const Record* record_for_size) {
  exp::Subject out;
  out.record = s.record;
  out.bins = s.bins != nullptr ? std::string_view(*s.bins)
                               : (s.record != nullptr ? std::string_view(s.record->bins)
                                                      : std::string_view());
  out.set_name = s.set_name;
  out.digest = s.digest;
  out.now_ns = s.now_ns;
  // A record being created has no stored copy yet; the real server still
  // reports one 16-byte block for it (measured: record_size is 16 during
  // the write that creates a record, whatever that write holds).
  out.stored_size = record_for_size != nullptr ? StoredRecordSize(*record_for_size, s.set_name)
                                               : kNewRecordStoredSize;
  return out;
}

FilterResult Match(const exp::Program& p, const FilterSubject& s) {
  const exp::Value v = exp::Evaluate(p, ToSubject(s, s.record));
  if (v.kind != exp::Value::Kind::kBool) return FilterResult::kFalse;
  return v.b ? FilterResult::kTrue : FilterResult::kFalse;
}

}  // namespace

int64_t StoredRecordSize(const Record& r, std::string_view set_name) {
  // The flat record header (as_flat_record, 35 bytes) plus 4: measured on
  // the real server (8.1, memory storage), where every record's size is 4
  // bytes more than the header and fields below add up to.
  size_t size = 39;
  if (r.void_time != 0) size += 4;
  if (!set_name.empty()) size += 1 + set_name.size();
  if (!r.key.empty()) {
    size += UintvarSize(static_cast<uint32_t>(r.key.size())) + r.key.size();
  }
  if (r.n_bins != 0) size += UintvarSize(r.n_bins);
  BinCursor c(r.bins);
  BinView b;
  while (c.Next(&b)) size += 1 + b.name.size() + ParticleFlatSize(b.type, b.value);
  return static_cast<int64_t>((size + 15) / 16 * 16);
}

struct Filter::Impl {
  exp::Program program;
};

Filter::Filter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Filter::~Filter() = default;

std::unique_ptr<Filter> Filter::Build(ByteSpan expression) {
  auto impl = std::make_unique<Impl>();
  if (!exp::Build(expression, /*filter=*/true, &impl->program, nullptr)) return nullptr;
  return std::unique_ptr<Filter>(new Filter(std::move(impl)));
}

FilterResult Filter::Match(const FilterSubject& subject) const {
  return server::Match(impl_->program, subject);
}

FilterResult EvaluateFilter(ByteSpan expression, const FilterSubject& subject) {
  exp::Program p;
  if (!exp::Build(expression, /*filter=*/true, &p, nullptr)) return FilterResult::kError;
  return Match(p, subject);
}

bool ExpressionIsValid(ByteSpan expression) {
  exp::Program p;
  return exp::Build(expression, /*filter=*/false, &p, nullptr);
}

bool EvaluateExpression(ByteSpan expression, const FilterSubject& subject,
                        ExpressionValue* out) {
  exp::Program p;
  if (!exp::Build(expression, /*filter=*/false, &p, nullptr)) return false;
  const exp::Value v = exp::Evaluate(p, ToSubject(subject, subject.record));
  *out = ExpressionValue();
  uint8_t be[8];
  using K = exp::Value::Kind;
  switch (v.kind) {
    case K::kUnknown:
    case K::kRemove:
      out->unknown = true;
      break;
    case K::kNil:
      break;
    case K::kBool:
      out->particle_type = static_cast<uint8_t>(ParticleType::kBool);
      out->bytes.assign(1, v.b ? 1 : 0);
      break;
    case K::kInt:
      out->particle_type = static_cast<uint8_t>(ParticleType::kInteger);
      StoreBE64(be, static_cast<uint64_t>(v.i));
      out->bytes.assign(reinterpret_cast<const char*>(be), 8);
      break;
    case K::kFloat:
      out->particle_type = static_cast<uint8_t>(ParticleType::kFloat);
      StoreBE64(be, DoubleBits(v.d));
      out->bytes.assign(reinterpret_cast<const char*>(be), 8);
      break;
    case K::kStr:
      out->particle_type = static_cast<uint8_t>(ParticleType::kString);
      out->bytes.assign(v.bytes);
      break;
    case K::kBlob:
      out->particle_type = static_cast<uint8_t>(ParticleType::kBlob);
      out->bytes.assign(v.bytes);
      break;
    case K::kHll:
      out->particle_type = static_cast<uint8_t>(ParticleType::kHll);
      out->bytes.assign(v.bytes);
      break;
    case K::kGeo:
      out->particle_type = static_cast<uint8_t>(ParticleType::kGeoJson);
      if (v.particle_type == out->particle_type) {
        out->bytes.assign(v.particle);  // a bin's particle, cells and all
      } else {
        // A literal becomes a particle as a written GeoJSON value does.
        std::string particle(3, '\0');
        particle.append(v.bytes);
        auto normalized = NormalizeGeoJsonParticle(particle);
        if (!normalized) {
          out->unknown = true;
          break;
        }
        out->bytes = std::move(*normalized);
      }
      break;
    case K::kMsgpack: {
      if (v.particle_type != 0) {
        out->particle_type = v.particle_type;
        out->bytes.assign(v.bytes);
        break;
      }
      // A literal list or map (msgpack_to_bin); anything else has no bin form.
      const uint8_t first = v.bytes.empty() ? 0 : static_cast<uint8_t>(v.bytes[0]);
      if ((first & 0xf0) == 0x90 || first == 0xdc || first == 0xdd) {
        out->particle_type = static_cast<uint8_t>(ParticleType::kList);
      } else if ((first & 0xf0) == 0x80 || first == 0xde || first == 0xdf) {
        out->particle_type = static_cast<uint8_t>(ParticleType::kMap);
      } else {
        out->unknown = true;
        break;
      }
      out->bytes.assign(v.bytes);
      break;
    }
  }
  return true;
}

}  // namespace aerospike_py::server
