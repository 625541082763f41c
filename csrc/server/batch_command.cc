// Batch-index requests (fields 41/42, wire protocol §8): one reply message
// per row, in row order, with the row's index in transaction_ttl, then the
// LAST message in a frame of its own. Rows are executed in order (inline,
// as the server does for in-memory namespaces) and their replies collected
// in blocks of 128 KiB; error semantics follow the server's batch.c
// (as_batch_reserve()/as_batch_send_response()): without
// REPORT_ALL_ERRORS, a row failing with anything but not-found (2) or
// filtered-out (27) makes the batch's code that error, every row is still
// executed, and blocks not yet sent are dropped, except that with
// REPORT_ERROR_REC the block holding the failing row is sent first. A row
// that cannot be parsed (REPEAT first or after a row with a key, unknown
// namespace, bytes short of the announced count) ends the parsing and
// fails the batch with PARAMETER; the rows before it were executed.
#include <vector>

#include "proto/batch.h"
#include "server/expression.h"
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

// BATCH_BLOCK_SIZE: the server's reply block; a block becomes one frame.
constexpr size_t kBlockBytes = 128 * 1024;

bool IsBatchError(uint8_t rc) {
  return rc != 0 && rc != static_cast<uint8_t>(ResultCode::kRecordNotFound) &&
         rc != static_cast<uint8_t>(ResultCode::kFilteredOut);
}

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
  auto refuse = [&](uint8_t rc) {
    ++state_->stats.batch_index_error;
    AppendLast(out, rc);
  };
  if (!f.has_batch) return refuse(kParam);
  auto parser_or = proto::BatchRowParser::Create(f.batch);
  if (!parser_or.ok() || parser_or->count() == 0) return refuse(kParam);
  proto::BatchRowParser& parser = *parser_or;
  const uint32_t max_rows = state_->options.batch_max_requests;
  if (max_rows != 0 && parser.count() > max_rows) {
    return refuse(static_cast<uint8_t>(ResultCode::kBatchMaxRequests));
  }
  if (f.has_filter) {
    // A batch-level filter that does not build fails the whole batch.
    Record probe;
    const Digest zero{};
    FilterSubject s{&probe, {}, zero.data(), clock_.now_ns};
    if (EvaluateFilter(f.filter, s) == FilterResult::kError) return refuse(kParam);
  }
  const bool report_all = (parser.flags() & proto::batch_flags::kRespondAllKeys) != 0;
  const bool report_error_rec = (parser.flags() & proto::batch_flags::kReportErrorRecord) != 0;

  // The batch's code (shared->result_code) and the block being filled,
  // with the error it carries for REPORT_ERROR_REC.
  uint8_t batch_rc = 0;
  ByteBuffer block;
  uint8_t block_rc = 0;
  auto complete_block = [&] {
    if (block.size() != 0 && batch_rc == 0) {
      if (report_error_rec) batch_rc = block_rc;
      const size_t frame = BeginFrame(out);
      out->Append(block.span());
      EndFrame(out, frame);
    }
    block.Clear();
    block_rc = 0;
  };

  proto::BatchRowView row;
  RequestFields fields;
  Namespace* ns = nullptr;
  ByteBuffer reply;
  for (;;) {
    auto more = parser.Next(&row);
    if (!more.ok()) {
      batch_rc = kParam;  // as_batch_terminate(): the rest is not parsed
      break;
    }
    if (!*more) break;
    if (!row.repeated) {
      // Repeated rows reuse the previous row's fields; only the digest
      // differs, so they cost no parsing.
      fields = RequestFields();
      ParseFields(row.fields, &fields);
      ns = fields.has_ns ? state_->store.Find(fields.ns) : nullptr;
      if (ns == nullptr) {
        batch_rc = kParam;  // "batch request has unknown namespace"
        break;
      }
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
    reply.Clear();
    const uint8_t rc = ExecuteRecord(node, h, ns, fields, row.ops, row.n_ops, &f, row.index,
                                     &reply);
    if ((h.info2 & proto::info2::kWrite) == 0) MarkOpsRead(&reply, 0);
    if (block.size() != 0 && block.size() + reply.size() > kBlockBytes) complete_block();
    block.Append(reply.span());
    if (!report_all && IsBatchError(rc)) {
      if (report_error_rec) {
        block_rc = rc;
      } else {
        batch_rc = rc;
      }
    }
  }
  complete_block();
  if (batch_rc != 0) ++state_->stats.batch_index_error;
  else ++state_->stats.batch_index_complete;
  AppendLast(out, batch_rc);
}

}  // namespace aerospike_py::server
