// Dispatch of request frames, and the single-record commands (read, write,
// delete, touch, operate) that batch rows reuse. Result codes and the
// order of checks follow the real server's read_local()/write_master()
// (aerospike-server as/src/transaction/{read,write,delete}.c).
#include "server/processor.h"

#include "proto/msgpack.h"
#include "server/bins.h"
#include "server/collection_op.h"
#include "server/expression.h"
#include "server/geojson.h"
#include "server/reply.h"

namespace aerospike_py::server {

namespace {

using proto::MsgHeader;
using proto::OpType;
using proto::ParticleType;

constexpr uint32_t kMaxTtl = 10u * 365 * 24 * 3600;  // the server's 10-year cap
// RECORD_MAX_BINS: a write that would leave more bins fails with 4. Without
// the cap, Record::n_bins (16 bits) wrapped and replies miscounted their ops.
constexpr size_t kMaxBinsPerRecord = 0x7FFF;
constexpr uint8_t kOk = 0;

uint8_t Code(ResultCode c) { return static_cast<uint8_t>(ToInt(c)); }

// Appends a header-only reply message; error replies for a record that
// exists carry its generation and void time, as the server's do.
void AppendStatus(ByteBuffer* out, uint8_t result, const Record* r, uint32_t index) {
  ReplyHeader h;
  h.result = result;
  h.index = index;
  if (r != nullptr) {
    h.generation = r->generation;
    h.void_time = r->void_time;
  }
  AppendMsgHeader(out, h);
}

bool IsKnownOp(uint8_t op) {
  return (op >= 1 && op <= 5) || (op >= 7 && op <= 16);
}

// Flags of expression ops (wire protocol §12): writes 1 create-only,
// 2 update-only, 4 allow-delete, 8 policy-no-fail, 16 eval-no-fail; reads
// 16 eval-no-fail.
namespace exp_flags {
constexpr int64_t kCreateOnly = 1;
constexpr int64_t kUpdateOnly = 2;
constexpr int64_t kAllowDelete = 4;
constexpr int64_t kPolicyNoFail = 8;
constexpr int64_t kEvalNoFail = 16;
}  // namespace exp_flags

// An expression op's value: msgpack [expression, flags].
bool ParseExpOp(ByteSpan value, ByteSpan* expression, int64_t* flags) {
  proto::MsgpackReader r(value);
  proto::MsgpackItem item;
  if (!r.Next(&item).ok() || item.kind != proto::MsgpackItem::Kind::kArray ||
      item.count < 1 || item.count > 2) {
    return false;
  }
  const size_t start = r.offset();
  if (!r.Skip().ok()) return false;
  *expression = value.subspan(start, r.offset() - start);
  *flags = 0;
  if (item.count == 2) {
    if (!r.Next(&item).ok() || item.kind != proto::MsgpackItem::Kind::kInt) return false;
    *flags = item.i;
  }
  return r.AtEnd();
}

// Evaluates an expression op against a record's metadata and `bins`.
// Returns 0, or the result code of a failed evaluation.
uint8_t EvaluateExpOp(ByteSpan value, const Record* meta, std::string_view set_name,
                      const uint8_t* digest, const std::string& bins, uint64_t now_ns,
                      int64_t* flags, ExpressionValue* result) {
  ByteSpan expression;
  if (!ParseExpOp(value, &expression, flags)) return Code(ResultCode::kParameter);
  Record subject_record;
  if (meta != nullptr) {
    subject_record.generation = meta->generation;
    subject_record.void_time = meta->void_time;
    subject_record.last_update_ns = meta->last_update_ns;
    subject_record.key = meta->key;
  }
  subject_record.bins = bins;
  FilterSubject subject{&subject_record, set_name, digest, now_ns};
  if (!EvaluateExpression(expression, subject, result)) return Code(ResultCode::kParameter);
  if (result->unknown && !(*flags & exp_flags::kEvalNoFail)) {
    return Code(ResultCode::kOpNotApplicable);
  }
  return 0;
}

bool IsStoredWithSet(const Namespace& ns, const Record& r, const RequestFields& f) {
  // A request naming a set must name the record's set (the server answers
  // 4 otherwise); a request without a set matches any record.
  if (!f.has_set || f.set.empty()) return true;
  return ns.SetName(r.set_id) == f.set;
}

// Checks a particle from a request and returns the bytes to store: integers
// widen to 8 bytes, bools must be one byte 0/1, collections must be one
// complete msgpack value. False: the value is malformed (result 4).
bool NormalizeParticle(uint8_t type, ByteSpan value, std::string* out) {
  switch (static_cast<ParticleType>(type)) {
    case ParticleType::kInteger: {
      int64_t v;
      const uint8_t* p = value.data();
      switch (value.size()) {
        case 1: v = static_cast<int8_t>(p[0]); break;
        case 2: v = static_cast<int16_t>(LoadBE16(p)); break;
        case 4: v = static_cast<int32_t>(LoadBE32(p)); break;
        case 8: v = static_cast<int64_t>(LoadBE64(p)); break;
        default: return false;
      }
      out->resize(8);
      StoreBE64(reinterpret_cast<uint8_t*>(out->data()), static_cast<uint64_t>(v));
      return true;
    }
    case ParticleType::kFloat:
      if (value.size() != 8) return false;
      break;
    case ParticleType::kBool:
      if (value.size() != 1 || value[0] > 1) return false;
      break;
    case ParticleType::kList:
    case ParticleType::kMap: {
      // One complete value of the bin's collection type that clients can
      // decode: ext values only where msgpack collections allow them (order
      // markers, wildcard/infinity) and nesting within the decoder's depth.
      // Checking the structure alone (Skip) stored e.g. a map keyed by an
      // arbitrary ext value, and every later read of the record failed.
      StatusOr<proto::Value> v = proto::DecodeMsgpack(value);
      const proto::Value::Type want = type == static_cast<uint8_t>(ParticleType::kList)
                                          ? proto::Value::Type::kList
                                          : proto::Value::Type::kMap;
      if (!v.ok() || v->type() != want) return false;
      break;
    }
    case ParticleType::kGeoJson: {
      // Stored with the cell ids the server computes (one for a Point).
      auto normalized = NormalizeGeoJsonParticle(AsChars(value));
      if (!normalized) return false;
      *out = std::move(*normalized);
      return true;
    }
    case ParticleType::kString:
    case ParticleType::kBlob:
    case ParticleType::kHll:
      break;
    default:
      if (!proto::IsLanguageBlob(type)) return false;
      break;
  }
  out->assign(reinterpret_cast<const char*>(value.data()), value.size());
  return true;
}

// A user key the write may store with the record (the server's
// get_msg_key()): a particle type byte and a value, integers 8 bytes. An
// integer key of another size would come back in scan replies as a key
// field clients cannot decode.
bool IsStorableKey(ByteSpan key) {
  if (key.empty()) return false;
  return key[0] != static_cast<uint8_t>(ParticleType::kInteger) || key.size() == 9;
}

uint32_t NextGeneration(uint32_t g) {
  // Generations are 16 bits on the server and skip 0 when they wrap.
  return g >= 0xFFFF ? 1 : g + 1;
}

}  // namespace

FrameOutcome Processor::Handle(int node, const proto::Frame& frame, ByteBuffer* out) {
  clock_.now_ns = NowUnixNanos();
  clock_.now = ServerEpochSeconds(clock_.now_ns);
  switch (static_cast<proto::ProtoType>(frame.type)) {
    case proto::ProtoType::kInfo:
      HandleInfo(node, AsChars(frame.body()), out);
      return FrameOutcome::kReply;
    case proto::ProtoType::kAdmin:
      HandleAdmin(frame.body(), out);
      return FrameOutcome::kReply;
    case proto::ProtoType::kMessage:
      if (frame.body_offset != 0) {
        // The frame arrived compressed (type 4; FrameReader inflated it).
        // Community Edition refuses compressed requests.
        ReplyHeader h;
        h.result = Code(ResultCode::kEnterpriseOnly);
        AppendHeaderOnlyFrame(out, h);
        return FrameOutcome::kReply;
      }
      return HandleMessage(node, frame.body(), out);
    default:
      ++state_->stats.demarshal_error;
      return FrameOutcome::kClose;
  }
}

void Processor::HandleAdmin(ByteSpan body, ByteBuffer* out) {
  // Security is not enabled: answer every admin command with 52, which
  // clients configured with a user treat as "proceed without auth". Query
  // commands get the same single header (the stream ends at once).
  const size_t frame = BeginFrame(out);
  uint8_t* p = out->Extend(16);
  std::memset(p, 0, 16);
  p[1] = Code(ResultCode::kSecurityNotEnabled);
  EndFrame(out, frame, proto::ProtoType::kAdmin);
}

FrameOutcome Processor::HandleMessage(int node, ByteSpan body, ByteBuffer* out) {
  auto parsed = proto::ParseMessage(body);
  if (!parsed.ok() || parsed->size != body.size()) {
    // The server closes a connection whose message does not parse.
    ++state_->stats.demarshal_error;
    return FrameOutcome::kClose;
  }
  const proto::MessageView& m = *parsed;
  RequestFields f;
  ParseFields(m.fields, &f);
  if (m.header.info1 & proto::info1::kBatch) {
    HandleBatch(node, m, f, out);
    return FrameOutcome::kReply;
  }
  if (f.digest == nullptr && !f.malformed) {
    HandleScan(node, m, f, out);
    return FrameOutcome::kReply;
  }
  const size_t frame = BeginFrame(out);
  Namespace* ns = f.has_ns ? state_->store.Find(f.ns) : nullptr;
  if (ns == nullptr) {
    AppendStatus(out, Code(ResultCode::kInvalidNamespace), nullptr, 0);
  } else {
    ExecuteRecord(node, m.header, ns, f, m.ops, m.header.n_ops, nullptr, 0, out);
  }
  EndFrame(out, frame);
  return FrameOutcome::kReply;
}

void Processor::CountMisrouted(int node, const uint8_t* digest, bool write) {
  Cluster& c = state_->cluster;
  const uint32_t pid = proto::PartitionId(digest);
  const bool ok = write ? c.IsMaster(node, pid) : c.IsReplica(node, pid);
  if (!ok) c.node(node).misrouted.fetch_add(1, std::memory_order_relaxed);
}

uint8_t Processor::ExecuteRecord(int node, const MsgHeader& h, Namespace* ns,
                                 const RequestFields& f, ByteSpan ops, uint16_t n_ops,
                                 const RequestFields* batch_filter, uint32_t index,
                                 ByteBuffer* out) {
  uint8_t rc = kOk;
  if (f.malformed || f.digest == nullptr) {
    rc = Code(ResultCode::kParameter);
  } else if (f.has_udf) {
    rc = Code(ResultCode::kUnsupportedFeature);  // no UDF engine (yet)
  } else if (f.has_mrt || (h.info4 & 0x1F) != 0) {
    rc = Code(ResultCode::kEnterpriseOnly);  // transactions are EE-only
  } else if (forced_record_result_ != 0) {
    rc = forced_record_result_;
  }
  if (rc != kOk) {
    AppendStatus(out, rc, nullptr, index);
    return rc;
  }
  const bool write = (h.info2 & proto::info2::kWrite) != 0;
  CountMisrouted(node, f.digest, write);
  ByteSpan filter = f.has_filter ? f.filter
                    : (batch_filter && batch_filter->has_filter) ? batch_filter->filter
                                                                 : ByteSpan();
  if (write) {
    if (h.info2 & proto::info2::kDelete) return ExecuteDelete(h, ns, f, filter, index, out);
    return ExecuteWrite(h, ns, f, ops, n_ops, filter, index, out);
  }
  if (h.info1 & proto::info1::kRead) {
    return ExecuteRead(h, ns, f, ops, n_ops, filter, index, out);
  }
  AppendStatus(out, Code(ResultCode::kParameter), nullptr, index);
  return Code(ResultCode::kParameter);
}

uint8_t Processor::ExecuteRead(const MsgHeader& h, Namespace* ns, const RequestFields& f,
                               ByteSpan ops, uint16_t n_ops, ByteSpan filter,
                               uint32_t index, ByteBuffer* out) {
  Digest digest;
  std::memcpy(digest.data(), f.digest, proto::kDigestSize);
  const Record* r = ns->Find(digest, clock_.now);
  if (r == nullptr) {
    AppendStatus(out, Code(ResultCode::kRecordNotFound), nullptr, index);
    return Code(ResultCode::kRecordNotFound);
  }
  if (!IsStoredWithSet(*ns, *r, f)) {
    AppendStatus(out, Code(ResultCode::kParameter), nullptr, index);
    return Code(ResultCode::kParameter);
  }
  if (!filter.empty()) {
    FilterSubject s{r, ns->SetName(r->set_id), f.digest, clock_.now_ns};
    switch (EvaluateFilter(filter, s)) {
      case FilterResult::kTrue: break;
      case FilterResult::kFalse:
        AppendStatus(out, Code(ResultCode::kFilteredOut), r, index);
        return Code(ResultCode::kFilteredOut);
      case FilterResult::kError:
        AppendStatus(out, Code(ResultCode::kParameter), nullptr, index);
        return Code(ResultCode::kParameter);
    }
  }
  if (f.has_key && !r->key.empty() && AsChars(f.key) != r->key) {
    AppendStatus(out, Code(ResultCode::kKeyMismatch), r, index);
    return Code(ResultCode::kKeyMismatch);
  }
  ReplyHeader rh;
  rh.generation = r->generation;
  rh.void_time = r->void_time;
  rh.index = index;
  if (h.info1 & proto::info1::kNoBinData) {
    AppendMsgHeader(out, rh);
    return kOk;
  }
  if (h.info1 & proto::info1::kGetAll) {
    const size_t at = AppendMsgHeader(out, rh);
    out->Append(r->bins);
    PatchCounts(out, at, 0, r->n_bins);
    return kOk;
  }
  if (n_ops == 0) {
    AppendStatus(out, Code(ResultCode::kParameter), nullptr, index);
    return Code(ResultCode::kParameter);
  }
  // Validate the ops before writing anything, so an error leaves no
  // half-built reply behind.
  {
    proto::OpIterator it(ops);
    proto::OpView op;
    while (it.Next(&op)) {
      bool reads = false;
      if (op.op == static_cast<uint8_t>(OpType::kRead) ||
          op.op == static_cast<uint8_t>(OpType::kExpRead) ||
          (IsCollectionOp(op.op, &reads) && reads)) {
        continue;
      }
      const uint8_t rc = Code(ResultCode::kParameter);
      AppendStatus(out, rc, nullptr, index);
      return rc;
    }
  }
  const bool respond_all = (h.info2 & proto::info2::kRespondAllOps) != 0;
  const size_t at = AppendMsgHeader(out, rh);
  uint16_t n = 0;
  proto::OpIterator it(ops);
  proto::OpView op;
  while (it.Next(&op)) {
    if (op.op == static_cast<uint8_t>(OpType::kExpRead)) {
      int64_t flags;
      ExpressionValue v;
      const uint8_t rc = EvaluateExpOp(op.value, r, ns->SetName(r->set_id), f.digest, r->bins,
                                       clock_.now_ns, &flags, &v);
      if (rc != 0) {
        out->Resize(at);  // drop the half-built reply
        AppendStatus(out, rc, nullptr, index);
        return rc;
      }
      if (!v.unknown || respond_all) {
        AppendReplyOp(out, op.op, v.particle_type, op.name, v.bytes);
        ++n;
      }
      continue;
    }
    BinView b;
    bool reads = false;
    if (IsCollectionOp(op.op, &reads)) {
      // A read of a missing bin answers nothing (read_local()).
      if (!FindBin(r->bins, op.name, &b)) {
        if (respond_all) {
          AppendReplyOp(out, op.op, 0, op.name, {});
          ++n;
        }
        continue;
      }
      cdt::BinValue bin{true, b.type, std::string(b.value)};
      cdt::OpReply reply;
      bool changed = false;
      const uint8_t rc = RunCollectionOp(op.op, op.value, &bin, &reply, &changed);
      if (rc != 0) {
        out->Resize(at);
        AppendStatus(out, rc, nullptr, index);
        return rc;
      }
      if (reply.has || respond_all) {
        AppendReplyOp(out, op.op, reply.has ? reply.type : 0, op.name,
                      reply.has ? std::string_view(reply.value) : std::string_view());
        ++n;
      }
      continue;
    }
    if (FindBin(r->bins, op.name, &b)) {
      out->Append(b.encoded);
      ++n;
    } else if (respond_all) {
      AppendReplyOp(out, op.op, 0, op.name, {});
      ++n;
    }
  }
  PatchCounts(out, at, 0, n);
  return kOk;
}

uint8_t Processor::ExecuteDelete(const MsgHeader& h, Namespace* ns, const RequestFields& f,
                                 ByteSpan filter, uint32_t index, ByteBuffer* out) {
  auto fail = [&](ResultCode c, const Record* r) {
    AppendStatus(out, Code(c), r, index);
    return Code(c);
  };
  if (h.info2 & proto::info2::kDurableDelete) return fail(ResultCode::kEnterpriseOnly, nullptr);
  Digest digest;
  std::memcpy(digest.data(), f.digest, proto::kDigestSize);
  Record* r = ns->Find(digest, clock_.now);
  if (r == nullptr) return fail(ResultCode::kRecordNotFound, nullptr);
  if ((h.info2 & proto::info2::kGeneration) && h.generation != r->generation) {
    return fail(ResultCode::kGeneration, r);
  }
  if ((h.info2 & proto::info2::kGenerationGt) && h.generation <= r->generation) {
    return fail(ResultCode::kGeneration, r);
  }
  if (!IsStoredWithSet(*ns, *r, f)) return fail(ResultCode::kParameter, nullptr);
  if (!filter.empty()) {
    FilterSubject s{r, ns->SetName(r->set_id), f.digest, clock_.now_ns};
    const FilterResult fr = EvaluateFilter(filter, s);
    if (fr == FilterResult::kFalse) return fail(ResultCode::kFilteredOut, r);
    if (fr == FilterResult::kError) return fail(ResultCode::kParameter, nullptr);
  }
  if (f.has_key && !r->key.empty() && AsChars(f.key) != r->key) {
    return fail(ResultCode::kKeyMismatch, r);
  }
  ns->Erase(digest);
  AppendStatus(out, kOk, nullptr, index);
  return kOk;
}

uint8_t Processor::ExecuteWrite(const MsgHeader& h, Namespace* ns, const RequestFields& f,
                                ByteSpan ops, uint16_t n_ops, ByteSpan filter,
                                uint32_t index, ByteBuffer* out) {
  auto fail = [&](ResultCode c, const Record* r) {
    AppendStatus(out, Code(c), r, index);
    return Code(c);
  };
  // write_master_preprocessing(): the TTL must be valid.
  if (h.record_ttl > kMaxTtl && h.record_ttl != proto::kTtlNeverExpire &&
      h.record_ttl != proto::kTtlDontUpdate) {
    return fail(ResultCode::kParameter, nullptr);
  }
  // write_master_policies(): flags and op combinations.
  if (n_ops == 0) return fail(ResultCode::kParameter, nullptr);
  const bool respond_all = (h.info2 & proto::info2::kRespondAllOps) != 0;
  const bool get_all = (h.info1 & proto::info1::kGetAll) != 0;
  bool must_not_create = (h.info3 & (proto::info3::kUpdateOnly | proto::info3::kReplaceOnly)) != 0;
  const bool replace = (h.info3 & (proto::info3::kCreateOrReplace | proto::info3::kReplaceOnly)) != 0;
  bool has_read = false, has_read_all = false, generates_response = false;
  {
    proto::OpIterator it(ops);
    proto::OpView op;
    while (it.Next(&op)) {
      if (!IsKnownOp(op.op)) return fail(ResultCode::kParameter, nullptr);
      const auto type = static_cast<OpType>(op.op);
      if (type == OpType::kTouch) {
        if (replace) return fail(ResultCode::kParameter, nullptr);
        must_not_create = true;
        continue;
      }
      if (op.name.size() > proto::kMaxBinNameLen) return fail(ResultCode::kBinName, nullptr);
      switch (type) {
        case OpType::kWrite:
          if (op.particle_type == 0 && replace) return fail(ResultCode::kParameter, nullptr);
          break;
        case OpType::kIncr: case OpType::kAppend: case OpType::kPrepend:
        case OpType::kDelete:
          if (replace) return fail(ResultCode::kParameter, nullptr);
          break;
        case OpType::kExpRead:
        case OpType::kCdtRead:
        case OpType::kBitRead:
        case OpType::kHllRead:
          has_read = true;
          generates_response = true;
          break;
        case OpType::kRead:
          if (op.name.empty()) {
            if (respond_all || has_read_all) return fail(ResultCode::kParameter, nullptr);
            has_read_all = true;
          } else {
            generates_response = true;
          }
          has_read = true;
          break;
        default:
          break;
      }
    }
  }
  if (has_read && !(h.info1 & proto::info1::kRead)) return fail(ResultCode::kParameter, nullptr);
  if (has_read_all && generates_response) return fail(ResultCode::kParameter, nullptr);
  if (get_all && !has_read_all) return fail(ResultCode::kParameter, nullptr);

  Digest digest;
  std::memcpy(digest.data(), f.digest, proto::kDigestSize);
  Record* r = ns->Find(digest, clock_.now);
  if (r == nullptr && must_not_create) return fail(ResultCode::kRecordNotFound, nullptr);
  if (r != nullptr && (h.info2 & proto::info2::kCreateOnly)) {
    return fail(ResultCode::kRecordExists, r);
  }
  const uint32_t current_gen = r ? r->generation : 0;
  if ((h.info2 & proto::info2::kGeneration) && h.generation != current_gen) {
    return fail(ResultCode::kGeneration, r);
  }
  if ((h.info2 & proto::info2::kGenerationGt) && h.generation <= current_gen) {
    return fail(ResultCode::kGeneration, r);
  }
  if (r == nullptr && f.has_set && f.set.size() > proto::kMaxSetLen) {
    // A new record's set must fit the server's set names (63 bytes):
    // set_set_from_msg() fails and write_master() answers 4.
    return fail(ResultCode::kParameter, nullptr);
  }
  if (r != nullptr && !IsStoredWithSet(*ns, *r, f)) return fail(ResultCode::kParameter, nullptr);
  if (r != nullptr && !filter.empty()) {
    FilterSubject s{r, ns->SetName(r->set_id), f.digest, clock_.now_ns};
    const FilterResult fr = EvaluateFilter(filter, s);
    if (fr == FilterResult::kFalse) return fail(ResultCode::kFilteredOut, r);
    if (fr == FilterResult::kError) return fail(ResultCode::kParameter, nullptr);
  }
  if (f.has_key && r != nullptr && !r->key.empty() && AsChars(f.key) != r->key) {
    return fail(ResultCode::kKeyMismatch, r);
  }
  if (f.has_key && (r == nullptr || r->key.empty()) && !IsStorableKey(f.key)) {
    // get_msg_key() fails and handle_msg_key() answers 16 (the server's own
    // comment wonders why it is not 4).
    return fail(ResultCode::kUnsupportedFeature, nullptr);
  }

  // Apply the ops to a working copy; the record is untouched until all of
  // them succeed.
  BinList bins = (r != nullptr && !replace) ? BinList(r->bins) : BinList();
  const bool had_bins = r != nullptr && r->n_bins != 0;
  ByteBuffer results;  // reply ops
  uint16_t n_results = 0;
  proto::OpIterator it(ops);
  proto::OpView op;
  while (it.Next(&op)) {
    const auto type = static_cast<OpType>(op.op);
    bool answered = false;
    switch (type) {
      case OpType::kRead:
        if (op.name.empty()) {
          for (const OwnedBin& b : bins.bins()) {
            AppendReplyOp(&results, op.op, b.type, b.name, b.value);
            ++n_results;
          }
        } else if (const OwnedBin* b = bins.Find(op.name)) {
          AppendReplyOp(&results, op.op, b->type, b->name, b->value);
          ++n_results;
        } else if (respond_all) {
          AppendReplyOp(&results, op.op, 0, op.name, {});
          ++n_results;
        }
        answered = true;
        break;
      case OpType::kWrite:
        if (op.particle_type == 0) {
          bins.Remove(op.name);
        } else {
          std::string value;
          if (!NormalizeParticle(op.particle_type, op.value, &value)) {
            return fail(ResultCode::kParameter, nullptr);
          }
          bins.Set(op.name, op.particle_type, std::move(value));
        }
        break;
      case OpType::kIncr: {
        OwnedBin* b = bins.Find(op.name);
        if (op.particle_type == static_cast<uint8_t>(ParticleType::kInteger)) {
          std::string v;
          if (!NormalizeParticle(op.particle_type, op.value, &v)) {
            return fail(ResultCode::kParameter, nullptr);
          }
          const int64_t delta = static_cast<int64_t>(LoadBE64(reinterpret_cast<const uint8_t*>(v.data())));
          if (b == nullptr) {
            bins.Set(op.name, op.particle_type, std::move(v));
          } else if (b->type == op.particle_type) {
            auto* p = reinterpret_cast<uint8_t*>(b->value.data());
            StoreBE64(p, LoadBE64(p) + static_cast<uint64_t>(delta));
          } else {
            return fail(ResultCode::kBinIncompatibleType, nullptr);
          }
        } else if (op.particle_type == static_cast<uint8_t>(ParticleType::kFloat)) {
          if (op.value.size() != 8) return fail(ResultCode::kParameter, nullptr);
          const double delta = BitsToDouble(LoadBE64(op.value.data()));
          if (b == nullptr) {
            bins.Set(op.name, op.particle_type, std::string(AsChars(op.value)));
          } else if (b->type == op.particle_type) {
            auto* p = reinterpret_cast<uint8_t*>(b->value.data());
            StoreBE64(p, DoubleBits(BitsToDouble(LoadBE64(p)) + delta));
          } else {
            return fail(ResultCode::kBinIncompatibleType, nullptr);
          }
        } else {
          return fail(ResultCode::kParameter, nullptr);
        }
        break;
      }
      case OpType::kAppend:
      case OpType::kPrepend: {
        if (op.particle_type != static_cast<uint8_t>(ParticleType::kString) &&
            op.particle_type != static_cast<uint8_t>(ParticleType::kBlob)) {
          return fail(ResultCode::kBinIncompatibleType, nullptr);
        }
        OwnedBin* b = bins.Find(op.name);
        if (b == nullptr) {
          bins.Set(op.name, op.particle_type, std::string(AsChars(op.value)));
        } else if (b->type == op.particle_type) {
          if (type == OpType::kAppend) b->value.append(AsChars(op.value));
          else b->value.insert(0, AsChars(op.value));
        } else {
          return fail(ResultCode::kBinIncompatibleType, nullptr);
        }
        break;
      }
      case OpType::kDelete:
        bins.Clear();
        break;
      case OpType::kExpRead:
      case OpType::kExpModify: {
        int64_t flags;
        ExpressionValue v;
        const uint8_t rc =
            EvaluateExpOp(op.value, r, r ? ns->SetName(r->set_id) : f.set, f.digest,
                          bins.Encode(), clock_.now_ns, &flags, &v);
        if (rc != 0) {
          AppendStatus(out, rc, nullptr, index);
          return rc;
        }
        if (type == OpType::kExpRead) {
          if (!v.unknown || respond_all) {
            AppendReplyOp(&results, op.op, v.particle_type, op.name, v.bytes);
            ++n_results;
          }
          answered = true;
          break;
        }
        if (v.unknown) break;  // eval-no-fail: nothing to write
        const bool exists = bins.Find(op.name) != nullptr;
        const bool no_fail = (flags & exp_flags::kPolicyNoFail) != 0;
        if ((flags & exp_flags::kCreateOnly) && exists) {
          if (no_fail) break;
          return fail(ResultCode::kBinExists, nullptr);
        }
        if ((flags & exp_flags::kUpdateOnly) && !exists) {
          if (no_fail) break;
          return fail(ResultCode::kBinNotFound, nullptr);
        }
        if (v.particle_type == 0) {
          if (!(flags & exp_flags::kAllowDelete)) {
            if (no_fail) break;
            return fail(ResultCode::kOpNotApplicable, nullptr);
          }
          bins.Remove(op.name);
          break;
        }
        std::string stored;
        if (!NormalizeParticle(v.particle_type, AsBytes(v.bytes), &stored)) {
          return fail(ResultCode::kOpNotApplicable, nullptr);
        }
        bins.Set(op.name, v.particle_type, std::move(stored));
        break;
      }
      case OpType::kCdtRead: case OpType::kCdtModify: case OpType::kBitRead:
      case OpType::kBitModify: case OpType::kHllRead: case OpType::kHllModify: {
        // write_master_bin_ops(): reads of a missing bin answer nothing;
        // modify ops may create the bin; CDT/HLL modify ops answer their
        // result, bit modify ops only with respond-all-ops.
        bool reads = false;
        IsCollectionOp(op.op, &reads);
        OwnedBin* existing = bins.Find(op.name);
        if (reads && existing == nullptr) break;
        cdt::BinValue bin;
        if (existing != nullptr) bin = cdt::BinValue{true, existing->type, existing->value};
        cdt::OpReply reply;
        bool changed = false;
        const uint8_t rc = RunCollectionOp(op.op, op.value, &bin, &reply, &changed);
        if (rc != 0) {
          AppendStatus(out, rc, nullptr, index);
          return rc;
        }
        if (changed) bins.Set(op.name, bin.type, std::move(bin.value));
        if (reads || reply.has || respond_all) {
          AppendReplyOp(&results, op.op, reply.has ? reply.type : 0, op.name,
                        reply.has ? std::string_view(reply.value) : std::string_view());
          ++n_results;
        }
        answered = true;
        break;
      }
      default:  // touch
        break;
    }
    if (!answered && respond_all) {
      AppendReplyOp(&results, op.op, 0, op.name, {});
      ++n_results;
    }
  }

  if (bins.size() > kMaxBinsPerRecord) return fail(ResultCode::kParameter, nullptr);
  if (bins.empty()) {
    if (!had_bins) return fail(ResultCode::kRecordNotFound, nullptr);
    if (h.info2 & proto::info2::kDurableDelete) return fail(ResultCode::kEnterpriseOnly, nullptr);
    ns->Erase(digest);
    ReplyHeader rh;
    rh.index = index;
    const size_t at = AppendMsgHeader(out, rh);
    out->Append(results.span());
    PatchCounts(out, at, 0, n_results);
    return kOk;
  }

  uint32_t void_time;
  switch (h.record_ttl) {
    case proto::kTtlNeverExpire:
      void_time = 0;
      break;
    case proto::kTtlDontUpdate:
      if (r != nullptr) {
        void_time = r->void_time;
        break;
      }
      [[fallthrough]];
    case proto::kTtlNamespaceDefault:
      void_time = ns->default_ttl() ? clock_.now + ns->default_ttl() : 0;
      break;
    default:
      void_time = clock_.now + h.record_ttl;
      break;
  }
  if (r == nullptr) {
    r = ns->Insert(digest, ns->SetId(f.has_set ? f.set : std::string_view()));
  }
  r->generation = NextGeneration(r->generation);
  r->void_time = void_time;
  r->last_update_ns = clock_.now_ns;
  if (f.has_key && r->key.empty()) r->key.assign(AsChars(f.key));
  r->bins = bins.Encode();
  r->n_bins = static_cast<uint16_t>(bins.size());
  ns->Written(digest, *r);  // secondary indexes follow

  ReplyHeader rh;
  rh.generation = r->generation;
  rh.void_time = r->void_time;
  rh.index = index;
  const size_t at = AppendMsgHeader(out, rh);
  out->Append(results.span());
  PatchCounts(out, at, 0, n_results);
  return kOk;
}

}  // namespace aerospike_py::server
