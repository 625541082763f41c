// What a secondary index indexes, as `sindex-create` defines it: a
// namespace, an optional set, a bin (or an expression, server 8.1), the
// collection type (default, list elements, map keys, map values), an
// optional CDT context reaching inside the bin, and the key type (numeric,
// string, blob, geo2dsphere). ParseCreate() reads the info command in both
// the 8.x form (`bin=..;type=..`) and the older `indexdata=bin,type`, and
// the set index of 8.1 (`indextype=SET`), with the real server's checks and
// error texts. Used by the sindex room.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace aerospike_py::server::sindex {

enum class Collection : uint8_t { kDefault = 0, kList = 1, kMapKeys = 2, kMapValues = 3 };

// Particle types an index can hold.
inline constexpr uint8_t kNumeric = 1;
inline constexpr uint8_t kString = 3;
inline constexpr uint8_t kBlob = 4;
inline constexpr uint8_t kGeo = 23;

struct Definition {
  std::string ns;
  std::string set;   // empty: every record of the namespace
  std::string name;
  // A set index (8.1 `indextype=SET`): names a set and nothing else; the
  // fields below stay at their defaults.
  bool set_index = false;
  std::string bin;   // empty for an expression index
  Collection collection = Collection::kDefault;
  uint8_t key_type = kNumeric;
  std::string ctx;      // msgpack CDT context (decoded), empty: none
  std::string ctx_b64;  // as given
  std::string exp;      // compiled expression (decoded), empty: none
  std::string exp_b64;

  // Same index apart from the name (what makes a create a no-op or a clash).
  bool SameDefinition(const Definition& o) const {
    return set_index == o.set_index && ns == o.ns && set == o.set && bin == o.bin && collection == o.collection &&
           key_type == o.key_type && ctx == o.ctx && exp == o.exp;
  }
};

// The names the server prints (sindex-list): numeric, string, blob, geo2dsphere;
// default, list, mapkeys, mapvalues.
std::string_view KeyTypeName(uint8_t key_type);
std::string_view CollectionName(Collection c);

// Parses the parameters of `sindex-create`. On failure `*error` holds the
// whole info answer ("ERROR:4:<message>").
bool ParseCreate(std::string_view params, Definition* out, std::string* error);

// One `key=value` parameter of a `;`-separated info argument list; `ns`
// is accepted for `namespace` as the server does. Empty when absent.
std::string_view InfoParam(std::string_view params, std::string_view name, bool* present);

}  // namespace aerospike_py::server::sindex
