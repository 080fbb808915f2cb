"""Chinese/English tokenisation for BM25 (jieba search mode, lower-cased, stopwords out)."""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import Any

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

    jieba's dictionary is loaded on first use, into `cache_dir` when given.
    """

    def __init__(self, user_words: Iterable[str] = (), cache_dir: Path | None = None) -> None:
        import jieba

        self.user_words: tuple[str, ...] = tuple(sorted({w for w in user_words if w}))
        self._jieba = jieba.Tokenizer()
        self._pos: Any = None
        if cache_dir is not None:
            cache_dir.mkdir(parents=True, exist_ok=True)
            self._jieba.tmp_dir = str(cache_dir)
        jieba.setLogLevel(logging.WARNING)
        for word in self.user_words:
            self._jieba.add_word(word, freq=USER_WORD_FREQ)

    def names_a_thing(self, text: str) -> bool:
        """Whether `text` holds a noun (part-of-speech tags from jieba): `固定资产投资` does,
        `出门走` and `要建` do not."""
        if self._pos is None:
            self._pos = _pos_tagger(self._jieba)
        return any(_NOUN_FLAG.match(pair.flag) for pair in self._pos.cut(text))

    def tokens(self, text: str) -> list[str]:
        text = _MARKER.sub(" ", unicodedata.normalize("NFKC", text)).lower()
        out: list[str] = []
        for piece in self._jieba.cut_for_search(text):
            for token in _KEEP.findall(piece):
                token = token.strip(".")
                if token and token not in STOPWORDS and (len(token) > 1 or _is_cjk(token)):
                    out.append(token)
        return out


def _pos_tagger(tokenizer: Any) -> Any:
    """jieba's part-of-speech tagger over `tokenizer`. Importing jieba.posseg reads the word
    tags of jieba's dictionary once (for its default tagger); a tokenizer on that dictionary
    shares a copy of them instead of reading the file again (0.5 s)."""
    import jieba
    import jieba.posseg

    if tokenizer.dictionary != jieba.dt.dictionary:
        return jieba.posseg.POSTokenizer(tokenizer)
    tagger = object.__new__(jieba.posseg.POSTokenizer)  # its __init__ would read the file
    tagger.tokenizer = tokenizer
    tagger.word_tag_tab = dict(jieba.posseg.dt.word_tag_tab)  # user tags are added to it
    return tagger


def _is_cjk(token: str) -> bool:
    return "\u4e00" <= token[0] <= "\u9fff"
