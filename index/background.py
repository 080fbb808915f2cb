"""Run a loading step on a daemon thread and get its result (or its exception) later.

Daemon threads, unlike a ThreadPoolExecutor's, do not keep the process alive: Ctrl-C while
something loads stops the program at once instead of waiting for the load to finish.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import TypeVar

T = TypeVar("T")


def in_background(fn: Callable[[], T], name: str) -> Future[T]:
    future: Future[T] = Future()

    def run() -> None:
        try:
            future.set_result(fn())
        except BaseException as exc:  # handed to whoever waits for the result
            future.set_exception(exc)

    threading.Thread(target=run, name=name, daemon=True).start()
    return future
