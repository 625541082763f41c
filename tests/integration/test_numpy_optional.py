"""NumPy stays optional: the package imports and batches work without it."""

from __future__ import annotations

import subprocess
import sys


def test_numpy_stays_optional() -> None:
    """The package imports and batches work without NumPy; _dtype then says what is missing."""
    code = """
import sys
sys.modules["numpy"] = None  # import numpy now fails
import aerospike_py
from aerospike_py.testing import EmbeddedServer
with EmbeddedServer() as server:
    c = aerospike_py.client({"hosts": server.hosts}).connect()
    c.put(("test", "s", 1), {"a": 1})
    assert c.batch_read(aerospike_py.BatchKeys("test", "s", [1, 2])) == {1: {"a": 1}}
    try:
        c.batch_read([("test", "s", 1)], _dtype=[("a", "i8")])
    except ImportError as e:
        assert "NumPy" in str(e)
    else:
        raise AssertionError("no ImportError")
    c.close()
assert "numpy" not in sys.modules or sys.modules["numpy"] is None
print("ok")
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"
