"""Vectors of an earlier index, reused for identical texts (only new text gets embedded).

An index directory keeps every passage's and sentence's vector in row order. When the corpus
changes (a report added or removed) or the index format does, the texts that did not change
have the same vectors under the same model: `previous_vectors` reads them back, keyed by the
text itself, from whatever complete index is at `index_dir`, and never fails — an unreadable or
different-model index just gives nothing to reuse.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from index.embedder import Embedder, Kind
from index.errors import IndexMismatchError, LibraryError
from index.manifest import Manifest
from ingest.chunks_io import read_chunks_jsonl
from ingest.errors import IngestError

logger = logging.getLogger(__name__)

TextVectors = dict[str, np.ndarray]


def previous_vectors(
    index_dir: Path,
    embedder: Embedder,
    passage_text: object,
    sentence_texts: object,
) -> TextVectors:
    """text -> vector for every passage and sentence of the index at `index_dir` built by the
    same model, backend and precision ({} when there is none, it is unreadable, or another
    embedder built it)."""
    directory = index_dir.resolve() if index_dir.exists() else index_dir
    try:
        manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
        built = (
            manifest.get("model"),
            manifest.get("embed_backend", "torch"),
            manifest.get("embed_precision", "fp32"),
        )
        if built != (embedder.model_id, embedder.backend, embedder.precision):
            return {}
        chunks = read_chunks_jsonl(directory / "chunks.jsonl")
        vectors = np.load(directory / "vectors.npy")
        sentence_vectors = np.load(directory / "sentence_vectors.npy")
        offsets = np.load(directory / "sentence_offsets.npy")
    except (OSError, ValueError, KeyError, IngestError) as exc:
        logger.debug("no vectors to reuse from %s (%s)", index_dir, exc)
        return {}
    if len(vectors) != len(chunks) or len(offsets) != len(chunks) + 1:
        return {}
    out: TextVectors = {}
    for row, chunk in enumerate(chunks):
        out[passage_text(chunk)] = vectors[row]  # type: ignore[operator]
        texts: Sequence[str] = sentence_texts(chunk)  # type: ignore[operator]
        lo, hi = int(offsets[row]), int(offsets[row + 1])
        if hi - lo == len(texts):
            out.update(zip(texts, sentence_vectors[lo:hi], strict=True))
    return out


class StoredVectorsOnly(Embedder):
    """The identity of the embedder that built an index, without a model: a build with it
    takes every vector from the index (or the vector cache) and embeds nothing."""

    def __init__(self, manifest: Manifest) -> None:
        self.model_id, self.dim = manifest.model, manifest.dim
        self.backend, self.precision = manifest.embed_backend, manifest.embed_precision

    def encode(self, texts: Sequence[str], *, kind: Kind) -> np.ndarray:
        if len(texts):
            raise LibraryError(
                f"索引缺少 {len(texts)} 段文字的向量，无法在不重新向量化的情况下更新；"
                "请运行 `reportqa index build`"
            )
        return np.zeros((0, self.dim), dtype=np.float32)


def check_embedder(manifest: Manifest, embedder: Embedder) -> None:
    built = (manifest.model, manifest.embed_backend, manifest.embed_precision)
    configured = (embedder.model_id, embedder.backend, embedder.precision)
    if built != configured or manifest.dim != embedder.dim:
        raise IndexMismatchError(
            "索引由 {} ({}/{}) 构建，当前配置的是 {} ({}/{})；".format(*built, *configured)
            + "请先运行 `reportqa index build`"
        )
