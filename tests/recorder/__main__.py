"""Command line of the recorder (run from the repository root)::

    python -m tests.recorder list
    python -m tests.recorder record --hosts 127.0.0.1:3000 [--family NAME ...]
    python -m tests.recorder replay [--family NAME ...] [--hosts HOST:PORT]

``record`` needs a real Aerospike (it refuses the embedded server) and
rewrites ``tests/golden/recorded/<family>.jsonl``. ``replay`` compares the
recordings with a fresh embedded server per family (or, with ``--hosts``, a
real server: its family sets are emptied first, as for recording).
"""

from __future__ import annotations

import argparse
import sys
import time

from .catalogue import load_families, recorded_family_names
from .record import NotARealServer, clean_sets, record_family, server_identity
from .recording import Recording
from .replay import embedded_like_real, replay_recording


def _hosts(text: str) -> tuple[str, int]:
    host, _, port = text.split(",")[0].rpartition(":")
    return host or "127.0.0.1", int(port)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.recorder")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="families, their cases and recorded exchanges")
    rec = sub.add_parser("record", help="record families from a real server")
    rec.add_argument("--hosts", required=True, help="host:port of a real Aerospike")
    rec.add_argument("--family", action="append", help="family name (default: all)")
    rep = sub.add_parser("replay", help="replay recordings and compare")
    rep.add_argument("--hosts", help="replay against this server instead of an embedded one")
    rep.add_argument("--family", action="append", help="family name (default: all recorded)")
    rep.add_argument("--verbose", "-v", action="store_true")
    args = parser.parse_args(argv)

    if args.command == "list":
        recorded = set(recorded_family_names())
        for fam in load_families():
            cases = fam.cases()
            steps = sum(len(c.steps) for c in cases)
            state = "recorded" if fam.name in recorded else "NOT RECORDED"
            print(f"{fam.name:24} {len(cases):4} cases {steps:5} steps  {state}")
        return 0

    if args.command == "record":
        host, port = _hosts(args.hosts)
        try:
            server = server_identity(host, port)
        except NotARealServer as e:
            print(f"record: {e}", file=sys.stderr)
            return 2
        for fam in load_families(args.family):
            t0 = time.monotonic()
            recording = record_family(fam, host, port, server)
            recording.write(fam.recording)
            print(f"{fam.name}: {len(recording.exchanges)} exchanges from {server} "
                  f"in {time.monotonic() - t0:.1f}s -> {fam.recording}")
        return 0

    names = args.family or recorded_family_names()
    families = {f.name: f for f in load_families([n for n in names if n in
                                                   {*recorded_family_names()}])}
    bad = 0
    total = 0
    for name in names:
        fam = families.get(name)
        if fam is None:
            print(f"{name}: no recording")
            bad += 1
            continue
        recording = Recording.read(fam.recording)
        t0 = time.monotonic()
        if args.hosts:
            host, port = _hosts(args.hosts)
            clean_sets(host, port, fam.sets)
            result = replay_recording(recording, host, port, fam)
        else:
            with embedded_like_real() as (host, port):
                result = replay_recording(recording, host, port, fam)
        total += result.exchanges
        print(result.report(limit=1000 if args.verbose else 20) +
              f"  ({time.monotonic() - t0:.2f}s)")
        bad += bool(result.failures or result.pending_now_equal)
    print(f"{total} exchanges replayed")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
