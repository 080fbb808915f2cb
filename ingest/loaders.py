"""Source files (.txt / .md / .docx / .pdf) -> raw text + metadata.

Every check that can fail happens here, before anything is written: a missing, empty, binary,
undecodable, oversized or unsupported file raises an `IngestError` subclass naming the file.
"""

from __future__ import annotations

import json
import logging
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from ingest.clean import looks_wrapped
from ingest.errors import (
    BinaryFileError,
    EmptyFileError,
    FileTooLargeError,
    IngestError,
    UndecodableFileError,
    UnsupportedFormatError,
)
from ingest.models import DocumentMeta

log = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
TEXT_ENCODINGS = ("utf-8-sig", "gb18030")
_SNIFF_BYTES = 8192
_CONTROL_RATIO = 0.05  # more control characters than this in the decoded text: not text
_MD_HEADING_RE = re.compile(r"^\s{0,3}#{1,6}\s+")
_MD_LIST_RE = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
_MD_EMPHASIS_RE = re.compile(r"(\*\*|__|`)")


@dataclass(frozen=True)
class LoadedSource:
    """Raw text of one source file, ready for `clean`."""

    path: Path
    text: str
    wrapped: bool  # one printed line per line (a PDF text layer), else one paragraph per line
    doc_id: str
    given: dict[str, Any]  # the fields of the `.meta.json` beside the source (they win)


def supported_suffixes() -> tuple[str, ...]:
    return tuple(_READERS)


def load_source(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> LoadedSource:
    """Read `path` (checked first) and its metadata."""
    path = Path(path)
    reader = _check_file(path, max_bytes)
    try:
        text, wrapped = reader(path)
    except OSError as error:
        raise IngestError(f"无法读取文件：{path}（{error.strerror or error}）") from error
    if not text.strip():
        raise EmptyFileError(f"文件没有可用的文本：{path}")
    given = {"source": path.name, **load_meta(path)}
    return LoadedSource(path, text, wrapped, str(given.pop("doc_id", path.stem)), given)


def source_doc_id(path: Path) -> str:
    """The doc id a source file gets: its `.meta.json`'s `doc_id`, else the file's stem."""
    return str(load_meta(Path(path)).get("doc_id", Path(path).stem))


def load_meta(path: Path) -> dict[str, Any]:
    """The fields of `<stem>.meta.json` beside the source ({} without one)."""
    sidecar = meta_path(path)
    if not sidecar.is_file():
        return {}
    try:
        data = json.loads(sidecar.read_text(encoding="utf-8"))
        return _meta_values(data)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, TypeError, ValueError) as error:
        raise IngestError(f"元数据文件无效：{sidecar}（{error}）") from error


def meta_path(path: Path) -> Path:
    """Where the `.meta.json` of a source file lies (it need not exist)."""
    return Path(path).with_name(f"{Path(path).stem}.meta.json")


def _meta_values(data: object) -> dict[str, Any]:
    """The known, non-empty fields of a metadata object, with their declared types."""
    if not isinstance(data, dict):
        raise TypeError("应为 JSON 对象")
    values: dict[str, Any] = {}
    for name in (f.name for f in fields(DocumentMeta)):
        value = data.get(name)
        if value is None or value == "":
            continue
        values[name] = int(value) if name == "year" else str(value)
    return values


def _check_file(path: Path, max_bytes: int) -> Callable[[Path], tuple[str, bool]]:
    reader = _READERS.get(path.suffix.lower())
    if reader is None:
        allowed = "、".join(_READERS)
        raise UnsupportedFormatError(
            f"不支持的文件类型 {path.suffix or '(无扩展名)'}：{path}（支持 {allowed}）"
        )
    if not path.is_file():
        raise IngestError(f"文件不存在：{path}")
    size = path.stat().st_size
    if size == 0:
        raise EmptyFileError(f"文件为空：{path}")
    if size > max_bytes:
        raise FileTooLargeError(f"文件过大：{path}（{size} 字节，上限 {max_bytes} 字节）")
    return reader


# plain text ------------------------------------------------------------------------------


def _decode(path: Path) -> str:
    data = path.read_bytes()
    if b"\x00" in data[:_SNIFF_BYTES]:
        raise BinaryFileError(f"文件不是文本（含二进制内容）：{path}")
    for encoding in TEXT_ENCODINGS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _control_ratio(text) > _CONTROL_RATIO:
            raise BinaryFileError(f"文件不是文本（含大量控制字符）：{path}")
        return text
    raise UndecodableFileError(f"无法解码文件（既不是 UTF-8 也不是 GB18030）：{path}")


def _control_ratio(text: str) -> float:
    sample = text[:_SNIFF_BYTES]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\n\r\f")
    return controls / max(len(sample), 1)


def _read_txt(path: Path) -> tuple[str, bool]:
    text = _decode(path)
    return text, looks_wrapped(text)


def _read_md(path: Path) -> tuple[str, bool]:
    return "\n".join(markdown_paragraphs(_decode(path))), False


def markdown_paragraphs(text: str) -> list[str]:
    """Markdown blocks as plain paragraphs: markup dropped, hard-wrapped lines joined."""
    paragraphs: list[str] = []
    current: list[str] = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("```"):
            _flush(paragraphs, current)
            continue
        if _MD_HEADING_RE.match(line) or _MD_LIST_RE.match(line):
            _flush(paragraphs, current)
            stripped = _MD_LIST_RE.sub("", _MD_HEADING_RE.sub("", line)).strip()
        current.append(_MD_EMPHASIS_RE.sub("", stripped))
        if _MD_HEADING_RE.match(line):
            _flush(paragraphs, current)
    _flush(paragraphs, current)
    return paragraphs


def _flush(paragraphs: list[str], current: list[str]) -> None:
    if current:
        joined = current[0]
        for line in current[1:]:
            latin = joined[-1:].isascii() and joined[-1:].isalnum() and line[:1].isascii()
            joined += (" " if latin else "") + line
        paragraphs.append(joined)
        current.clear()


# office and pdf --------------------------------------------------------------------------


def _read_docx(path: Path) -> tuple[str, bool]:
    import docx
    from docx.opc.exceptions import OpcError
    from docx.table import Table

    try:
        document = docx.Document(str(path))
    except (OpcError, zipfile.BadZipFile, KeyError, ValueError) as error:
        raise UndecodableFileError(f"无法读取 Word 文档：{path}（{error}）") from error
    lines: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            lines.extend(" ".join(c.text.strip() for c in row.cells) for row in block.rows)
        else:
            lines.append(block.text)
    return "\n".join(line.strip() for line in lines if line.strip()), False


def _read_pdf(path: Path) -> tuple[str, bool]:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted:
            raise UndecodableFileError(f"PDF 已加密，无法读取：{path}")
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PyPdfError, ValueError, KeyError) as error:
        raise UndecodableFileError(f"无法读取 PDF：{path}（{error}）") from error
    # one page per form feed; indentation is not a page break here, so it is dropped
    text = "\f".join("\n".join(line.strip() for line in page.splitlines()) for page in pages)
    if not text.replace("\f", "").strip():
        raise EmptyFileError(f"PDF 没有文本层（可能是扫描件）：{path}")
    return text, True


_READERS: dict[str, Callable[[Path], tuple[str, bool]]] = {
    ".txt": _read_txt,
    ".md": _read_md,
    ".docx": _read_docx,
    ".pdf": _read_pdf,
}
