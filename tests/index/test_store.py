"""Index storage: build, save, load, manifest checks, corruption and atomic replacement."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from index.errors import IndexCorruptError, IndexMismatchError, IndexNotFoundError
from index.store import BuildOptions, IndexStore
from ingest.models import Chunk
from tests.fakes import HashEmbedder


def make_chunks(texts: list[str]) -> list[Chunk]:
    return [
        Chunk(
            f"c{i}",
            "doc",
            ("一、测试", f"段{i}"),
            1,
            1,
            i * 100,
            i * 100 + len(t),
            t,
            len(t),
            position=i,
        )
        for i, t in enumerate(texts)
    ]


TEXTS = [
    "全年地区生产总值增长3.9%，规模以上工业增加值增长5.1%。",
    "城镇新增就业2.5万人，城镇调查失业率控制在5.5%以内。",
    "扎实做好六稳工作，全面落实六保任务。",
    "推进乡村振兴，巩固拓展脱贫攻坚成果。",
]


@pytest.fixture()
def built(tmp_path: Path) -> tuple[IndexStore, Path]:
    store = IndexStore.build(
        make_chunks(TEXTS), HashEmbedder(), BuildOptions(), cache_dir=tmp_path / "cache"
    )
    index_dir = tmp_path / "index"
    store.save(index_dir)
    return store, index_dir


def test_round_trip_keeps_rows_vectors_and_bm25(
    built: tuple[IndexStore, Path], tmp_path: Path
) -> None:
    store, index_dir = built
    loaded = IndexStore.load(index_dir, expected_model="fake-hash", cache_dir=tmp_path / "cache")
    assert [c.chunk_id for c in loaded.chunks] == [c.chunk_id for c in store.chunks]
    np.testing.assert_array_equal(loaded.dense.vectors, store.dense.vectors)
    np.testing.assert_allclose(loaded.lexical.scores("就业"), store.lexical.scores("就业"))
    assert loaded.manifest.chunk_count == 4 and loaded.manifest.model == "fake-hash"
    assert set(loaded.manifest.files) == {
        "documents.json",
        "chunks.jsonl",
        "bm25.json",
        "vectors.npy",
        "dense.faiss",
        "sentence_vectors.npy",
        "sentence_offsets.npy",
    }
    np.testing.assert_array_equal(loaded.sentences.vectors, store.sentences.vectors)


def test_missing_index_says_how_to_build(tmp_path: Path) -> None:
    with pytest.raises(IndexNotFoundError, match="reportqa index build"):
        IndexStore.load(tmp_path / "nothing")


def test_model_mismatch_names_both_models(built: tuple[IndexStore, Path]) -> None:
    _, index_dir = built
    with pytest.raises(IndexMismatchError, match="fake-hash.*other-model|other-model"):
        IndexStore.load(index_dir, expected_model="other-model")


def test_truncated_vector_file_is_detected(built: tuple[IndexStore, Path]) -> None:
    _, index_dir = built
    vectors = index_dir / "vectors.npy"
    vectors.write_bytes(vectors.read_bytes()[:-100])
    with pytest.raises(IndexCorruptError, match="vectors.npy"):
        IndexStore.load(index_dir)


def test_format_version_mismatch(built: tuple[IndexStore, Path]) -> None:
    _, index_dir = built
    manifest = index_dir / "manifest.json"
    data = json.loads(manifest.read_text())
    data["format_version"] = 999
    manifest.write_text(json.dumps(data))
    with pytest.raises(IndexMismatchError, match="format"):
        IndexStore.load(index_dir)


def test_save_replaces_atomically_and_cleans_old_versions(
    built: tuple[IndexStore, Path], tmp_path: Path
) -> None:
    _, index_dir = built
    first = index_dir.resolve()
    bigger = IndexStore.build(
        make_chunks([*TEXTS, "新增一段文字。"]), HashEmbedder(), cache_dir=tmp_path / "cache"
    )
    bigger.save(index_dir)
    assert index_dir.is_symlink() and index_dir.resolve() != first
    assert not first.exists()
    assert IndexStore.load(index_dir).manifest.chunk_count == 5


def test_failed_save_leaves_previous_index(
    built: tuple[IndexStore, Path], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _, index_dir = built
    other = IndexStore.build(make_chunks(TEXTS[:2]), HashEmbedder(), cache_dir=tmp_path / "c")

    def boom(directory: Path) -> list[str]:
        raise OSError("disk full")

    monkeypatch.setattr(other.dense, "save", boom)
    with pytest.raises(OSError):
        other.save(index_dir)
    assert IndexStore.load(index_dir).manifest.chunk_count == 4
    leftovers = [p.name for p in (tmp_path / ".index.versions").iterdir()]
    assert not any(name.startswith("tmp-") for name in leftovers)
