// Body of the server-request fuzz target (see checks.h): the input is what
// one client connection sent to the embedded server. A fresh server (one
// node, namespace "test", a few records seeded through well-formed puts)
// answers it through Processor::Handle, frame by frame, exactly as
// Connection does without the socket; then the store is audited and a
// well-formed put/get round trip must still work.
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "checks.h"
#include "common/byte_order.h"
#include "common/result_code.h"
#include "proto/admin.h"
#include "proto/commands.h"
#include "proto/frame_reader.h"
#include "proto/message_view.h"
#include "proto/particle.h"
#include "server/processor.h"
#include "server/request.h"

namespace aerospike_py::fuzz {

using namespace aerospike_py::proto;
using server::FrameOutcome;

namespace {

// The set and keys the golden captures use, so that the captured reads,
// operates and batches (the seed corpus) find records to act on.
constexpr std::string_view kSet = "golden";

struct Server {
  Server()
      : state(server::ServerOptions(), {"BB9000000000001"}, {3000}),
        processor(&state) {}
  server::ServerState state;
  server::Processor processor;
};

RecordRequest Put(std::string_view key, std::vector<OpSpec> ops) {
  RecordRequest r;
  r.ns = "test";
  r.set = std::string(kSet);
  r.digest = ComputeDigest(kSet, key);
  r.header.info2 = info2::kWrite;
  r.header.transaction_ttl = 1000;
  r.ops = std::move(ops);
  return r;
}

OpSpec W(std::string bin, Value v) { return OpSpec{OpType::kWrite, std::move(bin), std::move(v)}; }

std::vector<RecordRequest> SeedPuts() {
  std::vector<RecordRequest> puts;
  puts.push_back(Put("k1", {W("i", Value::Int(42)), W("s", Value::String("hello")),
                            W("f", Value::Double(3.5)), W("t", Value::Bool(true)),
                            W("b", Value::Bytes("\x01\x02\xff")),
                            W("l", Value::List({Value::Int(1), Value::String("a")})),
                            W("m", Value::Map({{Value::String("a"), Value::Int(1)}})),
                            W("g", Value::GeoJson(
                                       R"({"type":"Point","coordinates":[103.9,1.3]})"))}));
  puts.push_back(Put("k_ops", {W("n", Value::Int(10)), W("s", Value::String("mid")),
                               W("f", Value::Double(1.25))}));
  puts.push_back(Put("k_touch", {W("v", Value::Int(1))}));
  puts.push_back(Put("k_int", {W("v", Value::Int(42))}));
  puts.push_back(Put("k_list", {W("v", Value::List({Value::Int(1), Value::Int(2)}))}));
  for (int i = 0; i < 7; ++i) {
    puts.push_back(Put(absl::StrCat("b", i), {W("a", Value::Int(i)),
                                              W("s", Value::String(absl::StrCat("s", i)))}));
  }
  RecordRequest with_key = Put("k_sendkey", {W("v", Value::Int(1))});
  with_key.key = Value::String("k_sendkey");
  puts.push_back(std::move(with_key));
  return puts;
}

bool IsServerResultCode(uint8_t rc) {
  return ResultCodeName(static_cast<ResultCode>(rc)) != "UNKNOWN";
}

// What the reply to one request frame must look like, decided from the
// request the way Processor dispatches it.
enum class Shape { kInfo, kAdmin, kSingle, kStream };

Shape ShapeOf(const Frame& request) {
  switch (static_cast<ProtoType>(request.type)) {
    case ProtoType::kInfo: return Shape::kInfo;
    case ProtoType::kAdmin: return Shape::kAdmin;
    default: break;
  }
  if (request.body_offset != 0) return Shape::kSingle;  // compressed: refused
  StatusOr<MessageView> m = ParseMessage(request.body());
  if (!m.ok()) return Shape::kSingle;  // closes; never reaches the reply check
  server::RequestFields f;
  server::ParseFields(m->fields, &f);
  if (m->header.info1 & info1::kBatch) return Shape::kStream;
  if (f.digest == nullptr && !f.malformed) return Shape::kStream;  // scan
  return Shape::kSingle;
}

// Every info request line (or the five summary names for an empty body)
// must come back echoed, in order, each followed by a tab.
std::string CheckInfoReply(std::string_view request, std::string_view reply) {
  std::vector<std::string> expected;
  if (request.empty()) {
    expected = {"node", "build", "edition", "version", "statistics"};
  }
  size_t pos = 0;
  while (true) {
    const size_t nl = request.find('\n', pos);
    if (nl == std::string_view::npos) break;
    if (nl > pos) expected.emplace_back(request.substr(pos, nl - pos));
    pos = nl + 1;
  }
  if (expected.empty()) return reply.empty() ? "" : "info reply to no command is not empty";
  if (reply.empty() || reply.back() != '\n') return "info reply does not end in a newline";
  // Values carry user data (set names) that may hold newlines or even a
  // later echo, so look for the echoes as an ordered subsequence: the first
  // match of each is never later than the real one.
  size_t at = 0;
  for (size_t i = 0; i < expected.size(); ++i) {
    const std::string echo = expected[i] + '\t';
    const size_t found = i == 0 ? (reply.compare(0, echo.size(), echo) == 0 ? 0 : reply.npos)
                                : reply.find("\n" + echo, at);
    if (found == reply.npos) {
      return absl::StrCat("info reply does not echo request line '", expected[i], "'");
    }
    at = found + (i == 0 ? 0 : 1) + echo.size();
  }
  return "";
}

std::string CheckMessageReply(const MessageView& m) {
  if (!IsServerResultCode(m.header.result_code)) {
    return absl::StrCat("reply result code ", m.header.result_code,
                        " is not a server result code");
  }
  if (m.header.header_size != kMsgHeaderSize) return "reply header size is not 22";
  FieldIterator fields(m);
  FieldView f;
  while (fields.Next(&f)) {
    if (f.type == static_cast<uint8_t>(FieldType::kKey) && !DecodeKeyField(f.data).ok()) {
      return "reply key field does not decode";
    }
  }
  OpIterator ops(m);
  OpView op;
  while (ops.Next(&op)) {
    StatusOr<Value> v = DecodeParticle(op.particle_type, op.value);
    if (!v.ok()) {
      return absl::StrCat("reply bin '", AbslView(op.name), "' (type ", op.particle_type,
                          ") does not decode: ", v.status().ToString());
    }
  }
  return "";
}

// The bytes one request frame appended to the connection's output.
std::string CheckReply(const Frame& request, FrameOutcome outcome, ByteSpan reply) {
  if (outcome == FrameOutcome::kClose) {
    return reply.empty() ? "" : "a frame that closes the connection was also answered";
  }
  if (reply.empty()) return "a frame was neither answered nor closed its connection";
  FrameReader reader((1u << 1) | (1u << 2) | (1u << 3));  // servers never compress here
  std::vector<Frame> frames;
  Status st = reader.Feed(reply, &frames);
  if (!st.ok()) return absl::StrCat("reply is not well-formed frames: ", st.ToString());
  if (!reader.idle()) return "reply ends inside a frame";

  const Shape shape = ShapeOf(request);
  const uint8_t want_type = shape == Shape::kInfo    ? 1
                            : shape == Shape::kAdmin ? 2
                                                     : 3;
  size_t messages = 0;
  bool after_last = false;
  bool ends_stream = false;  // the last message seen closes a stream
  for (const Frame& frame : frames) {
    if (frame.type != want_type) {
      return absl::StrCat("reply frame of type ", frame.type, " to a type ", request.type,
                          " request");
    }
    if (shape == Shape::kInfo) {
      std::string e = CheckInfoReply(AsChars(request.body()), AsChars(frame.body()));
      if (!e.empty()) return e;
      continue;
    }
    if (shape == Shape::kAdmin) {
      StatusOr<AdminMessageView> a = ParseAdminMessage(frame.body());
      if (!a.ok() || a->size != frame.body().size()) return "admin reply does not parse";
      continue;
    }
    MessageIterator it(frame.body());
    while (!it.AtEnd()) {
      StatusOr<MessageView> m = it.Next();
      if (!m.ok()) return absl::StrCat("reply message does not parse: ", m.status().ToString());
      if (after_last) return "reply continues after its LAST message";
      std::string e = CheckMessageReply(*m);
      if (!e.empty()) return e;
      ++messages;
      after_last = m->is_last();
      // Clients stop reading a stream at LAST or at an error that is not a
      // partition's "unavailable" marker.
      ends_stream = m->is_last() || (m->header.result_code != 0 && !m->is_partition_done());
    }
  }
  if (shape == Shape::kInfo || shape == Shape::kAdmin) {
    return frames.size() == 1 ? "" : "more than one frame answers an info/admin request";
  }
  if (shape == Shape::kSingle && (frames.size() != 1 || messages != 1)) {
    return absl::StrCat("a single-record request was answered with ", frames.size(),
                        " frames and ", messages, " messages");
  }
  if (shape == Shape::kStream && !ends_stream) {
    return "a batch or scan reply ends without LAST or an error";
  }
  return "";
}

// A stored bin value must be what a write could have produced.
std::string CheckStoredBin(uint8_t type, std::string_view value) {
  const ByteSpan bytes = AsBytes(value);
  switch (static_cast<ParticleType>(type)) {
    case ParticleType::kInteger:
    case ParticleType::kFloat:
      if (value.size() != 8) return "stored integer/float bin is not 8 bytes";
      break;
    case ParticleType::kBool:
      if (value.size() != 1 || static_cast<uint8_t>(value[0]) > 1) return "stored bool bin";
      break;
    case ParticleType::kString:
    case ParticleType::kBlob:
    case ParticleType::kHll:
    case ParticleType::kList:
    case ParticleType::kMap:
    case ParticleType::kGeoJson:
      break;
    default:
      if (!IsLanguageBlob(type)) return absl::StrCat("stored bin of particle type ", type);
      break;
  }
  StatusOr<Value> v = DecodeParticle(type, bytes);
  if (!v.ok()) return absl::StrCat("stored bin does not decode: ", v.status().ToString());
  return "";
}

// The store's own bookkeeping must agree with its contents, and every
// record must be one a client can read back.
std::string CheckStore(server::ServerState& state, uint32_t now) {
  for (auto& ns : state.store.namespaces()) {
    const auto& sets = ns->sets();
    std::vector<uint64_t> per_set(sets.size(), 0);
    uint64_t total = 0;
    for (uint32_t pid = 0; pid < kPartitions; ++pid) {
      for (const auto& [digest, r] : ns->partition(pid)) {
        ++total;
        if (PartitionId(digest) != pid) return "record stored in the wrong partition";
        if (r.set_id >= sets.size()) return "record with an unknown set id";
        ++per_set[r.set_id];
        if (r.generation == 0 || r.generation > 0xFFFF) {
          return absl::StrCat("record generation ", r.generation);
        }
        if (r.n_bins == 0 && !r.expired(now)) return "live record without bins";
        if (!r.key.empty() && r.key[0] == static_cast<char>(ParticleType::kInteger) &&
            r.key.size() != 9) {
          return "stored integer user key is not 8 bytes";
        }
        // Walk the stored reply ops with every size checked.
        std::string_view rest = r.bins;
        std::set<std::string_view> names;
        uint32_t n = 0;
        while (!rest.empty()) {
          if (rest.size() < 8) return "stored bins end inside an op header";
          const auto* p = reinterpret_cast<const uint8_t*>(rest.data());
          const uint32_t size = LoadBE32(p);
          const uint8_t name_len = p[7];
          if (size < 4u + name_len || size - 4 > rest.size() - 8) {
            return "stored bin op size out of bounds";
          }
          if (p[4] != static_cast<uint8_t>(OpType::kRead) || p[6] != 0) {
            return "stored bin op is not a plain READ op";
          }
          if (name_len > kMaxBinNameLen) return "stored bin name longer than 15";
          std::string_view name = rest.substr(8, name_len);
          if (!names.insert(name).second) return absl::StrCat("duplicate stored bin '", AbslView(name), "'");
          std::string e = CheckStoredBin(p[5], rest.substr(8 + name_len, size - 4 - name_len));
          if (!e.empty()) return absl::StrCat(e, " (bin '", AbslView(name), "')");
          rest.remove_prefix(4 + size);
          ++n;
        }
        if (n != r.n_bins) return absl::StrCat("record says ", r.n_bins, " bins, holds ", n);
      }
    }
    if (total != ns->objects()) {
      return absl::StrCat("namespace counts ", ns->objects(), " objects, holds ", total);
    }
    for (size_t id = 0; id < sets.size(); ++id) {
      if (per_set[id] != sets[id].objects) {
        return absl::StrCat("set '", sets[id].name, "' counts ", sets[id].objects,
                            " objects, holds ", per_set[id]);
      }
      if (id != 0 && (sets[id].name.empty() || sets[id].name.size() > kMaxSetLen)) {
        return absl::StrCat("set name of ", sets[id].name.size(), " bytes");
      }
    }
  }
  return "";
}

// Runs one request frame; returns the outcome and appends the reply to
// `out` (cleared first), or sets `error`.
FrameOutcome RunFrame(Server& s, const Frame& frame, ByteBuffer* out, std::string* error) {
  out->Clear();
  const FrameOutcome outcome = s.processor.Handle(0, frame, out);
  *error = CheckReply(frame, outcome, out->span());
  return outcome;
}

// Sends one well-formed record request; returns its single reply message.
std::string RunRecord(Server& s, const RecordRequest& r, std::vector<OpView>* bins,
                      MsgHeader* header, ByteBuffer* out) {
  ByteBuffer request;
  EncodeRecordRequest(r, &request);
  FrameReader reader;
  std::vector<Frame> frames;
  if (!reader.Feed(request.span(), &frames).ok() || frames.size() != 1) {
    return "well-formed request did not frame";
  }
  std::string e;
  if (RunFrame(s, frames[0], out, &e) != FrameOutcome::kReply) {
    return "well-formed request closed the connection";
  }
  if (!e.empty()) return e;
  StatusOr<MessageView> m = ParseMessage(out->span().subspan(kProtoHeaderSize));
  if (!m.ok()) return "reply to a well-formed request does not parse";
  *header = m->header;
  bins->clear();
  OpIterator it(*m);
  OpView op;
  while (it.Next(&op)) bins->push_back(op);
  return "";
}

// After whatever the input did, a fresh key must still store and read back.
std::string CheckRoundTrip(Server& s) {
  const std::string key = "fuzz-round-trip";
  const Digest digest = ComputeDigest(kSet, std::string_view(key));
  server::Namespace* ns = s.state.store.Find("test");
  if (ns == nullptr) return "namespace test is gone";
  ns->Erase(digest);  // the input may have written this digest itself
  const uint64_t before = ns->objects();

  RecordRequest put = Put(key, {W("i", Value::Int(-7)), W("s", Value::String("round")),
                                W("l", Value::List({Value::Int(1), Value::Nil()}))});
  ByteBuffer out;
  std::vector<OpView> bins;
  MsgHeader h;
  std::string e = RunRecord(s, put, &bins, &h, &out);
  if (!e.empty()) return absl::StrCat("round-trip put: ", e);
  if (h.result_code != 0) return absl::StrCat("round-trip put answered ", h.result_code);
  if (ns->objects() != before + 1) return "round-trip put did not add one record";

  RecordRequest get = put;
  get.ops.clear();
  get.header.info1 = info1::kRead | info1::kGetAll;
  get.header.info2 = 0;
  e = RunRecord(s, get, &bins, &h, &out);
  if (!e.empty()) return absl::StrCat("round-trip get: ", e);
  if (h.result_code != 0) return absl::StrCat("round-trip get answered ", h.result_code);
  if (h.generation != 1) return "round-trip record generation is not 1";
  if (bins.size() != 3) return "round-trip get did not return 3 bins";
  for (size_t i = 0; i < put.ops.size(); ++i) {
    StatusOr<Value> v = DecodeParticle(bins[i].particle_type, bins[i].value);
    if (bins[i].name != put.ops[i].bin || !v.ok() || !(*v == put.ops[i].value)) {
      return absl::StrCat("round-trip bin '", put.ops[i].bin, "' came back different");
    }
  }
  return "";
}

}  // namespace

std::string CheckServerRequest(ByteSpan data) {
  // ServerState holds 4096 partition maps per namespace; build it per input
  // so inputs stay independent (and reproducible).
  auto s = std::make_unique<Server>();
  ByteBuffer out;
  std::vector<OpView> bins;
  MsgHeader h;
  for (const RecordRequest& put : SeedPuts()) {
    std::string e = RunRecord(*s, put, &bins, &h, &out);
    if (!e.empty() || h.result_code != 0) {
      return absl::StrCat("seed put failed: ", e, " rc ", h.result_code);
    }
  }

  // The connection's path: frames completed before a framing error are
  // still answered; a kClose outcome ends the connection.
  FrameReader reader;
  std::vector<Frame> frames;
  (void)reader.Feed(data, &frames);
  for (size_t i = 0; i < frames.size(); ++i) {
    std::string e;
    const FrameOutcome outcome = RunFrame(*s, frames[i], &out, &e);
    if (!e.empty()) return absl::StrCat("frame ", i, ": ", e);
    if (outcome == FrameOutcome::kClose) break;
  }

  std::string e = CheckStore(s->state, server::ServerEpochSeconds(server::NowUnixNanos()));
  if (!e.empty()) return absl::StrCat("store: ", e);
  e = CheckRoundTrip(*s);
  if (!e.empty()) return e;
  return CheckStore(s->state, server::ServerEpochSeconds(server::NowUnixNanos()));
}

}  // namespace aerospike_py::fuzz
