"""jieba's prefix dictionary on disk: the same segmentation as jieba's own, loaded in no time."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from index import prefix_dict
from index.prefix_dict import DiskTable, ensure_table
from index.tokenize import ChineseTokenizer
from tests.ingest.helpers import REPORT

ROOT = Path(__file__).resolve().parents[2]
WORDS = ["六稳", "放管服", "四上单位", "盐帮菜"]


def _texts() -> list[str]:
    lines = [line.strip() for line in REPORT.read_text(encoding="utf-8").splitlines()]
    questions = [
        json.loads(line)["question"]
        for line in (ROOT / "eval" / "data" / "dev.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    return [t for t in lines if t] + questions


@pytest.fixture(scope="module")
def table_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("prefix")
    ensure_table(folder)
    return folder


@pytest.fixture(scope="module")
def reference() -> ChineseTokenizer:
    return ChineseTokenizer(WORDS)  # no cache_dir: jieba loads its own dictionary


@pytest.mark.parametrize("bulk_after", [1_000_000, 500])  # never, and early in the texts
def test_segmentation_is_jiebas_own(
    table_dir: Path, reference: ChineseTokenizer, bulk_after: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = DiskTable.__init__
    monkeypatch.setattr(
        DiskTable,
        "__init__",
        lambda self, path, table="freq": real(self, path, table, bulk_after=bulk_after),
    )
    ours = ChineseTokenizer(WORDS, cache_dir=table_dir)
    texts = _texts()
    assert [ours.tokens(t) for t in texts] == [reference.tokens(t) for t in texts]
    assert [ours.names_a_thing(t[:8]) for t in texts[:300]] == [
        reference.names_a_thing(t[:8]) for t in texts[:300]
    ]
    assert ours._jieba.FREQ.in_memory == (bulk_after == 500)
    assert "六稳" in ours.tokens("“六稳”工作和“六保”任务")  # an added word stays whole


def test_the_table_is_built_once_and_counts_as_jieba_does(table_dir: Path) -> None:
    import jieba

    path = ensure_table(table_dir)
    built = path.stat().st_mtime_ns
    assert ensure_table(table_dir) == path and path.stat().st_mtime_ns == built
    assert not [p for p in table_dir.iterdir() if p.suffix == ".tmp"]
    table = DiskTable(path)
    own = jieba.Tokenizer()
    own.initialize()
    assert table.total == own.total
    for word in ("地区生产总值", "地区", "地", "乡村振兴", "不是一个词语吧"):
        assert table.get(word) == own.FREQ.get(word)
        assert (word in table) == (word in own.FREQ)
    with pytest.raises(KeyError):
        table["不是一个词语吧"]
    table["新词语"] = 5
    assert table["新词语"] == 5


def test_threads_segment_as_one_does(table_dir: Path, reference: ChineseTokenizer) -> None:
    ours = ChineseTokenizer(WORDS, cache_dir=table_dir)
    texts = _texts()[:400]
    expected = [reference.tokens(t) for t in texts]
    results: dict[int, list[list[str]]] = {}

    def run(n: int) -> None:
        results[n] = [ours.tokens(t) for t in texts]

    threads = [threading.Thread(target=run, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(results) == 4 and all(r == expected for r in results.values())


def test_the_tagger_imported_first_reads_no_dictionary_and_tags_as_jieba(table_dir: Path) -> None:
    """In a fresh process: `jieba.posseg` imported by the tokenizer gets the table (its import
    reads nothing), tags as a tagger reading jieba's file does, and jieba is left as found."""
    code = f"""
import sys, time
from pathlib import Path
from index.tokenize import ChineseTokenizer
ours = ChineseTokenizer({WORDS!r}, cache_dir=Path({str(table_dir)!r}))
started = time.perf_counter()
ours.names_a_thing("固定资产投资")
took = time.perf_counter() - started
import jieba, jieba.posseg
from index.prefix_dict import DiskTable
assert isinstance(jieba.posseg.dt.word_tag_tab, DiskTable)
assert "get_dict_file" not in vars(jieba.dt)
reference = jieba.posseg.POSTokenizer(ours._jieba)
default = jieba.posseg.POSTokenizer(jieba.dt)  # jieba's own tagger, reading the file
phrases = {[t[:8] for t in _texts()[:400]]!r}
same = all(
    [(p.word, p.flag) for p in ours._pos.cut(x)] == [(p.word, p.flag) for p in reference.cut(x)]
    and [(p.word, p.flag) for p in jieba.posseg.cut(x)] == [(p.word, p.flag) for p in default.cut(x)]
    for x in phrases
)
print(same, round(took, 3))
"""
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    same, took = done.stdout.split()
    assert same == "True", done.stderr
    print(f"first tag with the table: {took} s")  # reported, not asserted (no timed tests)


def test_a_cache_that_cannot_hold_the_table_falls_back_to_jieba(
    tmp_path: Path,
    reference: ChineseTokenizer,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def read_only(source: Path, path: Path) -> None:
        raise PermissionError(13, "read-only file system", str(path))

    monkeypatch.setattr(prefix_dict, "_write_table", read_only)
    tokenizer = ChineseTokenizer(WORDS, cache_dir=tmp_path)
    assert "unavailable" in caplog.text
    text = "全年地区生产总值增长3.9%"
    assert tokenizer.tokens(text) == reference.tokens(text)
    assert tokenizer.names_a_thing("固定资产投资")
