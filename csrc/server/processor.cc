// Dispatch of request frames, and the single-record commands (read, write,
// delete, touch, operate) that batch rows reuse. Result codes and the
// order of checks follow the real server's read_local()/write_master()
// (aerospike-server as/src/transaction/{read,write,delete}.c).
#include "server/processor.h"

#include "proto/msgpack.h"
#include "server/bins.h"
#include "server/cdt/container.h"
#include "server/collection_op.h"
#include "server/expression.h"
#include "server/expression_op.h"
#include "server/geojson.h"
#include "server/reply.h"
#include "server/udf/record_udf.h"
#include "server/security/permissions.h"

namespace aerospike_py::server {

namespace {

using proto::MsgHeader;
using proto::OpType;
using proto::ParticleType;

constexpr uint32_t kMaxTtl = 10u * 365 * 24 * 3600;  // the server's 10-year cap
// RECORD_MAX_BINS: a write that would leave more bins fails with 4. Without
// the cap, Record::n_bins (16 bits) wrapped and replies miscounted their ops.
constexpr size_t kMaxBinsPerRecord = 0x7FFF;
// MAX_N_OPS: a command with more ops is refused with 4.
constexpr uint16_t kMaxOpsPerCommand = 32 * 1024;
// The namespace's max-record-size (the server's default, 1 MiB).
constexpr uint64_t kMaxRecordSize = 1024 * 1024;
// AS_PARTICLE_TYPE_VECTOR: accepted and stored as sent.
constexpr uint8_t kParticleVector = 16;
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

bool IsStoredWithSet(const Namespace& ns, const Record& r, const RequestFields& f) {
  // A request naming a set must name the record's set (the server answers
  // 4 otherwise); a request without a set matches any record.
  if (!f.has_set || f.set.empty()) return true;
  return ns.SetName(r.set_id) == f.set;
}

// The particle types a write may carry (the server's safe_particle_type():
// anything else, nil included, is refused with PARAMETER).
bool IsWritableParticleType(uint8_t type) {
  switch (static_cast<ParticleType>(type)) {
    case ParticleType::kInteger: case ParticleType::kFloat: case ParticleType::kString:
    case ParticleType::kBlob: case ParticleType::kBool: case ParticleType::kHll:
    case ParticleType::kMap: case ParticleType::kList: case ParticleType::kGeoJson:
      return true;
    default:
      return type == kParticleVector || proto::IsLanguageBlob(type);
  }
}

// An HLL particle as hll_from_wire() accepts it: flags 0, 4..16 index
// bits, 0 or 4..51 minhash bits (at most 64 together), and exactly the size
// those imply (an 11-byte header, then 6 + minhash bits per register).
bool IsValidHll(ByteSpan v) {
  if (v.size() < 3 || v[0] != 0) return false;
  const uint32_t index_bits = v[1], minhash_bits = v[2];
  if (index_bits < 4 || index_bits > 16) return false;
  if (minhash_bits != 0 && (minhash_bits < 4 || minhash_bits > 51)) return false;
  if (index_bits + minhash_bits > 64) return false;
  const uint64_t registers = ((6ull + minhash_bits) * (1ull << index_bits) + 7) / 8;
  return v.size() == 11 + registers;
}

// Checks a particle from a request and sets the bytes to store, as the
// server's from_wire functions do: integers of 1, 2 or 4 bytes are read as
// unsigned and widened to 8, bools are one byte 0/1, lists and maps are
// rewritten (collection_op.h), HLLs and GeoJSON validated. Returns 0 or
// the result code of the refusal.
uint8_t StoreParticle(uint8_t type, ByteSpan value, std::string* out) {
  if (!IsWritableParticleType(type)) return Code(ResultCode::kParameter);
  switch (static_cast<ParticleType>(type)) {
    case ParticleType::kInteger: {
      uint64_t v;
      const uint8_t* p = value.data();
      switch (value.size()) {
        case 1: v = p[0]; break;
        case 2: v = LoadBE16(p); break;
        case 4: v = LoadBE32(p); break;
        case 8: v = LoadBE64(p); break;
        default: return Code(ResultCode::kParameter);
      }
      out->resize(8);
      StoreBE64(reinterpret_cast<uint8_t*>(out->data()), v);
      return kOk;
    }
    case ParticleType::kFloat:
      if (value.size() != 8) return Code(ResultCode::kParameter);
      break;
    case ParticleType::kBool:
      if (value.size() != 1 || value[0] > 1) return Code(ResultCode::kParameter);
      break;
    case ParticleType::kList:
    case ParticleType::kMap:
      // Stored as the real server stores it: compact encodings, maps
      // sorted by key. A value it refuses fails with UNKNOWN (1), as
      // list_from_wire()/map_from_wire() do.
      if (!RewriteStoredCollection(value, type == static_cast<uint8_t>(ParticleType::kMap),
                                   out)) {
        return Code(ResultCode::kServerError);
      }
      return kOk;
    case ParticleType::kGeoJson: {
      // Stored with the cell ids the server computes (one for a Point).
      auto normalized = NormalizeGeoJsonParticle(AsChars(value));
      if (!normalized) return Code(ResultCode::kGeoInvalidGeoJson);
      *out = std::move(*normalized);
      return kOk;
    }
    case ParticleType::kHll:
      if (!IsValidHll(value)) return Code(ResultCode::kParameter);
      break;
    default:  // strings, blobs, language blobs, vectors: stored as sent
      break;
  }
  out->assign(reinterpret_cast<const char*>(value.data()), value.size());
  return kOk;
}

// incr/append/prepend (as_bin_particle_modify_from_client()): a missing
// bin is created from the operand as a write would create it; an existing
// bin must be an integer or double for incr (same type as the operand),
// a string or blob for append/prepend (same type); otherwise
// INCOMPATIBLE_TYPE. Returns 0 or the result code.
uint8_t ModifyBin(OpType type, const proto::OpView& op, BinList* bins) {
  if (!IsWritableParticleType(op.particle_type)) return Code(ResultCode::kParameter);
  OwnedBin* b = bins->Find(op.name);
  if (b == nullptr) {
    std::string value;
    if (const uint8_t rc = StoreParticle(op.particle_type, op.value, &value)) return rc;
    bins->Set(op.name, op.particle_type, std::move(value));
    return kOk;
  }
  const auto stored = static_cast<ParticleType>(b->type);
  if (type == OpType::kIncr) {
    if (stored == ParticleType::kInteger &&
        op.particle_type == static_cast<uint8_t>(ParticleType::kInteger)) {
      std::string delta;
      if (const uint8_t rc = StoreParticle(op.particle_type, op.value, &delta)) return rc;
      auto* p = reinterpret_cast<uint8_t*>(b->value.data());
      StoreBE64(p, LoadBE64(p) + LoadBE64(reinterpret_cast<const uint8_t*>(delta.data())));
      return kOk;
    }
    if (stored == ParticleType::kFloat &&
        op.particle_type == static_cast<uint8_t>(ParticleType::kFloat)) {
      if (op.value.size() != 8) return Code(ResultCode::kParameter);
      auto* p = reinterpret_cast<uint8_t*>(b->value.data());
      StoreBE64(p, DoubleBits(BitsToDouble(LoadBE64(p)) + BitsToDouble(LoadBE64(op.value.data()))));
      return kOk;
    }
    return Code(ResultCode::kBinIncompatibleType);
  }
  const bool concatenable = stored == ParticleType::kString || stored == ParticleType::kBlob ||
                            proto::IsLanguageBlob(b->type);
  if (!concatenable || op.particle_type != b->type) {
    return Code(ResultCode::kBinIncompatibleType);
  }
  if (type == OpType::kAppend) {
    b->value.append(AsChars(op.value));
  } else {
    b->value.insert(0, AsChars(op.value));
  }
  return kOk;
}

// The size max-record-size limits: the record as the server stores it
// (as_flat_record_size() plus the 4-byte end mark): a 35-byte header, the
// void time when it expires, the set name and the stored key with their
// lengths, the bin count, and per bin its name and its flat particle.
uint64_t StoredRecordSize(size_t set_len, size_t key_size, bool expires, const BinList& bins) {
  auto uintvar = [](uint64_t v) {
    uint64_t n = 1;
    while (v >= 0x80) {
      v >>= 7;
      ++n;
    }
    return n;
  };
  uint64_t size = 35 + (expires ? 4 : 0);
  if (set_len != 0) size += 1 + set_len;
  if (key_size != 0) size += uintvar(key_size) + key_size;
  if (!bins.empty()) size += uintvar(bins.size());
  for (const OwnedBin& b : bins.bins()) {
    size += 1 + b.name.size();
    switch (static_cast<ParticleType>(b.type)) {
      case ParticleType::kInteger: {
        const uint64_t v = LoadBE64(reinterpret_cast<const uint8_t*>(b.value.data()));
        size += 2 + (v > 0xFFFFFFFFull ? 8 : v > 0xFFFF ? 4 : v > 0xFF ? 2 : 1);
        break;
      }
      case ParticleType::kFloat: size += 9; break;
      case ParticleType::kBool: size += 2; break;
      default: size += 5 + b.value.size(); break;
    }
  }
  return size + 4;
}

// A bin name the server accepts (as_bin_name_check()): under 16 bytes, no
// NUL.
bool IsValidBinName(std::string_view name) {
  return name.size() <= proto::kMaxBinNameLen && name.find('\0') == std::string_view::npos;
}

// A transaction's verify-read or roll command, by the info4 bits the server
// routes on (as_tsvc_process_transaction()): verify on a read, roll on a
// write that is not a delete. Other info4 bits are ignored.
bool IsTransactionCommand(const MsgHeader& h) {
  if (h.info2 & proto::info2::kWrite) {
    return !(h.info2 & proto::info2::kDelete) && (h.info4 & 0x06) != 0;
  }
  return (h.info4 & 0x01) != 0;
}

// The header's generation condition (generation_check()): GENERATION wins
// over GENERATION_GT when both are set.
bool GenerationAllows(const MsgHeader& h, uint32_t current) {
  if (h.info2 & proto::info2::kGeneration) return h.generation == current;
  if (h.info2 & proto::info2::kGenerationGt) return h.generation > current;
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

// The permission a single-record command (or batch row) needs, as the
// server's tsvc asks it: UDF apply, write (+read when it also reads), read.
uint64_t RecordPerm(const MsgHeader& h, const RequestFields& f) {
  if (f.has_udf) return security::kPermUdfApply;
  if (h.info2 & proto::info2::kWrite) {
    const uint64_t also_read = (h.info1 & proto::info1::kRead) ? uint64_t{security::kPermRead} : 0;
    return security::kPermWrite | also_read;
  }
  return security::kPermRead;
}

}  // namespace

FrameOutcome Processor::Handle(int node, const proto::Frame& frame, ByteBuffer* out,
                                ClientSession* session) {
  clock_.now_ns = NowUnixNanos();
  clock_.now = ServerEpochSeconds(clock_.now_ns);
  switch (static_cast<proto::ProtoType>(frame.type)) {
    case proto::ProtoType::kInfo:
      HandleInfo(node, AsChars(frame.body()), out, session);
      return FrameOutcome::kReply;
    case proto::ProtoType::kAdmin:
      HandleAdmin(frame.body(), out);
      return FrameOutcome::kReply;
    case proto::ProtoType::kCompressed:
      // Community Edition refuses compressed requests without reading them.
      {
        ReplyHeader h;
        h.result = Code(ResultCode::kEnterpriseOnly);
        AppendHeaderOnlyFrame(out, h);
      }
      return FrameOutcome::kReply;
    case proto::ProtoType::kMessage:
      if (frame.body_offset != 0) {
        // A compressed frame a reader inflated (callers other than the
        // server's connections): refused all the same.
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
  if (state_->security) {
    state_->security->HandleAdmin(session_, body, out, clock_.now_ns);
    return;
  }
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
  // The server reads the AS_MSG header as a fixed struct: its header-size
  // byte is not checked.
  std::string patched;
  if (body.size() >= proto::kMsgHeaderSize && body[0] != proto::kMsgHeaderSize) {
    patched.assign(reinterpret_cast<const char*>(body.data()), body.size());
    patched[0] = static_cast<char>(proto::kMsgHeaderSize);
    body = AsBytes(patched);
  }
  auto parsed = proto::ParseMessage(body);
  if (!parsed.ok() || parsed->size != body.size()) {
    // A message whose fields and ops do not exactly fill it is answered
    // with PARAMETER (as_msg_swap_fields_and_ops() fails); the connection
    // stays open.
    ++state_->stats.demarshal_error;
    ReplyHeader h;
    h.result = Code(ResultCode::kParameter);
    AppendHeaderOnlyFrame(out, h);
    return FrameOutcome::kReply;
  }
  const proto::MessageView& m = *parsed;
  {
    // An op flagged as carrying a last-update time (XDR) must hold its 8
    // bytes (as_msg_op_skip()); otherwise the message does not parse.
    proto::OpIterator it(m.ops);
    proto::OpView op;
    while (it.Next(&op)) {
      if ((op.flags & 1) && op.value.size() < 8) {
        ++state_->stats.demarshal_error;
        ReplyHeader h;
        h.result = Code(ResultCode::kParameter);
        AppendHeaderOnlyFrame(out, h);
        return FrameOutcome::kReply;
      }
    }
  }
  RequestFields f;
  ParseFields(m.fields, &f);
  if (state_->security) {
    // Security mode: an unauthenticated socket runs nothing; a scan or
    // query needs its permission on the namespace/set (records of single
    // and batch commands are checked in ExecuteRecord).
    const bool multi = (m.header.info1 & proto::info1::kBatch) || f.digest == nullptr;
    uint8_t rc = state_->security->CheckAuthenticated(session_);
    if (rc == 0 && !(m.header.info1 & proto::info1::kBatch) && f.digest == nullptr) {
      const bool background = (m.header.info2 & proto::info2::kWrite) != 0;
      const uint64_t perm = !background ? security::kPermQuery
                            : f.has_udf ? security::kPermUdfQuery
                                        : security::kPermOpsQuery;
      rc = SecurityCheck(f.ns, f.set, perm, false);
    }
    if (rc != 0) {
      ReplyHeader h;
      h.result = rc;
      if (multi) h.info3 = proto::info3::kLast;
      AppendHeaderOnlyFrame(out, h);
      return FrameOutcome::kReply;
    }
  }
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

uint8_t Processor::SecurityCheck(std::string_view ns, std::string_view set, uint64_t perm,
                                 bool is_write) {
  return state_->security->CheckData(session_, ns, set, perm, is_write, clock_.now_ns);
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
  } else if (state_->security &&
             (rc = SecurityCheck(ns->name(), f.set, RecordPerm(h, f),
                                 (h.info2 & proto::info2::kWrite) != 0)) != kOk) {
    // refused: role violation or quota exceeded
  } else if (f.has_mrt || IsTransactionCommand(h)) {
    // Transactions (MRT fields, verify-read and roll commands) are
    // Enterprise only.
    rc = Code(ResultCode::kEnterpriseOnly);
  } else if (forced_record_result_ != 0) {
    rc = forced_record_result_;
  }
  if (rc != kOk) {
    AppendStatus(out, rc, nullptr, index);
    return rc;
  }
  const bool write = (h.info2 & proto::info2::kWrite) != 0;
  CountMisrouted(node, f.digest, write || f.has_udf);
  ByteSpan filter = f.has_filter ? f.filter
                    : (batch_filter && batch_filter->has_filter) ? batch_filter->filter
                                                                 : ByteSpan();
  if (f.has_udf) {  // a record UDF (apply / batch_apply row): server/udf/
    udf::RecordUdfRequest req{&h, ns, &f, filter, index, clock_.now_ns, clock_.now};
    return udf::ExecuteRecordUdf(state_->udf, req, out);
  }
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
  Record* r = ns->Find(digest, clock_.now);
  if (r == nullptr) {
    AppendStatus(out, Code(ResultCode::kRecordNotFound), nullptr, index);
    return Code(ResultCode::kRecordNotFound);
  }
  // From here on, failures carry the record's generation and void time,
  // as read_local()'s do.
  auto fail = [&](ResultCode c) {
    AppendStatus(out, Code(c), r, index);
    return Code(c);
  };
  if (!IsStoredWithSet(*ns, *r, f)) return fail(ResultCode::kParameter);
  // as_read_touch_check(): on a read, record_ttl is the read-touch percent
  // (0 the namespace default, which is off; all ones never). A record in
  // its last `pct`% of life is touched after the reply: its void time moves
  // by its write TTL again, its generation stays.
  bool touch = false;
  if (r->void_time != 0 && h.record_ttl != proto::kTtlNeverExpire && h.record_ttl != 0) {
    if (h.record_ttl > 100) return fail(ResultCode::kParameter);
    const uint32_t written = static_cast<uint32_t>(ServerEpochMillis(r->last_update_ns) / 1000);
    const uint32_t write_ttl = r->void_time > written ? r->void_time - written : 0;
    const uint32_t threshold = static_cast<uint32_t>(uint64_t{write_ttl} * h.record_ttl / 100);
    touch = clock_.now >= r->void_time - threshold;
  }
  auto read_touch = [&] {
    if (!touch) return;
    const uint32_t written = static_cast<uint32_t>(ServerEpochMillis(r->last_update_ns) / 1000);
    r->void_time = clock_.now + (r->void_time - written);
    r->last_update_ns = clock_.now_ns;
  };
  if (!filter.empty()) {
    FilterSubject s{r, ns->SetName(r->set_id), f.digest, clock_.now_ns};
    switch (EvaluateFilter(filter, s)) {
      case FilterResult::kTrue: break;
      case FilterResult::kFalse: return fail(ResultCode::kFilteredOut);
      case FilterResult::kError: return fail(ResultCode::kParameter);
    }
  }
  if (f.has_key && !r->key.empty() && AsChars(f.key) != r->key) {
    return fail(ResultCode::kKeyMismatch);
  }
  ReplyHeader rh;
  rh.generation = r->generation;
  rh.void_time = r->void_time;
  rh.index = index;
  if (h.info1 & proto::info1::kNoBinData) {
    AppendMsgHeader(out, rh);
    read_touch();
    return kOk;
  }
  if (n_ops > kMaxOpsPerCommand) return fail(ResultCode::kParameter);
  if (h.info1 & proto::info1::kGetAll) {
    const size_t at = AppendMsgHeader(out, rh);
    out->Append(r->bins);
    PatchCounts(out, at, 0, r->n_bins);
    read_touch();
    return kOk;
  }
  if (n_ops == 0) return fail(ResultCode::kParameter);
  // Validate the ops before writing anything, so an error leaves no
  // half-built reply behind.
  {
    proto::OpIterator it(ops);
    proto::OpView op;
    while (it.Next(&op)) {
      if (!IsValidBinName(op.name)) return fail(ResultCode::kBinName);
      bool reads = false;
      if (op.op == static_cast<uint8_t>(OpType::kRead) ||
          op.op == static_cast<uint8_t>(OpType::kExpRead) ||
          (IsCollectionOp(op.op, &reads) && reads)) {
        continue;
      }
      return fail(ResultCode::kParameter);
    }
  }
  const bool respond_all = (h.info2 & proto::info2::kRespondAllOps) != 0;
  const size_t at = AppendMsgHeader(out, rh);
  uint16_t n = 0;
  proto::OpIterator it(ops);
  proto::OpView op;
  while (it.Next(&op)) {
    if (op.op == static_cast<uint8_t>(OpType::kExpRead)) {
      ExpOp exp_op;
      ExpressionValue v;
      bool has_value = false;
      uint8_t rc = ParseExpOp(op.value, /*modify=*/false, &exp_op)
                       ? EvaluateExpOp(exp_op, r, ns->SetName(r->set_id), f.digest, r->bins,
                                       clock_.now_ns, &v, &has_value)
                       : Code(ResultCode::kParameter);
      if (rc != 0) {
        out->Resize(at);  // drop the half-built reply
        AppendStatus(out, rc, r, index);
        return rc;
      }
      if (has_value || respond_all) {
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
        AppendStatus(out, rc, r, index);  // with the record's metadata, as read_local()
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
  read_touch();
  return kOk;
}

uint8_t Processor::ExecuteDelete(const MsgHeader& h, Namespace* ns, const RequestFields& f,
                                 ByteSpan filter, uint32_t index, ByteBuffer* out) {
  // delete_master()/drop_master(): no reply of a delete carries record
  // metadata, failures included.
  auto fail = [&](ResultCode c) {
    AppendStatus(out, Code(c), nullptr, index);
    return Code(c);
  };
  if (h.info2 & proto::info2::kDurableDelete) return fail(ResultCode::kEnterpriseOnly);
  Digest digest;
  std::memcpy(digest.data(), f.digest, proto::kDigestSize);
  Record* r = ns->Find(digest, clock_.now);
  if (r == nullptr) return fail(ResultCode::kRecordNotFound);
  if (!IsStoredWithSet(*ns, *r, f)) return fail(ResultCode::kParameter);
  if (!GenerationAllows(h, r->generation)) return fail(ResultCode::kGeneration);
  if (!filter.empty()) {
    FilterSubject s{r, ns->SetName(r->set_id), f.digest, clock_.now_ns};
    const FilterResult fr = EvaluateFilter(filter, s);
    if (fr == FilterResult::kFalse) return fail(ResultCode::kFilteredOut);
    if (fr == FilterResult::kError) return fail(ResultCode::kParameter);
  }
  if (f.has_key && !r->key.empty() && AsChars(f.key) != r->key) {
    return fail(ResultCode::kKeyMismatch);
  }
  ns->Erase(digest);
  AppendStatus(out, kOk, nullptr, index);
  return kOk;
}

uint8_t Processor::ExecuteWrite(const MsgHeader& h, Namespace* ns, const RequestFields& f,
                                ByteSpan ops, uint16_t n_ops, ByteSpan filter,
                                uint32_t index, ByteBuffer* out) {
  // The steps and their order follow write_master(). Failures before the
  // record lookup carry no metadata; after it, the record's generation and
  // void time (0 for a record this write would create).
  const Record* meta = nullptr;
  auto fail = [&](ResultCode c) {
    AppendStatus(out, Code(c), meta, index);
    return Code(c);
  };
  auto fail_code = [&](uint8_t rc) {
    AppendStatus(out, rc, meta, index);
    return rc;
  };
  // write_master_policies(): flags and op combinations.
  if (n_ops == 0 || n_ops > kMaxOpsPerCommand) return fail(ResultCode::kParameter);
  const bool respond_all = (h.info2 & proto::info2::kRespondAllOps) != 0;
  const bool get_all = (h.info1 & proto::info1::kGetAll) != 0;
  bool must_not_create = (h.info3 & (proto::info3::kUpdateOnly | proto::info3::kReplaceOnly)) != 0;
  const bool replace = (h.info3 & (proto::info3::kCreateOrReplace | proto::info3::kReplaceOnly)) != 0;
  bool has_read = false, has_read_all = false, generates_response = false;
  {
    proto::OpIterator it(ops);
    proto::OpView op;
    while (it.Next(&op)) {
      if (!IsKnownOp(op.op)) return fail(ResultCode::kParameter);
      const auto type = static_cast<OpType>(op.op);
      if (type == OpType::kTouch) {
        if (replace) return fail(ResultCode::kParameter);
        must_not_create = true;
        continue;
      }
      if (!IsValidBinName(op.name)) return fail(ResultCode::kBinName);
      switch (type) {
        case OpType::kWrite:
          if (op.particle_type == 0 && replace) return fail(ResultCode::kParameter);
          break;
        case OpType::kIncr: case OpType::kAppend: case OpType::kPrepend:
        case OpType::kDelete:
          if (replace) return fail(ResultCode::kParameter);
          break;
        case OpType::kExpRead:
        case OpType::kCdtRead:
        case OpType::kBitRead:
        case OpType::kHllRead:
          has_read = true;
          generates_response = true;
          break;
        case OpType::kRead:
          if (op.name.empty() && get_all) {
            if (respond_all || has_read_all) return fail(ResultCode::kParameter);
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
  if (has_read && !(h.info1 & proto::info1::kRead)) return fail(ResultCode::kParameter);
  if (has_read_all && generates_response) return fail(ResultCode::kParameter);
  if (get_all && !has_read_all) return fail(ResultCode::kParameter);

  // The record: found, or about to be created.
  Digest digest;
  std::memcpy(digest.data(), f.digest, proto::kDigestSize);
  Record* r = ns->Find(digest, clock_.now);
  if (r == nullptr && must_not_create) return fail(ResultCode::kRecordNotFound);
  meta = r;
  if (r != nullptr && (h.info2 & proto::info2::kCreateOnly)) return fail(ResultCode::kRecordExists);
  if (!GenerationAllows(h, r ? r->generation : 0)) return fail(ResultCode::kGeneration);
  const std::string_view msg_set = f.has_set ? f.set : std::string_view();
  if (r == nullptr) {
    // set_set_from_msg(): a new record's set must fit the server's set
    // names; a write inside a truncate's cut-off millisecond is refused.
    if (msg_set.size() > proto::kMaxSetLen || !ns->CanUseSet(msg_set)) {
      return fail(ResultCode::kParameter);  // too long, or the sets limit
    }
    const int set_id = ns->FindSetId(msg_set);
    if (ns->WriteIsTruncated(set_id < 0 ? 0 : static_cast<uint16_t>(set_id),
                             ServerEpochMillis(clock_.now_ns))) {
      return fail(ResultCode::kForbidden);
    }
  } else if (ns->SetName(r->set_id) != msg_set) {
    // set_name_check_on_update(): an update must name the record's set
    // (no set field, or an empty one, names no set).
    return fail(ResultCode::kParameter);
  }
  if (r != nullptr && !filter.empty()) {
    FilterSubject s{r, ns->SetName(r->set_id), f.digest, clock_.now_ns};
    const FilterResult fr = EvaluateFilter(filter, s);
    if (fr == FilterResult::kFalse) return fail(ResultCode::kFilteredOut);
    if (fr == FilterResult::kError) return fail(ResultCode::kParameter);
  }
  // handle_msg_key(): a stored key must match the one sent; a key to store
  // must be one the server can keep (it answers 16, not 4).
  if (f.has_key && r != nullptr && !r->key.empty() && AsChars(f.key) != r->key) {
    return fail(ResultCode::kKeyMismatch);
  }
  if (f.has_key && (r == nullptr || r->key.empty()) && !IsStorableKey(f.key)) {
    return fail(ResultCode::kUnsupportedFeature);
  }
  // The TTL: "don't update" on a record being created means the default.
  uint32_t ttl = h.record_ttl;
  if (ttl == proto::kTtlDontUpdate && r == nullptr) ttl = proto::kTtlNamespaceDefault;
  if (ttl > kMaxTtl && ttl != proto::kTtlNeverExpire && ttl != proto::kTtlDontUpdate) {
    return fail(ResultCode::kParameter);
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
      case OpType::kTouch:
        // Touch ops never answer, not even with respond-all-ops.
        answered = true;
        break;
      case OpType::kRead:
        if (op.name.empty() && get_all) {
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
          if (const uint8_t rc = StoreParticle(op.particle_type, op.value, &value)) {
            return fail_code(rc);
          }
          bins.Set(op.name, op.particle_type, std::move(value));
        }
        break;
      case OpType::kIncr:
      case OpType::kAppend:
      case OpType::kPrepend:
        if (const uint8_t rc = ModifyBin(type, op, &bins)) return fail_code(rc);
        break;
      case OpType::kDelete:
        bins.Clear();
        break;
      case OpType::kExpRead:
      case OpType::kExpModify: {
        const bool modify = type == OpType::kExpModify;
        ExpOp exp_op;
        if (!ParseExpOp(op.value, modify, &exp_op) || !ExpressionBuilds(exp_op)) {
          return fail(ResultCode::kParameter);
        }
        if (modify) {
          const uint8_t check = CheckExpWrite(exp_op, bins.Find(op.name) != nullptr);
          if (check == kSkipExpWrite) break;
          if (check != 0) return fail_code(check);
        }
        ExpressionValue v;
        bool has_value = false;
        const uint8_t rc =
            EvaluateExpOp(exp_op, r, r ? ns->SetName(r->set_id) : f.set, f.digest,
                          bins.Encode(), clock_.now_ns, &v, &has_value);
        if (rc != 0) return fail_code(rc);
        if (!modify) {
          if (has_value || respond_all) {
            AppendReplyOp(&results, op.op, v.particle_type, op.name, v.bytes);
            ++n_results;
          }
          answered = true;
          break;
        }
        const uint8_t applied = ApplyExpWrite(exp_op, op.name, v, has_value, &bins);
        if (applied != 0) return fail_code(applied);
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
        if (rc != 0) return fail_code(rc);
        if (changed) bins.Set(op.name, bin.type, std::move(bin.value));
        if (reads || reply.has || respond_all) {
          AppendReplyOp(&results, op.op, reply.has ? reply.type : 0, op.name,
                        reply.has ? std::string_view(reply.value) : std::string_view());
          ++n_results;
        }
        answered = true;
        break;
      }
      default:
        break;
    }
    if (!answered && respond_all) {
      AppendReplyOp(&results, op.op, 0, op.name, {});
      ++n_results;
    }
  }

  if (bins.size() > kMaxBinsPerRecord) return fail(ResultCode::kParameter);
  if (bins.empty()) {
    // The write deleted every bin: the record goes (a record that had none
    // was not found). A delete answers without metadata.
    if (!had_bins) return fail(ResultCode::kRecordNotFound);
    if (h.info2 & proto::info2::kDurableDelete) return fail(ResultCode::kEnterpriseOnly);
    ns->Erase(digest);
    ReplyHeader rh;
    rh.index = index;
    const size_t at = AppendMsgHeader(out, rh);
    out->Append(results.span());
    PatchCounts(out, at, 0, n_results);
    return kOk;
  }

  uint32_t void_time;
  switch (ttl) {
    case proto::kTtlNeverExpire:
      void_time = 0;
      break;
    case proto::kTtlDontUpdate:
      void_time = r->void_time;
      break;
    case proto::kTtlNamespaceDefault:
      void_time = ns->default_ttl() ? clock_.now + ns->default_ttl() : 0;
      break;
    default:
      void_time = clock_.now + ttl;
      break;
  }
  const std::string_view stored_key =
      (r != nullptr && !r->key.empty()) ? std::string_view(r->key)
                                        : (f.has_key ? AsChars(f.key) : std::string_view());
  const size_t set_len = r != nullptr ? ns->SetName(r->set_id).size() : msg_set.size();
  if (StoredRecordSize(set_len, stored_key.size(), void_time != 0, bins) > kMaxRecordSize) {
    return fail(ResultCode::kRecordTooBig);
  }
  if (r == nullptr) {
    r = ns->Insert(digest, ns->SetId(msg_set));
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
