"""The bundled model under ONNX Runtime: `tokenizers` + one inference session + mean pooling.

Neither torch nor transformers is imported. The session runs each call on one intra-op
thread (serving runs requests in parallel threads, and ONNX Runtime's `run` is safe to call
concurrently); a long list of passages is split into batches that run on `workers` threads.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from index.embedder import Embedder, Kind, Precision, as_text_list, l2_normalize
from index.onnx_export import (
    INPUTS,
    MODEL_FILE,
    OUTPUT,
    TOKENIZER_FILE,
    read_export_manifest,
)

logger = logging.getLogger(__name__)


class OnnxEmbedder(Embedder):
    """An exported encoder folder (see index/onnx_export.py) with explicit prefixes."""

    backend = "onnx"

    def __init__(
        self,
        folder: Path,
        *,
        model_id: str,
        precision: Precision,
        query_prefix: str = "query: ",
        passage_prefix: str = "passage: ",
        batch_size: int = 16,
        workers: int | None = None,
    ) -> None:
        from tokenizers import Tokenizer

        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        started = time.perf_counter()
        self.model_id = model_id
        self.precision = precision
        self.prefixes: dict[Kind, str] = {"query": query_prefix, "passage": passage_prefix}
        self.batch_size = batch_size
        self.workers = workers or min(os.cpu_count() or 1, 4)
        self.dim = int(read_export_manifest(folder)["dim"])
        self._tokenizer = Tokenizer.from_file(str(folder / TOKENIZER_FILE))
        self._session = _session(folder / MODEL_FILE)
        logger.info("Loaded %s in %.1f s", folder, time.perf_counter() - started)

    def encode(self, texts: Sequence[str], *, kind: Kind) -> np.ndarray:
        items = as_text_list(texts)
        if not items:
            return np.zeros((0, self.dim), dtype=np.float32)
        prefix = self.prefixes[kind]
        texts = [prefix + text for text in items]
        # longest first, as sentence-transformers does: batches of similar length pad less
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        batches = [order[i : i + self.batch_size] for i in range(0, len(order), self.batch_size)]
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for rows, vectors in zip(batches, self._run_batches(texts, batches), strict=True):
            out[rows] = vectors
        return out

    def _run_batches(self, texts: list[str], batches: list[list[int]]) -> list[np.ndarray]:
        def run(rows: list[int]) -> np.ndarray:
            return self._encode_batch([texts[i] for i in rows])

        if len(batches) == 1 or self.workers == 1:
            return [run(rows) for rows in batches]
        with ThreadPoolExecutor(self.workers, thread_name_prefix="onnx-encode") as pool:
            return list(pool.map(run, batches))

    def _encode_batch(self, texts: list[str]) -> np.ndarray:
        encodings = self._tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        (hidden,) = self._session.run([OUTPUT], dict(zip(INPUTS, (ids, mask), strict=True)))
        return mean_pool(hidden, mask)


def mean_pool(hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Mean of the token vectors where `mask` is 1 (sentence-transformers' mean pooling),
    L2-normalised."""
    weights = mask[..., None].astype(np.float32)
    summed = (hidden * weights).sum(axis=1)
    return l2_normalize(summed / np.maximum(weights.sum(axis=1), np.float32(1e-9)))


def _session(path: Path) -> Any:
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.log_severity_level = 3  # errors only
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
