// Concrete facts decoded from the golden captures, checked against what the
// client saw (index.json) and the capture README's table: result codes per
// file, bin values (every particle type, int64 limits, unicode, nested
// KEY_ORDERED maps, GeoJSON), digests of the keys, batch reply indices and
// row results, scan/query record counts and field order, UDF results, and
// the tend values (peers, replicas, user agent).
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

#include "common/strings.h"
#include "golden_support.h"
#include "proto/commands.h"
#include "proto/constants.h"
#include "proto/fields.h"
#include "proto/info.h"
#include "proto/msgpack.h"

namespace aerospike_py::proto {
namespace {

using testing::AllGolden;
using testing::DecodedFrame;
using testing::DecodedMessage;
using testing::DecodedOp;
using testing::DecodeFrameStrict;
using testing::GoldenFile;
using testing::GoldenMessage;
using testing::GoldenOp;
using testing::Json;
using testing::ValueFromJson;

const GoldenFile& File(const std::string& name) {
  for (const GoldenFile& f : AllGolden()) {
    if (f.name == name) return f;
  }
  ADD_FAILURE() << "no capture " << name;
  static const GoldenFile kEmpty;
  return kEmpty;
}

// Decoded messages of one direction, frames flattened.
std::vector<DecodedMessage> Messages(const GoldenFile& file, bool c2s) {
  std::vector<DecodedMessage> out;
  for (const GoldenMessage& m : file.messages) {
    if (m.c2s != c2s || (m.type != 3 && m.type != 4)) continue;
    auto d = DecodeFrameStrict(m.span(), m.c2s);
    EXPECT_TRUE(d.ok()) << file.name << ": " << d.status();
    if (!d.ok()) continue;
    for (DecodedMessage& msg : d->messages) out.push_back(std::move(msg));
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> InfoPairs(const GoldenMessage& m) {
  auto d = DecodeFrameStrict(m.span(), m.c2s);
  EXPECT_TRUE(d.ok());
  return d.ok() ? d->info : std::vector<std::pair<std::string, std::string>>{};
}

// A decoded value against what the Node client reported. The client hands
// GeoJSON bins back as their JSON text.
::testing::AssertionResult Matches(const Value& actual, const Json& expected) {
  if (actual.type() == Value::Type::kGeoJson && expected.kind() == Json::Kind::kString) {
    if (actual.str() == expected.as_string()) return ::testing::AssertionSuccess();
  } else if (actual == ValueFromJson(expected)) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure() << actual.DebugString() << " is not "
                                       << ValueFromJson(expected).DebugString();
}

std::string FieldData(const DecodedMessage& m, FieldType type) {
  for (const auto& f : m.fields) {
    if (f.first == static_cast<uint8_t>(type)) return f.second;
  }
  return "";
}

bool IsSingleRecordFile(const GoldenFile& file) {
  const auto requests = Messages(file, true);
  return requests.size() == 1 && !(requests[0].header.info1 & info1::kBatch) &&
         !FieldData(requests[0], FieldType::kDigest).empty();
}

// The result code of every single-record answer is what the client saw.
TEST(GoldenFactsTest, SingleRecordResultCodesMatchTheClientOutcome) {
  int checked = 0;
  for (const GoldenFile& file : AllGolden()) {
    if (!IsSingleRecordFile(file)) continue;
    const Json& outcome = GoldenOp(file.name)["outcome"];
    ASSERT_FALSE(outcome.is_null()) << file.name;
    const auto replies = Messages(file, false);
    ASSERT_EQ(replies.size(), 1u) << file.name;
    int expected = outcome["ok"].as_bool() ? 0 : static_cast<int>(outcome["code"].as_int());
    // exists() reports a missing record as `false`, not as an error.
    if (file.name == "46_exists_not_found") expected = 2;
    EXPECT_EQ(replies[0].header.result_code, expected) << file.name;
    ++checked;
  }
  EXPECT_EQ(checked, 59);
}

TEST(GoldenFactsTest, ResultCodesOfTheReadmeTable) {
  const std::map<std::string, int> table = {
      {"28_put_create_only_exists", 5}, {"29_put_update_only_missing", 2},
      {"31_put_gen_mismatch", 3},       {"36_put_compressed", 25},
      {"48_get_missing", 2},            {"50_get_filter_exp_false", 27},
      {"53_remove_missing", 2},         {"54_remove_durable_delete", 25},
      {"46_exists_not_found", 2},       {"32_put_gen_match", 0},
  };
  for (const auto& [name, code] : table) {
    const auto replies = Messages(File(name), false);
    ASSERT_EQ(replies.size(), 1u) << name;
    EXPECT_EQ(replies[0].header.result_code, code) << name;
  }
  // 32 succeeded where 31 failed: the generation became 3.
  EXPECT_EQ(Messages(File("32_put_gen_match"), false)[0].header.generation, 3u);
  EXPECT_EQ(Messages(File("31_put_gen_mismatch"), true)[0].header.generation, 99u);
}

// Every key in index.json hashes to the digest the client sent (and
// reported).
TEST(GoldenFactsTest, DigestsOfTheKeys) {
  int checked = 0;
  for (const GoldenFile& file : AllGolden()) {
    const Json& op = GoldenOp(file.name);
    if (!op.has("key")) continue;
    const auto requests = Messages(file, true);
    ASSERT_EQ(requests.size(), 1u) << file.name;
    auto digest = DigestOfKey(op["key"]["set"].as_string(), testing::KeyFromJson(op["key"]));
    ASSERT_TRUE(digest.ok());
    const std::string sent = FieldData(requests[0], FieldType::kDigest);
    EXPECT_EQ(testing::HexOf(AsBytes(sent)), testing::HexOf(ByteSpan(digest->data(), 20)))
        << file.name;
    const Json& reported = op["outcome"]["result"]["digest"];
    if (!reported.is_null()) {
      EXPECT_EQ(reported.as_string(), testing::HexOf(ByteSpan(digest->data(), 20)));
    }
    ++checked;
  }
  EXPECT_GT(checked, 50);
}

// Puts: the request's WRITE ops carry the index.json bins, in order, with
// the particle types the Node client picks.
TEST(GoldenFactsTest, PutRequestsCarryTheBinValues) {
  int files = 0;
  for (const GoldenFile& file : AllGolden()) {
    if (file.name.find("_put_") == std::string::npos) continue;
    const Json& bins = GoldenOp(file.name)["bins"];
    ASSERT_EQ(bins.kind(), Json::Kind::kObject) << file.name;
    const auto requests = Messages(file, true);
    ASSERT_EQ(requests.size(), 1u);
    const auto& ops = requests[0].ops;
    ASSERT_EQ(ops.size(), bins.members().size()) << file.name;
    for (size_t i = 0; i < ops.size(); ++i) {
      EXPECT_EQ(ops[i].op, static_cast<uint8_t>(OpType::kWrite));
      EXPECT_EQ(ops[i].name, bins.members()[i].first) << file.name;
      EXPECT_EQ(ops[i].value, ValueFromJson(bins.members()[i].second))
          << file.name << " bin " << ops[i].name << ": " << ops[i].value.DebugString();
    }
    ++files;
  }
  EXPECT_EQ(files, 27);
}

TEST(GoldenFactsTest, ParticleTypesAndLimitsOfThePuts) {
  auto op = [](const char* file, size_t i) {
    return Messages(File(file), true)[0].ops[i];
  };
  EXPECT_EQ(op("12_put_large_int", 0).value, Value::Int(INT64_MAX));
  EXPECT_EQ(op("12_put_large_int", 1).value, Value::Int(INT64_MIN));
  EXPECT_EQ(op("12_put_large_int", 2).value, Value::Int(1234567890123456789));
  EXPECT_EQ(op("11_put_neg_int", 0).value, Value::Int(-42));
  EXPECT_EQ(op("13_put_float", 0).value, Value::Double(3.14159));
  EXPECT_EQ(op("14_put_double_integral", 0).particle_type, 2);  // FLOAT although integral
  EXPECT_EQ(op("14_put_double_integral", 0).value, Value::Double(2.0));
  EXPECT_EQ(op("16_put_unicode_string", 0).value,
            Value::String("h\xc3\xa9llo w\xc3\xb6rld \xe2\x9c\x93 \xe6\x97\xa5\xe6\x9c\xac "
                          "\xf0\x9f\x98\x80"));
  EXPECT_EQ(op("17_put_bytes", 0).value, Value::Bytes(std::string("\x01\x02\x03\xff", 4)));
  EXPECT_EQ(op("18_put_bool", 0).value, Value::Bool(true));
  EXPECT_EQ(op("18_put_bool", 1).value, Value::Bool(false));
  EXPECT_EQ(op("18_put_bool", 0).particle_type, 17);
  EXPECT_EQ(op("19_put_list", 0).value,
            Value::List({Value::Int(1), Value::String("a"), Value::Double(2.5),
                         Value::Bytes("\x01"), Value::Bool(true), Value::Nil(),
                         Value::Int(-7)}));
  // Objects go as KEY_ORDERED maps (ext flags 1), nested ones too.
  const Value nested = op("21_put_nested", 0).value;
  EXPECT_EQ(nested.flags(), 1);
  EXPECT_EQ(nested.map_value(1).flags(), 1);
  EXPECT_EQ(nested.map_value(1).map_value(0).map_value(0), Value::Bool(true));
  EXPECT_EQ(op("22_put_geojson", 0).value,
            Value::GeoJson(R"({"type":"Point","coordinates":[103.913,1.308]})"));
  EXPECT_EQ(op("24_put_null_delete_bin", 0).particle_type, 0);
  EXPECT_EQ(op("24_put_null_delete_bin", 0).value, Value::Nil());
}

// Reads: the answer's ops decode to the bins the client returned, and the
// header carries the generation (and void time 0 = never expires).
TEST(GoldenFactsTest, GetRepliesDecodeToTheReturnedBins) {
  int files = 0;
  for (const GoldenFile& file : AllGolden()) {
    const Json& outcome = GoldenOp(file.name)["outcome"];
    const bool is_get = file.name.find("_get_") != std::string::npos ||
                        file.name.find("_exists_with") != std::string::npos;
    if (!is_get || !outcome["ok"].as_bool()) continue;
    const Json& result = outcome["result"];
    const auto replies = Messages(file, false);
    ASSERT_EQ(replies.size(), 1u);
    const DecodedMessage& reply = replies[0];
    EXPECT_EQ(reply.header.generation, static_cast<uint32_t>(result["gen"].as_int()));
    EXPECT_EQ(result["ttl"].as_int(), -1);
    EXPECT_EQ(reply.header.record_ttl, 0u);
    const Json& bins = result["bins"];
    if (bins.is_null()) {
      EXPECT_TRUE(reply.ops.empty()) << file.name;
    } else {
      ASSERT_EQ(reply.ops.size(), bins.members().size()) << file.name;
      for (const DecodedOp& op : reply.ops) {
        EXPECT_EQ(op.op, static_cast<uint8_t>(OpType::kRead));
        EXPECT_TRUE(Matches(op.value, bins[op.name])) << file.name << " bin " << op.name;
      }
    }
    ++files;
  }
  EXPECT_EQ(files, 10);
  // The server returns GeoJSON with its cell ids; the text follows them.
  const auto all = Messages(File("37_get_all_bins"), false)[0].ops;
  auto g = std::find_if(all.begin(), all.end(), [](const DecodedOp& o) { return o.name == "g"; });
  ASSERT_NE(g, all.end());
  EXPECT_EQ(g->particle_type, 23);
  EXPECT_EQ(g->value.str(), R"({"type":"Point","coordinates":[103.913,1.308]})");
  const auto big = Messages(File("41_get_large_int"), false)[0].ops;
  EXPECT_EQ(big[0].value, Value::Int(INT64_MAX));
  EXPECT_EQ(big[1].value, Value::Int(INT64_MIN));
}

// Operates: the last answer op for each bin is what the client returned.
TEST(GoldenFactsTest, OperateRepliesEndWithTheReturnedValues) {
  int files = 0;
  for (const GoldenFile& file : AllGolden()) {
    const bool operate = file.name.find("_operate_") != std::string::npos ||
                         file.name == "57_client_incr" || file.name == "51_touch";
    if (!operate) continue;
    const Json& result = GoldenOp(file.name)["outcome"]["result"];
    const auto replies = Messages(file, false);
    ASSERT_EQ(replies.size(), 1u);
    EXPECT_EQ(replies[0].header.result_code, 0);
    EXPECT_EQ(replies[0].header.generation, static_cast<uint32_t>(result["gen"].as_int()))
        << file.name;
    for (const auto& [bin, expected] : result["bins"].members()) {
      const DecodedOp* last = nullptr;
      for (const DecodedOp& op : replies[0].ops) {
        if (op.name == bin) last = &op;
      }
      ASSERT_NE(last, nullptr) << file.name << " bin " << bin;
      EXPECT_TRUE(Matches(last->value, expected)) << file.name << " bin " << bin;
    }
    if (result["bins"].members().empty()) {
      EXPECT_TRUE(replies[0].ops.empty()) << file.name;
    }
    ++files;
  }
  EXPECT_EQ(files, 13);
  // RESPOND_ALL_OPS: one answer op per request op, writes answering nil.
  const auto req = Messages(File("66_operate_exp"), true)[0];
  const auto rep = Messages(File("66_operate_exp"), false)[0];
  EXPECT_TRUE(req.header.info2 & info2::kRespondAllOps);
  ASSERT_EQ(rep.ops.size(), req.ops.size());
  EXPECT_EQ(rep.ops[0].op, static_cast<uint8_t>(OpType::kExpModify));
  EXPECT_EQ(rep.ops[0].value, Value::Nil());
  EXPECT_EQ(rep.ops[1].value, Value::Int(32));
  // The touch answer carries a void time (its TTL of 600 s from now).
  EXPECT_GT(Messages(File("51_touch"), false)[0].header.record_ttl, 500000000u);
}

// Batch answers: one message per row with transaction_ttl = the row index,
// row results and bins as the client reported, records in one frame and the
// LAST message alone in the next.
TEST(GoldenFactsTest, BatchRepliesFollowTheRowIndices) {
  int files = 0;
  for (const GoldenFile& file : AllGolden()) {
    const auto requests = Messages(file, true);
    if (requests.size() != 1 || !(requests[0].header.info1 & info1::kBatch)) continue;
    const Json& rows = GoldenOp(file.name)["outcome"]["result"];
    ASSERT_EQ(rows.kind(), Json::Kind::kArray) << file.name;
    EXPECT_EQ(requests[0].batch_rows, rows.items().size());

    std::vector<const GoldenMessage*> frames;
    for (const GoldenMessage& m : file.messages) {
      if (!m.c2s) frames.push_back(&m);
    }
    ASSERT_EQ(frames.size(), 2u) << file.name;
    auto records = DecodeFrameStrict(frames[0]->span(), false);
    auto last = DecodeFrameStrict(frames[1]->span(), false);
    ASSERT_TRUE(records.ok() && last.ok());
    ASSERT_EQ(last->messages.size(), 1u);
    EXPECT_EQ(last->messages[0].header.info3, info3::kLast);
    EXPECT_EQ(last->messages[0].header.result_code, 0);
    ASSERT_EQ(records->messages.size(), rows.items().size()) << file.name;
    for (size_t i = 0; i < rows.items().size(); ++i) {
      const DecodedMessage& rec = records->messages[i];
      const Json& row = rows.items()[i];
      EXPECT_EQ(rec.header.transaction_ttl, i) << file.name;
      EXPECT_EQ(rec.header.info3 & info3::kLast, 0);
      EXPECT_EQ(rec.header.result_code, row["status"].as_int()) << file.name << " row " << i;
      EXPECT_TRUE(rec.fields.empty());
      const Json& bins = row["bins"];
      if (bins.kind() != Json::Kind::kObject) {
        EXPECT_TRUE(rec.ops.empty()) << file.name << " row " << i;
        continue;
      }
      ASSERT_EQ(rec.ops.size(), bins.members().size()) << file.name << " row " << i;
      for (const DecodedOp& op : rec.ops) {
        EXPECT_TRUE(Matches(op.value, bins[op.name])) << file.name << " row " << i;
      }
    }
    ++files;
  }
  EXPECT_EQ(files, 9);
}

// Scan/query records: namespace, digest, set fields in that order, bins as
// READ ops, as many records as the client counted.
TEST(GoldenFactsTest, ScanAndQueryStreams) {
  const std::map<std::string, size_t> counts = {
      {"75_scan_set", 36}, {"76_scan_select_bins", 1}, {"77_scan_partitions", 0},
      {"80_query_equal_int", 1}, {"81_query_equal_string", 2}, {"82_query_range", 4},
      {"83_query_range_filter_exp", 2}, {"84_query_select_bins", 2},
      {"85_query_no_filter", 2}};
  for (const auto& [name, count] : counts) {
    const Json& result = GoldenOp(name)["outcome"]["result"];
    const size_t reported =
        result.kind() == Json::Kind::kArray ? result.items().size() : result.as_int();
    EXPECT_EQ(reported, count) << name;
    auto replies = Messages(File(name), false);
    ASSERT_EQ(replies.size(), count + 1) << name;
    EXPECT_TRUE(replies.back().header.info3 & info3::kLast);
    std::vector<Value> names, expected_names, keys;
    std::set<int64_t> bval_set;
    for (size_t i = 0; i < count; ++i) {
      const DecodedMessage& rec = replies[i];
      ASSERT_GE(rec.fields.size(), 3u) << name;
      EXPECT_EQ(rec.fields[0], (std::pair<uint8_t, std::string>{0, "test"}));
      EXPECT_EQ(rec.fields[1].first, 4);
      EXPECT_EQ(rec.fields[1].second.size(), 20u);
      EXPECT_EQ(rec.fields[2], (std::pair<uint8_t, std::string>{1, "golden"}));
      const bool sindex_query = name.rfind("8", 0) == 0 && name != "85_query_no_filter";
      if (sindex_query) {
        // Secondary-index queries add the record's bval (i64 LE): the
        // indexed integer itself, or one opaque value per indexed string.
        ASSERT_EQ(rec.fields.size(), 4u) << name;
        ASSERT_EQ(rec.fields[3].first, 15);
        auto bvals = ParseBvals(AsBytes(rec.fields[3].second));
        ASSERT_TRUE(bvals.ok());
        ASSERT_EQ(bvals->size(), 1u);
        bval_set.insert((*bvals)[0]);
        for (const DecodedOp& op : rec.ops) {
          if (op.name == "age" && name != "81_query_equal_string") {
            EXPECT_EQ(Value::Int((*bvals)[0]), op.value) << name;
          }
        }
      } else if (rec.fields.size() == 4) {
        // A stored user key comes back after the set, and hashes to the
        // record's digest.
        ASSERT_EQ(rec.fields[3].first, 2);
        auto key = DecodeKeyField(AsBytes(rec.fields[3].second));
        ASSERT_TRUE(key.ok());
        auto digest = DigestOfKey("golden", *key);
        ASSERT_TRUE(digest.ok());
        EXPECT_EQ(rec.fields[1].second, std::string(AsChars(ByteSpan(digest->data(), 20))));
        keys.push_back(*key);
      } else {
        EXPECT_EQ(rec.fields.size(), 3u);
      }
      for (const DecodedOp& op : rec.ops) {
        EXPECT_EQ(op.op, static_cast<uint8_t>(OpType::kRead));
        if (op.name == "name") names.push_back(op.value);
      }
    }
    if (name == "81_query_equal_string") {
      EXPECT_EQ(bval_set.size(), 1u);  // both "bob"
    }
    if (name == "75_scan_set") {
      // The three records written with the SEND key policy.
      auto less = [](const Value& a, const Value& b) { return a.DebugString() < b.DebugString(); };
      std::sort(keys.begin(), keys.end(), less);
      EXPECT_EQ(keys, (std::vector<Value>{Value::String("k_sendkey"), Value::Int(1),
                                          Value::Bytes("\x01")}));
    } else {
      EXPECT_TRUE(keys.empty()) << name;
    }
    if (result.kind() == Json::Kind::kArray) {
      // Same records; the order across frames may differ.
      for (const Json& r : result.items()) {
        if (r["bins"].has("name")) expected_names.push_back(ValueFromJson(r["bins"]["name"]));
      }
      auto less = [](const Value& a, const Value& b) { return a.str() < b.str(); };
      std::sort(names.begin(), names.end(), less);
      std::sort(expected_names.begin(), expected_names.end(), less);
      EXPECT_EQ(names, expected_names) << name;
    }
  }
}

TEST(GoldenFactsTest, UdfAnswersArriveInTheSuccessBin) {
  auto success = [](const char* file) {
    const auto reply = Messages(File(file), false);
    EXPECT_EQ(reply.size(), 1u);
    EXPECT_EQ(reply[0].ops.size(), 1u);
    EXPECT_EQ(reply[0].ops[0].name, "SUCCESS");
    return reply[0].ops[0].value;
  };
  EXPECT_EQ(success("90_udf_apply"), Value::Int(5));
  EXPECT_EQ(success("91_udf_apply_string"), Value::String("hello world"));
  const auto req = Messages(File("90_udf_apply"), true)[0];
  EXPECT_EQ(FieldData(req, FieldType::kUdfPackageName), "golden");
  EXPECT_EQ(FieldData(req, FieldType::kUdfFunction), "add");
  auto args = DecodeMsgpack(AsBytes(FieldData(req, FieldType::kUdfArgList)));
  ASSERT_TRUE(args.ok());
  EXPECT_EQ(*args, Value::List({Value::String("n"), Value::Int(5)}));
}

TEST(GoldenFactsTest, InfoAnswers) {
  auto answer = [](const char* file) { return InfoPairs(File(file).messages[1]); };
  EXPECT_EQ(answer("04_info_build"),
            (std::vector<std::pair<std::string, std::string>>{{"build", "8.1.2.0"}}));
  EXPECT_EQ(answer("05_info_namespaces"),
            (std::vector<std::pair<std::string, std::string>>{{"namespaces", "test"}}));
  EXPECT_EQ(answer("08_info_multi"),
            (std::vector<std::pair<std::string, std::string>>{
                {"node", "A1"}, {"build", "8.1.2.0"}, {"edition", "Aerospike Community Edition"}}));
  EXPECT_EQ(answer("97_info_sindex_list"),
            (std::vector<std::pair<std::string, std::string>>{{"sindex-list:", ""}}));
  // Every info answer in index.json is the body the capture holds.
  for (const GoldenFile& file : AllGolden()) {
    const Json& op = GoldenOp(file.name);
    if (!op.has("request") || file.messages.size() != 2) continue;
    auto decoded = DecodeFrameStrict(file.messages[1].span(), false);
    ASSERT_TRUE(decoded.ok());
    if (file.name == "06_info_namespace_test" || file.name == "07_info_statistics") {
      continue;  // the client's call ran at a different moment (values vary)
    }
    EXPECT_EQ(decoded->info_body, op["outcome"]["result"].as_string()) << file.name;
  }
}

// The tend socket: seed validation, user agent, peers and replicas.
TEST(GoldenFactsTest, TendValues) {
  std::map<std::string, std::string> values;
  for (const GoldenMessage& m : File("00_tend").messages) {
    if (m.c2s) continue;
    for (const auto& [name, value] : InfoPairs(m)) values[name] = value;
  }
  EXPECT_EQ(values["node"], "A1");
  EXPECT_EQ(values["partition-generation"], "0");
  EXPECT_EQ(values["peers-generation"], "0");
  EXPECT_EQ(values["build"], "8.1.2.0");

  auto peers = ParsePeers(values["peers-clear-std"]);
  ASSERT_TRUE(peers.ok()) << peers.status();
  EXPECT_EQ(peers->generation, 0u);
  EXPECT_EQ(peers->default_port, 3000);
  EXPECT_TRUE(peers->peers.empty());
  EXPECT_EQ(FormatPeers(*peers), values["peers-clear-std"]);

  auto replicas = ParseReplicas(values["replicas"]);
  ASSERT_TRUE(replicas.ok()) << replicas.status();
  ASSERT_EQ(replicas->size(), 1u);
  EXPECT_EQ((*replicas)[0].ns, "test");
  EXPECT_EQ((*replicas)[0].regime, 0u);
  ASSERT_EQ((*replicas)[0].replicas.size(), 1u);
  for (uint32_t pid = 0; pid < kPartitions; ++pid) {
    ASSERT_TRUE(BitmapHas((*replicas)[0].replicas[0], pid)) << pid;
  }
  EXPECT_EQ(FormatReplicas(*replicas), values["replicas"]);

  std::string agent;
  for (const GoldenMessage& m : File("00_tend").messages) {
    if (!m.c2s) continue;
    for (const auto& [unused, line] : InfoPairs(m)) {
      const std::string prefix = "user-agent-set:value=";
      if (line.rfind(prefix, 0) == 0) {
        ASSERT_TRUE(Base64Decode(line.substr(prefix.size()), &agent));
      }
    }
  }
  EXPECT_EQ(agent, "1,nodejs-6.7.1,golden-capture");
}

}  // namespace
}  // namespace aerospike_py::proto
