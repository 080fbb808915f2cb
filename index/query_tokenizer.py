"""Tokenise a query without loading the whole vocabulary: the pieces it contains, from disk.

`tokenizers` parses the model's tokenizer.json (17 MB, 250k Unigram pieces) in 0.8-1.7 s,
holding the GIL, before the first query can be encoded; a question uses a few dozen of those
pieces. A Unigram segmentation (Viterbi over the pieces that match the text) can only use
pieces that are substrings of the normalised, pre-tokenised text, so a Unigram model made of
exactly those pieces segments the text as the full one does. `QueryTokenizer` looks the
substrings up in a SQLite table of the vocabulary (written once, beside the export, by
`write_piece_table`), builds that small model and lets `tokenizers` do the rest: the same
normaliser, pre-tokeniser, post-processor and truncation, read from the same tokenizer.json.

What keeps the small model equal to the full one:
- the special pieces keep their ids and positions (the post-processor adds them by id);
- the lowest-scoring piece is always included (Unigram scores an unknown character from
  the vocabulary's lowest score);
- a text that holds an added token (`<s>`, `<mask>`, ...) is left to the full tokenizer
  (`encode_ids` returns None): those are matched in the raw text before any model runs.
Tested against the full tokenizer on every line of the reports and every eval question.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path
from typing import Any

from ingest.atomic import replacing

TABLE_FORMAT = 1
SQL_VARIABLES = 900  # below SQLite's oldest default limit of bound parameters (999)
MEMO_MAX = 200_000  # substrings remembered (found or not) before the memo starts over
_UNSEEN = object()


def write_piece_table(tokenizer_json: Path, path: Path) -> None:
    """The vocabulary of the Unigram tokenizer at `tokenizer_json` as a SQLite table at
    `path` (written atomically), with what a query tokenizer needs besides."""
    config = json.loads(tokenizer_json.read_text(encoding="utf-8"))
    model = config["model"]
    if model.get("type") != "Unigram":
        raise ValueError(f"{tokenizer_json}: a {model.get('type')} model, not Unigram")
    vocab = [(str(piece), float(score)) for piece, score in model["vocab"]]
    kept = _kept_ids(config, len(vocab))
    skeleton = {**config, "model": {**model, "vocab": [list(vocab[i]) for i in range(kept)]}}
    meta = {
        "format": TABLE_FORMAT,
        "skeleton": skeleton,  # its vocabulary: the pieces that keep their ids
        "lowest": min(vocab, key=lambda item: item[1])[0],
        "longest": max(len(piece) for piece, _ in vocab),
        "added": sorted({str(token["content"]) for token in config.get("added_tokens", [])}),
    }
    with replacing(path) as tmp:
        with sqlite3.connect(tmp) as db:
            db.execute(
                "CREATE TABLE pieces (w TEXT PRIMARY KEY, id INTEGER NOT NULL, s REAL NOT NULL)"
                " WITHOUT ROWID"
            )
            db.execute("CREATE TABLE meta (k TEXT PRIMARY KEY, v TEXT NOT NULL)")
            db.executemany(  # a piece listed twice fails here (its primary key)
                "INSERT INTO pieces VALUES (?, ?, ?)",
                ((piece, i, score) for i, (piece, score) in enumerate(vocab)),
            )
            db.executemany(
                "INSERT INTO meta VALUES (?, ?)", ((k, json.dumps(v)) for k, v in meta.items())
            )
        db.close()


def _kept_ids(config: dict[str, Any], size: int) -> int:
    """How many leading pieces keep their positions in every small model: all ids below the
    post-processor's special tokens and the unknown piece, so those ids need no mapping."""
    specials = config.get("post_processor", {}).get("special_tokens", {})
    ids = [int(i) for token in specials.values() for i in token.get("ids", [])]
    ids.append(int(config["model"].get("unk_id") or 0))
    kept = max(ids) + 1
    if kept > size:
        raise ValueError("the special tokens' ids lie outside the vocabulary")
    return kept


class QueryTokenizer:
    """Token ids of one text, from the pieces it contains (see the module docstring)."""

    def __init__(self, path: Path) -> None:
        self._db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        self._lock = threading.Lock()
        meta = {k: json.loads(v) for k, v in self._db.execute("SELECT k, v FROM meta")}
        if meta.get("format") != TABLE_FORMAT:
            raise ValueError(f"{path}: piece table format {meta.get('format')}")
        from tokenizers import Tokenizer

        self._skeleton = Tokenizer.from_str(json.dumps(meta["skeleton"]))
        self._fixed: list[tuple[str, float]] = [
            (str(piece), float(score)) for piece, score in meta["skeleton"]["model"]["vocab"]
        ]
        self._unk_id = int(meta["skeleton"]["model"].get("unk_id") or 0)
        self._longest = int(meta["longest"])
        self._added: list[str] = list(meta["added"])
        self._memo: dict[str, tuple[int, float] | None] = {}
        self._lowest = self._rows([str(meta["lowest"])])

    def encode_ids(self, text: str) -> list[int] | None:
        """The ids the full tokenizer gives `text`, or None for a text holding an added
        token (the caller's full tokenizer takes it)."""
        if any(token in text for token in self._added):
            return None
        words = self._skeleton.pre_tokenizer.pre_tokenize_str(
            self._skeleton.normalizer.normalize_str(text)
        )
        found = self._rows(self._substrings(word for word, _ in words))
        found.update(self._lowest)
        extra = [(piece, row) for piece, row in found.items() if row[0] >= len(self._fixed)]
        vocab = self._fixed + [(piece, score) for piece, (_, score) in extra]
        ids = list(range(len(self._fixed))) + [row[0] for _, row in extra]
        encoding = self._tokenizer(vocab).encode(text)
        return [ids[i] for i in encoding.ids]

    def _tokenizer(self, vocab: list[tuple[str, float]]) -> Any:
        """A tokenizer of the skeleton's pipeline over `vocab` (made per call: thread-safe)."""
        from tokenizers import Tokenizer
        from tokenizers.models import Unigram

        tokenizer = Tokenizer(Unigram(vocab, self._unk_id, False))
        skeleton = self._skeleton
        tokenizer.normalizer = skeleton.normalizer
        tokenizer.pre_tokenizer = skeleton.pre_tokenizer
        tokenizer.post_processor = skeleton.post_processor
        truncation = skeleton.truncation
        if truncation is not None:
            tokenizer.enable_truncation(**truncation)
        return tokenizer

    def _substrings(self, words: Any) -> set[str]:
        longest = self._longest
        out: set[str] = set()
        for word in words:
            for start in range(len(word)):
                for end in range(start + 1, min(len(word), start + longest) + 1):
                    out.add(word[start:end])
        return out

    def _rows(self, pieces: Any) -> dict[str, tuple[int, float]]:
        """piece -> (id, score) for those of `pieces` in the vocabulary; each substring's
        answer is remembered (a server sees the same ones again and again)."""
        found: dict[str, tuple[int, float]] = {}
        missing: list[str] = []
        memo = self._memo
        for piece in pieces:
            row = memo.get(piece, _UNSEEN)
            if row is _UNSEEN:
                missing.append(piece)
            elif row is not None:
                found[piece] = row  # type: ignore[assignment]
        if not missing:
            return found
        looked_up: dict[str, tuple[int, float]] = {}
        with self._lock:
            for start in range(0, len(missing), SQL_VARIABLES):
                batch = missing[start : start + SQL_VARIABLES]
                marks = ",".join("?" * len(batch))
                query = f"SELECT w, id, s FROM pieces WHERE w IN ({marks})"  # noqa: S608
                for piece, i, score in self._db.execute(query, batch):
                    looked_up[piece] = (int(i), float(score))
            if len(memo) + len(missing) > MEMO_MAX:
                memo.clear()
            memo.update((piece, looked_up.get(piece)) for piece in missing)
        found.update(looked_up)
        return found
