"""REPORTQA_EMBED_BACKEND / REPORTQA_EMBED_PRECISION: parsed, validated, and honoured by the
factory that every entry point (serve, ask, eval, bench) builds its embedder with."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from app.config import get_settings
from app.factory import build_embedder


def test_the_default_is_onnx_fp32(clean_env: None) -> None:
    settings = get_settings()
    assert (settings.embed_backend, settings.embed_precision) == ("onnx", "fp32")
    assert settings.query_cache_size == 256


def test_environment_variables_choose_backend_and_precision(
    clean_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REPORTQA_EMBED_BACKEND", "onnx")
    monkeypatch.setenv("REPORTQA_EMBED_PRECISION", "int8")
    monkeypatch.setenv("REPORTQA_QUERY_CACHE_SIZE", "0")
    settings = get_settings()
    assert (settings.embed_backend, settings.embed_precision) == ("onnx", "int8")
    assert settings.query_cache_size == 0


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"embed_backend": "torch", "embed_precision": "int8"}, "EMBED_BACKEND=onnx"),
        ({"embed_backend": "tensorrt"}, "embed_backend"),
        ({"embed_precision": "fp16"}, "embed_precision"),
    ],
)
def test_impossible_choices_are_rejected(
    clean_env: None, overrides: dict[str, str], message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        get_settings(**overrides)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("backend", "precision", "cls"),
    [("torch", "fp32", "SentenceTransformerEmbedder"), ("onnx", "int8", "OnnxEmbedder")],
)
def test_the_factory_builds_the_configured_backend(
    clean_env: None, shared_cache_dir: Path, backend: str, precision: str, cls: str
) -> None:
    settings = get_settings(
        cache_dir=shared_cache_dir, embed_backend=backend, embed_precision=precision
    )
    embedder = build_embedder(settings)
    assert type(embedder).__name__ == cls
    assert (embedder.backend, embedder.precision) == (backend, precision)
    assert embedder.encode_queries(["自贡"]).shape == (1, 384)
