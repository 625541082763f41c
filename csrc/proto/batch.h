// Batch-index requests (§8): the encoder used by clients and the row parser
// used by the embedded server. Rows that share a BatchRowShape (namespace,
// set, attributes, ops) with the previous full row are sent as REPEAT rows,
// which is what makes a 200-key read of one set cost ~25 bytes per key.
#pragma once

#include <cstdint>
#include <string_view>

#include "absl/types/span.h"
#include "common/byte_buffer.h"
#include "common/status.h"
#include "proto/constants.h"

namespace aerospike_py::proto {

// Everything of a row except its index and digest.
struct BatchRowShape {
  uint8_t row_flags = batch_row_flags::kHasInfo | batch_row_flags::kHasTtl;
  uint8_t info1 = 0;
  uint8_t info2 = 0;
  uint8_t info3 = 0;
  uint8_t info4 = 0;
  uint16_t generation = 0;
  uint32_t ttl = 0;
  std::string_view ns;
  std::string_view set;
  // Further complete fields (size, type, data) and their counts, in the
  // official C client's order: `extra_fields` follow namespace and set
  // (transaction id, record version, deadline, filter expression), then the
  // row's key field if it sends one, then `trailing_fields` (UDF module,
  // function and arguments). The server accepts any order.
  ByteSpan extra_fields;
  uint16_t n_extra_fields = 0;
  ByteSpan trailing_fields;
  uint16_t n_trailing_fields = 0;
  // Complete encoded ops and their count.
  ByteSpan ops;
  uint16_t n_ops = 0;
};

struct BatchRow {
  uint32_t index = 0;            // position in the caller's key list
  const uint8_t* digest = nullptr;
  const BatchRowShape* shape = nullptr;
  // A complete user-key field (send-key policy). A row that sends its key
  // is never repeated.
  ByteSpan key_field;
};

struct BatchEnvelope {
  uint8_t info1 = info1::kBatch;
  uint32_t transaction_ttl = 0;
  uint8_t batch_flags = batch_flags::kInline | batch_flags::kReportErrorRecord;
  // Field 42 instead of 41 (older Go clients); the layout is identical.
  bool legacy_field = false;
  // Data of an optional batch-level filter expression (field 43).
  ByteSpan filter_expression;
};

// Appends the whole type-3 frame to `out`.
void EncodeBatchRequest(const BatchEnvelope& envelope,
                        absl::Span<const BatchRow> rows, ByteBuffer* out);

// One parsed row with REPEAT rows resolved to their predecessor.
struct BatchRowView {
  uint32_t index = 0;
  const uint8_t* digest = nullptr;
  bool repeated = false;
  uint8_t row_flags = 0;
  uint8_t info1 = 0;
  uint8_t info2 = 0;
  uint8_t info3 = 0;
  uint8_t info4 = 0;
  uint16_t generation = 0;
  uint32_t ttl = 0;
  ByteSpan fields;
  uint16_t n_fields = 0;
  ByteSpan ops;
  uint16_t n_ops = 0;
};

class BatchRowParser {
 public:
  // `data` is the data of field 41 or 42.
  static StatusOr<BatchRowParser> Create(ByteSpan data);

  uint32_t count() const { return count_; }
  uint8_t flags() const { return flags_; }
  // Parses the next row into `row`; returns false after the last row.
  StatusOr<bool> Next(BatchRowView* row);

 private:
  BatchRowParser(ByteSpan rows, uint32_t count, uint8_t flags)
      : rest_(rows), count_(count), flags_(flags) {}
  ByteSpan rest_;
  uint32_t count_;
  uint8_t flags_;
  uint32_t parsed_ = 0;
  bool have_previous_ = false;
  bool previous_has_key_ = false;
  BatchRowView previous_;
};

}  // namespace aerospike_py::proto
