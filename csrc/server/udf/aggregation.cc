#include "server/udf/aggregation.h"

#include <chrono>
#include <string>
#include <utility>

#include "lua/call.h"
#include "proto/constants.h"
#include "server/bins.h"
#include "server/reply.h"
#include "server/udf/particles.h"

namespace aerospike_py::server::udf {
namespace {

using proto::Value;

// A stored record as a stream UDF sees it: bins and metadata, read-only.
class ReadOnlyRecord final : public lua::RecordHost {
 public:
  ReadOnlyRecord(const AggregationContext& context, const AggregationRecord& input)
      : context_(context), record_(*input.record), digest_(input.digest) {}

  bool Exists() override { return true; }
  bool ReadBin(std::string_view name, Value* out) override {
    BinCursor c(record_.bins);
    BinView b;
    while (c.Next(&b)) {
      if (b.name == name) return ParticleToValue(b.type, b.value, out);
    }
    return false;
  }
  // Aggregation records cannot be written (writable() is false, so Lua
  // refuses before asking); these answer as a failed write would.
  int Create(const std::vector<lua::BinUpdate>&, bool) override { return -1; }
  int Update(const std::vector<lua::BinUpdate>&, bool) override { return -1; }
  int Remove() override { return -1; }

  uint32_t Ttl() override {
    const uint32_t v = record_.void_time;
    return v > context_.now ? v - context_.now : 0;
  }
  uint64_t LastUpdateTime() override {
    return record_.last_update_ns / 1000000 -
           static_cast<uint64_t>(proto::kCitrusleafEpoch) * 1000;
  }
  uint16_t Generation() override { return static_cast<uint16_t>(record_.generation); }
  uint32_t StoredSize() override {
    return static_cast<uint32_t>(16 + record_.key.size() + record_.bins.size());
  }
  uint32_t MemorySize() override { return StoredSize(); }
  uint32_t DeviceSize() override { return 0; }
  uint16_t NumBins() override { return record_.n_bins; }
  bool BinNames(std::vector<std::string>* out) override {
    BinCursor c(record_.bins);
    BinView b;
    while (c.Next(&b)) out->emplace_back(b.name);
    return true;
  }
  bool SetName(std::string* out) override {
    *out = context_.ns->SetName(record_.set_id);
    return !out->empty();
  }
  bool Key(Value* out) override { return StoredKeyToValue(record_.key, out); }
  std::string Digest() override {
    return std::string(reinterpret_cast<const char*>(digest_.data()), digest_.size());
  }
  void SetTtl(uint32_t) override {}
  void DropKey() override {}
  bool writable() const override { return false; }

 private:
  const AggregationContext& context_;
  const Record& record_;
  proto::Digest digest_;
};

// The partition's records, one per stream.read().
class PartitionSource final : public lua::StreamSource {
 public:
  PartitionSource(const AggregationContext& context, const std::vector<AggregationRecord>& records)
      : context_(context), records_(records) {}
  Kind Next(Value*, lua::RecordHost** record) override {
    if (at_ == records_.size()) return Kind::kEnd;
    current_ = std::make_unique<ReadOnlyRecord>(context_, records_[at_++]);
    *record = current_.get();
    return Kind::kRecord;
  }

 private:
  const AggregationContext& context_;
  const std::vector<AggregationRecord>& records_;
  size_t at_ = 0;
  std::unique_ptr<ReadOnlyRecord> current_;
};

// Every value written becomes a SUCCESS message.
class ReplySink final : public lua::StreamSink {
 public:
  explicit ReplySink(ByteBuffer* out) : out_(out) {}
  int Write(Value value) override {
    AppendResultMessage(out_, true, value);
    return 0;
  }
  static void AppendResultMessage(ByteBuffer* out, bool success, const Value& value) {
    const size_t at = AppendMsgHeader(out, ReplyHeader{});
    AppendUdfResultOp(out, success, value);
    PatchCounts(out, at, 0, 1);
  }

 private:
  ByteBuffer* out_;
};

}  // namespace

bool AggregatePartition(UdfModules& modules, const UdfCallSpec& call,
                        const AggregationContext& context,
                        const std::vector<AggregationRecord>& records, ByteBuffer* out) {
  if (records.empty()) return true;
  std::string error;
  lua::Environment* env = modules.EnvironmentFor(call.module, &error);
  if (env == nullptr) {
    // The module is not registered or does not load: mod-lua's get_state
    // fails before any Lua runs and leaves no message, so the real server
    // sends the bare error string (udf_stream recording, errors/no_module).
    ReplySink::AppendResultMessage(out, false, Value::String("UDF: Execution Error 1"));
    return false;
  }
  PartitionSource input(context, records);
  ReplySink sink(out);
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(context.timeout_ms);
  lua::CallResult r =
      lua::CallStreamFunction(*env, call.function, &input, &sink, &modules, call.args, deadline);
  if (r.success) return true;
  ReplySink::AppendResultMessage(
      out, false,
      Value::String("UDF: Execution Error " + std::to_string(r.status) + " : " + r.error));
  return false;
}

}  // namespace aerospike_py::server::udf
