"""Deterministic fake embedders for fast unit tests of storage, fusion and library logic only."""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Sequence
from typing import Literal

import numpy as np

from index.embedder import Embedder


class HashEmbedder(Embedder):
    """Bag of character bigrams hashed into `dim` buckets, L2-normalised."""

    def __init__(
        self,
        dim: int = 64,
        model_id: str = "fake-hash",
        backend: str = "custom",
        precision: str = "fp32",
    ) -> None:
        self.dim = dim
        self.model_id = model_id
        self.backend = backend
        self.precision = precision
        self.calls: list[tuple[str, list[str]]] = []  # (kind, texts) of every encode

    def encode(self, texts: Sequence[str], *, kind: Literal["query", "passage"]) -> np.ndarray:
        self.calls.append((kind, list(texts)))
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            for a, b in zip(text, text[1:], strict=False):
                h = int(hashlib.md5((a + b).encode()).hexdigest()[:8], 16)
                out[i, h % self.dim] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms == 0, 1, norms)


class SlowPassages(HashEmbedder):
    """Embeds passages `delay` seconds slower per call: an add stays in its embedding stage
    long enough to be watched (`embedding` is set once it is there)."""

    def __init__(self, delay: float = 1.0) -> None:
        super().__init__()
        self.delay = delay
        self.embedding = threading.Event()

    def encode(self, texts: Sequence[str], *, kind: Literal["query", "passage"]) -> np.ndarray:
        if kind == "passage" and texts:
            self.embedding.set()
            time.sleep(self.delay)
        return super().encode(texts, kind=kind)
