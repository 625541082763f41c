#include "python/cdt_encode.h"

#include <cstdarg>
#include <string_view>

#include "proto/msgpack.h"
#include "python/errors.h"
#include "python/op_dict.h"
#include "python/value_encode.h"

namespace aerospike_py::python {
namespace {

using proto::MsgpackWriter;
using proto::cdt::Family;
using proto::cdt::Field;
using proto::cdt::OpArgs;
using proto::cdt::OpSpec;
using proto::cdt::Presence;
using proto::cdt::Slot;
using proto::cdt::ValueKind;

constexpr uint32_t Bit(OpKey k) { return 1u << static_cast<int>(k); }

// Everything one op dict's conversion needs, and the error helper that
// names the op in every message ("ops[2] (map_put): ...").
struct Reader {
  ModuleState* st;
  const OpSpec& spec;
  Py_ssize_t index;
  const OpDict& dict;
  ByteBuffer* scratch;
  OpArgs args;
  // Where each packed value starts in `scratch`; spans are made once all
  // values are packed (the buffer may move while it grows).
  size_t value_start[proto::cdt::kFieldCount] = {};
  size_t value_end[proto::cdt::kFieldCount] = {};
  size_t ctx_start = 0, ctx_end = 0;

  // A ParamError raised by a shared converter (values, bin names) gets the
  // op's place in front of its message; other errors pass unchanged.
  bool Reraise() {
    if (!PyErr_ExceptionMatches(st->exc_invalid_arg)) return false;
    PyObject *type, *value, *tb;
    PyErr_Fetch(&type, &value, &tb);
    PyErr_NormalizeException(&type, &value, &tb);
    Ref t = Ref::Steal(type), v = Ref::Steal(value), b = Ref::Steal(tb);
    Ref msg = Ref::Steal(PyObject_GetAttr(v.get(), st->s_msg));
    if (!msg) {
      PyErr_Clear();
      msg = Ref::Steal(PyObject_Str(v.get()));
      if (!msg) return false;
    }
    return Fail("%S", msg.get());
  }

  bool Fail(const char* format, ...) {
    va_list va;
    va_start(va, format);
    Ref detail = Ref::Steal(PyUnicode_FromFormatV(format, va));
    va_end(va);
    if (!detail) return false;
    RaiseInvalidArg(st, "ops[%zd] (%s): %U", index, spec.name, detail.get());
    return false;
  }
};

// The op-dict key a field is read from (policies are handled apart).
OpKey KeyOf(Field f) {
  switch (f) {
    case Field::kReturnType: return OpKey::kReturnType;
    case Field::kIndex: return OpKey::kIndex;
    case Field::kRank: return OpKey::kRank;
    case Field::kCount: return OpKey::kCount;
    case Field::kByteSize: return OpKey::kByteSize;
    case Field::kByteOffset: return OpKey::kByteOffset;
    case Field::kBitOffset: return OpKey::kBitOffset;
    case Field::kBitSize: return OpKey::kBitSize;
    case Field::kShift: return OpKey::kShift;
    case Field::kSigned: return OpKey::kSigned;
    case Field::kMathFlags: return OpKey::kAction;
    case Field::kResizeFlags: return OpKey::kResizeFlags;
    case Field::kIndexBits: return OpKey::kIndexBitCount;
    case Field::kMinhashBits: return OpKey::kMinhashBitCount;
    case Field::kValueEnd: return OpKey::kValEnd;
    case Field::kMapKey: return OpKey::kMapKey;
    case Field::kOrder:
    case Field::kWriteFlags: return OpKey::kListPolicy;  // replaced by PolicyKey()
    case Field::kFlags:
    case Field::kIntValue:
    case Field::kBool:
    case Field::kValue:
    case Field::kBytes: return OpKey::kVal;
  }
  return OpKey::kVal;
}

OpKey PolicyKey(Family f) {
  switch (f) {
    case Family::kList: return OpKey::kListPolicy;
    case Family::kMap: return OpKey::kMapPolicy;
    case Family::kBit: return OpKey::kBitPolicy;
    case Family::kHll: return OpKey::kHllPolicy;
  }
  return OpKey::kListPolicy;
}

// The keys an operation takes.
uint32_t AllowedKeys(const OpSpec& spec) {
  uint32_t keys = Bit(OpKey::kOp) | Bit(OpKey::kBin);
  if (spec.takes_ctx) keys |= Bit(OpKey::kCtx);
  for (uint8_t i = 0; i < spec.n_slots; ++i) {
    const Field f = spec.slots[i].field;
    if (f == Field::kOrder || f == Field::kWriteFlags) {
      keys |= Bit(PolicyKey(spec.family));
    } else {
      keys |= Bit(KeyOf(f));
    }
    if (f == Field::kReturnType) keys |= Bit(OpKey::kInverted);
    if (f == Field::kRank) keys |= Bit(OpKey::kIndex);  // aerospike-py accepts "index" for a rank
    if (f == Field::kMathFlags) keys |= Bit(OpKey::kSigned);
  }
  return keys;
}

// --- scalar readers -----------------------------------------------------------

// An int (not a bool: True as an index is a mistake) that fits 64 bits.
bool ReadInt(Reader& r, PyObject* o, const char* key, int64_t* out) {
  if (!PyLong_Check(o) || PyBool_Check(o)) {
    return r.Fail("'%s' must be an int, not %.100s", key, Py_TYPE(o)->tp_name);
  }
  int overflow = 0;
  long long v = PyLong_AsLongLongAndOverflow(o, &overflow);
  if (v == -1 && PyErr_Occurred()) return false;
  if (overflow != 0) return r.Fail("'%s' %R does not fit in 64 bits", key, o);
  *out = v;
  return true;
}

bool ReadIntIn(Reader& r, PyObject* o, const char* key, int64_t lo, int64_t hi, int64_t* out) {
  if (!ReadInt(r, o, key, out)) return false;
  if (*out < lo || *out > hi) {
    return r.Fail("'%s' is %lld, outside %lld..%lld", key, static_cast<long long>(*out),
                  static_cast<long long>(lo), static_cast<long long>(hi));
  }
  return true;
}

// A flag word whose set bits must all be in `mask`.
bool ReadFlags(Reader& r, PyObject* o, const char* key, int64_t mask, int64_t* out) {
  if (!ReadInt(r, o, key, out)) return false;
  if ((*out & ~mask) != 0 || *out < 0) {
    return r.Fail("'%s' is %lld: not a combination of the documented flags", key,
                  static_cast<long long>(*out));
  }
  return true;
}

bool ReadBool(Reader& r, PyObject* o, const char* key, bool* out) {
  if (PyBool_Check(o)) {
    *out = o == Py_True;
    return true;
  }
  if (PyLong_Check(o)) {
    int64_t v;
    if (!ReadInt(r, o, key, &v)) return false;
    if (v == 0 || v == 1) {
      *out = v == 1;
      return true;
    }
  }
  return r.Fail("'%s' must be a bool, not %R", key, o);
}

// --- values -------------------------------------------------------------------

bool IsBytesLike(PyObject* o) { return PyBytes_Check(o) || PyByteArray_Check(o); }

bool CheckValueKind(Reader& r, PyObject* o, ValueKind kind, const char* key) {
  switch (kind) {
    case ValueKind::kNone:
    case ValueKind::kAny:
      return true;
    case ValueKind::kNumber:
      if ((PyLong_Check(o) && !PyBool_Check(o)) || PyFloat_Check(o)) return true;
      return r.Fail("'%s' must be an int or float, not %.100s", key, Py_TYPE(o)->tp_name);
    case ValueKind::kList:
      if (PyList_Check(o) || PyTuple_Check(o)) return true;
      return r.Fail("'%s' must be a list, not %.100s", key, Py_TYPE(o)->tp_name);
    case ValueKind::kMap:
      if (PyDict_Check(o)) return true;
      return r.Fail("'%s' must be a dict, not %.100s", key, Py_TYPE(o)->tp_name);
    case ValueKind::kBlob:
      if (IsBytesLike(o)) return true;
      return r.Fail("'%s' must be bytes or bytearray, not %.100s", key, Py_TYPE(o)->tp_name);
    case ValueKind::kBlobList: {
      if (!PyList_Check(o) && !PyTuple_Check(o)) {
        return r.Fail("'%s' must be a list of HyperLogLog values, not %.100s", key,
                      Py_TYPE(o)->tp_name);
      }
      const Py_ssize_t n = PySequence_Fast_GET_SIZE(o);
      for (Py_ssize_t i = 0; i < n; ++i) {
        PyObject* item = PySequence_Fast_GET_ITEM(o, i);
        if (!IsBytesLike(item)) {
          return r.Fail("'%s'[%zd] must be a HyperLogLog (bytes), not %.100s", key, i,
                        Py_TYPE(item)->tp_name);
        }
      }
      return true;
    }
  }
  return true;
}

// Packs `o` into the scratch buffer as the value of field `f`.
bool PackField(Reader& r, Field f, PyObject* o, ValueKind kind) {
  const int i = static_cast<int>(f);
  r.value_start[i] = r.scratch->size();
  MsgpackWriter w(r.scratch);
  if (kind == ValueKind::kBlob) {
    // A plain blob, whatever bytes subclass holds it (the server reads the
    // bits, not the type byte).
    const std::string_view b =
        PyBytes_Check(o) ? std::string_view(PyBytes_AS_STRING(o),
                                            static_cast<size_t>(PyBytes_GET_SIZE(o)))
                         : std::string_view(PyByteArray_AS_STRING(o),
                                            static_cast<size_t>(PyByteArray_GET_SIZE(o)));
    w.Blob(b);
  } else if (!PackValue(r.st, o, r.args.bin, &w)) {
    return r.Reraise();
  }
  r.value_end[i] = r.scratch->size();
  r.args.present |= 1u << i;
  return true;
}

// --- policies -----------------------------------------------------------------

// Reads the keys of a policy dict; an unknown key is an error.
struct PolicyItem {
  const char* key;
  PyObject** out;
};

bool ReadPolicyDict(Reader& r, PyObject* policy, const char* what, PolicyItem* items, int n) {
  if (!PyDict_Check(policy)) {
    return r.Fail("'%s' must be a dict, not %.100s", what, Py_TYPE(policy)->tp_name);
  }
  Py_ssize_t pos = 0;
  PyObject *k, *v;
  while (PyDict_Next(policy, &pos, &k, &v)) {
    bool known = false;
    if (PyUnicode_Check(k)) {
      for (int i = 0; i < n; ++i) {
        if (PyUnicode_CompareWithASCIIString(k, items[i].key) == 0) {
          if (v != Py_None) *items[i].out = v;
          known = true;
          break;
        }
      }
    }
    if (!known) return r.Fail("'%s': unknown key %R", what, k);
  }
  return true;
}

bool ReadListPolicy(Reader& r, PyObject* policy) {
  PyObject *order = nullptr, *flags = nullptr;
  PolicyItem items[] = {{"order", &order}, {"flags", &flags},
                        {"list_order", &order}, {"write_flags", &flags}};
  if (!ReadPolicyDict(r, policy, "list_policy", items, 4)) return false;
  int64_t o = 0, f = 0;
  if (order != nullptr && !ReadIntIn(r, order, "list_policy.order", 0, 1, &o)) return false;
  if (flags != nullptr && !ReadFlags(r, flags, "list_policy.flags", 0xf, &f)) return false;
  // A policy sends both (the official clients do): order where the row has it.
  if (r.spec.Has(Field::kOrder)) r.args.SetInt(Field::kOrder, o);
  r.args.SetInt(Field::kWriteFlags, f);
  return true;
}

// map_put/map_put_items may switch rows by write mode; `row` is updated.
bool ReadMapPolicy(Reader& r, PyObject* policy, const OpSpec** row) {
  PyObject *order = nullptr, *mode = nullptr, *flags = nullptr, *persist = nullptr;
  PolicyItem items[] = {{"order", &order},         {"write_mode", &mode},
                        {"flags", &flags},         {"persist_index", &persist},
                        {"map_order", &order},     {"map_write_mode", &mode},
                        {"map_write_flags", &flags}};
  if (!ReadPolicyDict(r, policy, "map_policy", items, 7)) return false;
  int64_t o = 0, m = 0, f = 0;
  bool p = false;
  if (order != nullptr) {
    if (!ReadInt(r, order, "map_policy.order", &o)) return false;
    if (o != 0 && o != 1 && o != 3) {
      return r.Fail("'map_policy.order' is %lld: use MAP_UNORDERED, MAP_KEY_ORDERED or "
                    "MAP_KEY_VALUE_ORDERED", static_cast<long long>(o));
    }
  }
  // write_mode takes MAP_UPDATE / MAP_UPDATE_ONLY / MAP_CREATE_ONLY, or
  // MAP_WRITE_FLAGS_* bits (which include the other two as flags).
  if (mode != nullptr && !ReadFlags(r, mode, "map_policy.write_mode", 0xf, &m)) return false;
  if (flags != nullptr && !ReadFlags(r, flags, "map_policy.flags", 0xf, &f)) return false;
  if (persist != nullptr && !ReadBool(r, persist, "map_policy.persist_index", &p)) return false;
  if (m > proto::cdt::kMapUpdateOnly) {
    f |= m;
    m = proto::cdt::kMapUpdate;
  }
  if (f != 0 && m != proto::cdt::kMapUpdate) {
    return r.Fail("map_policy: give write flags or a write mode, not both");
  }
  // The persisted index applies to a top-level map only.
  if (p && r.args.ctx_steps == 0) o |= 0x10;
  if (r.spec.Has(Field::kWriteFlags)) {
    if (f != 0) {
      r.args.SetInt(Field::kWriteFlags, f);
    } else {
      *row = &proto::cdt::MapWriteVariant(**row, static_cast<int>(m));
    }
  }
  r.args.SetInt(Field::kOrder, o);
  return true;
}

bool ReadHllPolicy(Reader& r, PyObject* policy) {
  PyObject* flags = nullptr;
  PolicyItem items[] = {{"flags", &flags}};
  if (!ReadPolicyDict(r, policy, "hll_policy", items, 1)) return false;
  int64_t f = 0;
  if (flags != nullptr && !ReadFlags(r, flags, "hll_policy.flags", 0xf, &f)) return false;
  r.args.SetInt(Field::kWriteFlags, f);
  return true;
}

bool ReadBitPolicy(Reader& r, PyObject* policy) {
  PyObject* flags = policy;
  if (PyDict_Check(policy)) {
    flags = nullptr;
    PolicyItem items[] = {{"bit_write_flags", &flags}, {"flags", &flags}};
    if (!ReadPolicyDict(r, policy, "bit_policy", items, 2)) return false;
    if (flags == nullptr) return true;
  }
  int64_t f = 0;
  if (!ReadFlags(r, flags, "bit_policy", 0xf, &f)) return false;
  r.args.SetInt(Field::kWriteFlags, f);
  return true;
}

// --- context ------------------------------------------------------------------

bool ReadContext(Reader& r, PyObject* ctx) {
  if (!PyList_Check(ctx) && !PyTuple_Check(ctx)) {
    return r.Fail("'ctx' must be a list of cdt_ctx steps, not %.100s", Py_TYPE(ctx)->tp_name);
  }
  const Py_ssize_t n = PySequence_Fast_GET_SIZE(ctx);
  if (n == 0) return true;  // no context
  r.ctx_start = r.scratch->size();
  MsgpackWriter w(r.scratch);
  for (Py_ssize_t i = 0; i < n; ++i) {
    PyObject* step = PySequence_Fast_GET_ITEM(ctx, i);
    if (!PyTuple_Check(step) || PyTuple_GET_SIZE(step) != 2) {
      return r.Fail("ctx[%zd] must be a cdt_ctx step (type, value), not %R", i, step);
    }
    int64_t type;
    PyObject* value = PyTuple_GET_ITEM(step, 1);
    if (!ReadInt(r, PyTuple_GET_ITEM(step, 0), "ctx step type", &type)) return false;
    if (!proto::cdt::IsValidContextType(type)) {
      return r.Fail("ctx[%zd]: %lld is not a context step type", i, static_cast<long long>(type));
    }
    w.Int(type);
    if (proto::cdt::ContextTakesInteger(type)) {
      int64_t v;
      if (!ReadInt(r, value, "ctx index/rank", &v)) return false;
      w.Int(v);
    } else if (!PackValue(r.st, value, r.args.bin, &w)) {
      return r.Reraise();
    }
  }
  r.ctx_end = r.scratch->size();
  r.args.ctx_steps = static_cast<uint32_t>(n);
  return true;
}

// --- fields -------------------------------------------------------------------

// Reads one integer field from its key; absent or None leaves it unset.
bool ReadIntField(Reader& r, const Slot& slot, PyObject* o) {
  const Field f = slot.field;
  const char* key = OpKeyName(KeyOf(f));
  int64_t v = 0;
  switch (f) {
    case Field::kReturnType: {
      if (!ReadInt(r, o, key, &v)) return false;
      const int64_t inverted_bit = v & proto::cdt::kInvertedFlag;
      if (!proto::cdt::IsValidReturnType(r.spec.family, v & ~proto::cdt::kInvertedFlag)) {
        return r.Fail("'return_type' %lld is not a %s_RETURN_* constant",
                      static_cast<long long>(v),
                      r.spec.family == Family::kList ? "LIST" : "MAP");
      }
      v = (v & ~proto::cdt::kInvertedFlag) | inverted_bit;
      if (PyObject* inv = r.dict.GetNotNone(OpKey::kInverted)) {
        bool b;
        if (!ReadBool(r, inv, "inverted", &b)) return false;
        if (b) v |= proto::cdt::kInvertedFlag;
      }
      break;
    }
    case Field::kIndex:
    case Field::kRank:
    case Field::kIntValue:
      if (!ReadInt(r, o, key, &v)) return false;
      break;
    case Field::kBitOffset:
    case Field::kByteOffset:
      if (!ReadIntIn(r, o, key, INT32_MIN, INT32_MAX, &v)) return false;
      break;
    case Field::kCount:
    case Field::kBitSize:
    case Field::kByteSize:
    case Field::kShift:
      if (!ReadIntIn(r, o, key, 0, UINT32_MAX, &v)) return false;
      break;
    case Field::kFlags:
      return true;  // read by ReadValFlags
    case Field::kMathFlags: {
      if (!ReadInt(r, o, "action", &v)) return false;
      if (v != 0 && v != 2 && v != 4) {
        return r.Fail("'action' is %lld: use BIT_OVERFLOW_FAIL, BIT_OVERFLOW_SATURATE or "
                      "BIT_OVERFLOW_WRAP", static_cast<long long>(v));
      }
      break;
    }
    case Field::kSigned: {
      bool b;
      if (!ReadBool(r, o, key, &b)) return false;
      if (!b) return true;  // sent only when set
      v = 1;
      break;
    }
    case Field::kResizeFlags:
      if (!ReadFlags(r, o, key, 0x7, &v)) return false;
      if ((v & 6) == 6) return r.Fail("'resize_flags': grow-only and shrink-only exclude each other");
      break;
    case Field::kIndexBits:
      if (!ReadInt(r, o, key, &v)) return false;
      if ((v < 4 || v > 16) && !(v == -1 && slot.presence == Presence::kDefault)) {
        return r.Fail("'index_bit_count' is %lld, outside 4..16", static_cast<long long>(v));
      }
      break;
    case Field::kMinhashBits:
      if (!ReadInt(r, o, key, &v)) return false;
      if (v != -1 && v != 0 && (v < 4 || v > 51)) {
        return r.Fail("'minhash_bit_count' is %lld: use 0 or 4..51", static_cast<long long>(v));
      }
      break;
    case Field::kBool: {
      bool b;
      if (!ReadBool(r, o, "val", &b)) return false;
      v = b;
      break;
    }
    default:
      return true;
  }
  r.args.SetInt(f, v);
  return true;
}

// "val" as a flag word: list sort flags, or the order of set_order.
bool ReadValFlags(Reader& r, PyObject* o) {
  int64_t v = 0;
  if (o != nullptr) {
    switch (r.spec.code) {
      case proto::cdt::code::kListSort:
        if (!ReadFlags(r, o, "val (sort flags)", 0x3, &v)) return false;
        break;
      case proto::cdt::code::kListSetOrder:
        if (!ReadInt(r, o, "val (list order)", &v)) return false;
        if ((v & ~0x10) != 0 && (v & ~0x10) != 1) {
          return r.Fail("'val' is %lld: use LIST_UNORDERED or LIST_ORDERED",
                        static_cast<long long>(v));
        }
        break;
      default:  // map_set_order
        if (!ReadInt(r, o, "val (map order)", &v)) return false;
        if ((v & ~0x10) != 0 && (v & ~0x10) != 1 && (v & ~0x10) != 3) {
          return r.Fail("'val' is %lld: use MAP_UNORDERED, MAP_KEY_ORDERED or "
                        "MAP_KEY_VALUE_ORDERED", static_cast<long long>(v));
        }
        break;
    }
  }
  // A persisted index applies to a top-level collection only.
  if ((v & 0x10) != 0 && r.args.ctx_steps != 0) v &= ~0x10;
  r.args.SetInt(Field::kFlags, v);
  return true;
}

}  // namespace

bool EncodeCdtOpDict(ModuleState* st, const OpSpec& spec, PyObject* dict, Py_ssize_t index,
                     ByteBuffer* scratch, proto::OpWriter* w, OpResultShape* shape) {
  OpDict d;
  if (!ReadOpDict(st, dict, index, &d)) return false;
  scratch->Clear();
  Reader r{st, spec, index, d, scratch, OpArgs{}};

  // Keys the operation does not take (None counts as not given).
  const uint32_t extra = d.present & ~AllowedKeys(spec);
  if (extra != 0) {
    for (int k = 0; k < kOpKeyCount; ++k) {
      if ((extra & (1u << k)) == 0) continue;
      if (static_cast<OpKey>(k) == OpKey::kCtx) return r.Fail("takes no 'ctx'");
      return r.Fail("takes no '%s'", OpKeyName(static_cast<OpKey>(k)));
    }
  }
  PyObject* bin = d.GetNotNone(OpKey::kBin);
  if (bin == nullptr) return r.Fail("needs a 'bin'");
  if (!BinNameView(st, bin, &r.args.bin)) return r.Reraise();

  if (PyObject* ctx = d.GetNotNone(OpKey::kCtx)) {
    if (!ReadContext(r, ctx)) return false;
  }

  const OpSpec* row = &spec;
  if (PyObject* policy = d.GetNotNone(PolicyKey(spec.family))) {
    bool ok = true;
    switch (spec.family) {
      case Family::kList: ok = ReadListPolicy(r, policy); break;
      case Family::kMap: ok = ReadMapPolicy(r, policy, &row); break;
      case Family::kHll: ok = ReadHllPolicy(r, policy); break;
      case Family::kBit: ok = ReadBitPolicy(r, policy); break;
    }
    if (!ok) return false;
  }

  for (uint8_t i = 0; i < spec.n_slots; ++i) {
    const Slot& slot = spec.slots[i];
    const Field f = slot.field;
    if (f == Field::kOrder || f == Field::kWriteFlags) continue;  // from the policy
    if (f == Field::kFlags) {
      if (!ReadValFlags(r, d.GetNotNone(OpKey::kVal))) return false;
      continue;
    }
    OpKey key = KeyOf(f);
    PyObject* o = d.GetNotNone(key);
    if (f == Field::kRank && o == nullptr) {
      key = OpKey::kIndex;
      o = d.GetNotNone(key);
    }
    if (f == Field::kMathFlags) {
      // "action" | signed: both optional.
      int64_t flags = 0;
      if (o != nullptr) {
        if (!ReadIntField(r, slot, o)) return false;
        flags = r.args.ints[static_cast<int>(f)];
      }
      if (PyObject* s = d.GetNotNone(OpKey::kSigned)) {
        bool b;
        if (!ReadBool(r, s, "signed", &b)) return false;
        if (b) flags |= 1;
      }
      r.args.SetInt(f, flags);
      continue;
    }
    if (o == nullptr) {
      if (slot.presence == Presence::kRequired) {
        if (f == Field::kRank) return r.Fail("needs a 'rank'");
        return r.Fail("needs '%s'", OpKeyName(key));
      }
      continue;  // default or trailing: the encoder handles it
    }
    if (proto::cdt::IsValueField(f)) {
      if (!CheckValueKind(r, o, slot.value_kind, OpKeyName(key))) return false;
      if (!PackField(r, f, o, slot.value_kind)) return false;
    } else if (!ReadIntField(r, slot, o)) {
      return false;
    }
  }

  // All values are packed: the scratch buffer no longer moves.
  for (int f = 0; f < proto::cdt::kFieldCount; ++f) {
    if (r.value_end[f] > r.value_start[f]) {
      r.args.values[f] = scratch->span().subspan(r.value_start[f], r.value_end[f] - r.value_start[f]);
    }
  }
  if (r.args.ctx_steps > 0) {
    r.args.ctx = scratch->span().subspan(r.ctx_start, r.ctx_end - r.ctx_start);
  }
  proto::cdt::EncodeCdtOp(*row, r.args, w);

  *shape = OpResultShape::kPlain;
  if (spec.Has(Field::kReturnType) && spec.family == Family::kMap &&
      (r.args.ints[static_cast<int>(Field::kReturnType)] & 0xffff) == 8) {
    *shape = OpResultShape::kKeyValue;
  }
  return true;
}

}  // namespace aerospike_py::python
