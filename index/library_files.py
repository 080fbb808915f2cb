"""The corpus side of library changes: which file holds which report, content hashes, the
lock that keeps changes one at a time, and copies that appear whole or not at all."""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from index.errors import LibraryBusyError
from ingest.errors import IngestError
from ingest.loaders import meta_path, source_doc_id
from ingest.models import DocumentInfo
from ingest.pipeline import source_files

# Suffixes of files on their way in or out: no loader reads them, so a corpus scan skips them.
ADDING = ".adding"
REMOVING = ".removing"


def corpus_sources(corpus_dirs: Sequence[Path]) -> list[Path]:
    """The report files of the corpus, in the order a full ingest reads them."""
    return source_files(p for p in corpus_dirs if p.exists())


def doc_ids_of(files: Sequence[Path]) -> dict[Path, str]:
    """file -> its doc id (files whose metadata is unreadable are left out: a build fails on
    them with its own message)."""
    out = {}
    for path in files:
        try:
            out[path] = source_doc_id(path)
        except IngestError:
            continue
    return out


def files_of(corpus_dirs: Sequence[Path], doc_id: str) -> list[Path]:
    """The source file(s) of report `doc_id`, each with its `.meta.json` when there is one."""
    found = [p for p, d in doc_ids_of(corpus_sources(corpus_dirs)).items() if d == doc_id]
    return [*found, *(meta_path(p) for p in found if meta_path(p).is_file())]


def corpus_order(corpus_dirs: Sequence[Path], planned: dict[Path, str]) -> list[str]:
    """Doc ids in the order a full ingest of the corpus would give once the `planned` files
    (target path -> doc id) are in place: directory by directory, files sorted by name."""
    order: list[str] = []
    for entry in corpus_dirs:
        if entry.is_dir():
            files = sorted([*corpus_sources([entry]), *(t for t in planned if t.parent == entry)])
        else:
            files = [entry]
        ids = doc_ids_of([f for f in files if f not in planned])
        order.extend(planned.get(f) or ids.get(f, "") for f in files)
    return [doc_id for doc_id in order if doc_id]


def in_corpus_order(documents: Sequence[DocumentInfo], order: Sequence[str]) -> list[DocumentInfo]:
    """Documents in corpus order; any the corpus does not name keep their place at the end."""
    rank = {doc_id: n for n, doc_id in enumerate(order)}
    return sorted(documents, key=lambda d: rank.get(d.doc_id, len(rank)))


@contextmanager
def library_lock(index_dir: Path) -> Iterator[None]:
    """Held while a change is made; a second change meanwhile is a LibraryBusyError."""
    path = index_dir.parent / f".{index_dir.name}.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise LibraryBusyError("另一项报告添加或移除正在进行，请稍后再试。") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def copy_in(pairs: Sequence[tuple[Path, Path]]) -> list[Path]:
    """Copy each (source, target): written beside the target under a name no scan reads,
    then renamed, so a target is whole or absent. The targets written (all or none)."""
    written: list[Path] = []
    try:
        for source, target in pairs:
            partial = target.with_name(target.name + ADDING)
            shutil.copyfile(source, partial)
            os.replace(partial, target)
            written.append(target)
    except BaseException:
        unlink_all(written)
        for _, target in pairs:
            target.with_name(target.name + ADDING).unlink(missing_ok=True)
        raise
    return written


def park(files: Sequence[Path]) -> list[tuple[Path, Path]]:
    """Rename files out of the corpus's sight (undone by `unpark`, made final by `unlink_all`)."""
    moved = []
    for path in files:
        parked = path.with_name(path.name + REMOVING)
        os.replace(path, parked)
        moved.append((path, parked))
    return moved


def unpark(moved: Sequence[tuple[Path, Path]]) -> None:
    for original, parked in moved:
        os.replace(parked, original)


def unlink_all(paths: Sequence[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)
