"""`reportqa bench`: its timing helper, the synthetic scaling corpus, and the real command."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from app.cli import main
from app.config import Settings
from eval.bench import QUERIES, Local, Timing, VariantRun, ratio_line, table, time_calls
from eval.bench_scale import synthetic_store as make_synthetic
from index.hybrid import HybridRetriever


def test_time_calls_warms_up_then_times_every_repeat() -> None:
    calls: list[str] = []
    timing = time_calls("fake", calls.append, ("a", "b"), repeat=3)
    assert calls == ["a", "b"] * 4  # one warm-up round, then three timed rounds
    assert timing.name == "fake" and 0 <= timing.p50_ms <= timing.p95_ms


@pytest.mark.slow
def test_synthetic_store_copies_the_report(real_service) -> None:  # type: ignore[no-untyped-def]
    store = real_service.store
    big = make_synthetic(store, copies=2)
    assert len(big) == 2 * len(store)
    assert big.manifest.documents == ("synthetic-0", "synthetic-1")
    assert len({c.chunk_id for c in big.chunks}) == len(big)
    assert big.sentences.offsets[-1] == 2 * store.sentences.offsets[-1]
    hits = HybridRetriever(big, real_service.retriever.embedder).search(QUERIES[0], 5)
    assert len(hits) == 5 and all(h.chunk.doc_id.startswith("synthetic-") for h in hits)


@pytest.mark.slow
def test_bench_command_prints_every_measurement(
    real_service, session_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """The configured backend only (its index is the session's), a real server under a small
    load, a cold `reportqa ask`, the library and 2 synthetic reports."""
    monkeypatch.setenv("REPORTQA_INDEX_DIR", str(session_settings.index_dir))
    monkeypatch.setenv("REPORTQA_CACHE_DIR", str(session_settings.cache_dir))
    name = f"{session_settings.embed_backend}-{session_settings.embed_precision}"
    name = name if name != "torch-fp32" else "torch"
    args = ["bench", "--backends", name, "--copies", "2", "--repeat", "1"]
    result = CliRunner().invoke(main, [*args, "--clients", "2", "--requests", "8"])
    assert result.exit_code == 0, result.output
    out = result.output
    number = r"\d+\.\d+"
    assert re.search(rf"model load \(s\)\s+{number}", out)
    assert re.search(rf"query encode p50 / p95 \(ms\)\s+{number} / {number}", out)
    assert re.search(rf"whole answer p50 / p95 \(ms\)\s+{number} / {number}", out)
    assert re.search(rf"serve: ready \(s\)\s+{number}", out)
    assert re.search(r"load, query cache off\s+\d+\.\d+/s p50 \d+ p99 \d+ err 0", out)
    assert re.search(r"load, query cache on\s+\d+\.\d+/s p50 \d+ p99 \d+ err 0", out)
    assert re.search(rf"reportqa ask, cold process \(s\)\s+{number}", out)
    assert re.search(r"library \(9 reports\): \d+ chunks \+ \d+ sentences, build \d+ s", out)
    assert f"2 synthetic reports: {2 * len(real_service.store)} chunks" in out
    assert f"hybrid query->results over {2 * len(real_service.store)} chunks" in out


def test_table_puts_backends_side_by_side() -> None:
    local = Local(
        1.0,
        Timing("q", 20.0, 30.0),
        10.0,
        Timing("h", 25, 35),
        Timing("a", 8, 20),
        Timing("c", 3, 5),
    )
    fast = Local(
        0.5, Timing("q", 5.0, 6.0), 40.0, Timing("h", 9, 11), Timing("a", 6, 9), Timing("c", 3, 5)
    )
    runs = [
        VariantRun("torch", local, None, None, None),
        VariantRun("onnx-int8", fast, None, None, 1.5),
    ]
    lines = table(runs)
    assert lines[0].split() == ["torch", "onnx-int8"]
    assert any(
        line.startswith("query encode") and "20.0 / 30.0" in line and "5.0 / 6.0" in line
        for line in lines
    )
    assert ratio_line(runs) == (
        "whole answer p50 / bare torch query encode p50 (20.0 ms): torch 0.40x, onnx-int8 0.30x"
    )
    assert ratio_line(runs[1:]) is None
