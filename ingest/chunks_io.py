"""Chunks as JSON Lines: one object per chunk, written atomically (ingest output, index)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path

from ingest.atomic import replacing
from ingest.errors import IngestError
from ingest.models import Chunk


def write_chunks_jsonl(chunks: Iterable[Chunk], out: Path) -> int:
    """Write one JSON object per chunk, atomically (temporary file + rename); returns the count."""
    count = 0
    with replacing(Path(out)) as tmp, tmp.open("w", encoding="utf-8", newline="\n") as stream:
        for chunk in chunks:
            stream.write(json.dumps(chunk.to_dict(), ensure_ascii=False) + "\n")
            count += 1
    return count


def read_chunks_jsonl(path: Path) -> list[Chunk]:
    return list(iter_chunks_jsonl(path))


def iter_chunks_jsonl(path: Path) -> Iterator[Chunk]:
    with Path(path).open(encoding="utf-8") as stream:
        for number, line in enumerate(stream, start=1):
            if not line.strip():
                continue
            try:
                yield Chunk.from_dict(json.loads(line))
            except (json.JSONDecodeError, KeyError, TypeError, ValueError) as error:
                raise IngestError(f"分块文件第 {number} 行无效：{path}（{error}）") from error
