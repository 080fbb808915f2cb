"""A small LRU cache of query vectors in front of an embedder.

The answer path encodes a question, and comparisons and follow-ups encode the same
(normalised) text again; each text is encoded once while it stays among the `maxsize`
most recently used. Passages pass straight through. The vector cached for a text is the
vector of its normalised form, so a hit returns exactly what a miss computes.
"""

from __future__ import annotations

import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Sequence

import numpy as np

from index.embedder import Embedder, Kind, as_text_list


def query_key(text: str) -> str:
    """NFKC, whitespace runs as one space, no surrounding space. The tokenizer normalises
    the same way (the same token ids for every evaluation question), except that
    surrounding spaces would add a token."""
    return " ".join(unicodedata.normalize("NFKC", text).split())


class CachedQueryEmbedder(Embedder):
    def __init__(self, inner: Embedder, maxsize: int = 256) -> None:
        if maxsize < 1:
            raise ValueError("maxsize must be at least 1")
        self.inner = inner
        self.model_id, self.dim = inner.model_id, inner.dim
        self.backend, self.precision = inner.backend, inner.precision
        self.maxsize = maxsize
        self.hits = self.misses = 0
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def encode(self, texts: Sequence[str], *, kind: Kind) -> np.ndarray:
        if kind != "query":
            return self.inner.encode(texts, kind=kind)
        keys = [query_key(text) for text in as_text_list(texts)]
        found = self._lookup(keys)
        missing = [key for key in dict.fromkeys(keys) if key not in found]
        if missing:
            vectors = self.inner.encode(missing, kind="query")
            found.update(zip(missing, vectors, strict=True))
            self._store(missing, vectors)
        if not keys:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([found[key] for key in keys])

    def _lookup(self, keys: list[str]) -> dict[str, np.ndarray]:
        found = {}
        with self._lock:
            for key in keys:
                vector = self._vectors.get(key)
                if vector is None:
                    self.misses += 1
                    continue
                self.hits += 1
                self._vectors.move_to_end(key)
                found[key] = vector
        return found

    def _store(self, keys: list[str], vectors: np.ndarray) -> None:
        with self._lock:
            for key, vector in zip(keys, vectors, strict=True):
                row = vector.copy()
                row.flags.writeable = False
                self._vectors[key] = row
                self._vectors.move_to_end(key)
            while len(self._vectors) > self.maxsize:
                self._vectors.popitem(last=False)


def with_query_cache(embedder: Embedder, maxsize: int) -> Embedder:
    """`embedder` behind a query cache of `maxsize` entries; unchanged when `maxsize` is 0."""
    return CachedQueryEmbedder(embedder, maxsize) if maxsize > 0 else embedder
