#include "python/numpy_batch.h"

#include <bit>
#include <cstring>
#include <string>
#include <string_view>

#include "common/byte_order.h"
#include "proto/constants.h"
#include "proto/op_writer.h"
#include "python/batch_results.h"
#include "python/errors.h"
#include "python/ops.h"

namespace aerospike_py::python {
namespace {

constexpr const char* kLayoutCapsule = "aerospike_py._core.NumpyLayout";
constexpr Py_ssize_t kLayoutCacheSize = 16;

// ---------------------------------------------------------------------------
// _NumpyBuffer: owns a NumpyBlock's memory and exports it (writable, bytes)
// through the buffer protocol; numpy.frombuffer views it without a copy and
// keeps it alive as the arrays' base.

struct NumpyBufferObject {
  PyObject_HEAD
  uint8_t* data;  // malloc'ed; freed in dealloc
  Py_ssize_t size;
};

int NumpyBuffer_getbuffer(PyObject* self, Py_buffer* view, int flags) {
  auto* b = reinterpret_cast<NumpyBufferObject*>(self);
  return PyBuffer_FillInfo(view, self, b->data, b->size, 0, flags);
}

void NumpyBuffer_dealloc(PyObject* self) {
  PyTypeObject* tp = Py_TYPE(self);
  std::free(reinterpret_cast<NumpyBufferObject*>(self)->data);
  tp->tp_free(self);
  Py_DECREF(tp);
}

PyType_Slot kNumpyBufferSlots[] = {
    {Py_tp_doc, const_cast<char*>("Memory of a NumPy batch result (internal).")},
    {Py_tp_dealloc, reinterpret_cast<void*>(NumpyBuffer_dealloc)},
    {Py_bf_getbuffer, reinterpret_cast<void*>(NumpyBuffer_getbuffer)},
    {0, nullptr},
};

PyType_Spec kNumpyBufferSpec = {
    "aerospike_py._core._NumpyBuffer",
    sizeof(NumpyBufferObject),
    0,
    Py_TPFLAGS_DEFAULT,
    kNumpyBufferSlots,
};

void FreeLayoutCapsule(PyObject* capsule) {
  delete static_cast<std::shared_ptr<const NumpyLayout>*>(
      PyCapsule_GetPointer(capsule, kLayoutCapsule));
}

// Integer attribute of a dtype.
bool IntAttr(PyObject* obj, const char* name, long* out) {
  Ref v = Ref::Steal(PyObject_GetAttrString(obj, name));
  if (!v) return false;
  *out = PyLong_AsLong(v.get());
  return !(*out == -1 && PyErr_Occurred());
}

// One-character str attribute of a dtype (kind, byteorder).
bool CharAttr(PyObject* obj, const char* name, char* out) {
  Ref v = Ref::Steal(PyObject_GetAttrString(obj, name));
  if (!v) return false;
  const char* s = PyUnicode_Check(v.get()) ? PyUnicode_AsUTF8(v.get()) : nullptr;
  if (s == nullptr || s[0] == '\0') {
    if (!PyErr_Occurred()) PyErr_Format(PyExc_TypeError, "dtype.%s is not a str", name);
    return false;
  }
  *out = s[0];
  return true;
}

// Reads a structured dtype. Python errors other than our own messages are
// reported as InvalidArgError about the dtype.
std::shared_ptr<NumpyLayout> ParseLayout(ModuleState* st, PyObject* dtype, PyObject* names) {
  auto layout = std::make_shared<NumpyLayout>();
  long row_size = 0;
  if (!IntAttr(dtype, "itemsize", &row_size)) return nullptr;
  layout->row_size = static_cast<uint32_t>(row_size);
  Ref fields = Ref::Steal(PyObject_GetAttrString(dtype, "fields"));
  if (!fields) return nullptr;
  const Py_ssize_t n = PyTuple_GET_SIZE(names);
  constexpr char kNative = std::endian::native == std::endian::little ? '<' : '>';
  for (Py_ssize_t i = 0; i < n; ++i) {
    PyObject* name = PyTuple_GET_ITEM(names, i);
    Ref info = Ref::Steal(PyObject_GetItem(fields.get(), name));
    if (!info) return nullptr;
    if (!PyTuple_Check(info.get()) || PyTuple_GET_SIZE(info.get()) < 2) {
      RaiseInvalidArg(st, "_dtype: unexpected fields entry for %R", name);
      return nullptr;
    }
    PyObject* fdt = PyTuple_GET_ITEM(info.get(), 0);
    NumpyField f;
    Py_ssize_t name_len = 0;
    const char* name_utf8 = PyUnicode_AsUTF8AndSize(name, &name_len);
    if (name_utf8 == nullptr) return nullptr;
    f.name.assign(name_utf8, static_cast<size_t>(name_len));
    const long offset = PyLong_AsLong(PyTuple_GET_ITEM(info.get(), 1));
    if (offset == -1 && PyErr_Occurred()) return nullptr;
    long size = 0, base_size = 0;
    char kind = 0, order = 0;
    Ref base = Ref::Steal(PyObject_GetAttrString(fdt, "base"));
    if (!base || !IntAttr(fdt, "itemsize", &size) || !IntAttr(base.get(), "itemsize", &base_size) ||
        !CharAttr(base.get(), "kind", &kind) || !CharAttr(base.get(), "byteorder", &order)) {
      return nullptr;
    }
    Ref sub_names = Ref::Steal(PyObject_GetAttrString(base.get(), "names"));
    if (!sub_names) return nullptr;
    if (sub_names.get() != Py_None) {
      RaiseInvalidArg(st, "_dtype field '%U': nested structured fields are not supported", name);
      return nullptr;
    }
    bool size_ok = false;
    switch (kind) {
      case 'i':
      case 'u':
        f.kind = kind == 'i' ? NumpyKind::kInt : NumpyKind::kUInt;
        size_ok = base_size == 1 || base_size == 2 || base_size == 4 || base_size == 8;
        break;
      case 'f':
        f.kind = NumpyKind::kFloat;
        size_ok = base_size == 2 || base_size == 4 || base_size == 8;
        break;
      case 'b':
        f.kind = NumpyKind::kBool;
        size_ok = base_size == 1;
        break;
      case 'S':
        f.kind = NumpyKind::kBytes;
        size_ok = base_size > 0;
        break;
      case 'V':
        f.kind = NumpyKind::kVoid;
        size_ok = base_size > 0;
        break;
      default:
        RaiseInvalidArg(st,
                        "_dtype field '%U' has kind '%c'; supported kinds are integers (i, u), "
                        "floats (f2/f4/f8), bool (b) and fixed bytes (S, V), also as sub-arrays",
                        name, kind);
        return nullptr;
    }
    if (!size_ok) {
      RaiseInvalidArg(st, "_dtype field '%U': unsupported item size %ld for kind '%c'", name,
                      base_size, kind);
      return nullptr;
    }
    if (offset < 0 || size <= 0 || offset + size > row_size || size % base_size != 0) {
      RaiseInvalidArg(st, "_dtype field '%U' lies outside the dtype's %ld-byte rows", name,
                      row_size);
      return nullptr;
    }
    f.offset = static_cast<uint32_t>(offset);
    f.size = static_cast<uint32_t>(size);
    f.base_size = static_cast<uint32_t>(base_size);
    f.count = static_cast<uint32_t>(size / base_size);
    f.swap = base_size > 1 && (order == '<' || order == '>') && order != kNative;
    layout->fields.push_back(std::move(f));
  }
  return layout;
}

// Bytes of a fixed-width field of a row as a user key / str: S items drop
// their trailing NULs (NumPy's own reading of them).
std::string_view FixedBytes(const uint8_t* p, const NumpyField& f) {
  size_t len = f.size;
  if (f.kind == NumpyKind::kBytes) {
    while (len > 0 && p[len - 1] == 0) --len;
  }
  return std::string_view(reinterpret_cast<const char*>(p), len);
}

// Loads a scalar numeric field as int64/uint64/double.
void Load(const uint8_t* p, const NumpyField& f, void* out) {
  uint8_t tmp[8];
  if (f.swap) {
    for (uint32_t k = 0; k < f.base_size; ++k) tmp[k] = p[f.base_size - 1 - k];
    p = tmp;
  }
  std::memcpy(out, p, f.base_size);
}

// A Python object for a key field of a row (int, bytes or str). Null with
// an exception on a value that cannot be a key.
PyObject* KeyObject(ModuleState* st, const uint8_t* p, const NumpyField& f, Py_ssize_t row) {
  switch (f.kind) {
    case NumpyKind::kInt: {
      if (f.count != 1) break;
      int64_t v = 0;
      switch (f.base_size) {
        case 1: { int8_t x; Load(p, f, &x); v = x; break; }
        case 2: { int16_t x; Load(p, f, &x); v = x; break; }
        case 4: { int32_t x; Load(p, f, &x); v = x; break; }
        default: Load(p, f, &v); break;
      }
      return PyLong_FromLongLong(v);
    }
    case NumpyKind::kUInt:
    case NumpyKind::kBool: {
      if (f.count != 1) break;
      uint64_t v = 0;
      switch (f.base_size) {
        case 1: { uint8_t x; Load(p, f, &x); v = x; break; }
        case 2: { uint16_t x; Load(p, f, &x); v = x; break; }
        case 4: { uint32_t x; Load(p, f, &x); v = x; break; }
        default: Load(p, f, &v); break;
      }
      if (v > uint64_t{INT64_MAX}) {
        RaiseInvalidArg(st, "data[%zd]: key field '%s' value %llu does not fit in 64 bits", row,
                        f.name.c_str(), static_cast<unsigned long long>(v));
        return nullptr;
      }
      return PyLong_FromUnsignedLongLong(v);
    }
    case NumpyKind::kBytes:
    case NumpyKind::kVoid: {
      std::string_view b = FixedBytes(p, f);
      return PyBytes_FromStringAndSize(b.data(), static_cast<Py_ssize_t>(b.size()));
    }
    case NumpyKind::kFloat:
      break;
  }
  RaiseInvalidArg(st, "key field '%s' must be an integer or bytes field", f.name.c_str());
  return nullptr;
}

// A namespace/set name from an S/V field of a row.
PyObject* NameObject(const uint8_t* p, const NumpyField& f) {
  std::string_view b = FixedBytes(p, f);
  if (f.kind == NumpyKind::kVoid) {
    while (!b.empty() && b.back() == '\0') b.remove_suffix(1);
  }
  return PyUnicode_DecodeUTF8(b.data(), static_cast<Py_ssize_t>(b.size()), nullptr);
}

// Appends a field of a row as one write op.
bool AppendBinOp(ModuleState* st, const uint8_t* p, const NumpyField& f, Py_ssize_t row,
                 proto::OpWriter* w) {
  ByteBuffer* out = w->buffer();
  if (f.count > 1 || f.kind == NumpyKind::kVoid || f.kind == NumpyKind::kBytes) {
    // Fixed bytes and sub-arrays: a blob of the field's bytes (sub-arrays
    // in the array's own memory layout, which batch_read(_dtype=) and
    // numpy.frombuffer read back as they are).
    std::string_view b = f.count > 1 && f.kind != NumpyKind::kBytes
                             ? std::string_view(reinterpret_cast<const char*>(p), f.size)
                             : FixedBytes(p, f);
    w->Begin(proto::OpType::kWrite, proto::ParticleType::kBlob, f.name);
    out->Append(b);
    w->End();
    return true;
  }
  switch (f.kind) {
    case NumpyKind::kInt:
    case NumpyKind::kUInt: {
      int64_t v = 0;
      if (f.kind == NumpyKind::kInt) {
        switch (f.base_size) {
          case 1: { int8_t x; Load(p, f, &x); v = x; break; }
          case 2: { int16_t x; Load(p, f, &x); v = x; break; }
          case 4: { int32_t x; Load(p, f, &x); v = x; break; }
          default: Load(p, f, &v); break;
        }
      } else {
        uint64_t u = 0;
        switch (f.base_size) {
          case 1: { uint8_t x; Load(p, f, &x); u = x; break; }
          case 2: { uint16_t x; Load(p, f, &x); u = x; break; }
          case 4: { uint32_t x; Load(p, f, &x); u = x; break; }
          default: Load(p, f, &u); break;
        }
        if (u > uint64_t{INT64_MAX}) {
          PyErr_Format(PyExc_OverflowError,
                       "data[%zd], field '%s': %llu does not fit in an Aerospike integer "
                       "(signed 64 bits)",
                       row, f.name.c_str(), static_cast<unsigned long long>(u));
          return false;
        }
        v = static_cast<int64_t>(u);
      }
      w->Begin(proto::OpType::kWrite, proto::ParticleType::kInteger, f.name);
      StoreBE64(out->Extend(8), static_cast<uint64_t>(v));
      w->End();
      return true;
    }
    case NumpyKind::kFloat: {
      double d = 0;
      if (f.base_size == 8) {
        Load(p, f, &d);
      } else if (f.base_size == 4) {
        float x;
        Load(p, f, &x);
        d = x;
      } else {
        uint16_t h;
        Load(p, f, &h);
        d = HalfToDouble(h);
      }
      w->Begin(proto::OpType::kWrite, proto::ParticleType::kFloat, f.name);
      StoreBE64(out->Extend(8), DoubleBits(d));
      w->End();
      return true;
    }
    case NumpyKind::kBool:
      w->Begin(proto::OpType::kWrite, proto::ParticleType::kBool, f.name);
      out->PushBack(*p != 0 ? 1 : 0);
      w->End();
      return true;
    default:
      break;
  }
  RaiseInvalidArg(st, "field '%s' cannot be written", f.name.c_str());
  return false;
}

}  // namespace

bool EnsureNumpy(ModuleState* st) {
  if (st->numpy_frombuffer != nullptr) return true;
  Ref np = Ref::Steal(PyImport_ImportModule("numpy"));
  if (!np) {
    if (PyErr_ExceptionMatches(PyExc_ImportError)) {
      PyErr_Clear();
      PyErr_SetString(PyExc_ImportError,
                      "NumPy is needed for _dtype= and batch_write_numpy (pip install numpy)");
    }
    return false;
  }
  Ref nb = Ref::Steal(PyImport_ImportModule("aerospike_py.numpy_batch"));
  if (!nb) return false;
  Ref batch_type = Ref::Steal(PyObject_GetAttrString(nb.get(), "NumpyBatchRecords"));
  Ref frombuffer = Ref::Steal(PyObject_GetAttrString(np.get(), "frombuffer"));
  Ref dtype = Ref::Steal(PyObject_GetAttrString(np.get(), "dtype"));
  if (!batch_type || !frombuffer || !dtype) return false;
  Ref meta_spec = Ref::Steal(Py_BuildValue("[(ss)(ss)]", "gen", "u4", "ttl", "u4"));
  if (!meta_spec) return false;
  Ref meta = Ref::Steal(PyObject_CallOneArg(dtype.get(), meta_spec.get()));
  Ref codes = Ref::Steal(PyObject_CallFunction(dtype.get(), "s", "int32"));
  if (!meta || !codes) return false;
  PyObject* module = PyType_GetModule(reinterpret_cast<PyTypeObject*>(st->client_type));
  if (module == nullptr) return false;
  Ref buffer_type = Ref::Steal(PyType_FromModuleAndSpec(module, &kNumpyBufferSpec, nullptr));
  Ref layouts = Ref::Steal(PyList_New(0));
  if (!buffer_type || !layouts) return false;
  Py_XSETREF(st->numpy_batch_type, batch_type.release());
  Py_XSETREF(st->numpy_dtype, dtype.release());
  Py_XSETREF(st->numpy_meta_dtype, meta.release());
  Py_XSETREF(st->numpy_codes_dtype, codes.release());
  Py_XSETREF(st->numpy_buffer_type, buffer_type.release());
  Py_XSETREF(st->numpy_layouts, layouts.release());
  st->numpy_frombuffer = frombuffer.release();  // last: it marks the state ready
  return true;
}

std::shared_ptr<const NumpyLayout> NumpyLayoutOf(ModuleState* st, PyObject* dtype_arg,
                                                 Ref* dtype_out) {
  if (!EnsureNumpy(st)) return nullptr;
  Ref dtype;
  if (PyObject_TypeCheck(dtype_arg, reinterpret_cast<PyTypeObject*>(st->numpy_dtype))) {
    dtype = Ref::New(dtype_arg);
  } else {
    dtype = Ref::Steal(PyObject_CallOneArg(st->numpy_dtype, dtype_arg));
    if (!dtype) {
      ConvertPendingToInvalidArg(st, "_dtype");
      return nullptr;
    }
  }
  Ref names = Ref::Steal(PyObject_GetAttrString(dtype.get(), "names"));
  if (!names) return nullptr;
  if (!PyTuple_Check(names.get())) {
    RaiseInvalidArg(st, "_dtype must be a structured numpy.dtype (with named fields), not %R",
                    dtype.get());
    return nullptr;
  }
  // A dtype's names can be reassigned; its names tuple is replaced then, so
  // identity of both says the cached layout is still right.
  PyObject* cache = st->numpy_layouts;
  for (Py_ssize_t i = PyList_GET_SIZE(cache) - 1; i >= 0; --i) {
    PyObject* entry = PyList_GET_ITEM(cache, i);
    if (PyTuple_GET_ITEM(entry, 0) == dtype.get() && PyTuple_GET_ITEM(entry, 1) == names.get()) {
      auto* held = static_cast<std::shared_ptr<const NumpyLayout>*>(
          PyCapsule_GetPointer(PyTuple_GET_ITEM(entry, 2), kLayoutCapsule));
      if (held == nullptr) return nullptr;
      *dtype_out = std::move(dtype);
      return *held;
    }
  }
  std::shared_ptr<const NumpyLayout> layout = ParseLayout(st, dtype.get(), names.get());
  if (layout == nullptr) {
    if (!PyErr_ExceptionMatches(st->exc_invalid_arg)) ConvertPendingToInvalidArg(st, "_dtype");
    return nullptr;
  }
  auto* held = new std::shared_ptr<const NumpyLayout>(layout);
  Ref capsule = Ref::Steal(PyCapsule_New(held, kLayoutCapsule, FreeLayoutCapsule));
  if (!capsule) {
    delete held;
    return nullptr;
  }
  Ref entry = Ref::Steal(PyTuple_Pack(3, dtype.get(), names.get(), capsule.get()));
  if (!entry || PyList_Append(cache, entry.get()) < 0) return nullptr;
  if (PyList_GET_SIZE(cache) > kLayoutCacheSize && PySequence_DelItem(cache, 0) < 0) {
    return nullptr;
  }
  *dtype_out = std::move(dtype);
  return layout;
}

PyObject* NewNumpyBatchRecords(ModuleState* st, const client::BatchCommand& cmd,
                               NumpyBlock* block, const NumpyFillError& error, PyObject* dtype,
                               PyObject* entries) {
  if (error.kind == NumpyFillError::Kind::kOverflow) {
    PyErr_SetString(PyExc_OverflowError, error.message.c_str());
    return nullptr;
  }
  if (error.failed()) return RaiseInvalidArg(st, "%s", error.message.c_str());
  if (!EnsureNumpy(st)) return nullptr;
  const size_t n = block->rows;
  for (size_t i = 0; i < n && i < cmd.results.size(); ++i) {
    const int32_t code = BatchKeyResult(cmd, i);
    std::memcpy(block->code(i), &code, 4);
  }
  PyTypeObject* type = reinterpret_cast<PyTypeObject*>(st->numpy_buffer_type);
  Ref owner = Ref::Steal(type->tp_alloc(type, 0));
  if (!owner) return nullptr;
  auto* b = reinterpret_cast<NumpyBufferObject*>(owner.get());
  b->size = static_cast<Py_ssize_t>(block->size);
  b->data = block->bytes.release();
  Ref count = Ref::Steal(PyLong_FromSize_t(n));
  if (!count) return nullptr;
  PyObject* arrays[3] = {};
  const size_t offsets[3] = {0, block->meta_offset, block->codes_offset};
  PyObject* dtypes[3] = {dtype, st->numpy_meta_dtype, st->numpy_codes_dtype};
  for (int k = 0; k < 3; ++k) {
    Ref offset = Ref::Steal(PyLong_FromSize_t(offsets[k]));
    if (!offset) break;
    PyObject* args[4] = {owner.get(), dtypes[k], count.get(), offset.get()};
    arrays[k] = PyObject_Vectorcall(st->numpy_frombuffer, args, 4, nullptr);
    if (arrays[k] == nullptr) break;
  }
  Ref data = Ref::Steal(arrays[0]), meta = Ref::Steal(arrays[1]), codes = Ref::Steal(arrays[2]);
  if (!data || !meta || !codes) return nullptr;
  PyObject* args[5] = {data.get(), meta.get(), codes.get(), Py_None, entries};
  return PyObject_Vectorcall(st->numpy_batch_type, args, 5, nullptr);
}

PyObject* ConvertNumpyBatch(ModuleState* st, client::BatchCommand* cmd, PyObject* ctx) {
  auto* filler = static_cast<NumpyFiller*>(cmd->finisher.get());
  PyObject* dtype = PyTuple_GET_ITEM(ctx, 0);
  KeySource keys(st, PyTuple_GET_ITEM(ctx, 1), *cmd);
  if (filler == nullptr) {
    PyErr_SetString(PyExc_SystemError, "a NumPy batch without its filler");
    return nullptr;
  }
  if (!filler->ran()) {
    // The event thread never got to it (e.g. nothing to send): fill here.
    NumpyFillError error;
    NumpyBlock block;
    FillNumpyRows(filler->layout(), *cmd, &block, &error);
    return NewNumpyBatchRecords(st, *cmd, &block, error, dtype, keys.entries());
  }
  return NewNumpyBatchRecords(st, *cmd, &filler->block(), filler->error(), dtype, keys.entries());
}

bool AddNumpyWriteRows(ModuleState* st, PyObject* data, PyObject* dtype_arg, PyObject* ns,
                       PyObject* set, PyObject* key_field, const client::BatchRowSpec& base,
                       BatchBuilder* b, Ref* keys) {
  Ref dtype;
  std::shared_ptr<const NumpyLayout> layout = NumpyLayoutOf(st, dtype_arg, &dtype);
  if (layout == nullptr) return false;
  // The array must have this very layout: its rows are read through it.
  Ref data_dtype = Ref::Steal(PyObject_GetAttrString(data, "dtype"));
  if (!data_dtype) {
    PyErr_Clear();
    return RaiseInvalidArg(st, "data must be a NumPy structured array, not %.100s",
                           Py_TYPE(data)->tp_name) != nullptr;
  }
  const int same = PyObject_RichCompareBool(data_dtype.get(), dtype.get(), Py_EQ);
  if (same < 0) return false;
  if (same == 0) {
    RaiseInvalidArg(st, "data.dtype %R differs from _dtype %R", data_dtype.get(), dtype.get());
    return false;
  }
  const char* key_name = PyUnicode_Check(key_field) ? PyUnicode_AsUTF8(key_field) : nullptr;
  if (key_name == nullptr) {
    PyErr_Clear();
    RaiseInvalidArg(st, "key_field must be a str");
    return false;
  }
  const int key_index = layout->Find(key_name);
  if (key_index < 0) {
    RaiseInvalidArg(st, "_dtype has no key field '%s'", key_name);
    return false;
  }
  const NumpyField& key_f = layout->fields[static_cast<size_t>(key_index)];
  const int ns_index = layout->Find("_namespace");
  const int set_index = layout->Find("_set");
  for (int idx : {ns_index, set_index}) {
    if (idx >= 0 && layout->fields[static_cast<size_t>(idx)].kind != NumpyKind::kBytes &&
        layout->fields[static_cast<size_t>(idx)].kind != NumpyKind::kVoid) {
      RaiseInvalidArg(st, "field '%s' must be a bytes (S) field",
                      layout->fields[static_cast<size_t>(idx)].name.c_str());
      return false;
    }
  }
  std::vector<const NumpyField*> bins;
  for (size_t i = 0; i < layout->fields.size(); ++i) {
    const NumpyField& f = layout->fields[i];
    if (static_cast<int>(i) == key_index || (!f.name.empty() && f.name[0] == '_')) continue;
    if (f.name.size() > proto::kMaxBinNameLen) {
      RaiseInvalidArg(st, "bin name '%s' is %zu bytes, the limit is %zu", f.name.c_str(),
                      f.name.size(), proto::kMaxBinNameLen);
      return false;
    }
    bins.push_back(&f);
  }
  if (bins.empty()) {
    RaiseInvalidArg(st, "_dtype has no bin fields (fields other than the key and '_' fields)");
    return false;
  }

  Py_buffer view;
  if (PyObject_GetBuffer(data, &view, PyBUF_STRIDES) < 0) {
    ConvertPendingToInvalidArg(st, "data");
    return false;
  }
  struct Release {
    Py_buffer* v;
    ~Release() { PyBuffer_Release(v); }
  } release{&view};
  if (view.ndim != 1) {
    RaiseInvalidArg(st, "data must be a 1-dimensional array, not %d-dimensional", view.ndim);
    return false;
  }
  if (view.itemsize != static_cast<Py_ssize_t>(layout->row_size)) {
    RaiseInvalidArg(st, "data rows are %zd bytes, _dtype rows %u", view.itemsize,
                    layout->row_size);
    return false;
  }
  const Py_ssize_t n = view.shape[0];
  const Py_ssize_t stride = view.strides != nullptr ? view.strides[0] : view.itemsize;
  const auto* base_ptr = static_cast<const uint8_t*>(view.buf);
  Ref tuple = Ref::Steal(PyTuple_New(n));
  if (!tuple) return false;
  for (Py_ssize_t r = 0; r < n; ++r) {
    const uint8_t* row = base_ptr + r * stride;
    Ref row_ns = ns_index >= 0
                     ? Ref::Steal(NameObject(row + layout->fields[static_cast<size_t>(ns_index)].offset,
                                             layout->fields[static_cast<size_t>(ns_index)]))
                     : Ref::New(ns);
    Ref row_set = set_index >= 0
                      ? Ref::Steal(NameObject(row + layout->fields[static_cast<size_t>(set_index)].offset,
                                              layout->fields[static_cast<size_t>(set_index)]))
                      : Ref::New(set);
    if (!row_ns || !row_set) return ConvertPendingToInvalidArg(st, "data") != nullptr;
    Ref pk = Ref::Steal(KeyObject(st, row + key_f.offset, key_f, r));
    if (!pk) return false;
    PyObject* key = PyTuple_Pack(3, row_ns.get(), row_set.get(), pk.get());
    if (key == nullptr) return false;
    PyTuple_SET_ITEM(tuple.get(), r, key);

    client::BatchRowSpec spec;
    spec.row_flags = base.row_flags;
    spec.info1 = base.info1;
    spec.info2 = base.info2;
    spec.info3 = base.info3;
    spec.info4 = base.info4;
    spec.generation = base.generation;
    spec.ttl = base.ttl;
    spec.is_write = base.is_write;
    spec.send_key = base.send_key;
    spec.filter_expression = base.filter_expression;
    spec.ops.Reserve(bins.size() * 24);
    proto::OpWriter w(&spec.ops);
    for (const NumpyField* f : bins) {
      if (!AppendBinOp(st, row + f->offset, *f, r, &w)) return false;
    }
    if (!WireOpCount(st, w, "dtype bins", &spec.n_ops)) return false;
    uint16_t spec_index;
    if (!b->AddSpec(std::move(spec), &spec_index)) return false;
    if (!b->AddKey(key, r, spec_index)) return false;
  }
  *keys = std::move(tuple);
  return true;
}

}  // namespace aerospike_py::python
