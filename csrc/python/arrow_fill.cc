#include "python/arrow_fill.h"

#include <atomic>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "common/byte_order.h"
#include "proto/constants.h"
#include "proto/msgpack.h"
#include "proto/ttl.h"

namespace aerospike_py::python {
namespace {

using proto::MsgpackItem;
using proto::MsgpackReader;
using proto::ParticleType;

std::atomic<int64_t> g_live_batches{0};

// What the buffers of an empty (but non-null) buffer point at: the spec
// wants every buffer but the validity bitmap to be a valid pointer.
alignas(64) const uint8_t kEmptyBuffer[64] = {};

bool IsVarSize(ArrowKind k) {
  return k == ArrowKind::kUtf8 || k == ArrowKind::kLargeUtf8 || k == ArrowKind::kBinary ||
         k == ArrowKind::kLargeBinary;
}
bool IsLargeOffsets(ArrowKind k) {
  return k == ArrowKind::kLargeUtf8 || k == ArrowKind::kLargeBinary;
}
bool IsList(ArrowKind k) {
  return k == ArrowKind::kListInt64 || k == ArrowKind::kListFloat64 ||
         k == ArrowKind::kListUtf8;
}
ArrowKind ItemKind(ArrowKind list) {
  switch (list) {
    case ArrowKind::kListFloat64: return ArrowKind::kFloat64;
    case ArrowKind::kListUtf8: return ArrowKind::kUtf8;
    default: return ArrowKind::kInt64;
  }
}
size_t FixedWidth(ArrowKind k) {
  switch (k) {
    case ArrowKind::kInt64:
    case ArrowKind::kFloat64: return 8;
    case ArrowKind::kGeneration:
    case ArrowKind::kTtl:
    case ArrowKind::kResultCode: return 4;
    default: return 0;
  }
}

const char* KindName(ArrowKind k) {
  switch (k) {
    case ArrowKind::kInt64: return "int64";
    case ArrowKind::kFloat64: return "double";
    case ArrowKind::kBool: return "bool";
    case ArrowKind::kUtf8: return "string";
    case ArrowKind::kLargeUtf8: return "large_string";
    case ArrowKind::kBinary: return "binary";
    case ArrowKind::kLargeBinary: return "large_binary";
    case ArrowKind::kListInt64: return "list<int64>";
    case ArrowKind::kListFloat64: return "list<double>";
    case ArrowKind::kListUtf8: return "list<string>";
    case ArrowKind::kGeneration: return "generation";
    case ArrowKind::kTtl: return "ttl";
    case ArrowKind::kResultCode: return "result_code";
  }
  return "?";
}

const char* ParticleName(uint8_t t) {
  switch (static_cast<ParticleType>(t)) {
    case ParticleType::kInteger: return "an integer";
    case ParticleType::kFloat: return "a float";
    case ParticleType::kString: return "a string";
    case ParticleType::kBlob: return "bytes";
    case ParticleType::kBool: return "a bool";
    case ParticleType::kList: return "a list";
    case ParticleType::kMap: return "a map";
    case ParticleType::kGeoJson: return "a GeoJSON value";
    case ParticleType::kHll: return "an HLL";
    default: return "a value of another type";
  }
}

void InitColumn(ArrowColumnData* c, ArrowKind kind, size_t rows) {
  c->kind = kind;
  c->validity.reserve((rows + 7) / 8);
  const size_t width = FixedWidth(kind);
  if (width != 0) c->values.reserve(rows * width);
  if (IsVarSize(kind) || IsList(kind)) {
    const size_t ow = IsLargeOffsets(kind) ? 8 : 4;
    c->offsets.reserve((rows + 1) * ow);
    c->offsets.resize(ow, 0);  // the first offset: 0
  }
  if (IsList(kind)) {
    c->child = std::make_unique<ArrowColumnData>();
    InitColumn(c->child.get(), ItemKind(kind), rows * 4);
  }
}

// Appends the validity bit of the next slot.
inline void PushValid(ArrowColumnData* c, bool valid) {
  const int64_t i = c->length++;
  if ((i & 7) == 0) c->validity.push_back(0);
  if (valid) {
    c->validity.back() |= static_cast<uint8_t>(1u << (i & 7));
  } else {
    ++c->null_count;
  }
}

inline void PushBit(std::vector<uint8_t>* bits, int64_t i, bool on) {
  if ((i & 7) == 0) bits->push_back(0);
  if (on) bits->back() |= static_cast<uint8_t>(1u << (i & 7));
}

inline void PushRaw(std::vector<uint8_t>* v, const void* p, size_t n) {
  const auto* b = static_cast<const uint8_t*>(p);
  v->insert(v->end(), b, b + n);
}

// The end offset of a variable-size or list column so far.
inline int64_t LastOffset(const ArrowColumnData& c) {
  if (IsLargeOffsets(c.kind)) {
    int64_t o;
    std::memcpy(&o, c.offsets.data() + c.offsets.size() - 8, 8);
    return o;
  }
  int32_t o;
  std::memcpy(&o, c.offsets.data() + c.offsets.size() - 4, 4);
  return o;
}

// Pushes the next offset; false when it would pass int32 (use large_*).
inline bool PushOffset(ArrowColumnData* c, int64_t end) {
  if (IsLargeOffsets(c->kind)) {
    PushRaw(&c->offsets, &end, 8);
    return true;
  }
  if (end > INT32_MAX) return false;
  const int32_t o = static_cast<int32_t>(end);
  PushRaw(&c->offsets, &o, 4);
  return true;
}

// A null in the next slot of `c`.
void PushNull(ArrowColumnData* c) {
  const int64_t i = c->length;
  PushValid(c, false);
  const size_t width = FixedWidth(c->kind);
  if (width != 0) {
    c->values.resize(c->values.size() + width, 0);
  } else if (c->kind == ArrowKind::kBool) {
    PushBit(&c->values, i, false);
  } else {
    PushOffset(c, LastOffset(*c));  // same end: cannot overflow
  }
}

// Where a column stood before a row's value, to take a half-written list
// back (null on mismatch).
struct Mark {
  int64_t length, null_count;
  size_t validity, offsets, values;
};
Mark MarkOf(const ArrowColumnData& c) {
  return {c.length, c.null_count, c.validity.size(), c.offsets.size(), c.values.size()};
}
void Rewind(ArrowColumnData* c, const Mark& m) {
  c->length = m.length;
  c->null_count = m.null_count;
  c->validity.resize(m.validity);
  c->offsets.resize(m.offsets);
  c->values.resize(m.values);
  // Bits past the length in the last bitmap byte must read as 0 again.
  if ((m.length & 7) != 0 && !c->validity.empty()) {
    c->validity.back() &= static_cast<uint8_t>((1u << (m.length & 7)) - 1);
  }
  if (c->kind == ArrowKind::kBool && (m.length & 7) != 0 && !c->values.empty()) {
    c->values.back() &= static_cast<uint8_t>((1u << (m.length & 7)) - 1);
  }
}

// The outcome of one value.
enum class Put : uint8_t { kOk, kNull, kMismatch, kTooLarge, kMalformed };

}  // namespace

int ArrowLayout::FindBin(std::string_view name) const {
  for (size_t i = 0; i < columns.size(); ++i) {
    const ArrowKind k = columns[i].kind;
    if (k == ArrowKind::kGeneration || k == ArrowKind::kTtl || k == ArrowKind::kResultCode) {
      continue;
    }
    if (columns[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

ArrowBatchData::ArrowBatchData() { g_live_batches.fetch_add(1, std::memory_order_relaxed); }
ArrowBatchData::~ArrowBatchData() { g_live_batches.fetch_sub(1, std::memory_order_relaxed); }

int64_t LiveArrowBatches() { return g_live_batches.load(std::memory_order_relaxed); }

struct ArrowBuilder::Impl {
  std::shared_ptr<const ArrowLayout> layout;
  std::unique_ptr<ArrowBatchData> data;
  std::vector<uint8_t> filled;  // per column, this row
  std::vector<int> hints;       // per op position: the column found there last time
  std::string problem;          // detail of the last kMismatch / kMalformed

  int Lookup(std::string_view name, size_t position) {
    if (position < hints.size()) {
      const int h = hints[position];
      if (h >= 0 && layout->columns[static_cast<size_t>(h)].name == name) return h;
    } else {
      hints.resize(position + 1, -1);
    }
    const int found = layout->FindBin(name);
    hints[position] = found;
    return found;
  }

  Put Scalar(ArrowColumnData* c, uint8_t particle, ByteSpan value);
  Put List(ArrowColumnData* c, ByteSpan value);
  // kNull: nothing appended (the ordered-list flag, not an item).
  Put ListItem(ArrowColumnData* item, MsgpackReader* r, uint32_t k);
};

Put ArrowBuilder::Impl::Scalar(ArrowColumnData* c, uint8_t particle, ByteSpan value) {
  const auto type = static_cast<ParticleType>(particle);
  if (type == ParticleType::kNull) return Put::kNull;
  switch (c->kind) {
    case ArrowKind::kInt64: {
      if (type != ParticleType::kInteger) return Put::kMismatch;
      int64_t v;
      switch (value.size()) {
        case 8: v = static_cast<int64_t>(LoadBE64(value.data())); break;
        case 4: v = static_cast<int32_t>(LoadBE32(value.data())); break;
        case 2: v = static_cast<int16_t>(LoadBE16(value.data())); break;
        case 1: v = static_cast<int8_t>(value[0]); break;
        default: problem = "malformed integer particle"; return Put::kMalformed;
      }
      PushValid(c, true);
      PushRaw(&c->values, &v, 8);
      return Put::kOk;
    }
    case ArrowKind::kFloat64: {
      double d;
      if (type == ParticleType::kFloat) {
        if (value.size() != 8) {
          problem = "malformed float particle";
          return Put::kMalformed;
        }
        d = BitsToDouble(LoadBE64(value.data()));
      } else if (type == ParticleType::kInteger && value.size() == 8) {
        // A whole number written as an int: exact below 2^53, the nearest
        // double above (as float(x) in Python).
        d = static_cast<double>(static_cast<int64_t>(LoadBE64(value.data())));
      } else {
        return Put::kMismatch;
      }
      PushValid(c, true);
      PushRaw(&c->values, &d, 8);
      return Put::kOk;
    }
    case ArrowKind::kBool: {
      bool b;
      if (type == ParticleType::kBool && value.size() == 1) {
        b = value[0] != 0;
      } else {
        return Put::kMismatch;
      }
      const int64_t i = c->length;
      PushValid(c, true);
      PushBit(&c->values, i, b);
      return Put::kOk;
    }
    case ArrowKind::kUtf8:
    case ArrowKind::kLargeUtf8:
    case ArrowKind::kBinary:
    case ArrowKind::kLargeBinary: {
      const bool text = c->kind == ArrowKind::kUtf8 || c->kind == ArrowKind::kLargeUtf8;
      // Strings are UTF-8 on the wire; a binary column takes either.
      if (type != ParticleType::kString && (text || type != ParticleType::kBlob)) {
        return Put::kMismatch;
      }
      if (!PushOffset(c, LastOffset(*c) + static_cast<int64_t>(value.size()))) {
        return Put::kTooLarge;
      }
      PushValid(c, true);
      PushRaw(&c->values, value.data(), value.size());
      return Put::kOk;
    }
    case ArrowKind::kListInt64:
    case ArrowKind::kListFloat64:
    case ArrowKind::kListUtf8:
      if (type != ParticleType::kList) return Put::kMismatch;
      return List(c, value);
    default:
      return Put::kMismatch;
  }
}

Put ArrowBuilder::Impl::List(ArrowColumnData* c, ByteSpan value) {
  MsgpackReader r(value);
  MsgpackItem head;
  if (!r.Next(&head).ok() || head.kind != MsgpackItem::Kind::kArray) {
    problem = "malformed list particle";
    return Put::kMalformed;
  }
  ArrowColumnData* item = c->child.get();
  const uint32_t count = head.count;
  for (uint32_t k = 0; k < count; ++k) {
    const Put p = ListItem(item, &r, k);
    if (p != Put::kOk && p != Put::kNull) return p;
  }
  if (!PushOffset(c, item->length)) return Put::kTooLarge;
  PushValid(c, true);
  return Put::kOk;
}

Put ArrowBuilder::Impl::ListItem(ArrowColumnData* item, MsgpackReader* r, uint32_t k) {
  if (item->kind == ArrowKind::kInt64) {
    int64_t v;
    if (r->TryNextInt(&v)) {
      PushValid(item, true);
      PushRaw(&item->values, &v, 8);
      return Put::kOk;
    }
  } else if (item->kind == ArrowKind::kFloat64) {
    double d;
    if (r->TryNextDouble(&d)) {
      PushValid(item, true);
      PushRaw(&item->values, &d, 8);
      return Put::kOk;
    }
  }
  MsgpackItem it;
  if (!r->Next(&it).ok()) {
    problem = "malformed list particle";
    return Put::kMalformed;
  }
  if (it.kind == MsgpackItem::Kind::kNil) {
    PushNull(item);
    return Put::kOk;
  }
  // An ordered list starts with its order flag, which is not an item.
  if (k == 0 && it.kind == MsgpackItem::Kind::kExt && proto::IsOrderFlagExt(it)) return Put::kNull;
  switch (item->kind) {
    case ArrowKind::kInt64:
      if (it.kind == MsgpackItem::Kind::kUInt) {
        problem = absl::StrCat("list item ", it.u, " does not fit in int64");
        return Put::kMismatch;
      }
      break;
    case ArrowKind::kFloat64:
      if (it.kind == MsgpackItem::Kind::kInt || it.kind == MsgpackItem::Kind::kUInt) {
        const double d = it.kind == MsgpackItem::Kind::kInt ? static_cast<double>(it.i)
                                                            : static_cast<double>(it.u);
        PushValid(item, true);
        PushRaw(&item->values, &d, 8);
        return Put::kOk;
      }
      break;
    case ArrowKind::kUtf8:
      // Strings inside CDT values carry their particle type as a first byte.
      if (it.kind == MsgpackItem::Kind::kStr && !it.data.empty() &&
          static_cast<uint8_t>(it.data[0]) == static_cast<uint8_t>(ParticleType::kString)) {
        const std::string_view s = it.data.substr(1);
        if (!PushOffset(item, LastOffset(*item) + static_cast<int64_t>(s.size()))) {
          return Put::kTooLarge;
        }
        PushValid(item, true);
        PushRaw(&item->values, s.data(), s.size());
        return Put::kOk;
      }
      break;
    default:
      break;
  }
  problem = "a list item of another type";
  return Put::kMismatch;
}

ArrowBuilder::ArrowBuilder(std::shared_ptr<const ArrowLayout> layout, size_t expected_rows)
    : impl_(std::make_unique<Impl>()) {
  impl_->layout = std::move(layout);
  impl_->data = std::make_unique<ArrowBatchData>();
  const auto& cols = impl_->layout->columns;
  impl_->data->columns.resize(cols.size());
  for (size_t i = 0; i < cols.size(); ++i) {
    InitColumn(&impl_->data->columns[i], cols[i].kind, expected_rows);
  }
  impl_->filled.resize(cols.size());
}

ArrowBuilder::~ArrowBuilder() = default;

int64_t ArrowBuilder::rows() const { return impl_->data->rows; }

bool ArrowBuilder::AppendRecord(const proto::MessageView& message, uint32_t generation,
                                uint32_t void_time, int64_t now,
                                const std::string& where) {
  Impl& m = *impl_;
  const auto& specs = m.layout->columns;
  auto& cols = m.data->columns;
  std::fill(m.filled.begin(), m.filled.end(), 0);
  proto::OpIterator it(message);
  proto::OpView op;
  size_t position = 0;
  while (it.Next(&op)) {
    const int f = m.Lookup(op.name, position++);
    if (f < 0 || m.filled[static_cast<size_t>(f)]) continue;
    const size_t ci = static_cast<size_t>(f);
    ArrowColumnData* c = &cols[ci];
    const Mark mark = MarkOf(*c);
    const Mark child_mark = c->child ? MarkOf(*c->child) : Mark{};
    m.problem.clear();
    const Put p = m.Scalar(c, op.particle_type, op.value);
    if (p == Put::kOk) {
      m.filled[ci] = 1;
      continue;
    }
    Rewind(c, mark);
    if (c->child) Rewind(c->child.get(), child_mark);
    if (p == Put::kNull || (p == Put::kMismatch && specs[ci].null_on_mismatch)) continue;
    error_.failed = true;
    std::string what;
    switch (p) {
      case Put::kTooLarge:
        what = "more than 2 GiB of data: use a large_string / large_binary column";
        break;
      case Put::kMalformed:
        what = m.problem;
        break;
      default:
        what = m.problem.empty()
                   ? absl::StrCat(ParticleName(op.particle_type), " cannot be stored in it")
                   : m.problem;
        break;
    }
    error_.message = absl::StrCat(where, ", bin '", specs[ci].name, "' (", KindName(specs[ci].kind),
                                  " column): ", what);
    return false;
  }
  for (size_t ci = 0; ci < cols.size(); ++ci) {
    ArrowColumnData* c = &cols[ci];
    switch (specs[ci].kind) {
      case ArrowKind::kGeneration:
        PushValid(c, true);
        PushRaw(&c->values, &generation, 4);
        break;
      case ArrowKind::kTtl: {
        const uint32_t ttl = proto::TtlFromVoidTime(void_time, now);
        PushValid(c, true);
        PushRaw(&c->values, &ttl, 4);
        break;
      }
      case ArrowKind::kResultCode: {
        const int32_t ok = 0;
        PushValid(c, true);
        PushRaw(&c->values, &ok, 4);
        break;
      }
      default:
        if (!m.filled[ci]) PushNull(c);
        break;
    }
  }
  ++m.data->rows;
  return true;
}

void ArrowBuilder::AppendMissing(int32_t result_code) {
  Impl& m = *impl_;
  const auto& specs = m.layout->columns;
  auto& cols = m.data->columns;
  for (size_t ci = 0; ci < cols.size(); ++ci) {
    if (specs[ci].kind == ArrowKind::kResultCode) {
      PushValid(&cols[ci], true);
      PushRaw(&cols[ci].values, &result_code, 4);
    } else {
      PushNull(&cols[ci]);
    }
  }
  ++m.data->rows;
}

std::unique_ptr<ArrowBatchData> ArrowBuilder::Finish() {
  std::unique_ptr<ArrowBatchData> out = std::move(impl_->data);
  impl_->data = std::make_unique<ArrowBatchData>();
  const auto& cols = impl_->layout->columns;
  impl_->data->columns.resize(cols.size());
  for (size_t i = 0; i < cols.size(); ++i) InitColumn(&impl_->data->columns[i], cols[i].kind, 0);
  return out;
}

bool FillArrowBatch(std::shared_ptr<const ArrowLayout> layout, const client::BatchCommand& cmd,
                    std::unique_ptr<ArrowBatchData>* out, ArrowFillError* error) {
  const size_t n = cmd.results.size();
  ArrowBuilder builder(std::move(layout), n);
  const int64_t now = proto::NowServerEpochSeconds();
  std::string where;
  for (size_t i = 0; i < n; ++i) {
    const client::BatchRecordResult& r = cmd.results[i];
    if (!r.answered || r.result != ResultCode::kOk) {
      // The bridge writes the final codes (they depend on how the batch ended).
      builder.AppendMissing(static_cast<int32_t>(r.result));
      continue;
    }
    where.clear();
    absl::StrAppend(&where, "batch record ", i);
    if (!builder.AppendRecord(r.message, r.generation, r.void_time, now, where)) {
      *error = builder.error();
      error->row = static_cast<int64_t>(i);
      return false;
    }
  }
  *out = builder.Finish();
  return true;
}

// ---------------------------------------------------------------------------
// Export. Every ArrowArray (the struct and each column, each list's items)
// has its own ExportNode as private_data: the node holds a reference to the
// shared data, the buffer pointer array, and the structs of its children.
// Releasing a node releases its children that were not moved out, then drops
// its reference; the data goes with the last one.

namespace {

struct ExportNode {
  std::shared_ptr<ArrowBatchData> data;
  const void* buffers[3] = {};
  std::vector<ArrowArray> child_structs;
  std::vector<ArrowArray*> child_ptrs;
};

void ReleaseNode(ArrowArray* a) {
  if (a == nullptr || a->release == nullptr) return;
  auto* node = static_cast<ExportNode*>(a->private_data);
  for (ArrowArray* c : node->child_ptrs) {
    if (c->release != nullptr) c->release(c);
  }
  delete node;
  a->release = nullptr;
  a->private_data = nullptr;
}

const void* BufferOrEmpty(const std::vector<uint8_t>& v) {
  return v.empty() ? static_cast<const void*>(kEmptyBuffer) : v.data();
}

void ExportColumn(const std::shared_ptr<ArrowBatchData>& data, const ArrowColumnData& c,
                  ArrowArray* out) {
  auto* node = new ExportNode;
  node->data = data;
  int64_t n_buffers = 2;
  node->buffers[0] = c.null_count == 0 ? nullptr : c.validity.data();
  if (IsVarSize(c.kind)) {
    n_buffers = 3;
    node->buffers[1] = c.offsets.data();
    node->buffers[2] = BufferOrEmpty(c.values);
  } else if (IsList(c.kind)) {
    node->buffers[1] = c.offsets.data();
    node->child_structs.resize(1);
    node->child_ptrs.push_back(&node->child_structs[0]);
    ExportColumn(data, *c.child, &node->child_structs[0]);
  } else {
    node->buffers[1] = BufferOrEmpty(c.values);
  }
  out->length = c.length;
  out->null_count = c.null_count;
  out->offset = 0;
  out->n_buffers = n_buffers;
  out->n_children = static_cast<int64_t>(node->child_ptrs.size());
  out->buffers = node->buffers;
  out->children = node->child_ptrs.empty() ? nullptr : node->child_ptrs.data();
  out->dictionary = nullptr;
  out->release = ReleaseNode;
  out->private_data = node;
}

}  // namespace

void ExportArrowBatch(std::unique_ptr<ArrowBatchData> owned, ArrowArray* out) {
  std::shared_ptr<ArrowBatchData> data(std::move(owned));
  auto* node = new ExportNode;
  node->data = data;
  node->child_structs.resize(data->columns.size());
  for (size_t i = 0; i < data->columns.size(); ++i) {
    node->child_ptrs.push_back(&node->child_structs[i]);
    ExportColumn(data, data->columns[i], &node->child_structs[i]);
  }
  out->length = data->rows;
  out->null_count = 0;
  out->offset = 0;
  out->n_buffers = 1;  // a struct's validity bitmap only: none, no row is null
  out->n_children = static_cast<int64_t>(node->child_ptrs.size());
  out->buffers = node->buffers;
  out->children = node->child_ptrs.empty() ? nullptr : node->child_ptrs.data();
  out->dictionary = nullptr;
  out->release = ReleaseNode;
  out->private_data = node;
}

void ArrowFiller::OnBatchDone(client::BatchCommand& cmd, const Status& status) {
  ran_ = true;
  // A failed batch is raised by the bridge; nothing to fill for it.
  if (!status.ok() || cmd.results.size() != cmd.keys.size()) return;
  FillArrowBatch(layout_, cmd, &data_, &error_);
}

}  // namespace aerospike_py::python
