// Value's equality is exact, because the round-trip tests rely on it: blob
// subtypes and collection order flags count, doubles compare bitwise, map
// entries compare in order; DebugString renders every type.
#include <gtest/gtest.h>

#include <cmath>

#include "proto/value.h"

namespace aerospike_py::proto {
namespace {

TEST(ValueTest, EqualityIsExact) {
  EXPECT_EQ(Value::Bytes("a"), Value::Bytes("a", 4));
  EXPECT_NE(Value::Bytes("a", 4), Value::Bytes("a", 9));
  EXPECT_NE(Value::Bytes("a"), Value::String("a"));
  EXPECT_NE(Value::String("a"), Value::GeoJson("a"));
  EXPECT_NE(Value::Hll("a"), Value::Bytes("a", 18));
  EXPECT_NE(Value::Int(1), Value::Bool(true));
  EXPECT_NE(Value::Int(1), Value::Double(1.0));
  EXPECT_EQ(Value::Double(std::nan("")), Value::Double(std::nan("")));
  EXPECT_NE(Value::Double(0.0), Value::Double(-0.0));
  EXPECT_NE(Value::List({Value::Int(1)}), Value::List({Value::Int(1)}, 1));
  const auto a = Value::Map({{Value::Int(1), Value::Nil()}, {Value::Int(2), Value::Nil()}});
  const auto b = Value::Map({{Value::Int(2), Value::Nil()}, {Value::Int(1), Value::Nil()}});
  EXPECT_NE(a, b);  // entry order is part of the value
  EXPECT_EQ(a.map_size(), 2u);
  EXPECT_EQ(a.map_key(1), Value::Int(2));
  EXPECT_EQ(Value::Wildcard(), Value::Wildcard());
  EXPECT_NE(Value::Wildcard(), Value::Infinity());
  EXPECT_TRUE(Value::Nil().is_nil());
}

TEST(ValueTest, DebugString) {
  const Value v = Value::Map(
      {{Value::String("k"),
        Value::List({Value::Int(-1), Value::Double(2.5), Value::Bool(true), Value::Nil(),
                     Value::Bytes("\x01", 9), Value::GeoJson("{}"), Value::Hll("\xff"),
                     Value::Wildcard(), Value::Infinity()}, 1)}},
      1);
  EXPECT_EQ(v.DebugString(),
            "map<1>{\"k\": list<1>[-1, 2.5, true, nil, bytes<9>(01), geojson({}), hll(ff), *, "
            "inf]}");
}

}  // namespace
}  // namespace aerospike_py::proto
