// ResultCode: the outcome of a command as data. Non-negative values are the
// server's result codes (wire protocol §10); negative values are produced by
// the client itself and never travel on the wire. The numbering of the
// client-side codes follows the official C client so that users porting code
// see the same numbers. Used by every room; mapped to Python exceptions in
// exactly one place (csrc/python/errors.cc).
#pragma once

#include <cstdint>
#include <string_view>

namespace aerospike_py {

enum class ResultCode : int32_t {
  // Client-side (never on the wire).
  kMaxErrorRate = -14,
  kMaxRetriesExceeded = -12,
  kCluster = -11,
  kConnection = -10,
  kTls = -9,
  kInvalidNode = -8,
  kNoMoreConnections = -7,
  kAsyncConnection = -6,
  kClientAbort = -5,
  kInvalidHost = -4,
  kNoMoreRecords = -3,
  kClientParam = -2,
  kClientError = -1,
  // Server.
  kOk = 0,
  kServerError = 1,
  kRecordNotFound = 2,
  kGeneration = 3,
  kParameter = 4,
  kRecordExists = 5,
  kBinExists = 6,
  kClusterKeyMismatch = 7,
  kServerMemory = 8,
  kTimeout = 9,
  kAlwaysForbidden = 10,
  kPartitionUnavailable = 11,
  kBinIncompatibleType = 12,
  kRecordTooBig = 13,
  kKeyBusy = 14,
  kScanAbort = 15,
  kUnsupportedFeature = 16,
  kBinNotFound = 17,
  kDeviceOverload = 18,
  kKeyMismatch = 19,
  kInvalidNamespace = 20,
  kBinName = 21,
  kForbidden = 22,
  kElementNotFound = 23,
  kElementExists = 24,
  kEnterpriseOnly = 25,
  kOpNotApplicable = 26,
  kFilteredOut = 27,
  kLostConflict = 28,
  kXdrKeyBusy = 32,
  kQueryEnd = 50,
  kSecurityNotSupported = 51,
  kSecurityNotEnabled = 52,
  kSecuritySchemeNotSupported = 53,
  kInvalidCommand = 54,
  kInvalidField = 55,
  kIllegalState = 56,
  kInvalidUser = 60,
  kUserAlreadyExists = 61,
  kInvalidPassword = 62,
  kExpiredPassword = 63,
  kForbiddenPassword = 64,
  kInvalidCredential = 65,
  kExpiredSession = 66,
  kInvalidRole = 70,
  kRoleAlreadyExists = 71,
  kInvalidPrivilege = 72,
  kInvalidWhitelist = 73,
  kQuotasNotEnabled = 74,
  kInvalidQuota = 75,
  kNotAuthenticated = 80,
  kRoleViolation = 81,
  kNotWhitelisted = 82,
  kQuotaExceeded = 83,
  kUdf = 100,
  kMrtBlocked = 120,
  kMrtVersionMismatch = 121,
  kMrtExpired = 122,
  kMrtTooManyWrites = 123,
  kMrtCommitted = 124,
  kMrtAborted = 125,
  kMrtAlreadyLocked = 126,
  kMrtMonitorExists = 127,
  kBatchDisabled = 150,
  kBatchMaxRequests = 151,
  kBatchQueuesFull = 152,
  kGeoInvalidGeoJson = 160,
  kIndexFound = 200,
  kIndexNotFound = 201,
  kIndexOom = 202,
  kIndexNotReadable = 203,
  kIndexGeneric = 204,
  kIndexNameMaxLen = 205,
  kIndexMaxCount = 206,
  kQueryAborted = 210,
  kQueryQueueFull = 211,
  kQueryTimeout = 212,
  kQueryGeneric = 213,
};

// A short upper-case name such as "RECORD_NOT_FOUND"; "UNKNOWN" otherwise.
std::string_view ResultCodeName(ResultCode code);

inline constexpr int32_t ToInt(ResultCode code) {
  return static_cast<int32_t>(code);
}

}  // namespace aerospike_py
