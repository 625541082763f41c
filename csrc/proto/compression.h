// Compressed (type 4) frames: an 8-byte BE original length, then a zlib
// stream of a complete type-3 frame (§1.2).
#pragma once

#include "common/byte_buffer.h"
#include "common/status.h"

namespace aerospike_py::proto {

// Wraps a complete frame (header included) into a type-4 frame.
StatusOr<ByteBuffer> CompressFrame(ByteSpan frame);

// Inflates the body of a type-4 frame and checks the announced length and
// the inner header (version 2, type 3, size consistent). Returns the inner
// frame, header included.
StatusOr<ByteBuffer> DecompressBody(ByteSpan body);

}  // namespace aerospike_py::proto
