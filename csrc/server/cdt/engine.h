// The CDT engine: the one entry point that record operations (and, later,
// list/map/bit/HLL expressions) call. It takes an operation's msgpack
// argument (op code, arguments, optional context) and a bin value, and
// returns the result value and the new bin, exactly as the real server's
// cdt.c / particle_bits.c / particle_hll.c would. It knows nothing of the
// processor, records or the wire beyond particles.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace aerospike_py::server::cdt {

// A bin as the engine sees it: absent, or a particle type and its bytes
// (lists and maps: their stored msgpack).
struct BinValue {
  bool exists = false;
  uint8_t type = 0;
  std::string value;
};

// An operation's answer as a particle; `has` false: the op answers nothing.
struct OpReply {
  bool has = false;
  uint8_t type = 0;
  std::string value;
};

// List/map operation (wire op 3 CDT read, 4 CDT modify). `op_value`: the
// op's msgpack value. Returns the result code; on success `*bin` holds the
// new bin and `*bin_changed` says whether it changed.
uint8_t ApplyCdt(bool modify, std::string_view op_value, BinValue* bin, OpReply* reply,
                 bool* bin_changed);

// Bit operation (wire op 12 read, 13 modify) on a blob bin.
uint8_t ApplyBits(bool modify, std::string_view op_value, BinValue* bin, OpReply* reply,
                  bool* bin_changed);

// HyperLogLog operation (wire op 15 read, 16 modify) on an HLL bin.
uint8_t ApplyHll(bool modify, std::string_view op_value, BinValue* bin, OpReply* reply,
                 bool* bin_changed);

// Converts one msgpack value into the particle a reply carries (nil: none).
void MsgpackToParticle(std::string_view packed, OpReply* reply);

}  // namespace aerospike_py::server::cdt
