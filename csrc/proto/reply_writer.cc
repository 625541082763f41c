#include "proto/reply_writer.h"

#include "common/byte_order.h"
#include "proto/commands.h"
#include "proto/fields.h"
#include "proto/headers.h"
#include "proto/message_writer.h"

namespace aerospike_py::proto {

namespace {

void WriteRecord(const ReplyRecord& r, MessageWriter::Framing framing,
                 ByteBuffer* out) {
  MsgHeader h;
  h.info1 = r.info1;
  h.result_code = r.result_code;
  h.generation = r.generation;
  h.record_ttl = r.void_time;
  h.transaction_ttl = r.batch_index;
  MessageWriter w(out, h, framing);
  if (!r.ns.empty()) w.AddField(FieldType::kNamespace, r.ns);
  if (r.digest != nullptr) w.AddDigestField(r.digest->data());
  if (!r.set.empty()) w.AddField(FieldType::kSet, r.set);
  if (r.key != nullptr) {
    w.BeginField(FieldType::kKey);
    AppendKeyFieldData(*r.key, out);
    w.EndField();
  }
  if (r.bval) {
    const int64_t bval = *r.bval;
    w.BeginField(FieldType::kBvalArray);
    AppendBvals(absl::Span<const int64_t>(&bval, 1), out);
    w.EndField();
  }
  for (const ReplyBin& bin : r.bins) w.AddValueOp(bin.op, bin.name, bin.value);
  w.Finish();
}

void AppendBareMessage(const MsgHeader& h, ByteBuffer* out) {
  EncodeMsgHeader(out->Extend(kMsgHeaderSize), h);
}

}  // namespace

void EncodeRecordReply(const ReplyRecord& record, ByteBuffer* out) {
  WriteRecord(record, MessageWriter::Framing::kOwnFrame, out);
}

void AppendStreamRecord(const ReplyRecord& record, ByteBuffer* out) {
  WriteRecord(record, MessageWriter::Framing::kInsideFrame, out);
}

void AppendStreamEnd(uint8_t result_code, ByteBuffer* out) {
  MsgHeader h;
  h.info3 = info3::kLast;
  h.result_code = result_code;
  AppendBareMessage(h, out);
}

void AppendPartitionDone(uint16_t partition_id, uint8_t result_code, ByteBuffer* out) {
  MsgHeader h;
  h.info3 = info3::kPartitionDone;
  h.result_code = result_code;
  h.generation = partition_id;
  AppendBareMessage(h, out);
}

}  // namespace aerospike_py::proto
