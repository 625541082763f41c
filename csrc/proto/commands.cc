#include "proto/commands.h"

#include "common/byte_order.h"
#include "proto/message_writer.h"
#include "proto/particle.h"

namespace aerospike_py::proto {

void AppendKeyFieldData(const Value& key, ByteBuffer* out) {
  out->PushBack(static_cast<uint8_t>(ParticleTypeOf(key)));
  AppendParticle(key, out);
}

StatusOr<Value> DecodeKeyField(ByteSpan data) {
  if (data.empty()) return MalformedError("key field is empty");
  return DecodeParticle(data[0], data.subspan(1));
}

StatusOr<Digest> DigestOfKey(std::string_view set, const Value& key) {
  switch (key.type()) {
    case Value::Type::kInt:
      return ComputeDigest(set, key.as_int());
    case Value::Type::kString:
      return ComputeDigest(set, std::string_view(key.str()));
    case Value::Type::kBytes:
      return ComputeDigest(set, static_cast<ParticleType>(key.subtype()),
                           AsBytes(key.str()));
    case Value::Type::kDouble: {
      uint8_t be[8];
      StoreBE64(be, DoubleBits(key.as_double()));
      return ComputeDigest(set, ParticleType::kFloat, ByteSpan(be, 8));
    }
    default:
      return absl::InvalidArgumentError("a key must be an int, str or bytes");
  }
}

void EncodeRecordRequest(const RecordRequest& request, ByteBuffer* out) {
  MessageWriter w(out, request.header);
  w.AddField(FieldType::kNamespace, request.ns);
  w.AddField(FieldType::kSet, request.set);
  w.AddDigestField(request.digest.data());
  if (request.key) {
    w.BeginField(FieldType::kKey);
    AppendKeyFieldData(*request.key, out);
    w.EndField();
  }
  if (!request.filter_expression.empty()) {
    w.AddField(FieldType::kFilterExpression, request.filter_expression);
  }
  if (!request.udf.empty()) {
    w.AddField(FieldType::kUdfPackageName, request.udf.module);
    w.AddField(FieldType::kUdfFunction, request.udf.function);
    w.AddField(FieldType::kUdfArgList, request.udf.args);
  }
  for (const OpSpec& op : request.ops) w.AddValueOp(op.op, op.bin, op.value);
  w.Finish();
}

void EncodeScanRequest(const ScanRequest& request, ByteBuffer* out) {
  MessageWriter w(out, request.header);
  w.AddField(FieldType::kNamespace, request.ns);
  if (!request.set.empty()) w.AddField(FieldType::kSet, request.set);
  if (request.records_per_second) {
    w.AddU32Field(FieldType::kRecordsPerSecond, request.records_per_second);
  }
  w.AddU32Field(FieldType::kSocketTimeout, request.socket_timeout);
  w.AddU64Field(FieldType::kTaskId, request.task_id);
  if (request.index_type) {
    const uint8_t t = *request.index_type;
    w.AddField(FieldType::kIndexType, ByteSpan(&t, 1));
  }
  if (request.index_range) {
    w.BeginField(FieldType::kIndexRange);
    AppendIndexRange(*request.index_range, out);
    w.EndField();
  }
  if (!request.index_context.empty()) {
    w.AddField(FieldType::kIndexContext, request.index_context);
  }
  if (!request.index_name.empty()) w.AddField(FieldType::kIndexName, request.index_name);
  if (!request.index_expression.empty()) {
    w.AddField(FieldType::kIndexExpression, request.index_expression);
  }
  if (!request.udf.empty()) {
    w.AddField(FieldType::kUdfOp, ByteSpan(&request.udf_op, 1));
    w.AddField(FieldType::kUdfPackageName, request.udf.module);
    w.AddField(FieldType::kUdfFunction, request.udf.function);
    w.AddField(FieldType::kUdfArgList, request.udf.args);
  }
  if (!request.filter_expression.empty()) {
    w.AddField(FieldType::kFilterExpression, request.filter_expression);
  }
  if (!request.partition_ids.empty()) {
    w.BeginField(FieldType::kPidArray);
    AppendPartitionIds(request.partition_ids, out);
    w.EndField();
  }
  if (!request.resume_digests.empty()) {
    w.BeginField(FieldType::kDigestArray);
    AppendDigests(request.resume_digests, out);
    w.EndField();
  }
  if (!request.resume_bvals.empty()) {
    w.BeginField(FieldType::kBvalArray);
    AppendBvals(request.resume_bvals, out);
    w.EndField();
  }
  if (request.max_records) w.AddU64Field(FieldType::kMaxRecords, request.max_records);
  if (!request.ops.empty()) {
    for (const OpSpec& op : request.ops) w.AddValueOp(op.op, op.bin, op.value);
  } else {
    for (const std::string& bin : request.bins) {
      w.AddOp(OpType::kRead, ParticleType::kNull, bin, ByteSpan());
    }
  }
  w.Finish();
}

}  // namespace aerospike_py::proto
