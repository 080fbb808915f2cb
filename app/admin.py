"""Library administration over HTTP (only when REPORTQA_ADMIN_TOKEN is set): add an uploaded
report, remove one, with progress others can read, then serve the new index at once.

An upload is bytes and a client's file name. The name is never used as a path: one with a
directory part (`../../x.txt`) is refused, and of a bare name the suffix picks the loader and
the stem, reduced to letters, digits, CJK, `-`, `_` and `.`, becomes the stored file name in
the corpus directory (so the doc id). The bytes go to a private temporary directory,
are checked and ingested from there (index/library.py: type, size, text, duplicates by
content hash, doc id and name), and only then copied into the corpus. The old index serves
until the new version is complete and loaded (app/reload.py).
"""

from __future__ import annotations

import hashlib
import re
import shutil
import tempfile
import threading
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import Literal

from fastapi import FastAPI

from app.config import Settings
from app.factory import library_config
from app.reload import ReloadOutcome, ServiceSwap
from index.embedder import Embedder
from index.errors import LibraryBusyError, LibraryError
from index.library import LibraryChange, add_reports, remove_report
from ingest.errors import FileTooLargeError, ReportQAError, UnsupportedFormatError
from ingest.loaders import supported_suffixes

STAGE_LABELS = {
    "receive": "接收文件",
    "ingest": "校验并导入文件",
    "embed": "向量化新报告",
    "index": "重建检索索引（BM25、FAISS）",
    "publish": "发布新索引版本",
    "reload": "载入新索引",
}
MAX_STEM = 100
State = Literal["idle", "running", "done", "failed"]


@dataclass(frozen=True)
class Progress:
    state: State = "idle"
    action: str = ""  # "add" | "remove"
    name: str = ""  # the file name or doc id being changed
    stage: str = ""
    done: int = 0
    total: int = 0
    message: str = ""

    @property
    def stage_label(self) -> str:
        return STAGE_LABELS.get(self.stage, self.stage)


class ProgressBoard:
    """The current (or last) library change, as a snapshot any thread may read."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._progress = Progress()

    def snapshot(self) -> Progress:
        with self._lock:
            return self._progress

    def set(self, **changes: object) -> None:
        with self._lock:
            self._progress = replace(self._progress, **changes)  # type: ignore[arg-type]

    def stage(self, stage: str, done: int, total: int) -> None:
        self.set(stage=stage, done=done, total=total)


@dataclass(frozen=True)
class AdminChange:
    change: LibraryChange
    serving: ReloadOutcome


def upload_name(filename: str) -> str:
    """The stored name for a client's file name: a safe stem and a supported suffix. A name
    with a directory part (`../x.txt`, `C:\\x.txt`) is refused: browsers and curl send the
    bare name, so anything else is a mistake or a probe (LibraryError; the path is never
    used either way)."""
    normal = unicodedata.normalize("NFKC", filename)
    base = PurePosixPath(normal.replace("\\", "/")).name
    if base != normal or not base:
        raise LibraryError(f"文件名不能包含目录：{filename[:100]}")
    suffix = PurePosixPath(base).suffix.lower()
    if suffix not in supported_suffixes():
        allowed = "、".join(supported_suffixes())
        raise UnsupportedFormatError(
            f"不支持的文件类型 {suffix[:20] or '(无扩展名)'}（支持 {allowed}）"
        )
    stem = re.sub(r"[^\w.-]+", "-", PurePosixPath(base).stem).strip(".-_")[:MAX_STEM]
    if not stem:
        stem = "report-" + hashlib.sha256(filename.encode("utf-8", "replace")).hexdigest()[:8]
    return f"{stem}{suffix}"


class LibraryAdmin:
    """Adds and removes reports for the running app, one change at a time."""

    def __init__(self, settings: Settings, app: FastAPI) -> None:
        self.settings = settings
        self.app = app
        self.board = ProgressBoard()
        self._busy = threading.Lock()

    @property
    def max_upload_bytes(self) -> int:
        return self.settings.max_upload_bytes

    def add_upload(self, filename: str, data: bytes) -> AdminChange:
        name = upload_name(filename)
        if len(data) > self.max_upload_bytes:
            raise FileTooLargeError(
                f"文件过大：{name}（{len(data)} 字节，上限 {self.max_upload_bytes} 字节）"
            )
        with self._running("add", name), self._received(name, data) as path:
            config = replace(library_config(self.settings), max_bytes=self.max_upload_bytes)
            embedder = self._embedder()
            change = _named(path, name, lambda: add_reports(config, [path], embedder, self._stage))
            serving = self._serve()
            titles = "、".join(f"《{d.meta.title}》" for d in change.added)
            self.board.set(message=f"已添加{titles}，新索引已生效。")
            return AdminChange(change, serving)

    def remove(self, doc_id: str) -> AdminChange:
        with self._running("remove", doc_id):
            change = remove_report(library_config(self.settings), doc_id, self._stage)
            serving = self._serve()
            self.board.set(message=f"已移除 {doc_id}，新索引已生效。")
            return AdminChange(change, serving)

    def _stage(self, stage: str, done: int, total: int) -> None:
        self.board.stage(stage, done, total)

    def _embedder(self) -> Callable[[], Embedder]:
        embedder = getattr(self.app.state.service, "embedder", None)
        if not isinstance(embedder, Embedder):
            raise LibraryError("当前服务没有可用的嵌入模型，无法添加报告。")
        return lambda: embedder

    def _serve(self) -> ReloadOutcome:
        self.board.stage("reload", 0, 1)
        swap: ServiceSwap = self.app.state.swap
        return swap.reload(retry=True)

    @contextmanager
    def _running(self, action: str, name: str) -> Iterator[None]:
        if not self._busy.acquire(blocking=False):
            raise LibraryBusyError("另一项报告添加或移除正在进行，请稍后再试。")
        try:
            self.board.set(state="running", action=action, name=name, stage="receive", message="")
            yield
            self.board.set(state="done")
        except ReportQAError as exc:
            self.board.set(state="failed", message=str(exc))
            raise
        except BaseException:
            self.board.set(state="failed", message="服务器内部错误。")
            raise
        finally:
            self._busy.release()

    @contextmanager
    def _received(self, name: str, data: bytes) -> Iterator[Path]:
        """The upload as `<private temporary directory>/<name>`, removed afterwards."""
        uploads = self.settings.cache_dir / "uploads"
        uploads.mkdir(parents=True, exist_ok=True)
        directory = Path(tempfile.mkdtemp(prefix="upload-", dir=uploads))
        try:
            path = directory / name
            path.write_bytes(data)
            yield path
        finally:
            shutil.rmtree(directory, ignore_errors=True)


def _named(path: Path, name: str, add: Callable[[], LibraryChange]) -> LibraryChange:
    """Run `add`; an error that names the temporary file names the upload instead."""
    try:
        return add()
    except ReportQAError as exc:
        message = str(exc).replace(str(path), name).replace(str(path.parent), "")
        if message == str(exc):
            raise
        raise _same_kind(exc, message) from None


def _same_kind(exc: ReportQAError, message: str) -> ReportQAError:
    try:
        return type(exc)(message)
    except TypeError:
        return ReportQAError(message)
