"""Files -> (Document, chunks): load, clean, parse, chunk; statistics."""

from __future__ import annotations

import logging
import statistics
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from ingest.chunk import DEFAULT_MAX_TOKENS, DEFAULT_MIN_TOKENS, TokenCounter, chunk_document
from ingest.clean import clean
from ingest.errors import IngestError
from ingest.loaders import DEFAULT_MAX_BYTES, load_source, supported_suffixes
from ingest.models import Chunk, Document, DocumentInfo, Section, document_info
from ingest.parse import parse

log = logging.getLogger(__name__)

Ingested = tuple[Document, list[Chunk]]


@dataclass(frozen=True)
class IngestStats:
    doc_id: str
    title: str
    region: str
    level: str
    year: int | None
    date: str
    speaker: str
    pages: int | None  # None: the source has no page breaks
    sections: int  # top sections of the body (annexes apart)
    subsections: int  # every heading below a top section, at any depth
    annexes: int
    paragraphs: int  # body paragraphs under the section tree (headings excluded)
    glossary_entries: int
    footnote_refs: int
    chunks: int
    dropped_chars: int
    periods: dict[str, list[str]]  # each top section's title -> its periods, main first
    warnings: list[str]
    tokens_min: int
    tokens_median: float
    tokens_max: int


def ingest_path(
    path: Path,
    *,
    max_tokens: int = DEFAULT_MAX_TOKENS,
    count_tokens: TokenCounter,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Ingested:
    """One source file -> its Document and chunks (raises an IngestError on a bad file)."""
    source = load_source(Path(path), max_bytes=max_bytes)
    document = parse(clean(source.text, wrapped=source.wrapped), source.doc_id, source.given)
    for warning in document.warnings:
        log.warning("%s: %s", source.path, warning)
    min_tokens = min(DEFAULT_MIN_TOKENS, max_tokens // 4)
    chunks = chunk_document(document, count_tokens, max_tokens=max_tokens, min_tokens=min_tokens)
    log.info("ingested %s: %d chunks", source.path, len(chunks))
    return document, chunks


def ingest_corpus(
    paths: Path | Iterable[Path],
    *,
    max_tokens: int = DEFAULT_MAX_TOKENS,
    count_tokens: TokenCounter,
    max_bytes: int = DEFAULT_MAX_BYTES,
    progress: Callable[[Iterable[Path]], Iterable[Path]] = iter,
) -> list[Ingested]:
    """Several files (or every supported file of a directory); doc ids must be unique."""
    results: list[Ingested] = []
    for path in progress(expand_paths(paths)):
        results.append(
            ingest_path(path, max_tokens=max_tokens, count_tokens=count_tokens, max_bytes=max_bytes)
        )
    _check_unique_ids(results)
    return results


def corpus_chunks(
    paths: Path | Iterable[Path],
    *,
    max_tokens: int = DEFAULT_MAX_TOKENS,
    cache_dir: Path,
    max_bytes: int = DEFAULT_MAX_BYTES,
    progress: bool = False,
) -> list[Chunk]:
    """Every chunk of a corpus, in document order, counted with the offline cl100k tokenizer."""
    return load_corpus(
        paths, max_tokens=max_tokens, cache_dir=cache_dir, max_bytes=max_bytes, progress=progress
    )[1]


def load_corpus(
    paths: Path | Iterable[Path],
    *,
    max_tokens: int = DEFAULT_MAX_TOKENS,
    cache_dir: Path,
    max_bytes: int = DEFAULT_MAX_BYTES,
    progress: bool = False,
) -> tuple[list[DocumentInfo], list[Chunk]]:
    """Each document's record and every chunk, in document order.

    The result is cached in `cache_dir` (ingest/cache.py) under a key of the files' bytes, the
    ingest code and the options, so an unchanged corpus is read back instead of ingested."""
    from ingest import cache

    files = expand_paths(paths)
    key = cache.cache_key(files, {"max_tokens": max_tokens, "max_bytes": max_bytes})
    cached = cache.read(cache_dir, key)
    if cached is not None:
        return cached
    from ingest.tokens import token_counter  # tiktoken: 60 ms to import, needed to ingest only

    results = ingest_corpus(
        files,
        max_tokens=max_tokens,
        count_tokens=token_counter(cache_dir),
        max_bytes=max_bytes,
        progress=progress_bar if progress else iter,
    )
    infos = [document_info(document) for document, _ in results]
    corpus = infos, [chunk for _, chunks in results for chunk in chunks]
    warnings = [(d.meta.doc_id, w) for d, _ in results for w in d.warnings]
    cache.write(cache_dir, key, corpus, warnings)
    return corpus


def progress_bar(paths: Iterable[Path]) -> Iterable[Path]:
    """A tqdm bar over the files (on stderr)."""
    from tqdm import tqdm

    return tqdm(list(paths), desc="导入", unit="份", leave=False)


def expand_paths(paths: Path | Iterable[Path]) -> list[Path]:
    """Files as given; a directory stands for its supported files (sorted, metadata excluded)."""
    given = [paths] if isinstance(paths, str | Path) else list(paths)
    files = source_files(given)
    if not files:
        raise IngestError(f"没有可导入的文件：{', '.join(map(str, given)) or '(未指定)'}")
    return files


def source_files(paths: Iterable[Path]) -> list[Path]:
    """The files of `paths` in corpus order ([] when there is none)."""
    files: list[Path] = []
    for path in map(Path, paths):
        files.extend(_directory_sources(path) if path.is_dir() else [path])
    return files


def _directory_sources(directory: Path) -> list[Path]:
    suffixes = supported_suffixes()
    return sorted(
        p
        for p in directory.iterdir()
        if p.is_file() and p.suffix.lower() in suffixes and not p.name.endswith(".meta.json")
    )


def _check_unique_ids(results: list[Ingested]) -> None:
    seen: set[str] = set()
    for document, _ in results:
        if document.meta.doc_id in seen:
            raise IngestError(
                f"文档编号重复：{document.meta.doc_id}（请在 .meta.json 中指定 doc_id）"
            )
        seen.add(document.meta.doc_id)


def stats(document: Document, chunks: list[Chunk]) -> IngestStats:
    body = document.body_sections
    tokens = [chunk.n_tokens for chunk in chunks] or [0]
    meta = document.meta
    return IngestStats(
        doc_id=meta.doc_id,
        title=meta.title,
        region=meta.region,
        level=meta.level,
        year=meta.year,
        date=meta.date,
        speaker=meta.speaker,
        pages=len(document.pages) if document.pages else None,
        sections=len(body),
        subsections=sum(len(list(section.walk())) - 1 for section in body),
        annexes=len(document.sections) - len(body),
        paragraphs=sum(_paragraph_count(section) for section in body),
        glossary_entries=len(document.glossary),
        footnote_refs=len(document.footnote_refs),
        chunks=len(chunks),
        dropped_chars=sum(len(d.text) for d in document.dropped),
        periods={section.title: list(section.periods) for section in body},
        warnings=list(document.warnings),
        tokens_min=min(tokens),
        tokens_median=statistics.median(tokens),
        tokens_max=max(tokens),
    )


def _paragraph_count(section: Section) -> int:
    return len(section.paragraphs) + sum(_paragraph_count(child) for child in section.children)
