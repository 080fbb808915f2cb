"""`reportqa list|remove|add` without the model: listing, removing (which never embeds) and
bad input to `add` (refused before any model loads) — one Chinese line and a non-zero exit.
Adding a good report with the real model: tests/app/test_library_e2e.py."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from app.cli import main
from index.store import IndexStore
from tests.reports import Library, make_library, write_report


@pytest.fixture
def library(tmp_path: Path, clean_env: None, monkeypatch: pytest.MonkeyPatch) -> Library:
    lib = make_library(tmp_path)
    corpus = os.pathsep.join(str(p) for p in lib.config.corpus_dirs)
    monkeypatch.setenv("REPORTQA_CORPUS_DIR", corpus)
    monkeypatch.setenv("REPORTQA_INDEX_DIR", str(lib.config.index_dir))
    monkeypatch.setenv("REPORTQA_CACHE_DIR", str(lib.config.cache_dir))
    return lib


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def one_error_line(result: Result) -> str:
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert lines[-1].startswith("Error: ") and any("\u4e00" <= c <= "\u9fff" for c in lines[-1])
    assert "Traceback" not in result.output
    return lines[-1]


def test_list_shows_each_report_with_its_file(library: Library) -> None:
    result = run("list")
    assert result.exit_code == 0, result.output
    assert "qingshan-2026\t《2026年青山市政府工作报告》\t青山市\t2026年" in result.output
    assert str(library.config.corpus_dirs[1] / "baishui-2026.txt") in result.output
    assert "共 2 份报告。" in result.output


def test_remove_deletes_the_report_without_loading_a_model(library: Library) -> None:
    result = run("remove", "baishui-2026")
    assert result.exit_code == 0, result.output
    assert "已移除：baishui-2026" in result.output and "未重新向量化" in result.output
    assert IndexStore.load(library.config.index_dir).manifest.documents == ("qingshan-2026",)
    assert library.corpus() == ["qingshan-2026.txt"]


def test_remove_of_an_unknown_report_is_one_line(library: Library) -> None:
    assert "没有报告：nobody" in one_error_line(run("remove", "nobody"))


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("binary.txt", b"\x00\x01" * 100, "不是文本"),
        ("empty.txt", b"", "文件为空"),
        ("report.exe", "2026年报告".encode(), "不支持的文件类型"),
        ("missing.txt", None, "文件不存在"),
    ],
)
def test_add_refuses_bad_files_in_one_line(
    library: Library, tmp_path: Path, name: str, content: bytes | None, message: str
) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    version = library.version
    line = one_error_line(run("add", str(path)))
    assert message in line and name in line
    assert library.version == version


def test_add_refuses_a_duplicate(library: Library, tmp_path: Path) -> None:
    copy = write_report(tmp_path / "incoming", "qingshan", "again.txt")
    assert "内容相同" in one_error_line(run("add", str(copy)))


def test_add_needs_a_path(library: Library) -> None:
    assert run("add").exit_code == 2
