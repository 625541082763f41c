// Record keys between Python and the core: (ns, set, pk) or
// (ns, set, None, digest20) tuples in, AerospikeKey NamedTuples out.
// Every check that can be made without the server is made here, before a
// command exists: shape, types, namespace <= 31 bytes, set <= 63 bytes,
// 64-bit integers, 20-byte digests.
// Key digests follow the clients users migrate from: int and str keys as the
// protocol defines them; `bytes` keys hash with the string particle type as
// aerospike-py and the official Python client do (so their records are
// found), `bytearray` keys as blobs.
#pragma once

#include <string>

#include "client/command.h"
#include "proto/digest.h"
#include "python/module_state.h"

namespace aerospike_py::python {

// Reads `key` into `out`. On bad input raises InvalidArgError naming `what`
// ("key", "keys[12]") and returns false.
bool ParseKey(ModuleState* st, PyObject* key, const char* what, client::RecordKey* out);

// Reads a namespace or set name argument (set: None allowed, meaning none).
bool ParseNamespace(ModuleState* st, PyObject* obj, const char* what, std::string* out);
bool ParseSetName(ModuleState* st, PyObject* obj, const char* what, std::string* out);

// The digest a command used: the caller's, or computed now if the core did
// not report the one it computed.
const proto::Digest& EnsureDigest(client::RecordKey* key);

// AerospikeKey(namespace, set_name, user_key, digest) built from the tuple
// the caller passed (its objects are reused) and the digest. New reference.
PyObject* NewKeyTuple(ModuleState* st, PyObject* user_key, const proto::Digest& digest);

}  // namespace aerospike_py::python
