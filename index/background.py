"""Run a loading step on a daemon thread and get its result (or its exception) later.

Daemon threads, unlike a ThreadPoolExecutor's, do not keep the process alive: Ctrl-C while
something loads stops the program soon instead of waiting for the program's work. At exit
the interpreter waits (at most `EXIT_WAIT_S`) for loads still running: a load inside native
code (an ONNX Runtime session being built) aborts the process ("terminate called without an
active exception") if the interpreter is torn down under it.
"""

from __future__ import annotations

import atexit
import threading
from collections.abc import Callable
from concurrent.futures import Future, wait
from typing import Any, TypeVar

T = TypeVar("T")

EXIT_WAIT_S = 30.0
_running: set[Future[Any]] = set()
_lock = threading.Lock()


def in_background(fn: Callable[[], T], name: str) -> Future[T]:
    future: Future[T] = Future()

    def run() -> None:
        try:
            future.set_result(fn())
        except BaseException as exc:  # handed to whoever waits for the result
            future.set_exception(exc)
        finally:
            with _lock:
                _running.discard(future)

    with _lock:
        _running.add(future)
    threading.Thread(target=run, name=name, daemon=True).start()
    return future


@atexit.register
def _wait_for_loads() -> None:
    with _lock:
        running = list(_running)
    if running:
        wait(running, timeout=EXIT_WAIT_S)
