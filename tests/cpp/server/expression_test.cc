// The embedded server's expression engine (csrc/server/expression*.cc)
// without the request path: what its build phase refuses, as the real
// server's exp.c build_* refuses it, and what the evaluator computes for
// the base families. Expressions are written as msgpack bytes here (the
// Python builders and the recorded exchanges cover the client's forms).
#include <gtest/gtest.h>

#include <string>

#include "common/byte_order.h"
#include "server/bins.h"
#include "server/expression.h"
#include "server/expression_build.h"
#include "server/reply.h"

namespace aerospike_py::server {
namespace {

std::string Bytes(std::initializer_list<int> b) {
  std::string s;
  for (int x : b) s.push_back(static_cast<char>(x));
  return s;
}

// msgpack of a string value (particle type 3 in front).
std::string Str(std::string_view text) {
  std::string s;
  s.push_back(static_cast<char>(0xa0 | (text.size() + 1)));
  s.push_back(3);
  s.append(text);
  return s;
}

std::string RawStr(std::string_view text) {
  std::string s;
  s.push_back(static_cast<char>(0xa0 | text.size()));
  s.append(text);
  return s;
}

std::string IntBin(std::string_view name) { return Bytes({0x93, 0x51, 0x02}) + RawStr(name); }
std::string StrBin(std::string_view name) { return Bytes({0x93, 0x51, 0x03}) + RawStr(name); }

bool Builds(const std::string& wire, bool filter) {
  exp::Program p;
  std::string why;
  return exp::Build(AsBytes(wire), filter, &p, &why);
}

class Subject {
 public:
  Subject() {
    ByteBuffer bins;
    uint8_t be[8];
    StoreBE64(be, 10);
    AppendReplyOp(&bins, 1, 1, "a", std::string_view(reinterpret_cast<char*>(be), 8));
    AppendReplyOp(&bins, 1, 3, "s", "abc");
    record_.bins = std::string(bins.view());
    record_.n_bins = 2;
    record_.last_update_ns = 1700000000123456789ull;
    digest_.fill(0);
    digest_[16] = 7;
  }
  FilterSubject Get() const {
    return FilterSubject{&record_, "demo", digest_.data(), 1700000005000000000ull, nullptr};
  }
  ExpressionValue Value(const std::string& wire) const {
    ExpressionValue v;
    EXPECT_TRUE(EvaluateExpression(AsBytes(wire), Get(), &v));
    return v;
  }
  int64_t Int(const std::string& wire) const {
    ExpressionValue v = Value(wire);
    EXPECT_EQ(v.particle_type, 1);
    return v.bytes.size() == 8
               ? static_cast<int64_t>(LoadBE64(reinterpret_cast<const uint8_t*>(v.bytes.data())))
               : -999;
  }

 private:
  Record record_;
  std::array<uint8_t, 20> digest_;
};

TEST(ExpressionBuild, RefusesWhatTheServerRefuses) {
  EXPECT_TRUE(Builds(Bytes({0x93, 0x01}) + IntBin("a") + Bytes({0x05}), true));
  // Mismatched comparison types, an int filter, mixed math, empty list.
  EXPECT_FALSE(Builds(Bytes({0x93, 0x01}) + IntBin("a") + Str("x"), true));
  EXPECT_FALSE(Builds(IntBin("a"), true));
  EXPECT_TRUE(Builds(IntBin("a"), false));
  EXPECT_FALSE(Builds(Bytes({0x93, 0x14, 0x01, 0xcb, 0, 0, 0, 0, 0, 0, 0, 0}), false));
  EXPECT_FALSE(Builds(Bytes({0x90}), false));
  // Logical ops take at least two operands; unknown op codes are refused.
  EXPECT_FALSE(Builds(Bytes({0x92, 0x10, 0xc3}), true));
  EXPECT_TRUE(Builds(Bytes({0x93, 0x10, 0xc3, 0xc2}), true));
  EXPECT_FALSE(Builds(Bytes({0x91, 0x0a}), false));
  // Trailing bytes after the expression.
  EXPECT_FALSE(Builds(Bytes({0x93, 0x10, 0xc3, 0xc2, 0xc0}), true));
  // GeoJSON and HLL values are not comparable with eq.
  EXPECT_FALSE(Builds(Bytes({0x93, 0x01, 0x93, 0x51, 0x09, 0xa1, 'h', 0x93, 0x51, 0x09, 0xa1, 'h'}),
                      true));
  // digest_modulo(0) and an int32 that truncates to 0.
  EXPECT_FALSE(Builds(Bytes({0x93, 0x01, 0x92, 0x40, 0x00, 0x00}), true));
  EXPECT_FALSE(Builds(Bytes({0x93, 0x01, 0x92, 0x40, 0xcf, 0, 0, 0, 1, 0, 0, 0, 0, 0x00}), true));
  // A regex that does not compile, and one on a non-string.
  EXPECT_FALSE(Builds(Bytes({0x94, 0x07, 0x01}) + RawStr("(") + StrBin("s"), true));
  EXPECT_FALSE(Builds(Bytes({0x94, 0x07, 0x00}) + RawStr("a") + IntBin("a"), true));
  // Bin names: at most 15 bytes.
  EXPECT_FALSE(Builds(Bytes({0x93, 0x01}) + IntBin(std::string(16, 'b')) + Bytes({0x05}), true));
}

TEST(ExpressionBuild, LetScopes) {
  const std::string var_x = Bytes({0x92, 0x7c}) + RawStr("x");
  // let(x = 1, x == 1)
  EXPECT_TRUE(Builds(Bytes({0x94, 0x7d}) + RawStr("x") + Bytes({0x01, 0x93, 0x01}) + var_x +
                         Bytes({0x01}),
                     true));
  // An undefined variable, a duplicate in a nested let, a bad name, and a
  // variable used in its own definition.
  EXPECT_FALSE(Builds(Bytes({0x93, 0x01}) + var_x + Bytes({0x01}), true));
  EXPECT_FALSE(Builds(Bytes({0x94, 0x7d}) + RawStr("x") + Bytes({0x01, 0x94, 0x7d}) + RawStr("x") +
                          Bytes({0x02, 0x93, 0x01}) + var_x + Bytes({0x01}),
                      true));
  EXPECT_FALSE(Builds(Bytes({0x94, 0x7d}) + RawStr("1x") + Bytes({0x01, 0xc3}), true));
  EXPECT_FALSE(Builds(Bytes({0x94, 0x7d}) + RawStr("x") + var_x + Bytes({0xc3}), true));
  // Sibling lets may reuse a name.
  const std::string let_x_true =
      Bytes({0x94, 0x7d}) + RawStr("x") + Bytes({0x01, 0x93, 0x01}) + var_x + Bytes({0x01});
  EXPECT_TRUE(Builds(Bytes({0x93, 0x10}) + let_x_true + let_x_true, true));
}

TEST(ExpressionEval, UnknownIsFalseForFilters) {
  Subject s;
  const std::string missing = Bytes({0x93, 0x01}) + IntBin("zz") + Bytes({0x05});
  EXPECT_EQ(EvaluateFilter(AsBytes(missing), s.Get()), FilterResult::kFalse);
  // not(unknown) is still unknown, so still filtered out.
  EXPECT_EQ(EvaluateFilter(AsBytes(Bytes({0x92, 0x12}) + missing), s.Get()), FilterResult::kFalse);
  // or(unknown, true) is true; and(unknown, false) is false.
  EXPECT_EQ(EvaluateFilter(AsBytes(Bytes({0x93, 0x11}) + missing + Bytes({0xc3})), s.Get()),
            FilterResult::kTrue);
  // A mistyped bin is unknown too (s is a string).
  EXPECT_EQ(EvaluateFilter(AsBytes(Bytes({0x93, 0x01}) + IntBin("s") + Bytes({0x05})), s.Get()),
            FilterResult::kFalse);
  EXPECT_EQ(EvaluateFilter(AsBytes(Bytes({0x93, 0x01}) + IntBin("a") + Bytes({0x0a})), s.Get()),
            FilterResult::kTrue);
  EXPECT_EQ(EvaluateFilter(AsBytes(Bytes({0x91, 0x0a})), s.Get()), FilterResult::kError);
}

TEST(ExpressionEval, MetadataAndArithmetic) {
  Subject s;
  EXPECT_EQ(s.Int(Bytes({0x92, 0x40, 0x05})), 2);  // digest word 7 % 5
  EXPECT_EQ(s.Int(Bytes({0x91, 0x42})), 1700000000123000000ll);  // ms resolution
  EXPECT_EQ(s.Int(Bytes({0x91, 0x43})), 4877);                   // since update, ms
  EXPECT_EQ(s.Int(Bytes({0x91, 0x45})), -1);                     // ttl: never expires
  EXPECT_EQ(s.Int(Bytes({0x91, 0x44})), -1);                     // void time
  EXPECT_EQ(s.Int(Bytes({0x92, 0x17, 0x04})), 0);                // 1 / 4
  EXPECT_TRUE(s.Value(Bytes({0x93, 0x17, 0x04, 0x00})).unknown);  // 4 / 0
  EXPECT_TRUE(s.Value(Bytes({0x93, 0x1a, 0x04, 0x00})).unknown);  // 4 % 0
  EXPECT_EQ(s.Int(Bytes({0x93, 0x24, 0x01, 0x41})), 2);           // 1 << 65
  EXPECT_EQ(s.Int(Bytes({0x93, 0x28, 0x06, 0xc3})), 61);          // lscan(6, true)
  EXPECT_EQ(s.Int(Bytes({0x93, 0x29, 0x00, 0xc3})), -1);          // rscan(0, true)
  ExpressionValue set = s.Value(Bytes({0x91, 0x46}));
  EXPECT_EQ(set.particle_type, 3);
  EXPECT_EQ(set.bytes, "demo");
}

TEST(ExpressionEval, RecordSizeMatchesTheRealServer) {
  Record r;
  ByteBuffer bins;
  uint8_t be[8];
  StoreBE64(be, 1);
  AppendReplyOp(&bins, 1, 1, "a", std::string_view(reinterpret_cast<char*>(be), 8));
  r.bins = std::string(bins.view());
  r.n_bins = 1;
  // {"a": 1} in set "s1": 39 + 3 + 1 + (2 + 3) = 48 (measured: 48).
  EXPECT_EQ(StoredRecordSize(r, "s1"), 48);
  StoreBE64(be, 256);
  r.bins.clear();
  bins = ByteBuffer();
  AppendReplyOp(&bins, 1, 1, "a", std::string_view(reinterpret_cast<char*>(be), 8));
  r.bins = std::string(bins.view());
  EXPECT_EQ(StoredRecordSize(r, "s1"), 64);  // a 2-byte integer crosses 48
}

}  // namespace
}  // namespace aerospike_py::server
