#include "server/geojson.h"

#include <array>
#include <cctype>
#include <cmath>
#include <cstdlib>

#include "common/byte_order.h"

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

// A tiny JSON scanner, enough to find "type" and "coordinates".
class Scanner {
 public:
  explicit Scanner(std::string_view s) : s_(s) {}
  void Ws() {
    while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
  }
  bool Eat(char c) {
    Ws();
    if (pos_ < s_.size() && s_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  bool String(std::string* out) {
    Ws();
    if (pos_ >= s_.size() || s_[pos_] != '"') return false;
    ++pos_;
    out->clear();
    while (pos_ < s_.size() && s_[pos_] != '"') {
      if (s_[pos_] == '\\') ++pos_;
      if (pos_ < s_.size()) out->push_back(s_[pos_++]);
    }
    return Eat('"');
  }
  bool Number(double* out) {
    Ws();
    const std::string rest(s_.substr(pos_, 64));
    char* end = nullptr;
    *out = std::strtod(rest.c_str(), &end);
    if (end == rest.c_str()) return false;
    pos_ += static_cast<size_t>(end - rest.c_str());
    return std::isfinite(*out);
  }
  // Skips any JSON value.
  bool Skip() {
    Ws();
    if (pos_ >= s_.size()) return false;
    const char c = s_[pos_];
    if (c == '"') {
      std::string tmp;
      return String(&tmp);
    }
    if (c == '{' || c == '[') {
      const char close = c == '{' ? '}' : ']';
      ++pos_;
      if (Eat(close)) return true;
      do {
        if (c == '{') {
          std::string k;
          if (!String(&k) || !Eat(':')) return false;
        }
        if (!Skip()) return false;
      } while (Eat(','));
      return Eat(close);
    }
    while (pos_ < s_.size() && std::string_view(",}] \t\r\n").find(s_[pos_]) == std::string_view::npos) {
      ++pos_;
    }
    return true;
  }

 private:
  std::string_view s_;
  size_t pos_ = 0;
};

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
  Scanner s(json);
  if (!s.Eat('{')) return std::nullopt;
  std::string type;
  std::optional<std::pair<double, double>> coords;
  bool first = true;
  while (first || s.Eat(',')) {
    first = false;
    std::string key;
    if (!s.String(&key) || !s.Eat(':')) return std::nullopt;
    if (key == "type") {
      if (!s.String(&type)) return std::nullopt;
    } else if (key == "coordinates") {
      double lng, lat;
      if (!s.Eat('[') || !s.Number(&lng) || !s.Eat(',') || !s.Number(&lat)) {
        if (!s.Skip()) return std::nullopt;  // not a point's coordinates
        continue;
      }
      if (!s.Eat(']')) return std::nullopt;
      coords = std::make_pair(lng, lat);
    } else if (!s.Skip()) {
      return std::nullopt;
    }
  }
  if (!s.Eat('}') || type != "Point" || !coords) return std::nullopt;
  if (coords->second < -90 || coords->second > 90 || coords->first < -180 ||
      coords->first > 180) {
    return std::nullopt;
  }
  return coords;
}

std::optional<std::string> NormalizeGeoJsonParticle(std::string_view particle) {
  if (particle.size() < 3) return std::nullopt;
  const size_t ncells = LoadBE16(reinterpret_cast<const uint8_t*>(particle.data()) + 1);
  if (3 + ncells * 8 > particle.size()) return std::nullopt;
  const std::string_view json = particle.substr(3 + ncells * 8);
  std::string out;
  out.push_back(0);  // flags
  if (auto point = GeoJsonPoint(json)) {
    out.push_back(0);
    out.push_back(1);
    uint8_t cell[8];
    StoreBE64(cell, S2LeafCellId(point->second, point->first));
    out.append(reinterpret_cast<const char*>(cell), 8);
  } else {
    out.push_back(0);
    out.push_back(0);
  }
  out.append(json);
  return out;
}

}  // namespace aerospike_py::server
