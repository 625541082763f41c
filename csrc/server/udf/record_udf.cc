#include "server/udf/record_udf.h"

#include <chrono>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "lua/call.h"
#include "proto/constants.h"
#include "proto/msgpack.h"
#include "server/bins.h"
#include "server/expression.h"
#include "server/reply.h"
#include "server/udf/particles.h"

namespace aerospike_py::server::udf {
namespace {

using proto::Value;

constexpr uint8_t kOk = 0;
constexpr uint8_t kNotFound = 2;
constexpr uint8_t kParameter = 4;
constexpr uint8_t kIncompatibleType = 12;
constexpr uint8_t kUnsupportedFeature = 16;
constexpr uint8_t kKeyMismatch = 19;
constexpr uint8_t kBinName = 21;
constexpr uint8_t kFilteredOut = 27;
constexpr uint8_t kUdfExecution = 100;

constexpr uint32_t kMaxTtl = 10u * 365 * 24 * 3600;
// A record UDF may leave at most this many bins (UDF_BIN_LIMIT).
constexpr size_t kMaxBins = 512;
// udf_def keeps module and function names in 128-byte buffers.
constexpr size_t kMaxNameLen = 127;
// The transaction deadline when the client sends none (transaction-max-ms).
constexpr uint32_t kDefaultTimeoutMs = 1000;

// The server's get_msg_key(): integer keys must be 8 bytes.
bool IsStorableKey(ByteSpan key) {
  if (key.empty()) return false;
  return key[0] != static_cast<uint8_t>(proto::ParticleType::kInteger) || key.size() == 9;
}

uint32_t NextGeneration(uint32_t g) { return g >= 0xFFFF ? 1 : g + 1; }

// The record a record UDF works on, over the store. Writes go to a working
// copy of the bins; Commit() stores it once the function succeeded.
class StoreRecord final : public lua::RecordHost {
 public:
  StoreRecord(const RecordUdfRequest& req, const proto::Digest& digest, Record* existing)
      : req_(req), digest_(digest), existing_(existing), open_(existing != nullptr) {
    if (existing_ != nullptr) {
      bins_ = BinList(existing_->bins);
      key_ = existing_->key;
      if (key_.empty() && req_.fields->has_key) key_.assign(AsChars(req_.fields->key));
    }
    record_ttl_ = req_.header->record_ttl;
  }

  bool has_updates() const { return has_updates_; }
  uint8_t result_code() const { return result_code_; }

  bool Exists() override { return open_; }

  bool ReadBin(std::string_view name, Value* out) override {
    if (!open_) return false;
    OwnedBin* b = bins_.Find(name);
    return b != nullptr && ParticleToValue(b->type, b->value, out);
  }

  int Create(const std::vector<lua::BinUpdate>& updates, bool too_many) override {
    if (open_) {
      if (!bins_.empty()) return 1;  // "record already exists"
      return Apply(updates, too_many);
    }
    const RequestFields& f = *req_.fields;
    if (f.has_set && f.set.size() > proto::kMaxSetLen) return 4;
    if (f.has_key && !IsStorableKey(f.key)) return 4;
    open_ = true;
    created_ = true;
    bins_.Clear();
    key_ = f.has_key ? std::string(AsChars(f.key)) : std::string();
    const int rc = Apply(updates, too_many);
    if (rc != 0) {
      open_ = false;
      created_ = false;
      key_.clear();
    }
    return rc;
  }

  int Update(const std::vector<lua::BinUpdate>& updates, bool too_many) override {
    if (!open_) return -2;
    return Apply(updates, too_many);
  }

  int Remove() override {
    if (!open_) return 1;
    std::vector<lua::BinUpdate> all;
    for (const OwnedBin& b : bins_.bins()) all.push_back(lua::BinUpdate{b.name, Value(), false});
    return Apply(all, false);
  }

  uint32_t Ttl() override {
    if (!open_ || existing_ == nullptr) return 0;
    const uint32_t v = existing_->void_time;
    return v > req_.now ? v - req_.now : 0;
  }
  uint64_t LastUpdateTime() override {
    if (!open_ || existing_ == nullptr) return 0;
    return existing_->last_update_ns / 1000000 -
           static_cast<uint64_t>(proto::kCitrusleafEpoch) * 1000;
  }
  uint16_t Generation() override {
    return open_ && existing_ != nullptr ? static_cast<uint16_t>(existing_->generation) : 0;
  }
  uint32_t StoredSize() override {
    if (!open_) return 0;
    return static_cast<uint32_t>(16 + key_.size() + bins_.Encode().size());
  }
  uint32_t MemorySize() override { return StoredSize(); }  // a memory namespace
  uint32_t DeviceSize() override { return 0; }
  uint16_t NumBins() override { return open_ ? static_cast<uint16_t>(bins_.size()) : 0; }
  bool BinNames(std::vector<std::string>* out) override {
    if (!open_) return false;
    for (const OwnedBin& b : bins_.bins()) out->push_back(b.name);
    return true;
  }
  bool SetName(std::string* out) override {
    if (!open_) return false;
    if (existing_ != nullptr) {
      *out = req_.ns->SetName(existing_->set_id);
    } else {
      *out = req_.fields->has_set ? std::string(req_.fields->set) : std::string();
    }
    return !out->empty();
  }
  bool Key(Value* out) override { return open_ && StoredKeyToValue(key_, out); }
  std::string Digest() override {
    return std::string(reinterpret_cast<const char*>(digest_.data()), digest_.size());
  }
  void SetTtl(uint32_t ttl) override { record_ttl_ = ttl; }
  void DropKey() override {
    if (open_) key_.clear();
  }

  // Writes the working copy (has_updates() must be true). Returns the result
  // code and the reply's generation and void time.
  uint8_t Commit(uint32_t* generation, uint32_t* void_time) {
    uint32_t ttl = record_ttl_;
    if (ttl == proto::kTtlDontUpdate && n_old_bins_ == 0) ttl = proto::kTtlNamespaceDefault;
    if (ttl > kMaxTtl && ttl != proto::kTtlNeverExpire && ttl != proto::kTtlDontUpdate) {
      return kParameter;
    }
    Namespace* ns = req_.ns;
    if (bins_.empty()) {
      // Every bin deleted: the record goes, if it was there.
      if (n_old_bins_ == 0 || existing_ == nullptr) return kNotFound;
      *generation = NextGeneration(existing_->generation);
      *void_time = 0;
      ns->Erase(digest_);
      existing_ = nullptr;
      return kOk;
    }
    uint32_t vt;
    switch (ttl) {
      case proto::kTtlNeverExpire:
        vt = 0;
        break;
      case proto::kTtlDontUpdate:
        if (existing_ != nullptr) {
          vt = existing_->void_time;
          break;
        }
        [[fallthrough]];
      case proto::kTtlNamespaceDefault:
        vt = ns->default_ttl() ? req_.now + ns->default_ttl() : 0;
        break;
      default:
        vt = req_.now + ttl;
        break;
    }
    Record* r = existing_;
    if (r == nullptr) {
      const RequestFields& f = *req_.fields;
      r = ns->Insert(digest_, ns->SetId(f.has_set ? f.set : std::string_view()));
    }
    r->generation = NextGeneration(r->generation);
    r->void_time = vt;
    r->last_update_ns = req_.now_ns;
    r->key = key_;
    r->bins = bins_.Encode();
    r->n_bins = static_cast<uint16_t>(bins_.size());
    ns->Written(digest_, *r);  // secondary indexes follow
    *generation = r->generation;
    *void_time = r->void_time;
    return kOk;
  }

 private:
  // The server's execute_updates(): applies the assigned bins to the working
  // copy, or restores it and remembers the failure.
  int Apply(const std::vector<lua::BinUpdate>& updates, bool too_many) {
    if (!has_updates_) {
      old_bins_ = bins_;
      n_old_bins_ = created_ ? 0 : bins_.size();
    }
    if (too_many) return Fail(kBinName);
    for (const lua::BinUpdate& u : updates) {
      if (u.unusable) return Fail(kIncompatibleType);
      if (u.value.is_nil()) {
        bins_.Remove(u.name);
        continue;
      }
      uint8_t type;
      std::string bytes;
      if (!ValueToStoredParticle(u.value, &type, &bytes)) return Fail(kIncompatibleType);
      if (bins_.size() >= kMaxBins && bins_.Find(u.name) == nullptr) return Fail(kBinName);
      bins_.Set(u.name, type, std::move(bytes));
    }
    has_updates_ = true;
    result_code_ = kOk;
    return 0;
  }

  int Fail(uint8_t code) {
    result_code_ = code;
    has_updates_ = false;
    bins_ = old_bins_;
    return -1;
  }

  const RecordUdfRequest& req_;
  proto::Digest digest_;
  Record* existing_;
  bool open_;
  bool created_ = false;
  BinList bins_;
  BinList old_bins_;
  size_t n_old_bins_ = 0;
  bool has_updates_ = false;
  uint8_t result_code_ = kOk;
  std::string key_;
  uint32_t record_ttl_ = 0;
};

void AppendReply(ByteBuffer* out, uint8_t result, uint32_t generation, uint32_t void_time,
                 uint32_t index) {
  ReplyHeader h;
  h.result = result;
  h.generation = generation;
  h.void_time = void_time;
  h.index = index;
  AppendMsgHeader(out, h);
}

void AppendValueReply(ByteBuffer* out, bool success, const Value& value, uint8_t result,
                      uint32_t generation, uint32_t void_time, uint32_t index) {
  ReplyHeader h;
  h.result = result;
  h.generation = generation;
  h.void_time = void_time;
  h.index = index;
  const size_t at = AppendMsgHeader(out, h);
  AppendUdfResultOp(out, success, value);
  PatchCounts(out, at, 0, 1);
}

// The server's has_forbidden_policy(): UDFs take no generation or
// existence policy.
bool HasForbiddenPolicy(const proto::MsgHeader& h) {
  return (h.info2 & (proto::info2::kGeneration | proto::info2::kGenerationGt |
                     proto::info2::kCreateOnly)) != 0 ||
         (h.info3 & (proto::info3::kUpdateOnly | proto::info3::kCreateOrReplace |
                     proto::info3::kReplaceOnly)) != 0;
}

// set_name_check_on_update(): the request's set must be the record's set,
// and a request without one only matches a record without one.
bool SetMatches(const Namespace& ns, const Record& r, const RequestFields& f) {
  const std::string& set = ns.SetName(r.set_id);
  const std::string_view want = f.has_set ? f.set : std::string_view();
  return set == want;
}

}  // namespace

bool ParseUdfCall(const RequestFields::UdfFields& fields, UdfCallSpec* out) {
  if (!fields.has_module || !fields.has_function || !fields.has_args) return false;
  if (fields.module.size() > kMaxNameLen || fields.function.size() > kMaxNameLen) return false;
  out->module.assign(AsChars(fields.module));
  out->function.assign(AsChars(fields.function));
  out->args.clear();
  if (!fields.args.empty()) {
    auto v = proto::DecodeMsgpack(fields.args);
    if (v.ok() && v->type() == Value::Type::kList) out->args = std::move(v->mutable_items());
  }
  return true;
}

void AppendUdfResultOp(ByteBuffer* out, bool success, const Value& value) {
  uint8_t type;
  std::string bytes;
  ValueToReplyParticle(value, &type, &bytes);
  AppendReplyOp(out, static_cast<uint8_t>(proto::OpType::kRead), type,
                success ? "SUCCESS" : "FAILURE", bytes);
}

uint8_t ExecuteRecordUdf(UdfModules& modules, const RecordUdfRequest& req, ByteBuffer* out) {
  const proto::MsgHeader& h = *req.header;
  const RequestFields& f = *req.fields;
  UdfCallSpec call;
  if (HasForbiddenPolicy(h) || !ParseUdfCall(f.udf, &call)) {
    AppendReply(out, kParameter, 0, 0, req.index);
    return kParameter;
  }
  Digest digest;
  std::memcpy(digest.data(), f.digest, proto::kDigestSize);
  Record* r = req.ns->Find(digest, req.now);
  // Error replies carry the record's generation and void time when it exists.
  const uint32_t gen = r ? r->generation : 0;
  const uint32_t vt = r ? r->void_time : 0;
  auto fail = [&](uint8_t code) {
    AppendReply(out, code, gen, vt, req.index);
    return code;
  };
  if (r != nullptr) {
    if (!SetMatches(*req.ns, *r, f)) return fail(kParameter);
    if (!req.filter.empty()) {
      FilterSubject s{r, req.ns->SetName(r->set_id), f.digest, req.now_ns};
      switch (EvaluateFilter(req.filter, s)) {
        case FilterResult::kTrue: break;
        case FilterResult::kFalse: return fail(kFilteredOut);
        case FilterResult::kError: return fail(kParameter);
      }
    }
    if (f.has_key) {
      if (!r->key.empty()) {
        if (AsChars(f.key) != r->key) return fail(kKeyMismatch);
      } else if (!IsStorableKey(f.key)) {
        return fail(kUnsupportedFeature);
      }
    }
  }

  std::string load_error;
  lua::Environment* env = modules.EnvironmentFor(call.module, &load_error);
  if (env == nullptr) {
    // A module that is not registered or does not load: the server's
    // as_module_err_string() for "no state".
    AppendValueReply(out, false, Value::String("UDF: Execution Error 1"), kUdfExecution, gen, vt,
                     req.index);
    return kUdfExecution;
  }
  StoreRecord record(req, digest, r);
  const uint32_t timeout_ms = h.transaction_ttl != 0 ? h.transaction_ttl : kDefaultTimeoutMs;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  lua::CallResult result =
      lua::CallRecordFunction(*env, call.function, &record, &modules, call.args, deadline);
  if (!result.success) {
    AppendValueReply(out, false, Value::String(std::move(result.error)), kUdfExecution, gen, vt,
                     req.index);
    return kUdfExecution;
  }
  if (record.result_code() != kOk) return fail(record.result_code());
  if (!record.has_updates()) {
    AppendValueReply(out, true, result.value, kOk, gen, vt, req.index);
    return kOk;
  }
  uint32_t new_gen = 0, new_vt = 0;
  const uint8_t rc = record.Commit(&new_gen, &new_vt);
  if (rc != kOk) return fail(rc);
  AppendValueReply(out, true, result.value, kOk, new_gen, new_vt, req.index);
  return kOk;
}

}  // namespace aerospike_py::server::udf
