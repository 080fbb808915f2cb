"""The manifest that makes an index directory self-describing."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from index.errors import IndexCorruptError, IndexMismatchError
from ingest.models import Chunk

FORMAT_VERSION = 2  # 2: documents.json (records, timelines, trees); chunk periods
MANIFEST = "manifest.json"


@dataclass(frozen=True)
class Manifest:
    format_version: int
    model: str
    dim: int
    normalized: bool
    corpus_hash: str
    chunk_count: int
    dense_index: str
    documents: tuple[str, ...]
    built_at: str
    build_seconds: float
    settings: dict[str, Any] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)  # file name -> sha256
    # what ran the model (older manifests predate the ONNX backend: torch, fp32)
    embed_backend: str = "torch"
    embed_precision: str = "fp32"

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["documents"] = list(self.documents)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Manifest:
        data = dict(data)
        data["documents"] = tuple(data.get("documents", ()))
        return cls(**data)


def corpus_hash(chunks: list[Chunk], passage_format: str, documents: str = "") -> str:
    """Hash of everything the index depends on except the model (`documents`: a digest of
    the documents' records)."""
    digest = hashlib.sha256(passage_format.encode())
    digest.update(documents.encode())
    for chunk in chunks:
        digest.update(chunk.chunk_id.encode())
        digest.update("/".join(chunk.section_path).encode())
        digest.update(chunk.text.encode())
        digest.update(chunk.period.encode())
    return digest.hexdigest()


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_manifest(directory: Path, manifest: Manifest) -> None:
    with (directory / MANIFEST).open("w", encoding="utf-8") as f:
        json.dump(manifest.to_json(), f, ensure_ascii=False, indent=2)


def read_manifest(directory: Path) -> Manifest:
    path = directory / MANIFEST
    try:
        with path.open(encoding="utf-8") as f:
            manifest = Manifest.from_json(json.load(f))
    except FileNotFoundError:
        raise IndexCorruptError(
            f"index at {directory} has no {MANIFEST}; rebuild it with `reportqa index build`"
        ) from None
    except (OSError, ValueError, TypeError) as exc:
        raise IndexCorruptError(
            f"index manifest {path} is unreadable ({exc}); rebuild with `reportqa index build`"
        ) from None
    if manifest.format_version != FORMAT_VERSION:
        raise IndexMismatchError(
            f"index format {manifest.format_version} != supported {FORMAT_VERSION}; "
            "rebuild with `reportqa index build`"
        )
    return manifest


def verify_files(directory: Path, manifest: Manifest) -> None:
    """Every file the manifest lists exists and matches its checksum."""
    for name, expected in manifest.files.items():
        path = directory / name
        if not path.is_file():
            raise IndexCorruptError(
                f"index file {name} is missing; rebuild with `reportqa index build`"
            )
        if file_sha256(path) != expected:
            raise IndexCorruptError(
                f"index file {name} is truncated or corrupt (checksum mismatch); "
                "rebuild with `reportqa index build`"
            )
