"""A cache of ingest results, keyed by everything the result depends on.

`load_corpus` is a pure function of the source files' bytes (and their `.meta.json`), the
ingest code and data files, the versions of the libraries it calls and its options. The key
hashes all of them, so a cached result is used only where ingesting again would give the same
documents and chunks; anything else (an edited report, a changed rule) misses and ingests.
Entries are written atomically; an unreadable entry is ignored and replaced.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Sequence
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from ingest.atomic import replacing
from ingest.loaders import meta_path
from ingest.models import Chunk, DocumentInfo
from ingest.records import info_from_dict, info_to_dict

log = logging.getLogger(__name__)

FORMAT = 1
# the distributions ingest/ calls into (a new version may parse or count differently)
LIBRARIES = ("tiktoken", "cn2an", "pypdf", "python-docx")
PACKAGE_DIR = Path(__file__).resolve().parent

Corpus = tuple[list[DocumentInfo], list[Chunk]]


def cache_key(files: Sequence[Path], options: dict[str, object]) -> str | None:
    """A digest of the files' bytes and names, their metadata sidecars, the ingest code and
    data, the libraries' versions and `options`; None when a file cannot be read (ingesting
    it says why)."""
    try:
        return _digest(files, options)
    except OSError:
        return None


def _digest(files: Sequence[Path], options: dict[str, object]) -> str:
    digest = hashlib.sha256()
    digest.update(json.dumps([FORMAT, code_fingerprint(), options], sort_keys=True).encode())
    for path in files:
        digest.update(path.name.encode() + b"\0" + _file_digest(path).encode())
        sidecar = meta_path(path)
        digest.update(b"meta\0" + (_file_digest(sidecar).encode() if sidecar.is_file() else b"-"))
    return digest.hexdigest()


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """The ingest package's source and data files and its libraries' versions, hashed."""
    digest = hashlib.sha256()
    for path in sorted(PACKAGE_DIR.rglob("*")):
        if path.is_file() and path.suffix in {".py", ".json"}:
            digest.update(str(path.relative_to(PACKAGE_DIR)).encode() + b"\0")
            digest.update(path.read_bytes())
    for name in LIBRARIES:
        digest.update(f"{name}={_version(name)}".encode())
    return digest.hexdigest()


def read(cache_dir: Path, key: str | None) -> Corpus | None:
    """The cached result for `key`, or None (no key, missing or unreadable)."""
    if key is None:
        return None
    path = _entry(cache_dir, key)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        documents = [info_from_dict(row) for row in data["documents"]]
        chunks = [Chunk.from_dict(row) for row in data["chunks"]]
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        log.warning("ignoring an unreadable ingest cache entry %s (%s)", path, exc)
        return None
    for doc_id, warning in data.get("warnings", []):
        log.warning("%s: %s", doc_id, warning)
    return documents, chunks


def write(
    cache_dir: Path, key: str | None, corpus: Corpus, warnings: Sequence[tuple[str, str]]
) -> None:
    """Store `corpus` under `key` (atomically: a reader sees the old entry or the new one)."""
    if key is None:
        return
    documents, chunks = corpus
    data = {
        "documents": [info_to_dict(d) for d in documents],
        "chunks": [c.to_dict() for c in chunks],
        "warnings": [list(w) for w in warnings],
    }
    path = _entry(cache_dir, key)
    with replacing(path) as tmp:
        tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    _prune(path.parent, keep=path)


def _entry(cache_dir: Path, key: str) -> Path:
    return Path(cache_dir) / "ingest" / f"{key}.json"


def _prune(directory: Path, *, keep: Path, entries: int = 8) -> None:
    """Keep the newest `entries` results (a few corpora, e.g. the report alone and the
    library); older ones go."""
    found = sorted(directory.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in found[entries:]:
        if old != keep:
            old.unlink(missing_ok=True)


def _file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "-"
