// Status conventions of the core. Framing, I/O and argument failures are
// absl::Status values; the server's per-command outcome is a ResultCode and
// is data, not an error status. These constructors name the few error
// kinds the bridge distinguishes when it maps a Status to an exception:
//   InvalidArgument  -> the caller's input was bad (ParamError)
//   DataLoss         -> bytes from the peer were malformed (connection closed)
//   Unavailable      -> connection or cluster trouble (ConnectionError/ClusterError)
//   DeadlineExceeded -> a client-side timeout
//   Cancelled        -> the client was closed while the command was in flight
// Used by every room.
#pragma once

#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace aerospike_py {

using absl::Status;
using absl::StatusOr;

// Debian's abseil 20220623 is built with its own string_view type rather
// than std::string_view; this adapter keeps the rest of the code on std.
inline absl::string_view AbslView(std::string_view s) {
  return absl::string_view(s.data(), s.size());
}

inline Status MalformedError(std::string_view what) {
  return absl::DataLossError(AbslView(what));
}

#define ASPY_RETURN_IF_ERROR(expr)              \
  do {                                          \
    ::absl::Status aspy_status_ = (expr);       \
    if (!aspy_status_.ok()) return aspy_status_; \
  } while (0)

#define ASPY_CONCAT_INNER(a, b) a##b
#define ASPY_CONCAT(a, b) ASPY_CONCAT_INNER(a, b)
#define ASPY_ASSIGN_OR_RETURN(lhs, expr) \
  ASPY_ASSIGN_OR_RETURN_IMPL(ASPY_CONCAT(aspy_statusor_, __LINE__), lhs, expr)
#define ASPY_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                               \
  if (!tmp.ok()) return tmp.status();              \
  lhs = std::move(tmp).value()

}  // namespace aerospike_py
