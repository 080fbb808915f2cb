"""`reportqa bench`: its timing helper, the synthetic scaling corpus, and the real command."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from app.cli import main
from app.config import Settings
from eval.bench import QUERIES, time_calls
from eval.bench import synthetic_store as make_synthetic
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
    monkeypatch.setenv("REPORTQA_INDEX_DIR", str(session_settings.index_dir))
    monkeypatch.setenv("REPORTQA_CACHE_DIR", str(session_settings.cache_dir))
    result = CliRunner().invoke(main, ["bench", "--copies", "2", "--repeat", "1"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert re.search(r"model load\s+\d+\.\d+ s", out)
    assert re.search(r"passage encode rate\s+\d+\.\d+ passages/s", out)
    assert re.search(r"query encode\s+p50\s+\d+\.\d+ ms\s+p95\s+\d+\.\d+ ms", out)
    assert f"[real report] {len(real_service.store)} chunks" in out
    assert f"[2 synthetic reports] {2 * len(real_service.store)} chunks" in out
    assert len(re.findall(r"hybrid query->results\s+p50\s+\d+\.\d+ ms", out)) == 2
