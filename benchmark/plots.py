"""PNG plots of a results.json: latency CDFs per client and per-set bars.

Run as a script by plotting.py with an interpreter that has matplotlib:
`python plots.py RESULTS_DIR`; prints the list of files it wrote as JSON.
Self-contained on purpose (it may run in any client's virtualenv).
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

import matplotlib  # type: ignore[import-not-found,unused-ignore]

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # type: ignore[import-not-found,unused-ignore]  # noqa: E402

# report.py's CLIENT_ORDER (this script runs alone, in whichever interpreter has matplotlib).
ORDER = ("ours-async", "ours-async-merged", "ours-sync", "ours-async-numpy", "aerospike-py", "aerospike-py-numpy",
         "official", "official-async", "native", "native-values", "fake")


def _rank(name: str) -> int:
    return ORDER.index(name) if name in ORDER else 99


def _order(names: Any) -> list[str]:
    names = list(dict.fromkeys(names))
    return sorted(names, key=lambda n: (ORDER.index(n) if n in ORDER else 99, n))


def _cdf(ax: Any, values: list[float], label: str) -> None:
    s = sorted(values)
    if not s:
        return
    n = len(s)
    ax.plot(s, [(i + 1) / n for i in range(n)], label=f"{label} (n={n})", linewidth=1.4)


def _finish(fig: Any, ax: Any, title: str, path: str) -> None:
    ax.set_title(title)
    ax.set_xlabel("latency (ms)")
    ax.set_ylabel("fraction of calls ≤ latency")
    ax.set_xscale("log")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(out_dir: str) -> list[str]:
    with open(os.path.join(out_dir, "results.json"), encoding="utf-8") as f:
        res = json.load(f)
    files: list[str] = []
    a_runs = [r for r in res["env_a"]["runs"] if not r["gil"]]
    for batch in sorted({r["batch"] for r in a_runs}):
        fig, ax = plt.subplots(figsize=(7, 4.5))
        for client in _order(r["client"] for r in a_runs):
            vals = [v for r in a_runs if r["client"] == client and r["batch"] == batch
                    for v in r["raw"]["latencies_ms"]]
            _cdf(ax, vals, client)
        name = f"env_a_cdf_b{batch}.png"
        _finish(fig, ax, f"Env A: batch_read latency CDF, batch={batch}, all sets", os.path.join(out_dir, name))
        files.append(name)
        sets = sorted({r["set"] for r in a_runs}, key=lambda s: int(s.split("_")[1]))
        clients = _order(r["client"] for r in a_runs if r["batch"] == batch)
        fig, ax = plt.subplots(figsize=(9, 4.5))
        width = 0.8 / max(len(clients), 1)
        for ci, client in enumerate(clients):
            means = []
            for s in sets:
                run = next((r for r in a_runs if r["client"] == client and r["batch"] == batch
                            and r["set"] == s), None)
                means.append(run["summary"]["mean"] if run else 0.0)
            ax.bar([i + ci * width for i in range(len(sets))], means, width, label=client)
        ax.set_xticks([i + width * (len(clients) - 1) / 2 for i in range(len(sets))])
        ax.set_xticklabels(sets)
        ax.set_ylabel("mean latency (ms)")
        ax.set_title(f"Env A: mean batch_read latency per set, batch={batch}")
        ax.grid(True, axis="y", alpha=0.3)
        ax.legend(fontsize=8)
        fig.tight_layout()
        name = f"env_a_sets_b{batch}.png"
        fig.savefig(os.path.join(out_dir, name), dpi=110)
        plt.close(fig)
        files.append(name)
    for env, key, title in (("env_b", "concurrency", "Env B: HTTP latency CDF, concurrency"),
                            ("env_c", "mode", "Env C: /predict latency CDF, mode")):
        runs = [r for r in res[env]["runs"] if not r["gil"]]
        for level in sorted({r[key] for r in runs}, key=lambda v: str(v).zfill(6)):
            fig, ax = plt.subplots(figsize=(7, 4.5))
            for r in sorted((r for r in runs if r[key] == level),
                            key=lambda r: _rank(r["client"])):
                _cdf(ax, r["load"]["latencies_ms"], r["client"])
            name = f"{env}_cdf_{key}_{str(level).replace(' ', '_')}.png"
            _finish(fig, ax, f"{title} {level}", os.path.join(out_dir, name))
            files.append(name)
    return files


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1])))
