"""The in-process service the API, the UI, the CLI and the evaluation all call."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, runtime_checkable

from app.models import Answer, Turn
from index.models import Hit, SearchMode
from ingest.models import Chunk, DocumentInfo


@dataclass(frozen=True)
class ServiceInfo:
    model: str
    dim: int
    chunk_count: int
    documents: tuple[str, ...]
    index_built_at: str  # ISO 8601
    index_dir: str
    chunks_per_document: dict[str, int] = field(default_factory=dict)
    index_version: str = ""  # the name of the index version directory being served


class QAService(Protocol):
    def answer(
        self,
        question: str,
        history: Sequence[Turn] = (),
        top_k: int = 5,
        doc_ids: Sequence[str] | None = None,
    ) -> Answer:
        """Answer `question` from the reports `doc_ids` (all when None); raises
        EmptyQuestionError / QuestionTooLongError / UnknownDocumentError."""
        ...

    def search(
        self,
        query: str,
        k: int = 5,
        mode: SearchMode = "hybrid",
        doc_ids: Sequence[str] | None = None,
    ) -> list[Hit]: ...

    def documents(self) -> list[DocumentInfo]:
        """The loaded reports' records, in index order."""
        ...

    def chunk(self, chunk_id: str) -> Chunk:
        """Raises ChunkNotFoundError."""
        ...

    def info(self) -> ServiceInfo: ...


@runtime_checkable
class Reloadable(Protocol):
    """A service that can make its successor over another index version (hot reload)."""

    def reloaded(self, version_dir: Path) -> QAService:
        """A new, fully loaded service over the index at `version_dir` (this one is left
        as it is, serving what it served)."""
        ...
