"""Shared fixtures: settings in tmp dirs, the real report's chunks, the real model and service.

The real model is converted once into the repository's cache (var/cache, as `make run`
uses), so the whole suite pays for the conversion at most once per machine.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.config import REPO_ROOT, Settings, get_settings

TEST_CLIENT_HOST = "testserver"  # the Host header TestClient sends
SHARED_CACHE = Path(os.environ.get("REPORTQA_TEST_CACHE_DIR", REPO_ROOT / "var" / "cache"))


@pytest.fixture(scope="session")
def shared_cache_dir() -> Path:
    SHARED_CACHE.mkdir(parents=True, exist_ok=True)
    return SHARED_CACHE


@pytest.fixture(scope="session")
def session_settings(tmp_path_factory: pytest.TempPathFactory, shared_cache_dir: Path) -> Settings:
    """Settings for the real corpus, an index of its own in tmp, the shared model cache
    (TestClient's host name trusted too)."""
    return get_settings(
        index_dir=tmp_path_factory.mktemp("index") / "index",
        cache_dir=shared_cache_dir,
        allowed_hosts=[TEST_CLIENT_HOST],
    )


@pytest.fixture(scope="session")
def real_embedder(request: pytest.FixtureRequest, session_settings: Settings):  # type: ignore[no-untyped-def]
    """The configured embedder (the default backend and precision), shared with the fixture
    of that backend below, so each model is loaded once per session."""
    configured = (session_settings.embed_backend, session_settings.embed_precision)
    return request.getfixturevalue(_EMBEDDER_FIXTURES[configured])


_EMBEDDER_FIXTURES = {
    ("torch", "fp32"): "torch_embedder",
    ("onnx", "fp32"): "onnx_fp32_embedder",
    ("onnx", "int8"): "onnx_int8_embedder",
}


@pytest.fixture(scope="session")
def torch_embedder(shared_cache_dir: Path):  # type: ignore[no-untyped-def]
    """The bundled model on sentence-transformers/torch (the reference for the ONNX one)."""
    from index.embedder import BUNDLED_MODEL, load_embedder

    return load_embedder(BUNDLED_MODEL, shared_cache_dir, backend="torch")


@pytest.fixture(scope="session")
def onnx_fp32_embedder(shared_cache_dir: Path):  # type: ignore[no-untyped-def]
    from index.embedder import BUNDLED_MODEL, load_embedder

    return load_embedder(BUNDLED_MODEL, shared_cache_dir, backend="onnx", precision="fp32")


@pytest.fixture(scope="session")
def onnx_int8_embedder(shared_cache_dir: Path):  # type: ignore[no-untyped-def]
    from index.embedder import BUNDLED_MODEL, load_embedder

    return load_embedder(BUNDLED_MODEL, shared_cache_dir, backend="onnx", precision="int8")


@pytest.fixture(scope="session")
def real_service(session_settings: Settings, real_embedder):  # type: ignore[no-untyped-def]
    """The real service: real chunks, real bundled model, real FAISS + BM25 index."""
    from app.factory import build_service

    return build_service(session_settings, embedder=real_embedder)


@pytest.fixture()
def clean_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for key in list(os.environ):
        if key.startswith("REPORTQA_"):
            monkeypatch.delenv(key)
    yield


MANY_SOURCES = (
    REPO_ROOT / "data" / "corpus" / "zigong-2021-government-work-report.txt",
    REPO_ROOT / "data" / "corpus" / "zigong-2021-government-work-report.meta.json",
    REPO_ROOT / "data" / "library" / "guangdong-2026-government-work-report.txt",
    REPO_ROOT / "data" / "library" / "zhejiang-2026-government-work-report.txt",
    REPO_ROOT / "tests" / "data" / "qingxi-2023-government-work-report.txt",
    REPO_ROOT / "tests" / "data" / "qingxi-2024-government-work-report.txt",
)


@pytest.fixture(scope="session")
def many_settings(tmp_path_factory: pytest.TempPathFactory, session_settings: Settings) -> Settings:
    """Five reports of four years in one corpus (a copy in tmp), with an index of its own."""
    import shutil

    corpus = tmp_path_factory.mktemp("many-corpus")
    for source in MANY_SOURCES:
        shutil.copy(source, corpus / source.name)
    index_dir = tmp_path_factory.mktemp("many") / "index"
    return session_settings.model_copy(update={"corpus_dir": corpus, "index_dir": index_dir})


@pytest.fixture(scope="session")
def many_service(many_settings: Settings, real_embedder):  # type: ignore[no-untyped-def]
    """The real service over the five reports (the real model, a real index)."""
    from app.factory import build_service

    return build_service(many_settings, embedder=real_embedder)
