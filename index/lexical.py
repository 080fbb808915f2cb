"""Okapi BM25 over jieba tokens: built once, persisted as JSON, scored with numpy."""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from index.tokenize import ChineseTokenizer


@dataclass(frozen=True)
class BM25Params:
    k1: float = 1.2
    b: float = 0.75


class BM25Index:
    """Inverted index: term -> (row ids, term frequencies)."""

    def __init__(
        self,
        doc_tokens: Sequence[Sequence[str]],
        tokenizer: ChineseTokenizer,
        params: BM25Params = BM25Params(),
    ) -> None:
        self.tokenizer = tokenizer
        self.params = params
        self.doc_tokens = [list(t) for t in doc_tokens]
        self.n_docs = len(self.doc_tokens)
        lengths = np.array([len(t) for t in self.doc_tokens], dtype=np.float32)
        self.avgdl = float(lengths.mean()) if self.n_docs else 0.0
        self._norm = params.k1 * (1 - params.b + params.b * lengths / max(self.avgdl, 1e-9))
        self._postings = self._invert()

    @classmethod
    def build(
        cls, texts: Sequence[str], tokenizer: ChineseTokenizer, params: BM25Params = BM25Params()
    ) -> BM25Index:
        return cls([tokenizer.tokens(t) for t in texts], tokenizer, params)

    def _invert(self) -> dict[str, tuple[np.ndarray, np.ndarray, float]]:
        rows: dict[str, list[int]] = {}
        freqs: dict[str, list[int]] = {}
        for row, tokens in enumerate(self.doc_tokens):
            for term, tf in Counter(tokens).items():
                rows.setdefault(term, []).append(row)
                freqs.setdefault(term, []).append(tf)
        postings = {}
        for term, term_rows in rows.items():
            df = len(term_rows)
            idf = math.log(1 + (self.n_docs - df + 0.5) / (df + 0.5))
            postings[term] = (
                np.array(term_rows, dtype=np.int64),
                np.array(freqs[term], dtype=np.float32),
                idf,
            )
        return postings

    def score_tokens(self, query_tokens: Sequence[str]) -> np.ndarray:
        """BM25 score of every row for an already tokenised query."""
        scores = np.zeros(self.n_docs, dtype=np.float32)
        k1 = self.params.k1
        for term, qtf in Counter(query_tokens).items():
            posting = self._postings.get(term)
            if posting is None:
                continue
            rows, tf, idf = posting
            scores[rows] += qtf * idf * tf * (k1 + 1) / (tf + self._norm[rows])
        return scores

    def scores(self, query: str) -> np.ndarray:
        return self.score_tokens(self.tokenizer.tokens(query))

    def idf(self, term: str) -> float:
        posting = self._postings.get(term)
        return posting[2] if posting else 0.0

    # persistence -------------------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        return {
            "k1": self.params.k1,
            "b": self.params.b,
            "user_words": list(self.tokenizer.user_words),
            "doc_tokens": self.doc_tokens,
        }

    def save(self, path: Path) -> None:
        with path.open("w", encoding="utf-8") as f:
            json.dump(self.to_json(), f, ensure_ascii=False)

    @classmethod
    def load(cls, path: Path, cache_dir: Path | None = None) -> BM25Index:
        with path.open(encoding="utf-8") as f:
            data = json.load(f)
        tokenizer = ChineseTokenizer(data["user_words"], cache_dir=cache_dir)
        return cls(data["doc_tokens"], tokenizer, BM25Params(data["k1"], data["b"]))
