"""The bundled model under ONNX Runtime: `tokenizers` + one inference session + mean pooling.

Neither torch nor transformers is imported. The sessions load on background threads; the
first encode waits for them. ONNX Runtime releases the GIL while a session loads, so that
overlaps with the caller's work (the index, jieba). `tokenizers` holds the GIL while it
parses tokenizer.json (0.8-1.7 s of the XLM-R vocabulary) and keeps ~280 MB resident after
(measured in a server), so the full tokenizer is loaded only when a passage is encoded (an
index build, a report added). A query is tokenised from the pieces it contains, read from
the export's piece table (index/query_tokenizer.py): the same ids, 0.3-1.3 ms a query
against 0.15 ms, and no tokenizer.json parsed before a cold process answers.
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
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from index.background import in_background
from index.embedder import Embedder, Kind, Precision, as_text_list, l2_normalize
from index.errors import ModelConversionError
from index.onnx_export import (
    INPUTS,
    MODEL_FILE,
    OUTPUT,
    PIECES_FILE,
    TOKENIZER_FILE,
    read_export_manifest,
)
from index.query_tokenizer import QueryTokenizer

logger = logging.getLogger(__name__)
T = TypeVar("T")


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
        self._pieces = _query_tokenizer(folder)
        self._tokenizer: Future[Any] | None = None  # the full one, loaded on first need
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
            return np.vstack([self._encode_one(text, kind) for text in prefixed])
        with ThreadPoolExecutor(self.workers, thread_name_prefix="onnx-encode") as pool:
            return np.vstack(list(pool.map(lambda text: self._encode_one(text, kind), prefixed)))

    def _encode_one(self, text: str, kind: Kind) -> np.ndarray:
        with self._lock:
            self._in_flight += 1
            alone = self._in_flight == 1
        try:
            ids = np.array([self._loaded(lambda: self._token_ids(text, kind))], dtype=np.int64)
            session = self._loaded(lambda: self._session_for(alone))
            mask = np.ones_like(ids)
            (hidden,) = session.run([OUTPUT], dict(zip(INPUTS, (ids, mask), strict=True)))
        finally:
            with self._lock:
                self._in_flight -= 1
        return mean_pool(hidden, mask)

    def _token_ids(self, text: str, kind: Kind) -> list[int]:
        """A query's ids from the piece table, a passage's from the full tokenizer (the
        same ids either way; the table's need no tokenizer.json parsed)."""
        if kind == "query" and self._pieces is not None:
            ids = self._pieces.encode_ids(text)
            if ids is not None:
                return ids
        return list(self._full_tokenizer().result().encode(text).ids)

    def _full_tokenizer(self) -> Future[Any]:
        with self._lock:
            if self._tokenizer is None:
                folder = self.folder
                self._tokenizer = in_background(lambda: _tokenizer(folder), "onnx-load-tokenizer")
            return self._tokenizer

    def _session_for(self, alone: bool) -> Any:
        """`threads` threads for an encode that runs alone (a lone query is answered
        sooner), one thread while others run (concurrent requests, an index build: the
        cores are busy already, and throughput holds)."""
        return (self._session if alone else self._shared).result()

    def _loaded(self, get: Callable[[], T]) -> T:
        try:
            return get()
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


def _query_tokenizer(folder: Path) -> QueryTokenizer | None:
    """The export's piece table as a query tokenizer; None without one (every text then
    waits for the full tokenizer)."""
    path = folder / PIECES_FILE
    if not path.is_file():
        return None
    try:
        return QueryTokenizer(path)
    except Exception as exc:  # sqlite3, json and tokenizers raise their own types
        logger.warning("The piece table %s is unusable (%s); using the full tokenizer", path, exc)
        return None


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
