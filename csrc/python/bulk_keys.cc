#include "python/bulk_keys.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <string_view>

#include "common/byte_order.h"
#include "proto/constants.h"
#include "python/errors.h"
#include "python/keys.h"

namespace aerospike_py::python {

// How a group's user keys are produced for results when it kept no Python
// objects for them (arrays): decoded from the command's key bytes.
enum class UserKeyForm : uint8_t { kObjects, kNone, kInt, kBytes, kStr };

struct KeyGroup {
  uint32_t begin = 0;       // index of its first key in the command
  PyObject* entry = nullptr;      // a key tuple (one key), else null; strong
  PyObject* ns = nullptr;         // strong
  PyObject* set = nullptr;        // strong (str or None)
  PyObject* user_keys = nullptr;  // kObjects: tuple of user key objects; strong
  UserKeyForm form = UserKeyForm::kObjects;
};

// What a capsule context holds. Freed by the capsule with the GIL held.
struct BulkKeys {
  std::vector<KeyGroup> groups;
  PyObject* entries = nullptr;  // the keys argument's entries; strong
  ~BulkKeys() {
    for (KeyGroup& g : groups) {
      Py_XDECREF(g.entry);
      Py_XDECREF(g.ns);
      Py_XDECREF(g.set);
      Py_XDECREF(g.user_keys);
    }
    Py_XDECREF(entries);
  }
};

namespace {

constexpr const char* kCapsuleName = "aerospike_py._core.BulkKeys";

void FreeCapsule(PyObject* capsule) {
  delete static_cast<BulkKeys*>(PyCapsule_GetPointer(capsule, kCapsuleName));
}

bool Intern(const char* text, PyObject** out) {
  if (*out != nullptr) return true;
  *out = PyUnicode_InternFromString(text);
  return *out != nullptr;
}

// Where a key is, for messages: keys[entry] or keys[entry].keys[item].
struct KeyWhere {
  const char* label = "keys";
  Py_ssize_t entry = 0;
  Py_ssize_t item = -1;  // -1: the entry is a key tuple
  bool lone = false;     // the keys argument was one BatchKeys
  std::string str() const {
    const std::string base = label;
    if (item < 0) return base + "[" + std::to_string(entry) + "]";
    if (lone) return base + ".keys[" + std::to_string(item) + "]";
    return base + "[" + std::to_string(entry) + "].keys[" + std::to_string(item) + "]";
  }
};

// Appends the wire form of a user key object (int, str, bytes, bytearray,
// or anything with __index__) to `bytes` and fills `k`. Raises naming
// `where` otherwise. bytes keys hash as strings, as aerospike-py and the
// official Python client do; bytearray keys as blobs.
bool AppendUserKey(ModuleState* st, PyObject* pk, const KeyWhere& where, ByteBuffer* bytes,
                   client::BatchKey* k) {
  k->key_offset = static_cast<uint32_t>(bytes->size());
  if (PyLong_Check(pk) && !PyBool_Check(pk)) {
    int overflow = 0;
    const long long v = PyLong_AsLongLongAndOverflow(pk, &overflow);
    if (overflow != 0) {
      RaiseInvalidArg(st, "%s: integer primary_key does not fit in 64 bits", where.str().c_str());
      return false;
    }
    if (v == -1 && PyErr_Occurred()) return false;
    k->key_type = proto::ParticleType::kInteger;
    StoreBE64(bytes->Extend(8), static_cast<uint64_t>(v));
    k->key_len = 8;
    return true;
  }
  if (PyUnicode_Check(pk)) {
    Py_ssize_t len = 0;
    const char* data = PyUnicode_AsUTF8AndSize(pk, &len);
    if (data == nullptr) {
      PyErr_Clear();
      RaiseInvalidArg(st, "%s: primary_key is not encodable as UTF-8", where.str().c_str());
      return false;
    }
    k->key_type = proto::ParticleType::kString;
    bytes->Append(data, static_cast<size_t>(len));
    k->key_len = static_cast<uint32_t>(len);
    return true;
  }
  if (PyBytes_Check(pk)) {
    k->key_type = proto::ParticleType::kString;
    bytes->Append(PyBytes_AS_STRING(pk), static_cast<size_t>(PyBytes_GET_SIZE(pk)));
    k->key_len = static_cast<uint32_t>(PyBytes_GET_SIZE(pk));
    return true;
  }
  if (PyByteArray_Check(pk)) {
    k->key_type = proto::ParticleType::kBlob;
    bytes->Append(PyByteArray_AS_STRING(pk), static_cast<size_t>(PyByteArray_GET_SIZE(pk)));
    k->key_len = static_cast<uint32_t>(PyByteArray_GET_SIZE(pk));
    return true;
  }
  if (!PyBool_Check(pk) && pk != Py_None && PyIndex_Check(pk)) {
    // NumPy integer scalars and other int-likes.
    Ref as_int = Ref::Steal(PyNumber_Index(pk));
    if (!as_int) {
      ConvertPendingToInvalidArg(st, where.str().c_str());
      return false;
    }
    return AppendUserKey(st, as_int.get(), where, bytes, k);
  }
  if (pk == Py_None) {
    RaiseInvalidArg(st, "%s: primary_key is None and no digest was given", where.str().c_str());
    return false;
  }
  RaiseInvalidArg(st, "%s: primary_key must be int, str, bytes or bytearray, not %.100s",
                  where.str().c_str(), Py_TYPE(pk)->tp_name);
  return false;
}

// A 20-byte digest from bytes/bytearray.
bool ReadDigest(ModuleState* st, PyObject* obj, const KeyWhere& where, proto::Digest* out) {
  const char* data = nullptr;
  Py_ssize_t len = 0;
  if (PyBytes_Check(obj)) {
    data = PyBytes_AS_STRING(obj);
    len = PyBytes_GET_SIZE(obj);
  } else if (PyByteArray_Check(obj)) {
    data = PyByteArray_AS_STRING(obj);
    len = PyByteArray_GET_SIZE(obj);
  }
  if (data == nullptr || len != static_cast<Py_ssize_t>(proto::kDigestSize)) {
    RaiseInvalidArg(st, "%s: digest must be 20 bytes", where.str().c_str());
    return false;
  }
  std::memcpy(out->data(), data, proto::kDigestSize);
  return true;
}

// A Py_buffer released on scope exit.
class Buffer {
 public:
  Buffer() = default;
  ~Buffer() {
    if (held_) PyBuffer_Release(&view_);
  }
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;
  bool Get(PyObject* obj, int flags) {
    if (PyObject_GetBuffer(obj, &view_, flags) < 0) return false;
    held_ = true;
    return true;
  }
  const Py_buffer& view() const { return view_; }

 private:
  Py_buffer view_{};
  bool held_ = false;
};

// The element type of a 1-D key array, from its buffer format.
struct ArrayFormat {
  enum class Type : uint8_t { kSigned, kUnsigned, kBytes, kUcs4, kOther };
  Type type = Type::kOther;
  bool big_endian = false;
  bool object = false;  // 'O': an array of Python objects
};

ArrayFormat ParseFormat(const char* format) {
  ArrayFormat f;
  if (format == nullptr) format = "B";
  const char* p = format;
  if (*p == '@' || *p == '=' || *p == '<' || *p == '>' || *p == '!') {
    f.big_endian = *p == '>' || *p == '!';
    if (*p == '@' || *p == '=') f.big_endian = std::endian::native == std::endian::big;
    ++p;
  } else {
    f.big_endian = std::endian::native == std::endian::big;
  }
  while (*p >= '0' && *p <= '9') ++p;
  if (*p == '\0' || p[1] != '\0') return f;
  switch (*p) {
    case 'b': case 'h': case 'i': case 'l': case 'q': case 'n':
      f.type = ArrayFormat::Type::kSigned;
      break;
    case 'B': case 'H': case 'I': case 'L': case 'Q': case 'N':
      f.type = ArrayFormat::Type::kUnsigned;
      break;
    case 's': case 'c':
      f.type = ArrayFormat::Type::kBytes;
      break;
    case 'w':
      f.type = ArrayFormat::Type::kUcs4;
      break;
    case 'O':
      f.object = true;
      break;
    default:
      break;
  }
  return f;
}

uint64_t LoadUnsigned(const uint8_t* p, Py_ssize_t size, bool big_endian) {
  uint64_t v = 0;
  for (Py_ssize_t k = 0; k < size; ++k) {
    const uint8_t byte = big_endian ? p[k] : p[size - 1 - k];
    v = (v << 8) | byte;
  }
  return v;
}

// Appends the UTF-8 form of `count` UCS4 code points (trailing NULs
// dropped, as NumPy's str() of a U item does). False on an invalid one.
bool AppendUcs4AsUtf8(const uint8_t* p, Py_ssize_t count, bool big_endian, ByteBuffer* out) {
  while (count > 0 && LoadUnsigned(p + (count - 1) * 4, 4, big_endian) == 0) --count;
  for (Py_ssize_t k = 0; k < count; ++k) {
    const uint32_t c = static_cast<uint32_t>(LoadUnsigned(p + k * 4, 4, big_endian));
    if (c >= 0x110000 || (c >= 0xD800 && c <= 0xDFFF)) return false;
    uint8_t buf[4];
    size_t n;
    if (c < 0x80) {
      buf[0] = static_cast<uint8_t>(c);
      n = 1;
    } else if (c < 0x800) {
      buf[0] = static_cast<uint8_t>(0xC0 | (c >> 6));
      buf[1] = static_cast<uint8_t>(0x80 | (c & 0x3F));
      n = 2;
    } else if (c < 0x10000) {
      buf[0] = static_cast<uint8_t>(0xE0 | (c >> 12));
      buf[1] = static_cast<uint8_t>(0x80 | ((c >> 6) & 0x3F));
      buf[2] = static_cast<uint8_t>(0x80 | (c & 0x3F));
      n = 3;
    } else {
      buf[0] = static_cast<uint8_t>(0xF0 | (c >> 18));
      buf[1] = static_cast<uint8_t>(0x80 | ((c >> 12) & 0x3F));
      buf[2] = static_cast<uint8_t>(0x80 | ((c >> 6) & 0x3F));
      buf[3] = static_cast<uint8_t>(0x80 | (c & 0x3F));
      n = 4;
    }
    out->Append(buf, n);
  }
  return true;
}

}  // namespace

bool EnsureBatchExtras(ModuleState* st) {
  if (st->batch_keys_type != nullptr) return true;
  if (!Intern("namespace", &st->s_namespace) || !Intern("set_name", &st->s_set_name) ||
      !Intern("keys", &st->s_keys) || !Intern("digests", &st->s_digests) ||
      !Intern("_type", &st->s__type) || !Intern("ops", &st->s_ops) ||
      !Intern("bins", &st->s_bins) || !Intern("meta", &st->s_meta) ||
      !Intern("policy", &st->s_policy) || !Intern("read_all_bins", &st->s_read_all_bins)) {
    return false;
  }
  Ref module = Ref::Steal(PyImport_ImportModule("aerospike_py.batch"));
  if (!module) return false;
  Ref type = Ref::Steal(PyObject_GetAttrString(module.get(), "BatchKeys"));
  if (!type) return false;
  if (!PyType_Check(type.get())) {
    PyErr_SetString(PyExc_TypeError, "aerospike_py.batch.BatchKeys must be a class");
    return false;
  }
  st->batch_keys_type = type.release();
  return true;
}

// ---------------------------------------------------------------------------
// BatchBuilder

BatchBuilder::BatchBuilder(ModuleState* st, size_t n_hint)
    : st_(st), cmd_(std::make_unique<client::BatchCommand>()) {
  cmd_->keys.reserve(n_hint);
  cmd_->key_bytes.Reserve(n_hint * 16);
}

BatchBuilder::~BatchBuilder() = default;

bool BatchBuilder::AddSpec(client::BatchRowSpec spec, uint16_t* index) {
  if (cmd_->specs.size() > UINT16_MAX) {
    RaiseInvalidArg(st_, "a batch may hold at most 65536 distinct record shapes");
    return false;
  }
  *index = static_cast<uint16_t>(cmd_->specs.size());
  cmd_->specs.push_back(std::move(spec));
  return true;
}

bool BatchBuilder::SeenNsSet(PyObject* ns, PyObject* set, uint16_t* out) const {
  // Keys built in a loop share their namespace and set objects: an
  // identity hit skips every string comparison.
  for (const CachedNsSet& c : cache_) {
    if (c.ns == ns && c.set == set) {
      *out = c.index;
      return true;
    }
  }
  return false;
}

bool BatchBuilder::NsSetIndex(PyObject* ns, PyObject* set, const std::string& what,
                              uint16_t* out) {
  client::NamespaceSet parsed;
  if (!ParseNamespace(st_, ns, what.c_str(), &parsed.ns) ||
      !ParseSetName(st_, set, what.c_str(), &parsed.set)) {
    return false;
  }
  uint16_t found = UINT16_MAX;
  for (size_t i = 0; i < cmd_->ns_sets.size(); ++i) {
    if (cmd_->ns_sets[i].ns == parsed.ns && cmd_->ns_sets[i].set == parsed.set) {
      found = static_cast<uint16_t>(i);
      break;
    }
  }
  if (found == UINT16_MAX) {
    if (cmd_->ns_sets.size() >= UINT16_MAX) {
      RaiseInvalidArg(st_, "a batch may span at most 65535 namespace/set pairs");
      return false;
    }
    found = static_cast<uint16_t>(cmd_->ns_sets.size());
    cmd_->ns_sets.push_back(std::move(parsed));
  }
  if (cache_.size() < 16) cache_.push_back({ns, set, found});
  *out = found;
  return true;
}

void BatchBuilder::StartGroups() {
  bulk_ = std::make_unique<BulkKeys>();
  bulk_->groups.reserve(tuples_.size() + 8);
  for (size_t i = 0; i < tuples_.size(); ++i) {
    KeyGroup g;
    g.begin = static_cast<uint32_t>(i);
    g.entry = Py_NewRef(tuples_[i]);
    bulk_->groups.push_back(g);
  }
  tuples_.clear();
}

bool BatchBuilder::NoteTuple(PyObject* key) {
  if (bulk_ == nullptr) {
    tuples_.push_back(key);
    return true;
  }
  KeyGroup g;
  g.begin = static_cast<uint32_t>(cmd_->keys.size() - 1);
  g.entry = Py_NewRef(key);
  bulk_->groups.push_back(g);
  return true;
}

bool BatchBuilder::AddKey(PyObject* key, Py_ssize_t index, uint16_t spec) {
  KeyWhere where;
  where.label = label_;
  where.entry = index;
  if (!PyTuple_Check(key) || (PyTuple_GET_SIZE(key) != 3 && PyTuple_GET_SIZE(key) != 4)) {
    // The single-key parser words every shape error the same way.
    client::RecordKey scratch;
    if (!ParseKey(st_, key, where.str().c_str(), &scratch)) return false;
  }
  client::BatchKey k;
  k.spec = spec;
  PyObject* ns = PyTuple_GET_ITEM(key, 0);
  PyObject* set = PyTuple_GET_ITEM(key, 1);
  if (!SeenNsSet(ns, set, &k.ns_set) && !NsSetIndex(ns, set, where.str(), &k.ns_set)) {
    return false;
  }
  PyObject* digest = PyTuple_GET_SIZE(key) == 4 ? PyTuple_GET_ITEM(key, 3) : Py_None;
  if (digest != Py_None) {
    if (!ReadDigest(st_, digest, where, &k.digest)) return false;
    k.has_digest = true;
  }
  PyObject* pk = PyTuple_GET_ITEM(key, 2);
  if (pk == Py_None && k.has_digest) {
    k.key_type = proto::ParticleType::kNull;
    k.key_offset = static_cast<uint32_t>(cmd_->key_bytes.size());
  } else if (!AppendUserKey(st_, pk, where, &cmd_->key_bytes, &k)) {
    return false;
  }
  cmd_->keys.push_back(k);
  return NoteTuple(key);
}

bool BatchBuilder::AddEntry(PyObject* entry, Py_ssize_t index, uint16_t spec) {
  if (PyTuple_Check(entry)) return AddKey(entry, index, spec);
  if (!EnsureBatchExtras(st_)) return false;
  if (PyObject_TypeCheck(entry, reinterpret_cast<PyTypeObject*>(st_->batch_keys_type))) {
    return AddGroup(entry, index, spec);
  }
  return AddKey(entry, index, spec);  // raises the key-shape error
}

bool BatchBuilder::AddKeys(PyObject* keys, uint16_t spec, Ref* entries) {
  if (!PyTuple_Check(keys) && !PyList_Check(keys)) {
    if (!EnsureBatchExtras(st_)) return false;
    if (PyObject_TypeCheck(keys, reinterpret_cast<PyTypeObject*>(st_->batch_keys_type))) {
      *entries = Ref::Steal(PyTuple_Pack(1, keys));
      if (!*entries) return false;
      lone_group_ = true;
      return AddGroup(keys, 0, spec);
    }
  }
  if (PyTuple_CheckExact(keys)) {
    *entries = Ref::New(keys);
  } else if (PyList_CheckExact(keys)) {
    *entries = Ref::Steal(PyList_AsTuple(keys));
  } else if (!PySequence_Check(keys) || PyUnicode_Check(keys) || PyBytes_Check(keys) ||
             PyDict_Check(keys)) {
    RaiseInvalidArg(st_, "keys must be a list of keys or a BatchKeys, not %.100s",
                    Py_TYPE(keys)->tp_name);
    return false;
  } else {
    *entries = Ref::Steal(PySequence_Tuple(keys));
  }
  if (!*entries) return false;
  PyObject* t = entries->get();
  const Py_ssize_t n = PyTuple_GET_SIZE(t);
  for (Py_ssize_t i = 0; i < n; ++i) {
    if (!AddEntry(PyTuple_GET_ITEM(t, i), i, spec)) return false;
  }
  return true;
}

bool BatchBuilder::AddGroup(PyObject* group, Py_ssize_t index, uint16_t spec) {
  if (bulk_ == nullptr) StartGroups();
  KeyWhere where;
  where.label = label_;
  where.entry = index;
  where.lone = lone_group_;
  const std::string what = lone_group_ ? std::string(label_) : where.str();
  Ref ns = Ref::Steal(PyObject_GetAttr(group, st_->s_namespace));
  Ref set = ns ? Ref::Steal(PyObject_GetAttr(group, st_->s_set_name)) : Ref();
  Ref items = set ? Ref::Steal(PyObject_GetAttr(group, st_->s_keys)) : Ref();
  Ref digests_flag = items ? Ref::Steal(PyObject_GetAttr(group, st_->s_digests)) : Ref();
  if (!digests_flag) return false;
  const int digests = PyObject_IsTrue(digests_flag.get());
  if (digests < 0) return false;
  client::BatchKey k;
  k.spec = spec;
  if (!SeenNsSet(ns.get(), set.get(), &k.ns_set) &&
      !NsSetIndex(ns.get(), set.get(), what, &k.ns_set)) {
    return false;
  }

  KeyGroup g;
  g.begin = static_cast<uint32_t>(cmd_->keys.size());
  const size_t first = cmd_->keys.size();
  PyObject* obj = items.get();
  const bool sequence = PyTuple_Check(obj) || PyList_Check(obj);
  ArrayFormat format;
  Buffer buf;
  bool use_buffer = false;
  if (!sequence && PyObject_CheckBuffer(obj) && !PyUnicode_Check(obj)) {
    if (digests) {
      if (!buf.Get(obj, PyBUF_C_CONTIGUOUS)) {
        ConvertPendingToInvalidArg(st_, (what + ": digests").c_str());
        return false;
      }
      use_buffer = true;
    } else if (!PyBytes_Check(obj) && !PyByteArray_Check(obj)) {
      if (!buf.Get(obj, PyBUF_FORMAT | PyBUF_STRIDES)) {
        ConvertPendingToInvalidArg(st_, (what + ": keys").c_str());
        return false;
      }
      format = ParseFormat(buf.view().format);
      use_buffer = !format.object;
    }
  }

  if (use_buffer && digests) {
    // Back-to-back 20-byte digests: bytes, or any contiguous array.
    const Py_buffer& v = buf.view();
    if (v.len % static_cast<Py_ssize_t>(proto::kDigestSize) != 0) {
      RaiseInvalidArg(st_, "%s: digests must be a multiple of 20 bytes long, got %zd",
                      what.c_str(), v.len);
      return false;
    }
    const size_t n = static_cast<size_t>(v.len) / proto::kDigestSize;
    const auto* p = static_cast<const uint8_t*>(v.buf);
    k.has_digest = true;
    k.key_type = proto::ParticleType::kNull;
    k.key_offset = static_cast<uint32_t>(cmd_->key_bytes.size());
    for (size_t i = 0; i < n; ++i) {
      std::memcpy(k.digest.data(), p + i * proto::kDigestSize, proto::kDigestSize);
      cmd_->keys.push_back(k);
    }
    g.form = UserKeyForm::kNone;
  } else if (use_buffer) {
    const Py_buffer& v = buf.view();
    if (v.ndim != 1) {
      RaiseInvalidArg(st_, "%s: a keys array must be 1-dimensional, not %d-dimensional",
                      what.c_str(), v.ndim);
      return false;
    }
    const Py_ssize_t n = v.shape[0];
    const Py_ssize_t stride = v.strides != nullptr ? v.strides[0] : v.itemsize;
    const Py_ssize_t size = v.itemsize;
    const auto* base = static_cast<const uint8_t*>(v.buf);
    switch (format.type) {
      case ArrayFormat::Type::kSigned:
      case ArrayFormat::Type::kUnsigned: {
        if (size != 1 && size != 2 && size != 4 && size != 8) {
          RaiseInvalidArg(st_, "%s: unsupported integer size %zd", what.c_str(), size);
          return false;
        }
        const bool is_signed = format.type == ArrayFormat::Type::kSigned;
        k.key_type = proto::ParticleType::kInteger;
        k.key_len = 8;
        uint8_t* out = cmd_->key_bytes.Extend(static_cast<size_t>(n) * 8);
        const uint32_t at = static_cast<uint32_t>(out - cmd_->key_bytes.data());
        for (Py_ssize_t i = 0; i < n; ++i) {
          uint64_t raw = LoadUnsigned(base + i * stride, size, format.big_endian);
          if (is_signed && size < 8 && (raw >> (size * 8 - 1)) != 0) {
            raw |= ~uint64_t{0} << (size * 8);  // sign-extend
          } else if (!is_signed && raw > uint64_t{INT64_MAX}) {
            where.item = i;
            RaiseInvalidArg(st_, "%s: integer primary_key does not fit in 64 bits",
                            where.str().c_str());
            return false;
          }
          StoreBE64(out + i * 8, raw);
          k.key_offset = at + static_cast<uint32_t>(i) * 8;
          cmd_->keys.push_back(k);
        }
        g.form = UserKeyForm::kInt;
        break;
      }
      case ArrayFormat::Type::kBytes:
        k.key_type = proto::ParticleType::kString;  // bytes keys hash as strings
        for (Py_ssize_t i = 0; i < n; ++i) {
          const uint8_t* p = base + i * stride;
          Py_ssize_t len = size;
          while (len > 0 && p[len - 1] == 0) --len;  // NumPy's S items drop trailing NULs
          k.key_offset = static_cast<uint32_t>(cmd_->key_bytes.size());
          k.key_len = static_cast<uint32_t>(len);
          cmd_->key_bytes.Append(p, static_cast<size_t>(len));
          cmd_->keys.push_back(k);
        }
        g.form = UserKeyForm::kBytes;
        break;
      case ArrayFormat::Type::kUcs4:
        k.key_type = proto::ParticleType::kString;
        for (Py_ssize_t i = 0; i < n; ++i) {
          k.key_offset = static_cast<uint32_t>(cmd_->key_bytes.size());
          if (!AppendUcs4AsUtf8(base + i * stride, size / 4, format.big_endian,
                                &cmd_->key_bytes)) {
            where.item = i;
            RaiseInvalidArg(st_, "%s: primary_key is not valid Unicode", where.str().c_str());
            return false;
          }
          k.key_len = static_cast<uint32_t>(cmd_->key_bytes.size() - k.key_offset);
          cmd_->keys.push_back(k);
        }
        g.form = UserKeyForm::kStr;
        break;
      default:
        RaiseInvalidArg(st_,
                        "%s: a keys array must hold integers, bytes (S) or str (U), "
                        "not items of format '%s'",
                        what.c_str(), v.format != nullptr ? v.format : "B");
        return false;
    }
  } else {
    // A sequence of Python objects: user keys (kept for the results) or
    // 20-byte digests.
    Ref seq;
    if (PyTuple_CheckExact(obj)) {
      seq = Ref::New(obj);
    } else if (PyList_CheckExact(obj)) {
      seq = Ref::Steal(PyList_AsTuple(obj));
    } else if (PySequence_Check(obj) && !PyUnicode_Check(obj) && !PyBytes_Check(obj) &&
               !PyDict_Check(obj)) {
      seq = Ref::Steal(PySequence_Tuple(obj));
    } else {
      RaiseInvalidArg(st_, "%s: BatchKeys keys must be a sequence or a 1-D array, not %.100s",
                      what.c_str(), Py_TYPE(obj)->tp_name);
      return false;
    }
    if (!seq) return false;
    const Py_ssize_t n = PyTuple_GET_SIZE(seq.get());
    for (Py_ssize_t i = 0; i < n; ++i) {
      where.item = i;
      PyObject* item = PyTuple_GET_ITEM(seq.get(), i);
      client::BatchKey key = k;
      if (digests) {
        if (!ReadDigest(st_, item, where, &key.digest)) return false;
        key.has_digest = true;
        key.key_type = proto::ParticleType::kNull;
        key.key_offset = static_cast<uint32_t>(cmd_->key_bytes.size());
      } else if (!AppendUserKey(st_, item, where, &cmd_->key_bytes, &key)) {
        return false;
      }
      cmd_->keys.push_back(key);
    }
    if (digests) {
      g.form = UserKeyForm::kNone;
    } else {
      g.form = UserKeyForm::kObjects;
      g.user_keys = seq.release();
    }
  }
  if (cmd_->keys.size() == first) {
    Py_XDECREF(g.user_keys);
    return true;  // an empty group adds nothing
  }
  g.ns = ns.release();
  g.set = set.release();
  bulk_->groups.push_back(g);
  return true;
}

PyObject* BatchBuilder::NewContext(PyObject* classic, PyObject* entries) {
  if (bulk_ == nullptr) return Py_NewRef(classic);
  bulk_->entries = Py_NewRef(entries);
  PyObject* capsule = PyCapsule_New(bulk_.get(), kCapsuleName, FreeCapsule);
  if (capsule == nullptr) return nullptr;
  bulk_.release();
  return capsule;
}

// ---------------------------------------------------------------------------
// KeySource

KeySource::KeySource(ModuleState* st, PyObject* ctx, const client::BatchCommand& cmd)
    : st_(st), ctx_(ctx), cmd_(cmd) {
  if (PyCapsule_CheckExact(ctx)) {
    bulk_ = static_cast<const BulkKeys*>(PyCapsule_GetPointer(ctx, kCapsuleName));
  }
}

PyObject* KeySource::entries() const { return bulk_ != nullptr ? bulk_->entries : ctx_; }

size_t KeySource::GroupOf(size_t i) {
  const std::vector<KeyGroup>& g = bulk_->groups;
  const size_t n = g.size();
  if (group_ < n && g[group_].begin <= i && (group_ + 1 == n || i < g[group_ + 1].begin)) {
    return group_;
  }
  if (group_ + 1 < n && g[group_ + 1].begin <= i && (group_ + 2 == n || i < g[group_ + 2].begin)) {
    return ++group_;
  }
  auto it = std::upper_bound(g.begin(), g.end(), static_cast<uint32_t>(i),
                             [](uint32_t v, const KeyGroup& kg) { return v < kg.begin; });
  group_ = static_cast<size_t>(it - g.begin()) - 1;
  return group_;
}

void KeySource::Prefetch(size_t i) const {
  if (bulk_ != nullptr) return;
  // A record's conversion takes a few hundred nanoseconds or more: a few
  // keys ahead is enough to hide a miss, and the user key's address is
  // read from a tuple that was itself asked for earlier.
  constexpr size_t kTupleAhead = 8;
  constexpr size_t kUserKeyAhead = 4;
  const size_t n = static_cast<size_t>(PyTuple_GET_SIZE(ctx_));
  if (i + kTupleAhead < n) {
    auto* key = reinterpret_cast<PyTupleObject*>(PyTuple_GET_ITEM(ctx_, i + kTupleAhead));
    __builtin_prefetch(&key->ob_item[2]);
  }
  if (i + kUserKeyAhead < n) {
    PyObject* key = PyTuple_GET_ITEM(ctx_, i + kUserKeyAhead);
    __builtin_prefetch(PyTuple_GET_ITEM(key, 2), /*rw=*/1);  // its refcount is written
  }
}

PyObject* KeySource::UserKey(size_t i) {
  if (bulk_ == nullptr) {
    return Py_NewRef(PyTuple_GET_ITEM(PyTuple_GET_ITEM(ctx_, static_cast<Py_ssize_t>(i)), 2));
  }
  const KeyGroup& g = bulk_->groups[GroupOf(i)];
  if (g.entry != nullptr) return Py_NewRef(PyTuple_GET_ITEM(g.entry, 2));
  const client::BatchKey& k = cmd_.keys[i];
  const auto* bytes = reinterpret_cast<const char*>(cmd_.key_bytes.data() + k.key_offset);
  switch (g.form) {
    case UserKeyForm::kObjects:
      return Py_NewRef(PyTuple_GET_ITEM(g.user_keys, static_cast<Py_ssize_t>(i - g.begin)));
    case UserKeyForm::kNone:
      return Py_NewRef(Py_None);
    case UserKeyForm::kInt:
      return PyLong_FromLongLong(
          static_cast<int64_t>(LoadBE64(cmd_.key_bytes.data() + k.key_offset)));
    case UserKeyForm::kBytes:
      return PyBytes_FromStringAndSize(bytes, k.key_len);
    case UserKeyForm::kStr:
      return PyUnicode_DecodeUTF8(bytes, k.key_len, nullptr);
  }
  return Py_NewRef(Py_None);
}

PyObject* KeySource::NewKey(size_t i, const proto::Digest& digest) {
  if (bulk_ == nullptr) {
    return NewKeyTuple(st_, PyTuple_GET_ITEM(ctx_, static_cast<Py_ssize_t>(i)), digest);
  }
  const KeyGroup& g = bulk_->groups[GroupOf(i)];
  if (g.entry != nullptr) return NewKeyTuple(st_, g.entry, digest);
  PyTypeObject* type = reinterpret_cast<PyTypeObject*>(st_->key_type);
  Ref user_key = Ref::Steal(UserKey(i));
  if (!user_key) return nullptr;
  PyObject* d = PyBytes_FromStringAndSize(reinterpret_cast<const char*>(digest.data()),
                                          proto::kDigestSize);
  if (d == nullptr) return nullptr;
  PyObject* t = type->tp_alloc(type, 4);
  if (t == nullptr) {
    Py_DECREF(d);
    return nullptr;
  }
  PyTuple_SET_ITEM(t, 0, Py_NewRef(g.ns));
  PyTuple_SET_ITEM(t, 1, Py_NewRef(g.set));
  PyTuple_SET_ITEM(t, 2, user_key.release());
  PyTuple_SET_ITEM(t, 3, d);
  return t;
}

}  // namespace aerospike_py::python
