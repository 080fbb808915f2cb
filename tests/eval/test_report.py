"""Reports of a scripted run: results.json, Markdown, HTML with inlined plots, stdout summary."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import pytest

from eval.gate import gated_metrics
from eval.report import ReportFiles, html_report, markdown_report, md_table, write_reports
from eval.run import ALL_MODES, EvalResults, evaluate
from eval.serialize import RunContext, public_settings
from eval.tables import Table, failure_views, summary_text
from tests.eval.fakes_eval import Script, ScriptedService, item, scenario_service

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def results() -> EvalResults:
    items, service = scenario_service()
    return evaluate(items, service, ALL_MODES, k=5)


@pytest.fixture(scope="module")
def context() -> RunContext:
    settings = public_settings({"top_k": 5, "index_dir": Path("/x/index"), "admin_token": "s3"})
    return RunContext("eval/data/t.jsonl", "f" * 64, settings, "deadbeef", True, "reportqa eval")


@pytest.fixture(scope="module")
def files(
    results: EvalResults, context: RunContext, tmp_path_factory: pytest.TempPathFactory
) -> ReportFiles:
    return write_reports(results, context, tmp_path_factory.mktemp("out") / "run")


def test_all_files_written(files: ReportFiles) -> None:
    for path in (files.results_json, files.markdown, files.html, *files.plots.values()):
        assert path.is_file() and path.stat().st_size > 0
    assert set(files.plots) == {"hits", "accuracy", "latency"}
    for png in files.plots.values():
        assert png.read_bytes().startswith(PNG_MAGIC)
        assert png.parent == files.markdown.parent


def test_results_json(files: ReportFiles, results: EvalResults) -> None:
    data = json.loads(files.results_json.read_text(encoding="utf-8"))
    assert data["format"] == "reportqa-eval/1"
    assert data["data"] == {
        "path": "eval/data/t.jsonl",
        "name": "t.jsonl",
        "sha256": "f" * 64,
        "items": 6,
    }
    assert data["git"] == {"commit": "deadbeef", "dirty": True}
    assert data["settings"]["modes"] == list(ALL_MODES) and data["settings"]["k"] == 5
    assert data["settings"]["index_dir"] == "/x/index" and "admin_token" not in data["settings"]
    assert data["service"]["model"] == "fake-scripted"
    assert set(data["retrieval"]) == set(ALL_MODES)
    hybrid = data["retrieval"]["hybrid"]["overall"]
    assert hybrid["hit@1"] == results.retrieval["hybrid"].overall.hit_at[1]
    assert {"hit@3", "hit@5", "mrr@5", "all_evidence@5", "latency_p95_ms"} <= set(hybrid)
    assert "list" in data["retrieval"]["bm25"]["by_type"]
    assert data["answers"]["overall"]["answer_accuracy"] == results.answers.overall.answer_accuracy
    assert data["gated"] == gated_metrics(results)
    assert data["failed"] == [r.item.id for r in results.failed()]
    assert [r["id"] for r in data["items"]] == [r.item.id for r in results.items]


def test_results_json_item_record(files: ReportFiles) -> None:
    data = json.loads(files.results_json.read_text(encoding="utf-8"))
    target = next(r for r in data["items"] if r["id"] == "target")
    assert target["failures"] == ["wrong_answer", "retrieval_miss:bm25"]
    assert target["answer"]["correct"] is False and target["answer"]["citation_supported"] is True
    assert target["retrieval"]["bm25"]["rank"] is None
    assert target["retrieval"]["hybrid"]["rank"] == 2
    passage = target["retrieval"]["hybrid"]["passages"][1]
    assert passage["chunk_id"] == "plan" and passage["has_evidence"] is True
    assert passage["section_path"] == ["三、2021 年主要工作安排"] and passage["pages"] == [9, 9]
    assert len(passage["snippet"]) <= 81


def test_markdown_lists_every_failure_with_context(
    files: ReportFiles, results: EvalResults
) -> None:
    text = files.markdown.read_text(encoding="utf-8")
    for name in files.plots.values():
        assert f"]({name.name})" in text
    failed = results.failed()
    assert f"## Failed items ({len(failed)} of {len(results.items)})" in text
    for r in failed:
        section = text.split(f"### {r.item.id} ·", 1)[1].split("\n### ", 1)[0]
        assert r.item.question in section
        assert (r.answer.text.splitlines() or ["(empty)"])[0] in section
    target = text.split("### target ·", 1)[1].split("\n### ", 1)[0]
    assert "wrong answer, retrieval miss (bm25)" in target.splitlines()[0]
    assert "7.5%以上 OR 7.5%" in target
    assert "- bm25 top 2:" in target
    assert "三、2021 年主要工作安排 · p. 9 · 主要预期目标是" in target
    assert "✓ [cited] 三、2021 年主要工作安排" in target
    assert "### gdp ·" not in text


def test_html_is_self_contained_and_escaped(
    results: EvalResults, context: RunContext, files: ReportFiles
) -> None:
    page = files.html.read_text(encoding="utf-8")
    images = re.findall(r"src='data:image/png;base64,([A-Za-z0-9+/=]+)'", page)
    assert len(images) == 3
    assert all(base64.b64decode(img).startswith(PNG_MAGIC) for img in images)
    for r in results.failed():
        assert f"<h3>{r.item.id} ·" in page
    tricky = item("x<1>", "<script>alert(1)</script>|问?", ("3.9%",), ("全年地区生产总值增长3.9%",))
    service = ScriptedService({tricky.question: Script("a | <b>", ranking={"hybrid": ("plan",)})})
    run = evaluate([tricky], service, ("hybrid",), warm_up=False)
    page = html_report(run, context, {})
    assert "<script>" not in page and "&lt;script&gt;" in page and "a | &lt;b&gt;" in page
    text = markdown_report(run, context, {})
    assert "<script>" not in text and "- question: &lt;script>alert(1)&lt;/script>|问?" in text
    assert "> a | &lt;b>" in text


def test_md_table_escapes_pipes() -> None:
    text = md_table(Table(("a", "b"), (("x|y", "1"),)))
    assert text.splitlines() == ["| a | b |", "|---|---:|", "| x\\|y | 1 |"]


def test_summary_text(results: EvalResults) -> None:
    text = summary_text(results, "t.jsonl")
    lines = text.splitlines()
    assert lines[0].startswith("t.jsonl: 6 items (4 answerable), k=5, model fake-scripted")
    header = next(line for line in lines if line.startswith("mode"))
    assert header.split() == [
        "mode",
        "hit@1",
        "hit@3",
        "hit@5",
        "MRR@5",
        "all-ev@5",
        "p50",
        "ms",
        "p95",
        "ms",
    ]
    for mode in ALL_MODES:
        row = next(line for line in lines if line.startswith(mode))
        assert f"{results.retrieval[mode].overall.hit_at[1]:.3f}" in row
    answers = lines[lines.index("answers (service.answer, hybrid)") + 2]
    assert "0.500 (2/4)" in answers  # accuracy
    assert "1.000 (3/3)" in answers  # citation support over the answered items
    assert "0.500 (1/2)" in answers and "0.250 (1/4)" in answers  # refusal acc, false refusals


def test_failure_views_show_the_missing_mode(results: EvalResults) -> None:
    views = {v.result.item.id: v for v in failure_views(results)}
    assert [g.title for g in views["liuwen"].groups] == ["answer passages (hybrid)", "dense top 1"]
    assert views["liuwen"].expected.count(" AND ") == 5
    assert views["y2019"].expected == "(refusal)"
    assert [g.title for g in views["y2019"].groups] == ["answer passages (hybrid)"]


def test_repeated_and_failed_searches_are_noted(context: RunContext) -> None:
    miss = item("miss", "去年GDP增长多少？", ("3.9%",), ("全年地区生产总值增长3.9%",))
    long_q = item("long", "问" * 20, ("3.9%",), ("全年地区生产总值增长3.9%",))
    service = ScriptedService(
        {
            miss.question: Script("不知道[1]。", cite=("plan",), ranking={"hybrid": ("plan",)}),
            long_q.question: Script("", reject=True),
        }
    )
    run = evaluate([miss, long_q], service, ("hybrid",), warm_up=False)
    views = {v.result.item.id: v for v in failure_views(run)}
    assert [(g.title, g.note) for g in views["miss"].groups] == [
        ("answer passages (hybrid)", ""),
        ("hybrid top 1", "same as the answer passages"),
    ]
    assert views["long"].groups[-1].note == "问题过长。"
    text = markdown_report(run, context, {})
    assert "- hybrid top 1: same as the answer passages" in text
    assert "- hybrid top 0: 问题过长。" in text
    assert "<b>hybrid top 1</b>: same as the answer passages" in html_report(run, context, {})
