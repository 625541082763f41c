// Body of the response-path fuzz target (see checks.h).
#include <algorithm>
#include <cstring>
#include <vector>

#include "absl/strings/str_cat.h"
#include "checks.h"
#include "common/strings.h"
#include "proto/admin.h"
#include "proto/batch.h"
#include "proto/commands.h"
#include "proto/compression.h"
#include "proto/fields.h"
#include "proto/frame_reader.h"
#include "proto/headers.h"
#include "proto/info.h"
#include "proto/message_view.h"
#include "proto/message_writer.h"
#include "proto/msgpack.h"
#include "proto/particle.h"
#include "proto/reply_check.h"

namespace aerospike_py::fuzz {

using namespace aerospike_py::proto;

namespace {

// Deterministic chunk sizes derived from the input, so a failing input
// replays identically.
class ChunkSizes {
 public:
  explicit ChunkSizes(ByteSpan data) : state_(0x9e3779b97f4a7c15ull ^ data.size()) {
    for (size_t i = 0; i < std::min<size_t>(data.size(), 16); ++i) {
      state_ = state_ * 31 + data[i];
    }
  }
  size_t Next(size_t max) {
    state_ = state_ * 6364136223846793005ull + 1442695040888963407ull;
    const size_t limit = (state_ >> 60) < 4 ? 3 : 64;  // mostly tiny, some larger
    return 1 + static_cast<size_t>((state_ >> 33) % std::min(max, limit));
  }

 private:
  uint64_t state_;
};

struct FeedResult {
  Status status;
  std::vector<Frame> frames;
};

FeedResult FeedWhole(ByteSpan data) {
  FeedResult r;
  FrameReader reader;
  r.status = reader.Feed(data, &r.frames);
  return r;
}

FeedResult FeedSplit(ByteSpan data) {
  FeedResult r;
  FrameReader reader;
  ChunkSizes sizes(data);
  size_t pos = 0;
  while (pos < data.size() && r.status.ok()) {
    const size_t n = sizes.Next(data.size() - pos);
    r.status = reader.Feed(data.subspan(pos, n), &r.frames);
    pos += n;
  }
  return r;
}

FeedResult FeedDirect(ByteSpan data) {
  FeedResult r;
  FrameReader reader;
  ChunkSizes sizes(data);
  size_t pos = 0;
  while (pos < data.size() && r.status.ok()) {
    absl::Span<uint8_t> span = reader.BodyReadSpan();
    const size_t n = sizes.Next(data.size() - pos);
    if (span.empty()) {
      r.status = reader.Feed(data.subspan(pos, n), &r.frames);
      pos += n;
    } else {
      const size_t take = std::min(n, span.size());
      std::memcpy(span.data(), data.data() + pos, take);
      r.status = reader.CommitBodyRead(take, &r.frames);
      pos += take;
    }
  }
  return r;
}

std::string CompareFeeds(const FeedResult& a, const FeedResult& b, const char* what) {
  if (a.status.ok() != b.status.ok()) {
    return absl::StrCat(what, ": status differs: ", a.status.ToString(), " vs ",
                        b.status.ToString());
  }
  if (a.frames.size() != b.frames.size()) {
    return absl::StrCat(what, ": frame count differs: ", a.frames.size(), " vs ",
                        b.frames.size());
  }
  for (size_t i = 0; i < a.frames.size(); ++i) {
    if (a.frames[i].type != b.frames[i].type ||
        a.frames[i].body_offset != b.frames[i].body_offset ||
        a.frames[i].buffer.view() != b.frames[i].buffer.view()) {
      return absl::StrCat(what, ": frame ", i, " differs");
    }
  }
  return "";
}

void TouchField(uint8_t type, ByteSpan data) {
  switch (static_cast<FieldType>(type)) {
    case FieldType::kKey: (void)DecodeKeyField(data); break;
    case FieldType::kRecordVersion: (void)DecodeRecordVersion(data); break;
    case FieldType::kMrtId: (void)DecodeMrtId(data); break;
    case FieldType::kMrtDeadline: (void)DecodeMrtDeadline(data); break;
    case FieldType::kIndexRange: {
      StatusOr<IndexRange> r = ParseIndexRange(data);
      if (r.ok()) (void)r->IntegerBounds();
      break;
    }
    case FieldType::kPidArray: (void)ParsePartitionIds(data); break;
    case FieldType::kDigestArray: (void)ParseDigests(data); break;
    case FieldType::kBvalArray: (void)ParseBvals(data); break;
    case FieldType::kFilterExpression:
    case FieldType::kUdfArgList:
    case FieldType::kIndexContext:
      (void)DecodeMsgpack(data);
      break;
    default: break;
  }
}

void TouchOps(ByteSpan ops) {
  OpIterator it(ops);
  OpView op;
  while (it.Next(&op)) {
    StatusOr<Value> v = DecodeParticle(op.particle_type, op.value);
    if (v.ok() && v->type() == Value::Type::kBytes) (void)DecodeMsgpack(op.value);
  }
}

std::string CheckBatchField(ByteSpan data) {
  StatusOr<BatchRowParser> parser = BatchRowParser::Create(data);
  if (!parser.ok()) return "";
  BatchRowView row;
  uint32_t rows = 0;
  while (true) {
    StatusOr<bool> more = parser->Next(&row);
    if (!more.ok() || !*more) break;
    if (++rows > parser->count()) return "batch parser yielded more rows than its count";
    FieldIterator fields(row.fields);
    FieldView f;
    uint16_t n_fields = 0;
    while (fields.Next(&f)) {
      ++n_fields;
      TouchField(f.type, f.data);
    }
    if (n_fields != row.n_fields) return "batch row field count mismatch";
    TouchOps(row.ops);
  }
  return "";
}

// A parsed message must re-encode to exactly its own bytes.
std::string CheckMessage(ByteSpan bytes, const MessageView& m) {
  ByteBuffer again;
  MessageWriter w(&again, m.header, MessageWriter::Framing::kInsideFrame);
  FieldIterator fields(m);
  FieldView f;
  uint16_t n_fields = 0;
  while (fields.Next(&f)) {
    ++n_fields;
    w.AddField(static_cast<FieldType>(f.type), f.data);
    TouchField(f.type, f.data);
    if (f.type == static_cast<uint8_t>(FieldType::kBatchIndex) ||
        f.type == static_cast<uint8_t>(FieldType::kBatchIndexWithSet)) {
      std::string e = CheckBatchField(f.data);
      if (!e.empty()) return e;
    }
  }
  OpIterator ops(m);
  OpView op;
  uint16_t n_ops = 0;
  while (ops.Next(&op)) {
    ++n_ops;
    const size_t start = again.size();
    w.BeginOp(static_cast<OpType>(op.op), static_cast<ParticleType>(op.particle_type),
              op.name);
    again.data()[start + 6] = op.flags;
    again.Append(op.value);
    w.EndOp();
  }
  TouchOps(m.ops);
  w.Finish();
  if (n_fields != m.header.n_fields || n_ops != m.header.n_ops) {
    return "iterators disagree with the header counts";
  }
  if (again.view() != AsChars(bytes.subspan(0, m.size))) {
    return "parsed message does not re-encode to its own bytes";
  }
  return "";
}

// The reply checks on whatever parsed: no crash, and an answer that echoes
// exactly the ops it is checked against fails only where a check that does
// not look at the request would fail too.
std::string CheckAnswerChecks(const MessageView& m) {
  (void)CheckStreamEnd(m);
  (void)CheckRecordAnswer(m, ExpectationFor(info1::kRead | info1::kGetAll, 0, {}, 0));
  (void)CheckRecordAnswer(m, ExpectationFor(info1::kRead | info1::kNoBinData, 0, {}, 0));
  if (m.header.result_code != 0) return "";
  const Status self = CheckRecordAnswer(m, ExpectationFor(0, info2::kWrite, m.ops, m.header.n_ops));
  const Status unchecked = CheckRecordAnswer(m, ExpectationFor(0, info2::kWrite, {}, 0));
  if (self.ok() != unchecked.ok()) {
    return absl::StrCat("an answer echoing its own ops: ", self.ToString(), " vs unchecked ",
                        unchecked.ToString());
  }
  return "";
}

std::string CheckMessages(ByteSpan body) {
  MessageIterator it(body);
  size_t guard = 0;
  while (!it.AtEnd() && ++guard <= body.size()) {
    const size_t offset = it.offset();
    StatusOr<MessageView> m = it.Next();
    if (!m.ok()) break;
    if (m->size < kMsgHeaderSize || offset + m->size > body.size()) {
      return "message size outside its body";
    }
    std::string e = CheckMessage(body.subspan(offset), *m);
    if (!e.empty()) return e;
    e = CheckAnswerChecks(*m);
    if (!e.empty()) return e;
  }
  return "";
}

std::string CheckInfoValue(std::string_view value) {
  int code = 0;
  std::string_view message;
  (void)ParseInfoError(value, &code, &message);
  StatusOr<PeersValue> peers = ParsePeers(value);
  if (peers.ok()) {
    const std::string once = FormatPeers(*peers);
    StatusOr<PeersValue> again = ParsePeers(once);
    if (!again.ok()) return absl::StrCat("formatted peers do not parse: ", once);
    if (FormatPeers(*again) != once) return "peers format/parse is not stable";
  }
  StatusOr<std::vector<NamespaceReplicas>> replicas = ParseReplicas(value);
  if (replicas.ok()) {
    const std::string once = FormatReplicas(*replicas);
    StatusOr<std::vector<NamespaceReplicas>> again = ParseReplicas(once);
    if (!again.ok()) return "formatted replicas do not parse";
    if (again->size() != replicas->size()) return "replicas round trip lost namespaces";
    for (size_t i = 0; i < again->size(); ++i) {
      if ((*again)[i].ns != (*replicas)[i].ns ||
          (*again)[i].regime != (*replicas)[i].regime ||
          (*again)[i].replicas != (*replicas)[i].replicas) {
        return "replicas round trip changed a namespace";
      }
    }
  }
  for (std::string_view part : Split(value, ',')) (void)ParseEndpoint(part, 3000);
  return "";
}

std::string CheckInfoBody(std::string_view body) {
  // Any text as request and as answer: bounded, never a crash.
  (void)CheckInfoAnswer(body, body);
  (void)CheckInfoAnswer("build\nstatus\n", body);
  for (const InfoPair& p : ParseInfoResponse(body)) {
    if (p.name.size() > body.size() || p.value.size() > body.size()) {
      return "info pair outside its body";
    }
    std::string e = CheckInfoValue(p.value);
    if (!e.empty()) return e;
  }
  return "";
}

void CheckAdminBody(ByteSpan body) {
  size_t pos = 0;
  while (pos < body.size()) {
    StatusOr<AdminMessageView> m = ParseAdminMessage(body.subspan(pos));
    if (!m.ok()) break;
    (void)m->FindField(admin_field::kSessionToken);
    pos += m->size;
  }
  (void)ParseLoginReply(body);
}

}  // namespace

std::string CheckResponseBytes(ByteSpan data) {
  FeedResult whole = FeedWhole(data);
  std::string e = CompareFeeds(whole, FeedSplit(data), "split feed");
  if (!e.empty()) return e;
  e = CompareFeeds(whole, FeedDirect(data), "direct body reads");
  if (!e.empty()) return e;

  for (const Frame& frame : whole.frames) {
    switch (static_cast<ProtoType>(frame.type)) {
      case ProtoType::kMessage:
        e = CheckMessages(frame.body());
        break;
      case ProtoType::kInfo:
        e = CheckInfoBody(AsChars(frame.body()));
        break;
      case ProtoType::kAdmin:
        CheckAdminBody(frame.body());
        break;
      default:
        e = "FrameReader produced a frame of an unexpected type";
        break;
    }
    if (!e.empty()) return e;
  }

  // The parsers on the raw bytes too, without framing in the way.
  e = CheckMessages(data);
  if (!e.empty()) return e;
  e = CheckInfoBody(AsChars(data));
  if (!e.empty()) return e;
  CheckAdminBody(data);
  (void)CheckBatchField(data);
  if (!data.empty()) {
    (void)DecodeParticle(data[0], data.subspan(1));
    TouchField(data[0], data.subspan(1));
    if (data.size() >= kProtoHeaderSize) {
      (void)ValidateProtoHeader(DecodeProtoHeader(data.data()));
    }
    (void)DecompressBody(data);
  }
  return "";
}

}  // namespace aerospike_py::fuzz
