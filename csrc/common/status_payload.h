// A ResultCode carried inside an absl::Status. Failures that happen below
// the command layer but have a precise code of their own (a TLS handshake
// that failed: kTls; a login the server refused: its security code, e.g.
// 65 INVALID_CREDENTIAL) travel up as ordinary Statuses through pools,
// attempts and the cluster, and the bridge raises the exception class of
// the carried code instead of the generic one for the Status' kind. Used
// by every room.
#pragma once

#include <optional>
#include <string_view>

#include "common/result_code.h"
#include "common/status.h"

namespace aerospike_py {

// `status` (not OK) with `code` attached.
Status WithResultCode(Status status, ResultCode code);
// The code attached by WithResultCode, if any.
std::optional<ResultCode> ResultCodeOf(const Status& status);
// `status` with `more` appended to its message, its payloads (the code)
// kept (absl::Status' own constructor would drop them).
Status Annotate(const Status& status, std::string_view more);

}  // namespace aerospike_py
