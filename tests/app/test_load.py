"""eval/load.py (`reportqa load`): loopback-only, bounded, counts every failure; and the real
server under 32 concurrent clients answers everything without its memory creeping up."""

from __future__ import annotations

import json
import os
import random
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx
import numpy as np
import pytest
from click.testing import CliRunner

from app.config import REPO_ROOT, Settings
from app.models import Answer
from app.service import QAService
from eval.load import (
    LoadConfig,
    LoadError,
    listening_pid,
    load_cmd,
    loopback_url,
    percentile,
    read_questions,
    run_load,
)
from index.models import SearchMode
from tests.app.live import LiveServer, free_port

QUESTIONS = read_questions(REPO_ROOT / "eval" / "data" / "dev.jsonl")


def write_questions(path: Path, questions: list[str]) -> Path:
    path.write_text("\n".join(json.dumps({"question": q}, ensure_ascii=False) for q in questions))
    return path


# --- pure parts -----------------------------------------------------------------------------


def test_percentile_matches_numpy() -> None:
    values = [random.Random(7).uniform(1, 900) for _ in range(101)]
    for q in (0, 50, 90, 99, 100):
        assert percentile(values, q) == pytest.approx(float(np.percentile(values, q)))
    assert percentile([], 50) == 0.0


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.1:8000",
        "http://example.com",
        "http://0.0.0.0:8000",
        "http://127.0.0.1.example.com:8000",
        "https://192.168.1.2",
        "ftp://127.0.0.1/",
        "127.0.0.1:8000",
    ],
)
def test_only_loopback_urls_are_accepted(url: str) -> None:
    with pytest.raises(LoadError):
        loopback_url(url)


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8000/", "http://127.0.0.2:9", "http://[::1]:8000", "http://localhost"]
)
def test_loopback_urls_pass(url: str) -> None:
    assert loopback_url(url) == url.rstrip("/")


def test_cli_refuses_a_remote_url_with_a_clear_message() -> None:
    result = CliRunner().invoke(load_cmd, ["--url", "http://example.com:8000"])
    assert result.exit_code == 2
    assert "only loopback addresses" in result.output and "example.com" in result.output


def test_listening_pid_finds_the_process_that_listens() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        assert listening_pid(sock.getsockname()[1]) == os.getpid()
    assert listening_pid(free_port()) is None


# --- against the fake service ---------------------------------------------------------------


def test_load_against_a_live_server_counts_every_request(live_fake_server: LiveServer) -> None:
    config = LoadConfig(live_fake_server.url, clients=8, requests=48, duration_s=30, warmup=1)
    result = run_load(config, QUESTIONS)
    assert result.errors == 0, result.error_samples
    assert result.requests == 48 and result.clients == 8
    assert 0 < result.p50_ms <= result.p99_ms <= max(result.latencies_ms)
    assert result.requests_per_s > 0
    assert result.pid == os.getpid(), "the in-process server listens in this process"
    assert result.rss_before_mib and result.rss_after_mib
    lines = "\n".join(result.summary_lines())
    assert "48 requests" in lines and "0 errors" in lines and f"pid {os.getpid()}" in lines


def test_the_duration_bounds_the_run(live_fake_server: LiveServer) -> None:
    config = LoadConfig(live_fake_server.url, clients=4, requests=10**6, duration_s=1.0, warmup=1)
    result = run_load(config, QUESTIONS)
    assert result.errors == 0 and 0 < result.requests < 10**6
    assert result.seconds < 10


def test_failed_requests_are_errors_and_fail_the_cli(
    live_fake_server: LiveServer, tmp_path: Path
) -> None:
    # the fake service raises on this question: the server answers a JSON 500
    path = write_questions(tmp_path / "q.jsonl", ["六稳是什么？", "请触发内部错误"])
    args = ["--url", live_fake_server.url, "--clients", "4", "--requests", "20"]
    result = CliRunner().invoke(load_cmd, [*args, "--questions", str(path)])
    assert result.exit_code == 1
    assert "20 requests" in result.output and "10 errors" in result.output
    assert "error: HTTP 500" in result.output


def test_no_server_is_a_one_line_error() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    result = CliRunner().invoke(load_cmd, ["--url", url, "--requests", "1", "--timeout", "5"])
    assert result.exit_code == 1
    assert "start it with `reportqa serve`" in result.output
    assert len(result.output.strip().splitlines()) == 1


# --- the real service from many threads -----------------------------------------------------


def answer_key(answer: Answer) -> tuple[object, ...]:
    cited = tuple(c.hit.chunk.chunk_id for c in answer.citations)
    return answer.text, answer.refused, cited, tuple(h.chunk.chunk_id for h in answer.passages)


MODES: tuple[SearchMode, ...] = ("hybrid", "bm25", "dense")


def ranked_ids(service: QAService, query: str, mode: SearchMode) -> list[str]:
    return [hit.chunk.chunk_id for hit in service.search(query, 5, mode)]


@pytest.mark.slow
def test_the_real_service_is_thread_safe(real_service: QAService) -> None:
    """FastAPI runs /api/ask in a thread pool with no lock: encode (sentence-transformers,
    tokenizers), jieba, numpy and FAISS must give the serial results from 8 threads."""
    questions = QUESTIONS[:16]
    searches = [(q, mode) for q in questions for mode in MODES]
    serial = [answer_key(real_service.answer(q)) for q in questions]
    serial_hits = [ranked_ids(real_service, q, mode) for q, mode in searches]
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda q: answer_key(real_service.answer(q)), questions * 2))
        hits = list(pool.map(lambda s: ranked_ids(real_service, *s), searches))
    assert answers == serial * 2
    assert hits == serial_hits


# --- the real server, as `reportqa serve` runs it -------------------------------------------


def served_env(settings: Settings) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("REPORTQA_")}
    env.update(
        REPORTQA_INDEX_DIR=str(settings.index_dir),
        REPORTQA_CACHE_DIR=str(settings.cache_dir),
        REPORTQA_CORPUS_DIR=str(settings.corpus_dir),
        REPORTQA_EMBED_BACKEND=settings.embed_backend,
        REPORTQA_EMBED_PRECISION=settings.embed_precision,
        REPORTQA_LOG_LEVEL="WARNING",
        PYTHONPATH=str(REPO_ROOT),
    )
    return env


def wait_until_healthy(url: str, proc: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"`reportqa serve` exited with status {proc.returncode}")
        try:
            if httpx.get(f"{url}/api/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"`reportqa serve` did not answer within {timeout} s")


@contextmanager
def real_server(settings: Settings, log_path: Path) -> Iterator[tuple[str, int]]:
    """`reportqa serve` in a subprocess on a free loopback port: (url, pid)."""
    port = free_port()
    command = [sys.executable, "-c", "from app.cli import main; main()", "serve"]
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [*command, "--host", "127.0.0.1", "--port", str(port)],
            env=served_env(settings),
            cwd=REPO_ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            url = f"http://127.0.0.1:{port}"
            wait_until_healthy(url, proc, timeout=240)
            yield url, proc.pid
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=20)


@pytest.mark.slow
def test_real_server_serves_32_clients_without_errors_or_memory_creep(
    session_settings: Settings, real_service: QAService, tmp_path: Path
) -> None:
    assert real_service.info().chunk_count > 0  # the session index exists; the server loads it
    with real_server(session_settings, tmp_path / "serve.log") as (url, pid):
        config = LoadConfig(url, clients=32, requests=128, duration_s=120, pid=pid)
        first = run_load(config, QUESTIONS)
        second = run_load(config, QUESTIONS)
        libraries = Path(f"/proc/{pid}/maps").read_text()
    for result in (first, second):
        print("\n".join(result.summary_lines()))
        assert result.errors == 0, result.error_samples
        assert result.requests == 128
        assert result.rss_before_mib is not None and result.rss_after_mib is not None
    assert first.rss_after_mib is not None and second.rss_after_mib is not None
    # the first round grows the worker threads' arenas; after that memory must level off
    assert second.rss_after_mib - first.rss_after_mib < 0.1 * first.rss_after_mib
    if session_settings.embed_backend == "onnx":  # the model converted: torch never loads
        assert "libtorch" not in libraries and "onnxruntime" in libraries
