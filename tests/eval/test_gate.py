"""Baseline gate: gated metrics, baseline files, data-file binding, comparison verdicts."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from pathlib import Path

import pytest

from eval.gate import (
    Baseline,
    BaselineError,
    baseline_from_dict,
    check_compatible,
    compare,
    format_gate,
    gated_metrics,
    gates,
    make_baseline,
    read_baseline,
    write_baseline,
)
from eval.run import EvalResults, evaluate
from index.manifest import file_sha256
from tests.eval.fakes_eval import scenario_service

SHA = "a" * 64


@pytest.fixture(scope="module")
def results() -> EvalResults:
    items, service = scenario_service()
    return evaluate(items, service, ("bm25", "hybrid"), k=5, warm_up=False)


@pytest.fixture()
def baseline(results: EvalResults) -> Baseline:
    return make_baseline(results, "test.jsonl", SHA, git_commit="abc123")


def _with(baseline: Baseline, **metrics: float | None) -> Baseline:
    return replace(baseline, metrics={**baseline.metrics, **metrics})


def test_gated_metrics_come_from_hybrid_and_answers(results: EvalResults) -> None:
    gated = gated_metrics(results)
    hybrid, answers = results.retrieval["hybrid"].overall, results.answers.overall
    assert list(gated) == [g.name for g in gates(5)]
    assert gated["hybrid.hit@1"] == hybrid.hit_at[1]
    assert gated["hybrid.hit@5"] == hybrid.hit_at[5]
    assert gated["hybrid.mrr@5"] == hybrid.mrr
    assert gated["answer.accuracy"] == answers.answer_accuracy
    assert gated["answer.false_refusal_rate"] == answers.false_refusal_rate


def test_gated_hybrid_metrics_are_none_without_hybrid() -> None:
    items, service = scenario_service()
    gated = gated_metrics(evaluate(items, service, ("bm25",), warm_up=False))
    assert gated["hybrid.hit@1"] is None and gated["answer.accuracy"] is not None


def test_baseline_round_trip(tmp_path: Path, baseline: Baseline) -> None:
    path = write_baseline(tmp_path / "sub" / "baseline.json", baseline)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["data"] == {"name": "test.jsonl", "sha256": SHA}
    assert data["model"] == "fake-scripted" and data["git_commit"] == "abc123"
    assert read_baseline(path) == baseline


def test_same_run_passes(baseline: Baseline, results: EvalResults) -> None:
    report = compare(baseline, gated_metrics(results), tolerance=0.02)
    assert report.passed and report.regressions() == ()
    # items that name no report: the wrong- and other-report rates are not measured
    per_report = {"answer.wrong_report_rate", "answer.other_report_rate"}
    verdicts = {r.gate.name: r.verdict for r in report.rows}
    assert {verdicts[name] for name in per_report} == {"n/a"}
    assert {v for name, v in verdicts.items() if name not in per_report} == {"ok"}


def test_drop_beyond_tolerance_is_a_regression(baseline: Baseline, results: EvalResults) -> None:
    now = gated_metrics(results)
    acc = now["answer.accuracy"]
    assert acc is not None
    within = compare(_with(baseline, **{"answer.accuracy": acc + 0.02}), now, 0.02)
    beyond = compare(_with(baseline, **{"answer.accuracy": acc + 0.021}), now, 0.02)
    assert within.passed
    assert not beyond.passed
    assert [r.gate.name for r in beyond.regressions()] == ["answer.accuracy"]
    assert beyond.regressions()[0].delta == pytest.approx(-0.021)


def test_false_refusal_rate_is_an_upper_bound(baseline: Baseline, results: EvalResults) -> None:
    now = gated_metrics(results)
    rate = now["answer.false_refusal_rate"]
    assert rate is not None
    lower_base = compare(_with(baseline, **{"answer.false_refusal_rate": rate - 0.05}), now)
    higher_base = compare(_with(baseline, **{"answer.false_refusal_rate": rate + 0.2}), now)
    assert [r.gate.name for r in lower_base.regressions()] == ["answer.false_refusal_rate"]
    assert higher_base.passed


def test_missing_and_unmeasured_metrics(baseline: Baseline, results: EvalResults) -> None:
    now = {**gated_metrics(results), "answer.citation_support": None}
    report = compare(_with(baseline, **{"answer.refusal_accuracy": None}), now)
    verdicts = {r.gate.name: r.verdict for r in report.rows}
    assert verdicts["answer.citation_support"] == "MISSING"
    assert verdicts["answer.refusal_accuracy"] == "n/a"
    assert not report.passed


def test_format_gate_table(baseline: Baseline, results: EvalResults) -> None:
    now = gated_metrics(results)
    text = format_gate(compare(_with(baseline, **{"hybrid.hit@1": 1.0}), now, 0.02))
    lines = text.splitlines()
    assert lines[0].split() == ["metric", "baseline", "now", "delta", "limit", "verdict"]
    row = next(line for line in lines if line.startswith("hybrid.hit@1"))
    assert row.split()[1] == "1.000" and row.split()[4] == ">=0.980" and "REGRESSION" in row
    fr = next(line for line in lines if line.startswith("answer.false_refusal_rate"))
    assert fr.split()[4].startswith("<=")
    assert lines[-1].startswith("gate FAILED") and "hybrid.hit@1" in lines[-1]
    assert format_gate(compare(baseline, now)).splitlines()[-1].startswith("gate PASSED")


def test_baseline_for_another_data_file_is_rejected(baseline: Baseline) -> None:
    with pytest.raises(BaselineError, match=r"test\.jsonl.*dev\.jsonl.*--write-baseline"):
        check_compatible(baseline, "dev.jsonl", "b" * 64, 5)
    with pytest.raises(BaselineError, match="k=5"):
        check_compatible(baseline, "test.jsonl", SHA, 3)
    check_compatible(baseline, "renamed.jsonl", SHA, 5)  # same content, any name


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: {**d, "format": "other"}, "not a baseline file"),
        (lambda d: {**d, "data": {"name": "x"}}, "sha256"),
        (lambda d: {**d, "k": 0}, "'k'"),
        (lambda d: {**d, "metrics": {**d["metrics"], "answer.accuracy": 1.5}}, r"\[0, 1\]"),
        (lambda d: {**d, "metrics": {"answer.accuracy": 0.5}}, "missing gated metric"),
    ],
)
def test_malformed_baseline(baseline: Baseline, mutate, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(BaselineError, match=message):
        baseline_from_dict(mutate(baseline.to_dict()), "b.json")


def test_unreadable_baseline_files(tmp_path: Path) -> None:
    with pytest.raises(BaselineError, match="cannot read baseline"):
        read_baseline(tmp_path / "absent.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(BaselineError, match="invalid JSON at line 1"):
        read_baseline(bad)


def test_file_sha256(tmp_path: Path) -> None:
    path = tmp_path / "d.jsonl"
    path.write_bytes(b"x" * 100_000)
    assert file_sha256(path) == hashlib.sha256(b"x" * 100_000).hexdigest()


def test_negative_tolerance_rejected(baseline: Baseline) -> None:
    with pytest.raises(ValueError, match="tolerance"):
        compare(baseline, dict(baseline.metrics), tolerance=-0.1)
