#include "common/status_payload.h"

#include <string>

#include "absl/strings/cord.h"
#include "absl/strings/numbers.h"

namespace aerospike_py {
namespace {

constexpr char kResultCodeUrl[] = "aerospike_py/result_code";

}  // namespace

Status WithResultCode(Status status, ResultCode code) {
  if (status.ok()) return status;
  status.SetPayload(kResultCodeUrl, absl::Cord(std::to_string(ToInt(code))));
  return status;
}

std::optional<ResultCode> ResultCodeOf(const Status& status) {
  auto payload = status.GetPayload(kResultCodeUrl);
  if (!payload) return std::nullopt;
  int value = 0;
  if (!absl::SimpleAtoi(std::string(*payload), &value)) return std::nullopt;
  return static_cast<ResultCode>(value);
}

Status Annotate(const Status& status, std::string_view more) {
  if (status.ok()) return status;
  Status out(status.code(), std::string(status.message()) + std::string(more));
  status.ForEachPayload([&out](absl::string_view url, const absl::Cord& payload) {
    out.SetPayload(url, payload);
  });
  return out;
}

}  // namespace aerospike_py
