// GeoJSON regions for geo secondary-index queries: Point, Polygon (outer
// ring and holes), MultiPolygon and Aerospike's AeroCircle ([[lng, lat],
// radius in metres]). Containment is decided on the sphere, as the real
// server's S2 geometry does: polygon edges are great-circle arcs (a point
// is inside when the edges wind around it), a circle is a spherical cap
// of angle radius / 6371000 m. Points are [longitude, latitude] degrees.
// Used by the sindex room (query execution); pure functions.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

namespace aerospike_py::server::sindex {

struct GeoPoint {
  double lng = 0;
  double lat = 0;
};

struct GeoRegion {
  enum class Kind : uint8_t { kPoint, kPolygons, kCircle };
  Kind kind = Kind::kPoint;
  GeoPoint point;                                        // kPoint; circle centre
  double radius_m = 0;                                   // kCircle
  std::vector<std::vector<std::vector<GeoPoint>>> polygons;  // polygon -> rings -> vertices
  bool multi = false;  // a MultiPolygon (a union of polygons), not one Polygon

  bool Contains(const GeoPoint& p) const;
};

// Parses a GeoJSON object of one of the kinds above (or a Feature whose
// geometry is one); nullopt otherwise.
std::optional<GeoRegion> ParseGeoRegion(std::string_view json);

// The JSON of a stored GeoJSON particle (flags, cell count, cells, JSON).
std::string_view GeoParticleJson(std::string_view particle);

}  // namespace aerospike_py::server::sindex
