#include "cluster/validation.h"

#include "absl/strings/str_cat.h"
#include "common/result_code.h"
#include "common/status_payload.h"
#include "common/strings.h"
#include "proto/info.h"

namespace aerospike_py::cluster {

std::string ValidationRequest(bool with_cluster_name) {
  std::string request = "node\npartition-generation\nbuild\nfeatures\n";
  if (with_cluster_name) request += "cluster-name\n";
  return request;
}

bool ParseBuildVersion(std::string_view build, int out[4]) {
  std::vector<std::string_view> parts = Split(build, '.');
  if (parts.size() < 3 || parts.size() > 4) return false;
  for (int i = 0; i < 4; ++i) out[i] = 0;
  for (size_t i = 0; i < parts.size(); ++i) {
    // A build may carry a suffix such as "8.1.2.0-rc1" in its last part.
    std::string_view p = parts[i];
    size_t digits = 0;
    while (digits < p.size() && p[digits] >= '0' && p[digits] <= '9') ++digits;
    if (digits == 0 || (digits != p.size() && i + 1 != parts.size())) return false;
    if (!ParseInt(p.substr(0, digits), &out[i])) return false;
  }
  return true;
}

namespace {

bool VersionAtLeast(const int v[4], int a, int b, int c, int d) {
  const int want[4] = {a, b, c, d};
  for (int i = 0; i < 4; ++i) {
    if (v[i] != want[i]) return v[i] > want[i];
  }
  return true;
}

}  // namespace

StatusOr<ValidatedNode> ValidateNodeAnswer(std::string_view body,
                                           std::string_view expected_name,
                                           std::string_view cluster_name) {
  std::string_view node, partition_generation, build, features, name;
  bool have_node = false, have_pgen = false, have_build = false,
       have_features = false, have_name = false;
  for (const proto::InfoPair& pair : proto::ParseInfoResponse(body)) {
    int code = 0;
    std::string_view message;
    if (pair.name.empty() && proto::ParseInfoError(pair.value, &code, &message)) {
      Status refused =
          absl::UnavailableError(absl::StrCat("node refused info: ", AbslView(pair.value)));
      // A security refusal (e.g. 80 "not authenticated": the server wants a
      // user and none is configured) keeps its code for the caller.
      if (code >= ToInt(ResultCode::kSecurityNotSupported) &&
          code <= ToInt(ResultCode::kQuotaExceeded)) {
        refused = WithResultCode(refused, static_cast<ResultCode>(code));
      }
      return refused;
    }
    if (pair.name == "node") {
      node = pair.value, have_node = true;
    } else if (pair.name == "partition-generation") {
      partition_generation = pair.value, have_pgen = true;
    } else if (pair.name == "build") {
      build = pair.value, have_build = true;
    } else if (pair.name == "features") {
      features = pair.value, have_features = true;
    } else if (pair.name == "cluster-name") {
      name = pair.value, have_name = true;
    }
  }
  if (!have_node || node.empty()) {
    return absl::UnavailableError("validation: no node name in the answer");
  }
  ValidatedNode out;
  out.name = std::string(node);
  if (!expected_name.empty() && node != expected_name) {
    return absl::UnavailableError(absl::StrCat("validation: peer advertised as ",
                                               AbslView(expected_name), " answers as ",
                                               AbslView(node)));
  }
  if (!have_pgen || !ParseInt(partition_generation, &out.partition_generation)) {
    return absl::UnavailableError(
        absl::StrCat("validation: node ", AbslView(node), " has no partition-generation"));
  }
  if (out.partition_generation == -1) {
    return absl::UnavailableError(absl::StrCat(
        "validation: node ", AbslView(node), " is not ready (partition-generation -1)"));
  }
  bool version_ok = false;
  if (have_build && ParseBuildVersion(build, out.features.version)) {
    version_ok = VersionAtLeast(out.features.version, 4, 9, 0, 3);
    out.features.user_agent = VersionAtLeast(out.features.version, 8, 1, 0, 0);
  }
  if (have_features) {
    for (std::string_view token : Split(features, ';', /*skip_empty=*/true)) {
      if (token == "batch-any") out.features.batch_any = true;
      if (token == "pscans") out.features.pscans = true;
      if (token == "query-show") out.features.query_show = true;
      if (token == "pquery") out.features.pquery = true;
    }
  }
  if (!version_ok && !out.features.pscans) {
    return absl::UnavailableError(absl::StrCat("validation: node ", AbslView(node),
                                               " runs an unsupported server (build '",
                                               AbslView(build), "')"));
  }
  if (!cluster_name.empty()) {
    if (!have_name || name != cluster_name) {
      return absl::UnavailableError(absl::StrCat(
          "validation: node ", AbslView(node), " belongs to cluster '", AbslView(name),
          "', expected '", AbslView(cluster_name), "'"));
    }
  }
  return out;
}

StatusOr<std::vector<std::pair<std::string, int32_t>>> ParseRackIds(std::string_view value) {
  std::vector<std::pair<std::string, int32_t>> out;
  for (std::string_view entry : Split(value, ';', /*skip_empty=*/true)) {
    size_t colon = entry.find(':');
    int32_t rack = 0;
    if (colon == std::string_view::npos || colon == 0 ||
        !ParseInt(entry.substr(colon + 1), &rack)) {
      return MalformedError(absl::StrCat("rack-ids: bad entry '", AbslView(entry), "'"));
    }
    out.emplace_back(std::string(entry.substr(0, colon)), rack);
  }
  return out;
}

}  // namespace aerospike_py::cluster
