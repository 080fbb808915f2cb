"""A real service over a small managed library (synthetic reports, real ingest, real FAISS and
BM25, the real answerer; the fake embedder), with the admin token set: for the admin routes
and hot reload, fast. The same paths with the real model: tests/app/test_library_e2e.py."""

from __future__ import annotations

import os
from pathlib import Path

from app.config import Settings
from app.factory import ReportQAService, build_service
from tests.app.live import make_settings
from tests.fakes import HashEmbedder
from tests.reports import Library, make_library

TOKEN = "s3cret-admin-token"


def managed_settings(library: Library, tmp_path: Path, **overrides: object) -> Settings:
    corpus = os.pathsep.join(str(p) for p in library.config.corpus_dirs)
    values: dict[str, object] = {
        "corpus_dir": corpus,
        "admin_token": TOKEN,
        "reload_interval": 0.2,
        **overrides,
    }
    settings = make_settings(tmp_path, **values)
    return settings.model_copy(
        update={"index_dir": library.config.index_dir, "cache_dir": library.config.cache_dir}
    )


def managed_service(settings: Settings) -> ReportQAService:
    return build_service(settings, embedder=HashEmbedder())


def managed(tmp_path: Path, **overrides: object) -> tuple[Library, Settings, ReportQAService]:
    library = make_library(tmp_path / "library")
    settings = managed_settings(library, tmp_path, **overrides)
    return library, settings, managed_service(settings)


def auth(token: str = TOKEN) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
