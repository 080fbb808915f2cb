"""Dense vectors in FAISS (inner product on L2-normalised vectors = cosine)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import faiss
import numpy as np

from index.errors import IndexCorruptError

DenseKind = Literal["flat", "hnsw"]


def choose_kind(setting: str, n_vectors: int, threshold: int) -> DenseKind:
    if setting == "flat":
        return "flat"
    if setting == "hnsw":
        return "hnsw"
    return "hnsw" if n_vectors >= threshold else "flat"


class DenseStore:
    def __init__(self, vectors: np.ndarray, index: faiss.Index, kind: DenseKind) -> None:
        self.vectors = vectors
        self.index = index
        self.kind = kind

    @classmethod
    def build(cls, vectors: np.ndarray, kind: DenseKind) -> DenseStore:
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        dim = vectors.shape[1]
        index: faiss.Index
        if kind == "hnsw":
            index = faiss.IndexHNSWFlat(dim, 32, faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = 80
            index.hnsw.efSearch = 64
        else:
            index = faiss.IndexFlatIP(dim)
        index.add(vectors)
        return cls(vectors, index, kind)

    def search(self, query: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Top-k rows and cosine scores for one query vector."""
        k = min(k, self.index.ntotal)
        if k <= 0:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float32)
        scores, rows = self.index.search(query.reshape(1, -1).astype(np.float32), k)
        keep = rows[0] >= 0
        return rows[0][keep], scores[0][keep]

    def scores_for(self, query: np.ndarray, rows: np.ndarray) -> np.ndarray:
        return self.vectors[rows] @ query.astype(np.float32)

    def save(self, directory: Path) -> list[str]:
        np.save(directory / "vectors.npy", self.vectors)
        faiss.write_index(self.index, str(directory / "dense.faiss"))
        return ["vectors.npy", "dense.faiss"]

    @classmethod
    def load(cls, directory: Path, kind: DenseKind, count: int, dim: int) -> DenseStore:
        try:
            vectors = np.load(directory / "vectors.npy")
            index = faiss.read_index(str(directory / "dense.faiss"))
        except (OSError, ValueError, RuntimeError) as exc:
            raise IndexCorruptError(
                f"dense index in {directory} is unreadable ({type(exc).__name__}); "
                "rebuild with `reportqa index build`"
            ) from None
        if vectors.shape != (count, dim) or index.ntotal != count:
            raise IndexCorruptError(
                f"dense index in {directory} holds {index.ntotal} vectors of shape "
                f"{vectors.shape}, manifest says {count}x{dim}; rebuild with `reportqa index build`"
            )
        return cls(vectors, index, kind)


class SentenceVectors:
    """One vector per sentence; the sentences of chunk row r are rows offsets[r]:offsets[r+1]."""

    def __init__(self, vectors: np.ndarray, offsets: np.ndarray) -> None:
        self.vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        self.offsets = offsets.astype(np.int64)
        self.rows = np.repeat(np.arange(len(offsets) - 1), np.diff(offsets))

    def max_per_row(
        self, query: np.ndarray, n_rows: int, rows: np.ndarray | None = None
    ) -> np.ndarray:
        """The best sentence cosine of every chunk row (-1 for a row without sentences);
        with `rows`, of those rows only (the others stay -1), scoring only their sentences."""
        best = np.full(n_rows, -1.0, dtype=np.float32)
        if not len(self.vectors):
            return best
        owners, vectors = self.rows, self.vectors
        if rows is not None:
            take = np.isin(owners, rows)
            owners, vectors = owners[take], vectors[take]
        np.maximum.at(best, owners, vectors @ query.astype(np.float32))
        return best

    def of_row(self, query: np.ndarray, row: int) -> np.ndarray:
        lo, hi = int(self.offsets[row]), int(self.offsets[row + 1])
        return self.vectors[lo:hi] @ query.astype(np.float32)

    def save(self, directory: Path) -> list[str]:
        np.save(directory / "sentence_vectors.npy", self.vectors)
        np.save(directory / "sentence_offsets.npy", self.offsets)
        return ["sentence_vectors.npy", "sentence_offsets.npy"]

    @classmethod
    def load(cls, directory: Path, n_rows: int, dim: int) -> SentenceVectors:
        try:
            vectors = np.load(directory / "sentence_vectors.npy")
            offsets = np.load(directory / "sentence_offsets.npy")
        except (OSError, ValueError) as exc:
            raise IndexCorruptError(
                f"sentence vectors in {directory} are unreadable ({type(exc).__name__}); "
                "rebuild with `reportqa index build`"
            ) from None
        if len(offsets) != n_rows + 1 or vectors.shape != (int(offsets[-1]), dim):
            raise IndexCorruptError(
                f"sentence vectors in {directory} do not match the chunks; "
                "rebuild with `reportqa index build`"
            )
        return cls(vectors, offsets)
