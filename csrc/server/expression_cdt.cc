// The expression evaluator's calls into the CDT engine (csrc/server/cdt/),
// following eval_call() of the real server's exp.c: a read call answers
// the operation's result; a modify call works on a local copy of the bin
// and answers the modified bin (the record is not changed).
#include "server/expression_cdt.h"

#include <utility>

#include "server/cdt/container.h"
#include "server/cdt/engine.h"
#include "server/cdt/msgpack_element.h"

namespace aerospike_py::server::exp {

namespace {

// call_system_type of exp.c, and the flag of a modify of the local copy.
constexpr uint8_t kSystemCdt = 0, kSystemBits = 1, kSystemHll = 2;
constexpr uint8_t kModifyLocal = 0x40;

}  // namespace

bool RunCall(uint8_t system, std::string_view payload, CallBin bin, CallBin* result) {
  const bool modify = (system & kModifyLocal) != 0;
  cdt::BinValue value{bin.type != 0, bin.type, std::move(bin.value)};
  cdt::OpReply reply;
  bool changed = false;
  uint8_t rc;
  switch (system & static_cast<uint8_t>(~kModifyLocal)) {
    case kSystemCdt: rc = cdt::ApplyCdt(modify, payload, &value, &reply, &changed); break;
    case kSystemBits: rc = cdt::ApplyBits(modify, payload, &value, &reply, &changed); break;
    case kSystemHll: rc = cdt::ApplyHll(modify, payload, &value, &reply, &changed); break;
    default: return false;
  }
  if (rc != 0) return false;
  if (modify) {
    result->type = value.exists ? value.type : 0;
    result->value = std::move(value.value);
  } else {
    result->type = reply.has ? reply.type : 0;
    result->value = std::move(reply.value);
  }
  return true;
}

bool CompareMsgpack(std::string_view a, std::string_view b, bool check_unordered, int* cmp) {
  cdt::CompareMeta meta;
  *cmp = cdt::Compare(a, b, &meta);
  if (meta.error) return false;
  return !(check_unordered && meta.unordered_map);
}

bool MapKeysOrValues(std::string_view map, bool values, std::string* list) {
  cdt::MapView view;
  if (!cdt::ParseMap(map, &view)) return false;
  *list = cdt::EncodeList(0, values ? view.values : view.keys);
  return true;
}

}  // namespace aerospike_py::server::exp
