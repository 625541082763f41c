"""The benchmark's data: nine sets of feature records and the keys requests draw.

Shared by the orchestrator (which plans scenarios) and by the workers that run
inside each client's virtualenv (which load records and build request keys), so
it imports nothing beyond the standard library. The native floor client
(benchmark/native_client) re-implements `draw_indices` and `user_key`
bit for bit, so every client reads exactly the same keys in the same order.

The sets mimic a recommender's feature store: user, ad, ad group, campaign,
advertiser, creative, publisher and item/context features. `set_8` is never
loaded (0% found, as in the seed benchmark); `set_9` is requested over a key
space 25% larger than what was loaded (80% found), so one set exercises
partial batches.
"""

from __future__ import annotations

import random
import struct
from dataclasses import dataclass
from typing import Any

MASK64 = (1 << 64) - 1

# Kinds of bin values; "name:arg" carries a size or a cardinality.
#   id        int in [0, 1e9)            cat:K    int in [0, K) (categorical)
#   cnt       int in [0, 1e6)            ts       int, a Unix time
#   f01       float in [0, 1)            fpos     float in [0, 100)
#   str:a|b   one of the listed words    name     a word of 6-20 letters
#   blob:D    D float32 values as bytes  flist:D  D floats as a list
#   ilist     3-8 small ints as a list
SCHEMAS: dict[str, list[tuple[str, str]]] = {
    "set_1": [  # user
        ("uid", "id"), ("age", "cat:100"), ("gender", "str:f|m|u"),
        ("country", "str:kr|us|jp|de|fr|br|in|gb"), ("segment", "cat:1000"),
        ("ctr_7d", "f01"), ("ctr_30d", "f01"), ("sessions", "cnt"), ("spend", "fpos"),
        ("last_seen", "ts"), ("device", "str:ios|android|web"), ("premium", "cat:2"),
        ("interests", "ilist"), ("emb", "blob:32"),
    ],
    "set_2": [  # ad
        ("ad_id", "id"), ("adgroup_id", "id"), ("campaign_id", "id"),
        ("format", "cat:50"), ("creative", "str:image|video|carousel|text"),
        ("bid", "fpos"), ("ctr", "f01"), ("cvr", "f01"), ("imps", "cnt"),
        ("clicks", "cnt"), ("landing", "name"), ("status", "str:active|paused"),
        ("emb", "blob:16"),
    ],
    "set_3": [  # ad group
        ("adgroup_id", "id"), ("campaign_id", "id"), ("targeting", "cat:500"),
        ("budget", "fpos"), ("pacing", "f01"), ("ctr", "f01"), ("cvr", "f01"),
        ("imps", "cnt"), ("clicks", "cnt"), ("spend", "fpos"), ("name", "name"),
        ("bid_strategy", "str:cpc|cpm|cpa"),
    ],
    "set_4": [  # campaign
        ("campaign_id", "id"), ("advertiser_id", "id"), ("objective", "cat:20"),
        ("budget", "fpos"), ("spent_ratio", "f01"), ("ctr", "f01"), ("cvr", "f01"),
        ("start", "ts"), ("end", "ts"), ("name", "name"), ("vertical", "str:retail|games|finance|travel|auto"),
    ],
    "set_5": [  # advertiser
        ("advertiser_id", "id"), ("industry", "cat:300"), ("quality", "f01"),
        ("trust", "f01"), ("ltv", "fpos"), ("accounts", "cnt"), ("created", "ts"),
        ("name", "name"), ("tier", "str:gold|silver|bronze"), ("country", "str:kr|us|jp|de"),
    ],
    "set_6": [  # creative
        ("creative_id", "id"), ("template", "cat:200"), ("width", "cat:2000"),
        ("height", "cat:2000"), ("aesthetic", "f01"), ("ctr", "f01"), ("imps", "cnt"),
        ("title", "name"), ("lang", "str:ko|en|ja|de"), ("tags", "ilist"),
        ("emb", "flist:16"),
    ],
    "set_7": [  # publisher
        ("pub_id", "id"), ("category", "cat:400"), ("fill_rate", "f01"),
        ("viewability", "f01"), ("floor", "fpos"), ("imps", "cnt"), ("domain", "name"),
        ("platform", "str:app|web|ctv"), ("blocked", "ilist"), ("updated", "ts"),
    ],
    "set_8": [  # real-time counters: never loaded (0% found)
        ("rt_key", "id"), ("bucket", "cat:100"), ("rt_ctr", "f01"), ("rt_rate", "fpos"),
        ("rt_imps", "cnt"), ("rt_clicks", "cnt"), ("rt_ts", "ts"), ("rt_src", "name"),
        ("rt_kind", "str:a|b"), ("rt_list", "ilist"),
    ],
    "set_9": [  # item / context
        ("item_id", "id"), ("category", "cat:1000"), ("price", "fpos"),
        ("popularity", "f01"), ("freshness", "f01"), ("stock", "cnt"), ("title", "name"),
        ("brand", "str:acme|globex|initech|umbrella|hooli"), ("attrs", "ilist"),
        ("updated", "ts"), ("emb", "flist:32"), ("emb_q", "blob:32"),
    ],
}

SET_NAMES: list[str] = [f"set_{i}" for i in range(1, 10)]
EMPTY_SETS = frozenset({"set_8"})
# Request key space as a multiple of the loaded count (found rate = 1/x).
KEY_SPACE_FACTOR: dict[str, float] = {"set_9": 1.25}

_WORDS = "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor".split()


@dataclass(frozen=True)
class SetPlan:
    """How many records one set holds and how many keys requests draw from."""

    name: str
    loaded: int
    key_space: int


def plan(records_per_set: int) -> list[SetPlan]:
    """The nine sets for a run that loads `records_per_set` records per set."""
    out: list[SetPlan] = []
    for name in SET_NAMES:
        loaded = 0 if name in EMPTY_SETS else records_per_set
        space = int(records_per_set * KEY_SPACE_FACTOR.get(name, 1.0))
        out.append(SetPlan(name, loaded, max(space, 1)))
    return out


def set_index(set_name: str) -> int:
    """`set_3` -> 3."""
    return int(set_name.rsplit("_", 1)[1])


def user_key(set_name: str, index: int) -> str:
    """The user key of record `index` of a set: unique across sets, so
    a mixed-set batch can be keyed by user key alone (aerospike-py's dict)."""
    return f"s{set_index(set_name)}_{index:08d}"


def set_of_user_key(key: str) -> str:
    """Inverse of `user_key` for the set part: `s3_00000042` -> `set_3`."""
    return "set_" + key[1:key.index("_")]


def _value(kind: str, rng: random.Random) -> Any:
    base, _, arg = kind.partition(":")
    if base == "id":
        return rng.randrange(1_000_000_000)
    if base == "cat":
        return rng.randrange(int(arg))
    if base == "cnt":
        return rng.randrange(1_000_000)
    if base == "ts":
        return 1_700_000_000 + rng.randrange(30_000_000)
    if base == "f01":
        return rng.random()
    if base == "fpos":
        return rng.random() * 100.0
    if base == "str":
        return rng.choice(arg.split("|"))
    if base == "name":
        return "-".join(rng.choice(_WORDS) for _ in range(rng.randrange(1, 4)))
    if base == "blob":
        dim = int(arg)
        return struct.pack(f"<{dim}f", *(rng.gauss(0.0, 1.0) for _ in range(dim)))
    if base == "flist":
        return [round(rng.gauss(0.0, 1.0), 6) for _ in range(int(arg))]
    if base == "ilist":
        return [rng.randrange(10_000) for _ in range(rng.randrange(3, 9))]
    raise ValueError(f"unknown bin kind {kind!r}")


def record(set_name: str, index: int) -> dict[str, Any]:
    """The bins of record `index` of a set: deterministic, 10-14 bins."""
    rng = random.Random(set_index(set_name) * 1_000_000_007 + index)
    return {name: _value(kind, rng) for name, kind in SCHEMAS[set_name]}


# The longest value a `name` bin can hold: three of _WORDS joined by "-".
NAME_BYTES = 3 * max(len(w) for w in _WORDS) + 2
# An `ilist` holds 3-8 ints; its NumPy field is a sub-array of the maximum.
ILIST_MAX = 8


def numpy_fields(set_name: str, lists: bool = True) -> list[tuple[Any, ...]]:
    """A NumPy structured dtype (as a list of fields) that holds every bin of
    a set's records: ints as i8, floats as f8, words as fixed bytes, blobs of
    float32 as f4 sub-arrays. List bins (`ilist`, `flist`) become numeric
    sub-arrays when `lists` is true; otherwise they are left out (aerospike-py
    cannot fill a field from a list), and the record's other bins still fill.
    Kept as a list so that this module imports only the standard library."""
    fields: list[tuple[Any, ...]] = []
    for name, kind in SCHEMAS[set_name]:
        base, _, arg = kind.partition(":")
        if base in ("id", "cat", "cnt", "ts"):
            fields.append((name, "i8"))
        elif base in ("f01", "fpos"):
            fields.append((name, "f8"))
        elif base == "str":
            fields.append((name, f"S{max(len(w) for w in arg.split('|'))}"))
        elif base == "name":
            fields.append((name, f"S{NAME_BYTES}"))
        elif base == "blob":
            fields.append((name, "f4", (int(arg),)))
        elif base == "flist" and lists:
            fields.append((name, "f8", (int(arg),)))
        elif base == "ilist" and lists:
            fields.append((name, "i8", (ILIST_MAX,)))
    return fields


def dense_bins(set_name: str) -> list[str]:
    """The two float bins a set contributes to the model's dense input."""
    return [n for n, k in SCHEMAS[set_name] if k in ("f01", "fpos")][:2]


def sparse_bin(set_name: str) -> str:
    """The categorical bin a set contributes to the model's embedding bags."""
    return next(n for n, k in SCHEMAS[set_name] if k.startswith("cat:"))


# --- request keys: splitmix64, mirrored in benchmark/native_client --------


def splitmix64(state: int) -> tuple[int, int]:
    """One step of splitmix64: (next state, output)."""
    state = (state + 0x9E3779B97F4A7C15) & MASK64
    z = state
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
    return state, z ^ (z >> 31)


def stream_seed(seed: int, stream: int) -> int:
    """The initial state of stream `stream` (one per concurrent worker)."""
    return ((seed & 0xFFFFFFFF) << 32 | (stream & 0xFFFFFFFF)) & MASK64


def draw_indices(seed: int, stream: int, calls: int, batch: int, key_space: int) -> list[list[int]]:
    """`calls` batches of `batch` distinct indices in [0, key_space)."""
    if batch > key_space:
        raise ValueError(f"batch {batch} exceeds key space {key_space}")
    state = stream_seed(seed, stream)
    out: list[list[int]] = []
    for _ in range(calls):
        seen: set[int] = set()
        row: list[int] = []
        while len(row) < batch:
            state, z = splitmix64(state)
            idx = z % key_space
            if idx not in seen:
                seen.add(idx)
                row.append(idx)
        out.append(row)
    return out


def scenario_seed(*parts: object) -> int:
    """A stable 32-bit seed from scenario labels (not Python's salted hash)."""
    h = 0xCBF29CE484222325
    for ch in "/".join(str(p) for p in parts).encode():
        h = ((h ^ ch) * 0x100000001B3) & MASK64
    return h & 0xFFFFFFFF
