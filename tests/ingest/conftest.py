"""Ingest fixtures: the real report, ingested once per session with the real tokenizer."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from ingest.models import Chunk, Document
from ingest.pipeline import ingest_path
from ingest.tokens import token_counter
from tests.ingest.helpers import REPORT


@pytest.fixture(scope="session")
def count_tokens(shared_cache_dir: Path) -> Callable[[str], int]:
    return token_counter(shared_cache_dir)


@pytest.fixture(scope="session")
def raw_report() -> str:
    return REPORT.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def ingested(count_tokens: Callable[[str], int]) -> tuple[Document, list[Chunk]]:
    return ingest_path(REPORT, count_tokens=count_tokens)


@pytest.fixture(scope="session")
def report_doc(ingested: tuple[Document, list[Chunk]]) -> Document:
    return ingested[0]


@pytest.fixture(scope="session")
def report_chunks(ingested: tuple[Document, list[Chunk]]) -> list[Chunk]:
    return ingested[1]
