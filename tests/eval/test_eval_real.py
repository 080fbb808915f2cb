"""`reportqa eval` on the real service (real model, real index) with a few dev items per type."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import eval.cli as eval_cli
from eval.dataset import FIELDS, load_items

DEV = Path(__file__).resolve().parents[2] / "eval" / "data" / "dev.jsonl"

pytestmark = pytest.mark.slow


def _subset(path: Path) -> Path:
    """The first dev item of every type, written in the dataset format."""
    seen: dict[str, dict[str, Any]] = {}
    for it in load_items(DEV):
        if it.type not in seen:
            seen[it.type] = {f: getattr(it, f) for f in FIELDS}
            seen[it.type]["answers"] = list(it.answers)
            seen[it.type]["evidence"] = list(it.evidence)
    lines = [json.dumps(row, ensure_ascii=False) for row in seen.values()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _rates(metrics: dict[str, Any]) -> list[float]:
    skip = ("k", "count", "answerable")
    return [
        v
        for name, v in metrics.items()
        if name not in skip and "latency" not in name and v is not None
    ]


def test_eval_on_the_real_service(
    real_service: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(eval_cli, "build_real_service", lambda: (real_service, {"top_k": 5}))
    data, out, base = _subset(tmp_path / "dev-subset.jsonl"), tmp_path / "out", tmp_path / "b.json"
    args = ["--data", str(data), "--mode", "all", "--out", str(out)]

    first = CliRunner().invoke(eval_cli.eval_cmd, [*args, "--write-baseline", str(base)])
    assert first.exit_code == 0, first.output
    for name in ("results.json", "report.md", "report.html", "latency_histogram.png"):
        assert (out / name).stat().st_size > 0

    items = load_items(data)
    saved = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert saved["data"]["items"] == len(items) == len(saved["items"])
    assert saved["service"]["chunk_count"] > 50 and saved["service"]["model"]
    for mode in ("bm25", "dense", "hybrid"):
        overall = saved["retrieval"][mode]["overall"]
        assert overall["answerable"] == sum(it.answerable for it in items)
        assert all(0.0 <= r <= 1.0 for r in _rates(overall))
        assert overall["latency_p50_ms"] > 0
        for record in saved["items"]:
            assert 1 <= len(record["retrieval"][mode]["passages"]) <= 5
    answers = saved["answers"]["overall"]
    assert all(0.0 <= r <= 1.0 for r in _rates(answers))
    assert answers["answer_accuracy"] is not None and answers["refusal_accuracy"] is not None
    assert all(0.0 <= v <= 1.0 for v in saved["gated"].values() if v is not None)
    report = (out / "report.md").read_text(encoding="utf-8")
    assert all(f"### {item_id} ·" in report for item_id in saved["failed"])

    # The system is deterministic: the same run passes its own baseline with zero tolerance.
    second = CliRunner().invoke(
        eval_cli.eval_cmd, [*args, "--baseline", str(base), "--tolerance", "0"]
    )
    assert second.exit_code == 0, second.output
    assert "gate PASSED" in second.stdout
