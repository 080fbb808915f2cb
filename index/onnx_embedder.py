"""The bundled model under ONNX Runtime: `tokenizers` + one inference session + mean pooling.

Neither torch nor transformers is imported. The tokenizer and the session load on two
background threads; the first encode waits for them. ONNX Runtime releases the GIL while a
session loads, so that overlaps with the caller's work (the index, jieba); `tokenizers`
holds it while it parses tokenizer.json (0.8 s of the XLM-R vocabulary), so that does not.
Each text runs alone: int8's dynamic quantisation scales
activations per run, so a batch would make a text's vector depend on its neighbours
(cosine 0.997 measured), and without padding a single run costs no more per text on this
CPU. A run alone uses `threads` intra-op threads; runs that overlap (concurrent requests, an
index build's `workers` threads) use a second, one-thread session, so a lone query is
encoded faster and a busy server keeps its throughput (ONNX Runtime's `run` is thread-safe).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from index.background import in_background
from index.embedder import Embedder, Kind, Precision, as_text_list, l2_normalize
from index.errors import ModelConversionError
from index.onnx_export import INPUTS, MODEL_FILE, OUTPUT, TOKENIZER_FILE, read_export_manifest

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
        threads: int = 1,
    ) -> None:
        self.folder = folder
        self.model_id = model_id
        self.precision = precision
        self.prefixes: dict[Kind, str] = {"query": query_prefix, "passage": passage_prefix}
        self.workers = workers or min(os.cpu_count() or 1, 4)
        self.dim = int(read_export_manifest(folder)["dim"])
        self._tokenizer = in_background(lambda: _tokenizer(folder), "onnx-load-tokenizer")
        self._session = _load_session(folder, threads)
        # concurrent encodes run one thread each, on a session of their own
        self._shared = self._session if threads == 1 else _load_session(folder, 1)
        self._in_flight = 0
        self._lock = threading.Lock()

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
        with self._lock:
            self._in_flight += 1
            alone = self._in_flight == 1
        try:
            tokenizer, session = self._parts(alone)
            ids = np.array([tokenizer.encode(text).ids], dtype=np.int64)
            mask = np.ones_like(ids)
            (hidden,) = session.run([OUTPUT], dict(zip(INPUTS, (ids, mask), strict=True)))
        finally:
            with self._lock:
                self._in_flight -= 1
        return mean_pool(hidden, mask)

    def _parts(self, alone: bool = True) -> tuple[Any, Any]:
        """The tokenizer and a session: `threads` threads for an encode that runs alone (a
        lone query is answered sooner), one thread while others run (concurrent requests,
        an index build: the cores are busy already, and throughput holds)."""
        try:
            session = self._session if alone else self._shared
            return self._tokenizer.result(), session.result()
        except Exception as exc:  # onnxruntime and tokenizers raise their own types
            raise ModelConversionError(
                f"ONNX 模型无法加载（{type(exc).__name__}: {exc}）。请删除 {self.folder} 后重试。"
            ) from exc


def mean_pool(hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Mean of the token vectors where `mask` is 1 (sentence-transformers' mean pooling),
    L2-normalised."""
    weights = mask[..., None].astype(np.float32)
    summed = (hidden * weights).sum(axis=1)
    return l2_normalize(summed / np.maximum(weights.sum(axis=1), np.float32(1e-9)))


def _load_session(folder: Path, threads: int) -> Future[Any]:
    path = folder / MODEL_FILE
    return in_background(lambda: _session(path, threads), f"onnx-load-session-{threads}")


def _tokenizer(folder: Path) -> Any:
    from tokenizers import Tokenizer

    started = time.perf_counter()
    tokenizer = Tokenizer.from_file(str(folder / TOKENIZER_FILE))
    logger.info("Loaded the tokenizer in %.2f s", time.perf_counter() - started)
    return tokenizer


def _session(path: Path, threads: int = 1) -> Any:
    import onnxruntime as ort

    started = time.perf_counter()
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.log_severity_level = 3  # errors only
    session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    logger.info("Loaded %s in %.2f s", path, time.perf_counter() - started)
    return session
