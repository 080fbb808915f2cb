"""`reportqa load`: a bounded load test of a Report QA server running on loopback.

`clients` threads, each with its own keep-alive HTTP connection, POST questions to
`/api/ask` until `requests` answers were asked for or `duration` seconds have passed.
Printed: errors (any non-200, unparsable body or transport error), p50/p99 latency,
requests/s and the server's resident memory before and after the run.

Only loopback URLs are accepted: this measures our own server, it is not a traffic tool.
"""

from __future__ import annotations

import ipaddress
import json
import os
import socket
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlsplit

import click
import httpx

from eval import metrics
from ingest.errors import ReportQAError

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "http://127.0.0.1:8000"
DEFAULT_QUESTIONS = REPO_ROOT / "eval" / "data" / "dev.jsonl"
ASK_PATH = "/api/ask"
MAX_CLIENTS = 256
MAX_ERROR_SAMPLES = 5


class LoadError(ReportQAError):
    """The load test cannot run: a non-loopback URL, no server, or a bad questions file."""


@dataclass(frozen=True)
class LoadConfig:
    url: str
    clients: int = 32
    requests: int = 640
    duration_s: float = 60.0
    timeout_s: float = 60.0
    warmup: int = 4  # sequential asks of the first question before measuring (not counted)
    pid: int | None = None  # server process for RSS; found from the port when None


@dataclass(frozen=True)
class LoadResult:
    clients: int
    errors: int
    seconds: float
    latencies_ms: tuple[float, ...]
    error_samples: tuple[str, ...]
    pid: int | None
    rss_before_mib: float | None
    rss_after_mib: float | None
    server_cpu_s: float | None = None  # CPU time the server used during the run

    @property
    def requests(self) -> int:
        return len(self.latencies_ms)

    @property
    def p50_ms(self) -> float:
        return percentile(self.latencies_ms, 50)

    @property
    def p99_ms(self) -> float:
        return percentile(self.latencies_ms, 99)

    @property
    def requests_per_s(self) -> float:
        return self.requests / self.seconds if self.seconds > 0 else 0.0

    def summary_lines(self) -> list[str]:
        lines = [
            f"load: {self.clients} clients, {self.requests} requests in {self.seconds:.1f} s, "
            f"{self.errors} errors",
            f"latency: p50 {self.p50_ms:.1f} ms, p99 {self.p99_ms:.1f} ms, "
            f"max {max(self.latencies_ms, default=0.0):.1f} ms",
            f"throughput: {self.requests_per_s:.2f} requests/s",
            _rss_line(self.pid, self.rss_before_mib, self.rss_after_mib),
        ]
        if self.server_cpu_s is not None and self.requests:
            per_request = self.server_cpu_s * 1000 / self.requests
            lines.append(f"server CPU: {self.server_cpu_s:.1f} s, {per_request:.1f} ms per request")
        return lines + [f"error: {sample}" for sample in self.error_samples]


def _rss_line(pid: int | None, before: float | None, after: float | None) -> str:
    if pid is None or before is None or after is None:
        return "server RSS: unknown (pass --pid to measure it)"
    return (
        f"server RSS (pid {pid}): before {before:.1f} MiB, after {after:.1f} MiB "
        f"({after - before:+.1f} MiB)"
    )


def percentile(values: Sequence[float], q: float) -> float:
    """`eval.metrics.percentile`, 0.0 when nothing was measured (a run without answers)."""
    return metrics.percentile(values, q) if values else 0.0


# --- the target -----------------------------------------------------------------------------


def loopback_url(url: str) -> str:
    """`url` without a trailing slash; LoadError unless it is http(s) on a loopback address."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.scheme not in ("http", "https") or not host:
        raise LoadError(f"not an http(s) URL: {url!r} (expected e.g. {DEFAULT_URL})")
    if not _is_loopback(host):
        raise LoadError(
            f"refusing to load-test {host!r}: only loopback addresses (127.0.0.1, ::1, "
            "localhost) are accepted"
        )
    return url.rstrip("/")


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        pass
    if host.lower() != "localhost":
        return False
    try:
        infos = socket.getaddrinfo(host, None)
    except OSError:
        return False
    return bool(infos) and all(ipaddress.ip_address(info[4][0]).is_loopback for info in infos)


def read_questions(path: Path) -> list[str]:
    """The `question` of every JSON line of `path` (the evaluation sets' format)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise LoadError(f"cannot read questions from {path}: {exc}") from None
    questions = []
    for lineno, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            question = json.loads(line)["question"]
        except (ValueError, KeyError, TypeError):
            raise LoadError(f"{path}:{lineno}: expected a JSON object with a 'question'") from None
        questions.append(str(question))
    if not questions:
        raise LoadError(f"{path}: no questions")
    return questions


# --- server memory (Linux /proc) ------------------------------------------------------------


def listening_pid(port: int) -> int | None:
    """The process listening on TCP `port`, when /proc lets us see it."""
    inodes = _listening_inodes(port)
    if not inodes:
        return None
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and _holds_socket(entry, inodes):
            return int(entry.name)
    return None


def _listening_inodes(port: int) -> set[str]:
    inodes: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            rows = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            if len(fields) > 9 and fields[3] == "0A" and int(fields[1].split(":")[1], 16) == port:
                inodes.add(fields[9])
    return inodes


def _holds_socket(proc: Path, inodes: set[str]) -> bool:
    try:
        fds = list((proc / "fd").iterdir())
    except OSError:  # gone, or not ours to look at
        return False
    return any(_socket_inode(fd) in inodes for fd in fds)


def _socket_inode(fd: Path) -> str | None:
    try:
        link = os.readlink(fd)
    except OSError:  # closed meanwhile
        return None
    return link[8:-1] if link.startswith("socket:[") else None


def rss_mib(pid: int | None, field: str = "VmRSS") -> float | None:
    """Resident set size of `pid` in MiB (from /proc/<pid>/status), None when unknown;
    `field="VmHWM"` gives the peak so far."""
    if pid is None:
        return None
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        return None
    return None


def cpu_seconds(pid: int | None) -> float | None:
    """User + system CPU time of `pid` so far (from /proc/<pid>/stat), None when unknown."""
    if pid is None:
        return None
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


# --- the run --------------------------------------------------------------------------------


class _Run:
    """Shared state of one run: the request budget, the deadline and the outcomes."""

    def __init__(self, config: LoadConfig, questions: Sequence[str]) -> None:
        self.config = config
        self.questions = questions
        self.lock = threading.Lock()
        self.issued = 0
        self.deadline = 0.0
        self.latencies: list[float] = []
        self.errors: list[str] = []

    def next_index(self) -> int | None:
        with self.lock:
            if self.issued >= self.config.requests or time.monotonic() >= self.deadline:
                return None
            self.issued += 1
            return self.issued - 1

    def record(self, started: float, error: str | None) -> None:
        with self.lock:
            self.latencies.append((time.perf_counter() - started) * 1000)
            if error is not None:
                self.errors.append(error)

    def worker(self) -> None:
        with _client(self.config) as client:
            while (index := self.next_index()) is not None:
                started = time.perf_counter()
                self.record(started, ask_once(client, self.questions[index % len(self.questions)]))


def _client(config: LoadConfig) -> httpx.Client:
    return httpx.Client(base_url=config.url, timeout=config.timeout_s, follow_redirects=False)


def ask_once(client: httpx.Client, question: str) -> str | None:
    """None when the server answered with a 200 and an answer body, else what went wrong."""
    try:
        response = client.post(ASK_PATH, json={"question": question})
        if response.status_code == 200 and "answer" in response.json():
            return None
        return f"HTTP {response.status_code}: {response.text[:200]}"
    except (httpx.HTTPError, ValueError) as exc:
        return f"{type(exc).__name__}: {exc}"


def _warm_up(config: LoadConfig, question: str) -> None:
    with _client(config) as client:
        for _ in range(max(config.warmup, 1)):
            error = ask_once(client, question)
            if error is not None:
                raise LoadError(
                    f"the server at {config.url} does not answer {ASK_PATH} ({error}); "
                    "start it with `reportqa serve`"
                )


def run_load(config: LoadConfig, questions: Sequence[str]) -> LoadResult:
    """Warm up, then run `config.clients` concurrent clients; measure the server's RSS around it."""
    config = replace(config, url=loopback_url(config.url))
    if not questions:
        raise LoadError("no questions to ask")
    _warm_up(config, questions[0])
    pid = config.pid or listening_pid(urlsplit(config.url).port or 80)
    rss_before, cpu_before = rss_mib(pid), cpu_seconds(pid)
    run = _Run(config, questions)
    started = time.perf_counter()
    run.deadline = time.monotonic() + config.duration_s
    with ThreadPoolExecutor(max_workers=config.clients, thread_name_prefix="load") as pool:
        for future in [pool.submit(run.worker) for _ in range(config.clients)]:
            future.result()
    seconds = time.perf_counter() - started
    cpu_after = cpu_seconds(pid)
    return LoadResult(
        clients=config.clients,
        errors=len(run.errors),
        seconds=seconds,
        latencies_ms=tuple(run.latencies),
        error_samples=tuple(run.errors[:MAX_ERROR_SAMPLES]),
        pid=pid,
        rss_before_mib=rss_before,
        rss_after_mib=rss_mib(pid),
        server_cpu_s=None if cpu_before is None or cpu_after is None else cpu_after - cpu_before,
    )


# --- CLI ------------------------------------------------------------------------------------


def _check_url(ctx: click.Context, param: click.Parameter, value: str) -> str:
    try:
        return loopback_url(value)
    except LoadError as exc:
        raise click.BadParameter(str(exc)) from None


@click.command("load")
@click.option(
    "--url", default=DEFAULT_URL, show_default=True, callback=_check_url, help="Server (loopback)."
)
@click.option("--clients", default=32, show_default=True, type=click.IntRange(1, MAX_CLIENTS))
@click.option(
    "--requests",
    "n_requests",
    default=640,
    show_default=True,
    type=click.IntRange(1, 1_000_000),
    help="Stop after this many requests.",
)
@click.option(
    "--duration",
    default=60.0,
    show_default=True,
    type=click.FloatRange(0.1, 3600),
    help="Stop after this many seconds.",
)
@click.option("--timeout", default=60.0, show_default=True, type=click.FloatRange(0.1, 600))
@click.option(
    "--questions",
    default=DEFAULT_QUESTIONS,
    show_default=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="JSONL file with a 'question' per line.",
)
@click.option("--pid", type=click.IntRange(1), default=None, help="Server pid for RSS.")
def load_cmd(
    url: str,
    clients: int,
    n_requests: int,
    duration: float,
    timeout: float,
    questions: Path,
    pid: int | None,
) -> None:
    """Load-test POST /api/ask of a server on loopback; exit 1 on any error."""
    config = LoadConfig(url, clients, n_requests, duration, timeout, pid=pid)
    try:
        result = run_load(config, read_questions(questions))
    except LoadError as exc:
        raise click.ClickException(str(exc)) from None
    for line in result.summary_lines():
        click.echo(line)
    if result.errors:
        raise click.ClickException(f"{result.errors} of {result.requests} requests failed")
