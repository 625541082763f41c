"""Info commands: the exact answers of the commands clients send while
tending and for administration, several names in one request, unknown
commands, malformed lines, and the statistics whose key lists (not their
runtime values) must match."""

from __future__ import annotations

import base64
import random

from .. import wire
from ..catalogue import Case, Compare
from ._common import info, put

SET = "rec_info"
SETS = (SET,)

# Runtime values of the real server the embedded one does not model (or
# that depend on the machine, the uptime or on other sets): compared by key.
NAMESPACE_VARY = (
    "objects", "master_objects", "prole_objects", "non_replica_objects", "tombstones",
    "current_time", "index_used_bytes", "data_used_bytes", "data_avail_pct",
    "data_used_pct", "index_used_pct", "set_index_used_bytes", "sindex_used_bytes",
    "client_write_success", "client_delete_not_found", "client_read_success",
    "client_read_not_found", "client_delete_success", "client_write_error",
    "client_read_error", "client_read_filtered_out", "client_write_filtered_out",
    "client_delete_error", "client_tsvc_error", "fail_generation", "fail_record_too_big",
    "fail_key_busy", "client_udf_complete", "client_udf_error", "client_lang_read_success",
    "client_lang_write_success", "client_lang_delete_success", "client_lang_error",
    "client_delete_filtered_out", "client_udf_filtered_out", "client_read_timeout",
    "client_write_timeout", "batch_sub_read_success", "batch_sub_read_not_found",
    "batch_sub_write_success", "batch_sub_delete_success", "batch_sub_read_error",
    "batch_sub_write_error", "batch_sub_delete_not_found", "batch_sub_read_filtered_out",
    "batch_sub_write_filtered_out", "batch_sub_delete_filtered_out", "batch_sub_delete_error",
    "pi_query_long_basic_complete", "pi_query_short_basic_complete",
    "pi_query_long_basic_error", "pi_query_ops_bg_complete", "truncate_lut",
    "truncated_records", "expired_objects", "evicted_objects", "nsup_cycle_duration",
    "nsup_cycle_sleep_pct", "unreplicated_records", "dead_partitions",
    "unavailable_partitions", "migrate_tx_partitions_remaining",
    "fail_client_lost_conflict", "fail_xdr_lost_conflict", "fail_key_busy",
    "record_proto_uncompressed_pct", "record_proto_compression_ratio",
    "storage-engine.stripe[[]*[]].*", "storage-engine.file[[]*[]].*", "deleted_last_bin", "non_expirable_objects",
    "ttl_reductions_*", "xdr_*", "evict_*",
)
STATISTICS_VARY = (
    "failed_best_practices", "uptime", "system_total_cpu_pct", "system_user_cpu_pct",
    "system_kernel_cpu_pct", "system_free_mem_kbytes", "system_free_mem_pct",
    "system_thp_mem_kbytes", "process_cpu_pct", "threads_joinable", "threads_detached",
    "threads_pool_total", "threads_pool_active", "heap_allocated_kbytes",
    "heap_active_kbytes", "heap_mapped_kbytes", "heap_efficiency_pct", "heap_site_count",
    "objects", "tombstones", "client_connections", "client_connections_opened",
    "client_connections_closed", "info_complete", "time_since_rebalance",
    "deprecated_requests", "batch_index_initiate", "batch_index_complete",
    "batch_index_error", "batch_index_created_buffers", "batch_index_unused_buffers",
    "batch_index_delay", "batch_index_timeout", "batch_index_proto_uncompressed_pct",
    "batch_index_proto_compression_ratio", "cluster_generation", "cluster_key",
    "demarshal_error", "proto_connections_opened", "proto_connections_closed",
    "info_queue", "info_timeout", "fabric_connections", "fabric_connections_opened",
    "fabric_connections_closed", "heartbeat_connections", "heartbeat_connections_opened",
    "heartbeat_connections_closed", "heartbeat_received_self", "heartbeat_received_foreign",
    "sindex_gc_retries", "early_tsvc_client_error", "early_tsvc_from_proxy_error",
    "early_tsvc_batch_sub_error", "early_tsvc_from_proxy_batch_sub_error",
    "early_tsvc_udf_sub_error", "early_tsvc_ops_sub_error", "batch_index_huge_buffers",
    "reaped_fds", "tree_gc_queue", "admin_connections", "admin_connections_opened",
    "admin_connections_closed", "process_cpu_pct", "rw_in_progress", "host_free_mem_*",
    "system_free_mem_*", "heap_*",
)
SET_VARY = ("objects", "data_used_bytes", "truncate_lut", "tombstones")


def cases(rng: random.Random) -> list[Case]:
    out = []
    c = Case("tend")
    exact = ["node", "build", "edition", "version", "features", "partitions", "cluster-name",
             "status", "namespaces", "replicas", "replicas-all", "replicas-master",
             "replicas:max=1", "replicas:max=3", "service-tls-std", "service-tls-alt",
             "build_os", "peers-tls-std", "peers-tls-alt", "peers-clear-std",
             "peers-clear-alt", "alumni-clear-std", "alumni-tls-std", "rack-ids",
             "partition-generation", "rebalance-generation", "peers-generation"]
    for name in exact:
        c.add(name.replace(":", "_").replace("=", "_"), info(name))
    c.add("service_endpoints", info("service-clear-std", "service-clear-alt", "service"),
          Compare(info_mask=("service-clear-std", "service-clear-alt", "service")))
    c.add("cluster_stable", info("cluster-stable", "cluster-stable:namespace=test",
                                 "cluster-stable:namespace=nope"),
          Compare(info_mask=("cluster-stable", "cluster-stable:namespace=test")))
    c.add("tend_round", info("node", "peers-generation", "partition-generation"))
    c.add("validate", info("node", "features", "build", "cluster-name"))
    out.append(c)

    c = Case("stats")
    c.add("namespace_test", info("namespace/test"),
          Compare(info_keys=("namespace/test",), info_vary=NAMESPACE_VARY))
    c.add("namespace_nope", info("namespace/nope"))
    c.add("namespace_no_arg", info("namespace"))
    c.add("statistics", info("statistics"),
          Compare(info_keys=("statistics",), info_vary=STATISTICS_VARY))
    c.add("seed", put(SET, "a", {"a": 1}))
    c.add("seed2", put(SET, "b", {"a": 2}))
    c.add("set", info(f"sets/test/{SET}"),
          Compare(info_keys=(f"sets/test/{SET}",), info_vary=SET_VARY))
    c.add("set_unknown", info("sets/test/rec_info_never_written"))
    c.add("sets_namespace_unknown", info("sets/nope"))
    c.add("sets", info("sets", "sets/test"), Compare(info_mask=("sets", "sets/test")))
    out.append(c)

    c = Case("protocol")
    c.add("empty_body", wire.proto(b"", wire.INFO), Compare(info_mask=("statistics",)))
    c.add("no_newline", wire.proto(b"node", wire.INFO))
    c.add("two_lines_last_without_newline", wire.proto(b"node\nbuild", wire.INFO))
    c.add("blank_lines", wire.proto(b"\n\nnode\n\n", wire.INFO))
    c.add("unknown", info("no-such-command"))
    c.add("unknown_with_params", info("no-such-command:a=b;c=d"))
    c.add("name_too_long", info("x" * 40))
    c.add("duplicate_names", info("node", "node", "build"))
    c.add("trailing_colon", info("node:"))
    c.add("trailing_slash", info("build/"))
    c.add("params_on_simple", info("build:x=1"))
    c.add("crlf", wire.proto(b"node\r\n", wire.INFO))
    c.add("tab_in_name", wire.proto(b"no\tde\n", wire.INFO))
    c.add("utf8_name", info("nodé"))
    c.add("many", info(*["node"] * 50))
    out.append(c)

    # user-agent-set: once per connection.
    c = Case("user_agent")
    ua = base64.b64encode(b"1,python-0.1.0,rec").decode()
    c.add("set", info(f"user-agent-set:value={ua}"), new_connection=True)
    c.add("set_again", info(f"user-agent-set:value={ua}"))
    c.add("set_other_after", info("user-agent-set:value=QQ=="))
    for name, cmd in (("set_empty", "user-agent-set:value="), ("set_missing", "user-agent-set"),
                      ("set_bad_b64", "user-agent-set:value=@@@"),
                      ("set_long", "user-agent-set:value=" + "QUFB" * 22),
                      ("set_too_long", "user-agent-set:value=" + "QUFB" * 23),
                      ("set_no_padding", "user-agent-set:value=QQ"),
                      ("set_two", "user-agent-set:value=QQ==\nuser-agent-set:value=Qg==")):
        c.add(name, info(*cmd.split("\n")), new_connection=True)
    out.append(c)

    c = Case("truncate_args")
    for name, cmd in (
            ("no_params", "truncate"), ("no_namespace", "truncate:set=rec_info"),
            ("unknown_namespace", "truncate:namespace=nope;set=rec_info"),
            ("set_too_long", "truncate:namespace=test;set=" + "s" * 64),
            ("set_63", "truncate:namespace=test;set=" + "s" * 63),
            ("lut_garbage", "truncate:namespace=test;set=rec_info;lut=abc"),
            ("lut_zero", "truncate:namespace=test;set=rec_info;lut=0"),
            ("lut_before_epoch", "truncate:namespace=test;set=rec_info;lut=1000000000"),
            ("lut_future", "truncate:namespace=test;set=rec_info;lut=9999999999999999999"),
            ("lut_far_future", "truncate:namespace=test;set=rec_info;lut=4102444800000000000"),
            ("ns_unknown_whole", "truncate-namespace:namespace=nope"),
            ("ns_missing_whole", "truncate-namespace"),
            ("ns_with_set", "truncate-namespace:namespace=nope;set=x"),
            ("undo_unknown", "truncate-undo:namespace=nope;set=x"),
            ("namespace_alias", "truncate:ns=nope;set=rec_info")):
        c.add(name, info(cmd))
    out.append(c)
    # The info answers of the random key/value families' sets are covered
    # there; here a seeded batch of multi-name requests.
    c = Case("random_multi")
    names = ["node", "build", "edition", "features", "namespaces", "partitions",
             "cluster-name", "replicas-master", "no-such", "status"]
    for i in range(20):
        c.add(f"{i}", info(*rng.sample(names, rng.randrange(1, 6))))
    out.append(c)
    return out
