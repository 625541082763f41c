"""Differential check of expressions: the real server against the embedded
one, on seeded random trees (tests/expression_gen.py).

    AEROSPIKE_HOSTS=127.0.0.1:3300 .venv/bin/python tests/expression_diff.py [N] [SEED]

For each tree: our bytes must equal the official client's (compiled through
an official client connected to the real server); then the tree is
evaluated on the fixture record of both servers, as an exp_read and (for
booleans) as a filter on a get, and the answers (result code and value)
must be equal. Prints every difference and a summary; exits 1 on any.
"""

from __future__ import annotations

import base64
import os
import random
import sys
from typing import Any

sys.path.insert(0, os.path.dirname(__file__))

import aerospike  # noqa: E402
from aerospike_helpers import expressions as e  # noqa: E402

import aerospike_py  # noqa: E402
from aerospike_py import constants as c  # noqa: E402
from aerospike_py import exp  # noqa: E402
from aerospike_py.exception import AerospikeError  # noqa: E402
from aerospike_py.testing import EmbeddedServer  # noqa: E402
from expression_gen import RECORD_BINS_SOURCE, generate  # noqa: E402

SET = "exp_diff"
KEY = "fixture"


def answer(client: aerospike_py.Client, key: Any, built: exp.Expr, is_bool: bool) -> Any:
    out = []
    try:
        out.append(("read", client.operate(key, [exp.exp_read("r", built)]).bins.get("r")))
    except AerospikeError as err:
        out.append(("read", "error", err.code))
    if is_bool:
        try:
            client.get(key, policy={"filter_expression": built})
            out.append(("filter", "pass"))
        except AerospikeError as err:
            out.append(("filter", "error", err.code))
    return out


def main() -> int:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    host, port = os.environ["AEROSPIKE_HOSTS"].split(",")[0].rsplit(":", 1)
    official = aerospike.client({"hosts": [(host, int(port))]})
    real = aerospike_py.client({"hosts": [f"{host}:{port}"]}).connect()
    bins = eval(RECORD_BINS_SOURCE)
    failures = 0
    with EmbeddedServer() as server:
        emb = aerospike_py.client({"hosts": [f"{h}:{p}" for h, p in server.hosts]}).connect()
        key = ("test", SET, KEY)
        for client in (real, emb):
            client.put(key, bins, policy={"key": c.POLICY_KEY_SEND})
        trees = generate(random.Random(seed), n, calls=os.environ.get("EXP_DIFF_CALLS", "1") == "1")
        for i, t in enumerate(trees):
            ns: dict[str, Any] = {"exp": exp, "c": c}
            try:
                built = eval(t.ours, ns)
            except AerospikeError as err:
                print(f"[{i}] ours refused locally: {err}\n    {t.ours}")
                continue
            try:
                off = eval(t.official, {"e": e, "aerospike": aerospike})
                off_wire = base64.b64decode(official.get_expression_base64(off.compile()))
            except Exception as err:  # the official client cannot build it
                print(f"[{i}] official refused: {err}\n    {t.official}")
                continue
            if off_wire != built.compile():
                failures += 1
                print(f"[{i}] BYTES differ\n    ours {t.ours}\n    off  {t.official}")
                continue
            is_bool = t.ours.startswith(("exp.eq", "exp.ne", "exp.gt", "exp.ge", "exp.lt",
                                         "exp.le", "exp.and_", "exp.or_", "exp.not_",
                                         "exp.xor_", "exp.regex", "exp.in_list", "exp.bin_exists",
                                         "exp.key_exists", "exp.is_tombstone"))
            a = answer(real, key, built, is_bool)
            b = answer(emb, key, built, is_bool)
            if repr(a) != repr(b):
                failures += 1
                print(f"[{i}] DIFF real={a} embedded={b}\n    {t.ours}")
        emb.close()
    real.close()
    official.close()
    print(f"{n} expressions, {failures} differences")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
