"""List, map, bit and HLL operations through the official client: the
embedded server must answer every case of cdt_cases.py exactly as a real
Aerospike 8.1 did when cdt_recorded.json was recorded (results, error
codes, and the bin as stored afterwards, map order and order flags
included).

`python cdt_cases.py --compare REAL_HOST:PORT OTHER_HOST:PORT` runs the
same cases against two live servers and prints every difference.
"""

from __future__ import annotations

import json
from typing import Any

import cdt_cases
from referee_helpers import connect, wait_for


def _first_difference(ours: list[Any], theirs: list[Any]) -> str:
    for i, (a, b) in enumerate(zip(ours, theirs)):
        if a != b:
            return f"step {i}: embedded {a!r} != real {b!r}"
    return f"lengths {len(ours)} != {len(theirs)}"


def _compare(ours: dict[str, list[Any]], theirs: dict[str, list[Any]]) -> None:
    assert sorted(ours) == sorted(theirs)
    bad = [f"{name}: {_first_difference(ours[name], theirs[name])}"
           for name in sorted(ours) if ours[name] != theirs[name]]
    assert not bad, f"{len(bad)} of {len(ours)} cases differ:\n" + "\n".join(bad[:20])


def test_cases_match_the_recorded_real_server(topology: Any, ns: str) -> None:
    recorded = json.loads(cdt_cases.RECORDED.read_text())
    exchanges = sum(len(v) for v in recorded.values())
    assert exchanges >= 1500, "the recording covers at least 1,500 exchanges"
    handle, cluster = topology
    # Generous timeouts: 1,700 round trips on a machine other jobs share.
    timeouts = {"total_timeout": 20000, "socket_timeout": 20000}
    client = connect(handle.hosts, policies={"operate": timeouts, "read": timeouts,
                                             "write": timeouts, "remove": timeouts})
    try:
        if cluster is not None:
            wait_for(lambda: len(client.get_nodes()) == 3, "client sees 3 nodes")
        ours = cdt_cases.run_all(client, ns)
    finally:
        client.close()
    _compare(ours, recorded)
