"""Write a run's reports: results.json, report.md (PNGs beside it) and report.html (PNGs inlined).

Both reports show the same views (`eval.tables`): summary tables, plots, per-type
breakdowns, and every failed item with what was retrieved, so a reader can see why.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from eval.run import EvalResults
from eval.serialize import RunContext, write_results_json
from eval.tables import (
    FailureView,
    Table,
    answer_by_type_table,
    answer_table,
    failure_views,
    passage_line,
    retrieval_by_type_table,
    retrieval_table,
)

PLOT_TITLES = {
    "hits": "hit@k by search mode",
    "accuracy": "Answer accuracy by question type",
    "latency": "Latency histogram",
}


@dataclass(frozen=True)
class ReportFiles:
    results_json: Path
    markdown: Path
    html: Path
    plots: Mapping[str, Path]


def _facts(results: EvalResults, context: RunContext) -> list[tuple[str, str]]:
    info, a = results.info, results.answers.overall
    git = context.git_commit or "unknown"
    if context.git_dirty:
        git += " (uncommitted changes)"
    return [
        ("data", f"{context.data_path} (sha256 {context.data_sha256[:12]})"),
        ("items", f"{a.count} ({a.answerable} answerable, {a.count - a.answerable} unanswerable)"),
        ("model", f"{info.model} (dim {info.dim})"),
        ("index", f"{info.chunk_count} chunks, built {info.index_built_at}, {info.index_dir}"),
        ("modes", ", ".join(results.modes) + f"; k={results.k}"),
        ("git", git),
        ("started", f"{results.started_at}, {results.duration_s:.1f}s"),
        ("command", context.command or "-"),
    ]


# ---- Markdown ----------------------------------------------------------------------------


_MD_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", "*": "\\*", "_": "\\_", "`": "\\`"})


def md_text(text: str) -> str:
    """Free text shown as-is in Markdown: no raw HTML, no accidental emphasis or code."""
    return text.translate(_MD_ESCAPES)


def _md_cell(text: str) -> str:
    return md_text(text).replace("|", "\\|").replace("\n", " ")


def md_table(table: Table) -> str:
    lines = ["| " + " | ".join(map(_md_cell, table.headers)) + " |"]
    lines.append("|" + "|".join(["---"] + ["---:"] * (len(table.headers) - 1)) + "|")
    lines += ["| " + " | ".join(map(_md_cell, row)) + " |" for row in table.rows]
    return "\n".join(lines)


def _md_failure(view: FailureView) -> list[str]:
    item, answer = view.result.item, view.result.answer
    state = "refused" if answer.refused else "answered"
    lines = [f"### {md_text(item.id)} · {item.type} · {', '.join(view.reasons)}", ""]
    lines.append(f"- question: {md_text(item.question)}")
    lines.append(f"- expected: {md_text(view.expected)}")
    lines += [f"- evidence: {md_text(ev)}" for ev in item.evidence]
    lines.append(f"- answer ({state}, kind {answer.kind or '-'}):")
    lines += ["", *("> " + md_text(line) for line in (answer.text or "(empty)").splitlines()), ""]
    for group in view.groups:
        if group.note and not group.passages:
            lines.append(f"- {group.title}: {md_text(group.note)}")
            continue
        lines.append(f"- {group.title}:")
        lines += [
            f"  {n}. {md_text(passage_line(p, p.chunk_id in group.cited_ids))}"
            for n, p in enumerate(group.passages, start=1)
        ] or ["  (nothing retrieved)"]
    return [*lines, ""]


def markdown_report(results: EvalResults, context: RunContext, plots: Mapping[str, str]) -> str:
    """The Markdown report; `plots` maps plot name -> file name relative to the report."""
    out = [f"# Evaluation of {context.data_name}", ""]
    out += [f"- **{name}**: {value}" for name, value in _facts(results, context)]
    out += ["", "## Retrieval", "", md_table(retrieval_table(results)), ""]
    out += ["## Answers (service.answer, hybrid)", "", md_table(answer_table(results)), ""]
    out += ["## Plots", ""]
    out += [f"![{PLOT_TITLES[name]}]({file})" for name, file in plots.items()]
    out += [
        "",
        "## By question type",
        "",
        "### Answers",
        "",
        md_table(answer_by_type_table(results)),
    ]
    for mode in results.retrieval:
        out += ["", f"### Retrieval: {mode}", "", md_table(retrieval_by_type_table(results, mode))]
    views = failure_views(results)
    out += ["", f"## Failed items ({len(views)} of {len(results.items)})", ""]
    out.append("✓ = the passage holds an evidence string; [cited] = the answer cites it.\n")
    for view in views:
        out += _md_failure(view)
    return "\n".join(out).rstrip() + "\n"


# ---- HTML --------------------------------------------------------------------------------

_CSS = """body{font-family:system-ui,"Noto Sans CJK SC",sans-serif;max-width:1100px;margin:2em auto;
padding:0 1em;color:#222}table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;
padding:.25em .6em;text-align:right}td:first-child,th:first-child{text-align:left}
th{background:#f3f3f3}.fail{border-left:4px solid #c44;padding:.2em 1em;margin:1em 0}
blockquote{background:#f8f8f8;margin:.4em 0;padding:.4em .8em;white-space:pre-wrap}
ol{margin:.2em 0}.ev{color:#080}img{max-width:100%}"""


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def html_table(table: Table) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in table.headers)
    body = "".join(
        "<tr>" + "".join(f"<td>{_e(c)}</td>" for c in row) + "</tr>" for row in table.rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _html_failure(view: FailureView) -> str:
    item, answer = view.result.item, view.result.answer
    state = "refused" if answer.refused else "answered"
    parts = [
        f"<div class='fail'><h3>{_e(item.id)} · {_e(item.type)} · {_e(', '.join(view.reasons))}</h3>"
    ]
    parts.append(f"<p><b>question</b>: {_e(item.question)}<br><b>expected</b>: {_e(view.expected)}")
    parts += [f"<br><b>evidence</b>: <span class='ev'>{_e(ev)}</span>" for ev in item.evidence]
    parts.append(f"</p><p><b>answer</b> ({state}, kind {_e(answer.kind or '-')}):</p>")
    parts.append(f"<blockquote>{_e(answer.text or '(empty)')}</blockquote>")
    for group in view.groups:
        if group.note and not group.passages:
            parts.append(f"<p><b>{_e(group.title)}</b>: {_e(group.note)}</p>")
            continue
        items = "".join(
            f"<li>{_e(passage_line(p, p.chunk_id in group.cited_ids))}</li>" for p in group.passages
        )
        parts.append(
            f"<p><b>{_e(group.title)}</b>:</p><ol>{items or '<li>(nothing retrieved)</li>'}</ol>"
        )
    return "".join(parts) + "</div>"


def html_report(results: EvalResults, context: RunContext, images: Mapping[str, bytes]) -> str:
    """A self-contained HTML page; `images` maps plot name -> PNG bytes (inlined as base64)."""
    title = f"Evaluation of {context.data_name}"
    facts = "".join(f"<li><b>{_e(k)}</b>: {_e(v)}</li>" for k, v in _facts(results, context))
    imgs = "".join(
        f"<img alt='{_e(PLOT_TITLES[name])}' src='data:image/png;base64,"
        f"{base64.b64encode(png).decode('ascii')}'>"
        for name, png in images.items()
    )
    by_mode = "".join(
        f"<h3>Retrieval: {_e(mode)}</h3>{html_table(retrieval_by_type_table(results, mode))}"
        for mode in results.retrieval
    )
    views = failure_views(results)
    body = [
        f"<h1>{_e(title)}</h1><ul>{facts}</ul>",
        f"<h2>Retrieval</h2>{html_table(retrieval_table(results))}",
        f"<h2>Answers (service.answer, hybrid)</h2>{html_table(answer_table(results))}",
        f"<h2>Plots</h2>{imgs}",
        f"<h2>By question type</h2><h3>Answers</h3>{html_table(answer_by_type_table(results))}",
        by_mode,
        f"<h2>Failed items ({len(views)} of {len(results.items)})</h2>",
        "<p>✓ = the passage holds an evidence string; [cited] = the answer cites it.</p>",
        *(_html_failure(v) for v in views),
    ]
    return (
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{_e(title)}</title>"
        f"<style>{_CSS}</style></head><body>{''.join(body)}</body></html>\n"
    )


def write_reports(results: EvalResults, context: RunContext, out_dir: Path) -> ReportFiles:
    """results.json, report.md, report.html and the PNGs, all in `out_dir`."""
    out_dir.mkdir(parents=True, exist_ok=True)
    from eval.plots import write_plots  # matplotlib: only when a report is written

    plots = write_plots(results, out_dir)
    markdown = out_dir / "report.md"
    markdown.write_text(
        markdown_report(results, context, {n: p.name for n, p in plots.items()}), encoding="utf-8"
    )
    page = out_dir / "report.html"
    page.write_text(
        html_report(results, context, {n: p.read_bytes() for n, p in plots.items()}),
        encoding="utf-8",
    )
    data = write_results_json(out_dir / "results.json", results, context)
    return ReportFiles(results_json=data, markdown=markdown, html=page, plots=plots)
