// Encoders for the server side of AS_MSG exchanges (§7): single-record
// answers, and the messages of multi-record streams (batch records, scan and
// query records, partition-done markers, the LAST terminator). Stream
// messages carry no proto header: the caller opens a FrameWriter, appends as
// many as fit, and finishes the frame. Used by the embedded server and by
// tests that build replies.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/types/span.h"
#include "common/byte_buffer.h"
#include "proto/constants.h"
#include "proto/digest.h"
#include "proto/value.h"

namespace aerospike_py::proto {

// One op of an answer: a bin (op READ) or, with RESPOND_ALL_OPS, the result
// of the request op at the same position (its op code, nil for writes).
struct ReplyBin {
  std::string name;
  Value value;
  OpType op = OpType::kRead;
};

struct ReplyRecord {
  uint8_t info1 = 0;  // info1::kNoBinData on scan/query records sent without bins
  uint8_t result_code = 0;
  uint32_t generation = 0;
  uint32_t void_time = 0;    // record_ttl: seconds since 2010-01-01, 0 = never
  uint32_t batch_index = 0;  // transaction_ttl: the row index in batch answers
  // Fields of scan/query records, in the server's order: namespace, digest,
  // set (if any), user key (if stored), bval (sindex queries). Batch and
  // single-record answers leave them unset.
  std::string_view ns;
  const Digest* digest = nullptr;
  std::string_view set;
  const Value* key = nullptr;
  std::optional<int64_t> bval;
  absl::Span<const ReplyBin> bins;
};

// A complete single-record answer frame.
void EncodeRecordReply(const ReplyRecord& record, ByteBuffer* out);

// One stream message (no proto header), for a frame opened by FrameWriter.
void AppendStreamRecord(const ReplyRecord& record, ByteBuffer* out);
// The LAST message that ends every batch/scan/query stream; a non-zero
// result fails the whole command.
void AppendStreamEnd(uint8_t result_code, ByteBuffer* out);
// A partition-done marker (info3 PARTITION_DONE, generation = partition id).
void AppendPartitionDone(uint16_t partition_id, uint8_t result_code, ByteBuffer* out);

}  // namespace aerospike_py::proto
