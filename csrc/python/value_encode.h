// Python values to wire bytes, in one pass with no intermediate Value:
// bin particles for write ops and Aerospike-dialect MessagePack for lists,
// maps and CDT arguments. Supported: None, bool, int (64-bit), float, str,
// bytes/bytearray, list/tuple, dict (insertion order), and the value types of
// aerospike_py.types (GeoJSON, TypedBlob, HyperLogLog, KeyOrderedDict; and,
// inside collections and operation arguments only, CDTWildcard/CDTInfinite).
// Anything else, or an int beyond 64 bits, is an InvalidArgError naming the
// bin. Called with the GIL held, before a command exists.
#pragma once

#include <string_view>

#include "common/byte_buffer.h"
#include "proto/constants.h"
#include "proto/msgpack.h"
#include "python/module_state.h"

namespace aerospike_py::python {

// Appends the particle bytes of `value` to `out` and reports its particle
// type (kNull for None: a write of None deletes the bin). `bin` names the
// bin in messages.
bool EncodeParticle(ModuleState* st, PyObject* value, std::string_view bin, ByteBuffer* out,
                    proto::ParticleType* particle);

// Packs `value` as one MessagePack item.
bool PackValue(ModuleState* st, PyObject* value, std::string_view bin, proto::MsgpackWriter* w);

// Validates a bin name (str, at most 15 UTF-8 bytes) and returns a view of
// its UTF-8 bytes (owned by `name`, valid while it lives).
bool BinNameView(ModuleState* st, PyObject* name, std::string_view* out);

}  // namespace aerospike_py::python
