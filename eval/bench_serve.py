"""The serving half of `reportqa bench`: a real `reportqa serve` process per backend.

Time to ready (process start to the first 200 from /api/health, index and model on disk),
resident memory at ready and at its peak, `reportqa load` against it, and a cold
`reportqa ask` process.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from eval.load import LoadConfig, LoadResult, rss_mib, run_load

REPO_ROOT = Path(__file__).resolve().parent.parent
CLI = [sys.executable, "-c", "from app.cli import main; main()"]


@dataclass(frozen=True)
class ServeResult:
    ready_s: float
    rss_ready_mib: float | None
    load: LoadResult
    peak_rss_mib: float | None  # VmHWM after the load run


def cli_env(overrides: dict[str, str]) -> dict[str, str]:
    """This environment without REPORTQA_* settings, plus `overrides`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("REPORTQA_")}
    return env | {"PYTHONPATH": str(REPO_ROOT), "REPORTQA_LOG_LEVEL": "WARNING"} | overrides


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def running_server(env: dict[str, str], timeout_s: float = 300) -> Iterator[tuple[str, int, float]]:
    """`reportqa serve` on a free loopback port: (url, pid, seconds until it answered)."""
    port = free_port()
    started = time.perf_counter()
    proc = subprocess.Popen(
        [*CLI, "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        cwd=REPO_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        _wait_healthy(url, proc, started + timeout_s)
        yield url, proc.pid, time.perf_counter() - started
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=20)


def _wait_healthy(url: str, proc: subprocess.Popen[bytes], deadline: float) -> None:
    with httpx.Client(timeout=2) as client:
        while time.perf_counter() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"`reportqa serve` exited with status {proc.returncode}")
            try:
                if client.get(f"{url}/api/health").status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.02)
    raise RuntimeError("`reportqa serve` did not become ready in time")


def wait_for_ui(url: str, timeout_s: float = 120) -> str:
    """Wait while `/api/health` says the UI is still being built (app/ui_late.py: Gradio's
    build holds the GIL for seconds after the API is ready); the UI's state at the end."""
    deadline = time.perf_counter() + timeout_s
    state = "loading"
    with httpx.Client(timeout=5) as client:
        while state == "loading" and time.perf_counter() < deadline:
            state = str(client.get(f"{url}/api/health").json().get("ui", "off"))
            if state == "loading":
                time.sleep(0.1)
    return state


def measure_server(
    env: dict[str, str], questions: Sequence[str], clients: int, requests: int
) -> ServeResult:
    with running_server(env) as (url, pid, ready_s):
        rss_ready = rss_mib(pid)
        wait_for_ui(url)  # the load measures serving, not the start's last work
        config = LoadConfig(url, clients=clients, requests=requests, duration_s=60, pid=pid)
        load = run_load(config, questions)
        return ServeResult(ready_s, rss_ready, load, rss_mib(pid, "VmHWM"))


def cold_ask_seconds(env: dict[str, str], question: str) -> float:
    """Wall time of one `reportqa ask` process (model and index on disk)."""
    started = time.perf_counter()
    subprocess.run([*CLI, "ask", question], env=env, cwd=REPO_ROOT, check=True, capture_output=True)
    return time.perf_counter() - started
