"""`reportqa eval` end to end with the scripted service: outputs, bad files, baseline gate."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

import eval.cli as eval_cli
from app.service import QAService
from eval.dataset import FIELDS
from tests.eval.fakes_eval import SCENARIO, scenario_service


@pytest.fixture()
def built(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Replace the real service with the scripted one; counts how often it is built."""
    calls: list[int] = []

    def fake() -> tuple[QAService, dict[str, Any]]:
        calls.append(1)
        return scenario_service()[1], {"top_k": 5}

    monkeypatch.setattr(eval_cli, "build_real_service", fake)
    return calls


@pytest.fixture()
def data(tmp_path: Path) -> Path:
    path = tmp_path / "scenario.jsonl"
    rows = [
        {
            f: list(getattr(it, f)) if f in ("answers", "evidence") else getattr(it, f)
            for f in FIELDS
        }
        for it, _ in SCENARIO
    ]
    path.write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8"
    )
    return path


def _run(*args: str | Path) -> Result:
    return CliRunner().invoke(eval_cli.eval_cmd, [str(a) for a in args])


def test_run_writes_reports_and_prints_summary(
    tmp_path: Path, data: Path, built: list[int]
) -> None:
    out = tmp_path / "out"
    result = _run("--data", data, "--mode", "all", "--out", out)
    assert result.exit_code == 0, result.output
    assert built == [1]
    for name in ("results.json", "report.md", "report.html", "hit_at_k_by_mode.png"):
        assert (out / name).is_file()
    assert "scenario.jsonl: 6 items (4 answerable), k=5" in result.stdout
    for mode in ("bm25", "dense", "hybrid"):
        assert any(line.startswith(mode) for line in result.stdout.splitlines())
    saved = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert saved["command"].startswith(f"reportqa eval --data {data} --mode all")
    assert saved["settings"]["top_k"] == 5


def test_single_mode(tmp_path: Path, data: Path, built: list[int]) -> None:
    result = _run("--data", data, "--mode", "dense", "--out", tmp_path / "o")
    assert result.exit_code == 0, result.output
    saved = json.loads((tmp_path / "o" / "results.json").read_text(encoding="utf-8"))
    assert list(saved["retrieval"]) == ["dense"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"id": "a"}\n', "missing field"),
        ("not json\n", "invalid JSON"),
        ("", "no evaluation items"),
    ],
)
def test_bad_data_file_is_one_line_error(
    tmp_path: Path, built: list[int], content: str, message: str
) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text(content, encoding="utf-8")
    result = _run("--data", bad, "--out", tmp_path / "o")
    assert result.exit_code == 1
    assert message in result.output and len(result.output.strip().splitlines()) == 1
    assert built == []  # failed before the model would load


def test_missing_data_file(tmp_path: Path, built: list[int]) -> None:
    result = _run("--data", tmp_path / "absent.jsonl")
    assert result.exit_code == 1 and "cannot read evaluation data" in result.output
    assert built == []


def test_baseline_cycle(tmp_path: Path, data: Path, built: list[int]) -> None:
    base = tmp_path / "baseline.json"
    first = _run("--data", data, "--out", tmp_path / "a", "--write-baseline", base)
    assert first.exit_code == 0, first.output
    saved = json.loads(base.read_text(encoding="utf-8"))
    assert saved["data"]["name"] == "scenario.jsonl" and len(saved["data"]["sha256"]) == 64

    same = _run("--data", data, "--out", tmp_path / "b", "--baseline", base)
    assert same.exit_code == 0, same.output
    assert "gate PASSED" in same.stdout

    saved["metrics"]["answer.accuracy"] = 0.9
    base.write_text(json.dumps(saved), encoding="utf-8")
    worse = _run("--data", data, "--out", tmp_path / "c", "--baseline", base, "--tolerance", "0.05")
    assert worse.exit_code == 1
    row = next(line for line in worse.stdout.splitlines() if line.startswith("answer.accuracy"))
    assert row.split()[1:] == ["0.900", "0.500", "-0.400", ">=0.850", "REGRESSION"]
    assert "gate FAILED (tolerance 0.05): answer.accuracy" in worse.stdout


def test_baseline_of_another_data_file(tmp_path: Path, data: Path, built: list[int]) -> None:
    base = tmp_path / "baseline.json"
    assert _run("--data", data, "--out", tmp_path / "a", "--write-baseline", base).exit_code == 0
    other = tmp_path / "other.jsonl"
    other.write_text(data.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    result = _run("--data", other, "--out", tmp_path / "b", "--baseline", base)
    assert result.exit_code == 1
    assert "measured on scenario.jsonl" in result.output and "not on other.jsonl" in result.output
    assert built == [1]  # only the first run built the service


def test_baseline_needs_hybrid(tmp_path: Path, data: Path, built: list[int]) -> None:
    result = _run("--data", data, "--mode", "bm25", "--write-baseline", tmp_path / "b.json")
    assert result.exit_code == 2 and "need hybrid retrieval" in result.output
    assert built == []


def test_registered_in_the_console_script() -> None:
    import click

    from app.cli import main

    assert main.get_command(click.Context(main), "eval") is eval_cli.eval_cmd
    assert "eval" in main.list_commands(click.Context(main))
