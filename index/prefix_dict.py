"""jieba's prefix dictionary and word tags, looked up on disk until a bulk job wants all.

jieba keeps every word of its dictionary and every prefix of one (584k keys) in a dict that
takes 0.75 s to load from its own cache, on every start, before the first question. Segmenting
a question looks up a few hundred keys. `DiskTable` answers those from a SQLite copy of
the same dictionary (built once in the cache directory, atomically), memoised; past
`bulk_after` lookups that missed the memo (an index build segments every chunk) it reads
the whole table into memory once and serves from there. The keys and counts are jieba's own
(`Tokenizer.gen_pfdict` over its dictionary), so segmentation is identical; words added to
the tokenizer (`add_word`) live in memory beside the table. The same file holds the
dictionary's part-of-speech tags (what `jieba.posseg` reads from it, 0.5 s, at import):
`DiskTable(path, "tags")`.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from pathlib import Path
from typing import Any

from ingest.atomic import replacing

FORMAT = 2
BULK_AFTER = 20_000  # lookups missing the memo before the whole table is read


def prefix_dict(cache_dir: Path) -> DiskTable:
    """jieba's default prefix dictionary, its total count as `.total` (built into `cache_dir`
    once)."""
    return DiskTable(ensure_table(Path(cache_dir)), "freq")


def word_tags(cache_dir: Path) -> DiskTable:
    """The part-of-speech tag of each word of jieba's default dictionary (as
    `jieba.posseg.POSTokenizer.load_word_tag` reads them)."""
    return DiskTable(ensure_table(Path(cache_dir)), "tags")


def ensure_table(cache_dir: Path) -> Path:
    """The SQLite table of jieba's default dictionary in `cache_dir` (written if missing)."""
    source = _dictionary_file()
    digest = hashlib.sha256(source.read_bytes()).hexdigest()[:16]
    path = cache_dir / f"jieba-prefix-{FORMAT}-{digest}.sqlite"
    if not path.is_file():
        _write_table(source, path)
    return path


def _dictionary_file() -> Path:
    import jieba

    return Path(jieba.__file__).parent / jieba.DEFAULT_DICT_NAME


def _write_table(source: Path, path: Path) -> None:
    import jieba

    with source.open("rb") as stream:
        freq, total = jieba.Tokenizer.gen_pfdict(stream)
    tags: dict[str, str] = {}
    for line in source.read_bytes().decode("utf-8").splitlines():  # as load_word_tag does
        if line.strip():
            word, _, tag = line.strip().split(" ")
            tags[word] = tag
    with replacing(path) as tmp:
        with sqlite3.connect(tmp) as db:
            db.execute("CREATE TABLE freq (w TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID")
            db.execute("CREATE TABLE tags (w TEXT PRIMARY KEY, n TEXT NOT NULL) WITHOUT ROWID")
            db.execute("CREATE TABLE meta (k TEXT PRIMARY KEY, v INTEGER NOT NULL)")
            db.executemany("INSERT INTO freq VALUES (?, ?)", freq.items())
            db.executemany("INSERT INTO tags VALUES (?, ?)", tags.items())
            db.execute("INSERT INTO meta VALUES ('total', ?)", (total,))
        db.close()


class DiskTable:
    """A table of the file as the mapping jieba uses its dicts as (`Tokenizer.FREQ`,
    `POSTokenizer.word_tag_tab`): `in`, `[]`, `get`, `[] =`, `update`."""

    def __init__(self, path: Path, table: str = "freq", bulk_after: int = BULK_AFTER) -> None:
        if table not in ("freq", "tags"):
            raise ValueError(f"no table {table}")
        self._db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        self._one = f"SELECT n FROM {table} WHERE w = ?"
        self._all = f"SELECT w, n FROM {table}"
        self._lock = threading.Lock()
        self._memo: dict[str, Any] = {}
        self._added: dict[str, Any] = {}
        self._full: dict[str, Any] | None = None
        self._bulk_after = bulk_after
        (total,) = self._db.execute("SELECT v FROM meta WHERE k = 'total'").fetchone()
        self.total = int(total)

    @property
    def in_memory(self) -> bool:
        """Whether the whole table has been read (after a bulk job)."""
        return self._full is not None

    def _lookup(self, word: str) -> Any:
        if self._full is not None:
            return self._full.get(word)
        if word in self._added:
            return self._added[word]
        try:
            return self._memo[word]
        except KeyError:
            pass
        with self._lock:
            if self._full is None and len(self._memo) >= self._bulk_after:
                self._read_all()
            if self._full is not None:
                return self._full.get(word)
            row = self._db.execute(self._one, (word,)).fetchone()
        value = None if row is None else row[0]
        self._memo[word] = value
        return value

    def _read_all(self) -> None:
        full = dict(self._db.execute(self._all))
        full.update(self._added)
        self._full = full

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and self._lookup(word) is not None

    def __getitem__(self, word: str) -> Any:
        value = self._lookup(word)
        if value is None:
            raise KeyError(word)
        return value

    def get(self, word: str, default: Any = None) -> Any:
        value = self._lookup(word)
        return default if value is None else value

    def __setitem__(self, word: str, value: Any) -> None:
        with self._lock:
            self._added[word] = value
            if self._full is not None:
                self._full[word] = value

    def update(self, values: dict[str, Any]) -> None:
        for word, value in values.items():
            self[word] = value
