#include "python/arrow_batch.h"

#include <cstring>
#include <string>
#include <string_view>

#include "python/batch_results.h"
#include "python/bulk_keys.h"
#include "python/errors.h"

namespace aerospike_py::python {
namespace {

constexpr const char* kLayoutCapsule = "aerospike_py._core.ArrowLayout";
constexpr Py_ssize_t kLayoutCacheSize = 16;

// st->arrow_types, in this order.
enum TypeIndex : Py_ssize_t {
  kTInt64, kTFloat64, kTBool, kTUtf8, kTLargeUtf8, kTBinary, kTLargeBinary, kTUInt32, kTInt32,
  kTypeCount
};
constexpr const char* kTypeFactories[kTypeCount] = {
    "int64", "float64", "bool_", "string", "large_string", "binary", "large_binary",
    "uint32", "int32"};

constexpr const char* kSupported =
    "int64, float64, bool, string, large_string, binary, large_binary, list<int64>, "
    "list<float64>, list<string>";

void FreeLayoutCapsule(PyObject* capsule) {
  delete static_cast<std::shared_ptr<const ArrowLayout>*>(
      PyCapsule_GetPointer(capsule, kLayoutCapsule));
}

// 1 when `t` equals the state's type `index`, 0 if not, -1 on error.
int TypeIs(ModuleState* st, PyObject* t, Py_ssize_t index) {
  return PyObject_RichCompareBool(t, PyTuple_GET_ITEM(st->arrow_types, index), Py_EQ);
}

// The value of `key` in a pyarrow metadata dict (bytes -> bytes), or an
// empty view when absent. False with an exception set on a bad dict.
bool MetadataValue(PyObject* metadata, const char* key, std::string* out, bool* present) {
  *present = false;
  if (metadata == Py_None || metadata == nullptr) return true;
  Ref k = Ref::Steal(PyBytes_FromString(key));
  if (!k) return false;
  PyObject* v = PyDict_Check(metadata) ? PyDict_GetItemWithError(metadata, k.get()) : nullptr;
  if (v == nullptr) return !PyErr_Occurred();
  if (!PyBytes_Check(v)) return true;
  out->assign(PyBytes_AS_STRING(v), static_cast<size_t>(PyBytes_GET_SIZE(v)));
  *present = true;
  return true;
}

// on_mismatch: "raise" (the default) or "null".
bool ReadMismatch(ModuleState* st, PyObject* metadata, const char* where, bool* null_out) {
  std::string v;
  bool present = false;
  if (!MetadataValue(metadata, "aerospike.on_mismatch", &v, &present)) return false;
  if (!present) return true;
  if (v == "null") {
    *null_out = true;
  } else if (v == "raise") {
    *null_out = false;
  } else {
    RaiseInvalidArg(st, "_arrow %s: aerospike.on_mismatch must be b'raise' or b'null', not '%s'",
                    where, v.c_str());
    return false;
  }
  return true;
}

// The kind of a bin column of type `t`, or false with InvalidArgError.
bool BinKind(ModuleState* st, PyObject* t, PyObject* name, ArrowKind* kind) {
  static constexpr ArrowKind kScalar[] = {ArrowKind::kInt64,     ArrowKind::kFloat64,
                                          ArrowKind::kBool,      ArrowKind::kUtf8,
                                          ArrowKind::kLargeUtf8, ArrowKind::kBinary,
                                          ArrowKind::kLargeBinary};
  for (Py_ssize_t i = kTInt64; i <= kTLargeBinary; ++i) {
    const int same = TypeIs(st, t, i);
    if (same < 0) return false;
    if (same == 1) {
      *kind = kScalar[i];
      return true;
    }
  }
  const int is_list = PyObject_IsInstance(t, st->arrow_list_type);
  if (is_list < 0) return false;
  if (is_list == 1) {
    Ref item = Ref::Steal(PyObject_GetAttrString(t, "value_type"));
    if (!item) return false;
    static constexpr struct {
      Py_ssize_t type;
      ArrowKind kind;
    } kItems[] = {{kTInt64, ArrowKind::kListInt64},
                  {kTFloat64, ArrowKind::kListFloat64},
                  {kTUtf8, ArrowKind::kListUtf8}};
    for (const auto& e : kItems) {
      const int same = TypeIs(st, item.get(), e.type);
      if (same < 0) return false;
      if (same == 1) {
        *kind = e.kind;
        return true;
      }
    }
  }
  RaiseInvalidArg(st, "_arrow column '%U': type %S is not supported (supported: %s)", name, t,
                  kSupported);
  return false;
}

// Reads a schema. Errors are InvalidArgError about the schema.
std::shared_ptr<ArrowLayout> ParseLayout(ModuleState* st, PyObject* schema) {
  auto layout = std::make_shared<ArrowLayout>();
  Ref schema_meta = Ref::Steal(PyObject_GetAttrString(schema, "metadata"));
  if (!schema_meta) return nullptr;
  bool schema_null = false;
  if (!ReadMismatch(st, schema_meta.get(), "schema", &schema_null)) return nullptr;
  Ref fields = Ref::Steal(PySequence_Fast(schema, "_arrow: a schema is a sequence of fields"));
  if (!fields) return nullptr;
  const Py_ssize_t n = PySequence_Fast_GET_SIZE(fields.get());
  if (n == 0) {
    RaiseInvalidArg(st, "_arrow: the schema has no columns");
    return nullptr;
  }
  for (Py_ssize_t i = 0; i < n; ++i) {
    PyObject* field = PySequence_Fast_GET_ITEM(fields.get(), i);
    Ref name = Ref::Steal(PyObject_GetAttrString(field, "name"));
    Ref type = Ref::Steal(PyObject_GetAttrString(field, "type"));
    Ref meta = Ref::Steal(PyObject_GetAttrString(field, "metadata"));
    if (!name || !type || !meta) return nullptr;
    Py_ssize_t len = 0;
    const char* utf8 = PyUnicode_Check(name.get()) ? PyUnicode_AsUTF8AndSize(name.get(), &len)
                                                   : nullptr;
    if (utf8 == nullptr) return nullptr;
    ArrowColumnSpec col;
    col.name.assign(utf8, static_cast<size_t>(len));
    col.null_on_mismatch = schema_null;
    const std::string where = "column '" + col.name + "'";
    if (!ReadMismatch(st, meta.get(), where.c_str(), &col.null_on_mismatch)) return nullptr;
    std::string role;
    bool has_role = false;
    if (!MetadataValue(meta.get(), "aerospike", &role, &has_role)) return nullptr;
    if (has_role) {
      Py_ssize_t want;
      if (role == "generation") {
        col.kind = ArrowKind::kGeneration;
        want = kTUInt32;
      } else if (role == "ttl") {
        col.kind = ArrowKind::kTtl;
        want = kTUInt32;
      } else if (role == "result_code") {
        col.kind = ArrowKind::kResultCode;
        want = kTInt32;
      } else {
        RaiseInvalidArg(st,
                        "_arrow column '%U': metadata aerospike must be b'generation', b'ttl' "
                        "or b'result_code'",
                        name.get());
        return nullptr;
      }
      const int same = TypeIs(st, type.get(), want);
      if (same < 0) return nullptr;
      if (same == 0) {
        RaiseInvalidArg(st, "_arrow column '%U' (%s) must be of type %s, not %S", name.get(),
                        role.c_str(), want == kTUInt32 ? "uint32" : "int32", type.get());
        return nullptr;
      }
    } else {
      if (!BinKind(st, type.get(), name.get(), &col.kind)) return nullptr;
      if (layout->FindBin(col.name) >= 0) {
        RaiseInvalidArg(st, "_arrow: bin '%U' is named by two columns", name.get());
        return nullptr;
      }
    }
    layout->columns.push_back(std::move(col));
  }
  return layout;
}

// The error of a fill, with the key of the record that stopped it.
PyObject* RaiseFillError(ModuleState* st, const ArrowFillError& error,
                         const client::BatchCommand& cmd, PyObject* keys_ctx) {
  if (error.row < 0 || static_cast<size_t>(error.row) >= cmd.keys.size()) {
    return RaiseInvalidArg(st, "%s", error.message.c_str());
  }
  const size_t i = static_cast<size_t>(error.row);
  KeySource keys(st, keys_ctx, cmd);
  Ref user_key = Ref::Steal(keys.UserKey(i));
  if (!user_key) return nullptr;
  const client::NamespaceSet& ns = cmd.ns_sets[cmd.keys[i].ns_set];
  return RaiseInvalidArg(st, "%s [key: ('%s', '%s', %R)]", error.message.c_str(), ns.ns.c_str(),
                         ns.set.c_str(), user_key.get());
}

}  // namespace

bool EnsureArrow(ModuleState* st) {
  if (st->arrow_import != nullptr) return true;
  Ref pa = Ref::Steal(PyImport_ImportModule("pyarrow"));
  if (!pa) {
    if (PyErr_ExceptionMatches(PyExc_ImportError)) {
      PyErr_Clear();
      PyErr_SetString(PyExc_ImportError,
                      "pyarrow is needed for _arrow= and QueryStream.arrow_batches() "
                      "(pip install pyarrow)");
    }
    return false;
  }
  Ref batch_type = Ref::Steal(PyObject_GetAttrString(pa.get(), "RecordBatch"));
  if (!batch_type) return false;
  Ref import = Ref::Steal(PyObject_GetAttrString(batch_type.get(), "_import_from_c"));
  Ref schema_type = Ref::Steal(PyObject_GetAttrString(pa.get(), "Schema"));
  Ref schema_fn = Ref::Steal(PyObject_GetAttrString(pa.get(), "schema"));
  Ref list_type = Ref::Steal(PyObject_GetAttrString(pa.get(), "ListType"));
  Ref types = Ref::Steal(PyTuple_New(kTypeCount));
  if (!import || !schema_type || !schema_fn || !list_type || !types) return false;
  for (Py_ssize_t i = 0; i < kTypeCount; ++i) {
    PyObject* t = PyObject_CallMethod(pa.get(), kTypeFactories[i], nullptr);
    if (t == nullptr) return false;
    PyTuple_SET_ITEM(types.get(), i, t);
  }
  Ref layouts = Ref::Steal(PyList_New(0));
  if (!layouts) return false;
  Py_XSETREF(st->arrow_schema_type, schema_type.release());
  Py_XSETREF(st->arrow_schema_fn, schema_fn.release());
  Py_XSETREF(st->arrow_list_type, list_type.release());
  Py_XSETREF(st->arrow_types, types.release());
  Py_XSETREF(st->arrow_layouts, layouts.release());
  Py_XSETREF(st->arrow_import, import.release());  // last: it marks the rest ready
  return true;
}

std::shared_ptr<const ArrowLayout> ArrowLayoutOf(ModuleState* st, PyObject* schema_arg,
                                                 Ref* schema_out) {
  if (!EnsureArrow(st)) return nullptr;
  Ref schema;
  if (PyObject_TypeCheck(schema_arg, reinterpret_cast<PyTypeObject*>(st->arrow_schema_type))) {
    schema = Ref::New(schema_arg);
  } else {
    schema = Ref::Steal(PyObject_CallOneArg(st->arrow_schema_fn, schema_arg));
    if (!schema) {
      ConvertPendingToInvalidArg(st, "_arrow");
      return nullptr;
    }
  }
  // The cache holds the schema objects, so an identity match is the same
  // schema (its id cannot be reused while it is cached). A schema is
  // immutable in pyarrow.
  PyObject* cache = st->arrow_layouts;
  for (Py_ssize_t i = PyList_GET_SIZE(cache) - 1; i >= 0; --i) {
    PyObject* entry = PyList_GET_ITEM(cache, i);
    if (PyTuple_GET_ITEM(entry, 0) == schema.get()) {
      auto* held = static_cast<std::shared_ptr<const ArrowLayout>*>(
          PyCapsule_GetPointer(PyTuple_GET_ITEM(entry, 1), kLayoutCapsule));
      if (held == nullptr) return nullptr;
      *schema_out = std::move(schema);
      return *held;
    }
  }
  std::shared_ptr<const ArrowLayout> layout = ParseLayout(st, schema.get());
  if (layout == nullptr) {
    if (PyErr_Occurred() && !PyErr_ExceptionMatches(st->exc_invalid_arg)) {
      ConvertPendingToInvalidArg(st, "_arrow");
    }
    return nullptr;
  }
  auto* held = new std::shared_ptr<const ArrowLayout>(layout);
  Ref capsule = Ref::Steal(PyCapsule_New(held, kLayoutCapsule, FreeLayoutCapsule));
  if (!capsule) {
    delete held;
    return nullptr;
  }
  Ref entry = Ref::Steal(PyTuple_Pack(2, schema.get(), capsule.get()));
  if (!entry || PyList_Append(cache, entry.get()) < 0) return nullptr;
  if (PyList_GET_SIZE(cache) > kLayoutCacheSize && PySequence_DelItem(cache, 0) < 0) {
    return nullptr;
  }
  *schema_out = std::move(schema);
  return layout;
}

PyObject* ImportArrowBatch(ModuleState* st, std::unique_ptr<ArrowBatchData> data,
                           PyObject* schema) {
  if (!EnsureArrow(st)) return nullptr;
  // The struct itself is ours (on the stack); pyarrow moves its contents out
  // and owns them from then on. If the call fails before that, release here.
  ArrowArray array{};
  ExportArrowBatch(std::move(data), &array);
  PyObject* result = nullptr;
  Ref address = Ref::Steal(PyLong_FromVoidPtr(&array));
  if (address) {
    PyObject* args[2] = {address.get(), schema};
    result = PyObject_Vectorcall(st->arrow_import, args, 2, nullptr);
  }
  if (array.release != nullptr) array.release(&array);
  return result;
}

PyObject* ConvertArrowBatch(ModuleState* st, client::BatchCommand* cmd, PyObject* ctx) {
  auto* filler = static_cast<ArrowFiller*>(cmd->finisher.get());
  PyObject* schema = PyTuple_GET_ITEM(ctx, 0);
  PyObject* keys = PyTuple_GET_ITEM(ctx, 1);
  if (filler == nullptr) {
    PyErr_SetString(PyExc_SystemError, "an Arrow batch without its filler");
    return nullptr;
  }
  std::unique_ptr<ArrowBatchData> local;
  ArrowFillError local_error;
  std::unique_ptr<ArrowBatchData>* data = &filler->data();
  const ArrowFillError* error = &filler->error();
  if (!filler->ran()) {
    // The event thread never got to it (e.g. nothing to send): fill here.
    FillArrowBatch(filler->layout(), *cmd, &local, &local_error);
    data = &local;
    error = &local_error;
  }
  if (error->failed) return RaiseFillError(st, *error, *cmd, keys);
  if (*data == nullptr) {
    PyErr_SetString(PyExc_SystemError, "an Arrow batch that was not filled");
    return nullptr;
  }
  // Result codes as the other batch results report them (known only now).
  const auto& specs = filler->layout()->columns;
  for (size_t c = 0; c < specs.size(); ++c) {
    if (specs[c].kind != ArrowKind::kResultCode) continue;
    std::vector<uint8_t>& values = (*data)->columns[c].values;
    for (size_t i = 0; i < cmd->results.size() && (i + 1) * 4 <= values.size(); ++i) {
      const int32_t code = BatchKeyResult(*cmd, i);
      std::memcpy(values.data() + i * 4, &code, 4);
    }
  }
  return ImportArrowBatch(st, std::move(*data), schema);
}

}  // namespace aerospike_py::python
