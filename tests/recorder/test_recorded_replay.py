"""Replays every recorded family (tests/golden/recorded/*.jsonl, answers of
a real Aerospike CE 8.1.2.0) against a fresh embedded server and requires
the same answers (see tests/recorder/README.md for what is compared and
what may vary). Families are found by their files: adding a family is a
module in tests/recorder/families/ plus its recording, nothing here."""

from __future__ import annotations

import pytest

from .catalogue import RECORDINGS_DIR, family_names, load_families, recorded_family_names
from .recording import Recording
from .replay import FamilyResult, embedded_like_real, replay_recording
from .wire import batch_indexes_masked

RECORDED = recorded_family_names()
MIN_EXCHANGES = 2000


def _replay(name: str) -> FamilyResult:
    (family,) = load_families([name])
    recording = Recording.read(RECORDINGS_DIR / f"{name}.jsonl")
    with embedded_like_real() as (host, port):
        return replay_recording(recording, host, port, family)


@pytest.mark.parametrize("name", RECORDED)
def test_embedded_server_answers_like_the_real_one(name: str) -> None:
    result = _replay(name)
    assert not result.failures and not result.pending_now_equal, result.report()


def test_every_family_is_recorded_and_current() -> None:
    # A family module whose requests changed must be re-recorded (python -m
    # tests.recorder record ...): the recording must hold exactly the
    # requests the module builds today.
    assert family_names() == RECORDED
    for family in load_families():
        recording = Recording.read(family.recording)
        built = [(f"{c.name}/{s.name}", s.request) for c in family.cases() for s in c.steps]
        stored = [(e.id, e.request) for e in recording.exchanges]
        assert [i for i, _ in built] == [i for i, _ in stored], family.name
        # Batch rows are numbered from a random base on every call.
        changed = [i for (i, a), (_, b) in zip(built, stored)
                   if batch_indexes_masked(a) != batch_indexes_masked(b)]
        assert changed == [], f"{family.name}: re-record, requests changed: {changed[:5]}"


def test_catalogue_size() -> None:
    total = sum(len(Recording.read(RECORDINGS_DIR / f"{n}.jsonl").exchanges) for n in RECORDED)
    print(f"recorded exchanges: {total} in {len(RECORDED)} families")
    assert total >= MIN_EXCHANGES
