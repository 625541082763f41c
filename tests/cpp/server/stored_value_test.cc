// What the embedded server stores for a list, map or GeoJSON bin, as the
// real server stores it (its rewrite of untrusted msgpack, its GeoJSON
// validation). The byte-exact checks against the real server are the
// recordings of tests/recorder; these pin the rules one by one.
#include <gtest/gtest.h>

#include <string>

#include "absl/strings/escaping.h"
#include "server/geojson.h"
#include "server/cdt/msgpack_element.h"
#include "server/collection_op.h"
#include "server/sindex/s2_cover.h"

namespace aerospike_py::server {
namespace {

std::string Hex(std::string_view hex) { return absl::HexStringToBytes(std::string(hex)); }

// Rewrites a whole bin value given in hex; "" when the server refuses it.
std::string Stored(std::string_view hex, bool map) {
  std::string out;
  if (!RewriteStoredCollection(AsBytes(Hex(hex)), map, &out)) return "refused";
  return absl::BytesToHexString(out);
}

TEST(StoredCollection, MapsAreSortedByKeyIntegersFirst) {
  // {"b": 1, "a": 2, 3: "x"} -> {3: "x", "a": 2, "b": 1}
  EXPECT_EQ(Stored("83" "a20362" "01" "a20361" "02" "03" "a20378", true),
            "83" "03" "a20378" "a20361" "02" "a20362" "01");
  // Negative integers before positive, blobs after strings.
  EXPECT_EQ(Stored("83" "05" "c0" "a20461" "c0" "ff" "c0", true), "83" "ff" "c0" "05" "c0" "a20461" "c0");
}

TEST(StoredCollection, NestedMapsAreSortedToo) {
  // [{"b": 1, "a": 2}] -> [{"a": 2, "b": 1}]
  EXPECT_EQ(Stored("91" "82" "a20362" "01" "a20361" "02", false),
            "91" "82" "a20361" "02" "a20362" "01");
}

TEST(StoredCollection, BadMapsAreRefused) {
  EXPECT_EQ(Stored("82" "a20361" "01" "a20361" "02", true), "refused");  // duplicate key
  EXPECT_EQ(Stored("81" "c0" "01", true), "refused");                    // nil key
  EXPECT_EQ(Stored("81" "cb3ff8000000000000" "01", true), "refused");    // double key
  EXPECT_EQ(Stored("81" "a10701" "01", true), "refused");                // a Java blob key
  EXPECT_EQ(Stored("81" "a0" "01", true), "refused");                    // an empty blob key
  EXPECT_EQ(Stored("81" "d40500" "01", true), "refused");                // fixext 1 is no marker
  // A key-ordered map must arrive in order.
  EXPECT_EQ(Stored("83" "c70001" "c0" "a20362" "01" "a20361" "02", true), "refused");
  EXPECT_EQ(Stored("83" "c70001" "c0" "a20361" "01" "a20362" "02", true),
            "83" "c70001" "c0" "a20361" "01" "a20362" "02");
}

TEST(StoredCollection, ListsKeepTheirOrderUnlessOrdered) {
  EXPECT_EQ(Stored("93" "03" "01" "02", false), "93030102");
  EXPECT_EQ(Stored("94" "c70001" "03" "01" "02", false), "refused");
  EXPECT_EQ(Stored("94" "c70001" "01" "02" "02", false), "94c70001010202");
  // Flags the server does not keep are dropped, and a marker left with no
  // flag disappears; its data too.
  EXPECT_EQ(Stored("93" "c70005" "01" "02", false), "93c700010102");
  EXPECT_EQ(Stored("93" "d60800000000" "01" "02", false), "920102");
  // A fixext 1 first element is an element, not a marker.
  EXPECT_EQ(Stored("92" "d40501" "01", false), "92d4050101");
}

TEST(StoredCollection, EncodingsBecomeCompact) {
  // [cd0005, d20000002a, d9 03 "ab", c4 02 04ff, c7 01 05 01]
  EXPECT_EQ(Stored("95" "cd0005" "d20000002a" "d903036162" "c40204ff" "c7010501", false),
            "95" "05" "2a" "a3036162" "a204ff" "d40501");
  // A bin 8 of more than 31 bytes stays as it is (msgpack_parse() calls it
  // compact).
  const std::string long_bin = "91c421" "04" + std::string(64, '7');
  EXPECT_EQ(Stored(long_bin, false), long_bin);
  EXPECT_EQ(Stored("dc0001" "01", false), "9101");
}

TEST(StoredCollection, MalformedOrTrailingOrWrongTypeIsRefused) {
  EXPECT_EQ(Stored("930102", false), "refused");     // truncated
  EXPECT_EQ(Stored("910102", false), "refused");     // trailing byte
  EXPECT_EQ(Stored("9101", true), "refused");        // a list given as a map
  EXPECT_EQ(Stored("05", false), "refused");         // a scalar
  EXPECT_EQ(Stored("", false), "refused");
  EXPECT_EQ(Stored("91c1", false), "refused");       // reserved byte
  EXPECT_EQ(Stored("91d4ff00", false), "refused");   // a wildcard is no value
}

TEST(StoredCollection, CompareFollowsTheServersOrder) {
  const char* ascending[] = {"c0", "c2", "c3", "ff", "00", "7f", "a20361", "a20362",
                             "90", "9101", "80", "a20461", "cb3ff0000000000000"};
  for (size_t i = 0; i + 1 < std::size(ascending); ++i) {
    EXPECT_LT(cdt::Compare(Hex(ascending[i]), Hex(ascending[i + 1])), 0)
        << ascending[i] << " < " << ascending[i + 1];
    EXPECT_GT(cdt::Compare(Hex(ascending[i + 1]), Hex(ascending[i])), 0);
  }
  EXPECT_EQ(cdt::Compare(Hex("cd0005"), Hex("05")), 0);  // encodings do not matter
  EXPECT_LT(cdt::Compare(Hex("920102"), Hex("93010200")), 0);  // a shorter list is less
  EXPECT_LT(cdt::Compare(Hex("810102"), Hex("8201020003")), 0);  // fewer pairs is less
}

std::string Geo(std::string_view json) {
  std::string particle("\0\0\0", 3);
  particle.append(json);
  auto stored = NormalizeGeoJsonParticle(particle);
  return stored ? absl::BytesToHexString(stored->substr(0, 3)) : "refused";
}

TEST(StoredGeoJson, PointsGetTheirCellRegionsTheirFlag) {
  EXPECT_EQ(Geo(R"({"type":"Point","coordinates":[1,2]})"), "000001");
  EXPECT_EQ(Geo(R"({"type":"Feature","geometry":{"type":"Point","coordinates":[1,2]}})"),
            "000001");
  // Regions carry their S2 covering (up to 12 cells) when libs2 is built in.
  const std::string polygon = Geo(R"({"type":"Polygon","coordinates":[[[0,0],[0,1],[1,1],[0,0]]]})");
  const std::string circle = Geo(R"({"type":"AeroCircle","coordinates":[[1,2],5.5]})");
  EXPECT_EQ(polygon.substr(0, 2), "01");
  EXPECT_EQ(circle.substr(0, 2), "01");
  if (::aerospike_py::server::sindex::S2Available()) {
    for (const std::string& hex : {polygon, circle}) {
      const int n = std::stoi(hex.substr(2, 4), nullptr, 16);
      EXPECT_GE(n, 1) << hex;
      EXPECT_LE(n, 12) << hex;
    }
  } else {
    EXPECT_EQ(polygon, "010000");
    EXPECT_EQ(circle, "010000");
  }
  // An empty union covers nothing: no cells either way.
  EXPECT_EQ(Geo(R"({"type":"MultiPolygon","coordinates":[]})"), "010000");
  // A repeated member keeps its last value, as jansson's object does.
  EXPECT_EQ(Geo(R"({"type":"Polygon","type":"Point","coordinates":[1,2]})"), "000001");
}

TEST(StoredGeoJson, WhatTheServerRefuses) {
  for (const char* bad : {
           "", "{", R"({"type":"Point","coordinates":[1,2]} x)", R"({"type":"Line"})",
           R"({"type":"point","coordinates":[1,2]})", R"({"type":"Point","coordinates":[1,2,3]})",
           R"({"type":"Point","coordinates":["1",2]})", R"({"type":"Point","coordinates":[10,91]})",
           R"({"type":"Point","coordinates":[181,0]})", R"({"type":"Point","coordinates":[01,2]})",
           R"({"type":"Point","coordinates":[NaN,2]})",
           R"({"type":"Polygon","coordinates":[[[0,0],[0,1],[1,1],[1,0]]]})",
           R"({"type":"Polygon","coordinates":[[[0,0],[0,1],[0,0]]]})",
           R"({"type":"AeroCircle","coordinates":[[1,2]]})",
           R"({"type":"Feature","geometry":{"type":"Feature","geometry":{}}})",
           R"({"type":"Point","coordinates":[1,2],"s":"\x"})", "[1,2]"}) {
    EXPECT_EQ(Geo(bad), "refused") << bad;
  }
  // Escapes and exponents are JSON.
  EXPECT_EQ(Geo(R"({"type":"Point","coordinates":[1e1,-2.5E-1],"s":"\u00e9\ud83d\ude00"})"),
            "000001");
}

}  // namespace
}  // namespace aerospike_py::server
