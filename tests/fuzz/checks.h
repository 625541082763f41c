// The bodies of the libFuzzer targets, kept out of the targets themselves so
// that the GoogleTest suite can replay every regression input (and the seed
// corpus) through exactly the same code. Each returns an empty string when
// every invariant held, or a description of the first one that did not;
// memory errors are left to the sanitizers.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>

#include "common/byte_buffer.h"

namespace aerospike_py::fuzz {

// The response path: FrameReader (whole, split, and BodyReadSpan feeds must
// agree), MessageIterator/ParseMessage (a parsed message re-encodes to its
// own bytes), particle decoding of every op, field payloads, BatchRowParser,
// info replies with peers/replicas parsing (format/parse round trips), and
// admin messages. The raw input is also given to each parser directly.
std::string CheckResponseBytes(ByteSpan data);

// The msgpack decoder: ReadMsgpackValue and Skip agree on where a value
// ends, and whatever decodes re-encodes to bytes that decode to an equal
// value and re-encode identically.
std::string CheckMsgpackBytes(ByteSpan data);

// The embedded server's request path: the input is what one connection
// sent. A fresh one-node server (records seeded by well-formed puts) answers
// every frame through Processor::Handle until one closes the connection.
// Every answer must be well-formed frames of the request's type whose
// messages parse, carry server result codes and decode; batches and scans
// must end their stream; afterwards the store's counts must match its
// records, every stored bin must be one a write could produce, and a
// well-formed put/get round trip must still work. Lives in server_check.cc
// (links aspy_server, unlike the two codec checks).
std::string CheckServerRequest(ByteSpan data);

// The TLS record path after the handshake (tls_check.cc; links aspy_tls
// and aspy_io): the input, sealed by an in-memory server session and fed to
// the client session in input-derived pieces, comes back unchanged and
// yields the same frames; the input as raw hostile ciphertext after the
// handshake yields an error or plaintext, never a crash.
std::string CheckTlsRecords(ByteSpan data);

// The admin reply parsers (tls_check.cc): ParseUsersBlock/ParseRolesBlock
// (what parses re-encodes, as the server writes it, to equal users/roles),
// ParseLoginReply and the Authenticator's answer handling.
std::string CheckAdminReply(ByteSpan data);

// What a libFuzzer target does with a check's answer: a violated invariant
// aborts, so libFuzzer saves the input.
inline int AbortOnFailure(const std::string& failure) {
  if (!failure.empty()) {
    std::fprintf(stderr, "invariant violated: %s\n", failure.c_str());
    std::abort();
  }
  return 0;
}

}  // namespace aerospike_py::fuzz
