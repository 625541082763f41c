// Checks that a parsed record answer (a single-record reply, or one record
// message of a batch stream) is an answer to the request that asked for it,
// beyond being well framed. The Aerospike wire carries no request id and no
// checksum, so this is what a client can verify:
//  - the answer's ops: for a request that named its ops, the server answers
//    with an in-order subsequence of them (same op code, same name; with
//    RESPOND_ALL_OPS, all of them); a request for all bins gets READ ops
//    with bin names (at least one, for a plain read); exists and delete get
//    none;
//  - result code and ops agree: an error answer carries no bins;
//  - the header's numbers are ones the server can send: generation is a
//    16-bit count (0 is reserved for "no record"), so a successful read has
//    1..65535; a record message never carries the LAST or PARTITION_DONE
//    flag;
//  - every particle is complete for its type: integers and floats are 8
//    bytes, booleans 1, nulls empty, lists and maps exactly one msgpack
//    value of the right kind (nesting bounded by kMaxMsgpackDepth).
// A mismatch is a MalformedError naming what disagreed; the caller closes
// the connection (the stream can no longer be trusted) and fails or retries
// the command. Used by client/ executions and the fuzz targets; no I/O.
#pragma once

#include <cstdint>
#include <string_view>

#include "common/byte_buffer.h"
#include "common/status.h"
#include "proto/message_view.h"

namespace aerospike_py::proto {

// What a request can expect of its answer's ops.
struct ReplyExpectation {
  enum class Ops : uint8_t {
    kUnchecked,   // nothing known (e.g. a UDF call: its result bin)
    kNone,        // exists, delete: never any op
    kAnyBins,     // all bins of the record: READ ops, names from the record
    kEchoRequest  // an in-order subsequence of the request's ops
  };
  Ops ops = Ops::kUnchecked;
  // Complete encoded request ops (kEchoRequest), `n_request_ops` of them.
  ByteSpan request_ops;
  uint16_t n_request_ops = 0;
  // A read: a successful answer is an existing record (generation >= 1).
  bool is_read = false;
  // A read of all bins that writes nothing: a record always has a bin, so
  // a successful answer carries at least one. (An operate that deletes the
  // record before reading it answers with none.)
  bool needs_bins = false;
  // A batch read row: the server writes every answered op as READ, whatever
  // op was asked (as_batch_add_result()), so READ answers any asked op.
  bool ops_answered_as_read = false;
};

// Derives the expectation from a request's info bits and ops.
ReplyExpectation ExpectationFor(uint8_t info1, uint8_t info2, ByteSpan request_ops,
                                uint16_t n_request_ops);
// The same for one row of a batch request: a read row's ops are answered
// as READ (ops_answered_as_read).
ReplyExpectation BatchRowExpectationFor(uint8_t info1, uint8_t info2, ByteSpan request_ops,
                                        uint16_t n_request_ops);

// Checks one record answer against `expect` (see the file comment).
// `answer` comes from ParseMessage (its op sizes are trusted); the request
// ops of `expect` are the client's own encoding.
Status CheckRecordAnswer(const MessageView& answer, const ReplyExpectation& expect);

// Checks the LAST message that ends a batch stream: the server sends a bare
// header (no fields, no ops, zero generation, void time and index) whose
// only content is the result code. A record message whose LAST bit was
// flipped fails here (it carries its row index).
Status CheckStreamEnd(const MessageView& end);

// Checks an info answer against its request (both bodies, without proto
// headers). The server answers every '\n'-terminated request line, in order,
// as "<the line, verbatim>\t<value>\n"; a request it refuses whole (a
// timeout, a failed authentication) gets one bare "ERROR:..." line. An empty
// request (the summary) is not checked.
Status CheckInfoAnswer(std::string_view request, std::string_view answer);

// Checks that `bytes` hold exactly one msgpack value (the top level being
// an array when `want_list`, a map otherwise), nested at most
// kMaxMsgpackDepth deep.
Status CheckMsgpackValue(ByteSpan bytes, bool want_list);

}  // namespace aerospike_py::proto
