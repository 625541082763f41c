"""Helpers shared by the referee tests (imported by name: pytest puts this
directory on sys.path)."""

from __future__ import annotations

import time
from collections.abc import Callable
from importlib.metadata import version
from typing import Any

import aerospike

# The official client's release, (major, minor). The referee's expectations
# were recorded with 19.3.0; on CPython 3.9 pip finds 18.1.0 at newest, and
# where it behaves differently the tests say so by version.
OFFICIAL_VERSION = tuple(int(part) for part in version("aerospike").split(".")[:2])


def connect(hosts: list[tuple[str, int]], **extra: Any) -> Any:
    """An official client connected to `hosts` (fails, never skips)."""
    config: dict[str, Any] = {
        "hosts": hosts,
        "policies": {"read": {"total_timeout": 3000}, "write": {"total_timeout": 3000}},
    }
    config.update(extra)
    return aerospike.client(config).connect()


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 10.0) -> None:
    """Polls until `condition` holds (the client tends once a second)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting until {what}")
