#include "server/geojson.h"

#include <array>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "common/byte_order.h"
#include "server/sindex/geo_region.h"
#include "server/sindex/s2_cover.h"

namespace aerospike_py::server {

namespace {

// The S2 Hilbert-curve lookup table: maps 4 bits of i and j plus the
// current orientation to 8 bits of curve position and the next orientation.
constexpr int kLookupBits = 4;
constexpr int kSwapMask = 1;
constexpr int kInvertMask = 2;
constexpr int kMaxLevel = 30;
constexpr int kPosBits = 2 * kMaxLevel + 1;
constexpr int kPosToIJ[4][4] = {{0, 1, 3, 2}, {0, 2, 3, 1}, {3, 2, 0, 1}, {3, 1, 0, 2}};
constexpr int kPosToOrientation[4] = {kSwapMask, 0, 0, kInvertMask | kSwapMask};

struct LookupTable {
  std::array<uint16_t, 1 << (2 * kLookupBits + 2)> pos{};

  LookupTable() {
    Init(0, 0, 0, 0, 0, 0);
    Init(0, 0, 0, kSwapMask, 0, kSwapMask);
    Init(0, 0, 0, kInvertMask, 0, kInvertMask);
    Init(0, 0, 0, kSwapMask | kInvertMask, 0, kSwapMask | kInvertMask);
  }
  void Init(int level, int i, int j, int orig_orientation, int p, int orientation) {
    if (level == kLookupBits) {
      const int ij = (i << kLookupBits) + j;
      pos[(ij << 2) + orig_orientation] = static_cast<uint16_t>((p << 2) + orientation);
      return;
    }
    ++level;
    i <<= 1;
    j <<= 1;
    p <<= 2;
    const int* r = kPosToIJ[orientation];
    for (int index = 0; index < 4; ++index) {
      Init(level, i + (r[index] >> 1), j + (r[index] & 1), orig_orientation, p + index,
           orientation ^ kPosToOrientation[index]);
    }
  }
};

const LookupTable& Table() {
  static const LookupTable table;
  return table;
}

// The quadratic projection S2 uses from face coordinates to cell space.
double UVtoST(double u) {
  return u >= 0 ? 0.5 * std::sqrt(1 + 3 * u) : 1 - 0.5 * std::sqrt(1 - 3 * u);
}

int STtoIJ(double s) {
  constexpr double kMaxSize = static_cast<double>(1 << kMaxLevel);
  const double v = std::floor(kMaxSize * s);
  return static_cast<int>(std::max(0.0, std::min(kMaxSize - 1, v)));
}

uint64_t FromFaceIJ(int face, int i, int j) {
  const auto& table = Table().pos;
  uint64_t n = static_cast<uint64_t>(face) << (kPosBits - 1);
  uint64_t bits = static_cast<uint64_t>(face & kSwapMask);
  const int mask = (1 << kLookupBits) - 1;
  for (int k = 7; k >= 0; --k) {
    bits += static_cast<uint64_t>((i >> (k * kLookupBits)) & mask) << (kLookupBits + 2);
    bits += static_cast<uint64_t>((j >> (k * kLookupBits)) & mask) << 2;
    bits = table[bits];
    n |= (bits >> 2) << (k * 2 * kLookupBits);
    bits &= (kSwapMask | kInvertMask);
  }
  return n * 2 + 1;
}

// A strict JSON reader (what jansson's json_loadb() accepts with no flags:
// one value and nothing after it but whitespace, no NaN or Infinity, no
// leading zeros, strings of valid UTF-8 without NUL) building a small tree.
struct Json {
  enum class Kind : uint8_t { kNull, kBool, kInt, kReal, kString, kArray, kObject } kind =
      Kind::kNull;
  double number = 0;
  std::string text;
  std::vector<Json> items;                        // array elements
  std::vector<std::pair<std::string, Json>> members;  // object members

  bool is_number() const { return kind == Kind::kInt || kind == Kind::kReal; }
  // Like json_object_get(): a repeated key keeps its last value.
  const Json* Get(std::string_view key) const {
    const Json* found = nullptr;
    for (const auto& [k, v] : members) {
      if (k == key) found = &v;
    }
    return found;
  }
};

class JsonReader {
 public:
  explicit JsonReader(std::string_view s) : s_(s) {}

  bool Document(Json* out) {
    if (!Value(out, 0)) return false;
    Ws();
    return pos_ == s_.size();
  }

 private:
  static constexpr int kMaxDepth = 2048;

  void Ws() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' ||
                                s_[pos_] == '\r')) {
      ++pos_;
    }
  }
  bool Eat(char c) {
    Ws();
    if (pos_ < s_.size() && s_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  bool Literal(std::string_view word) {
    if (s_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }

  bool Value(Json* out, int depth) {
    if (depth > kMaxDepth) return false;
    Ws();
    if (pos_ >= s_.size()) return false;
    const char c = s_[pos_];
    if (c == '{') return Object(out, depth);
    if (c == '[') return Array(out, depth);
    if (c == '"') {
      out->kind = Json::Kind::kString;
      return String(&out->text);
    }
    if (c == 't' || c == 'f') {
      out->kind = Json::Kind::kBool;
      out->number = c == 't';
      return Literal(c == 't' ? "true" : "false");
    }
    if (c == 'n') {
      out->kind = Json::Kind::kNull;
      return Literal("null");
    }
    return Number(out);
  }

  bool Object(Json* out, int depth) {
    out->kind = Json::Kind::kObject;
    ++pos_;
    if (Eat('}')) return true;
    do {
      Ws();
      std::string key;
      if (pos_ >= s_.size() || s_[pos_] != '"' || !String(&key) || !Eat(':')) return false;
      Json v;
      if (!Value(&v, depth + 1)) return false;
      out->members.emplace_back(std::move(key), std::move(v));
    } while (Eat(','));
    return Eat('}');
  }

  bool Array(Json* out, int depth) {
    out->kind = Json::Kind::kArray;
    ++pos_;
    if (Eat(']')) return true;
    do {
      Json v;
      if (!Value(&v, depth + 1)) return false;
      out->items.push_back(std::move(v));
    } while (Eat(','));
    return Eat(']');
  }

  static void AppendUtf8(std::string* out, uint32_t cp) {
    if (cp < 0x80) {
      out->push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out->push_back(static_cast<char>(0xc0 | (cp >> 6)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    } else if (cp < 0x10000) {
      out->push_back(static_cast<char>(0xe0 | (cp >> 12)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    } else {
      out->push_back(static_cast<char>(0xf0 | (cp >> 18)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3f)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    }
  }

  bool Hex4(uint32_t* v) {
    if (s_.size() - pos_ < 4) return false;
    *v = 0;
    for (int i = 0; i < 4; ++i) {
      const char h = s_[pos_++];
      *v <<= 4;
      if (h >= '0' && h <= '9') *v |= static_cast<uint32_t>(h - '0');
      else if (h >= 'a' && h <= 'f') *v |= static_cast<uint32_t>(h - 'a' + 10);
      else if (h >= 'A' && h <= 'F') *v |= static_cast<uint32_t>(h - 'A' + 10);
      else return false;
    }
    return true;
  }

  // One UTF-8 sequence starting at pos_, validated (no overlongs, no
  // surrogates, at most U+10FFFF).
  bool Utf8(std::string* out) {
    const auto b0 = static_cast<uint8_t>(s_[pos_]);
    int n;
    uint32_t cp;
    if (b0 >= 0xc2 && b0 <= 0xdf) { n = 1; cp = b0 & 0x1f; }
    else if (b0 >= 0xe0 && b0 <= 0xef) { n = 2; cp = b0 & 0x0f; }
    else if (b0 >= 0xf0 && b0 <= 0xf4) { n = 3; cp = b0 & 0x07; }
    else return false;
    if (s_.size() - pos_ < static_cast<size_t>(n) + 1) return false;
    for (int i = 1; i <= n; ++i) {
      const auto b = static_cast<uint8_t>(s_[pos_ + static_cast<size_t>(i)]);
      if ((b & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (b & 0x3f);
    }
    if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
        (cp >= 0xd800 && cp <= 0xdfff)) {
      return false;
    }
    out->append(s_.substr(pos_, static_cast<size_t>(n) + 1));
    pos_ += static_cast<size_t>(n) + 1;
    return true;
  }

  bool String(std::string* out) {
    ++pos_;  // the opening quote
    while (pos_ < s_.size()) {
      const auto c = static_cast<uint8_t>(s_[pos_]);
      if (c == '"') {
        ++pos_;
        return true;
      }
      if (c < 0x20) return false;  // control characters must be escaped
      if (c >= 0x80) {
        if (!Utf8(out)) return false;
        continue;
      }
      if (c != '\\') {
        out->push_back(static_cast<char>(c));
        ++pos_;
        continue;
      }
      if (++pos_ >= s_.size()) return false;
      const char e = s_[pos_++];
      switch (e) {
        case '"': case '\\': case '/': out->push_back(e); break;
        case 'b': out->push_back('\b'); break;
        case 'f': out->push_back('\f'); break;
        case 'n': out->push_back('\n'); break;
        case 'r': out->push_back('\r'); break;
        case 't': out->push_back('\t'); break;
        case 'u': {
          uint32_t cp;
          if (!Hex4(&cp)) return false;
          if (cp >= 0xd800 && cp <= 0xdbff) {
            uint32_t low;
            if (s_.substr(pos_, 2) != "\\u") return false;
            pos_ += 2;
            if (!Hex4(&low) || low < 0xdc00 || low > 0xdfff) return false;
            cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
          } else if (cp >= 0xdc00 && cp <= 0xdfff) {
            return false;
          }
          if (cp == 0) return false;  // NUL is refused without JSON_ALLOW_NUL
          AppendUtf8(out, cp);
          break;
        }
        default:
          return false;
      }
    }
    return false;
  }

  bool Number(Json* out) {
    const size_t start = pos_;
    auto digit = [&] { return pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9'; };
    if (pos_ < s_.size() && s_[pos_] == '-') ++pos_;
    if (!digit()) return false;
    if (s_[pos_] == '0') {
      ++pos_;
      if (digit()) return false;  // no leading zeros
    } else {
      while (digit()) ++pos_;
    }
    bool real = false;
    if (pos_ < s_.size() && s_[pos_] == '.') {
      real = true;
      ++pos_;
      if (!digit()) return false;
      while (digit()) ++pos_;
    }
    if (pos_ < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
      real = true;
      ++pos_;
      if (pos_ < s_.size() && (s_[pos_] == '+' || s_[pos_] == '-')) ++pos_;
      if (!digit()) return false;
      while (digit()) ++pos_;
    }
    const std::string text(s_.substr(start, pos_ - start));
    errno = 0;
    if (real) {
      out->kind = Json::Kind::kReal;
      out->number = std::strtod(text.c_str(), nullptr);
      return errno != ERANGE || out->number == 0;  // overflow is an error
    }
    out->kind = Json::Kind::kInt;
    const long long v = std::strtoll(text.c_str(), nullptr, 10);
    if (errno == ERANGE) return false;  // "too big integer"
    out->number = static_cast<double>(v);
    return true;
  }

  std::string_view s_;
  size_t pos_ = 0;
};

// The GeoJSON the server accepts (as/src/geospatial/geojson.cc): a Point,
// Polygon, MultiPolygon or AeroCircle, at the top or as a Feature's
// geometry.
struct LatLng {
  double lat = 0, lng = 0;
  bool operator==(const LatLng& o) const { return lat == o.lat && lng == o.lng; }
};

bool ReadPoint(const Json* coord, LatLng* out) {
  if (coord == nullptr || coord->kind != Json::Kind::kArray || coord->items.size() != 2) {
    return false;
  }
  if (!coord->items[0].is_number() || !coord->items[1].is_number()) return false;
  out->lng = coord->items[0].number;
  out->lat = coord->items[1].number;
  // S2LatLng::is_valid(), in degrees.
  return std::fabs(out->lat) <= 90 && std::fabs(out->lng) <= 180;
}

bool ReadLoop(const Json& vertices) {
  if (vertices.kind != Json::Kind::kArray) return false;
  std::vector<LatLng> points;
  for (const Json& v : vertices.items) {
    LatLng p;
    if (!ReadPoint(&v, &p)) return false;
    if (points.empty() || !(points.back() == p)) points.push_back(p);  // duplicates dropped
  }
  return points.size() >= 4 && points.front() == points.back();
}

bool ReadPolygon(const Json& loops) {
  if (loops.kind != Json::Kind::kArray) return false;
  for (const Json& loop : loops.items) {
    if (!ReadLoop(loop)) return false;
  }
  return true;
}

enum class GeoShape : uint8_t { kInvalid, kPoint, kRegion };

GeoShape ReadGeometry(const Json& geom, bool top, LatLng* point) {
  if (geom.kind != Json::Kind::kObject) return GeoShape::kInvalid;
  const Json* type = geom.Get("type");
  if (type == nullptr || type->kind != Json::Kind::kString) return GeoShape::kInvalid;
  const Json* coord = geom.Get("coordinates");
  if (top && type->text == "Feature") {
    const Json* g = geom.Get("geometry");
    return g == nullptr ? GeoShape::kInvalid : ReadGeometry(*g, false, point);
  }
  if (type->text == "Point") {
    return ReadPoint(coord, point) ? GeoShape::kPoint : GeoShape::kInvalid;
  }
  if (coord == nullptr || coord->kind != Json::Kind::kArray) return GeoShape::kInvalid;
  if (type->text == "Polygon") {
    return ReadPolygon(*coord) ? GeoShape::kRegion : GeoShape::kInvalid;
  }
  if (type->text == "MultiPolygon") {
    for (const Json& polygon : coord->items) {
      if (!ReadPolygon(polygon)) return GeoShape::kInvalid;
    }
    return GeoShape::kRegion;
  }
  if (type->text == "AeroCircle") {
    LatLng center;
    if (coord->items.size() != 2 || !ReadPoint(&coord->items[0], &center) ||
        !coord->items[1].is_number()) {
      return GeoShape::kInvalid;
    }
    return GeoShape::kRegion;
  }
  return GeoShape::kInvalid;
}

}  // namespace

uint64_t S2LeafCellId(double lat_degrees, double lng_degrees) {
  const double lat = lat_degrees * M_PI / 180.0;
  const double lng = lng_degrees * M_PI / 180.0;
  const double x = std::cos(lat) * std::cos(lng);
  const double y = std::cos(lat) * std::sin(lng);
  const double z = std::sin(lat);
  const double ax = std::fabs(x), ay = std::fabs(y), az = std::fabs(z);
  int face = ax > ay ? (ax > az ? 0 : 2) : (ay > az ? 1 : 2);
  const double axis = face == 0 ? x : face == 1 ? y : z;
  if (axis < 0) face += 3;
  double u = 0, v = 0;
  switch (face) {
    case 0: u = y / x; v = z / x; break;
    case 1: u = -x / y; v = z / y; break;
    case 2: u = -x / z; v = -y / z; break;
    case 3: u = z / x; v = y / x; break;
    case 4: u = z / y; v = -x / y; break;
    default: u = -y / z; v = -x / z; break;
  }
  return FromFaceIJ(face, STtoIJ(UVtoST(u)), STtoIJ(UVtoST(v)));
}

std::optional<std::pair<double, double>> GeoJsonPoint(std::string_view json) {
  Json doc;
  LatLng p;
  if (!JsonReader(json).Document(&doc) || ReadGeometry(doc, true, &p) != GeoShape::kPoint) {
    return std::nullopt;
  }
  return std::make_pair(p.lng, p.lat);
}

std::optional<std::string> NormalizeGeoJsonParticle(std::string_view particle) {
  if (particle.size() < 3) return std::nullopt;
  const size_t ncells = LoadBE16(reinterpret_cast<const uint8_t*>(particle.data()) + 1);
  if (3 + ncells * 8 > particle.size()) return std::nullopt;
  // The incoming cells are ignored; the server computes its own.
  const std::string_view json = particle.substr(3 + ncells * 8);
  Json doc;
  LatLng p;
  if (!JsonReader(json).Document(&doc)) return std::nullopt;
  const GeoShape shape = ReadGeometry(doc, true, &p);
  if (shape == GeoShape::kInvalid) return std::nullopt;
  std::string out;
  if (shape == GeoShape::kPoint) {
    out.push_back(0);  // flags
    out.push_back(0);
    out.push_back(1);
    uint8_t cell[8];
    StoreBE64(cell, S2LeafCellId(p.lat, p.lng));
    out.append(reinterpret_cast<const char*>(cell), 8);
  } else {
    // A region: flagged so, with the S2 covering the real server stores
    // (none in builds without libs2; see sindex/s2_cover.h).
    std::optional<sindex::GeoRegion> region = sindex::ParseGeoRegion(json);
    std::optional<std::vector<uint64_t>> cells = std::vector<uint64_t>{};
    if (region) {
      const sindex::GeoShape shape(std::move(*region));
      cells = shape.Covering(sindex::kStoredRegionCover);
      if (!cells) return std::nullopt;  // the real server refuses it (GEO_INVALID_GEOJSON)
    }
    out.push_back(1);  // GEOJSON_ISREGION
    out.push_back(static_cast<char>(cells->size() >> 8));
    out.push_back(static_cast<char>(cells->size() & 0xFF));
    for (uint64_t id : *cells) {
      uint8_t cell[8];
      StoreBE64(cell, id);
      out.append(reinterpret_cast<const char*>(cell), 8);
    }
  }
  out.append(json);
  return out;
}

}  // namespace aerospike_py::server
