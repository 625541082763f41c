"""Replay of the real server's recorded index, query, scan, paging and
background-job exchanges (tests/referee/query_recordings/, made by
``query_recordings.py record``) against the embedded server: every answer
must be the recorded one (see query_recordings.py for what is compared)."""

from __future__ import annotations

import pytest

from aerospike_py.testing import EmbeddedServer
from query_recordings import FAMILIES, CaseResult, load, replay, summary


@pytest.fixture(scope="module")
def results() -> list[CaseResult]:
    with EmbeddedServer() as server:
        return replay(server.ports[0])


def test_every_family_and_case_was_replayed(results: list[CaseResult]) -> None:
    families = {r.name.split("/")[0] for r in results}
    assert families == set(FAMILIES)
    recorded = {ex["case"] for ex in load()}
    assert {r.name for r in results} == recorded
    assert len(results) >= 50
    # Every predicate and index type the recording covers.
    for name in ("sindex/create_numeric", "sindex/create_string", "sindex/create_blob",
                 "sindex/create_list_numeric", "sindex/create_mapkeys_string",
                 "sindex/create_mapvalues_numeric", "sindex/create_geo_point",
                 "sindex/create_ctx_numeric", "sindex/create_expression_numeric",
                 "query/equals_int", "query/between_int", "query/equals_string",
                 "query/equals_blob", "query/contains_list", "query/contains_mapkeys",
                 "query/contains_mapvalues", "query/geo_within_region",
                 "query/geo_within_radius", "query/geo_contains_point", "query/ctx_equals",
                 "query/expression_index", "scan/partition_by_id", "scan/partition_by_range",
                 "paging/scan_pages", "paging/query_pages", "paging/resume_after_digest",
                 "background/ops_with_filter"):
        assert name in recorded, name


def test_every_answer_is_the_recorded_one(results: list[CaseResult]) -> None:
    assert all(not r.problems for r in results), summary(results)


def test_records_arrive_in_the_real_servers_order(results: list[CaseResult]) -> None:
    assert [r.name for r in results if not r.in_order] == [], summary(results)
