"""A cache of text vectors on disk, per model: a text embedded once is never embedded again.

Builds of any corpus (the bundled report, the library, a report added later) share it, so a
text whose vector is known is looked up, not encoded. Keyed by the model's identity and the
text's hash; written atomically (a temporary file renamed), so a crash leaves the old cache.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

logger = logging.getLogger(__name__)


def text_key(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


class VectorCache:
    def __init__(self, directory: Path | None, model_key: str) -> None:
        slug = re.sub(r"[^A-Za-z0-9._-]+", "_", model_key)
        self.path = None if directory is None else directory / "vectors" / f"{slug}.npz"
        self._keys: dict[str, int] = {}
        self._vectors = np.zeros((0, 0), dtype=np.float32)
        self._load()

    def __len__(self) -> int:
        return len(self._keys)

    def _load(self) -> None:
        if self.path is None or not self.path.is_file():
            return
        try:
            with np.load(self.path) as data:
                keys, vectors = list(data["keys"]), data["vectors"]
        except (OSError, ValueError, KeyError) as exc:
            logger.warning("vector cache %s is unreadable (%s); starting a new one", self.path, exc)
            return
        if len(keys) == len(vectors):
            self._keys = {str(k): i for i, k in enumerate(keys)}
            self._vectors = vectors.astype(np.float32)

    def get(self, texts: Sequence[str]) -> dict[str, np.ndarray]:
        """The known vectors of `texts`."""
        out = {}
        for text in texts:
            row = self._keys.get(text_key(text))
            if row is not None:
                out[text] = self._vectors[row]
        return out

    def put(self, texts: Sequence[str], vectors: np.ndarray) -> None:
        """Add vectors and save the cache (no-op without a directory or new texts)."""
        fresh: dict[str, np.ndarray] = {}
        for text, vector in zip(texts, vectors, strict=True):
            key = text_key(text)
            if key not in self._keys:
                fresh.setdefault(key, vector)
        new = list(fresh.items())
        if self.path is None or not new:
            return
        start = len(self._keys)
        stacked = np.vstack([v for _, v in new]).astype(np.float32)
        self._vectors = stacked if not len(self._vectors) else np.vstack([self._vectors, stacked])
        self._keys.update({k: start + i for i, (k, _) in enumerate(new)})
        self._save()

    def _save(self) -> None:
        assert self.path is not None
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle, tmp = tempfile.mkstemp(prefix=".vectors.", suffix=".npz", dir=self.path.parent)
        try:
            with os.fdopen(handle, "wb") as stream:
                keys = np.array(sorted(self._keys, key=self._keys.__getitem__))
                np.savez(stream, keys=keys, vectors=self._vectors)
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
