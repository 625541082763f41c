"""Shared pytest setup of the aerospike_py test suite.

* Every asyncio test runs twice: on asyncio's default loop and on uvloop
  (pytest-asyncio's ``pytest_asyncio_loop_factories`` hook).
* After every test, the extension's live-object counters must be back to
  zero: no command, connection, client, future, mailbox or sync wait may
  outlive the test that created it. Completions still travelling from the
  event thread get a short grace period.

The embedded server fixtures (``aerospike_server``, ``aerospike_cluster3``)
come from the ``aerospike_py.testing`` pytest plugin.
"""

from __future__ import annotations

import asyncio
import gc
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import pytest
import uvloop

# Counters that measure live objects (the others are cumulative totals).
LIVE_COUNTERS = (
    "live_commands",
    "queued_commands",
    "open_connections",
    "live_clients",
    "futures_held",
    "mailboxes_alive",
    "sync_waiting",
    "live_arrow_batches",  # Arrow results pyarrow has not released (arrow_fill.h)
    # Cumulative, but must stay 0: an event loop that ended with a handle open.
    "unclean_loop_exits",
)
GRACE_SECONDS = 3.0


def _loop_factories_hook_exists() -> bool:
    # pytest-asyncio >= 1.3 has the hook; the newest release for CPython 3.9
    # (1.2, used by scripts/test_matrix.sh) does not, and pluggy refuses a
    # conftest that implements an unknown hook: there each async test runs
    # once, on asyncio's loop.
    import pytest_asyncio.plugin

    specs = getattr(pytest_asyncio.plugin, "PytestAsyncioSpecs", None)
    return hasattr(specs, "pytest_asyncio_loop_factories")


if _loop_factories_hook_exists():

    def pytest_asyncio_loop_factories(
        config: pytest.Config, item: pytest.Item
    ) -> Mapping[str, Callable[[], asyncio.AbstractEventLoop]]:
        """Run each async test on asyncio's loop and on uvloop."""
        return {"asyncio": asyncio.new_event_loop, "uvloop": uvloop.new_event_loop}


def _leaks() -> dict[str, int]:
    from aerospike_py import _core

    counters: dict[str, Any] = _core.debug_counters()
    return {name: counters.get(name, 0) for name in LIVE_COUNTERS if counters.get(name, 0) != 0}


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """Remembers on the item whether its test body failed."""
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if report.when == "call":
        item.stash[_CALL_FAILED] = report.failed


_CALL_FAILED = pytest.StashKey[bool]()


def _release_failure_locals() -> None:
    """Drops the locals a failed test's traceback keeps alive.

    pytest keeps the last failure in ``sys.last_value`` (for post-mortem
    debugging); its frames hold the test's locals, e.g. a batch result that
    owns its native command. The report is already formatted, so clearing
    the frames loses nothing, and the leak check then sees what the test
    itself left behind.
    """
    exc = getattr(sys, "last_value", None)
    seen: set[int] = set()
    while isinstance(exc, BaseException) and id(exc) not in seen:
        seen.add(id(exc))
        tb = exc.__traceback__
        while tb is not None:
            try:
                tb.tb_frame.clear()
            except RuntimeError:  # a frame still running (pytest's own)
                pass
            else:
                # Python 3.11's clear() leaves the frame's f_locals dict
                # (made when pytest read the frame's locals) in place.
                tb.tb_frame.f_locals.clear()
            tb = tb.tb_next
        exc = exc.__cause__ or exc.__context__


@pytest.fixture(autouse=True)
def _no_leaked_native_objects(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fails the test if it leaves native objects behind.

    After a failed test body, the failure's frames are cleared first (see
    ``_release_failure_locals``): what they held is not a leak.
    """
    yield
    if request.node.stash.get(_CALL_FAILED, False):
        _release_failure_locals()
        gc.collect()
    deadline = time.monotonic() + GRACE_SECONDS
    leaked = _leaks()
    while leaked and time.monotonic() < deadline:
        # A client dropped without close() is only freed by a collection
        # when it sits in a reference cycle; freeing it is not a leak.
        gc.collect()
        time.sleep(0.01)
        leaked = _leaks()
    assert not leaked, f"native objects outlived the test: {leaked}"
