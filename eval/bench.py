"""`reportqa bench`: speed on this machine, every embedder backend side by side in one run.

Per backend (torch fp32, ONNX fp32, ONNX int8), each over an index it built: model load,
bare query encode, passage encode rate, hybrid query->results, whole answers (every
question encoded, and again from the query cache), then a real `reportqa serve` under
`reportqa load` (cache off, then on), its time to ready and memory, and a cold
`reportqa ask`. Then, for the configured backend, build time of the library and of
synthetic reports, and hybrid search over the synthetic ones.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import click

from app.config import REPO_ROOT, Settings
from eval.bench_scale import encode_rates, library_build, synthetic_build
from eval.bench_serve import ServeResult, cli_env, cold_ask_seconds, measure_server
from eval.load import read_questions
from eval.metrics import percentile
from index.embedder import Embedder
from index.hybrid import HybridRetriever
from index.query_cache import CachedQueryEmbedder
from index.store import IndexStore, passage_text

QUERIES = (
    "2020年地区生产总值增长了多少？",
    "六稳是指什么？",
    "2021年城镇新增就业目标是多少？",
    "十四五时期的主要目标有哪些？",
    "如何推进乡村振兴？",
    "What was the GDP growth rate in 2020?",
    "盐帮菜和灯会的文旅发展",
    "新冠肺炎疫情防控取得了哪些成果？",
)
VARIANTS = {
    "torch": ("torch", "fp32"),
    "onnx-fp32": ("onnx", "fp32"),
    "onnx-int8": ("onnx", "int8"),
}
QUESTIONS = REPO_ROOT / "eval" / "data" / "dev.jsonl"
LIBRARY = (REPO_ROOT / "data" / "library", REPO_ROOT / "data" / "corpus")
PASSAGE_SAMPLE = 32  # chunk passages timed for the encode rate


@dataclass(frozen=True)
class Timing:
    name: str
    p50_ms: float
    p95_ms: float


def time_calls(
    name: str, fn: Callable[[str], object], queries: Sequence[str], repeat: int
) -> Timing:
    for q in queries:  # warm-up: lazy initialisation is not what a query costs
        fn(q)
    samples = []
    for _ in range(repeat):
        for q in queries:
            t = time.perf_counter()
            fn(q)
            samples.append((time.perf_counter() - t) * 1000)
    return Timing(name, percentile(samples, 50), percentile(samples, 95))


@dataclass(frozen=True)
class Local:
    """What one process measures with a loaded model and index."""

    load_s: float
    query: Timing
    passages_per_s: float
    hybrid: Timing
    answer: Timing  # every question encoded (the query cache off)
    answer_cached: Timing  # the same questions again, their vectors from the query cache


@dataclass(frozen=True)
class VariantRun:
    name: str
    local: Local
    serve_uncached: ServeResult | None
    serve: ServeResult | None
    ask_s: float | None


def variant_settings(settings: Settings, name: str) -> Settings:
    """`settings` with the backend of `name`; its own index unless it is the configured one."""
    backend, precision = VARIANTS[name]
    configured = (settings.embed_backend, settings.embed_precision) == (backend, precision)
    index_dir = settings.index_dir
    if not configured:
        index_dir = settings.index_dir.parent / ".bench" / f"index-{name}"
    update = {"embed_backend": backend, "embed_precision": precision, "index_dir": index_dir}
    return settings.model_copy(update=update)


def measure_local(
    settings: Settings, questions: Sequence[str], repeat: int
) -> tuple[Local, Embedder, IndexStore]:
    from app.factory import build_embedder, build_service

    started = time.perf_counter()
    embedder = build_embedder(settings, progress=True)
    load_s = time.perf_counter() - started
    uncached = settings.model_copy(update={"query_cache_size": 0})
    service = build_service(uncached, embedder=embedder, progress=True)
    if settings.embed_backend == "torch":  # as `reportqa serve` runs it; ONNX runs use one too
        import torch

        torch.set_num_threads(1)
    texts = [passage_text(c) for c in service.store.chunks[:PASSAGE_SAMPLE]]
    embedder.encode_passages(texts[:1])  # passages load ONNX's full tokenizer: not timed
    started = time.perf_counter()
    embedder.encode_passages(texts)
    rate = len(texts) / (time.perf_counter() - started)
    query = time_calls("query encode", lambda q: embedder.encode_queries([q]), QUERIES, repeat)
    hybrid = time_calls("hybrid", lambda q: service.search(q, 5), QUERIES, repeat)
    answer = time_calls("answer", service.answer, questions, 1)
    service.retriever.embedder = CachedQueryEmbedder(embedder, 1024)
    cached = time_calls("answer, cached", service.answer, questions, 1)
    return Local(load_s, query, rate, hybrid, answer, cached), embedder, service.store


def measure_serving(
    settings: Settings, questions: Sequence[str], clients: int, requests: int
) -> tuple[ServeResult, ServeResult, float]:
    env = cli_env(
        {
            "REPORTQA_INDEX_DIR": str(settings.index_dir),
            "REPORTQA_CACHE_DIR": str(settings.cache_dir),
            "REPORTQA_CORPUS_DIR": str(settings.corpus_dir),
            "REPORTQA_EMBED_BACKEND": settings.embed_backend,
            "REPORTQA_EMBED_PRECISION": settings.embed_precision,
        }
    )
    off = measure_server(env | {"REPORTQA_QUERY_CACHE_SIZE": "0"}, questions, clients, requests)
    on = measure_server(env, questions, clients, requests)
    return off, on, cold_ask_seconds(env, QUERIES[1])


# ----------------------------------------------------------------------------- the table


def _ms(t: Timing) -> str:
    return f"{t.p50_ms:.1f} / {t.p95_ms:.1f}"


def _load(s: ServeResult | None) -> str:
    if s is None:
        return "-"
    r = s.load
    return f"{r.requests_per_s:.1f}/s p50 {r.p50_ms:.0f} p99 {r.p99_ms:.0f} err {r.errors}"


def _mib(value: float | None) -> str:
    return "?" if value is None else f"{value:.0f}"


def _rss(s: ServeResult | None) -> str:
    if s is None:
        return "-"
    r = s.load
    return f"{_mib(r.rss_before_mib)} -> {_mib(r.rss_after_mib)} (peak {_mib(s.peak_rss_mib)})"


ROWS: tuple[tuple[str, Callable[[VariantRun], str]], ...] = (
    ("model load (s)", lambda r: f"{r.local.load_s:.2f}"),
    ("query encode p50 / p95 (ms)", lambda r: _ms(r.local.query)),
    ("passage encode (passages/s)", lambda r: f"{r.local.passages_per_s:.1f}"),
    ("hybrid query->results p50 / p95 (ms)", lambda r: _ms(r.local.hybrid)),
    ("whole answer p50 / p95 (ms)", lambda r: _ms(r.local.answer)),
    ("whole answer, cached vector (ms)", lambda r: _ms(r.local.answer_cached)),
    ("serve: ready (s)", lambda r: f"{r.serve.ready_s:.2f}" if r.serve else "-"),
    ("serve: RSS at ready (MiB)", lambda r: _mib(r.serve.rss_ready_mib) if r.serve else "-"),
    ("load, query cache off", lambda r: _load(r.serve_uncached)),
    ("  RSS before -> after (MiB)", lambda r: _rss(r.serve_uncached)),
    ("load, query cache on", lambda r: _load(r.serve)),
    ("  RSS before -> after (MiB)", lambda r: _rss(r.serve)),
    ("reportqa ask, cold process (s)", lambda r: f"{r.ask_s:.2f}" if r.ask_s else "-"),
)


def table(runs: Sequence[VariantRun]) -> list[str]:
    width = max(len(label) for label, _ in ROWS)
    cells = [[cell(r) for r in runs] for _, cell in ROWS]
    col = max([len(r.name) for r in runs] + [len(c) for row in cells for c in row])
    lines = [" " * width + "".join(f"  {r.name:>{col}}" for r in runs)]
    for (label, _), row in zip(ROWS, cells, strict=True):
        lines.append(f"{label:<{width}}" + "".join(f"  {c:>{col}}" for c in row))
    return lines


def ratio_line(runs: Sequence[VariantRun]) -> str | None:
    torch = next((r for r in runs if r.name == "torch"), None)
    if torch is None:
        return None
    base = torch.local.query.p50_ms
    parts = [f"{r.name} {r.local.answer.p50_ms / base:.2f}x" for r in runs]
    return f"whole answer p50 / bare torch query encode p50 ({base:.1f} ms): " + ", ".join(parts)


# ----------------------------------------------------------------------------- the command


def run_variant(
    settings: Settings, name: str, questions: Sequence[str], options: dict[str, int]
) -> tuple[VariantRun, Embedder, IndexStore]:
    click.echo(f"[{name}] measuring ...", err=True)
    variant = variant_settings(settings, name)
    local, embedder, store = measure_local(variant, questions, options["repeat"])
    serving = None
    if options["clients"]:
        serving = measure_serving(variant, questions, options["clients"], options["requests"])
    off, on, ask = serving if serving else (None, None, None)
    return VariantRun(name, local, off, on, ask), embedder, store


def measure_scaling(
    settings: Settings, embedder: Embedder, store: IndexStore, copies: int, real: bool
) -> None:
    files = sorted(p for d in LIBRARY for p in d.glob("*.txt"))
    library = library_build(files, embedder, settings.cache_dir, settings.max_tokens, real)
    click.echo(library.line())
    big, build = synthetic_build(store, copies, encode_rates(embedder, store.chunks))
    click.echo(build.line())
    retriever = HybridRetriever(big, embedder)
    hybrid = time_calls("hybrid", lambda q: retriever.search(q, 5), QUERIES, 2)
    click.echo(f"hybrid query->results over {len(big)} chunks: p50 / p95 {_ms(hybrid)} ms")


@click.command("bench")
@click.option("--backends", default="torch,onnx-fp32,onnx-int8", show_default=True)
@click.option("--copies", default=100, show_default=True, type=click.IntRange(1, 1000))
@click.option("--repeat", default=3, show_default=True, type=click.IntRange(1, 100))
@click.option("--clients", default=16, show_default=True, type=click.IntRange(0, 256))
@click.option("--requests", default=240, show_default=True, type=click.IntRange(1, 100_000))
@click.option("--library", "real_library", is_flag=True, help="Really encode the library.")
def bench_cmd(
    backends: str, copies: int, repeat: int, clients: int, requests: int, real_library: bool
) -> None:
    """Speed of every backend side by side (--clients 0 skips the server runs)."""
    from app.config import get_settings

    settings = get_settings()
    names = [n.strip() for n in backends.split(",") if n.strip()]
    unknown = [n for n in names if n not in VARIANTS]
    if unknown or not names:
        raise click.BadParameter(f"choose from {', '.join(VARIANTS)}", param_hint="--backends")
    questions = read_questions(QUESTIONS)
    options = {"repeat": repeat, "clients": clients, "requests": requests}
    configured = (settings.embed_backend, settings.embed_precision)
    scale = next((n for n in names if VARIANTS[n] == configured), names[0])
    runs = []
    for name in names:
        run, embedder, store = run_variant(settings, name, questions, options)
        runs.append(run)
        if name == scale:
            kept = (embedder, store)
        del embedder, store
        gc.collect()
    for line in table(runs):
        click.echo(line)
    if (ratio := ratio_line(runs)) is not None:
        click.echo(ratio)
    click.echo(f"[scaling, {scale}]")
    measure_scaling(settings, *kept, copies, real_library)
