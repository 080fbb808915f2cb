"""Serve a new index version without a restart.

The index directory is a symlink to a complete version (index/store.py); `reportqa add`,
`remove`, `index build` and the admin routes publish a new one by swapping the link.
`ServiceSwap.reload` notices the link points elsewhere, loads a whole new service over that
version (index, tokenizer, FAISS, warmed up by one search) while the old one keeps serving,
then replaces `app.state.service` in one assignment. A request holds the service it started
with (routes take it once, through `Depends`; the UI pins it per question), so in-flight
requests finish on the old version and new ones get the new one — never a half-loaded index.

A watcher thread looks at the link every `reload_interval` seconds (a `readlink`); the admin
route `POST /api/admin/reload` asks at once. A version that fails to load is logged once and
not served; the old one stays.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from fastapi import FastAPI

from app.config import Settings
from app.service import QAService, Reloadable
from ingest.errors import ReportQAError

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReloadOutcome:
    reloaded: bool
    version: str
    documents: tuple[str, ...]


def linked_version(index_dir: Path) -> Path | None:
    """The version directory `index_dir` points at now (None when there is none)."""
    try:
        return index_dir.resolve(strict=True)
    except OSError:
        return None


class ServiceSwap:
    """Replaces the app's service with one over the newest index version."""

    def __init__(self, app: FastAPI, index_dir: Path) -> None:
        self.app = app
        self.index_dir = index_dir
        self._lock = threading.Lock()
        self._failed: Path | None = None  # a version that did not load (not retried)

    @property
    def service(self) -> QAService:
        service: QAService = self.app.state.service
        return service

    @property
    def supported(self) -> bool:
        return isinstance(self.service, Reloadable)

    def reload(self, *, retry: bool = False) -> ReloadOutcome:
        """Serve the version the link points at, if it is not the one served (`retry`: try
        a version that failed before again). Raises what loading it raised."""
        with self._lock:
            target, service = linked_version(self.index_dir), self.service
            if target is None or target.name == service.info().index_version:
                return self._outcome(False)
            if target == self._failed and not retry:
                return self._outcome(False)
            if not isinstance(service, Reloadable):
                return self._outcome(False)
            started = time.perf_counter()
            try:
                fresh = service.reloaded(target)
            except BaseException:
                self._failed = target
                raise
            self.app.state.service = fresh
            self.app.openapi_schema = None  # it lists the loaded reports
            seconds = time.perf_counter() - started
            documents = fresh.info().documents
            logger.info(
                "serving index version %s (loaded in %.1f s): %s", target.name, seconds, documents
            )
            return self._outcome(True)

    def _outcome(self, reloaded: bool) -> ReloadOutcome:
        info = self.service.info()
        return ReloadOutcome(reloaded, info.index_version, info.documents)


class Watcher:
    """Calls `swap.reload()` every `interval` seconds on a daemon thread until stopped."""

    def __init__(self, swap: ServiceSwap, interval: float) -> None:
        self.swap = swap
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="index-watcher", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=self.interval + 30)  # a load in progress finishes first

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.swap.reload()
            except (ReportQAError, OSError, ValueError) as exc:
                logger.warning("new index version not served (the old one is): %s", exc)
            except Exception:
                logger.exception("new index version not served (the old one is)")


@contextmanager
def watching(app: FastAPI, settings: Settings) -> Iterator[ServiceSwap]:
    """`app.state.swap`, and its watcher running while the app serves (when the service
    can be reloaded and `reload_interval` is not 0)."""
    swap = ServiceSwap(app, settings.index_dir)
    app.state.swap = swap
    watcher = Watcher(swap, settings.reload_interval)
    if swap.supported and settings.reload_interval > 0:
        watcher.start()
    try:
        yield swap
    finally:
        watcher.stop()
