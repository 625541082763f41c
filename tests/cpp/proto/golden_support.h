// Test support for the golden captures in tests/golden/: loading the
// .jsonl exchanges, a small JSON reader for index.json, the conversion of
// index.json bin values (Node client conventions) to proto::Value, and a
// strict walker that decodes any captured message completely. Used by the
// codec tests and the fuzz seed generator; never by production code.
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/byte_buffer.h"
#include "common/status.h"
#include "proto/message_view.h"
#include "proto/value.h"

namespace aerospike_py::proto::testing {

// --- JSON ------------------------------------------------------------------
// Objects keep their key order (bin order in index.json is the op order the
// client used).
class Json {
 public:
  enum class Kind { kNull, kBool, kNumber, kString, kArray, kObject };

  Kind kind() const { return kind_; }
  bool is_null() const { return kind_ == Kind::kNull; }
  bool as_bool() const { return bool_; }
  double as_double() const { return number_; }
  // The number's source text (exact for large integers).
  const std::string& number_text() const { return text_; }
  bool is_integer() const;  // a number written without fraction or exponent
  int64_t as_int() const;
  const std::string& as_string() const { return text_; }
  const std::vector<Json>& items() const { return items_; }
  const std::vector<std::pair<std::string, Json>>& members() const { return members_; }
  // Member lookup; a shared null value when absent.
  const Json& operator[](std::string_view key) const;
  bool has(std::string_view key) const;

  static StatusOr<Json> Parse(std::string_view text);

 private:
  friend class JsonParser;
  Kind kind_ = Kind::kNull;
  bool bool_ = false;
  double number_ = 0;
  std::string text_;
  std::vector<Json> items_;
  std::vector<std::pair<std::string, Json>> members_;
};

// --- Captures --------------------------------------------------------------
struct GoldenMessage {
  bool c2s = false;     // client to server
  int type = 0;         // proto type from the capture line
  int conn = 0;         // connection number within the file
  std::string bytes;    // the whole frame: 8-byte header + body
  ByteSpan span() const { return AsBytes(bytes); }
  ByteSpan body() const { return span().subspan(8); }
};

struct GoldenFile {
  std::string name;  // e.g. "10_put_int"
  std::vector<GoldenMessage> messages;
};

std::string GoldenDir();
std::string ReadWholeFile(const std::string& path);
// The names of the files in `dir` that `keep` accepts, sorted; aborts when
// the directory cannot be opened.
std::vector<std::string> SortedFileNames(const std::string& dir,
                                         const std::function<bool(std::string_view)>& keep);
// The files of `dir` whose names start with one of `prefixes`, read whole,
// sorted by name (the fuzz targets' regression inputs).
struct NamedInput {
  std::string name;
  std::string bytes;
};
std::vector<NamedInput> ReadInputs(const std::string& dir,
                                   std::initializer_list<std::string_view> prefixes);
std::vector<std::string> GoldenFileNames();  // "00_tend", ... sorted
GoldenFile LoadGolden(const std::string& name);
const std::vector<GoldenFile>& AllGolden();  // loaded once
const Json& GoldenIndex();                   // index.json, loaded once
// The index.json "ops" entry for a file; null Json when absent.
const Json& GoldenOp(const std::string& name);

std::string HexOf(ByteSpan bytes);
std::string Unhex(std::string_view hex);

// Converts an index.json value as the Node client sends it: integers →
// INTEGER, fractional numbers and {"float"|"double": x} → FLOAT,
// {"int64": "…"} → INTEGER, {"bytes": "hex"} → BLOB, {"geojson": "…"} →
// GeoJSON, objects → KEY_ORDERED maps (keys in the order given), arrays →
// lists, strings, booleans, null.
Value ValueFromJson(const Json& json);
// The user key of an index.json key object ({"ns","set","key"}).
Value KeyFromJson(const Json& key);

// --- Strict decoding ---------------------------------------------------------
// Everything a captured message decodes to, checked to the last byte.
struct DecodedOp {
  uint8_t op = 0;
  uint8_t particle_type = 0;
  std::string name;
  Value value;
  std::string raw;  // the particle bytes as captured
};
struct DecodedMessage {
  MsgHeader header;
  std::vector<std::pair<uint8_t, std::string>> fields;  // type, data
  std::vector<DecodedOp> ops;
  size_t batch_rows = 0;  // rows of a field 41/42, parsed and resolved
};
struct DecodedFrame {
  int type = 0;  // proto type as captured (4 stays 4)
  std::vector<DecodedMessage> messages;                    // types 3 and 4
  std::vector<std::pair<std::string, std::string>> info;   // type 1
  std::string info_body;
  uint8_t admin_result = 0, admin_command = 0;             // type 2
  size_t admin_fields = 0;
};

// Decodes one whole frame (header included); every size must add up
// exactly, every particle and structured field must decode, every batch row
// must parse. `request`: op values of CDT/bit/HLL/expression ops must also
// be msgpack (in answers they are plain particles).
StatusOr<DecodedFrame> DecodeFrameStrict(ByteSpan frame, bool request);

}  // namespace aerospike_py::proto::testing
