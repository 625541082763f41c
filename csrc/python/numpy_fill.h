// Batch records into NumPy structured-array rows, without Python: the
// layout of a structured dtype as plain C++ (read from the dtype by
// numpy_batch.cc) and the filler that writes each answered record's bins
// straight from the wire bytes into its row, plus generation and TTL.
// The filler runs on the event thread as the batch's BatchFinisher for
// batch_read(_dtype=...), so the GIL-held part of such a call is argument
// reading and wrapping the finished buffer; LazyBatchRecords.to_numpy() runs
// the same code on the caller's thread. Nothing is lost silently: a value
// that does not fit its field (integer range, float overflow, bytes longer
// than the field, a list longer than the sub-array, a type the field cannot
// hold) stops the fill with an error the bridge raises (OverflowError or
// ParamError). Bins the dtype does not name are ignored; fields no bin
// fills stay zero, as in aerospike-py.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "client/command.h"
#include "proto/message_view.h"

namespace aerospike_py::python {

enum class NumpyKind : uint8_t { kInt, kUInt, kFloat, kBool, kBytes /* S */, kVoid /* V */ };

struct NumpyField {
  std::string name;  // the bin it is filled from (UTF-8)
  NumpyKind kind = NumpyKind::kInt;
  uint32_t offset = 0;     // in the row
  uint32_t size = 0;       // whole field: base_size * count
  uint32_t base_size = 0;  // one element
  uint32_t count = 1;      // elements: 1, or the product of a sub-array shape
  bool swap = false;       // non-native byte order
};

struct NumpyLayout {
  std::vector<NumpyField> fields;
  uint32_t row_size = 0;
  // The field named `name`, or -1.
  int Find(std::string_view name) const;
};

// Why a fill stopped. kOverflow: a number out of its field's range;
// kParam: a value the field cannot hold (type, length).
struct NumpyFillError {
  enum class Kind : uint8_t { kNone, kOverflow, kParam };
  Kind kind = Kind::kNone;
  std::string message;
  bool failed() const { return kind != Kind::kNone; }
};

// The memory of a NumPy result, zero-filled, in one block: the rows, then
// meta (gen u4, ttl u4 per row), then result codes (i4 per row). Owned here
// until the bridge wraps it in a Python buffer object.
struct NumpyBlock {
  struct FreeDeleter {
    void operator()(uint8_t* p) const { std::free(p); }
  };
  std::unique_ptr<uint8_t, FreeDeleter> bytes;
  size_t rows = 0;
  size_t size = 0;         // bytes allocated (at least 1)
  size_t meta_offset = 0;  // 8-aligned
  size_t codes_offset = 0;
  // False when the allocation failed.
  bool Allocate(size_t rows, uint32_t row_size);
  uint8_t* row(size_t i, uint32_t row_size) { return bytes.get() + i * row_size; }
  uint8_t* meta(size_t i) { return bytes.get() + meta_offset + i * 8; }
  uint8_t* code(size_t i) { return bytes.get() + codes_offset + i * 4; }
};

// Fills `block` (allocated here) from a finished batch: rows and meta of
// every key answered with result OK. Result codes are left to the bridge
// (they depend on how the command ended). Returns false with `error` set.
bool FillNumpyRows(const NumpyLayout& layout, const client::BatchCommand& cmd,
                   NumpyBlock* block, NumpyFillError* error);

// The BatchFinisher of batch_read(_dtype=...): fills on the event thread.
class NumpyFiller final : public client::BatchFinisher {
 public:
  explicit NumpyFiller(std::shared_ptr<const NumpyLayout> layout) : layout_(std::move(layout)) {}
  void OnBatchDone(client::BatchCommand& cmd, const Status& status) override;

  const NumpyLayout& layout() const { return *layout_; }
  bool ran() const { return ran_; }
  NumpyBlock& block() { return block_; }
  const NumpyFillError& error() const { return error_; }

 private:
  std::shared_ptr<const NumpyLayout> layout_;
  NumpyBlock block_;
  NumpyFillError error_;
  bool ran_ = false;
};

// Exposed for tests of the conversions (and for batch_write_numpy's half
// floats): IEEE binary16 from/to double, round to nearest even.
uint16_t DoubleToHalf(double d);
double HalfToDouble(uint16_t h);

}  // namespace aerospike_py::python
