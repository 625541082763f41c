// Batch keys between Python and a BatchCommand, both directions.
//
// In (GIL held, the only per-key work of a batch call): every key becomes a
// compact BatchKey whose user-key bytes go into the command's one shared
// buffer; namespace/set pairs and row specs are deduplicated. Digests,
// routing and request bytes are the event thread's work. A batch's keys are
// a list/tuple of entries, each
//   - a key tuple: (ns, set, pk) or (ns, set, None, digest20), or
//   - an aerospike_py.BatchKeys group: one namespace and set with a
//     sequence or 1-D array of user keys (int, str, bytes; NumPy integer,
//     S and U arrays read through the buffer protocol, without a Python
//     object per key) or of 20-byte digests (BatchKeys(..., digests=True)),
// or one BatchKeys on its own. A bad key raises InvalidArgError naming its
// place ("keys[3]", "keys[2].keys[17]") before anything is sent.
//
// Out (GIL held, when results are built): KeySource gives each key's user
// key and AerospikeKey from the conversion context NewContext() returned:
// the tuple of key tuples itself (the classic form, no extra object), or a
// capsule describing the groups.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "client/command.h"
#include "proto/digest.h"
#include "python/module_state.h"

namespace aerospike_py::python {

// Fills the batch extras of the module state (the BatchKeys class, the
// row classes' attribute names) on first use. False with an exception set.
bool EnsureBatchExtras(ModuleState* st);

struct BulkKeys;

class BatchBuilder {
 public:
  BatchBuilder(ModuleState* st, size_t n_hint);
  ~BatchBuilder();
  BatchBuilder(const BatchBuilder&) = delete;
  BatchBuilder& operator=(const BatchBuilder&) = delete;

  client::BatchCommand* cmd() { return cmd_.get(); }
  std::unique_ptr<client::BatchCommand> Release() { return std::move(cmd_); }
  size_t size() const { return cmd_->keys.size(); }

  bool AddSpec(client::BatchRowSpec spec, uint16_t* index);
  // What messages call the keys argument ("keys" unless set).
  void set_label(const char* label) { label_ = label; }

  // keys[index], a key tuple, with row spec `spec`.
  bool AddKey(PyObject* key, Py_ssize_t index, uint16_t spec);
  // keys[index], a key tuple or a BatchKeys group.
  bool AddEntry(PyObject* entry, Py_ssize_t index, uint16_t spec);
  // A whole keys argument (entries or one BatchKeys), every key with row
  // spec `spec`. Sets *entries to the entries as a tuple (kept by the
  // caller for NewContext).
  bool AddKeys(PyObject* keys, uint16_t spec, Ref* entries);

  // True once a BatchKeys group was added.
  bool has_groups() const { return bulk_ != nullptr; }

  // The conversion context of the keys added (new reference): `classic`
  // (a tuple holding exactly the key tuples added, in order) when no group
  // was added, else a capsule of the groups that also keeps `entries`.
  PyObject* NewContext(PyObject* classic, PyObject* entries);

 private:
  bool AddGroup(PyObject* group, Py_ssize_t index, uint16_t spec);
  // The pair of these very objects, if seen before (no string compared).
  bool SeenNsSet(PyObject* ns, PyObject* set, uint16_t* out) const;
  // Parses and adds (or finds) the pair; `what` names it in messages.
  bool NsSetIndex(PyObject* ns, PyObject* set, const std::string& what, uint16_t* out);
  void StartGroups();
  bool NoteTuple(PyObject* key);

  ModuleState* st_;
  std::unique_ptr<client::BatchCommand> cmd_;
  struct CachedNsSet {
    PyObject* ns;  // borrowed: the keys argument keeps them alive
    PyObject* set;
    uint16_t index;
  };
  std::vector<CachedNsSet> cache_;
  // Key tuples added before the first group (borrowed; the caller's keys
  // argument owns them). They become one-key groups if a group follows.
  std::vector<PyObject*> tuples_;
  std::unique_ptr<BulkKeys> bulk_;
  bool lone_group_ = false;  // the keys argument was one BatchKeys
  const char* label_ = "keys";
};

// Each key's Python objects for a finished batch. Sequential access (the
// usual i = 0, 1, 2, ...) is O(1) per key.
class KeySource {
 public:
  // `ctx`: what BatchBuilder::NewContext returned (borrowed).
  KeySource(ModuleState* st, PyObject* ctx, const client::BatchCommand& cmd);
  // The user key of key i (None for digest-only keys). New reference.
  PyObject* UserKey(size_t i);
  // Call before converting key i of a sequential pass: asks the CPU for the
  // key tuples and user keys a few keys ahead. The caller built them before
  // the request went out and by the time the reply is converted they have
  // usually left the cache; reading each one cold was a quarter of our
  // bridge's time on an Env C app's loop thread (`perf`: the refcount
  // increment in UserKey). The tuple of key tuples only; groups keep their
  // keys in our own buffer.
  void Prefetch(size_t i) const;
  // AerospikeKey(namespace, set_name, user_key, digest). New reference.
  PyObject* NewKey(size_t i, const proto::Digest& digest);
  // The entries the keys came from, for NumpyBatchRecords' lazy user-key
  // map: the tuple of key tuples or of entries (borrowed).
  PyObject* entries() const;

 private:
  size_t GroupOf(size_t i);
  ModuleState* st_;
  PyObject* ctx_;
  const client::BatchCommand& cmd_;
  const BulkKeys* bulk_ = nullptr;
  size_t group_ = 0;
};

}  // namespace aerospike_py::python
