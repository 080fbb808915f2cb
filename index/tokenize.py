"""Chinese/English tokenisation for BM25 (jieba search mode, lower-cased, stopwords out)."""

from __future__ import annotations

import io
import logging
import re
import sqlite3
import sys
import threading
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from index.prefix_dict import prefix_dict, word_tags

logger = logging.getLogger(__name__)

_MARKER = re.compile(r"\[\d+\]")
_KEEP = re.compile(r"[\w%.]+")
_NOUN_FLAG = re.compile(r"n|vn|l|j|eng")

# Function words and question words that carry no topic.
STOPWORDS = frozenset(
    """
    的 了 是 在 和 与 及 等 对 把 被 从 为 以 也 都 就 而 或 其 之 这 那 有 将 要 个 中 上 下
    什么 多少 哪些 哪个 哪里 哪 几 怎么 怎样 如何 为什么 是否 吗 呢 吧 啊 请问 请 告诉 一下
    报告 提到 提出 指出 说 讲 问 我们 我 你 他们 它 今年 去年 明年 这个 那个 有关 关于 方面 情况
    全市 我市 本市 全省 我省 本省 全区 我区 city province
    the a an of in on to and or is are was were be been what which how many much who when where
    why did does do for with by at as from that this it its report mention mentioned say said
    """.split()
)


USER_WORD_FREQ = 20_000  # high enough that jieba keeps a user word whole


class ChineseTokenizer:
    """A jieba tokenizer with the corpus's own terms (glossary terms) added as words.

    With `cache_dir`, jieba's dictionary is looked up in a table there (index/prefix_dict.py);
    without, jieba loads it on first use.
    """

    def __init__(self, user_words: Iterable[str] = (), cache_dir: Path | None = None) -> None:
        import jieba

        self.user_words: tuple[str, ...] = tuple(sorted({w for w in user_words if w}))
        self._jieba = jieba.Tokenizer()
        self._pos: Any = None
        self._cache_dir = cache_dir
        if cache_dir is not None:
            cache_dir.mkdir(parents=True, exist_ok=True)
            self._jieba.tmp_dir = str(cache_dir)
            try:  # looked up on disk, not loaded (0.75 s): see index/prefix_dict.py
                self._jieba.FREQ = table = prefix_dict(cache_dir)
                self._jieba.total = table.total
                self._jieba.initialized = True
            except (OSError, sqlite3.Error) as exc:  # e.g. a read-only cache: jieba loads it
                logger.warning("jieba's dictionary table is unavailable (%s)", exc)
                self._cache_dir = None
        jieba.setLogLevel(logging.WARNING)
        for word in self.user_words:
            self._jieba.add_word(word, freq=USER_WORD_FREQ)

    def names_a_thing(self, text: str) -> bool:
        """Whether `text` holds a noun (part-of-speech tags from jieba): `固定资产投资` does,
        `出门走` and `要建` do not."""
        return any(_NOUN_FLAG.match(flag) for _, flag in self.tagged(text))

    def tagged(self, text: str) -> list[tuple[str, str]]:
        """`text` as (word, jieba part-of-speech flag) pairs, in order."""
        if self._pos is None:
            self._pos = _pos_tagger(self._jieba, self._cache_dir)
        return [(pair.word, pair.flag) for pair in self._pos.cut(text)]

    def tokens(self, text: str) -> list[str]:
        text = _MARKER.sub(" ", unicodedata.normalize("NFKC", text)).lower()
        out: list[str] = []
        for piece in self._jieba.cut_for_search(text):
            for token in _KEEP.findall(piece):
                token = token.strip(".")
                if token and token not in STOPWORDS and (len(token) > 1 or _is_cjk(token)):
                    out.append(token)
        return out


def _pos_tagger(tokenizer: Any, cache_dir: Path | None) -> Any:
    """jieba's part-of-speech tagger over `tokenizer`, its word tags from the table in
    `cache_dir` (index/prefix_dict.py); without one, read from jieba's dictionary file."""
    posseg = _posseg(cache_dir)
    if cache_dir is None or tokenizer.dictionary is not None:  # not jieba's default one
        return posseg.POSTokenizer(tokenizer)
    tagger = object.__new__(posseg.POSTokenizer)  # its __init__ would read the dictionary
    tagger.tokenizer = tokenizer
    tagger.word_tag_tab = word_tags(cache_dir)  # user tags are added to it, in memory
    return tagger


_IMPORTING = threading.Lock()


def _posseg(cache_dir: Path | None) -> Any:
    """`jieba.posseg`. Its import builds a default tagger that reads every word tag of
    jieba's dictionary (0.5 s); with a table of them in `cache_dir`, that tagger is given the
    table instead and the import reads nothing."""
    import jieba

    with _IMPORTING:
        if "jieba.posseg" in sys.modules or cache_dir is None:
            import jieba.posseg

            return jieba.posseg
        jieba.dt.get_dict_file = lambda: io.BytesIO(b"")  # what the import's tagger reads
        try:
            import jieba.posseg
        finally:
            del jieba.dt.get_dict_file
        jieba.posseg.dt.word_tag_tab = word_tags(cache_dir)
        return jieba.posseg


def _is_cjk(token: str) -> bool:
    return "\u4e00" <= token[0] <= "\u9fff"
