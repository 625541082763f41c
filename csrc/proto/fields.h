// Payloads of the fields that are more than a string or a BE integer (§4.2,
// §9.3): the secondary-index range, the record version, transaction ids,
// and the partition-id / digest / bval arrays of scans and queries. Each has
// an appender (clients and tests) and a strict parser (the embedded server
// and the golden tests). Parsers never read outside their input.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/types/span.h"
#include "common/byte_buffer.h"
#include "common/status.h"
#include "proto/constants.h"
#include "proto/digest.h"

namespace aerospike_py::proto {

// --- Field 22: INDEX_RANGE -------------------------------------------------
// `n (=1) | bin_len | bin | particle type | begin_len u32 | begin | end_len
// u32 | end`. Integer bounds are 8-byte BE; strings, blobs and GeoJSON are
// raw bytes (equality = begin == end; GeoJSON regions go in both).
struct IndexRange {
  std::string bin;  // empty when the query names the index instead
  ParticleType type = ParticleType::kInteger;
  std::string begin;
  std::string end;

  static IndexRange IntegerRange(std::string bin, int64_t low, int64_t high);
  static IndexRange IntegerEqual(std::string bin, int64_t value) {
    return IntegerRange(std::move(bin), value, value);
  }
  static IndexRange StringEqual(std::string bin, std::string_view value);
  static IndexRange BlobEqual(std::string bin, std::string_view value);
  static IndexRange GeoJson(std::string bin, std::string_view region);

  // The bounds of an integer range; an error when the type is not integer
  // or a bound is not 8 bytes.
  StatusOr<std::pair<int64_t, int64_t>> IntegerBounds() const;

  bool operator==(const IndexRange&) const = default;
};

// Appends the field data (without the field header).
void AppendIndexRange(const IndexRange& range, ByteBuffer* out);
// Parses field data; only one range is allowed (the server rejects more).
StatusOr<IndexRange> ParseIndexRange(ByteSpan data);

// --- Field 3: RECORD_VERSION ----------------------------------------------
// 7 bytes LE: bits 0-39 last-update time, bits 40-55 generation.
inline constexpr size_t kRecordVersionSize = 7;
inline constexpr uint64_t kRecordVersionMask = (uint64_t{1} << 56) - 1;
void AppendRecordVersion(uint64_t version, ByteBuffer* out);
StatusOr<uint64_t> DecodeRecordVersion(ByteSpan data);

// --- Fields 5 and 6: transaction id (8 bytes LE) and deadline (4 bytes LE).
void AppendMrtId(uint64_t id, ByteBuffer* out);
StatusOr<uint64_t> DecodeMrtId(ByteSpan data);
void AppendMrtDeadline(uint32_t deadline, ByteBuffer* out);
StatusOr<uint32_t> DecodeMrtDeadline(ByteSpan data);

// --- Field 11: PID_ARRAY (u16 LE each, < 4096) -----------------------------
void AppendPartitionIds(absl::Span<const uint16_t> pids, ByteBuffer* out);
StatusOr<std::vector<uint16_t>> ParsePartitionIds(ByteSpan data);

// --- Field 12: DIGEST_ARRAY (20 bytes each) --------------------------------
void AppendDigests(absl::Span<const Digest> digests, ByteBuffer* out);
StatusOr<std::vector<Digest>> ParseDigests(ByteSpan data);

// --- Field 15: BVAL_ARRAY (i64 LE each) ------------------------------------
void AppendBvals(absl::Span<const int64_t> bvals, ByteBuffer* out);
StatusOr<std::vector<int64_t>> ParseBvals(ByteSpan data);

}  // namespace aerospike_py::proto
