// GeoJSON shapes for geo_compare expressions: parsing the GeoJSON the real
// server accepts (Point, Polygon, MultiPolygon, AeroCircle, or a Feature
// holding one) and the test it answers: is a point within a region. Points
// and edges live on the unit sphere (edges are great-circle arcs, loops
// are normalized to the smaller of the two regions they bound, as S2 does);
// an AeroCircle's radius is meters on a sphere of 6,371,000 m. Used by the
// expression builder and evaluator.
#pragma once

#include <array>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

namespace aerospike_py::server::exp {

using Vec3 = std::array<double, 3>;

struct GeoLoop {
  std::vector<Vec3> vertices;  // open (the closing vertex dropped)
  Vec3 outside;                // a point known to be outside the loop
};

struct GeoShape {
  enum class Kind { kPoint, kPolygons, kCap };
  Kind kind = Kind::kPoint;
  Vec3 point{};                               // kPoint; kCap: center
  double cap_radians = 0;                     // kCap
  std::vector<std::vector<GeoLoop>> polygons;  // kPolygons: each polygon's loops
  bool is_region() const { return kind != Kind::kPoint; }
};

// Parses GeoJSON text; nullptr when the server would refuse it.
std::shared_ptr<GeoShape> ParseGeoJson(std::string_view json);

// The point of geo_compare's match: a point within a region.
bool PointWithin(const Vec3& point, const GeoShape& region);

// geo_compare(left, right): true when one is a point and the other a region
// that contains it (the server's as_geojson_match, strict).
bool GeoMatch(const GeoShape& left, const GeoShape& right);

}  // namespace aerospike_py::server::exp
