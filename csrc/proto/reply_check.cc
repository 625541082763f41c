#include "proto/reply_check.h"

#include <cstring>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "common/byte_order.h"
#include "proto/msgpack.h"

namespace aerospike_py::proto {

namespace {

// The server keeps generations in 16 bits and never sends 0 for a record.
constexpr uint32_t kMaxGeneration = 0xFFFF;

// Particle types (< 32) whose values have one fixed size, and that size.
constexpr uint32_t kFixedSizeTypes = (1u << static_cast<int>(ParticleType::kNull)) |
                                     (1u << static_cast<int>(ParticleType::kInteger)) |
                                     (1u << static_cast<int>(ParticleType::kFloat)) |
                                     (1u << static_cast<int>(ParticleType::kBool));
constexpr uint32_t kCollectionTypes = (1u << static_cast<int>(ParticleType::kList)) |
                                      (1u << static_cast<int>(ParticleType::kMap));

constexpr size_t FixedSize(uint8_t particle_type) {
  return particle_type == static_cast<uint8_t>(ParticleType::kNull)   ? 0
         : particle_type == static_cast<uint8_t>(ParticleType::kBool) ? 1
                                                                       : 8;
}

// One op of a message ParseMessage validated: its sizes are consistent, so
// the walk below reads them without further bounds checks.
struct RawOp {
  uint8_t op;
  uint8_t particle_type;
  uint8_t name_len;
  const uint8_t* name;
  const uint8_t* value;
  size_t value_len;
};

inline const uint8_t* NextOp(const uint8_t* p, RawOp* out) {
  const uint32_t size = LoadBE32(p);
  out->op = p[4];
  out->particle_type = p[5];
  out->name_len = p[7];
  out->name = p + 8;
  out->value = p + 8 + out->name_len;
  out->value_len = size - 4 - out->name_len;
  return p + 4 + size;
}

// Bin names are at most a few bytes: a plain loop beats a call to memcmp.
inline bool SameBytes(const uint8_t* a, const uint8_t* b, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    if (a[i] != b[i]) return false;
  }
  return true;
}

std::string_view NameOf(const RawOp& op) {
  return std::string_view(reinterpret_cast<const char*>(op.name), op.name_len);
}

Status CheckParticle(const RawOp& op) {
  if (op.particle_type >= 32) return absl::OkStatus();
  const uint32_t bit = 1u << op.particle_type;
  if (bit & kFixedSizeTypes) {
    if (op.value_len == FixedSize(op.particle_type)) return absl::OkStatus();
    return MalformedError(absl::StrCat("bin '", AbslView(NameOf(op)), "' of particle type ",
                                       op.particle_type, " has ", op.value_len, " bytes"));
  }
  if (bit & kCollectionTypes) {
    Status s = CheckMsgpackValue(ByteSpan(op.value, op.value_len),
                                 op.particle_type == static_cast<uint8_t>(ParticleType::kList));
    if (s.ok()) return s;
    return MalformedError(absl::StrCat("bin '", AbslView(NameOf(op)), "': ", s.message()));
  }
  // Strings, blobs, GeoJSON, HLL and types this client does not know have
  // no layout to check here.
  return absl::OkStatus();
}

}  // namespace

ReplyExpectation ExpectationFor(uint8_t info1, uint8_t info2, ByteSpan request_ops,
                                uint16_t n_request_ops) {
  ReplyExpectation e;
  e.is_read = (info1 & info1::kRead) != 0;
  e.request_ops = request_ops;
  e.n_request_ops = n_request_ops;
  if (info1 & info1::kNoBinData) {
    e.ops = ReplyExpectation::Ops::kNone;
  } else if (info1 & info1::kGetAll) {
    e.ops = ReplyExpectation::Ops::kAnyBins;
    e.needs_bins = (info2 & info2::kWrite) == 0;
  } else if (n_request_ops > 0) {
    e.ops = ReplyExpectation::Ops::kEchoRequest;
  } else if ((info2 & info2::kDelete) != 0) {
    e.ops = ReplyExpectation::Ops::kNone;
  }
  // Anything else (no ops, no read-all: a UDF call) answers with bins this
  // client cannot predict.
  return e;
}

ReplyExpectation BatchRowExpectationFor(uint8_t info1, uint8_t info2, ByteSpan request_ops,
                                        uint16_t n_request_ops) {
  ReplyExpectation e = ExpectationFor(info1, info2, request_ops, n_request_ops);
  e.ops_answered_as_read = (info2 & info2::kWrite) == 0;
  return e;
}

Status CheckRecordAnswer(const MessageView& m, const ReplyExpectation& expect) {
  const MsgHeader& h = m.header;
  if (h.info3 & (info3::kLast | info3::kPartitionDone)) {
    return MalformedError("a record answer carries an end-of-stream flag");
  }
  if (h.generation > kMaxGeneration) {
    return MalformedError(absl::StrCat("generation ", h.generation, " exceeds 16 bits"));
  }
  if (h.result_code == 0 && expect.is_read && h.generation == 0) {
    return MalformedError("a successful read answered with generation 0");
  }
  if (h.result_code != 0 && h.n_ops != 0 &&
      expect.ops != ReplyExpectation::Ops::kUnchecked) {
    return MalformedError(
        absl::StrCat("an error answer (result ", h.result_code, ") carries ", h.n_ops, " bins"));
  }
  if (expect.needs_bins && h.result_code == 0 && h.n_ops == 0) {
    return MalformedError("a successful read of all bins answered without a bin");
  }
  if (expect.ops == ReplyExpectation::Ops::kNone && h.n_ops != 0) {
    return MalformedError(absl::StrCat("the answer carries ", h.n_ops,
                                       " bins where the request asked for none"));
  }
  // The request's ops are ours (well formed); the answer's were validated
  // by ParseMessage.
  const uint8_t* request = expect.request_ops.data();
  const uint8_t* const request_end = request + expect.request_ops.size();
  const uint8_t* p = m.ops.data();
  const uint8_t* const end = p + m.ops.size();
  RawOp op;
  while (p < end) {
    p = NextOp(p, &op);
    ASPY_RETURN_IF_ERROR(CheckParticle(op));
    if (expect.ops == ReplyExpectation::Ops::kUnchecked) continue;
    if (expect.ops == ReplyExpectation::Ops::kAnyBins &&
        op.op == static_cast<uint8_t>(OpType::kRead)) {
      if (op.name_len == 0 || op.name_len > kMaxBinNameLen) {
        return MalformedError(absl::StrCat("a bin name of ", op.name_len, " bytes"));
      }
      continue;
    }
    // The server answers the request's ops in order, each at most once, so
    // the earliest match is the right one.
    bool found = false;
    while (request < request_end) {
      const uint8_t* asked = request;
      request += 4 + LoadBE32(asked);
      const bool same_op = asked[4] == op.op || (expect.ops_answered_as_read &&
                                                 op.op == static_cast<uint8_t>(OpType::kRead));
      if (same_op && asked[7] == op.name_len && SameBytes(asked + 8, op.name, op.name_len)) {
        found = true;
        break;
      }
    }
    if (!found) {
      return MalformedError(absl::StrCat("the answer's op ", op.op, " on bin '",
                                         AbslView(NameOf(op)),
                                         "' does not answer the request's ops"));
    }
  }
  return absl::OkStatus();
}

Status CheckStreamEnd(const MessageView& end) {
  const MsgHeader& h = end.header;
  if (h.n_fields != 0 || h.n_ops != 0 || h.generation != 0 || h.record_ttl != 0 ||
      h.transaction_ttl != 0) {
    return MalformedError("the end-of-stream message carries record data");
  }
  return absl::OkStatus();
}

Status CheckInfoAnswer(std::string_view request, std::string_view answer) {
  if (request.empty()) return absl::OkStatus();
  if (answer.empty() || answer.back() != '\n') {
    return MalformedError("an info answer must end with a newline");
  }
  // One bare error line answers a request refused whole.
  if (answer.substr(0, 6) == "ERROR:" && answer.find('\n') == answer.size() - 1) {
    return absl::OkStatus();
  }
  size_t pos = 0;
  size_t line = 0;
  while (!request.empty()) {
    const size_t nl = request.find('\n');
    if (nl == std::string_view::npos) break;  // the server ignores an unterminated line
    const std::string_view name = request.substr(0, nl);
    request.remove_prefix(nl + 1);
    if (answer.size() - pos < name.size() + 1 || answer.compare(pos, name.size(), name) != 0 ||
        answer[pos + name.size()] != '\t') {
      return MalformedError(absl::StrCat("info answer does not echo request line ", line));
    }
    pos += name.size() + 1;
    ++line;
    if (request.find('\n') == std::string_view::npos) {
      // The last line: its value runs to the final newline, and nothing
      // follows it.
      if (answer.find('\n', pos) != answer.size() - 1) {
        return MalformedError("info answer continues after its last line");
      }
      break;
    }
    // The value ends at the newline that precedes the next line's echo
    // (searched for whole, so a value may itself hold a newline).
    const std::string_view next = request.substr(0, request.find('\n'));
    size_t at = pos;
    for (;;) {
      at = answer.find('\n', at);
      if (at == std::string_view::npos) {
        return MalformedError(absl::StrCat("info answer ends before request line ", line));
      }
      if (answer.size() - (at + 1) > next.size() &&
          answer.compare(at + 1, next.size(), next) == 0 && answer[at + 1 + next.size()] == '\t') {
        break;
      }
      ++at;
    }
    pos = at + 1;
  }
  return absl::OkStatus();
}

Status CheckMsgpackValue(ByteSpan bytes, bool want_list) {
  MsgpackReader r(bytes);
  MsgpackItem item;
  ASPY_RETURN_IF_ERROR(r.Next(&item));
  if (item.kind != (want_list ? MsgpackItem::Kind::kArray : MsgpackItem::Kind::kMap)) {
    return MalformedError(want_list ? "list particle is not a msgpack array"
                                    : "map particle is not a msgpack map");
  }
  // Items still expected at each open level (maps count keys and values).
  uint64_t pending[kMaxMsgpackDepth + 1];
  int depth = 0;
  pending[0] = item.kind == MsgpackItem::Kind::kArray ? uint64_t{item.count}
                                                      : uint64_t{item.count} * 2;
  while (depth >= 0) {
    if (pending[depth] == 0) {
      --depth;
      continue;
    }
    // Every item takes at least one byte: a count beyond the bytes left is
    // malformed (and would spin on a tiny input).
    if (pending[depth] > r.remaining()) {
      return MalformedError("msgpack: collection larger than its particle");
    }
    // Items of the collection at index `depth` are nested depth + 1 deep;
    // the bridge decodes at most kMaxMsgpackDepth levels below the top.
    if (depth >= kMaxMsgpackDepth) return MalformedError("msgpack: nested too deep");
    --pending[depth];
    ASPY_RETURN_IF_ERROR(r.Next(&item));
    if (item.kind == MsgpackItem::Kind::kArray || item.kind == MsgpackItem::Kind::kMap) {
      pending[++depth] = item.kind == MsgpackItem::Kind::kArray ? uint64_t{item.count}
                                                                : uint64_t{item.count} * 2;
    }
  }
  if (!r.AtEnd()) return MalformedError("msgpack: bytes after the value");
  return absl::OkStatus();
}

}  // namespace aerospike_py::proto
