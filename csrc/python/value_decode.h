// Wire bytes to Python values, straight from the response buffer (no
// intermediate proto::Value): bin particles and Aerospike-dialect
// MessagePack. Reading a record never fails because of one bin: bytes that
// do not decode (bad UTF-8, malformed msgpack, language blobs, particle
// types we do not know) come back as TypedBlob(raw bytes, particle_type).
// Key-ordered maps come back as KeyOrderedDict, other maps as dict in wire
// order. Loop thread (GIL held).
#pragma once

#include <cstdint>

#include "common/byte_buffer.h"
#include "proto/message_view.h"
#include "python/module_state.h"

namespace aerospike_py::python {

// New reference, or null only on a Python-level failure (MemoryError).
PyObject* DecodeParticle(ModuleState* st, uint8_t particle_type, ByteSpan bytes);

// A map particle as aerospike-py returns MAP_RETURN_KEY_VALUE results: a
// list of (key, value) tuples in wire order. Anything other than a map
// particle decodes as DecodeParticle does. New reference.
PyObject* DecodeMapAsPairs(ModuleState* st, uint8_t particle_type, ByteSpan bytes);

// {bin: value} of every op of a message (later duplicates win). New reference.
PyObject* NewBinsDict(ModuleState* st, const proto::MessageView& message);

}  // namespace aerospike_py::python
