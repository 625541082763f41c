// Replays the inputs of the TLS-record and admin-reply fuzz targets
// (tests/fuzz/regressions/tls-* and admin-*) and a set of hand-made inputs
// through the targets' own check functions, in every build.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "checks.h"
#include "proto/admin.h"
#include "proto/frame_reader.h"

namespace aerospike_py::fuzz {
namespace {

std::string Body(const ByteBuffer& frame) { return std::string(frame.view().substr(8)); }

TEST(FuzzSecurityReplay, RecordedInputs) {
  const std::filesystem::path dir = std::filesystem::path(ASPY_FUZZ_DIR) / "regressions";
  int replayed = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    const bool tls = name.rfind("tls-", 0) == 0, admin = name.rfind("admin-", 0) == 0;
    if (!tls && !admin) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    const std::string data = bytes.str();
    EXPECT_EQ(tls ? CheckTlsRecords(AsBytes(data)) : CheckAdminReply(AsBytes(data)), "") << name;
    ++replayed;
  }
  EXPECT_GE(replayed, 2) << "tests/fuzz/regressions/ holds no tls-/admin- inputs";
}

TEST(FuzzSecurityReplay, HandMadeInputs) {
  // What the server sends: users, roles, login answers, bare codes.
  ByteBuffer users;
  proto::AppendUserMessage(&users, {"alice", {"read", "custom"}, {1, 2, 3, 4}, {5, 6, 7, 8}, 3});
  proto::AppendUserMessage(&users, {"bob", {}, {}, {}, 0});
  std::string stream;
  proto::FrameReader reader;
  std::vector<proto::Frame> frames;
  ASSERT_TRUE(reader.Feed(users.span(), &frames).ok());
  for (const proto::Frame& f : frames) stream += std::string(AsChars(f.body()));
  stream += Body(proto::EncodeAdminReply(50));
  ByteBuffer role;
  proto::AppendRoleMessage(&role, {"r", {{10, "test", "s"}, {0, "", ""}}, {"10.0.0.0/8"}, 5, 6});
  ByteBuffer login;
  proto::AdminWriter w(&login, 0, 0);
  w.AddField(proto::admin_field::kSessionToken, std::string_view("token"));
  w.AddU32Field(proto::admin_field::kSessionTtl, 600);
  w.Finish();
  for (const std::string& input :
       {stream, Body(role), Body(login), Body(proto::EncodeAdminReply(52)),
        Body(proto::EncodeAdminReply(66)), std::string(), std::string(40, '\xff'),
        std::string("\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
                    "\x0a\x0a\xff",
                    22)}) {
    EXPECT_EQ(CheckAdminReply(AsBytes(input)), "");
    EXPECT_EQ(CheckTlsRecords(AsBytes(input)), "");
  }
  // A TLS record header claiming more than it carries, and a frame split
  // over many records.
  EXPECT_EQ(CheckTlsRecords(AsBytes(std::string("\x17\x03\x03\x40\x00" "abc", 8))), "");
  EXPECT_EQ(CheckTlsRecords(users.span()), "");
}

}  // namespace
}  // namespace aerospike_py::fuzz
