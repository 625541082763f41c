#include "server/security/permissions.h"

namespace aerospike_py::server::security {

uint64_t PermsOf(uint8_t code) {
  namespace p = proto::privilege;
  constexpr uint64_t kRead = kPermRead | kPermQuery | kPermRecordInfo;
  constexpr uint64_t kWrite = kPermWrite | kPermDelete;
  switch (code) {
    case p::kUserAdmin:
      return kPermUserAdmin;
    case p::kSysAdmin:
      return kPermUdfAdmin | kPermSindexAdmin | kPermQueryAdmin | kPermTruncate | kPermEvictAdmin |
             kPermSetConfig | kPermLoggingCtrl | kPermServiceCtrl | kPermXdrSetFilter;
    case p::kDataAdmin:
      return kPermUdfAdmin | kPermSindexAdmin | kPermQueryAdmin | kPermTruncate;
    case p::kUdfAdmin:
      return kPermUdfAdmin;
    case p::kSindexAdmin:
      return kPermSindexAdmin;
    case p::kRead:
      return kRead;
    case p::kReadWrite:
      return kRead | kWrite;
    case p::kReadWriteUdf:
      return kRead | kWrite | kPermUdfApply | kPermUdfQuery | kPermOpsQuery;
    case p::kWrite:
      return kWrite;
    case p::kTruncate:
      return kPermTruncate;
    default:
      return 0;
  }
}

std::string_view PermName(uint64_t perm) {
  switch (perm) {
    case kPermRead: return "read";
    case kPermQuery: return "query";
    case kPermWrite: return "write";
    case kPermDelete: return "delete";
    case kPermUdfApply: return "udf-apply";
    case kPermUdfQuery: return "udf-query";
    case kPermOpsQuery: return "ops-query";
    case kPermUdfAdmin: return "udf-admin";
    case kPermSindexAdmin: return "sindex-admin";
    case kPermQueryAdmin: return "query-admin";
    case kPermRecordInfo: return "record-info";
    case kPermTruncate: return "truncate";
    case kPermEvictAdmin: return "evict-admin";
    case kPermSetConfig: return "set-config";
    case kPermLoggingCtrl: return "logging-ctrl";
    case kPermServiceCtrl: return "service-ctrl";
    case kPermXdrSetFilter: return "xdr-set-filter";
    case kPermUserAdmin: return "user-admin";
    default: return "none";
  }
}

bool ScopeCovers(const proto::Privilege& p, std::string_view cmd_ns, std::string_view cmd_set) {
  if (p.ns.empty()) return true;
  if (p.ns != cmd_ns) return false;
  return p.set.empty() || p.set == cmd_set;
}

uint64_t InfoCommandPerm(std::string_view name) {
  if (name == "truncate" || name == "truncate-namespace" || name == "truncate-undo" ||
      name == "truncate-namespace-undo") {
    return kPermTruncate;
  }
  if (name == "sindex-create" || name == "sindex-delete" || name == "sindex-exists") {
    return kPermSindexAdmin;
  }
  if (name == "udf-put" || name == "udf-remove" || name == "udf-clear-cache") return kPermUdfAdmin;
  if (name == "set-config" || name == "config-set") return kPermSetConfig;
  if (name == "query-abort" || name == "query-abort-all" || name == "scan-abort" ||
      name == "scan-abort-all") {
    return kPermQueryAdmin;
  }
  if (name == "recluster" || name == "services-alumni-reset" || name == "tip" ||
      name == "tip-clear") {
    return kPermServiceCtrl;
  }
  if (name == "log-set" || name == "set-log" || name == "log-message") return kPermLoggingCtrl;
  if (name == "debug-record" || name == "debug-record-meta") return kPermRecordInfo;
  return kPermNone;
}

}  // namespace aerospike_py::server::security
