// Packed lists and maps as the CDT engine sees them: a parsed view (order
// flags plus views of each element's bytes), the stored encoding the real
// server writes (an ordered list or flagged map leads with `c7 00 <flags>`,
// maps follow it with nil), and the rewrite the server applies to every
// value a client hands it (compact encodings, nested maps sorted by key,
// nested order flags checked). Used by csrc/server/cdt/ only.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "server/cdt/msgpack_element.h"

namespace aerospike_py::server::cdt {

// Order flags as stored in the ext marker.
namespace flags {
inline constexpr uint8_t kListOrdered = 0x01;
inline constexpr uint8_t kMapKeyOrdered = 0x01;
inline constexpr uint8_t kMapKeyValueOrdered = 0x03;
inline constexpr uint8_t kMapPreserveOrder = 0x08;  // result maps only
inline constexpr uint8_t kPersistIndex = 0x10;
}  // namespace flags

struct ListView {
  uint8_t flags = 0;
  std::vector<Bytes> items;
  bool ordered() const { return (flags & flags::kListOrdered) != 0; }
};

struct MapView {
  uint8_t flags = 0;
  std::vector<Bytes> keys;
  std::vector<Bytes> values;
  size_t size() const { return keys.size(); }
  bool key_ordered() const { return (flags & flags::kMapKeyOrdered) != 0; }
};

// Parses a whole list/map element; false when it is not one or malformed.
bool ParseList(Bytes packed, ListView* out);
bool ParseMap(Bytes packed, MapView* out);

// Stored encodings (the persist-index bit is not kept: reads strip it).
void AppendList(std::string* out, uint8_t flags, const std::vector<Bytes>& items);
std::string EncodeList(uint8_t flags, const std::vector<Bytes>& items);
void AppendMap(std::string* out, uint8_t flags, const std::vector<Bytes>& keys,
               const std::vector<Bytes>& values);
std::string EncodeMap(uint8_t flags, const std::vector<Bytes>& keys,
                      const std::vector<Bytes>& values);

// True for the types a map key may have: integers, strings, blobs.
bool IsMapKey(Bytes element);

// The server's rewrite of an untrusted value (cdt_untrusted_rewrite):
// compact integer/str/header encodings, nested lists keep only the ordered
// flag, nested maps only the order flags (an unflagged map loses its
// marker), maps sorted by key, duplicate map keys, bad key types, ordered
// containers out of order, comparison-only values or trailing bytes
// refused (false). `keep_top_flags`: a whole bin value keeps its top-level
// persist flag (dropped here anyway, see AppendList).
bool RewriteUntrusted(Bytes in, std::string* out);

// Sorts (stable) by the server's value order.
void SortValues(std::vector<Bytes>* items);

// Where a new key goes in a map without the key-ordered flag. The real
// server (8.x) keeps such maps in key order as far as they already are
// (packed_map_find_key_maybe_unordered): the key goes before the first
// greater key met while the stored keys still ascend; once they stop
// ascending, at the end.
size_t UnorderedMapInsertPos(const std::vector<Bytes>& keys, Bytes key);

// Sorts an unflagged map's entries by key (stable), as the real server does
// before a multi-entry put into one (packed_map_convert_to_iko).
void SortMapByKey(MapView* m);

}  // namespace aerospike_py::server::cdt
