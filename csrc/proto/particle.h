// Bin values on the wire: a particle type byte plus value bytes (§6.3).
// Encoding a Value picks its particle type; decoding accepts every particle
// type and returns unknown ones as bytes tagged with their type, so a read
// never fails because of one bin.
#pragma once

#include <cstdint>

#include "common/byte_buffer.h"
#include "common/status.h"
#include "proto/constants.h"
#include "proto/value.h"

namespace aerospike_py::proto {

ParticleType ParticleTypeOf(const Value& value);

// Appends the particle bytes of `value` (without the type byte).
void AppendParticle(const Value& value, ByteBuffer* out);

// Decodes particle bytes of the given type. Malformed sizes (an int that is
// not 1/2/4/8 bytes, a bool that is not one byte, a null with bytes, bad
// msgpack) are errors.
StatusOr<Value> DecodeParticle(uint8_t particle_type, ByteSpan bytes);

// GeoJSON particles start with flags u8, ncells u16 and ncells cell ids
// before the JSON text; this returns the text, or an error if the cell count
// overruns the value.
StatusOr<std::string_view> GeoJsonText(ByteSpan bytes);

}  // namespace aerospike_py::proto
