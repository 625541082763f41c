// Batch-index requests (fields 41/42, wire protocol §8): one reply message
// per row, in row order, with the row's index in transaction_ttl, then the
// LAST message in a frame of its own. Error semantics follow the server's
// batch.c: without REPORT_ALL_ERRORS a row failing with anything but
// not-found (2) or filtered-out (27) ends the batch, and the trailer carries
// its code; REPORT_ERROR_REC keeps the rows answered so far.
#include "proto/batch.h"
#include "server/processor.h"
#include "server/reply.h"

namespace aerospike_py::server {

namespace {

void AppendLast(ByteBuffer* out, uint8_t result) {
  ReplyHeader h;
  h.info3 = proto::info3::kLast;
  h.result = result;
  AppendHeaderOnlyFrame(out, h);
}

// Rows above this many reply bytes start a new frame, so a huge batch is
// not one giant frame (the real server also answers in blocks).
constexpr size_t kFrameBytes = 1 << 20;

// The real server answers a batch read row with every op typed READ (1),
// whatever the request op was (an expression read, 7, included): its
// as_batch_add_result() writes the ops afresh. Batch write rows keep the
// echoed op types. `msg_at` is where the row's AS_MSG header starts.
void MarkOpsRead(ByteBuffer* out, size_t msg_at) {
  uint8_t* msg = out->data() + msg_at;
  const uint8_t* end = out->data() + out->size();
  const uint16_t n_fields = LoadBE16(msg + 18);
  const uint16_t n_ops = LoadBE16(msg + 20);
  uint8_t* p = msg + proto::kMsgHeaderSize;
  for (uint16_t i = 0; i < n_fields && p + 4 <= end; ++i) p += 4 + LoadBE32(p);
  for (uint16_t i = 0; i < n_ops && p + 5 <= end; ++i) {
    p[4] = static_cast<uint8_t>(proto::OpType::kRead);
    p += 4 + LoadBE32(p);
  }
}

}  // namespace

void Processor::HandleBatch(int node, const proto::MessageView& m, const RequestFields& f,
                            ByteBuffer* out) {
  ++state_->stats.batch_index_initiate;
  const uint8_t kParam = static_cast<uint8_t>(ResultCode::kParameter);
  if (!f.has_batch) {
    ++state_->stats.batch_index_error;
    AppendLast(out, kParam);
    return;
  }
  auto parser_or = proto::BatchRowParser::Create(f.batch);
  if (!parser_or.ok() || parser_or->count() == 0) {
    ++state_->stats.batch_index_error;
    AppendLast(out, kParam);
    return;
  }
  proto::BatchRowParser& parser = *parser_or;
  if (parser.count() > state_->options.batch_max_requests) {
    ++state_->stats.batch_index_error;
    AppendLast(out, static_cast<uint8_t>(ResultCode::kBatchMaxRequests));
    return;
  }
  const bool respond_all = (parser.flags() & proto::batch_flags::kRespondAllKeys) != 0;
  const bool keep_error_row = (parser.flags() & proto::batch_flags::kReportErrorRecord) != 0;
  const size_t start = out->size();
  size_t frame = BeginFrame(out);
  uint8_t trailer = 0;

  proto::BatchRowView row;
  RequestFields fields;
  Namespace* ns = nullptr;
  while (true) {
    auto more = parser.Next(&row);
    if (!more.ok()) {
      // A malformed row fails the whole batch, like a malformed request.
      out->Resize(start);
      ++state_->stats.batch_index_error;
      AppendLast(out, kParam);
      return;
    }
    if (!*more) break;
    if (!row.repeated) {
      // Repeated rows reuse the previous row's fields; only the digest
      // differs, so they cost no parsing.
      fields = RequestFields();
      ParseFields(row.fields, &fields);
      ns = fields.has_ns ? state_->store.Find(fields.ns) : nullptr;
    }
    fields.digest = row.digest;
    proto::MsgHeader h;
    h.info1 = row.info1 & ~(proto::info1::kCompressResponse | proto::info1::kXdr);
    if (row.row_flags & proto::batch_row_flags::kHasInfo) {
      h.info2 = row.info2;
      h.info3 = row.info3;
    } else {
      h.info3 = m.header.info3 & (proto::info3::kScReadType | proto::info3::kScReadRelax);
    }
    h.info4 = row.info4;
    h.generation = row.generation;
    h.record_ttl = row.ttl;
    uint8_t rc;
    if (ns == nullptr) {
      rc = static_cast<uint8_t>(ResultCode::kInvalidNamespace);
      ReplyHeader rh;
      rh.result = rc;
      rh.index = row.index;
      AppendMsgHeader(out, rh);
    } else {
      const size_t row_at = out->size();
      rc = ExecuteRecord(node, h, ns, fields, row.ops, row.n_ops, &f, row.index, out);
      if ((h.info2 & proto::info2::kWrite) == 0) MarkOpsRead(out, row_at);
    }
    if (rc != 0 && rc != static_cast<uint8_t>(ResultCode::kRecordNotFound) &&
        rc != static_cast<uint8_t>(ResultCode::kFilteredOut) && !respond_all) {
      trailer = rc;
      if (!keep_error_row) {
        out->Resize(start);
        frame = BeginFrame(out);
      }
      break;
    }
    if (out->size() - frame > kFrameBytes) {
      EndFrame(out, frame);
      frame = BeginFrame(out);
    }
  }
  if (out->size() - frame > proto::kProtoHeaderSize) {
    EndFrame(out, frame);
  } else {
    out->Resize(frame);  // no rows since the last frame: drop its header
  }
  if (trailer != 0) ++state_->stats.batch_index_error;
  else ++state_->stats.batch_index_complete;
  AppendLast(out, trailer);
}

}  // namespace aerospike_py::server
