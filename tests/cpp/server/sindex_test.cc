// Secondary indexes of the embedded server through its Processor: the info
// commands and their answers (as the real server 8.1 gives them), the
// background build, upkeep through writes/deletes/truncate, queries of
// every index and predicate type, resume points (bval + digest), the real
// server's string hash, and the request checks' result codes.
#include <algorithm>
#include <chrono>
#include <map>
#include <regex>
#include <set>
#include <thread>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "proto/msgpack.h"
#include "server/sindex/bval.h"
#include "server_test_support.h"

namespace aerospike_py::server::testing {
namespace {

using p::Value;

std::vector<uint16_t> AllPartitions() {
  std::vector<uint16_t> v(p::kPartitions);
  for (uint32_t i = 0; i < p::kPartitions; ++i) v[i] = static_cast<uint16_t>(i);
  return v;
}

p::ScanRequest Query(p::IndexRange range, std::vector<uint16_t> pids = AllPartitions()) {
  p::ScanRequest s;
  s.header.info1 = p::info1::kRead;
  s.header.info3 = p::info3::kPartitionDone;
  s.ns = "test";
  s.set = "demo";
  s.task_id = 77;
  s.index_range = std::move(range);
  s.partition_ids = std::move(pids);
  return s;
}

ByteBuffer EncodeQ(const p::ScanRequest& s) {
  ByteBuffer b;
  p::EncodeScanRequest(s, &b);
  return b;
}

// Builds indexes synchronously (what the server loop's timer does).
void Build(Harness& h) {
  while (h.state().sindexes.BuildSome(1u << 20)) {
  }
}

std::vector<int64_t> Ints(const std::vector<ReplyMsg>& replies, std::string_view bin) {
  std::vector<int64_t> v;
  for (const ReplyMsg& m : replies) {
    if (!(m.header.info3 & (p::info3::kLast | p::info3::kPartitionDone))) v.push_back(m.Int(bin));
  }
  std::sort(v.begin(), v.end());
  return v;
}

void Put(Harness& h, int64_t key, std::vector<p::OpSpec> ops) { h.One(PutReq(key, std::move(ops))); }

TEST(Sindex, BvalOfStringsIsTheServersHash) {
  // Values the real server sent in golden captures (81_query_equal_string).
  EXPECT_EQ(static_cast<uint64_t>(sindex::HashBval("bob")), 0x4ec99a27caf733deull);
}

TEST(Sindex, CreateStatListDeleteAnswers) {
  Harness h;
  for (int i = 0; i < 6; ++i) Put(h, i, {Write("age", Value::Int(20 + i))});
  // A small namespace is indexed before the create is answered.
  EXPECT_EQ(h.Info("sindex-create:namespace=test;set=demo;indexname=age_idx;bin=age;type=NUMERIC"),
            "ok");
  // load_time is how many ms the build took: timing, not compared.
  EXPECT_EQ(std::regex_replace(h.Info("sindex/test/age_idx"), std::regex("load_time=[0-9]+"),
                               "load_time=*"),
            "entries=6;used_bytes=16777216;entries_per_bval=1;entries_per_rec=1;load_pct=100;"
            "load_time=*;stat_gc_recs=0");
  EXPECT_EQ(h.Info("sindex-list:"),
            "ns=test:indexname=age_idx:set=demo:bin=age:type=numeric:indextype=default:"
            "context=null:exp=null:state=RW");
  // Same definition: ok; another definition under the same name: 200.
  EXPECT_EQ(h.Info("sindex-create:namespace=test;set=demo;indexname=age_idx;bin=age;type=NUMERIC"),
            "ok");
  EXPECT_EQ(h.Info("sindex-create:namespace=test;set=demo;indexname=age_idx;bin=x;type=STRING"),
            "ERROR:200:'indexname' already exists with different definition");
  EXPECT_EQ(h.Info("sindex-create:namespace=test;indexname=i;bin=x"),
            "ERROR:4:both 'indexdata' and 'type' are missing");
  EXPECT_EQ(h.Info("sindex-create:namespace=test;indexname=i;bin=x;type=float"),
            "ERROR:4:bad 'type' - must be one of 'numeric', 'string', 'blob', 'geo2dsphere'");
  EXPECT_EQ(h.Info("sindex-create:namespace=test;indexname=i;indexdata=x,string"), "ok");
  EXPECT_EQ(h.Info("sindex-stat:namespace=test;indexname=nope"), "ERROR:201:no index");
  EXPECT_EQ(h.Info("sindex-exists:namespace=test;indexname=age_idx"), "true");
  EXPECT_EQ(h.Info("sindex-delete:namespace=test;indexname=age_idx"), "ok");
  EXPECT_EQ(h.Info("sindex-delete:namespace=test;indexname=age_idx"), "ok");  // gone: still ok
  EXPECT_EQ(h.Info("sindex-exists:namespace=test;indexname=age_idx"), "false");
  EXPECT_NE(h.Info("sets/test/demo").find(":sindexes=0:"), std::string::npos);
}

// Set indexes (8.1 indextype=SET): answers as the real server gave them
// (tests/golden/recorded/set_index.jsonl holds the recorded exchanges).
TEST(Sindex, SetIndexesAreListedAfterBinIndexesOnePerSet) {
  Harness h;
  for (int i = 0; i < 4; ++i) Put(h, i, {Write("age", Value::Int(20 + i))});
  EXPECT_EQ(h.Info("sindex-create:namespace=test;set=demo;indexname=si;indextype=SET"), "ok");
  EXPECT_EQ(h.Info("sindex-list:namespace=test"), ";ns=test:indexname=si:set=demo:indextype=set");
  EXPECT_EQ(h.Info("sindex/test"), "");  // the old listing shows bin indexes only
  EXPECT_EQ(h.Info("sindex-stat:namespace=test;indexname=si"),
            "entries=4;used_bytes=64;load_pct=100");
  EXPECT_NE(h.Info("sets/test/demo").find(":sindexes=0:"), std::string::npos);
  EXPECT_NE(h.Info("sets/test/demo").find(":enable-index=true:"), std::string::npos);
  // Another name for the same set renames the index; the name on another
  // set, or a bin index's name, is taken.
  EXPECT_EQ(h.Info("sindex-create:namespace=test;set=demo;indexname=si2;indextype=set"), "ok");
  EXPECT_EQ(h.Info("sindex-exists:namespace=test;indexname=si"), "false");
  EXPECT_EQ(h.Info("sindex-create:namespace=test;set=other;indexname=si2;indextype=SET"),
            "ERROR:200:'indexname' already exists with different definition");
  EXPECT_EQ(h.Info("sindex-create:namespace=test;set=demo;indexname=age_idx;bin=age;type=NUMERIC"),
            "ok");
  EXPECT_EQ(h.Info("sindex-create:namespace=test;set=demo;indexname=age_idx;indextype=SET"),
            "ERROR:200:'indexname' already exists with different definition");
  EXPECT_EQ(h.Info("sindex-create:namespace=test;set=demo;indexname=si2;bin=age;type=NUMERIC"),
            "ERROR:200:'indexname' already exists with different definition");
  EXPECT_EQ(h.Info("sindex-list:namespace=test"),
            "ns=test:indexname=age_idx:set=demo:bin=age:type=numeric:indextype=default:"
            "context=null:exp=null:state=RW;ns=test:indexname=si2:set=demo:indextype=set");
  EXPECT_EQ(h.Info("sindex-create:namespace=nope;set=x;indexname=s;indextype=SET"),
            "ERROR:4:namespace not found");
  EXPECT_EQ(h.Info("sindex-create:namespace=test;indexname=s;indextype=SET"),
            "ERROR:4:missing 'set'");
  EXPECT_EQ(h.Info("sindex-create:namespace=test;set=x;indexname=s;indextype=SET;bin=a"),
            "ERROR:4:bin parameter is not supported for set index");
  // A set never written is made by the create.
  EXPECT_EQ(h.Info("sindex-create:namespace=test;set=fresh;indexname=sf;indextype=SET"), "ok");
  EXPECT_NE(h.Info("sets/test/fresh").find("objects=0:"), std::string::npos);
  EXPECT_EQ(h.Info("sindex-delete:namespace=test;indexname=si2"), "ok");
  EXPECT_NE(h.Info("sets/test/demo").find(":enable-index=false:"), std::string::npos);
  EXPECT_EQ(h.Info("sindex-stat:namespace=test;indexname=si2"), "ERROR:201:no index");
}

TEST(Sindex, BigNamespacesBuildInTheBackgroundWriteOnlyUntilDone) {
  Harness h;
  for (int i = 0; i < 30000; ++i) {
    p::RecordRequest r = PutReq(i, {Write("v", Value::Int(i))});
    r.set = "big";
    r.digest = p::ComputeDigest("big", int64_t{i});
    h.One(r);
  }
  ASSERT_EQ(h.Info("sindex-create:namespace=test;set=big;indexname=v;bin=v;type=numeric"), "ok");
  EXPECT_NE(h.Info("sindex-list:").find(":state=WO"), std::string::npos);
  const std::string loading = h.Info("sindex/test/v");
  EXPECT_EQ(loading.find("load_pct=100"), std::string::npos) << loading;
  p::ScanRequest q = Query(p::IndexRange::IntegerRange("v", 0, 10));
  q.set = "big";
  auto early = h.Run(EncodeQ(q));
  ASSERT_EQ(early.size(), 1u);
  EXPECT_EQ(early[0].rc(), 203);  // not readable yet
  // A write during the build is indexed anyway.
  p::RecordRequest late = PutReq(40000, {Write("v", Value::Int(5))});
  late.set = "big";
  late.digest = p::ComputeDigest("big", int64_t{40000});
  h.One(late);
  Build(h);
  EXPECT_NE(h.Info("sindex/test/v").find("entries=30001;"), std::string::npos);
  EXPECT_EQ(h.Run(EncodeQ(q)).size(), 13u);  // 0..10, the late 5, LAST
}

TEST(Sindex, NumericQueriesCarryBvalsInIndexOrderPerPartition) {
  Harness h;
  for (int i = 0; i < 200; ++i) Put(h, i, {Write("v", Value::Int(i % 50)), Write("i", Value::Int(i))});
  ASSERT_EQ(h.Info("sindex-create:namespace=test;set=demo;indexname=v;bin=v;type=numeric"), "ok");
  Build(h);
  auto replies = h.Run(EncodeQ(Query(p::IndexRange::IntegerRange("v", 10, 12))));
  std::vector<int64_t> want;
  for (int i = 0; i < 200; ++i) {
    if (i % 50 >= 10 && i % 50 <= 12) want.push_back(i);
  }
  EXPECT_EQ(Ints(replies, "i"), want);
  uint32_t last_pid = 0;
  int64_t last_bval = INT64_MIN;
  for (const ReplyMsg& m : replies) {
    if (m.header.info3 & p::info3::kLast) continue;
    ASSERT_EQ(m.fields.size(), 4u);
    EXPECT_EQ(m.fields[3].first, 15);  // bval, after ns, digest, set
    const int64_t bval = static_cast<int64_t>(LoadLE64(
        reinterpret_cast<const uint8_t*>(m.fields[3].second.data())));
    EXPECT_EQ(bval, m.Int("v"));
    const uint32_t pid = p::PartitionId(reinterpret_cast<const uint8_t*>(m.fields[1].second.data()));
    EXPECT_GE(pid, last_pid);  // ascending partitions
    if (pid == last_pid) {
      EXPECT_GE(bval, last_bval);
    }
    last_pid = pid;
    last_bval = bval;
  }
}

TEST(Sindex, ResumeAfterBvalAndDigest) {
  Harness h;
  // Many records in one partition: keys whose digest lands on one pid.
  std::vector<int64_t> keys;
  const uint32_t pid = p::PartitionId(p::ComputeDigest("demo", int64_t{0}));
  for (int64_t k = 0; keys.size() < 6 && k < 2000000; ++k) {
    if (p::PartitionId(p::ComputeDigest("demo", k)) == pid) keys.push_back(k);
  }
  ASSERT_EQ(keys.size(), 6u);
  for (size_t i = 0; i < keys.size(); ++i) {
    Put(h, keys[i], {Write("v", Value::Int(static_cast<int64_t>(i % 2)))});
  }
  ASSERT_EQ(h.Info("sindex-create:namespace=test;set=demo;indexname=v;bin=v;type=numeric"), "ok");
  Build(h);
  auto all = h.Run(EncodeQ(Query(p::IndexRange::IntegerRange("v", 0, 1), {static_cast<uint16_t>(pid)})));
  ASSERT_EQ(all.size(), 7u);
  // Resume after the third record: its digest and bval.
  p::ScanRequest resume = Query(p::IndexRange::IntegerRange("v", 0, 1), {});
  p::Digest d;
  std::memcpy(d.data(), all[2].fields[1].second.data(), 20);
  resume.resume_digests = {d};
  resume.resume_bvals = {all[2].Int("v")};
  auto rest = h.Run(EncodeQ(resume));
  ASSERT_EQ(rest.size(), 4u);
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(rest[i].fields[1].second, all[i + 3].fields[1].second);
  // Digests without bvals on an indexed query: 4.
  resume.resume_bvals.clear();
  EXPECT_EQ(h.Run(EncodeQ(resume))[0].rc(), 4);
}

TEST(Sindex, StringBlobAndCollectionIndexes) {
  Harness h;
  for (int i = 0; i < 30; ++i) {
    Value tags = Value::List({Value::Int(i % 3), Value::Int(i % 5)});
    Value m = Value::Map({{Value::String(absl::StrCat("k", i % 4)), Value::Int(i % 6)}});
    Put(h, i, {Write("s", Value::String(absl::StrCat("n", i % 7))), Write("i", Value::Int(i)),
               Write("b", Value::Bytes(std::string(1, static_cast<char>(i % 5)))),
               Write("tags", tags), Write("m", m)});
  }
  ASSERT_EQ(h.Info("sindex-create:namespace=test;set=demo;indexname=s;bin=s;type=string"), "ok");
  ASSERT_EQ(h.Info("sindex-create:namespace=test;set=demo;indexname=b;bin=b;type=blob"), "ok");
  ASSERT_EQ(h.Info("sindex-create:namespace=test;set=demo;indexname=l;bin=tags;type=numeric;"
                   "indextype=list"), "ok");
  ASSERT_EQ(h.Info("sindex-create:namespace=test;set=demo;indexname=mk;bin=m;type=string;"
                   "indextype=mapkeys"), "ok");
  ASSERT_EQ(h.Info("sindex-create:namespace=test;set=demo;indexname=mv;bin=m;type=numeric;"
                   "indextype=mapvalues"), "ok");
  Build(h);
  auto expect = [&](const p::ScanRequest& q, auto pred) {
    std::vector<int64_t> want;
    for (int i = 0; i < 30; ++i) {
      if (pred(i)) want.push_back(i);
    }
    EXPECT_EQ(Ints(h.Run(EncodeQ(q)), "i"), want);
  };
  expect(Query(p::IndexRange::StringEqual("s", "n3")), [](int i) { return i % 7 == 3; });
  expect(Query(p::IndexRange::BlobEqual("b", std::string(1, '\x02'))),
         [](int i) { return i % 5 == 2; });
  p::ScanRequest list = Query(p::IndexRange::IntegerEqual("tags", 4));
  list.index_type = 1;
  expect(list, [](int i) { return i % 5 == 4; });
  p::ScanRequest range = Query(p::IndexRange::IntegerRange("tags", 1, 2));
  range.index_type = 1;  // a record reached through two values comes once
  expect(range, [](int i) { return i % 3 == 1 || i % 3 == 2 || i % 5 == 1 || i % 5 == 2; });
  p::ScanRequest keys = Query(p::IndexRange::StringEqual("m", "k2"));
  keys.index_type = 2;
  expect(keys, [](int i) { return i % 4 == 2; });
  p::ScanRequest values = Query(p::IndexRange::IntegerEqual("m", 5));
  values.index_type = 3;
  expect(values, [](int i) { return i % 6 == 5; });
  // The list query without its index type finds no index.
  EXPECT_EQ(h.Run(EncodeQ(Query(p::IndexRange::IntegerEqual("tags", 4))))[0].rc(), 201);
}

TEST(Sindex, UpkeepThroughWritesDeletesAndTruncate) {
  Harness h;
  ASSERT_EQ(h.Info("sindex-create:namespace=test;set=demo;indexname=v;bin=v;type=numeric"), "ok");
  Build(h);
  for (int i = 0; i < 10; ++i) Put(h, i, {Write("v", Value::Int(i)), Write("i", Value::Int(i))});
  auto hits = [&](int64_t lo, int64_t hi) {
    return Ints(h.Run(EncodeQ(Query(p::IndexRange::IntegerRange("v", lo, hi)))), "i");
  };
  EXPECT_EQ(hits(0, 3), (std::vector<int64_t>{0, 1, 2, 3}));
  Put(h, 2, {Write("v", Value::Int(100))});
  p::RecordRequest del = Req(3);
  del.header.info2 = p::info2::kWrite | p::info2::kDelete;
  h.One(del);
  Put(h, 1, {Write("v", Value::Nil())});
  EXPECT_EQ(hits(0, 3), (std::vector<int64_t>{0}));
  EXPECT_EQ(hits(100, 100), (std::vector<int64_t>{2}));
  // Truncate removes what was written before its millisecond (the real
  // server's last-update-time rule): let the clock pass the writes above.
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  EXPECT_EQ(h.Info("truncate:namespace=test;set=demo"), "ok");
  EXPECT_EQ(hits(0, 1000), std::vector<int64_t>{});
  EXPECT_EQ(h.Info("sindex/test/v").substr(0, 10), "entries=0;");
}

TEST(Sindex, GeoWithinRegionRadiusAndContainsPoint) {
  Harness h;
  for (int i = 0; i < 10; ++i) {
    const std::string json = absl::StrCat(R"({"type":"Point","coordinates":[)", -122.0 + i * 0.01,
                                          ",37.0]}");
    Put(h, i, {Write("loc", Value::GeoJson(json)), Write("i", Value::Int(i))});
  }
  Put(h, 100, {Write("area", Value::GeoJson(R"({"type":"Polygon","coordinates":[[[-123,36],)"
                                            R"([-121,36],[-121,38],[-123,38],[-123,36]]]})")),
               Write("i", Value::Int(100))});
  ASSERT_EQ(h.Info("sindex-create:namespace=test;set=demo;indexname=g;bin=loc;type=geo2dsphere"),
            "ok");
  ASSERT_EQ(h.Info("sindex-create:namespace=test;set=demo;indexname=a;bin=area;type=geo2dsphere"),
            "ok");
  Build(h);
  auto box = p::IndexRange::GeoJson(
      "loc", R"({"type":"Polygon","coordinates":[[[-122.005,36.9],[-121.955,36.9],)"
             R"([-121.955,37.1],[-122.005,37.1],[-122.005,36.9]]]})");
  EXPECT_EQ(Ints(h.Run(EncodeQ(Query(box))), "i"), (std::vector<int64_t>{0, 1, 2, 3, 4}));
  auto circle = p::IndexRange::GeoJson(
      "loc", R"({"type":"AeroCircle","coordinates":[[-122.0,37.0],2500]})");
  EXPECT_EQ(Ints(h.Run(EncodeQ(Query(circle))), "i"), (std::vector<int64_t>{0, 1, 2}));
  auto point = p::IndexRange::GeoJson("area", R"({"type":"Point","coordinates":[-122.0,37.0]})");
  EXPECT_EQ(Ints(h.Run(EncodeQ(Query(point))), "i"), (std::vector<int64_t>{100}));
  auto outside = p::IndexRange::GeoJson("area", R"({"type":"Point","coordinates":[0.0,0.0]})");
  EXPECT_EQ(Ints(h.Run(EncodeQ(Query(outside))), "i"), std::vector<int64_t>{});
}

TEST(Sindex, RequestChecks) {
  Harness h;
  Put(h, 1, {Write("v", Value::Int(1))});
  ASSERT_EQ(h.Info("sindex-create:namespace=test;set=demo;indexname=v;bin=v;type=numeric"), "ok");
  Build(h);
  p::ScanRequest reversed = Query(p::IndexRange::IntegerRange("v", 5, 1));
  EXPECT_EQ(h.Run(EncodeQ(reversed))[0].rc(), 4);
  p::ScanRequest both = Query(p::IndexRange::IntegerEqual("v", 1));
  both.index_name = "v";  // a bin name and an index name
  EXPECT_EQ(h.Run(EncodeQ(both))[0].rc(), 4);
  p::ScanRequest by_name = Query(p::IndexRange::IntegerEqual("", 1));
  by_name.index_name = "v";
  EXPECT_EQ(Ints(h.Run(EncodeQ(by_name)), "v"), (std::vector<int64_t>{1}));
  by_name.index_name = "nope";
  EXPECT_EQ(h.Run(EncodeQ(by_name))[0].rc(), 201);
  p::ScanRequest bad_type = Query(p::IndexRange::IntegerEqual("v", 1));
  bad_type.index_range->type = p::ParticleType::kFloat;
  EXPECT_EQ(h.Run(EncodeQ(bad_type))[0].rc(), 4);
  p::ScanRequest short_rps = Query(p::IndexRange::IntegerEqual("v", 1));
  short_rps.header.info1 |= p::info1::kShortQuery;
  short_rps.records_per_second = 10;
  EXPECT_EQ(h.Run(EncodeQ(short_rps))[0].rc(), 4);
}

TEST(Sindex, ForegroundJobsAreShownAndCanBeAborted) {
  Harness h;
  for (int i = 0; i < 50; ++i) Put(h, i, {Write("v", Value::Int(i))});
  ASSERT_EQ(h.Info("sindex-create:namespace=test;set=demo;indexname=v;bin=v;type=numeric"), "ok");
  Build(h);
  auto replies = h.Run(EncodeQ(Query(p::IndexRange::IntegerRange("v", 0, 9))));
  EXPECT_EQ(replies.size(), 11u);
  const std::string show = h.Info("query-show:trid=77");
  EXPECT_NE(show.find("sindex-name=v:"), std::string::npos) << show;
  EXPECT_NE(show.find("status=done(ok)"), std::string::npos) << show;
  EXPECT_NE(show.find("recs-succeeded=10:"), std::string::npos) << show;
  EXPECT_NE(show.find("job-type=basic"), std::string::npos) << show;
  EXPECT_EQ(h.Info("query-abort:trid=77"), "ERROR:2:id not active");
}

}  // namespace
}  // namespace aerospike_py::server::testing
