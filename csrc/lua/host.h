// What a UDF asks of the program running it, as plain C++ interfaces:
//   * RecordHost: the record a record UDF works on (the server implements
//     it over its store; aggregation passes read-only records);
//   * HostServices: logging and the clock (aerospike:log, trace/debug/...);
//   * StreamSource / StreamSink: the input and output of a stream UDF.
// Values cross as proto::Value. Implementations are called on the thread
// running the Lua call and must not call back into Lua.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "proto/value.h"

namespace aerospike_py::lua {

// A bin write the UDF asked for; a nil value deletes the bin. `unusable`:
// the UDF stored something with no particle form (a record object), which
// fails the update as the server fails it (incompatible type).
struct BinUpdate {
  std::string name;
  proto::Value value;
  bool unusable = false;
};

class RecordHost {
 public:
  virtual ~RecordHost() = default;

  // Whether the record exists (as aerospike:exists reports it).
  virtual bool Exists() = 0;
  // A stored bin (after the updates applied so far); false when absent.
  virtual bool ReadBin(std::string_view name, proto::Value* out) = 0;

  // aerospike:create / update / remove, returning what the server's hooks
  // return to Lua: create 0 ok, 1 the record exists, -1 failure; update
  // 0 ok, -2 no record, -1 failure; remove 0 ok, 1 no record. A failure is
  // remembered by the host and fails the whole call afterwards.
  // `too_many_bins`: the UDF touched more bins than a record UDF may.
  virtual int Create(const std::vector<BinUpdate>& updates, bool too_many_bins) = 0;
  virtual int Update(const std::vector<BinUpdate>& updates, bool too_many_bins) = 0;
  virtual int Remove() = 0;

  // Metadata (record.ttl, gen, ... in Lua). Values for a record that does
  // not exist are 0 / empty, as the server's are.
  virtual uint32_t Ttl() = 0;
  virtual uint64_t LastUpdateTime() = 0;  // ms since 2010-01-01
  virtual uint16_t Generation() = 0;
  virtual uint32_t StoredSize() = 0;
  virtual uint32_t MemorySize() = 0;
  virtual uint32_t DeviceSize() = 0;
  virtual uint16_t NumBins() = 0;
  // False when the record does not exist (record.bin_names then raises).
  virtual bool BinNames(std::vector<std::string>* out) = 0;
  // The set name; false for a record that does not exist (Lua gets nil).
  virtual bool SetName(std::string* out) = 0;
  // The stored user key; false when none is stored.
  virtual bool Key(proto::Value* out) = 0;
  virtual std::string Digest() = 0;  // 20 bytes

  // record.set_ttl / record.drop_key: take effect when the record is written.
  virtual void SetTtl(uint32_t ttl) = 0;
  virtual void DropKey() = 0;

  // Aggregation records are read-only: bin writes and set_ttl/drop_key are
  // not available on them.
  virtual bool writable() const { return true; }
};

class HostServices {
 public:
  virtual ~HostServices() = default;
  // aerospike:log(level, message): level 1 warn .. 4 trace; `file` and
  // `line` locate the Lua caller.
  virtual void Log(int level, std::string_view file, int line, std::string_view message) = 0;
  // aerospike:get_current_time(): ms since the Unix epoch.
  virtual uint64_t CurrentTimeMs() = 0;
};

class StreamSource {
 public:
  virtual ~StreamSource() = default;
  enum class Kind : uint8_t { kEnd, kValue, kRecord };
  // The next element: a value (`*value`), a record (`*record`, valid until
  // the next call), or the end.
  virtual Kind Next(proto::Value* value, RecordHost** record) = 0;
};

class StreamSink {
 public:
  virtual ~StreamSink() = default;
  // One value the stream UDF produced; non-zero stops the stream (the
  // server's stream.write() result).
  virtual int Write(proto::Value value) = 0;
};

}  // namespace aerospike_py::lua
