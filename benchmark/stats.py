"""Summary statistics of latency samples (milliseconds).

Percentiles interpolate linearly between order statistics (NumPy's default),
so small quick-mode samples still give sensible numbers.
"""

from __future__ import annotations

import math
from typing import Sequence

PERCENTILES = (50, 90, 95, 99)


def percentile(sorted_values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) of already sorted values; NaN when empty."""
    n = len(sorted_values)
    if n == 0:
        return math.nan
    if n == 1:
        return float(sorted_values[0])
    pos = (n - 1) * q / 100.0
    lo = int(math.floor(pos))
    hi = min(lo + 1, n - 1)
    frac = pos - lo
    return float(sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * frac)


def summarize(values: Sequence[float]) -> dict[str, float]:
    """count, mean, stdev, cv, min, max and p50/p90/p95/p99."""
    s = sorted(values)
    n = len(s)
    out: dict[str, float] = {"count": float(n)}
    if n == 0:
        for k in ("mean", "stdev", "cv", "min", "max", *(f"p{p}" for p in PERCENTILES)):
            out[k] = math.nan
        return out
    mean = sum(s) / n
    var = sum((v - mean) ** 2 for v in s) / (n - 1) if n > 1 else 0.0
    out["mean"] = mean
    out["stdev"] = math.sqrt(var)
    out["cv"] = out["stdev"] / mean if mean > 0 else math.nan
    out["min"] = float(s[0])
    out["max"] = float(s[-1])
    for p in PERCENTILES:
        out[f"p{p}"] = percentile(s, p)
    return out


def ratio(a: float | None, b: float | None) -> float:
    """a / b, NaN when either side is missing or b is zero."""
    if a is None or b is None or not math.isfinite(a) or not math.isfinite(b) or b == 0:
        return math.nan
    return a / b


def cdf_points(values: Sequence[float], max_points: int = 200) -> list[tuple[float, float]]:
    """(latency, fraction <= latency) pairs, thinned to at most max_points."""
    s = sorted(values)
    n = len(s)
    if n == 0:
        return []
    step = max(1, n // max_points)
    pts = [(float(s[i]), (i + 1) / n) for i in range(0, n, step)]
    if pts[-1][1] != 1.0:
        pts.append((float(s[-1]), 1.0))
    return pts
