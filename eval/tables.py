"""Report views: metric tables and failure records built from `EvalResults` (pure).

The Markdown, HTML and stdout renderers share these, so all three show the same numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from eval.metrics import Metrics
from eval.retrieval_metrics import RetrievalMetrics
from eval.run import EvalResults, ItemResult, PassageRef

REASON_LABELS = {
    "wrong_answer": "wrong answer",
    "false_refusal": "false refusal",
    "missed_refusal": "answered an unanswerable question",
    "citation_unsupported": "citations do not hold the evidence",
}
ANSWER_REASONS = frozenset(REASON_LABELS)


@dataclass(frozen=True)
class Table:
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]

    def text(self) -> str:
        """Aligned plain text, first column left-aligned, the rest right-aligned."""
        lines = [self.headers, *self.rows]
        widths = [max(len(row[i]) for row in lines) for i in range(len(self.headers))]
        return "\n".join(
            "  ".join(
                cell.ljust(w) if i == 0 else cell.rjust(w)
                for i, (cell, w) in enumerate(zip(row, widths, strict=True))
            )
            for row in lines
        )


def fmt_rate(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def fmt_ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}" if value >= 10 else f"{value:.1f}"


def _counted(rate: float | None, total: int) -> str:
    """ "0.875 (7/8)" - the rate with the counts behind it."""
    return "-" if rate is None else f"{rate:.3f} ({round(rate * total)}/{total})"


def _retrieval_cells(m: RetrievalMetrics) -> tuple[str, ...]:
    return (
        *(fmt_rate(m.hit_at.get(c)) for c in m.hit_at),
        fmt_rate(m.mrr),
        fmt_rate(m.all_evidence),
        fmt_ms(m.latency_p50_ms),
        fmt_ms(m.latency_p95_ms),
    )


def _retrieval_headers(results: EvalResults, first: str) -> tuple[str, ...]:
    k = results.k
    cutoffs = next(iter(results.retrieval.values())).overall.hit_at if results.retrieval else {}
    return (
        first,
        *(f"hit@{c}" for c in cutoffs),
        f"MRR@{k}",
        f"all-ev@{k}",
        "p50 ms",
        "p95 ms",
    )


def retrieval_table(results: EvalResults) -> Table:
    rows = tuple((mode, *_retrieval_cells(s.overall)) for mode, s in results.retrieval.items())
    return Table(_retrieval_headers(results, "mode"), rows)


def retrieval_by_type_table(results: EvalResults, mode: str) -> Table:
    by_type = results.retrieval[mode].by_type
    rows = tuple((t, *_retrieval_cells(m)) for t, m in by_type.items() if m.answerable)
    return Table(_retrieval_headers(results, "type"), rows)


ANSWER_HEADERS = (
    "accuracy",
    "stated",
    "partial",
    "citation support",
    "refusal acc",
    "false refusals",
    "p50 ms",
    "p95 ms",
)


def _answer_cells(m: Metrics) -> tuple[str, ...]:
    answered = m.answerable - round((m.false_refusal_rate or 0.0) * m.answerable)
    return (
        _counted(m.answer_accuracy, m.answerable),
        _counted(m.answer_stated, m.answerable),
        fmt_rate(m.answer_partial),
        _counted(m.citation_support, answered),
        _counted(m.refusal_accuracy, m.count - m.answerable),
        _counted(m.false_refusal_rate, m.answerable),
        fmt_ms(m.latency_p50_ms),
        fmt_ms(m.latency_p95_ms),
    )


def answer_table(results: EvalResults) -> Table:
    return Table(
        ("items", *ANSWER_HEADERS),
        ((str(results.answers.overall.count), *_answer_cells(results.answers.overall)),),
    )


def answer_by_type_table(results: EvalResults) -> Table:
    rows = tuple((t, str(m.count), *_answer_cells(m)) for t, m in results.answers.by_type.items())
    return Table(("type", "n", *ANSWER_HEADERS), rows)


def answer_by_report_table(results: EvalResults) -> Table:
    """Per report (items about one report), with the wrong- and other-report rates."""
    rows = tuple(
        (
            r,
            str(m.count),
            *_answer_cells(m)[:5],
            fmt_rate(m.wrong_report_rate),
            fmt_rate(m.other_report_rate),
        )
        for r, m in results.answers.by_report.items()
    )
    return Table(("report", "n", *ANSWER_HEADERS[:5], "wrong report", "other report"), rows)


def summary_text(results: EvalResults, data_name: str) -> str:
    """The compact stdout summary (pasteable into a closing note)."""
    a = results.answers.overall
    head = (
        f"{data_name}: {a.count} items ({a.answerable} answerable), k={results.k}, "
        f"model {results.info.model}, {results.duration_s:.1f}s"
    )
    parts = [head, "", "retrieval (answerable items; latency per search call)"]
    parts += [retrieval_table(results).text(), "", "answers (service.answer, hybrid)"]
    parts.append(answer_table(results).text())
    if results.answers.by_report:
        wrong, other = fmt_rate(a.wrong_report_rate), fmt_rate(a.other_report_rate)
        parts += ["", f"per report (overall: wrong report {wrong}, another report cited {other})"]
        parts.append(answer_by_report_table(results).text())
    return "\n".join(parts)


@dataclass(frozen=True)
class PassageGroup:
    title: str
    passages: tuple[PassageRef, ...]
    cited_ids: frozenset[str] = frozenset()
    note: str = ""  # shown instead of the passages (e.g. a repeat of another group)


@dataclass(frozen=True)
class FailureView:
    result: ItemResult
    reasons: tuple[str, ...]  # human-readable
    groups: tuple[PassageGroup, ...]

    @property
    def expected(self) -> str:
        item = self.result.item
        if not item.answerable:
            return "(refusal)"
        joiner = " AND " if item.match == "all" else " OR "
        return joiner.join(item.answers)


def reason_label(code: str) -> str:
    if code.startswith("retrieval_miss:"):
        return f"retrieval miss ({code.split(':', 1)[1]})"
    return REASON_LABELS.get(code, code)


def _groups(result: ItemResult, codes: Sequence[str]) -> tuple[PassageGroup, ...]:
    groups = []
    answer_ids = [p.chunk_id for p in result.answer.passages]
    show_answer = any(c in ANSWER_REASONS for c in codes)
    if show_answer:
        cited = frozenset(p.chunk_id for p in result.answer.cited)
        groups.append(PassageGroup("answer passages (hybrid)", result.answer.passages, cited))
    for code in codes:
        if not code.startswith("retrieval_miss:"):
            continue
        mode = code.split(":", 1)[1]
        passages = result.searches[mode].passages
        title = f"{mode} top {len(passages)}"
        if show_answer and passages and [p.chunk_id for p in passages] == answer_ids:
            groups.append(PassageGroup(title, (), note="same as the answer passages"))
        else:
            groups.append(PassageGroup(title, passages, note=result.searches[mode].error))
    return tuple(groups)


def failure_views(results: EvalResults) -> tuple[FailureView, ...]:
    views = []
    for result in results.failed():
        codes = result.failures()
        views.append(FailureView(result, tuple(map(reason_label, codes)), _groups(result, codes)))
    return tuple(views)


def passage_line(ref: PassageRef, cited: bool = False, chars: int = 80) -> str:
    """ "✓ [cited] 一、… > 第二，… · p. 3 · first 80 characters…" (✓ = holds evidence)."""
    if ref.page_start is None:
        pages = ""
    elif ref.page_end in (None, ref.page_start):
        pages = f" · p. {ref.page_start}"
    else:
        pages = f" · p. {ref.page_start}-{ref.page_end}"
    marks = ("✓ " if ref.has_evidence else "· ") + ("[cited] " if cited else "")
    return f"{marks}{' > '.join(ref.section_path)}{pages} · {ref.snippet(chars)}"
