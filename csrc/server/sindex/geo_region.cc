#include "server/sindex/geo_region.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <string>

#include "common/byte_order.h"

namespace aerospike_py::server::sindex {
namespace {

constexpr double kEarthRadiusMeters = 6371000.0;
constexpr double kDegrees = M_PI / 180.0;

// A minimal JSON reader for GeoJSON objects: objects, arrays, strings,
// numbers; other values are skipped.
class Json {
 public:
  explicit Json(std::string_view s) : s_(s) {}
  void Ws() {
    while (i_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[i_]))) ++i_;
  }
  bool Eat(char c) {
    Ws();
    if (i_ < s_.size() && s_[i_] == c) {
      ++i_;
      return true;
    }
    return false;
  }
  bool Peek(char c) {
    Ws();
    return i_ < s_.size() && s_[i_] == c;
  }
  bool String(std::string* out) {
    if (!Eat('"')) return false;
    out->clear();
    while (i_ < s_.size() && s_[i_] != '"') {
      if (s_[i_] == '\\' && i_ + 1 < s_.size()) ++i_;
      out->push_back(s_[i_++]);
    }
    return Eat('"');
  }
  bool Number(double* out) {
    Ws();
    if (i_ >= s_.size()) return false;
    const std::string text(s_.substr(i_, std::min<size_t>(64, s_.size() - i_)));
    char* end = nullptr;
    *out = std::strtod(text.c_str(), &end);
    if (end == text.c_str()) return false;
    i_ += static_cast<size_t>(end - text.c_str());
    return std::isfinite(*out);
  }
  bool Skip(int depth = 0) {
    if (depth > 64) return false;
    Ws();
    if (i_ >= s_.size()) return false;
    const char c = s_[i_];
    if (c == '"') {
      std::string ignored;
      return String(&ignored);
    }
    if (c == '{' || c == '[') {
      const char close = c == '{' ? '}' : ']';
      ++i_;
      if (Eat(close)) return true;
      do {
        if (c == '{') {
          std::string key;
          if (!String(&key) || !Eat(':')) return false;
        }
        if (!Skip(depth + 1)) return false;
      } while (Eat(','));
      return Eat(close);
    }
    while (i_ < s_.size() && s_[i_] != ',' && s_[i_] != '}' && s_[i_] != ']') ++i_;
    return true;
  }
  size_t pos() const { return i_; }
  void set_pos(size_t p) { i_ = p; }
  std::string_view text() const { return s_; }

 private:
  std::string_view s_;
  size_t i_ = 0;
};

bool ReadPoint(Json& j, GeoPoint* p) {
  if (!j.Eat('[') || !j.Number(&p->lng) || !j.Eat(',') || !j.Number(&p->lat)) return false;
  while (j.Eat(',')) {  // an altitude is allowed and ignored
    double ignored;
    if (!j.Number(&ignored)) return false;
  }
  return j.Eat(']') && p->lat >= -90 && p->lat <= 90 && p->lng >= -180 && p->lng <= 180;
}

bool ReadRing(Json& j, std::vector<GeoPoint>* ring) {
  if (!j.Eat('[')) return false;
  do {
    GeoPoint p;
    if (!ReadPoint(j, &p)) return false;
    ring->push_back(p);
  } while (j.Eat(','));
  if (!j.Eat(']')) return false;
  // As the real server reads a loop: consecutive repeated vertices count
  // once, at least 4 must remain, and the last must repeat the first
  // (GeoJSON closes rings so); the closing vertex is then dropped.
  const auto same = [](const GeoPoint& a, const GeoPoint& b) {
    return a.lat == b.lat && a.lng == b.lng;
  };
  ring->erase(std::unique(ring->begin(), ring->end(), same), ring->end());
  if (ring->size() < 4 || !same(ring->front(), ring->back())) return false;
  ring->pop_back();
  return true;
}

bool ReadPolygon(Json& j, std::vector<std::vector<GeoPoint>>* rings) {
  if (!j.Eat('[')) return false;
  do {
    std::vector<GeoPoint> ring;
    if (!ReadRing(j, &ring)) return false;
    rings->push_back(std::move(ring));
  } while (j.Eat(','));
  return j.Eat(']');
}

struct Vec {
  double x, y, z;
};

Vec ToVec(const GeoPoint& p) {
  const double lat = p.lat * kDegrees, lng = p.lng * kDegrees;
  return {std::cos(lat) * std::cos(lng), std::cos(lat) * std::sin(lng), std::sin(lat)};
}

double Dot(const Vec& a, const Vec& b) { return a.x * b.x + a.y * b.y + a.z * b.z; }

Vec Cross(const Vec& a, const Vec& b) {
  return {a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x};
}

// The signed angle at `p` between the great circles towards `a` and `b`:
// summed over a ring's edges it is +-2*pi for a point inside the ring and
// about 0 outside.
double AngleAt(const Vec& p, const Vec& a, const Vec& b) {
  const Vec ta = Cross(p, a), tb = Cross(p, b);
  return std::atan2(Dot(p, Cross(ta, tb)), Dot(ta, tb));
}

bool InRing(const Vec& p, const std::vector<GeoPoint>& ring) {
  double winding = 0;
  for (size_t i = 0; i < ring.size(); ++i) {
    winding += AngleAt(p, ToVec(ring[i]), ToVec(ring[(i + 1) % ring.size()]));
  }
  return std::fabs(winding) > M_PI;
}

}  // namespace

bool GeoRegion::Contains(const GeoPoint& p) const {
  switch (kind) {
    case Kind::kPoint:
      return false;  // a point contains nothing (the server answers the same)
    case Kind::kCircle: {
      const double cos_angle = Dot(ToVec(point), ToVec(p));
      const double angle = std::acos(std::max(-1.0, std::min(1.0, cos_angle)));
      return angle <= radius_m / kEarthRadiusMeters;
    }
    case Kind::kPolygons: {
      const Vec v = ToVec(p);
      for (const auto& rings : polygons) {
        if (rings.empty() || !InRing(v, rings[0])) continue;
        bool in_hole = false;
        for (size_t h = 1; h < rings.size() && !in_hole; ++h) in_hole = InRing(v, rings[h]);
        if (!in_hole) return true;
      }
      return false;
    }
  }
  return false;
}

std::optional<GeoRegion> ParseGeoRegion(std::string_view json) {
  Json j(json);
  if (!j.Eat('{')) return std::nullopt;
  std::string type;
  size_t coords_at = std::string_view::npos;
  size_t geometry_at = std::string_view::npos, geometry_end = 0;
  if (!j.Eat('}')) {
    do {
      std::string key;
      if (!j.String(&key) || !j.Eat(':')) return std::nullopt;
      if (key == "type") {
        if (!j.String(&type)) return std::nullopt;
      } else if (key == "coordinates") {
        j.Ws();
        coords_at = j.pos();
        if (!j.Skip()) return std::nullopt;
      } else if (key == "geometry") {
        j.Ws();
        geometry_at = j.pos();
        if (!j.Skip()) return std::nullopt;
        geometry_end = j.pos();
      } else if (!j.Skip()) {
        return std::nullopt;
      }
    } while (j.Eat(','));
    if (!j.Eat('}')) return std::nullopt;
  }
  if (type == "Feature") {
    if (geometry_at == std::string_view::npos) return std::nullopt;
    std::string_view geometry = json.substr(geometry_at, geometry_end - geometry_at);
    if (geometry.find("\"Feature\"") != std::string_view::npos) return std::nullopt;
    return ParseGeoRegion(geometry);
  }
  if (coords_at == std::string_view::npos) return std::nullopt;
  Json c(json);
  c.set_pos(coords_at);
  GeoRegion r;
  if (type == "Point") {
    r.kind = GeoRegion::Kind::kPoint;
    if (!ReadPoint(c, &r.point)) return std::nullopt;
  } else if (type == "Polygon") {
    r.kind = GeoRegion::Kind::kPolygons;
    r.polygons.emplace_back();
    if (!ReadPolygon(c, &r.polygons.back())) return std::nullopt;
  } else if (type == "MultiPolygon") {
    r.kind = GeoRegion::Kind::kPolygons;
    r.multi = true;
    if (!c.Eat('[')) return std::nullopt;
    if (c.Eat(']')) return r;  // an empty union: a region that covers nothing
    do {
      r.polygons.emplace_back();
      if (!ReadPolygon(c, &r.polygons.back())) return std::nullopt;
    } while (c.Eat(','));
    if (!c.Eat(']')) return std::nullopt;
  } else if (type == "AeroCircle") {
    r.kind = GeoRegion::Kind::kCircle;
    if (!c.Eat('[') || !ReadPoint(c, &r.point) || !c.Eat(',') || !c.Number(&r.radius_m) ||
        !c.Eat(']') || r.radius_m < 0) {
      return std::nullopt;
    }
  } else {
    return std::nullopt;
  }
  return r;
}

std::string_view GeoParticleJson(std::string_view particle) {
  if (particle.size() < 3) return {};
  const size_t ncells = LoadBE16(reinterpret_cast<const uint8_t*>(particle.data()) + 1);
  if (3 + ncells * 8 > particle.size()) return {};
  return particle.substr(3 + ncells * 8);
}

}  // namespace aerospike_py::server::sindex
