"""`evaluate` over the scripted service: metrics derived from the scripts, calls, timing, errors."""

from __future__ import annotations

import pytest

from eval.metrics import normalize
from eval.run import ALL_MODES, EvalResults, evaluate
from tests.eval.fakes_eval import CHUNKS, SCENARIO, Script, ScriptedService, item, scenario_service


def _expected_rank(evidence: tuple[str, ...], keys: tuple[str, ...], k: int) -> int | None:
    """Plain normalised containment (no evidence in the scenario straddles two passages)."""
    for rank, key in enumerate(keys[:k], start=1):
        text = normalize(CHUNKS[key].text)
        if any(normalize(ev) in text for ev in evidence):
            return rank
    return None


def _ranking(script: Script, mode: str) -> tuple[str, ...]:
    return script.ranking.get(mode, script.ranking.get("hybrid", ()))


@pytest.fixture(scope="module")
def results() -> EvalResults:
    items, service = scenario_service()
    return evaluate(items, service, ALL_MODES, k=5)


@pytest.mark.parametrize("mode", ALL_MODES)
def test_retrieval_metrics_follow_the_rankings(results: EvalResults, mode: str) -> None:
    ranks = [
        _expected_rank(it.evidence, _ranking(script, mode), 5)
        for it, script in SCENARIO
        if it.answerable
    ]
    m = results.retrieval[mode].overall
    assert m.answerable == len(ranks) == 4
    for cutoff in (1, 3, 5):
        assert m.hit_at[cutoff] == pytest.approx(
            sum(r is not None and r <= cutoff for r in ranks) / 4
        )
    assert m.mrr == pytest.approx(sum(1 / r for r in ranks if r) / 4)
    assert m.all_evidence is not None and 0 <= m.all_evidence <= (m.hit_at[5] or 0.0)


def test_modes_differ_in_the_scenario(results: EvalResults) -> None:
    hit1 = {mode: results.retrieval[mode].overall.hit_at[1] or 0.0 for mode in ALL_MODES}
    assert hit1["hybrid"] > hit1["dense"]
    assert (results.retrieval["bm25"].overall.hit_at[5] or 0.0) < 1.0


def test_answer_metrics(results: EvalResults) -> None:
    a = results.answers.overall
    assert (a.count, a.answerable) == (6, 4)
    assert a.answer_accuracy == pytest.approx(2 / 4)  # gdp, air
    assert a.false_refusal_rate == pytest.approx(1 / 4)  # liuwen
    assert a.refusal_accuracy == pytest.approx(1 / 2)  # y2022 refused, y2019 answered
    assert a.citation_support == pytest.approx(3 / 3)  # gdp, target, air cite evidence
    assert set(results.answers.by_type) == {it.type for it, _ in SCENARIO}
    assert results.answers.by_type["list"].answer_accuracy == 1.0


def test_failure_codes(results: EvalResults) -> None:
    codes = {r.item.id: r.failures() for r in results.items}
    assert codes["gdp"] == ()
    assert codes["target"] == ("wrong_answer", "retrieval_miss:bm25")
    assert codes["liuwen"] == ("false_refusal", "retrieval_miss:dense")
    assert codes["y2022"] == ()
    assert codes["y2019"] == ("missed_refusal",)
    assert [r.item.id for r in results.failed()] == ["target", "liuwen", "y2019"]


def test_cited_passages_in_document_order(results: EvalResults) -> None:
    air = next(r for r in results.items if r.item.id == "air")
    starts = [CHUNKS[p.chunk_id].start for p in air.answer.cited]
    assert [p.chunk_id for p in air.answer.cited] == ["review", "ecology"]
    assert starts == sorted(starts)
    assert air.answer.score.citation_ok
    assert [p.has_evidence for p in air.answer.cited] == [False, True]


def test_every_item_answered_once_and_searched_per_mode() -> None:
    items, service = scenario_service()
    evaluate(items, service, ("bm25", "hybrid"), k=3, warm_up=False)
    expected = [
        (op, it.question) for it in items for op in ("answer", "search:bm25", "search:hybrid")
    ]
    assert service.calls == expected


def test_warm_up_calls_come_first_and_are_not_records() -> None:
    items, service = scenario_service()
    results = evaluate(items, service, ("dense",), k=5)
    warm = [("answer", items[0].question), ("search:dense", items[0].question)]
    assert service.calls[:2] == warm
    assert len(service.calls) == 2 + 2 * len(items)
    assert len(results.items) == len(items)


def test_latency_is_measured() -> None:
    items, service = scenario_service(delay_s=0.004)
    results = evaluate(items[:3], service, ("hybrid",), k=5, warm_up=False)
    a, h = results.answers.overall, results.retrieval["hybrid"].overall
    assert a.latency_p50_ms is not None and a.latency_p95_ms is not None
    assert 4 <= a.latency_p50_ms <= a.latency_p95_ms
    assert h.latency_p50_ms is not None and h.latency_p50_ms >= 4
    assert all(r.answer.score.latency_ms >= 4 for r in results.items)
    assert results.duration_s >= 6 * 0.004


def test_rejected_question_is_a_refusal_with_the_error() -> None:
    long_q = item("long", "很长的问题" * 3, ("3.9%",), ("全年地区生产总值增长3.9%",))
    service = ScriptedService({long_q.question: Script("", reject=True)})
    results = evaluate([long_q], service, ALL_MODES, k=5)
    record = results.items[0]
    assert record.answer.refused and record.answer.error == "问题过长。"
    assert record.failures()[0] == "false_refusal"
    assert all(s.error and s.passages == () for s in record.searches.values())
    assert results.retrieval["hybrid"].overall.hit_at[1] == 0.0


def test_progress_callback_and_unknown_mode() -> None:
    items, service = scenario_service()
    seen: list[tuple[int, int]] = []
    evaluate(items, service, ("bm25",), progress=lambda d, t: seen.append((d, t)))
    assert seen == [(n, len(items)) for n in range(1, len(items) + 1)]
    with pytest.raises(ValueError, match="unknown search mode"):
        evaluate(items, service, ("sparse",))  # type: ignore[arg-type]


def test_hit_cutoffs_follow_k() -> None:
    items, service = scenario_service()
    results = evaluate(items, service, ("hybrid",), k=2, warm_up=False)
    assert list(results.retrieval["hybrid"].overall.hit_at) == [1, 2]
    assert all(len(r.searches["hybrid"].passages) <= 2 for r in results.items)
