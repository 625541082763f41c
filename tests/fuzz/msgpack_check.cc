// Body of the msgpack fuzz target (see checks.h).
#include "absl/strings/str_cat.h"
#include "checks.h"
#include "proto/msgpack.h"
#include "proto/particle.h"
#include "proto/value.h"

namespace aerospike_py::fuzz {

using namespace aerospike_py::proto;

std::string CheckMsgpackBytes(ByteSpan data) {
  MsgpackReader skipper(data);
  const Status skipped = skipper.Skip();

  MsgpackReader reader(data);
  StatusOr<Value> value = ReadMsgpackValue(reader);
  if (!value.ok()) {
    (void)DecodeMsgpack(data);
    return "";
  }
  // Whatever decodes, Skip() can step over, and to the same place.
  if (!skipped.ok()) return absl::StrCat("decoded but Skip failed: ", skipped.ToString());
  if (skipper.offset() != reader.offset()) {
    return absl::StrCat("Skip ends at ", skipper.offset(), ", decode at ", reader.offset());
  }

  ByteBuffer encoded = EncodeMsgpack(*value);
  StatusOr<Value> again = DecodeMsgpack(encoded.span());
  if (!again.ok()) {
    return absl::StrCat("re-encoded value does not decode: ", again.status().ToString());
  }
  if (*again != *value) {
    return absl::StrCat("round trip changed the value: ", value->DebugString(), " vs ",
                        again->DebugString());
  }
  ByteBuffer twice = EncodeMsgpack(*again);
  if (twice.view() != encoded.view()) return "re-encoding is not stable";

  // The same bytes as a collection particle.
  const uint8_t type = value->type() == Value::Type::kMap
                           ? static_cast<uint8_t>(ParticleType::kMap)
                           : static_cast<uint8_t>(ParticleType::kList);
  (void)DecodeParticle(type, data.subspan(0, reader.offset()));
  return "";
}

}  // namespace aerospike_py::fuzz
