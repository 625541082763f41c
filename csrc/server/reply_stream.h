// ReplyStream: a reply the server produces a part at a time, as its
// connection's socket drains (scans and queries): a client reading slowly
// holds the server back (TCP backpressure), so a result of any size needs
// memory for one chunk at a time. The Processor hands one over through
// Processor::TakeStream() after the frame that started it; the Connection
// calls Produce() whenever its write buffer runs low and answers the next
// pipelined request only after kDone. Destroying a stream before kDone
// means the client went away (the job is recorded as aborted). Event
// thread of the server only.
#pragma once

#include <cstddef>
#include <cstdint>

#include "common/byte_buffer.h"

namespace aerospike_py::server {

class ReplyStream {
 public:
  enum class Step : uint8_t {
    kMore,  // call again when the socket drained
    kWait,  // throttled: call again after *wait_ms
    kDone,  // the last frame was appended
  };
  virtual ~ReplyStream() = default;
  // Appends whole frames to `out`, about `budget` bytes (at least one
  // record's worth).
  virtual Step Produce(ByteBuffer* out, size_t budget, uint64_t* wait_ms) = 0;
};

}  // namespace aerospike_py::server
