#include "server/expression_geo.h"

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <string>

namespace aerospike_py::server::exp {
namespace {

constexpr double kEarthRadiusMeters = 6371000.0;
constexpr int kMaxJsonDepth = 32;

// A parsed JSON value (only what GeoJSON needs).
struct Json {
  enum class Kind { kNull, kBool, kNumber, kString, kArray, kObject };
  Kind kind = Kind::kNull;
  double number = 0;
  std::string text;
  std::vector<Json> items;                          // arrays
  std::vector<std::pair<std::string, Json>> fields;  // objects

  const Json* Get(std::string_view key) const {
    for (const auto& f : fields) {
      if (f.first == key) return &f.second;
    }
    return nullptr;
  }
};

class JsonParser {
 public:
  explicit JsonParser(std::string_view s) : s_(s) {}

  bool ParseDocument(Json* out) {
    if (!Parse(out, 0)) return false;
    Ws();
    return pos_ == s_.size();
  }

 private:
  void Ws() {
    while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
  }
  bool Literal(std::string_view word) {
    if (s_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }
  bool String(std::string* out) {
    if (pos_ >= s_.size() || s_[pos_] != '"') return false;
    ++pos_;
    while (pos_ < s_.size() && s_[pos_] != '"') {
      char c = s_[pos_++];
      if (c == '\\') {
        if (pos_ >= s_.size()) return false;
        c = s_[pos_++];
        if (c == 'u') {
          if (pos_ + 4 > s_.size()) return false;
          pos_ += 4;  // names we look at are ASCII; keep a placeholder
          c = '?';
        } else if (c == 'n') {
          c = '\n';
        } else if (c == 't') {
          c = '\t';
        }
      }
      out->push_back(c);
    }
    if (pos_ >= s_.size()) return false;
    ++pos_;
    return true;
  }
  bool Number(double* out) {
    const size_t start = pos_;
    if (pos_ < s_.size() && (s_[pos_] == '-' || s_[pos_] == '+')) ++pos_;
    while (pos_ < s_.size() &&
           (std::isdigit(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '.' ||
            s_[pos_] == 'e' || s_[pos_] == 'E' || s_[pos_] == '-' || s_[pos_] == '+')) {
      ++pos_;
    }
    if (pos_ == start) return false;
    const std::string text(s_.substr(start, pos_ - start));
    char* end = nullptr;
    *out = std::strtod(text.c_str(), &end);
    return end == text.c_str() + text.size();
  }
  bool Parse(Json* out, int depth) {
    if (depth > kMaxJsonDepth) return false;
    Ws();
    if (pos_ >= s_.size()) return false;
    const char c = s_[pos_];
    if (c == '{') {
      ++pos_;
      out->kind = Json::Kind::kObject;
      Ws();
      if (pos_ < s_.size() && s_[pos_] == '}') {
        ++pos_;
        return true;
      }
      while (true) {
        Ws();
        std::string key;
        if (!String(&key)) return false;
        Ws();
        if (pos_ >= s_.size() || s_[pos_] != ':') return false;
        ++pos_;
        Json value;
        if (!Parse(&value, depth + 1)) return false;
        out->fields.emplace_back(std::move(key), std::move(value));
        Ws();
        if (pos_ < s_.size() && s_[pos_] == ',') {
          ++pos_;
          continue;
        }
        if (pos_ < s_.size() && s_[pos_] == '}') {
          ++pos_;
          return true;
        }
        return false;
      }
    }
    if (c == '[') {
      ++pos_;
      out->kind = Json::Kind::kArray;
      Ws();
      if (pos_ < s_.size() && s_[pos_] == ']') {
        ++pos_;
        return true;
      }
      while (true) {
        Json value;
        if (!Parse(&value, depth + 1)) return false;
        out->items.push_back(std::move(value));
        Ws();
        if (pos_ < s_.size() && s_[pos_] == ',') {
          ++pos_;
          continue;
        }
        if (pos_ < s_.size() && s_[pos_] == ']') {
          ++pos_;
          return true;
        }
        return false;
      }
    }
    if (c == '"') {
      out->kind = Json::Kind::kString;
      return String(&out->text);
    }
    if (Literal("true") || Literal("false")) {
      out->kind = Json::Kind::kBool;
      return true;
    }
    if (Literal("null")) return true;
    out->kind = Json::Kind::kNumber;
    return Number(&out->number);
  }

  std::string_view s_;
  size_t pos_ = 0;
};

Vec3 Normalize(const Vec3& v) {
  const double n = std::sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
  if (n == 0) return v;
  return {v[0] / n, v[1] / n, v[2] / n};
}

Vec3 Cross(const Vec3& a, const Vec3& b) {
  return {a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]};
}

double Dot(const Vec3& a, const Vec3& b) { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }

// A [lng, lat] pair in degrees as a unit vector; nullopt when invalid.
std::optional<Vec3> ParsePoint(const Json* coord) {
  if (coord == nullptr || coord->kind != Json::Kind::kArray || coord->items.size() != 2) {
    return std::nullopt;
  }
  const Json& lng = coord->items[0];
  const Json& lat = coord->items[1];
  if (lng.kind != Json::Kind::kNumber || lat.kind != Json::Kind::kNumber) return std::nullopt;
  if (!(lat.number >= -90 && lat.number <= 90 && lng.number >= -180 && lng.number <= 180)) {
    return std::nullopt;
  }
  const double la = lat.number * M_PI / 180.0;
  const double lo = lng.number * M_PI / 180.0;
  return Vec3{std::cos(la) * std::cos(lo), std::cos(la) * std::sin(lo), std::sin(la)};
}

std::optional<GeoLoop> ParseLoop(const Json* vertices) {
  if (vertices == nullptr || vertices->kind != Json::Kind::kArray) return std::nullopt;
  std::vector<Vec3> points;
  for (const Json& v : vertices->items) {
    auto p = ParsePoint(&v);
    if (!p) return std::nullopt;
    if (!points.empty() && points.back() == *p) continue;  // duplicates go
    points.push_back(*p);
  }
  if (points.size() < 4 || points.front() != points.back()) return std::nullopt;
  points.pop_back();
  GeoLoop loop;
  Vec3 sum{0, 0, 0};
  for (const Vec3& p : points) {
    for (int k = 0; k < 3; ++k) sum[k] += p[k];
  }
  // The loop bounds two regions; like S2's Normalize() take the smaller,
  // whose outside contains the antipode of the vertices' mean direction.
  const Vec3 mean = Normalize(sum);
  loop.outside = {-mean[0], -mean[1], -mean[2]};
  loop.vertices = std::move(points);
  return loop;
}

std::optional<std::vector<GeoLoop>> ParsePolygon(const Json* loops) {
  if (loops == nullptr || loops->kind != Json::Kind::kArray || loops->items.empty()) {
    return std::nullopt;
  }
  std::vector<GeoLoop> out;
  for (const Json& l : loops->items) {
    auto loop = ParseLoop(&l);
    if (!loop) return std::nullopt;
    out.push_back(std::move(*loop));
  }
  return out;
}

std::shared_ptr<GeoShape> ParseGeometry(const Json& geom) {
  if (geom.kind != Json::Kind::kObject) return nullptr;
  const Json* type = geom.Get("type");
  if (type == nullptr || type->kind != Json::Kind::kString) return nullptr;
  const Json* coord = geom.Get("coordinates");
  auto shape = std::make_shared<GeoShape>();
  if (type->text == "Point") {
    auto p = ParsePoint(coord);
    if (!p) return nullptr;
    shape->kind = GeoShape::Kind::kPoint;
    shape->point = *p;
    return shape;
  }
  if (type->text == "Polygon") {
    auto poly = ParsePolygon(coord);
    if (!poly) return nullptr;
    shape->kind = GeoShape::Kind::kPolygons;
    shape->polygons.push_back(std::move(*poly));
    return shape;
  }
  if (type->text == "MultiPolygon") {
    if (coord == nullptr || coord->kind != Json::Kind::kArray) return nullptr;
    shape->kind = GeoShape::Kind::kPolygons;
    for (const Json& p : coord->items) {
      auto poly = ParsePolygon(&p);
      if (!poly) return nullptr;
      shape->polygons.push_back(std::move(*poly));
    }
    return shape;
  }
  if (type->text == "AeroCircle") {
    if (coord == nullptr || coord->kind != Json::Kind::kArray || coord->items.size() != 2) {
      return nullptr;
    }
    auto center = ParsePoint(&coord->items[0]);
    if (!center || coord->items[1].kind != Json::Kind::kNumber) return nullptr;
    shape->kind = GeoShape::Kind::kCap;
    shape->point = *center;
    shape->cap_radians = coord->items[1].number / kEarthRadiusMeters;
    return shape;
  }
  return nullptr;
}

// Whether arcs ab and cd cross at a point interior to both (S2's
// CrossingSign > 0, without its tie-breaking for shared vertices).
bool ArcsCross(const Vec3& a, const Vec3& b, const Vec3& c, const Vec3& d) {
  const Vec3 ab = Cross(a, b);
  const Vec3 cd = Cross(c, d);
  const double acd = Dot(a, cd), bcd = Dot(b, cd);
  const double cab = Dot(c, ab), dab = Dot(d, ab);
  if ((acd > 0) == (bcd > 0) || (cab > 0) == (dab > 0)) return false;
  // Both great circles cross; the crossing must lie in the same hemisphere
  // as the arcs (not at the antipodal intersection).
  const Vec3 x = Cross(ab, cd);
  const Vec3 mid_ab{a[0] + b[0], a[1] + b[1], a[2] + b[2]};
  const Vec3 mid_cd{c[0] + d[0], c[1] + d[1], c[2] + d[2]};
  const double s1 = Dot(x, mid_ab), s2 = Dot(x, mid_cd);
  return (s1 > 0) == (s2 > 0);
}

bool LoopContains(const GeoLoop& loop, const Vec3& p) {
  // The arc from p to a point known outside crosses the loop's boundary an
  // odd number of times when p is inside.
  int crossings = 0;
  const size_t n = loop.vertices.size();
  for (size_t i = 0; i < n; ++i) {
    if (ArcsCross(p, loop.outside, loop.vertices[i], loop.vertices[(i + 1) % n])) ++crossings;
  }
  return (crossings & 1) != 0;
}

}  // namespace

std::shared_ptr<GeoShape> ParseGeoJson(std::string_view json) {
  Json doc;
  JsonParser parser(json);
  if (!parser.ParseDocument(&doc) || doc.kind != Json::Kind::kObject) return nullptr;
  const Json* type = doc.Get("type");
  if (type == nullptr || type->kind != Json::Kind::kString) return nullptr;
  if (type->text == "Feature") {
    const Json* geom = doc.Get("geometry");
    return geom == nullptr ? nullptr : ParseGeometry(*geom);
  }
  return ParseGeometry(doc);
}

bool PointWithin(const Vec3& point, const GeoShape& region) {
  switch (region.kind) {
    case GeoShape::Kind::kPoint:
      return false;
    case GeoShape::Kind::kCap: {
      const double cosine = std::fmin(1.0, std::fmax(-1.0, Dot(point, region.point)));
      return std::acos(cosine) <= region.cap_radians;
    }
    case GeoShape::Kind::kPolygons:
      for (const auto& polygon : region.polygons) {
        // Nested loops: inside an odd number of them (holes subtract).
        int inside = 0;
        for (const GeoLoop& loop : polygon) inside += LoopContains(loop, point) ? 1 : 0;
        if ((inside & 1) != 0) return true;
      }
      return false;
  }
  return false;
}

bool GeoMatch(const GeoShape& left, const GeoShape& right) {
  if (!right.is_region()) {
    // Regions containing a point: the left side must be the region.
    return left.is_region() && PointWithin(right.point, left);
  }
  // Points within a region: the left side must be the point.
  return !left.is_region() && PointWithin(left.point, right);
}

}  // namespace aerospike_py::server::exp
