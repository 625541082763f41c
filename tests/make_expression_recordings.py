"""Writes the expressions the recorder's ``expressions`` family sends
(tests/recorder/families/expressions.json): seeded random trees of
tests/expression_gen.py over every builder and type, and the hand-written
cases of tests/expression_cases.py, each as wire bytes.

    AEROSPIKE_HOSTS=127.0.0.1:3300 .venv/bin/python tests/make_expression_recordings.py

Every expression is built with aerospike_py.exp and also compiled by the
official client (connected to AEROSPIKE_HOSTS); the two must give the same
bytes, so the recorded requests are the official client's requests. The
family module reads the file and never imports the client under test.
"""

from __future__ import annotations

import base64
import json
import os
import pathlib
import random
import sys
from typing import Any

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

OUT = pathlib.Path(os.environ.get("EXP_RECORDINGS_OUT",
                                  HERE / "recorder" / "families" / "expressions.json"))
N_TREES = 1200
SEED = 2026

# Builders whose values depend on the clock: their answers cannot be
# replayed later (they are covered by the integration tests instead).
TIME_DEPENDENT = ("last_update", "since_update", "void_time", "exp.ttl(", "LastUpdateTime",
                  "SinceUpdateTime", "VoidTime", "TTL()")


def main() -> None:
    import aerospike
    from aerospike_helpers import cdt_ctx as ctx
    from aerospike_helpers import expressions as e

    from aerospike_py import constants, exp
    from expression_cases import CASES, exp_ctx
    from expression_gen import generate

    host, port = os.environ["AEROSPIKE_HOSTS"].split(",")[0].rsplit(":", 1)
    official = aerospike.client({"hosts": [(host, int(port))]})

    def official_wire(source: str) -> bytes | None:
        try:
            built = eval(source, {"e": e, "aerospike": aerospike, "ctx": ctx})
            return base64.b64decode(official.get_expression_base64(built.compile()))
        except Exception:  # the official client cannot build it (see below)
            return None

    entries: list[dict[str, Any]] = []
    skipped = 0
    from aerospike_py.exception import ParamError

    for i, tree in enumerate(generate(random.Random(SEED), N_TREES)):
        try:
            built = eval(tree.ours, {"exp": exp, "c": constants})
        except ParamError:  # malformed (a too-long bin name): refused before sending
            skipped += 1
            continue
        wire = built.compile()
        theirs = official_wire(tree.official)
        if theirs is None:
            skipped += 1  # a literal in a position only we accept: not recorded
            continue
        if theirs != wire:
            raise SystemExit(f"tree {i}: our bytes differ from the official client's\n"
                             f"  {tree.ours}\n  {tree.official}")
        entries.append({"name": f"tree{i:04d}", "source": tree.ours, "wire": wire.hex()})
    for i, (ours, off) in enumerate(CASES):
        if any(t in ours for t in TIME_DEPENDENT) or len(ours) > 400:
            continue
        built = eval(ours, {"exp": exp, "c": constants, "exp_ctx": exp_ctx})
        entries.append({"name": f"case{i:04d}", "source": ours, "wire": built.compile().hex()})
    official.close()
    OUT.write_text(json.dumps({"seed": SEED, "expressions": entries}, indent=0) + "\n")
    print(f"{len(entries)} expressions ({skipped} trees the official client cannot build were "
          f"left out) -> {OUT}")


if __name__ == "__main__":
    main()
