"""Typed shapes of the client configuration, policies and meta dicts.

The client takes plain dicts; these TypedDicts only describe them for type
checkers. Names and keys follow aerospike-py (which defines them in
``aerospike_py.types`` and ``aerospike_py._types``; :mod:`aerospike_py.types`
re-exports them here). Keys aerospike-py lacks are marked "addition".

:data:`POLICY_KEYS` lists, per kind of dict, every key the client accepts; the
client rejects other keys with ``ParamError`` before sending anything.

Time values are milliseconds unless a key says otherwise; ``ttl`` is seconds
(or one of the ``TTL_*`` constants).
"""

from __future__ import annotations

from typing import Any, Final, TypedDict

__all__ = [
    "AdminPolicy",
    "ApplyPolicy",
    "BatchDeleteMeta",
    "BatchDeletePolicy",
    "BatchPolicy",
    "BatchReadPolicy",
    "BatchUDFMeta",
    "BatchUDFPolicy",
    "BatchWritePolicy",
    "ClientConfig",
    "ClientPolicies",
    "HLLPolicy",
    "InfoPolicy",
    "ListPolicy",
    "MapPolicy",
    "Operation",
    "OperatePolicy",
    "POLICY_KEYS",
    "Privilege",
    "QueryPolicy",
    "ReadPolicy",
    "RemovePolicy",
    "RoleInfo",
    "ScanPolicy",
    "TLSConfig",
    "UserInfo",
    "WriteMeta",
    "WritePolicy",
]

Operation = dict[str, Any]
"""One operation for ``operate``/``operate_ordered``: ``{"op": OPERATOR_*, "bin": name, "val": value}``.

CDT operations add keys such as ``return_type``, ``list_policy``,
``map_policy``, ``hll_policy``, ``bit_policy``, ``index``, ``rank``...
"""


class ReadPolicy(TypedDict, total=False):
    """Policy of single-record reads (``get``, ``select``, ``exists``).

    ``socket_timeout`` per attempt (0: none), ``total_timeout`` whole command
    (0: none), ``max_retries``, ``sleep_between_retries``, ``timeout_delay``
    (keep draining a timed-out socket this long), ``filter_expression``,
    ``replica`` (``POLICY_REPLICA_*``), ``read_mode_ap``
    (``POLICY_READ_MODE_AP_*``), ``read_touch_ttl_percent`` (0 server
    default, -1 never reset, 1..100). Addition: ``compress`` (compress the
    request and ask for a compressed reply).

    Serving additions (docs/serving.md): ``coalesce`` (a get/select may be
    merged with others into one batch request per node),
    ``hedge_fraction`` (in [0, 1): after this fraction of the budget, send
    the read to another replica too; 0: never) and ``hedge_percentile`` (in
    [0, 100): hedge once the read has waited as long as the other replica
    takes for this percentile of its recent reads, e.g. 95, in whole
    milliseconds plus one; 0: off; with both, the earlier).
    """

    socket_timeout: int
    total_timeout: int
    max_retries: int
    sleep_between_retries: int
    timeout_delay: int
    filter_expression: Any
    replica: int
    read_mode_ap: int
    read_touch_ttl_percent: int
    compress: bool
    # Serving (issue 17).
    coalesce: bool
    hedge_fraction: float
    hedge_percentile: float


class WritePolicy(TypedDict, total=False):
    """Policy of single-record writes (``put``, ``remove``, ``operate``, ...).

    Timeouts and retries as in :class:`ReadPolicy`, plus ``durable_delete``,
    ``key`` (``POLICY_KEY_*``: store the user key or only the digest),
    ``exists`` (``POLICY_EXISTS_*``), ``gen`` (``POLICY_GEN_*``),
    ``commit_level`` (``POLICY_COMMIT_LEVEL_*``), ``ttl`` (seconds or
    ``TTL_*``). Addition: ``compress``.
    """

    socket_timeout: int
    total_timeout: int
    max_retries: int
    sleep_between_retries: int
    timeout_delay: int
    durable_delete: bool
    key: int
    exists: int
    gen: int
    commit_level: int
    ttl: int
    filter_expression: Any
    read_mode_ap: int
    read_touch_ttl_percent: int
    compress: bool


# The official client has separate policy names for these calls; they take
# the same keys as a write policy.
OperatePolicy = WritePolicy
RemovePolicy = WritePolicy
ApplyPolicy = WritePolicy


class BatchPolicy(TypedDict, total=False):
    """Policy of a whole batch call (transport, and defaults for batch writes).

    ``concurrency`` is ``BATCH_CONCURRENCY_SEQUENTIAL`` or
    ``BATCH_CONCURRENCY_PARALLEL``; ``allow_inline``/``allow_inline_ssd`` let
    the server answer in its network thread; ``respond_all_keys`` keeps going
    after a per-key error. ``key``/``exists``/``gen``/``commit_level``/
    ``durable_delete``/``ttl`` are defaults for ``batch_write`` records
    (per-record meta wins). Addition: ``compress``.

    Serving additions (docs/serving.md): ``hedge_fraction`` and
    ``hedge_percentile`` as in :class:`ReadPolicy`, for read-only batches: a
    node's request still unanswered after the threshold sends its rows to
    their other replicas too, and each row takes the first answer. A batch
    with a write, delete or UDF row is never hedged. ``coalesce``: this
    ``batch_read`` (or ``batch_read_view``) may travel with the other such
    calls submitted with it (same wakeup of the event thread, or within
    ``coalesce_window_us``) whose policies agree, as one batch: one request
    per node for all of them; each call still gets its own records, its own
    errors and its own exception. It pays under load and costs latency at
    low load: measure it first (docs/serving.md).
    """

    socket_timeout: int
    total_timeout: int
    max_retries: int
    sleep_between_retries: int
    timeout_delay: int
    filter_expression: Any
    allow_inline: bool
    allow_inline_ssd: bool
    respond_all_keys: bool
    replica: int
    read_mode_ap: int
    read_touch_ttl_percent: int
    concurrency: int
    key: int
    exists: int
    gen: int
    commit_level: int
    durable_delete: bool
    ttl: int
    compress: bool
    # Serving (issue 17).
    hedge_fraction: float
    hedge_percentile: float
    coalesce: bool


class BatchReadPolicy(TypedDict, total=False):
    """Per-record policy of ``batch_read`` (transport keys are in :class:`BatchPolicy`)."""

    read_touch_ttl_percent: int
    filter_expression: Any
    read_mode_ap: int


class BatchWritePolicy(TypedDict, total=False):
    """Addition: per-record policy of batch writes (the official ``policy_batch_write``)."""

    key: int
    exists: int
    gen: int
    commit_level: int
    durable_delete: bool
    ttl: int
    filter_expression: Any


class BatchDeletePolicy(TypedDict, total=False):
    """Per-record policy of ``batch_remove``."""

    gen: int
    key: int
    commit_level: int
    durable_delete: bool
    filter_expression: Any


class BatchDeleteMeta(TypedDict, total=False):
    """Per-key overrides of one ``batch_remove`` entry; ``gen`` makes the delete conditional."""

    gen: int
    key: int
    commit_level: int
    durable_delete: bool


class BatchUDFPolicy(TypedDict, total=False):
    """Per-record policy of ``batch_apply``."""

    commit_level: int
    ttl: int
    key: int
    durable_delete: bool
    filter_expression: Any


class BatchUDFMeta(TypedDict, total=False):
    """Per-key overrides of one ``batch_apply`` entry (UDF call and policy fields)."""

    module: str
    function: str
    args: list[Any]
    ttl: int
    commit_level: int
    key: int
    durable_delete: bool


class AdminPolicy(TypedDict, total=False):
    """Policy of user/role administration commands: ``timeout`` in ms."""

    timeout: int


class InfoPolicy(TypedDict, total=False):
    """Addition: policy of info commands: ``timeout`` in ms."""

    timeout: int


class QueryPolicy(TypedDict, total=False):
    """Policy of queries (and of scans, which are queries without a filter).

    ``max_records`` (approximate cap), ``records_per_second`` (server-side
    throttle), ``max_concurrent_nodes`` (0: all), ``record_queue_size``,
    ``expected_duration`` (``QUERY_DURATION_*``), ``include_bin_data``,
    ``partition_filter`` (from ``partition_filter_all/by_id/by_range``).
    Addition: ``compress``.
    """

    socket_timeout: int
    total_timeout: int
    max_retries: int
    sleep_between_retries: int
    timeout_delay: int
    max_records: int
    records_per_second: int
    filter_expression: Any
    replica: int
    read_mode_ap: int
    read_touch_ttl_percent: int
    max_concurrent_nodes: int
    record_queue_size: int
    expected_duration: int
    include_bin_data: bool
    partition_filter: Any
    compress: bool


class ScanPolicy(TypedDict, total=False):
    """Policy of scans. Addition: ``compress``."""

    socket_timeout: int
    total_timeout: int
    max_retries: int
    sleep_between_retries: int
    timeout_delay: int
    filter_expression: Any
    replica: int
    read_mode_ap: int
    records_per_second: int
    max_records: int
    durable_delete: bool
    ttl: int
    partition_filter: Any
    compress: bool


class WriteMeta(TypedDict, total=False):
    """The ``meta`` argument of writes: ``gen`` (expected generation), ``ttl``,
    ``key``, ``exists``, ``commit_level``, ``durable_delete``."""

    gen: int
    ttl: int
    key: int
    exists: int
    commit_level: int
    durable_delete: bool


class ListPolicy(TypedDict, total=False):
    """List CDT policy: ``order`` (``LIST_ORDERED``/``LIST_UNORDERED``), ``flags`` (``LIST_WRITE_*``)."""

    order: int
    flags: int


class MapPolicy(TypedDict, total=False):
    """Map CDT policy: ``order`` (``MAP_*ORDERED``), ``write_mode`` (``MAP_UPDATE``,
    ``MAP_UPDATE_ONLY``, ``MAP_CREATE_ONLY``, or ``MAP_WRITE_FLAGS_*`` bits),
    ``flags`` (``MAP_WRITE_FLAGS_*`` bits instead of a write mode) and
    ``persist_index`` (keep an index of a top-level map)."""

    order: int
    write_mode: int
    flags: int
    persist_index: bool


class HLLPolicy(TypedDict, total=False):
    """HyperLogLog CDT policy: ``flags`` (``HLL_WRITE_*``)."""

    flags: int


class Privilege(TypedDict, total=False):
    """A role privilege: ``code`` (``PRIV_*`` or a name such as "read-write"), optional ``ns``/``set``."""

    code: int | str
    ns: str
    set: str


class UserInfo(TypedDict):
    """A user as returned by ``admin_query_user_info``."""

    user: str
    roles: list[str]
    conns_in_use: int


class RoleInfo(TypedDict):
    """A role as returned by ``admin_query_role``."""

    name: str
    privileges: list[Privilege]
    allowlist: list[str]
    read_quota: int
    write_quota: int


class TLSConfig(TypedDict, total=False):
    """Addition: TLS settings (``config["tls"]``), named as in the official client.

    ``enable`` turns TLS on; ``cafile``/``capath`` trust anchors;
    ``certfile``/``keyfile``/``keyfile_pw`` the client certificate (mutual
    TLS); ``protocols`` e.g. "TLSv1.2 TLSv1.3"; ``cipher_suite`` an OpenSSL
    cipher list; ``cert_blacklist`` a file of revoked serial numbers;
    ``crl_check``/``crl_check_all`` certificate revocation checks;
    ``log_session_info`` logs the negotiated session; ``for_login_only`` uses
    TLS for the login only. A host's TLS name is its third element:
    ``("10.0.0.1", 4333, "server-name")``; without one the host itself is the
    name the server certificate must carry. A failed handshake raises
    ``TLSError`` (a ``ConnectionError``) saying why.
    """

    enable: bool
    cafile: str
    capath: str
    certfile: str
    keyfile: str
    keyfile_pw: str
    protocols: str
    cipher_suite: str
    cert_blacklist: str
    crl_check: bool
    crl_check_all: bool
    log_session_info: bool
    for_login_only: bool


class ClientPolicies(TypedDict, total=False):
    """Addition: client-wide default policies (``config["policies"]``).

    A call's ``policy`` argument is applied on top of the default for its
    kind. ``operate``/``remove``/``apply`` default to ``write`` when absent.
    """

    read: ReadPolicy
    write: WritePolicy
    operate: WritePolicy
    remove: WritePolicy
    apply: WritePolicy
    batch: BatchPolicy
    batch_read: BatchReadPolicy
    batch_write: BatchWritePolicy
    batch_remove: BatchDeletePolicy
    batch_apply: BatchUDFPolicy
    query: QueryPolicy
    scan: ScanPolicy
    info: InfoPolicy
    admin: AdminPolicy


class ClientConfig(TypedDict, total=False):
    """Configuration dict of ``client()`` / ``async_client()``.

    aerospike-py keys: ``hosts`` (``[(host, port)]`` or ``"host:port"``),
    ``cluster_name`` (checked against the server's), ``auth_mode``
    (``AUTH_INTERNAL``: user + password, hashed once per client with bcrypt;
    ``AUTH_EXTERNAL``: LDAP, the password itself is sent, over TLS only;
    ``AUTH_PKI``: the TLS client certificate names the user), ``user``,
    ``password`` (never shown in reprs, logs or error messages),
    ``timeout`` (connect ms),
    ``idle_timeout`` (ms a pooled connection may stay idle),
    ``max_conns_per_node``, ``min_conns_per_node``, ``conn_pools_per_node``,
    ``tend_interval`` (ms), ``use_services_alternate``,
    ``max_concurrent_operations`` (0: unlimited; extra calls wait),
    ``operation_queue_timeout_ms`` (0: wait forever; then
    ``BackpressureError``).

    Additions: ``policies`` (:class:`ClientPolicies`), ``tls``
    (:class:`TLSConfig`; hosts may then carry a TLS name as third element),
    ``rack_aware``/``rack_id``/``rack_ids`` (rack of this client, used with
    ``POLICY_REPLICA_PREFER_RACK``), ``max_error_rate`` and
    ``error_rate_window`` (per-node circuit breaker: once a node has cost
    ``max_error_rate`` connections, through network errors, timeouts or
    malformed replies, within ``error_rate_window`` tend intervals, commands
    skip it with ``MaxErrorRateExceeded`` until the window ends; 0 disables).
    ``app_id``: reported to servers of version 8.1 and later with
    ``user-agent-set`` (as the official clients do), with this client's
    version. ``login_timeout_ms``: how long a new connection's login may
    take (default 5000). The official client's spelling
    ``policies["auth_mode"]`` is accepted too.

    Serving (docs/serving.md): ``coalesce_gets`` (default of the read
    policy's ``coalesce``), ``coalesce_batches`` (default of the batch
    policy's ``coalesce``), ``coalesce_window_us`` (0..10000: how long the
    event thread waits for more coalescable gets and batch reads),
    ``hedge_reads`` (default
    of the read policy's ``hedge_fraction``), ``hedge_percentile`` (default
    of the read policy's ``hedge_percentile``).
    """

    hosts: list[tuple[str, int] | tuple[str, int, str] | str]
    cluster_name: str | None
    auth_mode: int
    user: str
    password: str
    timeout: int
    idle_timeout: int
    max_conns_per_node: int
    min_conns_per_node: int
    conn_pools_per_node: int
    tend_interval: int
    use_services_alternate: bool
    max_concurrent_operations: int
    operation_queue_timeout_ms: int
    policies: ClientPolicies
    tls: TLSConfig
    rack_aware: bool
    rack_id: int
    rack_ids: list[int]
    app_id: str
    login_timeout_ms: int
    max_error_rate: int
    error_rate_window: int
    # Serving (issue 17).
    coalesce_gets: bool
    coalesce_batches: bool
    coalesce_window_us: int
    hedge_reads: float
    hedge_percentile: float


def _keys(td: Any) -> frozenset[str]:
    keys: frozenset[str] = td.__optional_keys__ | td.__required_keys__
    return keys


POLICY_KEYS: Final[dict[str, frozenset[str]]] = {
    "client_config": _keys(ClientConfig),
    "policies": _keys(ClientPolicies),
    "tls": _keys(TLSConfig),
    "read": _keys(ReadPolicy),
    "write": _keys(WritePolicy),
    "operate": _keys(WritePolicy),
    "remove": _keys(WritePolicy),
    "apply": _keys(WritePolicy),
    "batch": _keys(BatchPolicy),
    "batch_read": _keys(BatchReadPolicy),
    "batch_write": _keys(BatchWritePolicy),
    "batch_remove": _keys(BatchDeletePolicy),
    "batch_remove_meta": _keys(BatchDeleteMeta),
    "batch_apply": _keys(BatchUDFPolicy),
    "batch_apply_meta": _keys(BatchUDFMeta),
    "query": _keys(QueryPolicy),
    "scan": _keys(ScanPolicy),
    "admin": _keys(AdminPolicy),
    "info": _keys(InfoPolicy),
    "meta": _keys(WriteMeta),
    "list_policy": _keys(ListPolicy),
    "map_policy": _keys(MapPolicy),
    "hll_policy": _keys(HLLPolicy),
    "privilege": _keys(Privilege),
}
"""Allowed keys per kind of dict.

Kinds: ``client_config`` (the config dict), ``policies`` and ``tls`` (its
sub-dicts), the per-call policy kinds ``read``, ``write``, ``operate``,
``remove``, ``apply``, ``batch``, ``batch_read``, ``batch_write``,
``batch_remove``, ``batch_apply``, ``query``, ``scan``, ``admin``, ``info``
(also the keys of ``policies``), per-record ``batch_remove_meta`` /
``batch_apply_meta``, the write ``meta`` dict, and the CDT ``list_policy``,
``map_policy``, ``hll_policy`` and admin ``privilege`` dicts.
"""
