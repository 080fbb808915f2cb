"""in_background: the result or the exception comes back; the thread never holds up exit."""

from __future__ import annotations

import threading

import pytest

from index.background import in_background


def test_the_result_and_the_exception_come_back() -> None:
    assert in_background(lambda: 6 * 7, "answer").result(timeout=5) == 42

    def fail() -> int:
        raise ValueError("broken model file")

    with pytest.raises(ValueError, match="broken model file"):
        in_background(fail, "failing").result(timeout=5)


def test_the_thread_is_a_daemon_with_its_name() -> None:
    release = threading.Event()
    future = in_background(lambda: release.wait(5), "loading-something")
    thread = next(t for t in threading.enumerate() if t.name == "loading-something")
    assert thread.daemon
    release.set()
    assert future.result(timeout=5) is True
