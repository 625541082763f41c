#include "server/expression_op.h"

#include "common/result_code.h"
#include "proto/msgpack.h"

namespace aerospike_py::server {
namespace {

constexpr uint8_t Code(ResultCode c) { return static_cast<uint8_t>(c); }

constexpr uint64_t kModifyFlags = exp_flags::kCreateOnly | exp_flags::kUpdateOnly |
                                  exp_flags::kAllowDelete | exp_flags::kPolicyNoFail |
                                  exp_flags::kEvalNoFail;
constexpr uint64_t kReadFlags = exp_flags::kEvalNoFail;

}  // namespace

bool ParseExpOp(ByteSpan value, bool modify, ExpOp* out) {
  proto::MsgpackReader r(value);
  proto::MsgpackItem item;
  if (!r.Next(&item).ok() || item.kind != proto::MsgpackItem::Kind::kArray ||
      item.count < 1 || item.count > 2) {
    return false;
  }
  const size_t start = r.offset();
  if (!r.Skip().ok()) return false;
  out->expression = value.subspan(start, r.offset() - start);
  out->flags = 0;
  // A second element that is not an integer is ignored, as the server's
  // msgpack_get_uint64 leaves the flags at 0 then.
  if (item.count == 2 && r.Next(&item).ok()) {
    if (item.kind == proto::MsgpackItem::Kind::kInt) {
      out->flags = static_cast<uint64_t>(item.i);
    } else if (item.kind == proto::MsgpackItem::Kind::kUInt) {
      out->flags = item.u;
    }
  }
  return (out->flags & ~(modify ? kModifyFlags : kReadFlags)) == 0;
}

bool ExpressionBuilds(const ExpOp& op) { return ExpressionIsValid(op.expression); }

uint8_t EvaluateExpOp(const ExpOp& op, const Record* meta, std::string_view set_name,
                      const uint8_t* digest, const std::string& bins, uint64_t now_ns,
                      ExpressionValue* result, bool* has_value) {
  FilterSubject subject{meta, set_name, digest, now_ns, &bins};
  if (!EvaluateExpression(op.expression, subject, result)) return Code(ResultCode::kParameter);
  *has_value = !result->unknown;
  if (result->unknown && (op.flags & exp_flags::kEvalNoFail) == 0) {
    return Code(ResultCode::kOpNotApplicable);
  }
  return 0;
}

uint8_t CheckExpWrite(const ExpOp& op, bool bin_exists) {
  const bool no_fail = (op.flags & exp_flags::kPolicyNoFail) != 0;
  if (bin_exists && (op.flags & exp_flags::kCreateOnly) != 0) {
    return no_fail ? kSkipExpWrite : Code(ResultCode::kBinExists);
  }
  if (!bin_exists && (op.flags & exp_flags::kUpdateOnly) != 0) {
    return no_fail ? kSkipExpWrite : Code(ResultCode::kBinNotFound);
  }
  return 0;
}

uint8_t ApplyExpWrite(const ExpOp& op, std::string_view name, const ExpressionValue& value,
                      bool has_value, BinList* bins) {
  if (!has_value) return 0;  // EVAL_NO_FAIL: the bin stays as it was
  const bool was_live = bins->Find(name) != nullptr;
  if (value.particle_type == 0) {
    if (!was_live) return 0;
    if ((op.flags & exp_flags::kAllowDelete) != 0) {
      bins->Remove(name);
      return 0;
    }
    // The server keeps the bin; it then tests `flags && POLICY_NO_FAIL`,
    // so any flag at all (not only POLICY_NO_FAIL) makes this a no-op.
    if (op.flags != 0) return 0;
    return Code(ResultCode::kOpNotApplicable);
  }
  bins->Set(name, value.particle_type, value.bytes);
  return 0;
}

}  // namespace aerospike_py::server
