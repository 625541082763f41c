#include "python/value_decode.h"

#include "common/byte_order.h"
#include "proto/constants.h"
#include "proto/msgpack.h"
#include "proto/particle.h"
#include "python/str_cache.h"

namespace aerospike_py::python {
namespace {

using proto::MsgpackItem;
using proto::MsgpackReader;
using proto::ParticleType;

// A decode either succeeds, meets bytes it cannot read (the caller falls
// back to a TypedBlob), or hits a Python error (which propagates).
enum class Outcome { kOk, kMalformed, kPyError };

PyObject* NewTypedBlob(ModuleState* st, const char* data, size_t len, uint8_t particle_type) {
  Ref bytes = Ref::Steal(PyBytes_FromStringAndSize(data, static_cast<Py_ssize_t>(len)));
  if (!bytes) return nullptr;
  Ref pt = Ref::Steal(PyLong_FromLong(particle_type));
  if (!pt) return nullptr;
  PyObject* args[] = {bytes.get(), pt.get()};
  return PyObject_Vectorcall(st->typed_blob_type, args, 2, nullptr);
}

PyObject* NewHll(ModuleState* st, const char* data, size_t len) {
  Ref bytes = Ref::Steal(PyBytes_FromStringAndSize(data, static_cast<Py_ssize_t>(len)));
  if (!bytes) return nullptr;
  return PyObject_CallOneArg(st->hll_type, bytes.get());
}

// A GeoJSON with its text set and its parsed form left for later
// (GeoJSON.geo_data parses on first use): reads do not pay for json.loads.
// Text that is not UTF-8 is kept as a TypedBlob of type 23.
PyObject* NewGeoJson(ModuleState* st, const char* data, size_t len) {
  Ref text = Ref::Steal(PyUnicode_DecodeUTF8(data, static_cast<Py_ssize_t>(len), nullptr));
  if (!text) {
    if (!PyErr_ExceptionMatches(PyExc_UnicodeDecodeError)) return nullptr;
    PyErr_Clear();
    return NewTypedBlob(st, data, len, static_cast<uint8_t>(ParticleType::kGeoJson));
  }
  PyTypeObject* type = reinterpret_cast<PyTypeObject*>(st->geojson_type);
  Ref empty = Ref::Steal(PyTuple_New(0));
  if (!empty) return nullptr;
  Ref geo = Ref::Steal(PyBaseObject_Type.tp_new(type, empty.get(), nullptr));
  if (!geo) return nullptr;
  if (PyObject_SetAttr(geo.get(), st->s__text, text.get()) < 0 ||
      PyObject_SetAttr(geo.get(), st->s__data, Py_None) < 0) {
    return nullptr;
  }
  return geo.release();
}

// A str/bin payload inside msgpack: a particle-type byte, then the value.
PyObject* TaggedToPython(ModuleState* st, std::string_view payload) {
  if (payload.empty()) return PyBytes_FromStringAndSize("", 0);
  const uint8_t prefix = static_cast<uint8_t>(payload[0]);
  const char* body = payload.data() + 1;
  const size_t len = payload.size() - 1;
  switch (static_cast<ParticleType>(prefix)) {
    case ParticleType::kString: {
      PyObject* s = st->str_caches->values.Get(body, len);
      if (s != nullptr || !PyErr_ExceptionMatches(PyExc_UnicodeDecodeError)) return s;
      PyErr_Clear();
      return NewTypedBlob(st, body, len, prefix);
    }
    case ParticleType::kBlob:
      return PyBytes_FromStringAndSize(body, static_cast<Py_ssize_t>(len));
    case ParticleType::kGeoJson:
      return NewGeoJson(st, body, len);
    case ParticleType::kHll:
      return NewHll(st, body, len);
    default:
      return NewTypedBlob(st, body, len, prefix);
  }
}

Outcome ReadValue(ModuleState* st, MsgpackReader* r, int depth, PyObject** out);

Outcome ReadArray(ModuleState* st, MsgpackReader* r, uint32_t count, int depth,
                  PyObject** out) {
  if (count > r->remaining()) return Outcome::kMalformed;
  // The first element may be the ordered-list marker (an empty ext).
  uint32_t skip = 0;
  if (count > 0) {
    MsgpackReader peek = *r;
    MsgpackItem first;
    if (peek.Next(&first).ok() && proto::IsOrderFlagExt(first)) {
      *r = peek;
      skip = 1;
    }
  }
  Ref list = Ref::Steal(PyList_New(static_cast<Py_ssize_t>(count - skip)));
  if (!list) return Outcome::kPyError;
  for (uint32_t i = 0; i < count - skip; ++i) {
    PyObject* item = nullptr;
    // Numbers first: feature vectors and id lists are most of the lists read.
    double d;
    int64_t n;
    if (r->TryNextDouble(&d)) {
      item = PyFloat_FromDouble(d);
      if (item == nullptr) return Outcome::kPyError;
    } else if (r->TryNextInt(&n)) {
      item = PyLong_FromLongLong(n);
      if (item == nullptr) return Outcome::kPyError;
    } else {
      Outcome o = ReadValue(st, r, depth + 1, &item);
      if (o != Outcome::kOk) return o;
    }
    PyList_SET_ITEM(list.get(), i, item);
  }
  *out = list.release();
  return Outcome::kOk;
}

Outcome ReadMap(ModuleState* st, MsgpackReader* r, uint32_t count, int depth, PyObject** out) {
  if (uint64_t{count} * 2 > r->remaining()) return Outcome::kMalformed;
  uint8_t flags = 0;
  uint32_t skip = 0;
  if (count > 0) {
    MsgpackReader peek = *r;
    MsgpackItem first;
    if (peek.Next(&first).ok() && proto::IsOrderFlagExt(first)) {
      flags = static_cast<uint8_t>(first.ext_type);
      *r = peek;
      if (!r->Skip().ok()) return Outcome::kMalformed;  // the nil paired with the marker
      skip = 1;
    }
  }
  Ref dict = Ref::Steal((flags & 1) != 0 ? PyObject_CallNoArgs(st->key_ordered_dict_type)
                                         : PyDict_New());
  if (!dict) return Outcome::kPyError;
  for (uint32_t i = 0; i < count - skip; ++i) {
    PyObject* k = nullptr;
    Outcome o = ReadValue(st, r, depth + 1, &k);
    if (o != Outcome::kOk) return o;
    Ref key = Ref::Steal(k);
    PyObject* v = nullptr;
    o = ReadValue(st, r, depth + 1, &v);
    if (o != Outcome::kOk) return o;
    Ref value = Ref::Steal(v);
    // Lists are valid Aerospike map keys but not hashable in Python.
    if (PyList_CheckExact(key.get())) {
      key = Ref::Steal(PyList_AsTuple(key.get()));
      if (!key) return Outcome::kPyError;
    }
    if (PyDict_SetItem(dict.get(), key.get(), value.get()) < 0) {
      if (PyErr_ExceptionMatches(PyExc_TypeError)) {  // unhashable key
        PyErr_Clear();
        return Outcome::kMalformed;
      }
      return Outcome::kPyError;
    }
  }
  *out = dict.release();
  return Outcome::kOk;
}

Outcome ReadValue(ModuleState* st, MsgpackReader* r, int depth, PyObject** out) {
  if (depth > proto::kMaxMsgpackDepth) return Outcome::kMalformed;
  MsgpackItem item;
  if (!r->Next(&item).ok()) return Outcome::kMalformed;
  PyObject* v = nullptr;
  switch (item.kind) {
    case MsgpackItem::Kind::kNil:
      v = Py_NewRef(Py_None);
      break;
    case MsgpackItem::Kind::kBool:
      v = Py_NewRef(item.b ? Py_True : Py_False);
      break;
    case MsgpackItem::Kind::kInt:
      v = PyLong_FromLongLong(item.i);
      break;
    case MsgpackItem::Kind::kUInt:
      v = PyLong_FromUnsignedLongLong(item.u);
      break;
    case MsgpackItem::Kind::kDouble:
      v = PyFloat_FromDouble(item.d);
      break;
    case MsgpackItem::Kind::kStr:
    case MsgpackItem::Kind::kBin:
      v = TaggedToPython(st, item.data);
      break;
    case MsgpackItem::Kind::kArray:
    case MsgpackItem::Kind::kMap: {
      if (Py_EnterRecursiveCall(" while decoding a collection")) return Outcome::kPyError;
      Outcome o = item.kind == MsgpackItem::Kind::kArray
                      ? ReadArray(st, r, item.count, depth, out)
                      : ReadMap(st, r, item.count, depth, out);
      Py_LeaveRecursiveCall();
      return o;
    }
    case MsgpackItem::Kind::kExt:
      // Wildcard/infinity only appear in requests; anything else here is
      // not data we can represent.
      return Outcome::kMalformed;
  }
  if (v == nullptr) return Outcome::kPyError;
  *out = v;
  return Outcome::kOk;
}

PyObject* DecodeCollection(ModuleState* st, uint8_t particle_type, ByteSpan bytes) {
  MsgpackReader r(bytes);
  MsgpackItem head;
  PyObject* out = nullptr;
  Outcome o = Outcome::kMalformed;
  {
    MsgpackReader peek = r;
    const bool want_list = particle_type == static_cast<uint8_t>(ParticleType::kList);
    if (peek.Next(&head).ok() &&
        head.kind == (want_list ? MsgpackItem::Kind::kArray : MsgpackItem::Kind::kMap)) {
      o = ReadValue(st, &r, 0, &out);
      if (o == Outcome::kOk && !r.AtEnd()) {
        Py_DECREF(out);
        out = nullptr;
        o = Outcome::kMalformed;
      }
    }
  }
  if (o == Outcome::kOk) return out;
  if (o == Outcome::kPyError) return nullptr;
  return NewTypedBlob(st, reinterpret_cast<const char*>(bytes.data()), bytes.size(),
                      particle_type);
}

// The entries of a map item as [(key, value), ...] (the header is read).
Outcome ReadMapPairs(ModuleState* st, MsgpackReader* r, uint32_t count, PyObject** out) {
  if (uint64_t{count} * 2 > r->remaining()) return Outcome::kMalformed;
  uint32_t skip = 0;
  if (count > 0) {
    MsgpackReader peek = *r;
    MsgpackItem first;
    if (peek.Next(&first).ok() && proto::IsOrderFlagExt(first)) {
      *r = peek;
      if (!r->Skip().ok()) return Outcome::kMalformed;  // the nil paired with the marker
      skip = 1;
    }
  }
  Ref list = Ref::Steal(PyList_New(static_cast<Py_ssize_t>(count - skip)));
  if (!list) return Outcome::kPyError;
  for (uint32_t i = 0; i < count - skip; ++i) {
    PyObject* kv[2] = {nullptr, nullptr};
    Outcome o = ReadValue(st, r, 1, &kv[0]);
    if (o == Outcome::kOk) {
      o = ReadValue(st, r, 1, &kv[1]);
      if (o != Outcome::kOk) Py_CLEAR(kv[0]);
    }
    if (o != Outcome::kOk) return o;
    PyObject* pair = PyTuple_New(2);
    if (pair == nullptr) {
      Py_DECREF(kv[0]);
      Py_DECREF(kv[1]);
      return Outcome::kPyError;
    }
    PyTuple_SET_ITEM(pair, 0, kv[0]);
    PyTuple_SET_ITEM(pair, 1, kv[1]);
    PyList_SET_ITEM(list.get(), i, pair);
  }
  *out = list.release();
  return Outcome::kOk;
}

}  // namespace

PyObject* DecodeMapAsPairs(ModuleState* st, uint8_t particle_type, ByteSpan bytes) {
  if (particle_type != static_cast<uint8_t>(ParticleType::kMap)) {
    return DecodeParticle(st, particle_type, bytes);
  }
  MsgpackReader r(bytes);
  MsgpackItem head;
  PyObject* out = nullptr;
  Outcome o = Outcome::kMalformed;
  if (r.Next(&head).ok() && head.kind == MsgpackItem::Kind::kMap) {
    o = ReadMapPairs(st, &r, head.count, &out);
    if (o == Outcome::kOk && !r.AtEnd()) {
      Py_CLEAR(out);
      o = Outcome::kMalformed;
    }
  }
  if (o == Outcome::kOk) return out;
  if (o == Outcome::kPyError) return nullptr;
  return NewTypedBlob(st, reinterpret_cast<const char*>(bytes.data()), bytes.size(), particle_type);
}

PyObject* DecodeParticle(ModuleState* st, uint8_t particle_type, ByteSpan bytes) {
  const char* data = reinterpret_cast<const char*>(bytes.data());
  const size_t len = bytes.size();
  switch (static_cast<ParticleType>(particle_type)) {
    case ParticleType::kNull:
      return Py_NewRef(Py_None);
    case ParticleType::kInteger:
      switch (len) {
        case 8: return PyLong_FromLongLong(static_cast<int64_t>(LoadBE64(bytes.data())));
        case 4: return PyLong_FromLong(static_cast<int32_t>(LoadBE32(bytes.data())));
        case 2: return PyLong_FromLong(static_cast<int16_t>(LoadBE16(bytes.data())));
        case 1: return PyLong_FromLong(static_cast<int8_t>(bytes[0]));
        default: break;
      }
      break;
    case ParticleType::kFloat:
      if (len == 8) return PyFloat_FromDouble(BitsToDouble(LoadBE64(bytes.data())));
      break;
    case ParticleType::kString: {
      PyObject* s = st->str_caches->values.Get(data, len);
      if (s != nullptr || !PyErr_ExceptionMatches(PyExc_UnicodeDecodeError)) return s;
      PyErr_Clear();
      break;
    }
    case ParticleType::kBlob:
      return PyBytes_FromStringAndSize(data, static_cast<Py_ssize_t>(len));
    case ParticleType::kBool:
      if (len == 1) return Py_NewRef(bytes[0] != 0 ? Py_True : Py_False);
      break;
    case ParticleType::kHll:
      return NewHll(st, data, len);
    case ParticleType::kGeoJson: {
      auto text = proto::GeoJsonText(bytes);
      if (text.ok()) return NewGeoJson(st, text->data(), text->size());
      break;
    }
    case ParticleType::kList:
    case ParticleType::kMap:
      return DecodeCollection(st, particle_type, bytes);
    default:
      break;
  }
  return NewTypedBlob(st, data, len, particle_type);
}

PyObject* NewBinsDict(ModuleState* st, const proto::MessageView& message) {
#if PY_VERSION_HEX < 0x030D0000
  Ref bins = Ref::Steal(_PyDict_NewPresized(message.header.n_ops));
#else
  Ref bins = Ref::Steal(PyDict_New());
#endif
  if (!bins) return nullptr;
  proto::OpIterator it(message);
  proto::OpView op;
  size_t position = 0;
  while (it.Next(&op)) {
    Ref name = Ref::Steal(st->str_caches->names.GetAt(position++, op.name.data(), op.name.size()));
    if (!name) {
      // A name that is not UTF-8: keep the record readable, name as bytes.
      if (!PyErr_ExceptionMatches(PyExc_UnicodeDecodeError)) return nullptr;
      PyErr_Clear();
      name = Ref::Steal(PyBytes_FromStringAndSize(op.name.data(),
                                                  static_cast<Py_ssize_t>(op.name.size())));
      if (!name) return nullptr;
    }
    Ref value = Ref::Steal(DecodeParticle(st, op.particle_type, op.value));
    if (!value) return nullptr;
    if (PyDict_SetItem(bins.get(), name.get(), value.get()) < 0) return nullptr;
  }
  return bins.release();
}

}  // namespace aerospike_py::python
