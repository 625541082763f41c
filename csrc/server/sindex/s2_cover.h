// The real server's S2 geometry for geo indexes and geo queries: the
// covering cells a GeoJSON region is indexed under (and stored with), the
// cell ranges a points-within-region query reads, the ancestor cells a
// regions-containing-point query looks up, and strict containment as the
// real server decides it (a point is its level-30 cell's centre).
//
// With libs2 (s2geometry, as the real server links; its headers present
// and ASPY_NO_S2 not defined) the answers are S2's own. Builds without it (the wheel's embedded server:
// libs2 ships no PIC archive) fall back to GeoRegion's spherical test:
// regions are stored without cells and queries read whole partitions;
// `S2Available()` says which. Used by the sindex room, the server's
// GeoJSON particles and its query jobs; pure functions, any thread.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "server/sindex/geo_region.h"

namespace aerospike_py::server::sindex {

// S2RegionCoverer options (the namespace's geo2dsphere-within.* config).
struct CoverOptions {
  int min_level = 1;
  int max_level = 30;
  int max_cells = 12;
  int level_mod = 1;
};

// What the real server covers stored regions with (no namespace context).
inline constexpr CoverOptions kStoredRegionCover{1, 30, 12, 1};
// Its namespace defaults, used for the regions of queries.
inline constexpr CoverOptions kQueryRegionCover{1, 20, 12, 1};
// MAX_REGION_CELLS: a covering with more cells is refused.
inline constexpr size_t kMaxRegionCells = 32;

bool S2Available();

// A parsed region ready for repeated containment tests (a query's region,
// built once per query).
class GeoShape {
 public:
  explicit GeoShape(GeoRegion region);
  ~GeoShape();
  GeoShape(const GeoShape&) = delete;
  GeoShape& operator=(const GeoShape&) = delete;

  const GeoRegion& region() const { return region_; }
  // Whether the region contains the centre of leaf cell `cell` (S2), or the
  // point itself (fallback).
  bool ContainsCell(uint64_t cell, const GeoPoint& point) const;
  // The covering cell ids (S2 order); nullopt when the coverer fails or
  // needs more than kMaxRegionCells; empty without S2.
  std::optional<std::vector<uint64_t>> Covering(const CoverOptions& options) const;
  // [range_min, range_max] of each covering cell, ascending (unsigned);
  // without S2 the whole cell space.
  std::optional<std::vector<std::pair<uint64_t, uint64_t>>> CoverRanges(
      const CoverOptions& options) const;

 private:
  struct S2State;
  GeoRegion region_;
  std::unique_ptr<S2State> s2_;
};

// The leaf cell of a point and all its ancestors down to level 1, ascending
// (the exact index keys a regions-containing-point query looks up); without
// S2 the whole cell space as one range.
std::vector<std::pair<uint64_t, uint64_t>> PointAncestorRanges(uint64_t leaf_cell);

}  // namespace aerospike_py::server::sindex
