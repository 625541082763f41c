"""The README's demo (examples/demo.py, run by ./scripts/demo.sh) runs to the
end and prints its table: the round trip, and one row per serving mode."""

from __future__ import annotations

import pathlib
import re
import subprocess
import sys

DEMO = pathlib.Path(__file__).resolve().parents[2] / "examples" / "demo.py"


def test_demo_prints_its_table() -> None:
    out = subprocess.run(
        [sys.executable, str(DEMO), "--records", "1000", "--requests", "24", "--concurrency", "4"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr
    assert out.stderr == ""
    text = out.stdout
    assert "loaded 9,000 feature records into 9 sets" in text
    assert re.search(r"round trip: put .* gen 2, .*visits=2", text)
    assert re.search(r"mode\s+p50 ms\s+p90 ms\s+p99 ms\s+mean ms\s+records/s\s+found\s+GIL us/req", text)
    for mode in ("single batch_read", "gather 9 reads", "single, NumPy"):
        row = re.search(re.escape(mode) + r"((?:\s+[\d.,]+%?){7})\s*$", text, re.M)
        assert row, f"no table row for {mode!r} in:\n{text}"
        found = float(row.group(1).split()[5].rstrip("%"))
        assert 85.0 < found < 97.0  # ~10% of the candidate keys are unknown by design
    assert "Traceback" not in text and "rror" not in text
    assert re.search(r"done in [\d.]+ s", text)
