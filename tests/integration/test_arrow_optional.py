"""pyarrow stays optional: the package imports and batches work without it."""

from __future__ import annotations

import subprocess
import sys


def test_pyarrow_absent_says_so() -> None:
    """Without pyarrow the package works; _arrow raises ImportError naming pyarrow."""
    code = """
import sys
sys.modules["pyarrow"] = None  # import pyarrow now fails
import aerospike_py
from aerospike_py.testing import EmbeddedServer
with EmbeddedServer() as server:
    c = aerospike_py.client({"hosts": server.hosts}).connect()
    c.put(("test", "s", 1), {"a": 1})
    assert c.batch_read([("test", "s", 1)]) == {1: {"a": 1}}
    try:
        c.batch_read([("test", "s", 1)], _arrow=[("a", "int64")])
    except ImportError as e:
        assert "pyarrow" in str(e)
    else:
        raise AssertionError("no ImportError")
    c.close()
print("ok")
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"
