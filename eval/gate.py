"""Regression gate: compare a run's gated metrics with a checked-in baseline.

A baseline is JSON: ``{"format", "data": {"name", "sha256"}, "k", "created_at",
"git_commit", "model", "metrics": {name: value | null}}``. It is only valid for the data
file it was measured on (same sha256). A "higher" metric regresses when it falls below
baseline - tolerance; the false-refusal rate ("lower") when it rises above baseline + tolerance.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from eval.run import EvalResults
from ingest.errors import ReportQAError

FORMAT = "reportqa-eval-baseline/1"
EPSILON = 1e-9
Direction = Literal["higher", "lower"]


class BaselineError(ReportQAError):
    """A baseline file is unreadable, malformed, or was measured on another data file."""


@dataclass(frozen=True)
class Gate:
    name: str
    direction: Direction  # which way is better


def gates(k: int = 5) -> tuple[Gate, ...]:
    return (
        Gate("hybrid.hit@1", "higher"),
        Gate(f"hybrid.hit@{k}", "higher"),
        Gate(f"hybrid.mrr@{k}", "higher"),
        Gate("answer.accuracy", "higher"),
        Gate("answer.stated_accuracy", "higher"),
        Gate("answer.citation_support", "higher"),
        Gate("answer.refusal_accuracy", "higher"),
        Gate("answer.false_refusal_rate", "lower"),
        Gate("answer.wrong_report_rate", "lower"),  # null for a set about one report
        Gate("answer.other_report_rate", "lower"),
    )


def gated_metrics(results: EvalResults) -> dict[str, float | None]:
    """The gated metrics of a run (hybrid retrieval ones are None when hybrid did not run)."""
    k, a = results.k, results.answers.overall
    hybrid = results.retrieval.get("hybrid")
    h = hybrid.overall if hybrid is not None else None
    return {
        "hybrid.hit@1": h.hit_at.get(1) if h else None,
        f"hybrid.hit@{k}": h.hit_at.get(k) if h else None,
        f"hybrid.mrr@{k}": h.mrr if h else None,
        "answer.accuracy": a.answer_accuracy,
        "answer.stated_accuracy": a.answer_stated,
        "answer.citation_support": a.citation_support,
        "answer.refusal_accuracy": a.refusal_accuracy,
        "answer.false_refusal_rate": a.false_refusal_rate,
        "answer.wrong_report_rate": a.wrong_report_rate,
        "answer.other_report_rate": a.other_report_rate,
    }


@dataclass(frozen=True)
class Baseline:
    data_name: str
    data_sha256: str
    k: int
    metrics: Mapping[str, float | None]
    created_at: str = ""
    git_commit: str | None = None
    model: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "data": {"name": self.data_name, "sha256": self.data_sha256},
            "k": self.k,
            "created_at": self.created_at,
            "git_commit": self.git_commit,
            "model": self.model,
            "metrics": dict(self.metrics),
        }


def make_baseline(
    results: EvalResults, data_name: str, data_sha256: str, git_commit: str | None = None
) -> Baseline:
    return Baseline(
        data_name=data_name,
        data_sha256=data_sha256,
        k=results.k,
        metrics=gated_metrics(results),
        created_at=results.started_at,
        git_commit=git_commit,
        model=results.info.model,
    )


def baseline_from_dict(data: Any, where: str = "<baseline>") -> Baseline:
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise BaselineError(f"{where}: not a baseline file (expected format {FORMAT!r})")
    info, metrics, k = data.get("data"), data.get("metrics"), data.get("k")
    if not isinstance(info, dict) or not all(
        isinstance(info.get(f), str) for f in ("name", "sha256")
    ):
        raise BaselineError(f"{where}: 'data' must hold the data file's name and sha256")
    if not isinstance(k, int) or isinstance(k, bool) or k < 1:
        raise BaselineError(f"{where}: 'k' must be a positive integer")
    if not isinstance(metrics, dict) or not all(_is_rate(v) for v in metrics.values()):
        raise BaselineError(f"{where}: 'metrics' must map names to numbers in [0, 1] or null")
    missing = [g.name for g in gates(k) if g.name not in metrics]
    if missing:
        raise BaselineError(f"{where}: missing gated metric(s): {', '.join(missing)}")
    return Baseline(
        data_name=info["name"],
        data_sha256=info["sha256"],
        k=k,
        metrics={name: None if v is None else float(v) for name, v in metrics.items()},
        created_at=str(data.get("created_at", "")),
        git_commit=data.get("git_commit"),
        model=str(data.get("model", "")),
    )


def _is_rate(value: Any) -> bool:
    if value is None:
        return True
    return isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value <= 1


def read_baseline(path: Path) -> Baseline:
    try:
        with path.open(encoding="utf-8") as handle:
            data = json.load(handle)
    except OSError as exc:
        raise BaselineError(f"{path}: cannot read baseline: {exc.strerror}") from exc
    except json.JSONDecodeError as exc:
        raise BaselineError(f"{path}: invalid JSON at line {exc.lineno}: {exc.msg}") from exc
    return baseline_from_dict(data, str(path))


def write_baseline(path: Path, baseline: Baseline) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as handle:
        json.dump(baseline.to_dict(), handle, ensure_ascii=False, indent=2)
        handle.write("\n")
    return path


def check_compatible(baseline: Baseline, data_name: str, data_sha256: str, k: int) -> None:
    """Raise `BaselineError` unless the baseline was measured on this data file with this k."""
    if baseline.data_sha256 != data_sha256:
        raise BaselineError(
            f"the baseline was measured on {baseline.data_name} (sha256 {baseline.data_sha256[:12]}), "
            f"not on {data_name} (sha256 {data_sha256[:12]}); evaluate that file or write a new "
            "baseline with --write-baseline"
        )
    if baseline.k != k:
        raise BaselineError(f"the baseline was measured with k={baseline.k}, this run uses k={k}")


Verdict = Literal["ok", "REGRESSION", "MISSING", "n/a"]


@dataclass(frozen=True)
class GateRow:
    gate: Gate
    baseline: float | None
    now: float | None
    verdict: Verdict

    @property
    def delta(self) -> float | None:
        return None if self.baseline is None or self.now is None else self.now - self.baseline


@dataclass(frozen=True)
class GateReport:
    tolerance: float
    rows: tuple[GateRow, ...] = field(default_factory=tuple)

    @property
    def passed(self) -> bool:
        return all(r.verdict in ("ok", "n/a") for r in self.rows)

    def regressions(self) -> tuple[GateRow, ...]:
        return tuple(r for r in self.rows if r.verdict not in ("ok", "n/a"))


def verdict(gate: Gate, baseline: float | None, now: float | None, tolerance: float) -> Verdict:
    if baseline is None:
        return "n/a"
    if now is None:
        return "MISSING"
    if gate.direction == "higher":
        worse = now < baseline - tolerance - EPSILON
    else:
        worse = now > baseline + tolerance + EPSILON
    return "REGRESSION" if worse else "ok"


def compare(
    baseline: Baseline, now: Mapping[str, float | None], tolerance: float = 0.02
) -> GateReport:
    if tolerance < 0:
        raise ValueError(f"tolerance must be >= 0, got {tolerance}")
    rows = []
    for gate in gates(baseline.k):
        base, value = baseline.metrics.get(gate.name), now.get(gate.name)
        rows.append(GateRow(gate, base, value, verdict(gate, base, value, tolerance)))
    return GateReport(tolerance, tuple(rows))


def _fmt(value: float | None, signed: bool = False) -> str:
    if value is None:
        return "-"
    return f"{value:+.3f}" if signed else f"{value:.3f}"


def _limit(row: GateRow, tolerance: float) -> str:
    if row.baseline is None:
        return "-"
    if row.gate.direction == "higher":
        return f">={max(row.baseline - tolerance, 0.0):.3f}"
    return f"<={min(row.baseline + tolerance, 1.0):.3f}"


def format_gate(report: GateReport) -> str:
    """A plain-text table: metric / baseline / now / delta / limit / verdict, then the result."""
    header = ("metric", "baseline", "now", "delta", "limit", "verdict")
    lines = [header] + [
        (
            r.gate.name,
            _fmt(r.baseline),
            _fmt(r.now),
            _fmt(r.delta, signed=True),
            _limit(r, report.tolerance),
            r.verdict,
        )
        for r in report.rows
    ]
    widths = [max(len(row[i]) for row in lines) for i in range(len(header))]
    text = [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in lines
    ]
    bad = report.regressions()
    text.append(
        f"gate PASSED (tolerance {report.tolerance:g})"
        if not bad
        else f"gate FAILED (tolerance {report.tolerance:g}): {', '.join(r.gate.name for r in bad)}"
    )
    return "\n".join(text)
