"""in_background: the result or the exception comes back; at exit a load still running is
waited for (native code torn down under it aborts the process)."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

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


def test_exit_waits_for_a_load_in_native_code(onnx_fp32_embedder) -> None:  # type: ignore[no-untyped-def]
    """A process that exits while an ONNX Runtime session is being built ends normally."""
    model = Path(onnx_fp32_embedder.folder) / "model.onnx"
    code = (
        "import onnxruntime\n"  # imported: the thread goes straight into building the session
        "from index.background import in_background\n"
        "from index.onnx_embedder import _session\n"
        f"in_background(lambda: _session({str(model)!r}, 2), 'late-session')\n"
        "print('leaving')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "leaving" and "terminate called" not in done.stderr
