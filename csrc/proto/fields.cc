#include "proto/fields.h"

#include <cstring>

#include "absl/strings/str_cat.h"
#include "common/byte_order.h"

namespace aerospike_py::proto {

namespace {

std::string Int64Bytes(int64_t v) {
  std::string out(8, '\0');
  StoreBE64(reinterpret_cast<uint8_t*>(out.data()), static_cast<uint64_t>(v));
  return out;
}

}  // namespace

IndexRange IndexRange::IntegerRange(std::string bin, int64_t low, int64_t high) {
  return IndexRange{std::move(bin), ParticleType::kInteger, Int64Bytes(low),
                    Int64Bytes(high)};
}

IndexRange IndexRange::StringEqual(std::string bin, std::string_view value) {
  return IndexRange{std::move(bin), ParticleType::kString, std::string(value),
                    std::string(value)};
}

IndexRange IndexRange::BlobEqual(std::string bin, std::string_view value) {
  return IndexRange{std::move(bin), ParticleType::kBlob, std::string(value),
                    std::string(value)};
}

IndexRange IndexRange::GeoJson(std::string bin, std::string_view region) {
  return IndexRange{std::move(bin), ParticleType::kGeoJson, std::string(region),
                    std::string(region)};
}

StatusOr<std::pair<int64_t, int64_t>> IndexRange::IntegerBounds() const {
  if (type != ParticleType::kInteger || begin.size() != 8 || end.size() != 8) {
    return MalformedError("index range: not an 8-byte integer range");
  }
  return std::make_pair(
      static_cast<int64_t>(LoadBE64(reinterpret_cast<const uint8_t*>(begin.data()))),
      static_cast<int64_t>(LoadBE64(reinterpret_cast<const uint8_t*>(end.data()))));
}

void AppendIndexRange(const IndexRange& range, ByteBuffer* out) {
  out->PushBack(1);
  out->PushBack(static_cast<uint8_t>(range.bin.size()));
  out->Append(range.bin);
  out->PushBack(static_cast<uint8_t>(range.type));
  StoreBE32(out->Extend(4), static_cast<uint32_t>(range.begin.size()));
  out->Append(range.begin);
  StoreBE32(out->Extend(4), static_cast<uint32_t>(range.end.size()));
  out->Append(range.end);
}

StatusOr<IndexRange> ParseIndexRange(ByteSpan data) {
  size_t pos = 0;
  auto need = [&](size_t n) { return data.size() - pos >= n; };
  if (!need(2)) return MalformedError("index range truncated");
  if (data[0] != 1) {
    return MalformedError(absl::StrCat("index range count ", data[0], " (must be 1)"));
  }
  const size_t bin_len = data[1];
  pos = 2;
  if (!need(bin_len + 1)) return MalformedError("index range bin name truncated");
  IndexRange r;
  r.bin = std::string(AsChars(data.subspan(pos, bin_len)));
  pos += bin_len;
  r.type = static_cast<ParticleType>(data[pos++]);
  for (std::string* bound : {&r.begin, &r.end}) {
    if (!need(4)) return MalformedError("index range bound truncated");
    const uint32_t len = LoadBE32(data.data() + pos);
    pos += 4;
    if (!need(len)) return MalformedError("index range bound overruns field");
    *bound = std::string(AsChars(data.subspan(pos, len)));
    pos += len;
  }
  if (pos != data.size()) return MalformedError("index range has trailing bytes");
  return r;
}

void AppendRecordVersion(uint64_t version, ByteBuffer* out) {
  uint8_t* p = out->Extend(kRecordVersionSize);
  for (size_t i = 0; i < kRecordVersionSize; ++i) {
    p[i] = static_cast<uint8_t>(version >> (8 * i));
  }
}

StatusOr<uint64_t> DecodeRecordVersion(ByteSpan data) {
  if (data.size() != kRecordVersionSize) {
    return MalformedError(absl::StrCat("record version of ", data.size(), " bytes"));
  }
  uint64_t v = 0;
  for (size_t i = 0; i < kRecordVersionSize; ++i) v |= uint64_t{data[i]} << (8 * i);
  return v;
}

void AppendMrtId(uint64_t id, ByteBuffer* out) { StoreLE64(out->Extend(8), id); }

StatusOr<uint64_t> DecodeMrtId(ByteSpan data) {
  if (data.size() != 8) return MalformedError("transaction id is not 8 bytes");
  return LoadLE64(data.data());
}

void AppendMrtDeadline(uint32_t deadline, ByteBuffer* out) {
  StoreLE32(out->Extend(4), deadline);
}

StatusOr<uint32_t> DecodeMrtDeadline(ByteSpan data) {
  if (data.size() != 4) return MalformedError("transaction deadline is not 4 bytes");
  return LoadLE32(data.data());
}

void AppendPartitionIds(absl::Span<const uint16_t> pids, ByteBuffer* out) {
  uint8_t* p = out->Extend(pids.size() * 2);
  for (uint16_t pid : pids) {
    StoreLE16(p, pid);
    p += 2;
  }
}

StatusOr<std::vector<uint16_t>> ParsePartitionIds(ByteSpan data) {
  if (data.size() % 2 != 0) return MalformedError("partition id array of odd length");
  std::vector<uint16_t> out(data.size() / 2);
  for (size_t i = 0; i < out.size(); ++i) {
    out[i] = LoadLE16(data.data() + 2 * i);
    if (out[i] >= kPartitions) {
      return MalformedError(absl::StrCat("partition id ", out[i], " out of range"));
    }
  }
  return out;
}

void AppendDigests(absl::Span<const Digest> digests, ByteBuffer* out) {
  for (const Digest& d : digests) out->Append(d.data(), d.size());
}

StatusOr<std::vector<Digest>> ParseDigests(ByteSpan data) {
  if (data.size() % kDigestSize != 0) {
    return MalformedError("digest array is not a multiple of 20 bytes");
  }
  std::vector<Digest> out(data.size() / kDigestSize);
  for (size_t i = 0; i < out.size(); ++i) {
    std::memcpy(out[i].data(), data.data() + i * kDigestSize, kDigestSize);
  }
  return out;
}

void AppendBvals(absl::Span<const int64_t> bvals, ByteBuffer* out) {
  uint8_t* p = out->Extend(bvals.size() * 8);
  for (int64_t v : bvals) {
    StoreLE64(p, static_cast<uint64_t>(v));
    p += 8;
  }
}

StatusOr<std::vector<int64_t>> ParseBvals(ByteSpan data) {
  if (data.size() % 8 != 0) return MalformedError("bval array is not a multiple of 8 bytes");
  std::vector<int64_t> out(data.size() / 8);
  for (size_t i = 0; i < out.size(); ++i) {
    out[i] = static_cast<int64_t>(LoadLE64(data.data() + 8 * i));
  }
  return out;
}

}  // namespace aerospike_py::proto
