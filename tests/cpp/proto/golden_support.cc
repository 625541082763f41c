#include "golden_support.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <dirent.h>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "common/strings.h"
#include "proto/batch.h"
#include "proto/commands.h"
#include "proto/compression.h"
#include "proto/admin.h"
#include "proto/fields.h"
#include "proto/headers.h"
#include "proto/info.h"
#include "proto/msgpack.h"
#include "proto/particle.h"

#ifndef ASPY_GOLDEN_DIR
#error "ASPY_GOLDEN_DIR must name tests/golden"
#endif

namespace aerospike_py::proto::testing {

// --- JSON ------------------------------------------------------------------

bool Json::is_integer() const {
  return kind_ == Kind::kNumber &&
         text_.find_first_of(".eE") == std::string::npos;
}

int64_t Json::as_int() const {
  int64_t v = 0;
  if (!ParseInt(std::string_view(text_), &v)) v = static_cast<int64_t>(number_);
  return v;
}

const Json& Json::operator[](std::string_view key) const {
  static const Json kNull;
  for (const auto& [k, v] : members_) {
    if (k == key) return v;
  }
  return kNull;
}

bool Json::has(std::string_view key) const {
  for (const auto& m : members_) {
    if (m.first == key) return true;
  }
  return false;
}

class JsonParser {
 public:
  explicit JsonParser(std::string_view s) : s_(s) {}

  StatusOr<Json> ParseDocument() {
    ASPY_ASSIGN_OR_RETURN(Json v, ParseValue(0));
    SkipSpace();
    if (pos_ != s_.size()) return Error("trailing characters");
    return v;
  }

 private:
  Status Error(std::string_view what) {
    return absl::InvalidArgumentError(absl::StrCat("json: ", AbslView(what), " at ", pos_));
  }
  void SkipSpace() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\n' ||
                                s_[pos_] == '\r' || s_[pos_] == '\t')) {
      ++pos_;
    }
  }
  bool Eat(char c) {
    SkipSpace();
    if (pos_ < s_.size() && s_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  bool EatWord(std::string_view w) {
    if (s_.substr(pos_, w.size()) == w) {
      pos_ += w.size();
      return true;
    }
    return false;
  }

  static void AppendUtf8(uint32_t cp, std::string* out) {
    if (cp < 0x80) {
      out->push_back(char(cp));
    } else if (cp < 0x800) {
      out->push_back(char(0xc0 | (cp >> 6)));
      out->push_back(char(0x80 | (cp & 0x3f)));
    } else if (cp < 0x10000) {
      out->push_back(char(0xe0 | (cp >> 12)));
      out->push_back(char(0x80 | ((cp >> 6) & 0x3f)));
      out->push_back(char(0x80 | (cp & 0x3f)));
    } else {
      out->push_back(char(0xf0 | (cp >> 18)));
      out->push_back(char(0x80 | ((cp >> 12) & 0x3f)));
      out->push_back(char(0x80 | ((cp >> 6) & 0x3f)));
      out->push_back(char(0x80 | (cp & 0x3f)));
    }
  }

  StatusOr<uint32_t> Hex4() {
    if (s_.size() - pos_ < 4) return Error("short \\u escape");
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      char c = s_[pos_++];
      v <<= 4;
      if (c >= '0' && c <= '9') v |= c - '0';
      else if (c >= 'a' && c <= 'f') v |= c - 'a' + 10;
      else if (c >= 'A' && c <= 'F') v |= c - 'A' + 10;
      else return Error("bad \\u escape");
    }
    return v;
  }

  StatusOr<std::string> ParseString() {
    if (!Eat('"')) return Error("expected string");
    std::string out;
    while (true) {
      if (pos_ >= s_.size()) return Error("unterminated string");
      char c = s_[pos_++];
      if (c == '"') break;
      if (c != '\\') {
        out.push_back(c);
        continue;
      }
      if (pos_ >= s_.size()) return Error("unterminated escape");
      char e = s_[pos_++];
      switch (e) {
        case '"': out.push_back('"'); break;
        case '\\': out.push_back('\\'); break;
        case '/': out.push_back('/'); break;
        case 'b': out.push_back('\b'); break;
        case 'f': out.push_back('\f'); break;
        case 'n': out.push_back('\n'); break;
        case 'r': out.push_back('\r'); break;
        case 't': out.push_back('\t'); break;
        case 'u': {
          ASPY_ASSIGN_OR_RETURN(uint32_t cp, Hex4());
          if (cp >= 0xd800 && cp < 0xdc00 && EatWord("\\u")) {
            ASPY_ASSIGN_OR_RETURN(uint32_t low, Hex4());
            cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
          }
          AppendUtf8(cp, &out);
          break;
        }
        default: return Error("bad escape");
      }
    }
    return out;
  }

  StatusOr<Json> ParseValue(int depth) {
    if (depth > 64) return Error("nesting too deep");
    SkipSpace();
    if (pos_ >= s_.size()) return Error("unexpected end");
    Json v;
    char c = s_[pos_];
    if (c == '{') {
      ++pos_;
      v.kind_ = Json::Kind::kObject;
      if (Eat('}')) return v;
      do {
        ASPY_ASSIGN_OR_RETURN(std::string key, ParseString());
        if (!Eat(':')) return Error("expected ':'");
        ASPY_ASSIGN_OR_RETURN(Json member, ParseValue(depth + 1));
        v.members_.emplace_back(std::move(key), std::move(member));
      } while (Eat(','));
      if (!Eat('}')) return Error("expected '}'");
      return v;
    }
    if (c == '[') {
      ++pos_;
      v.kind_ = Json::Kind::kArray;
      if (Eat(']')) return v;
      do {
        ASPY_ASSIGN_OR_RETURN(Json item, ParseValue(depth + 1));
        v.items_.push_back(std::move(item));
      } while (Eat(','));
      if (!Eat(']')) return Error("expected ']'");
      return v;
    }
    if (c == '"') {
      v.kind_ = Json::Kind::kString;
      ASPY_ASSIGN_OR_RETURN(v.text_, ParseString());
      return v;
    }
    if (EatWord("true")) {
      v.kind_ = Json::Kind::kBool;
      v.bool_ = true;
      return v;
    }
    if (EatWord("false")) {
      v.kind_ = Json::Kind::kBool;
      return v;
    }
    if (EatWord("null")) return v;
    size_t start = pos_;
    while (pos_ < s_.size() && std::string_view("+-0123456789.eE").find(s_[pos_]) !=
                                   std::string_view::npos) {
      ++pos_;
    }
    if (start == pos_) return Error("unexpected character");
    v.kind_ = Json::Kind::kNumber;
    v.text_ = std::string(s_.substr(start, pos_ - start));
    v.number_ = std::strtod(v.text_.c_str(), nullptr);
    return v;
  }

  std::string_view s_;
  size_t pos_ = 0;
};

StatusOr<Json> Json::Parse(std::string_view text) {
  return JsonParser(text).ParseDocument();
}

// --- Captures --------------------------------------------------------------

std::string GoldenDir() { return ASPY_GOLDEN_DIR; }

std::string ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "cannot read %s\n", path.c_str());
    std::abort();
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> SortedFileNames(const std::string& dir,
                                         const std::function<bool(std::string_view)>& keep) {
  std::vector<std::string> names;
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) {
    std::fprintf(stderr, "cannot open directory %s\n", dir.c_str());
    std::abort();
  }
  while (dirent* e = readdir(d)) {
    std::string n = e->d_name;
    if (keep(n)) names.push_back(std::move(n));
  }
  closedir(d);
  std::sort(names.begin(), names.end());
  return names;
}

std::vector<NamedInput> ReadInputs(const std::string& dir,
                                   std::initializer_list<std::string_view> prefixes) {
  std::vector<NamedInput> inputs;
  for (std::string& name : SortedFileNames(dir, [&](std::string_view n) {
         return std::any_of(prefixes.begin(), prefixes.end(),
                            [&](std::string_view p) { return n.substr(0, p.size()) == p; });
       })) {
    std::string bytes = ReadWholeFile(dir + "/" + name);
    inputs.push_back({std::move(name), std::move(bytes)});
  }
  return inputs;
}

std::vector<std::string> GoldenFileNames() {
  constexpr std::string_view kSuffix = ".jsonl";
  std::vector<std::string> names = SortedFileNames(GoldenDir(), [&](std::string_view n) {
    return n.size() > kSuffix.size() && n.substr(n.size() - kSuffix.size()) == kSuffix;
  });
  for (std::string& n : names) n.resize(n.size() - kSuffix.size());
  return names;
}

std::string Unhex(std::string_view hex) {
  std::string out;
  if (!HexDecode(hex, &out)) {
    std::fprintf(stderr, "bad hex in golden data\n");
    std::abort();
  }
  return out;
}

std::string HexOf(ByteSpan bytes) { return HexEncode(AsChars(bytes)); }

GoldenFile LoadGolden(const std::string& name) {
  GoldenFile file;
  file.name = name;
  std::string text = ReadWholeFile(GoldenDir() + "/" + name + ".jsonl");
  for (std::string_view line : Split(text, '\n', /*skip_empty=*/true)) {
    StatusOr<Json> j = Json::Parse(line);
    if (!j.ok()) {
      std::fprintf(stderr, "%s: %s\n", name.c_str(), std::string(j.status().message()).c_str());
      std::abort();
    }
    GoldenMessage m;
    m.c2s = (*j)["dir"].as_string() == "c2s";
    m.type = static_cast<int>((*j)["type"].as_int());
    m.conn = static_cast<int>((*j)["conn"].as_int());
    m.bytes = Unhex((*j)["hex"].as_string());
    file.messages.push_back(std::move(m));
  }
  return file;
}

const std::vector<GoldenFile>& AllGolden() {
  static const std::vector<GoldenFile>* all = [] {
    auto* v = new std::vector<GoldenFile>;
    for (const std::string& n : GoldenFileNames()) v->push_back(LoadGolden(n));
    return v;
  }();
  return *all;
}

const Json& GoldenIndex() {
  static const Json* index = [] {
    StatusOr<Json> j = Json::Parse(ReadWholeFile(GoldenDir() + "/index.json"));
    if (!j.ok()) {
      std::fprintf(stderr, "index.json: %s\n", std::string(j.status().message()).c_str());
      std::abort();
    }
    return new Json(std::move(*j));
  }();
  return *index;
}

const Json& GoldenOp(const std::string& name) {
  static const Json kNull;
  for (const Json& op : GoldenIndex()["ops"].items()) {
    if (op["name"].as_string() == name) return op;
  }
  return kNull;
}

Value ValueFromJson(const Json& j) {
  switch (j.kind()) {
    case Json::Kind::kNull: return Value::Nil();
    case Json::Kind::kBool: return Value::Bool(j.as_bool());
    case Json::Kind::kNumber:
      return j.is_integer() ? Value::Int(j.as_int()) : Value::Double(j.as_double());
    case Json::Kind::kString: return Value::String(j.as_string());
    case Json::Kind::kArray: {
      std::vector<Value> items;
      for (const Json& item : j.items()) items.push_back(ValueFromJson(item));
      return Value::List(std::move(items));
    }
    case Json::Kind::kObject: {
      if (j.members().size() == 1) {
        const auto& [tag, v] = j.members()[0];
        if (tag == "float" || tag == "double") return Value::Double(v.as_double());
        if (tag == "int64") {
          int64_t i = 0;
          ParseInt(std::string_view(v.as_string()), &i);
          return Value::Int(i);
        }
        if (tag == "bytes") return Value::Bytes(Unhex(v.as_string()));
        if (tag == "geojson") return Value::GeoJson(v.as_string());
      }
      std::vector<std::pair<Value, Value>> entries;
      for (const auto& [k, v] : j.members()) {
        entries.emplace_back(Value::String(k), ValueFromJson(v));
      }
      return Value::Map(std::move(entries), /*flags=*/1);
    }
  }
  return Value::Nil();
}

Value KeyFromJson(const Json& key) { return ValueFromJson(key["key"]); }

// --- Strict decoding ---------------------------------------------------------

namespace {

bool OpValueIsMsgpack(uint8_t op) {
  switch (static_cast<OpType>(op)) {
    case OpType::kCdtRead:
    case OpType::kCdtModify:
    case OpType::kExpRead:
    case OpType::kExpModify:
    case OpType::kBitRead:
    case OpType::kBitModify:
    case OpType::kHllRead:
    case OpType::kHllModify:
      return true;
    default:
      return false;
  }
}

Status DecodeOps(ByteSpan ops, bool request, std::vector<DecodedOp>* out) {
  OpIterator it(ops);
  OpView op;
  while (it.Next(&op)) {
    DecodedOp d;
    d.op = op.op;
    d.particle_type = op.particle_type;
    d.name = std::string(op.name);
    d.raw = std::string(AsChars(op.value));
    ASPY_ASSIGN_OR_RETURN(d.value, DecodeParticle(op.particle_type, op.value));
    // In requests, CDT/bit/HLL/expression op values are msgpack argument
    // lists; in answers they are ordinary particles (a bit read answers raw
    // bytes).
    if (request && OpValueIsMsgpack(op.op)) {
      ASPY_RETURN_IF_ERROR(DecodeMsgpack(op.value).status());
    }
    out->push_back(std::move(d));
  }
  return absl::OkStatus();
}

Status CheckField(uint8_t type, ByteSpan data) {
  switch (static_cast<FieldType>(type)) {
    case FieldType::kDigest:
      if (data.size() != kDigestSize) return MalformedError("digest field not 20 bytes");
      return absl::OkStatus();
    case FieldType::kKey:
      return DecodeKeyField(data).status();
    case FieldType::kIndexRange:
      return ParseIndexRange(data).status();
    case FieldType::kPidArray:
      return ParsePartitionIds(data).status();
    case FieldType::kDigestArray:
      return ParseDigests(data).status();
    case FieldType::kBvalArray:
      return ParseBvals(data).status();
    case FieldType::kFilterExpression:
    case FieldType::kUdfArgList:
      return DecodeMsgpack(data).status();
    case FieldType::kTaskId:
    case FieldType::kMaxRecords:
      if (data.size() != 8) return MalformedError("u64 field not 8 bytes");
      return absl::OkStatus();
    case FieldType::kSocketTimeout:
    case FieldType::kRecordsPerSecond:
      if (data.size() != 4) return MalformedError("u32 field not 4 bytes");
      return absl::OkStatus();
    default:
      return absl::OkStatus();
  }
}

Status DecodeMessages(ByteSpan body, bool request, DecodedFrame* out) {
  MessageIterator it(body);
  while (!it.AtEnd()) {
    ASPY_ASSIGN_OR_RETURN(MessageView m, it.Next());
    DecodedMessage d;
    d.header = m.header;
    FieldIterator fields(m);
    FieldView f;
    while (fields.Next(&f)) {
      d.fields.emplace_back(f.type, std::string(AsChars(f.data)));
      ASPY_RETURN_IF_ERROR(CheckField(f.type, f.data));
      if (f.type == static_cast<uint8_t>(FieldType::kBatchIndex) ||
          f.type == static_cast<uint8_t>(FieldType::kBatchIndexWithSet)) {
        ASPY_ASSIGN_OR_RETURN(BatchRowParser rows, BatchRowParser::Create(f.data));
        BatchRowView row;
        while (true) {
          ASPY_ASSIGN_OR_RETURN(bool more, rows.Next(&row));
          if (!more) break;
          FieldIterator rf(row.fields);
          FieldView rfv;
          while (rf.Next(&rfv)) ASPY_RETURN_IF_ERROR(CheckField(rfv.type, rfv.data));
          std::vector<DecodedOp> row_ops;
          ASPY_RETURN_IF_ERROR(DecodeOps(row.ops, request, &row_ops));
          ++d.batch_rows;
        }
        if (d.batch_rows != rows.count()) return MalformedError("batch row count mismatch");
      }
    }
    ASPY_RETURN_IF_ERROR(DecodeOps(m.ops, request, &d.ops));
    out->messages.push_back(std::move(d));
  }
  return absl::OkStatus();
}

}  // namespace

StatusOr<DecodedFrame> DecodeFrameStrict(ByteSpan frame, bool request) {
  if (frame.size() < kProtoHeaderSize) return MalformedError("frame shorter than its header");
  ProtoHeader h = DecodeProtoHeader(frame.data());
  ASPY_RETURN_IF_ERROR(ValidateProtoHeader(h));
  if (h.size != frame.size() - kProtoHeaderSize) {
    return MalformedError("proto size does not match the frame");
  }
  ByteSpan body = frame.subspan(kProtoHeaderSize);
  DecodedFrame out;
  out.type = h.type;
  switch (static_cast<ProtoType>(h.type)) {
    case ProtoType::kInfo:
      out.info_body = std::string(AsChars(body));
      for (const InfoPair& p : ParseInfoResponse(AsChars(body))) {
        out.info.emplace_back(std::string(p.name), std::string(p.value));
      }
      return out;
    case ProtoType::kAdmin: {
      if (body.empty()) return MalformedError("admin frame without a header");
      size_t pos = 0;
      while (pos < body.size()) {
        ASPY_ASSIGN_OR_RETURN(AdminMessageView m, ParseAdminMessage(body.subspan(pos)));
        out.admin_result = m.header.result;
        out.admin_command = m.header.command;
        out.admin_fields += m.header.n_fields;
        pos += m.size;
      }
      return out;
    }
    case ProtoType::kMessage:
      ASPY_RETURN_IF_ERROR(DecodeMessages(body, request, &out));
      return out;
    case ProtoType::kCompressed: {
      ASPY_ASSIGN_OR_RETURN(ByteBuffer inner, DecompressBody(body));
      ASPY_ASSIGN_OR_RETURN(DecodedFrame decoded, DecodeFrameStrict(inner.span(), request));
      decoded.type = h.type;
      return decoded;
    }
  }
  return MalformedError("unknown proto type");
}

}  // namespace aerospike_py::proto::testing
