"""The piece-table query tokenizer gives the full tokenizer's ids, and the ONNX embedder uses
it for queries until the full tokenizer is loaded (real exported model, real tokenizer.json)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import numpy as np
import pytest

from app.config import REPO_ROOT
from index.embedder import BUNDLED_MODEL, Embedder
from index.onnx_embedder import OnnxEmbedder
from index.onnx_export import PIECES_FILE, TOKENIZER_FILE
from index.query_tokenizer import QueryTokenizer, write_piece_table

pytestmark = pytest.mark.slow

ODD = [
    "",
    " ",
    "  lead and trail  ",
    "ＡＢＣ１２３ ﾃｽﾄ",  # full width and half-width katakana: the normaliser's work
    "𝔘𝔫𝔦 ☃☃ 🀄️ \u200b x  y\t\tz",
    "鲳鱼鳓鱼𠀀𠀁\x00\x01",  # pieces the vocabulary lacks: <unk>
    "＜ｓ＞x＜/ｓ＞",  # becomes `<s>` only after normalisation
    "Ǆ ǅ ǆ é é",
    "What was the GDP growth target for 2026, and the 14th Five-Year Plan's?",
    "a" * 600,  # truncated at 512 tokens
    "中" * 700,
]


def report_lines() -> list[str]:
    """Every non-blank line of the bundled report and the eight library reports."""
    paths = sorted((REPO_ROOT / "data").glob("*/*.txt"))
    assert len(paths) >= 9
    return [
        line for p in paths for line in p.read_text(encoding="utf-8").splitlines() if line.strip()
    ]


def eval_questions() -> list[str]:
    out = []
    for path in sorted((REPO_ROOT / "eval" / "data").rglob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            out.append(json.loads(line)["question"])
    assert len(out) > 500
    return out


@pytest.fixture(scope="module")
def folder(onnx_fp32_embedder: Embedder) -> Path:
    assert isinstance(onnx_fp32_embedder, OnnxEmbedder)
    return onnx_fp32_embedder.folder


@pytest.fixture(scope="module")
def full(folder: Path):  # type: ignore[no-untyped-def]
    from tokenizers import Tokenizer

    return Tokenizer.from_file(str(folder / TOKENIZER_FILE))


def test_the_same_ids_as_the_full_tokenizer(folder: Path, full) -> None:  # type: ignore[no-untyped-def]
    pieces = QueryTokenizer(folder / PIECES_FILE)
    texts = [f"query: {t}" for t in report_lines() + eval_questions() + ODD] + ODD
    differ = [t for t in texts if pieces.encode_ids(t) != full.encode(t).ids]
    assert differ == []
    assert len(pieces.encode_ids("中" * 700) or []) == 512


def test_a_text_holding_an_added_token_is_left_to_the_full_tokenizer(
    folder: Path,
    full,  # type: ignore[no-untyped-def]
) -> None:
    pieces = QueryTokenizer(folder / PIECES_FILE)
    for text in ("query: <s>hello</s>", "<mask> 是什么", "a <unk> b", "<pad>"):
        assert pieces.encode_ids(text) is None
    embedder = _fresh(folder)
    vector = embedder.encode(["<mask> 是什么"], kind="query")
    ids = full.encode("query: <mask> 是什么").ids
    assert 250001 in ids  # <mask> as the added token, not as characters
    assert embedder._tokenizer is not None and vector.shape == (1, embedder.dim)


def test_queries_never_load_the_full_tokenizer_passages_do(folder: Path) -> None:
    """Queries are tokenised from the piece table, before and after a passage has loaded
    the full tokenizer; the vectors do not change."""
    questions = eval_questions()[:20]
    embedder = _fresh(folder)
    assert embedder._pieces is not None
    calls: list[str] = []
    encode_ids = embedder._pieces.encode_ids
    embedder._pieces.encode_ids = lambda text: calls.append(text) or encode_ids(text)  # type: ignore[method-assign]
    first = embedder.encode(questions, kind="query")
    assert embedder._tokenizer is None and len(calls) == len(questions)
    embedder.encode(["坚持稳中求进工作总基调。"], kind="passage")
    assert embedder._tokenizer is not None and embedder._tokenizer.done()
    np.testing.assert_array_equal(embedder.encode(questions, kind="query"), first)
    assert len(calls) == 2 * len(questions)  # the passage did not go through the table


def test_the_memo_answers_as_the_table_does(folder: Path, full) -> None:  # type: ignore[no-untyped-def]
    """A second pass over the questions is answered from the memo, with the same ids; a
    memo that overflows starts over."""
    pieces = QueryTokenizer(folder / PIECES_FILE)
    questions = [f"query: {q}" for q in eval_questions()]
    first = [pieces.encode_ids(q) for q in questions]
    assert pieces._memo
    pieces._db.close()  # no lookup left to make: a query on the table would raise
    assert [pieces.encode_ids(q) for q in questions] == first
    assert first == [full.encode(q).ids for q in questions]


def test_without_a_usable_piece_table_the_full_tokenizer_serves(
    folder: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    copy = tmp_path / "export"
    copy.mkdir()
    for item in folder.iterdir():
        (copy / item.name).symlink_to(item)
    (copy / PIECES_FILE).unlink()
    (copy / PIECES_FILE).write_bytes(b"not a database")
    embedder = _fresh(copy)
    assert "unusable" in caplog.text and embedder._pieces is None
    questions = eval_questions()[:20]
    vectors = embedder.encode(questions, kind="query")  # through the full tokenizer
    np.testing.assert_array_equal(vectors, _fresh(folder).encode(questions, kind="query"))


def test_the_table_rejects_what_it_cannot_stand_for(folder: Path, tmp_path: Path) -> None:
    config = json.loads((folder / TOKENIZER_FILE).read_text(encoding="utf-8"))
    twice = {**config, "model": {**config["model"]}}
    twice["model"]["vocab"] = config["model"]["vocab"][:100] + config["model"]["vocab"][50:60]
    source = tmp_path / "twice.json"
    source.write_text(json.dumps(twice), encoding="utf-8")
    with pytest.raises(sqlite3.IntegrityError):
        write_piece_table(source, tmp_path / "twice.sqlite")
    assert not (tmp_path / "twice.sqlite").exists()  # nothing half-written
    bpe = {**config, "model": {"type": "BPE", "vocab": {}, "merges": []}}
    source.write_text(json.dumps(bpe), encoding="utf-8")
    with pytest.raises(ValueError, match="not Unigram"):
        write_piece_table(source, tmp_path / "bpe.sqlite")


def _fresh(folder: Path) -> OnnxEmbedder:
    return OnnxEmbedder(folder, model_id=BUNDLED_MODEL, precision="fp32")


def test_a_full_memo_starts_over(
    folder: Path,
    full,  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from index import query_tokenizer

    monkeypatch.setattr(query_tokenizer, "MEMO_MAX", 300)
    pieces = QueryTokenizer(folder / PIECES_FILE)
    questions = [f"query: {q}" for q in eval_questions()[:100]]
    sizes = []
    for q in questions:
        assert pieces.encode_ids(q) == full.encode(q).ids
        sizes.append(len(pieces._memo))
    assert max(sizes) <= 300 + max(len(q) ** 2 for q in questions)
    assert any(later < earlier for earlier, later in zip(sizes, sizes[1:], strict=False))
