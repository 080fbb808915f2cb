"""The bundled model under ONNX Runtime: `tokenizers` + one inference session + mean pooling.

Neither torch nor transformers is imported. Each text runs alone: int8's dynamic
quantisation scales activations per run, so a batch would make a text's vector depend on
its neighbours (cosine 0.997 measured), and without padding a single run costs no more per
text on this CPU. A run uses one intra-op thread; many texts (an index build) run on
`workers` threads, as concurrent requests do (ONNX Runtime's `run` is thread-safe).
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
        workers: int | None = None,
    ) -> None:
        from tokenizers import Tokenizer

        started = time.perf_counter()
        self.model_id = model_id
        self.precision = precision
        self.prefixes: dict[Kind, str] = {"query": query_prefix, "passage": passage_prefix}
        self.workers = workers or min(os.cpu_count() or 1, 4)
        self.dim = int(read_export_manifest(folder)["dim"])
        self._tokenizer = Tokenizer.from_file(str(folder / TOKENIZER_FILE))
        self._session = _session(folder / MODEL_FILE)
        logger.info("Loaded %s in %.1f s", folder, time.perf_counter() - started)

    def encode(self, texts: Sequence[str], *, kind: Kind) -> np.ndarray:
        items = as_text_list(texts)
        if not items:
            return np.zeros((0, self.dim), dtype=np.float32)
        prefixed = [self.prefixes[kind] + text for text in items]
        if len(prefixed) == 1 or self.workers == 1:
            return np.vstack([self._encode_one(text) for text in prefixed])
        with ThreadPoolExecutor(self.workers, thread_name_prefix="onnx-encode") as pool:
            return np.vstack(list(pool.map(self._encode_one, prefixed)))

    def _encode_one(self, text: str) -> np.ndarray:
        ids = np.array([self._tokenizer.encode(text).ids], dtype=np.int64)
        mask = np.ones_like(ids)
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
