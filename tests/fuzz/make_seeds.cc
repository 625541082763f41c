// Writes the seed corpora of the fuzz targets from the golden captures:
//   <out>/response/  every captured frame (both directions), every file's
//                    server stream concatenated, info bodies, AS_MSG bodies
//                    and batch fields (the raw-input parsers see those);
//   <out>/msgpack/   every msgpack payload in the captures (list/map bins,
//                    CDT/bit/HLL/expression op arguments, filter expressions,
//                    UDF argument lists) plus the fact sheet's examples.
// Usage: make_seeds <out-dir>
#include <sys/stat.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "../cpp/proto/golden_support.h"
#include "proto/compression.h"
#include "proto/constants.h"
#include "proto/message_view.h"

using namespace aerospike_py;
using namespace aerospike_py::proto;
using namespace aerospike_py::proto::testing;

namespace {

int g_written = 0;

void Write(const std::string& dir, const std::string& name, std::string_view bytes) {
  std::ofstream out(dir + "/" + name, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  ++g_written;
}

bool IsMsgpackOp(uint8_t op) {
  return op == 3 || op == 4 || op == 7 || op == 8 || op == 12 || op == 13 ||
         op == 15 || op == 16;
}

void MsgpackSeedsFromMessages(ByteSpan body, bool request, const std::string& dir,
                              const std::string& prefix) {
  MessageIterator it(body);
  int n = 0;
  while (!it.AtEnd()) {
    StatusOr<MessageView> m = it.Next();
    if (!m.ok()) return;
    FieldIterator fields(*m);
    FieldView f;
    while (fields.Next(&f)) {
      if (f.type == static_cast<uint8_t>(FieldType::kFilterExpression) ||
          f.type == static_cast<uint8_t>(FieldType::kUdfArgList)) {
        Write(dir, prefix + "_f" + std::to_string(n++), AsChars(f.data));
      }
    }
    OpIterator ops(*m);
    OpView op;
    while (ops.Next(&op)) {
      const bool collection = op.particle_type == static_cast<uint8_t>(ParticleType::kList) ||
                              op.particle_type == static_cast<uint8_t>(ParticleType::kMap);
      if (collection || (request && IsMsgpackOp(op.op))) {
        Write(dir, prefix + "_o" + std::to_string(n++), AsChars(op.value));
      }
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s <out-dir>\n", argv[0]);
    return 2;
  }
  const std::string out = argv[1];
  const std::string response = out + "/response";
  const std::string msgpack = out + "/msgpack";
  const std::string server = out + "/server";
  mkdir(out.c_str(), 0755);
  mkdir(response.c_str(), 0755);
  mkdir(msgpack.c_str(), 0755);
  mkdir(server.c_str(), 0755);

  for (const GoldenFile& file : AllGolden()) {
    std::string stream;
    std::string requests;
    for (size_t i = 0; i < file.messages.size(); ++i) {
      const GoldenMessage& m = file.messages[i];
      const std::string tag = file.name + "_" + std::to_string(i);
      Write(response, tag, m.bytes);
      if (!m.c2s) stream += m.bytes;
      if (m.c2s) {
        Write(server, tag, m.bytes);
        requests += m.bytes;
      }
      ByteSpan body = m.body();
      if (m.type == 1) {
        Write(response, tag + "_info", AsChars(body));
      } else if (m.type == 3) {
        Write(response, tag + "_msg", AsChars(body));
        MsgpackSeedsFromMessages(body, m.c2s, msgpack, tag);
        MessageIterator it(body);
        StatusOr<MessageView> first = it.Next();
        if (first.ok()) {
          if (std::optional<ByteSpan> batch = first->FindField(FieldType::kBatchIndex)) {
            Write(response, tag + "_batch", AsChars(*batch));
          }
        }
      } else if (m.type == 4) {
        StatusOr<ByteBuffer> inner = DecompressBody(body);
        if (inner.ok()) {
          Write(response, tag + "_inflated", inner->view());
          MsgpackSeedsFromMessages(inner->span().subspan(kProtoHeaderSize), true, msgpack, tag);
        }
      }
    }
    if (!stream.empty()) Write(response, file.name + "_stream", stream);
    if (!requests.empty()) Write(server, file.name + "_requests", requests);
  }

  // The fact sheet's msgpack examples (Appendix A.7/A.8) and the reserved
  // ext values.
  const char* kExamples[] = {
      "920105",                   // list append 5
      "93ccff921000920105",       // append 5 inside list index 0
      "9443a2036b0100",           // map put "k" -> 1
      "82c70001c0a2036101",       // key-ordered {"a": 1}
      "9301935102a16101",         // bin("a") == 1
      "d4ff00", "d4ff01",         // wildcard, infinity
      "92c70001c0",               // ordered list marker then nil
  };
  int i = 0;
  for (const char* hex : kExamples) Write(msgpack, "example_" + std::to_string(i++), Unhex(hex));

  std::printf("wrote %d seed files under %s\n", g_written, out.c_str());
  return 0;
}
