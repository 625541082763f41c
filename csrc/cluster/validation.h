// Node validation (wire protocol §2.6): what a seed or a peer must answer
// before it becomes a node. Pure functions over info answers, so the rules
// are tested without a network.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "cluster/node.h"
#include "common/status.h"

namespace aerospike_py::cluster {

// The request sent on a fresh connection to a candidate address.
std::string ValidationRequest(bool with_cluster_name);

struct ValidatedNode {
  std::string name;
  int64_t partition_generation = 0;
  NodeFeatures features;
};

// Checks the answer to ValidationRequest(): `node` non-empty (and equal to
// `expected_name` when one is given, i.e. for a peer advertised under that
// id); `partition-generation` an integer other than -1 (a node still
// starting up); a server of at least 4.9 by `build`, or `features` listing
// `pscans`; `cluster-name` equal to `cluster_name` when one is configured.
StatusOr<ValidatedNode> ValidateNodeAnswer(std::string_view body,
                                           std::string_view expected_name,
                                           std::string_view cluster_name);

// Parses "a.b.c[.d]" into out[4]; false unless it has 3 or 4 numeric parts.
bool ParseBuildVersion(std::string_view build, int out[4]);

// Parses a `rack-ids` value "ns:rack;ns2:rack".
StatusOr<std::vector<std::pair<std::string, int32_t>>> ParseRackIds(std::string_view value);

}  // namespace aerospike_py::cluster
