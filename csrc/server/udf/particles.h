// Bin particles (as the store keeps them) to proto::Value and back, the way
// the server turns bins into UDF values (as_bin_particle_to_asval) and UDF
// values into bins or reply ops. Used by the server's UDF room only.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "proto/value.h"

namespace aerospike_py::server::udf {

// A stored bin as the UDF sees it. False for a particle that does not
// decode (the UDF then reads nil).
bool ParticleToValue(uint8_t type, std::string_view bytes, proto::Value* out);

// A value to store in a bin: its particle type and bytes as the store
// keeps them. False for a value with no particle form.
bool ValueToStoredParticle(const proto::Value& v, uint8_t* type, std::string* bytes);

// A value for a reply op (the SUCCESS/FAILURE bin, aggregation values):
// blobs go out as plain blobs, GeoJSON without cells, nil as particle 0.
void ValueToReplyParticle(const proto::Value& v, uint8_t* type, std::string* bytes);

// The stored user key (particle type byte + key bytes) as a value.
bool StoredKeyToValue(std::string_view key, proto::Value* out);

}  // namespace aerospike_py::server::udf
