"""A small DLRM (embedding bags + MLPs, random weights) and its feature builder.

Env C's model: each request scores 200 candidates from the features of nine
sets. Per candidate, the dense input is two float bins of every set plus the
user (set_1 `emb`, float32 blob) and item (set_9 `emb`, float list)
embeddings; the sparse input is one categorical bin of every set, looked up in
nine embedding bags. The bottom MLP's output and the nine bag outputs interact
by pairwise dot products, and a top MLP turns that into a click probability.

PyTorch (CPU) runs it when installed; otherwise the same network in NumPy, so
the serving pipeline still runs in a test environment (the report says which).
Weights are random with a fixed seed: the benchmark measures serving, not
model quality.
"""

from __future__ import annotations

import struct
from typing import Any, Mapping, Sequence

from . import dataset

EMB_DIM = 16
TABLE_SIZE = 1000
USER_EMB = 32
ITEM_EMB = 32
N_SETS = len(dataset.SET_NAMES)
DENSE_DIM = 2 * N_SETS + USER_EMB + ITEM_EMB
BOTTOM = (DENSE_DIM, 128, 64, EMB_DIM)
N_VECTORS = N_SETS + 1
N_PAIRS = N_VECTORS * (N_VECTORS - 1) // 2
TOP = (N_PAIRS + EMB_DIM, 64, 32, 1)

_DENSE = {s: dataset.dense_bins(s) for s in dataset.SET_NAMES}
_SPARSE = {s: dataset.sparse_bin(s) for s in dataset.SET_NAMES}
_ZERO_USER = [0.0] * USER_EMB
_ZERO_ITEM = [0.0] * ITEM_EMB
_BLOB_FMT = f"<{USER_EMB}f"


def build_features(rows: Mapping[str, Sequence[Mapping[str, Any] | None]],
                   n: int) -> tuple[list[list[float]], list[list[int]]]:
    """Per-set record lists (None = missing) -> dense rows and per-set ids.

    `rows[set][j]` is candidate j's record of that set. Missing records
    contribute zeros and id 0 (the padding row).
    """
    dense: list[list[float]] = [[] for _ in range(n)]
    sparse: list[list[int]] = []
    for set_name in dataset.SET_NAMES:
        recs = rows[set_name]
        f1, f2 = _DENSE[set_name]
        cat = _SPARSE[set_name]
        ids: list[int] = []
        for j in range(n):
            r = recs[j]
            if r is None:
                dense[j] += (0.0, 0.0)
                ids.append(0)
            else:
                dense[j] += (float(r.get(f1, 0.0)), float(r.get(f2, 0.0)) / 100.0)
                ids.append(1 + int(r.get(cat, 0)) % (TABLE_SIZE - 1))
        sparse.append(ids)
    users = rows["set_1"]
    items = rows["set_9"]
    for j in range(n):
        u = users[j]
        blob = u.get("emb") if u is not None else None
        dense[j] += struct.unpack(_BLOB_FMT, blob) if isinstance(blob, (bytes, bytearray)) \
            and len(blob) == 4 * USER_EMB else _ZERO_USER
        it = items[j]
        vec = it.get("emb") if it is not None else None
        dense[j] += vec if isinstance(vec, list) and len(vec) == ITEM_EMB else _ZERO_ITEM
    return dense, sparse


class TorchDLRM:
    """The model in PyTorch (CPU)."""

    backend = "torch"

    def __init__(self, threads: int = 1) -> None:
        import torch  # type: ignore[import-not-found,unused-ignore]
        from torch import nn  # type: ignore[import-not-found,unused-ignore]

        self.torch = torch
        torch.manual_seed(0)
        torch.set_num_threads(threads)

        def mlp(dims: Sequence[int], last_sigmoid: bool) -> nn.Sequential:
            layers: list[nn.Module] = []
            for i in range(len(dims) - 1):
                layers.append(nn.Linear(dims[i], dims[i + 1]))
                if i < len(dims) - 2:
                    layers.append(nn.ReLU())
            layers.append(nn.Sigmoid() if last_sigmoid else nn.ReLU())
            return nn.Sequential(*layers)

        self.bottom = mlp(BOTTOM, False).eval()
        self.top = mlp(TOP, True).eval()
        self.bags = nn.ModuleList(
            nn.EmbeddingBag(TABLE_SIZE, EMB_DIM, mode="sum") for _ in range(N_SETS)).eval()
        iu = torch.triu_indices(N_VECTORS, N_VECTORS, offset=1)
        self.iu0, self.iu1 = iu[0], iu[1]
        self.version = str(torch.__version__)

    def predict(self, dense: list[list[float]], sparse: list[list[int]]) -> list[float]:
        torch = self.torch
        n = len(dense)
        with torch.inference_mode():
            x = self.bottom(torch.tensor(dense, dtype=torch.float32))
            offsets = torch.arange(n, dtype=torch.int64)
            vecs = [x] + [bag(torch.tensor(ids, dtype=torch.int64), offsets)
                          for bag, ids in zip(self.bags, sparse)]
            t = torch.stack(vecs, dim=1)                      # n x 10 x 16
            z = torch.bmm(t, t.transpose(1, 2))[:, self.iu0, self.iu1]  # n x 45
            out = self.top(torch.cat([x, z], dim=1))
            return out.squeeze(1).tolist()  # type: ignore[no-any-return]


class NumpyDLRM:
    """The same network in NumPy, used when PyTorch is not installed."""

    backend = "numpy"

    def __init__(self, threads: int = 1) -> None:
        import numpy as np

        self.np = np
        rng = np.random.default_rng(0)

        def mlp(dims: Sequence[int]) -> list[tuple[Any, Any]]:
            return [((rng.standard_normal((dims[i], dims[i + 1])) / np.sqrt(dims[i]))
                     .astype(np.float32), np.zeros(dims[i + 1], np.float32))
                    for i in range(len(dims) - 1)]

        self.bottom = mlp(BOTTOM)
        self.top = mlp(TOP)
        self.tables = [rng.standard_normal((TABLE_SIZE, EMB_DIM)).astype(np.float32)
                       for _ in range(N_SETS)]
        self.iu = np.triu_indices(N_VECTORS, k=1)
        self.version = str(np.__version__)

    def _mlp(self, x: Any, layers: list[tuple[Any, Any]], sigmoid: bool) -> Any:
        np = self.np
        for i, (w, b) in enumerate(layers):
            x = x @ w + b
            if i < len(layers) - 1 or not sigmoid:
                x = np.maximum(x, 0.0)
        return 1.0 / (1.0 + np.exp(-x)) if sigmoid else x

    def predict(self, dense: list[list[float]], sparse: list[list[int]]) -> list[float]:
        np = self.np
        x = self._mlp(np.asarray(dense, dtype=np.float32), self.bottom, False)
        vecs = [x] + [t[np.asarray(ids)] for t, ids in zip(self.tables, sparse)]
        t = np.stack(vecs, axis=1)
        z = np.einsum("nid,njd->nij", t, t)[:, self.iu[0], self.iu[1]]
        out = self._mlp(np.concatenate([x, z], axis=1), self.top, True)
        return out[:, 0].tolist()  # type: ignore[no-any-return]


def make_model(threads: int = 1) -> TorchDLRM | NumpyDLRM:
    """PyTorch if importable, else NumPy."""
    try:
        import torch  # type: ignore[import-not-found,unused-ignore]  # noqa: F401
    except ImportError:
        return NumpyDLRM(threads)
    return TorchDLRM(threads)
