#include "server/sindex/s2_cover.h"

#include <algorithm>

#if !defined(ASPY_NO_S2) && __has_include(<s2/s2region_coverer.h>)
#define ASPY_HAVE_S2 1
#include <s2/s1angle.h>
#include <s2/s2cap.h>
#include <s2/s2cell_id.h>
#include <s2/s2latlng.h>
#include <s2/s2loop.h>
#include <s2/s2polygon.h>
#include <s2/s2region.h>
#include <s2/s2region_coverer.h>
#include <s2/s2region_union.h>
#endif

namespace aerospike_py::server::sindex {

#ifdef ASPY_HAVE_S2

namespace {

constexpr double kEarthRadiusMeters = 6371000.0;

S2Point ToS2Point(const GeoPoint& p) { return S2LatLng::FromDegrees(p.lat, p.lng).ToPoint(); }

// A polygon as the real server builds one: each ring without consecutive
// repeated vertices and without its closing vertex, normalized (so a ring
// given clockwise still means the smaller area), nested by S2Polygon.
std::unique_ptr<S2Polygon> MakePolygon(const std::vector<std::vector<GeoPoint>>& rings) {
  std::vector<std::unique_ptr<S2Loop>> loops;
  for (const std::vector<GeoPoint>& ring : rings) {
    std::vector<S2Point> points;
    for (const GeoPoint& g : ring) {
      S2Point p = ToS2Point(g);
      if (points.empty() || points.back() != p) points.push_back(p);
    }
    // GeoRegion already dropped the closing vertex; a ring whose last
    // distinct vertex repeats the first is closed the same way.
    while (points.size() > 1 && points.back() == points.front()) points.pop_back();
    // S2Debug::DISABLE: a degenerate loop must not abort the server (the
    // real server's release build does not check either).
    auto loop = std::make_unique<S2Loop>(points, S2Debug::DISABLE);
    loop->Normalize();
    loops.push_back(std::move(loop));
  }
  return std::make_unique<S2Polygon>(std::move(loops), S2Debug::DISABLE);
}

std::unique_ptr<S2Region> MakeRegion(const GeoRegion& r) {
  switch (r.kind) {
    case GeoRegion::Kind::kPoint:
      return nullptr;
    case GeoRegion::Kind::kCircle:
      return std::make_unique<S2Cap>(ToS2Point(r.point),
                                     S1Angle::Radians(r.radius_m / kEarthRadiusMeters));
    case GeoRegion::Kind::kPolygons:
      if (r.multi) {
        auto u = std::make_unique<S2RegionUnion>();
        for (const auto& rings : r.polygons) u->Add(MakePolygon(rings));
        return u;
      }
      if (r.polygons.empty()) return nullptr;
      return MakePolygon(r.polygons[0]);
  }
  return nullptr;
}

}  // namespace

struct GeoShape::S2State {
  std::unique_ptr<S2Region> region;
};

bool S2Available() { return true; }

GeoShape::GeoShape(GeoRegion region) : region_(std::move(region)) {
  s2_ = std::make_unique<S2State>();
  s2_->region = MakeRegion(region_);
}

GeoShape::~GeoShape() = default;

bool GeoShape::ContainsCell(uint64_t cell, const GeoPoint& /*point*/) const {
  if (s2_->region == nullptr) return false;
  return s2_->region->Contains(S2CellId(cell).ToPoint());
}

std::optional<std::vector<uint64_t>> GeoShape::Covering(const CoverOptions& options) const {
  if (s2_->region == nullptr) return std::nullopt;
  S2RegionCoverer::Options o;
  o.set_min_level(options.min_level);
  o.set_max_level(options.max_level);
  o.set_max_cells(options.max_cells);
  o.set_level_mod(options.level_mod);
  S2RegionCoverer coverer(o);
  std::vector<S2CellId> covering;
  coverer.GetCovering(*s2_->region, &covering);
  // The coverer may return 6 cells (one per cube face) whatever max_cells.
  if (covering.size() > std::max<size_t>(6, static_cast<size_t>(options.max_cells)) ||
      covering.size() > kMaxRegionCells) {
    return std::nullopt;
  }
  std::vector<uint64_t> out;
  out.reserve(covering.size());
  for (const S2CellId& c : covering) out.push_back(c.id());
  return out;
}

std::optional<std::vector<std::pair<uint64_t, uint64_t>>> GeoShape::CoverRanges(
    const CoverOptions& options) const {
  std::optional<std::vector<uint64_t>> cells = Covering(options);
  if (!cells) return std::nullopt;
  std::vector<std::pair<uint64_t, uint64_t>> out;
  for (uint64_t id : *cells) {
    const S2CellId c(id);
    out.emplace_back(c.range_min().id(), c.range_max().id());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::pair<uint64_t, uint64_t>> PointAncestorRanges(uint64_t leaf_cell) {
  std::vector<std::pair<uint64_t, uint64_t>> out;
  for (S2CellId c(leaf_cell); c.is_valid() && c.level() > 0; c = c.parent()) {
    out.emplace_back(c.id(), c.id());
  }
  std::sort(out.begin(), out.end());
  return out;
}

#else  // no libs2: the spherical fallback of GeoRegion

struct GeoShape::S2State {};

bool S2Available() { return false; }

GeoShape::GeoShape(GeoRegion region) : region_(std::move(region)) {}

GeoShape::~GeoShape() = default;

bool GeoShape::ContainsCell(uint64_t /*cell*/, const GeoPoint& point) const {
  return region_.Contains(point);
}

std::optional<std::vector<uint64_t>> GeoShape::Covering(const CoverOptions&) const {
  if (region_.kind == GeoRegion::Kind::kPoint) return std::nullopt;
  return std::vector<uint64_t>{};
}

std::optional<std::vector<std::pair<uint64_t, uint64_t>>> GeoShape::CoverRanges(
    const CoverOptions&) const {
  if (region_.kind == GeoRegion::Kind::kPoint) return std::nullopt;
  return std::vector<std::pair<uint64_t, uint64_t>>{{0, UINT64_MAX}};
}

std::vector<std::pair<uint64_t, uint64_t>> PointAncestorRanges(uint64_t) {
  return {{0, UINT64_MAX}};
}

#endif

}  // namespace aerospike_py::server::sindex
