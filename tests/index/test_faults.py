"""Faults of the index on disk and of the corpus files.

A corrupt, truncated or mismatched index is detected when it is loaded, logged, and rebuilt
by `ensure_index` (the path `reportqa serve` and `reportqa index build` take); it is never
served. `reportqa index info` on a broken index prints one line. A `kill -9` in the middle
of `reportqa index build --force` (while embedding, or while writing the new version)
leaves the previous index complete and loadable, and its leftovers do not break the next
build. A corpus file over the size limit is refused before it is read.

The fast tests use a hash embedder (storage logic only); the `slow` ones run the real CLI
with the real model in subprocesses, on a small excerpt of the real report.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from app.cli import main as reportqa
from app.config import REPO_ROOT, Settings, get_settings
from index.build import ensure_index
from index.embedder import Embedder
from index.errors import IndexCorruptError, IndexNotFoundError
from index.store import BuildOptions, IndexStore
from ingest.errors import FileTooLargeError
from ingest.loaders import DEFAULT_MAX_BYTES, load_source
from ingest.models import Chunk
from ingest.pipeline import corpus_chunks
from tests.fakes import HashEmbedder

REPORT = REPO_ROOT / "data" / "corpus" / "zigong-2021-government-work-report.txt"
WHAT_TO_DO = "`reportqa index build`"  # every message says what to run
TEXTS = (
    "全年地区生产总值增长3.9%，规模以上工业增加值增长5.1%。",
    "城镇新增就业2.5万人，城镇调查失业率控制在5.5%以内。",
    "扎实做好六稳工作，全面落实六保任务。",
    "推进乡村振兴，巩固拓展脱贫攻坚成果。",
)


def make_chunks(texts: tuple[str, ...] = TEXTS) -> list[Chunk]:
    spans = [(i * 100, i * 100 + len(t)) for i, t in enumerate(texts)]
    return [
        Chunk(f"c{i}", "doc", ("一、测试", f"段{i}"), 1, 1, a, b, t, len(t), position=i)
        for i, ((a, b), t) in enumerate(zip(spans, texts, strict=True))
    ]


@pytest.fixture
def cache(shared_cache_dir: Path) -> Path:
    return shared_cache_dir  # jieba's dictionary cache: built once, not per test


@pytest.fixture
def index_dir(tmp_path: Path, cache: Path) -> Path:
    store = IndexStore.build(make_chunks(), HashEmbedder(), BuildOptions(), cache)
    store.save(tmp_path / "index")
    return tmp_path / "index"


def rewrite_manifest(version: Path, **changes: object) -> None:
    path = version / "manifest.json"
    path.write_text(json.dumps({**json.loads(path.read_text()), **changes}))


def truncate(name: str) -> Callable[[Path], None]:
    def apply(version: Path) -> None:
        path = version / name
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])

    return apply


def swap_in_other_vectors(version: Path) -> None:
    """vectors.npy from another, smaller build: a mismatched file."""
    other = IndexStore.build(make_chunks(TEXTS[:2]), HashEmbedder(), BuildOptions())
    np.save(version / "vectors.npy", other.dense.vectors)


def edit_a_chunk(version: Path) -> None:
    path = version / "chunks.jsonl"
    path.write_text(path.read_text(encoding="utf-8").replace("六稳", "六保"), encoding="utf-8")


def unfinished_manifest(version: Path) -> None:
    (version / "manifest.json").write_text('{"model": ')


def manifest_as_directory(version: Path) -> None:
    (version / "manifest.json").unlink()
    (version / "manifest.json").mkdir()


CORRUPTIONS: dict[str, tuple[Callable[[Path], None], str]] = {
    "truncated vectors.npy": (truncate("vectors.npy"), "vectors.npy"),
    "truncated dense.faiss": (truncate("dense.faiss"), "dense.faiss"),
    "truncated bm25.json": (truncate("bm25.json"), "bm25.json"),
    "vectors of another index": (swap_in_other_vectors, "vectors.npy"),
    "edited chunks.jsonl": (edit_a_chunk, "chunks.jsonl"),
    "manifest not JSON": (unfinished_manifest, "manifest"),
    "manifest missing": (lambda v: (v / "manifest.json").unlink(), "manifest.json"),
    "manifest is a directory": (manifest_as_directory, "manifest"),
    "manifest files not a mapping": (lambda v: rewrite_manifest(v, files=[1]), "checksum"),
    "manifest without checksums": (lambda v: rewrite_manifest(v, files={}), "bm25.json"),
    "manifest counts other chunks": (lambda v: rewrite_manifest(v, chunk_count=9), "9"),
}


@pytest.mark.parametrize(("corrupt", "named"), CORRUPTIONS.values(), ids=CORRUPTIONS)
def test_a_broken_index_is_detected_with_what_to_do(
    index_dir: Path, corrupt: Callable[[Path], None], named: str
) -> None:
    corrupt(index_dir.resolve())
    with pytest.raises(IndexCorruptError) as raised:
        IndexStore.load(index_dir)
    message = str(raised.value)
    assert named in message and WHAT_TO_DO in message
    assert "\n" not in message


REBUILT = (
    "truncated vectors.npy",
    "vectors of another index",
    "edited chunks.jsonl",
    "manifest not JSON",
    "manifest is a directory",
    "manifest without checksums",
)


@pytest.mark.parametrize(("corrupt", "named"), [CORRUPTIONS[k] for k in REBUILT], ids=REBUILT)
def test_a_broken_index_is_logged_and_rebuilt_not_served(
    index_dir: Path,
    cache: Path,
    corrupt: Callable[[Path], None],
    named: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    broken = index_dir.resolve()
    corrupt(broken)
    with caplog.at_level(logging.INFO, logger="index.build"):
        store = ensure_index(index_dir, make_chunks(), HashEmbedder(), BuildOptions(), cache)
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("rebuilt" in w and named in w for w in warnings), caplog.text
    assert index_dir.resolve() != broken and not broken.exists()
    loaded = IndexStore.load(index_dir, cache_dir=cache)
    assert [c.text for c in loaded.chunks] == list(TEXTS)
    assert loaded.manifest == store.manifest
    assert loaded.lexical.scores("六稳")[2] > 0


def test_an_index_whose_version_is_gone_is_built_again(index_dir: Path, cache: Path) -> None:
    shutil.rmtree(index_dir.resolve())  # a dangling link
    with pytest.raises(IndexNotFoundError, match="reportqa index build"):
        IndexStore.load(index_dir)
    ensure_index(index_dir, make_chunks(), HashEmbedder(), BuildOptions(), cache)
    assert IndexStore.load(index_dir).manifest.chunk_count == len(TEXTS)


def test_an_index_of_another_model_is_rebuilt(index_dir: Path, cache: Path) -> None:
    other = HashEmbedder(model_id="another-model")
    ensure_index(index_dir, make_chunks(), other, BuildOptions(), cache)
    assert IndexStore.load(index_dir, expected_model="another-model").manifest.chunk_count == 4


# --- `reportqa index info` ------------------------------------------------------------------


@pytest.mark.parametrize(
    "corrupt",
    [
        lambda v: (v / "manifest.json").write_text("{not json"),
        lambda v: (v / "manifest.json").write_bytes(b"\xff\xfe\x00garbage"),
        lambda v: (v / "manifest.json").unlink(),
        lambda v: rewrite_manifest(v, format_version=99),
        lambda v: shutil.rmtree(v),
    ],
    ids=["not json", "not utf-8", "missing", "other format", "version gone"],
)
def test_index_info_on_a_broken_index_is_one_line(
    index_dir: Path, corrupt: Callable[[Path], None], monkeypatch: pytest.MonkeyPatch
) -> None:
    corrupt(index_dir.resolve())
    monkeypatch.setenv("REPORTQA_INDEX_DIR", str(index_dir))
    result = CliRunner().invoke(reportqa, ["index", "info"])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
    assert "reportqa index build" in lines[0]


# --- leftovers of an interrupted save ---------------------------------------------------------


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_leftovers_of_a_killed_save_do_not_break_the_next(
    index_dir: Path, tmp_path: Path, cache: Path
) -> None:
    versions = tmp_path / ".index.versions"
    dead = versions / f"tmp-{dead_pid()}-1"
    dead.mkdir()
    (dead / "vectors.npy").write_bytes(b"half written")
    alive = versions / "tmp-1-1"  # pid 1 is alive: a build in progress elsewhere is left alone
    alive.mkdir()
    (tmp_path / ".index.link-999999").symlink_to("nowhere")  # killed between link and rename
    store = IndexStore.build(make_chunks(TEXTS[:3]), HashEmbedder(), BuildOptions(), cache)
    store.save(index_dir)
    assert IndexStore.load(index_dir).manifest.chunk_count == 3
    assert not dead.exists() and alive.exists()


# --- corpus files ---------------------------------------------------------------------------


def test_a_huge_corpus_file_is_refused_before_it_is_read(
    tmp_path: Path, shared_cache_dir: Path
) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(REPORT, corpus / REPORT.name)
    huge = corpus / "huge.txt"
    with huge.open("wb") as f:  # sparse: costs no disk and no time unless read
        f.truncate(DEFAULT_MAX_BYTES + 1)
    started = time.perf_counter()
    with pytest.raises(FileTooLargeError, match="huge.txt") as raised:
        load_source(huge)
    assert str(DEFAULT_MAX_BYTES) in str(raised.value)
    with pytest.raises(FileTooLargeError, match="huge.txt"):
        corpus_chunks(corpus, cache_dir=shared_cache_dir)
    assert time.perf_counter() - started < 5


# --- the real CLI, killed -------------------------------------------------------------------

EXCERPT_LINES = 100  # the report's opening: 9-12 chunks, a few seconds of embedding


@pytest.fixture(scope="module")
def pristine(
    tmp_path_factory: pytest.TempPathFactory, shared_cache_dir: Path, real_embedder: Embedder
) -> Path:
    """A small real index (real model, excerpt of the real report); tests work on copies."""
    root = tmp_path_factory.mktemp("pristine")
    corpus = root / "corpus"
    corpus.mkdir()
    lines = REPORT.read_text(encoding="utf-8").splitlines(keepends=True)
    (corpus / "zigong-2021-excerpt.txt").write_text("".join(lines[:EXCERPT_LINES]), "utf-8")
    settings = small_settings(root)
    from app.factory import build_index

    build_index(settings, real_embedder)
    return root


def small_settings(root: Path) -> Settings:
    from tests.conftest import SHARED_CACHE, TEST_CLIENT_HOST

    return get_settings(
        corpus_dir=root / "corpus",
        index_dir=root / "index",
        cache_dir=SHARED_CACHE,
        allowed_hosts=[TEST_CLIENT_HOST],
    )


def copy_of(pristine: Path, tmp_path: Path) -> Settings:
    root = tmp_path / "work"
    shutil.copytree(pristine, root, symlinks=True)
    return small_settings(root)


def cli_env(settings: Settings) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("REPORTQA_")}
    env.update(
        REPORTQA_CORPUS_DIR=str(settings.corpus_dir),
        REPORTQA_INDEX_DIR=str(settings.index_dir),
        REPORTQA_CACHE_DIR=str(settings.cache_dir),
        PYTHONPATH=str(REPO_ROOT),
        PYTHONUNBUFFERED="1",
    )
    return env


class Watched:
    """A subprocess whose stderr is collected as it comes, to act at a given moment."""

    def __init__(self, code: str, args: list[str], env: dict[str, str]) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-c", code, *args],
            env=env,
            cwd=REPO_ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        self.output = bytearray()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        while chunk := os.read(self.proc.stdout.fileno(), 4096):
            self.output += chunk

    @property
    def text(self) -> str:
        return self.output.decode("utf-8", "replace")

    def wait_for(self, marker: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while marker.encode() not in self.output:
            if self.proc.poll() is not None:
                raise AssertionError(
                    f"exited ({self.proc.returncode}) before {marker!r}:\n{self.text}"
                )
            if time.monotonic() > deadline:
                raise AssertionError(f"no {marker!r} within {timeout} s:\n{self.text[-2000:]}")
            time.sleep(0.02)

    def kill_9(self) -> None:
        os.kill(self.proc.pid, signal.SIGKILL)
        assert self.proc.wait(timeout=30) == -signal.SIGKILL

    def finish(self, timeout: float) -> int:
        code = self.proc.wait(timeout=timeout)
        self.reader.join(timeout=10)
        return code


@contextmanager
def watched(code: str, args: list[str], env: dict[str, str]) -> Iterator[Watched]:
    run = Watched(code, args, env)
    try:
        yield run
    finally:
        if run.proc.poll() is None:
            run.proc.kill()
            run.proc.wait(timeout=30)


CLI = "from app.cli import main; main()"
# The real CLI, paused once every file of the new version is written and synced, before it is
# renamed into place: a kill there leaves a complete but unpublished tmp-<pid> directory.
CLI_PAUSED_IN_SAVE = """
import sys, time
import index.store as store
fsync = store._fsync_dir
def pause(directory):
    fsync(directory)
    print("saving: every file written", file=sys.stderr, flush=True)
    time.sleep(600)
store._fsync_dir = pause
from app.cli import main
main()
"""


def load_real(settings: Settings) -> IndexStore:
    return IndexStore.load(settings.index_dir, settings.model, settings.cache_dir)


@pytest.mark.slow
def test_kill_9_while_embedding_leaves_the_previous_index(pristine: Path, tmp_path: Path) -> None:
    settings = copy_of(pristine, tmp_path)
    before = load_real(settings)
    version = settings.index_dir.resolve()
    with watched(CLI, ["index", "build", "--force"], cli_env(settings)) as build:
        build.wait_for("embedding", timeout=300)
        build.kill_9()
    after = load_real(settings)
    assert settings.index_dir.resolve() == version
    assert after.manifest == before.manifest
    assert [c.chunk_id for c in after.chunks] == [c.chunk_id for c in before.chunks]
    assert [p.name for p in version.parent.iterdir()] == [version.name]


@pytest.mark.slow
def test_kill_9_while_saving_leaves_the_previous_index_and_no_harm(
    pristine: Path, tmp_path: Path
) -> None:
    settings = copy_of(pristine, tmp_path)
    before = load_real(settings).manifest
    old_version = settings.index_dir.resolve()
    with watched(CLI_PAUSED_IN_SAVE, ["index", "build", "--force"], cli_env(settings)) as build:
        build.wait_for("saving: every file written", timeout=300)
        build.kill_9()
        killed = build.proc.pid
    versions = settings.index_dir.resolve().parent
    leftovers = [p for p in versions.iterdir() if p.name.startswith(f"tmp-{killed}-")]
    assert len(leftovers) == 1 and (leftovers[0] / "manifest.json").is_file()
    assert load_real(settings).manifest == before, "the unpublished version is not served"

    with watched(CLI, ["index", "build", "--force"], cli_env(settings)) as rebuild:
        assert rebuild.finish(timeout=600) == 0, rebuild.text
    assert "index ready" in rebuild.text
    after = load_real(settings).manifest
    assert after.corpus_hash == before.corpus_hash and after.chunk_count == before.chunk_count
    assert settings.index_dir.resolve() != old_version
    assert [p.name for p in versions.iterdir()] == [settings.index_dir.resolve().name]


@pytest.mark.slow
def test_index_build_rebuilds_a_truncated_index(pristine: Path, tmp_path: Path) -> None:
    settings = copy_of(pristine, tmp_path)
    broken = settings.index_dir.resolve()
    truncate("sentence_vectors.npy")(broken)
    with watched(CLI, ["index", "build"], cli_env(settings)) as build:
        assert build.finish(timeout=600) == 0, build.text
    assert "unusable and will be rebuilt" in build.text and "sentence_vectors.npy" in build.text
    assert WHAT_TO_DO in build.text
    assert settings.index_dir.resolve() != broken and not broken.exists()
    assert load_real(settings).manifest.chunk_count > 0


@pytest.mark.slow
def test_the_app_rebuilds_a_corrupt_index_at_start_instead_of_serving_it(
    pristine: Path,
    tmp_path: Path,
    real_embedder: Embedder,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from fastapi.testclient import TestClient

    from app import factory
    from app.api import create_app

    settings = copy_of(pristine, tmp_path)
    old = load_real(settings).manifest
    broken = settings.index_dir.resolve()
    edit_a_chunk(broken)
    monkeypatch.setattr(factory, "build_embedder", lambda s, progress=False: real_embedder)
    with caplog.at_level(logging.INFO), TestClient(create_app(settings, ui=False)) as client:
        health = client.get("/api/health").json()
        answer = client.post("/api/ask", json={"question": "2020年地区生产总值增长多少？"})
    assert any(
        r.levelno == logging.WARNING and "chunks.jsonl" in r.getMessage() for r in caplog.records
    )
    assert settings.index_dir.resolve() != broken and not broken.exists()
    assert health["chunk_count"] == old.chunk_count
    assert answer.status_code == 200 and "3.9%" in answer.json()["answer"]
    assert load_real(settings).manifest.corpus_hash == old.corpus_hash
