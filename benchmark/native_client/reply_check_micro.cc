// What the reply checks cost on the batch hot path, without a socket or a
// noisy neighbour: a batch answer stream of 200 records shaped like
// benchmark/batch_micro.py's (4 ints, 3 floats, 2 strings, an 8-float32
// blob) is walked the way BatchExecution walks it, with and without
// proto::CheckRecordAnswer, for an all-bins read and for a read naming the
// ten bins. Prints ns per record for each and the checks' share.
//
//   cmake --build build/cmake --target aspy_reply_check_micro
//   build/cmake/benchmark/native_client/aspy_reply_check_micro [rounds]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "common/byte_buffer.h"
#include "common/byte_order.h"
#include "proto/message_view.h"
#include "proto/message_writer.h"
#include "proto/op_writer.h"
#include "proto/reply_check.h"

using namespace aerospike_py;
using namespace aerospike_py::proto;

namespace {

constexpr int kRecords = 200;
const char* const kNames[] = {"i0", "i1", "i2", "i3", "f0", "f1", "f2", "s0", "s1", "emb"};

ByteBuffer MakeStream() {
  ByteBuffer body;
  for (int r = 0; r < kRecords; ++r) {
    MsgHeader h;
    h.generation = 1;
    h.transaction_ttl = 1000 + r;
    MessageWriter w(&body, h, MessageWriter::Framing::kInsideFrame);
    std::string v8(8, '\0');
    for (int i = 0; i < 4; ++i) {
      StoreBE64(reinterpret_cast<uint8_t*>(v8.data()), static_cast<uint64_t>(r * 10 + i));
      w.AddOp(OpType::kRead, ParticleType::kInteger, kNames[i], AsBytes(v8));
    }
    for (int i = 4; i < 7; ++i) w.AddOp(OpType::kRead, ParticleType::kFloat, kNames[i], AsBytes(v8));
    w.AddOp(OpType::kRead, ParticleType::kString, kNames[7], AsBytes(std::string("user-") + std::to_string(r)));
    w.AddOp(OpType::kRead, ParticleType::kString, kNames[8], AsBytes(std::string("category")));
    w.AddOp(OpType::kRead, ParticleType::kBlob, kNames[9], AsBytes(std::string(32, 'e')));
    w.Finish();
  }
  return body;
}

// Walks the stream as BatchExecution::ReadChunkFrame does; returns a sum so
// the work is not optimized away.
uint64_t Walk(ByteSpan body, const ReplyExpectation* expect) {
  uint64_t sum = 0;
  MessageIterator it(body);
  while (!it.AtEnd()) {
    StatusOr<MessageView> m = it.Next();
    if (!m.ok()) std::abort();
    sum += m->header.transaction_ttl;
    if (expect != nullptr && !CheckRecordAnswer(*m, *expect).ok()) std::abort();
  }
  return sum;
}

double NsPerRecord(ByteSpan body, const ReplyExpectation* expect, int rounds, uint64_t* sink) {
  std::vector<double> samples;
  for (int round = 0; round < 7; ++round) {
    const auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < rounds; ++i) *sink += Walk(body, expect);
    const auto t1 = std::chrono::steady_clock::now();
    samples.push_back(std::chrono::duration<double, std::nano>(t1 - t0).count() /
                      (double{1} * rounds * kRecords));
  }
  std::sort(samples.begin(), samples.end());
  return samples[samples.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  const int rounds = argc > 1 ? std::atoi(argv[1]) : 2000;
  ByteBuffer stream = MakeStream();
  ByteBuffer named_ops;
  OpWriter w(&named_ops);
  for (const char* n : kNames) w.Add(OpType::kRead, ParticleType::kNull, n, ByteSpan());
  const ReplyExpectation all_bins =
      ExpectationFor(info1::kRead | info1::kGetAll, 0, ByteSpan(), 0);
  const ReplyExpectation named = ExpectationFor(info1::kRead, 0, named_ops.span(), 10);
  uint64_t sink = 0;
  const double parse = NsPerRecord(stream.span(), nullptr, rounds, &sink);
  const double all = NsPerRecord(stream.span(), &all_bins, rounds, &sink);
  const double by_name = NsPerRecord(stream.span(), &named, rounds, &sink);
  std::printf("200-record batch stream, 10 bins a record (median of 7 rounds of %d)\n", rounds);
  std::printf("  parse only                 %7.1f ns/record\n", parse);
  std::printf("  parse + check (all bins)   %7.1f ns/record  (checks +%.1f ns)\n", all, all - parse);
  std::printf("  parse + check (10 named)   %7.1f ns/record  (checks +%.1f ns)\n", by_name,
              by_name - parse);
  std::printf("(sum %llu)\n", static_cast<unsigned long long>(sink));
  return 0;
}
