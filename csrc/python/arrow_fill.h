// Records into Apache Arrow columns, without Python and without the Arrow
// C++ library: the column layout of a schema as plain C++ (read from a
// pyarrow.Schema by arrow_batch.cc), the builder that appends one row per
// record straight from the wire bytes (validity bitmaps, offsets, values),
// and the export of the finished columns as a struct ArrowArray of the Arrow
// C Data Interface (the structs are defined here from the public spec:
// https://arrow.apache.org/docs/format/CDataInterface.html).
//
// Two users: batch_read(_arrow=schema), whose ArrowFiller runs on the event
// thread as the batch's BatchFinisher (no GIL), and
// QueryStream.arrow_batches(), which fills a chunk of a query's records on
// the consumer's thread while it holds the GIL (no Python object per record,
// but not off the GIL yet). The bridge then imports the finished ArrowArray.
//
// Rules (docs/arrow.md): one row per record (per key for a batch, in input
// order); a missing record (any result but OK) is a row of nulls (metadata
// column result_code excepted); a bin the record lacks, or a nil bin, is a
// null; a value the column's type cannot hold stops the fill with an error
// naming the record and the bin, unless the column (or the whole schema)
// asks for null on mismatch. Thread-safe per object; no Python.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "client/command.h"
#include "proto/message_view.h"

// The Arrow C Data Interface structs, as the spec defines them (C ABI).
#ifndef ARROW_C_DATA_INTERFACE
#define ARROW_C_DATA_INTERFACE
extern "C" {
struct ArrowSchema {
  const char* format;
  const char* name;
  const char* metadata;
  int64_t flags;
  int64_t n_children;
  struct ArrowSchema** children;
  struct ArrowSchema* dictionary;
  void (*release)(struct ArrowSchema*);
  void* private_data;
};

struct ArrowArray {
  int64_t length;
  int64_t null_count;
  int64_t offset;
  int64_t n_buffers;
  int64_t n_children;
  const void** buffers;
  struct ArrowArray** children;
  struct ArrowArray* dictionary;
  void (*release)(struct ArrowArray*);
  void* private_data;
};
}
#endif

namespace aerospike_py::python {

// What a column holds. The k*List kinds are list<item> of the base kind;
// the metadata kinds are filled from the record's header, not a bin.
enum class ArrowKind : uint8_t {
  kInt64,
  kFloat64,
  kBool,
  kUtf8,         // int32 offsets
  kLargeUtf8,    // int64 offsets
  kBinary,       // int32 offsets
  kLargeBinary,  // int64 offsets
  kListInt64,
  kListFloat64,
  kListUtf8,
  kGeneration,  // uint32, null for a missing record
  kTtl,         // uint32 seconds left (0xFFFFFFFF: never expires), null for a missing record
  kResultCode,  // int32, never null: the key's result code
};

struct ArrowColumnSpec {
  std::string name;  // the bin (UTF-8); for metadata kinds, the column name only
  ArrowKind kind = ArrowKind::kInt64;
  bool null_on_mismatch = false;
};

struct ArrowLayout {
  std::vector<ArrowColumnSpec> columns;
  // The bin column named `name`, or -1 (metadata columns are not bins).
  int FindBin(std::string_view name) const;
};

// Why a fill stopped.
struct ArrowFillError {
  bool failed = false;
  int64_t row = -1;  // the record's row (a batch's key index), -1 if unknown
  std::string message;
};

// One column's buffers while it grows; also a list's child.
struct ArrowColumnData {
  ArrowKind kind = ArrowKind::kInt64;  // for a child: the item kind
  int64_t length = 0;
  int64_t null_count = 0;
  std::vector<uint8_t> validity;  // bit i set: row i has a value
  std::vector<uint8_t> offsets;   // int32 / int64 offsets (variable-size kinds, lists)
  std::vector<uint8_t> values;    // fixed-size values, bool bits or bytes
  std::unique_ptr<ArrowColumnData> child;  // list items
};

// The finished columns of one RecordBatch. Counted (LiveArrowBatches) so
// tests can see that every exported batch was released exactly once.
struct ArrowBatchData {
  ArrowBatchData();
  ~ArrowBatchData();
  ArrowBatchData(const ArrowBatchData&) = delete;
  ArrowBatchData& operator=(const ArrowBatchData&) = delete;
  int64_t rows = 0;
  std::vector<ArrowColumnData> columns;
};

// ArrowBatchData objects alive (exported arrays not yet released included).
int64_t LiveArrowBatches();

// Appends rows, one per record, to the columns of `layout`.
class ArrowBuilder {
 public:
  explicit ArrowBuilder(std::shared_ptr<const ArrowLayout> layout, size_t expected_rows = 0);
  ~ArrowBuilder();
  ArrowBuilder(const ArrowBuilder&) = delete;
  ArrowBuilder& operator=(const ArrowBuilder&) = delete;

  // A found record: its bins from `message`; `now` is
  // proto::NowServerEpochSeconds() (for the TTL column). `where` names the
  // record in error messages ("batch record 3"). False with error() set.
  bool AppendRecord(const proto::MessageView& message, uint32_t generation, uint32_t void_time,
                    int64_t now, const std::string& where);
  // A key without a record: nulls, and its result code.
  void AppendMissing(int32_t result_code);
  int64_t rows() const;
  const ArrowFillError& error() const { return error_; }
  // The columns so far; the builder is empty afterwards.
  std::unique_ptr<ArrowBatchData> Finish();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  ArrowFillError error_;
};

// Fills the columns of a finished batch: one row per key, input order.
// False with `error` set (the data is then discarded).
bool FillArrowBatch(std::shared_ptr<const ArrowLayout> layout, const client::BatchCommand& cmd,
                    std::unique_ptr<ArrowBatchData>* out, ArrowFillError* error);

// Moves `data` into `*out` as a struct array whose children are the
// columns (what a RecordBatch imports). `out->release` frees everything
// once, whoever calls it; children may be moved out and released on their
// own, as the spec allows.
void ExportArrowBatch(std::unique_ptr<ArrowBatchData> data, ArrowArray* out);

// The BatchFinisher of batch_read(_arrow=...): fills on the event thread.
class ArrowFiller final : public client::BatchFinisher {
 public:
  explicit ArrowFiller(std::shared_ptr<const ArrowLayout> layout) : layout_(std::move(layout)) {}
  void OnBatchDone(client::BatchCommand& cmd, const Status& status) override;

  const std::shared_ptr<const ArrowLayout>& layout() const { return layout_; }
  bool ran() const { return ran_; }
  std::unique_ptr<ArrowBatchData>& data() { return data_; }
  const ArrowFillError& error() const { return error_; }

 private:
  std::shared_ptr<const ArrowLayout> layout_;
  std::unique_ptr<ArrowBatchData> data_;
  ArrowFillError error_;
  bool ran_ = false;
};

}  // namespace aerospike_py::python
