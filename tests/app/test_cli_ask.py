"""`reportqa ask`: the answer with its sources, a refusal with related passages, `--json`."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from app.cli import main
from app.config import REPO_ROOT, Settings

pytestmark = pytest.mark.slow


@pytest.fixture()
def runner(real_service, session_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> CliRunner:  # type: ignore[no-untyped-def]
    """The CLI on the index the real service built (so no second index build)."""
    monkeypatch.setenv("REPORTQA_INDEX_DIR", str(session_settings.index_dir))
    monkeypatch.setenv("REPORTQA_CACHE_DIR", str(session_settings.cache_dir))
    return CliRunner()


def test_ask_prints_answer_sources_and_footnotes(runner: CliRunner) -> None:
    result = runner.invoke(main, ["ask", "2020年规模以上工业增加值增长了多少？"])
    assert result.exit_code == 0, result.output
    assert "5.1%" in result.output and "[1]" in result.output
    assert "参考来源：" in result.output and "第 " in result.output and " 页" in result.output
    refused = runner.invoke(main, ["ask", "2022年自贡GDP增长目标是多少？"])
    assert refused.exit_code == 0
    assert "没有找到" in refused.output and "可能相关的段落：" in refused.output


def test_ask_json_prints_the_answer_record(runner: CliRunner) -> None:
    result = runner.invoke(main, ["ask", "--json", "六稳是指什么？"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["refused"] is False and "稳就业" in body["answer"]
    assert body["citations"][0]["page_start"] >= 1 and body["citations"][0]["section_path"]


def test_ask_rejects_an_empty_question_in_one_line(runner: CliRunner) -> None:
    result = runner.invoke(main, ["ask", "   "])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == ["Error: 问题不能为空。"]  # no model loaded


def test_ask_on_the_onnx_backend_never_imports_torch(
    real_service,
    session_settings: Settings,  # type: ignore[no-untyped-def]
) -> None:
    """`reportqa ask` as a fresh process on the session's index (model already converted)
    loads neither torch nor the full tokenizer."""
    if session_settings.embed_backend != "onnx":
        pytest.skip("the session index was built with the torch backend")
    env = {k: v for k, v in os.environ.items() if not k.startswith("REPORTQA_")}
    env |= {
        "REPORTQA_INDEX_DIR": str(session_settings.index_dir),
        "REPORTQA_CACHE_DIR": str(session_settings.cache_dir),
        "REPORTQA_EMBED_BACKEND": "onnx",
        "REPORTQA_EMBED_PRECISION": session_settings.embed_precision,
    }
    code = (
        "import sys\nfrom index import onnx_embedder\nfrom app.cli import main\n"
        "loads = []\nfull = onnx_embedder._tokenizer\n"
        "onnx_embedder._tokenizer = lambda folder: loads.append(folder) or full(folder)\n"
        "main(['ask', '六稳是指什么？'], standalone_mode=False)\n"
        "print('full tokenizer loaded:', bool(loads))\n"
        "print('torch imported:', 'torch' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert "稳就业" in done.stdout and "[1]" in done.stdout
    # the query is tokenised from the piece table: the 17 MB tokenizer.json is never parsed
    assert done.stdout.rstrip().endswith("full tokenizer loaded: False\ntorch imported: False")


def test_a_cold_ask_imports_neither_the_server_nor_the_evaluation() -> None:
    """Sub-commands load on demand: `reportqa ask` pays for none of the others' imports."""
    code = (
        "import sys\nfrom app.cli import main\n"
        "try:\n    main(['ask', '--help'])\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('gradio', 'fastapi', 'uvicorn', 'eval.bench', 'app.serve')"
        " if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO_ROOT
    ).stdout
    assert out.strip().splitlines()[-1] == "[]"


def test_the_console_script_exits_with_the_commands_status_output_flushed(
    real_service,  # type: ignore[no-untyped-def]
    session_settings: Settings,
) -> None:
    """`reportqa ask` ends without interpreter teardown: all output there, status kept."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("REPORTQA_")}
    env |= {
        "REPORTQA_INDEX_DIR": str(session_settings.index_dir),
        "REPORTQA_CACHE_DIR": str(session_settings.cache_dir),
        "REPORTQA_EMBED_BACKEND": session_settings.embed_backend,
        "REPORTQA_EMBED_PRECISION": session_settings.embed_precision,
    }

    def reportqa(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-c", "from app.cli import run; run()", *args]
        return subprocess.run(command, cwd=REPO_ROOT, env=env, capture_output=True, text=True)

    done = reportqa("ask", "六稳是指什么？")
    assert done.returncode == 0, done.stderr
    assert "稳就业" in done.stdout and done.stdout.rstrip().endswith("稳投资、稳预期。")
    empty = reportqa("ask", "  ")
    assert empty.returncode == 1 and empty.stderr.strip() == "Error: 问题不能为空。"
    assert reportqa("ask", "--no-such-option").returncode == 2
    listed = reportqa("list")  # not a quick-exit command: the normal exit
    assert listed.returncode == 0 and "zigong-2021" in listed.stdout
