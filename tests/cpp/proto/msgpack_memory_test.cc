// Decoding hostile msgpack allocates in proportion to what actually
// decodes, not to the counts the input claims: collection headers nested
// hundreds deep, each claiming as many elements as bytes remain, must not
// make a few KiB of input reserve tens of MiB. Measured with a counting
// operator new (this test binary's allocations all pass through it).
#include <gtest/gtest.h>

#include <cstdlib>
#include <new>

#include "golden_support.h"
#include "proto/msgpack.h"

namespace {
thread_local bool g_counting = false;
thread_local size_t g_bytes = 0;
}  // namespace

void* operator new(size_t n) {
  if (g_counting) g_bytes += n;
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }

namespace aerospike_py::proto {
namespace {

size_t BytesAllocatedDecoding(const std::string& input) {
  g_bytes = 0;
  g_counting = true;
  auto v = DecodeMsgpack(AsBytes(input));
  g_counting = false;
  EXPECT_FALSE(v.ok());
  return g_bytes;
}

TEST(MsgpackMemoryTest, NestedCountsDoNotReserveWhatTheyClaim) {
  for (const char* name : {"msgpack-nested-count-reserve", "msgpack-nested-map-count-reserve"}) {
    const std::string input =
        testing::ReadWholeFile(std::string(ASPY_FUZZ_DIR) + "/regressions/" + name);
    ASSERT_GT(input.size(), 4000u);
    const size_t bytes = BytesAllocatedDecoding(input);
    // Reserving every claimed count would take about 250 levels x ~3600
    // elements x sizeof(Value) (~70 MiB); what decodes here needs well
    // under 4 MiB.
    EXPECT_LT(bytes, size_t{4} << 20) << name;
  }
}

TEST(MsgpackMemoryTest, LargeListsStillDecode) {
  std::vector<Value> items(100000, Value::Int(7));
  const Value list = Value::List(std::move(items));
  ByteBuffer bytes = EncodeMsgpack(list);
  auto back = DecodeMsgpack(bytes.span());
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, list);
}

}  // namespace
}  // namespace aerospike_py::proto
