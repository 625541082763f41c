// GeoJSON bins as the server stores them: flags, cell count, S2 cell ids,
// then the JSON text. For a Point the real server stores the point's leaf
// (level-30) S2 cell id, and returns it on reads; clients skip the cells.
// The JSON is validated as the server validates it (strict JSON; a Point,
// Polygon, MultiPolygon or AeroCircle, possibly as a Feature's geometry);
// anything else is refused (GEO_INVALID_GEOJSON). Regions are stored with
// the S2 covering the real server computes (up to 12 cells; sindex/s2_cover.h;
// none in builds without libs2).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace aerospike_py::server {

// The level-30 S2 cell id of a point given in degrees.
uint64_t S2LeafCellId(double lat_degrees, double lng_degrees);

// If `json` is a GeoJSON Point, its [longitude, latitude].
std::optional<std::pair<double, double>> GeoJsonPoint(std::string_view json);

// The particle to store for a GeoJSON particle received from a client
// (whose cells, if any, are ignored as the server ignores them). Returns
// nullopt when the server would refuse it.
std::optional<std::string> NormalizeGeoJsonParticle(std::string_view particle);

}  // namespace aerospike_py::server
