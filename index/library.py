"""The library of served reports: add and remove reports incrementally, and list them.

Each change writes a complete new index version and swaps the link (`IndexStore.save`), as
a build does. Nothing the index holds is embedded again: an add embeds only the new reports'
texts (the others' vectors come from the index, `index.reuse`), a remove embeds nothing
(`StoredVectorsOnly` refuses to). BM25 and FAISS are rebuilt from the chunks and the stored
vectors. Reports keep the order of the corpus files, as a full ingest gives it, so the
manifest's corpus hash is the one a later build computes: a server started afterwards loads
this index rather than rebuilding it.

Adding checks everything before anything is written: each file as ingest does (type, size,
text), its doc id, and duplicates (the same content, doc id or file name already in the
corpus). One change at a time per index (`library_lock`); the corpus files change only once
the new index is built, and are put back if publishing it fails.
"""

from __future__ import annotations

import logging
import re
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from index.dense import choose_kind
from index.embedder import Embedder
from index.errors import (
    DuplicateReportError,
    LibraryError,
    UnknownReportError,
)
from index.library_files import (
    copy_in,
    corpus_order,
    corpus_sources,
    doc_ids_of,
    files_of,
    in_corpus_order,
    library_lock,
    park,
    unlink_all,
    unpark,
)
from index.manifest import file_sha256, read_manifest
from index.reuse import StoredVectorsOnly, check_embedder, previous_vectors
from index.store import BuildOptions, IndexStore, passage_text, read_documents, sentence_texts
from ingest.chunks_io import read_chunks_jsonl
from ingest.loaders import DEFAULT_MAX_BYTES, meta_path
from ingest.models import Chunk, DocumentInfo, DocumentMeta, document_info
from ingest.pipeline import ingest_path

logger = logging.getLogger(__name__)

# (stage, done, total): "check", "ingest", "embed", "index", "publish"
Progress = Callable[[str, int, int], None]
DOC_ID = re.compile(r"\w[\w.-]{0,119}")


@dataclass(frozen=True)
class LibraryConfig:
    corpus_dirs: tuple[Path, ...]  # added reports are copied into the first
    index_dir: Path
    cache_dir: Path
    max_tokens: int = 256
    max_bytes: int = DEFAULT_MAX_BYTES
    dense_index: str = "auto"
    hnsw_threshold: int = 50_000
    batch_size: int = 16


@dataclass(frozen=True)
class NewReport:
    source: Path
    target: Path
    info: DocumentInfo
    chunks: tuple[Chunk, ...]


@dataclass(frozen=True)
class LibraryChange:
    added: tuple[DocumentInfo, ...]
    removed: tuple[str, ...]
    files: tuple[Path, ...]  # corpus files written (add) or deleted (remove)
    version: Path
    chunk_count: int
    documents: tuple[str, ...]
    embedded: int  # texts embedded: only the added reports'
    seconds: float
    chunks_per_document: dict[str, int] = field(default_factory=dict)


def _quiet(stage: str, done: int, total: int) -> None:
    return None


def add_reports(
    config: LibraryConfig,
    sources: Sequence[Path],
    embedder: Callable[[], Embedder],
    progress: Progress | None = None,
) -> LibraryChange:
    """Check, ingest and add `sources`; `embedder()` is called once the files are known good
    (a bad file fails before any model loads)."""
    report, started = progress or _quiet, time.perf_counter()
    with library_lock(config.index_dir):
        store = IndexStore.load(config.index_dir, cache_dir=config.cache_dir)
        new = plan_additions(config, store, sources, report)
        model = embedder()
        check_embedder(store.manifest, model)
        order = corpus_order(config.corpus_dirs, {r.target: r.info.doc_id for r in new})
        documents = in_corpus_order([*store.documents.values(), *(r.info for r in new)], order)
        chunks = [*store.chunks, *(c for r in new for c in r.chunks)]
        built, embedded = _rebuild(config, documents, chunks, model, report)
        pairs = [(m, meta_path(r.target)) for r in new if (m := meta_path(r.source)).is_file()]
        written = copy_in([*pairs, *((r.source, r.target) for r in new)])
        try:
            report("publish", 0, 1)
            version = built.save(config.index_dir)
        except BaseException:
            unlink_all(written)
            raise
    added = tuple(r.info for r in new)
    return _change(built, version, added, (), written, embedded, started)


def remove_report(
    config: LibraryConfig, doc_id: str, progress: Progress | None = None
) -> LibraryChange:
    """Drop report `doc_id` from the index and delete its corpus files; nothing is embedded."""
    report, started = progress or _quiet, time.perf_counter()
    with library_lock(config.index_dir):
        store = IndexStore.load(config.index_dir, cache_dir=config.cache_dir)
        _check_removable(store, doc_id)
        documents = [d for d in store.documents.values() if d.doc_id != doc_id]
        chunks = [c for c in store.chunks if c.doc_id != doc_id]
        embedder = StoredVectorsOnly(store.manifest)
        built, _ = _rebuild(config, documents, chunks, embedder, report)
        parked = park(files_of(config.corpus_dirs, doc_id))
        try:
            report("publish", 0, 1)
            version = built.save(config.index_dir)
        except BaseException:
            unpark(parked)
            raise
        unlink_all([p for _, p in parked])
    files = tuple(original for original, _ in parked)
    return _change(built, version, (), (doc_id,), files, 0, started)


def plan_additions(
    config: LibraryConfig, store: IndexStore, sources: Sequence[Path], report: Progress = _quiet
) -> list[NewReport]:
    """Each source checked and ingested; DuplicateReportError / IngestError / LibraryError
    for the first one that cannot be added."""
    if not sources:
        raise LibraryError("没有指定要添加的报告文件。")
    target_dir = _target_dir(config)
    existing = corpus_sources(config.corpus_dirs)
    digests = {file_sha256(p): p.name for p in existing}
    taken = {*store.documents, *doc_ids_of(existing).values()}
    planned: list[NewReport] = []
    for n, source in enumerate(map(Path, sources)):
        report("ingest", n, len(sources))
        target = target_dir / source.name
        _check_name(source, target, {r.target for r in planned})
        digest = file_sha256(source) if source.is_file() else ""
        if digest in digests:
            raise DuplicateReportError(f"报告已在库中：{source.name} 与 {digests[digest]} 内容相同")
        new = _ingested(config, source, target)
        _check_doc_id(new.info.doc_id, taken)
        digests[digest] = source.name
        taken.add(new.info.doc_id)
        planned.append(new)
    report("ingest", len(sources), len(sources))
    return planned


def _target_dir(config: LibraryConfig) -> Path:
    target = config.corpus_dirs[0] if config.corpus_dirs else None
    if target is None or (target.exists() and not target.is_dir()):
        raise LibraryError(f"语料目录不是目录：{target}（见 REPORTQA_CORPUS_DIR）")
    target.mkdir(parents=True, exist_ok=True)
    return target


def _check_name(source: Path, target: Path, planned: set[Path]) -> None:
    if source.name.startswith("."):
        raise LibraryError(f"文件名不能以“.”开头：{source.name}")
    if target in planned or target.exists() or meta_path(target).exists():
        raise DuplicateReportError(f"语料目录中已有同名文件：{target.name}")


def _ingested(config: LibraryConfig, source: Path, target: Path) -> NewReport:
    from ingest.tokens import token_counter

    document, chunks = ingest_path(
        source,
        max_tokens=config.max_tokens,
        count_tokens=token_counter(config.cache_dir),
        max_bytes=config.max_bytes,
    )
    return NewReport(source, target, document_info(document), tuple(chunks))


def _check_doc_id(doc_id: str, taken: set[str]) -> None:
    if not DOC_ID.fullmatch(doc_id):
        raise LibraryError(
            f"报告编号无效：{doc_id[:60]}（只能由字母、数字、汉字、“-”“_”“.”组成，"
            "最长 120 个字符；可改文件名或在 .meta.json 中指定 doc_id）"
        )
    if doc_id in taken:
        raise DuplicateReportError(
            f"报告编号已存在：{doc_id}（可改文件名或在 .meta.json 中指定 doc_id）"
        )


def _check_removable(store: IndexStore, doc_id: str) -> None:
    if doc_id not in store.documents:
        known = "、".join(list(store.documents)[:10])
        raise UnknownReportError(f"索引中没有报告：{doc_id[:120]}（已有：{known}）")
    if len(store.documents) == 1:
        raise LibraryError(f"不能移除最后一份报告：{doc_id}")


def _rebuild(
    config: LibraryConfig,
    documents: Sequence[DocumentInfo],
    chunks: Sequence[Chunk],
    embedder: Embedder,
    report: Progress,
) -> tuple[IndexStore, int]:
    """The new index (chunks in document order) and how many texts were embedded for it."""
    rank = {d.doc_id: n for n, d in enumerate(documents)}
    chunks = sorted(chunks, key=lambda c: rank.get(c.doc_id, len(rank)))  # stable: keeps order
    embedded = [0]

    def on_embed(done: int, total: int) -> None:
        embedded[0] = total
        if total:
            report("embed", done, total)
        if done == total:
            report("index", 0, 1)

    options = BuildOptions(
        dense_kind=choose_kind(config.dense_index, len(chunks), config.hnsw_threshold),
        batch_size=config.batch_size,
        on_embed=on_embed,
    )
    reuse = previous_vectors(config.index_dir, embedder, passage_text, sentence_texts)
    store = IndexStore.build(chunks, embedder, options, config.cache_dir, documents, reuse)
    return store, embedded[0]


def _change(
    store: IndexStore,
    version: Path,
    added: tuple[DocumentInfo, ...],
    removed: tuple[str, ...],
    files: Sequence[Path],
    embedded: int,
    started: float,
) -> LibraryChange:
    seconds = round(time.perf_counter() - started, 3)
    m = store.manifest
    names = [d.doc_id for d in added] + [f"-{doc_id}" for doc_id in removed]
    logger.info("library: %s; %d texts embedded, %.1f s", ", ".join(names), embedded, seconds)
    counts = dict(Counter(c.doc_id for c in store.chunks))
    return LibraryChange(
        added, removed, tuple(files), version, m.chunk_count, m.documents, embedded, seconds, counts
    )


@dataclass(frozen=True)
class ReportEntry:
    info: DocumentInfo
    chunks: int
    source: Path | None  # the corpus file it was read from (None: not in the corpus any more)


def list_reports(config: LibraryConfig) -> tuple[list[ReportEntry], list[Path]]:
    """The indexed reports, and the corpus files the index does not hold (a build adds them)."""
    directory = config.index_dir.resolve()
    manifest = read_manifest(directory)
    documents = {d.doc_id: d for d in read_documents(directory / "documents.json")}
    counts = Counter(c.doc_id for c in read_chunks_jsonl(directory / "chunks.jsonl"))
    files = {
        doc_id: path for path, doc_id in doc_ids_of(corpus_sources(config.corpus_dirs)).items()
    }
    entries = [
        ReportEntry(documents.get(d) or DocumentInfo(DocumentMeta(d, d)), counts[d], files.get(d))
        for d in manifest.documents
    ]
    unindexed = [path for doc_id, path in files.items() if doc_id not in counts]
    return entries, unindexed
