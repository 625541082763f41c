#include "python/value_encode.h"

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "common/byte_order.h"
#include "python/errors.h"

namespace aerospike_py::python {
namespace {

using proto::ParticleType;

// What a Python object is on the wire. Exact built-in types are tested
// first (the common case costs one pointer compare); our value types before
// their bases (TypedBlob and HyperLogLog are bytes, KeyOrderedDict a dict).
enum class Kind {
  kNone, kBool, kInt, kFloat, kStr, kBytes, kByteArray, kList, kTuple, kDict,
  kOrderedDict, kGeoJson, kTypedBlob, kHll, kIndex, kUnsupported,
};

Kind KindOf(ModuleState* st, PyObject* o) {
  PyTypeObject* t = Py_TYPE(o);
  if (t == &PyLong_Type) return Kind::kInt;
  if (t == &PyUnicode_Type) return Kind::kStr;
  if (t == &PyFloat_Type) return Kind::kFloat;
  if (t == &PyBytes_Type) return Kind::kBytes;
  if (t == &PyDict_Type) return Kind::kDict;
  if (t == &PyList_Type) return Kind::kList;
  if (o == Py_None) return Kind::kNone;
  if (t == &PyBool_Type) return Kind::kBool;
  if (t == &PyTuple_Type) return Kind::kTuple;
  if (t == &PyByteArray_Type) return Kind::kByteArray;
  PyTypeObject* typed_blob = reinterpret_cast<PyTypeObject*>(st->typed_blob_type);
  PyTypeObject* hll = reinterpret_cast<PyTypeObject*>(st->hll_type);
  PyTypeObject* geo = reinterpret_cast<PyTypeObject*>(st->geojson_type);
  PyTypeObject* kod = reinterpret_cast<PyTypeObject*>(st->key_ordered_dict_type);
  if (PyObject_TypeCheck(o, typed_blob)) return Kind::kTypedBlob;
  if (PyObject_TypeCheck(o, hll)) return Kind::kHll;
  if (PyObject_TypeCheck(o, geo)) return Kind::kGeoJson;
  if (PyObject_TypeCheck(o, kod)) return Kind::kOrderedDict;
  if (PyLong_Check(o)) return Kind::kInt;  // IntEnum, IntFlag...
  if (PyFloat_Check(o)) return Kind::kFloat;  // numpy.float64
  if (PyUnicode_Check(o)) return Kind::kStr;
  if (PyBytes_Check(o)) return Kind::kBytes;
  if (PyByteArray_Check(o)) return Kind::kByteArray;
  if (PyList_Check(o)) return Kind::kList;
  if (PyTuple_Check(o)) return Kind::kTuple;
  if (PyDict_Check(o)) return Kind::kDict;
  if (PyIndex_Check(o)) return Kind::kIndex;  // numpy integers
  return Kind::kUnsupported;
}

bool Unsupported(ModuleState* st, PyObject* o, std::string_view bin) {
  RaiseInvalidArg(st, "bin '%s': unsupported value type %.100s", std::string(bin).c_str(), Py_TYPE(o)->tp_name);
  return false;
}

bool ReadInt64(ModuleState* st, PyObject* o, std::string_view bin, int64_t* out) {
  int overflow = 0;
  long long v = PyLong_AsLongLongAndOverflow(o, &overflow);
  if (overflow != 0) {
    RaiseInvalidArg(st,
                    "bin '%s': integer %R does not fit in 64 bits (Aerospike integers are "
                    "signed 64-bit)",
                    std::string(bin).c_str(), o);
    return false;
  }
  if (v == -1 && PyErr_Occurred()) return false;
  *out = v;
  return true;
}

bool ReadIndex(ModuleState* st, PyObject* o, std::string_view bin, int64_t* out) {
  Ref as_int = Ref::Steal(PyNumber_Index(o));
  if (!as_int) return false;
  return ReadInt64(st, as_int.get(), bin, out);
}

bool Utf8Of(ModuleState* st, PyObject* o, std::string_view bin, std::string_view* out) {
  Py_ssize_t len = 0;
  const char* data = PyUnicode_AsUTF8AndSize(o, &len);
  if (data == nullptr) {
    PyErr_Clear();
    RaiseInvalidArg(st, "bin '%s': str value is not encodable as UTF-8",
                    std::string(bin).c_str());
    return false;
  }
  *out = std::string_view(data, static_cast<size_t>(len));
  return true;
}

// The bytes a bytes-like value holds (bytes, bytearray and their subclasses).
std::string_view BytesOf(PyObject* o) {
  if (PyBytes_Check(o)) {
    return std::string_view(PyBytes_AS_STRING(o), static_cast<size_t>(PyBytes_GET_SIZE(o)));
  }
  return std::string_view(PyByteArray_AS_STRING(o), static_cast<size_t>(PyByteArray_GET_SIZE(o)));
}

bool TypedBlobType(ModuleState* st, PyObject* o, std::string_view bin, uint8_t* out) {
  Ref pt = Ref::Steal(PyObject_GetAttr(o, st->s_particle_type));
  if (!pt) return false;
  long v = PyLong_AsLong(pt.get());
  if (v == -1 && PyErr_Occurred()) return false;
  if (v < 0 || v > 255) {
    RaiseInvalidArg(st, "bin '%s': TypedBlob particle_type %ld is not 0..255",
                    std::string(bin).c_str(), v);
    return false;
  }
  *out = static_cast<uint8_t>(v);
  return true;
}

bool GeoJsonText(ModuleState* st, PyObject* o, std::string_view bin, Ref* holder,
                 std::string_view* out) {
  *holder = Ref::Steal(PyObject_GetAttr(o, st->s_text));
  if (!*holder) return false;
  if (!PyUnicode_Check(holder->get())) {
    RaiseInvalidArg(st, "bin '%s': GeoJSON.text must be str", std::string(bin).c_str());
    return false;
  }
  return Utf8Of(st, holder->get(), bin, out);
}

// Aerospike orders map keys by type first, then value; a key-ordered map
// written by a client must already be in that order.
int TypeRank(PyObject* k) {
  if (k == Py_None) return 1;
  if (PyBool_Check(k)) return 2;
  if (PyLong_Check(k)) return 3;
  if (PyUnicode_Check(k)) return 4;
  if (PyList_Check(k) || PyTuple_Check(k)) return 5;
  if (PyDict_Check(k)) return 6;
  if (PyBytes_Check(k) || PyByteArray_Check(k)) return 7;
  if (PyFloat_Check(k)) return 8;
  return 9;
}

struct OrderedEntry {
  int rank;
  PyObject* key;
  PyObject* value;
};

// Strict weak order for key-ordered maps; values of one rank that cannot be
// compared cheaply keep their insertion order (stable sort).
bool KeyLess(const OrderedEntry& a, const OrderedEntry& b) {
  if (a.rank != b.rank) return a.rank < b.rank;
  switch (a.rank) {
    case 3: {
      int oa = 0, ob = 0;
      long long x = PyLong_AsLongLongAndOverflow(a.key, &oa);
      long long y = PyLong_AsLongLongAndOverflow(b.key, &ob);
      if (oa != 0 || ob != 0) return false;
      return x < y;
    }
    case 4: {
      // Code point order equals UTF-8 byte order.
      Py_ssize_t la = 0, lb = 0;
      const char* x = PyUnicode_AsUTF8AndSize(a.key, &la);
      const char* y = PyUnicode_AsUTF8AndSize(b.key, &lb);
      if (x == nullptr || y == nullptr) {
        PyErr_Clear();
        return false;
      }
      int c = std::memcmp(x, y, static_cast<size_t>(std::min(la, lb)));
      return c != 0 ? c < 0 : la < lb;
    }
    case 7: {
      std::string_view x = BytesOf(a.key), y = BytesOf(b.key);
      return x < y;
    }
    case 8:
      return PyFloat_AsDouble(a.key) < PyFloat_AsDouble(b.key);
    default:
      return false;
  }
}

bool PackImpl(ModuleState* st, PyObject* o, std::string_view bin, proto::MsgpackWriter* w,
              int depth);

bool PackDict(ModuleState* st, PyObject* o, std::string_view bin, proto::MsgpackWriter* w,
              int depth, bool key_ordered) {
  const Py_ssize_t n = PyDict_GET_SIZE(o);
  Py_ssize_t pos = 0;
  PyObject *k, *v;
  if (!key_ordered) {
    w->MapHeader(static_cast<uint32_t>(n));
    Py_ssize_t written = 0;
    while (PyDict_Next(o, &pos, &k, &v)) {
      if (!PackImpl(st, k, bin, w, depth + 1) || !PackImpl(st, v, bin, w, depth + 1)) {
        return false;
      }
      ++written;
    }
    if (written != n) {
      RaiseInvalidArg(st, "bin '%s': dict changed size while being encoded",
                      std::string(bin).c_str());
      return false;
    }
    return true;
  }
  std::vector<OrderedEntry> entries;
  entries.reserve(static_cast<size_t>(n));
  while (PyDict_Next(o, &pos, &k, &v)) entries.push_back({TypeRank(k), k, v});
  std::stable_sort(entries.begin(), entries.end(), KeyLess);
  w->MapHeader(static_cast<uint32_t>(entries.size() + 1));
  w->OrderFlagExt(1);
  w->Nil();
  for (const OrderedEntry& e : entries) {
    if (!PackImpl(st, e.key, bin, w, depth + 1) || !PackImpl(st, e.value, bin, w, depth + 1)) {
      return false;
    }
  }
  return true;
}

bool PackSequence(ModuleState* st, PyObject* o, std::string_view bin, proto::MsgpackWriter* w,
                  int depth) {
  const bool is_list = PyList_Check(o);
  const Py_ssize_t n = is_list ? PyList_GET_SIZE(o) : PyTuple_GET_SIZE(o);
  w->ArrayHeader(static_cast<uint32_t>(n));
  for (Py_ssize_t i = 0; i < n; ++i) {
    // A list can shrink while its items are converted (__index__ of an item
    // may run Python code); re-check the bound every time.
    if (is_list && i >= PyList_GET_SIZE(o)) {
      RaiseInvalidArg(st, "bin '%s': list changed size while being encoded",
                      std::string(bin).c_str());
      return false;
    }
    PyObject* item = is_list ? PyList_GET_ITEM(o, i) : PyTuple_GET_ITEM(o, i);
    Py_INCREF(item);
    bool ok = PackImpl(st, item, bin, w, depth + 1);
    Py_DECREF(item);
    if (!ok) return false;
  }
  return true;
}

// Value types that say which Aerospike MessagePack extension they are
// (aerospike_py.types.CDTWildcard, CDTInfinite: ext 0xff with one byte);
// looked up only for values no other kind matched. -1: none.
int ExtensionCode(PyObject* o) {
  Ref code = Ref::Steal(PyObject_GetAttrString(reinterpret_cast<PyObject*>(Py_TYPE(o)),
                                               "_aerospike_ext"));
  if (!code) {
    PyErr_Clear();
    return -1;
  }
  const long v = PyLong_Check(code.get()) ? PyLong_AsLong(code.get()) : -1;
  if (v < 0 || v > 255) {
    PyErr_Clear();
    return -1;
  }
  return static_cast<int>(v);
}

bool PackImpl(ModuleState* st, PyObject* o, std::string_view bin, proto::MsgpackWriter* w,
              int depth) {
  if (depth > proto::kMaxMsgpackDepth) {
    RaiseInvalidArg(st, "bin '%s': value nested deeper than %d levels (or a cycle)",
                    std::string(bin).c_str(), proto::kMaxMsgpackDepth);
    return false;
  }
  switch (KindOf(st, o)) {
    case Kind::kNone:
      w->Nil();
      return true;
    case Kind::kBool:
      w->Bool(o == Py_True);
      return true;
    case Kind::kInt: {
      int overflow = 0;
      long long v = PyLong_AsLongLongAndOverflow(o, &overflow);
      if (overflow > 0) {
        // msgpack can carry uint64; the server's CDTs accept it.
        unsigned long long u = PyLong_AsUnsignedLongLong(o);
        if (u == static_cast<unsigned long long>(-1) && PyErr_Occurred()) {
          PyErr_Clear();
          int64_t dummy;
          return ReadInt64(st, o, bin, &dummy);
        }
        w->UInt(u);
        return true;
      }
      if (overflow < 0) {
        int64_t dummy;
        return ReadInt64(st, o, bin, &dummy);
      }
      if (v == -1 && PyErr_Occurred()) return false;
      w->Int(v);
      return true;
    }
    case Kind::kIndex: {
      int64_t v;
      if (!ReadIndex(st, o, bin, &v)) return false;
      w->Int(v);
      return true;
    }
    case Kind::kFloat: {
      double d = PyFloat_AsDouble(o);
      if (d == -1.0 && PyErr_Occurred()) return false;
      w->Double(d);
      return true;
    }
    case Kind::kStr: {
      std::string_view s;
      if (!Utf8Of(st, o, bin, &s)) return false;
      w->String(s);
      return true;
    }
    case Kind::kBytes:
    case Kind::kByteArray:
      w->Blob(BytesOf(o));
      return true;
    case Kind::kTypedBlob: {
      uint8_t pt;
      if (!TypedBlobType(st, o, bin, &pt)) return false;
      w->Blob(BytesOf(o), pt);
      return true;
    }
    case Kind::kHll:
      w->Blob(BytesOf(o), static_cast<uint8_t>(ParticleType::kHll));
      return true;
    case Kind::kGeoJson: {
      Ref holder;
      std::string_view text;
      if (!GeoJsonText(st, o, bin, &holder, &text)) return false;
      w->GeoJson(text);
      return true;
    }
    case Kind::kList:
    case Kind::kTuple: {
      if (Py_EnterRecursiveCall(" while encoding a list")) return false;
      bool ok = PackSequence(st, o, bin, w, depth);
      Py_LeaveRecursiveCall();
      return ok;
    }
    case Kind::kDict:
    case Kind::kOrderedDict: {
      if (Py_EnterRecursiveCall(" while encoding a dict")) return false;
      bool ok = PackDict(st, o, bin, w, depth, KindOf(st, o) == Kind::kOrderedDict);
      Py_LeaveRecursiveCall();
      return ok;
    }
    case Kind::kUnsupported: {
      const int ext = ExtensionCode(o);
      if (ext < 0) break;
      const char byte = static_cast<char>(ext);
      w->Ext(0xff, std::string_view(&byte, 1));
      return true;
    }
  }
  return Unsupported(st, o, bin);
}

}  // namespace

bool PackValue(ModuleState* st, PyObject* value, std::string_view bin, proto::MsgpackWriter* w) {
  return PackImpl(st, value, bin, w, 0);
}

bool EncodeParticle(ModuleState* st, PyObject* o, std::string_view bin, ByteBuffer* out,
                    ParticleType* particle) {
  switch (KindOf(st, o)) {
    case Kind::kNone:
      *particle = ParticleType::kNull;
      return true;
    case Kind::kBool:
      *particle = ParticleType::kBool;
      out->PushBack(o == Py_True ? 1 : 0);
      return true;
    case Kind::kInt:
    case Kind::kIndex: {
      int64_t v;
      if (Py_TYPE(o) == &PyLong_Type || PyLong_Check(o)) {
        if (!ReadInt64(st, o, bin, &v)) return false;
      } else if (!ReadIndex(st, o, bin, &v)) {
        return false;
      }
      *particle = ParticleType::kInteger;
      StoreBE64(out->Extend(8), static_cast<uint64_t>(v));
      return true;
    }
    case Kind::kFloat: {
      double d = PyFloat_AsDouble(o);
      if (d == -1.0 && PyErr_Occurred()) return false;
      *particle = ParticleType::kFloat;
      StoreBE64(out->Extend(8), DoubleBits(d));
      return true;
    }
    case Kind::kStr: {
      std::string_view s;
      if (!Utf8Of(st, o, bin, &s)) return false;
      *particle = ParticleType::kString;
      out->Append(s);
      return true;
    }
    case Kind::kBytes:
    case Kind::kByteArray:
      *particle = ParticleType::kBlob;
      out->Append(BytesOf(o));
      return true;
    case Kind::kTypedBlob: {
      uint8_t pt;
      if (!TypedBlobType(st, o, bin, &pt)) return false;
      *particle = static_cast<ParticleType>(pt);
      out->Append(BytesOf(o));
      return true;
    }
    case Kind::kHll:
      *particle = ParticleType::kHll;
      out->Append(BytesOf(o));
      return true;
    case Kind::kGeoJson: {
      Ref holder;
      std::string_view text;
      if (!GeoJsonText(st, o, bin, &holder, &text)) return false;
      *particle = ParticleType::kGeoJson;
      uint8_t* p = out->Extend(3);  // flags 0, no cells: the server computes them
      p[0] = p[1] = p[2] = 0;
      out->Append(text);
      return true;
    }
    case Kind::kList:
    case Kind::kTuple: {
      *particle = ParticleType::kList;
      proto::MsgpackWriter w(out);
      return PackImpl(st, o, bin, &w, 0);
    }
    case Kind::kDict:
    case Kind::kOrderedDict: {
      *particle = ParticleType::kMap;
      proto::MsgpackWriter w(out);
      return PackImpl(st, o, bin, &w, 0);
    }
    case Kind::kUnsupported:
      break;
  }
  return Unsupported(st, o, bin);
}

bool BinNameView(ModuleState* st, PyObject* name, std::string_view* out) {
  if (!PyUnicode_Check(name)) {
    RaiseInvalidArg(st, "bin name must be str, not %.100s", Py_TYPE(name)->tp_name);
    return false;
  }
  Py_ssize_t len = 0;
  const char* data = PyUnicode_AsUTF8AndSize(name, &len);
  if (data == nullptr) {
    PyErr_Clear();
    RaiseInvalidArg(st, "bin name %R is not encodable as UTF-8", name);
    return false;
  }
  if (static_cast<size_t>(len) > proto::kMaxBinNameLen) {
    RaiseInvalidArg(st, "bin name '%U' is %zd bytes: it exceeds the %zu-byte limit", name, len,
                    proto::kMaxBinNameLen);
    return false;
  }
  *out = std::string_view(data, static_cast<size_t>(len));
  return true;
}

}  // namespace aerospike_py::python
