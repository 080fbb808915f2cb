"""ensure_index rebuilds only when the corpus, the model or the dense index kind changed."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from index.build import ensure_index
from index.store import BuildOptions
from ingest.models import Chunk
from tests.fakes import HashEmbedder


def _chunks() -> list[Chunk]:
    texts = ["全年地区生产总值增长3.9%。", "扎实做好六稳工作。", "推进乡村振兴。"]
    return [
        Chunk(f"c{i}", "doc", ("一、回顾",), 1, 1, i * 50, i * 50 + len(t), t, 8, position=i)
        for i, t in enumerate(texts)
    ]


def test_second_call_loads_instead_of_rebuilding(tmp_path: Path) -> None:
    index_dir, cache = tmp_path / "index", tmp_path / "cache"
    first = ensure_index(index_dir, _chunks(), HashEmbedder(), BuildOptions(), cache)
    version = index_dir.resolve()
    again = ensure_index(index_dir, _chunks(), HashEmbedder(), BuildOptions(), cache)
    assert index_dir.resolve() == version
    assert again.manifest.built_at == first.manifest.built_at


def test_changed_corpus_model_or_kind_rebuilds(tmp_path: Path) -> None:
    index_dir, cache = tmp_path / "index", tmp_path / "cache"
    ensure_index(index_dir, _chunks(), HashEmbedder(), BuildOptions(), cache)
    versions = {index_dir.resolve()}
    edited = [*_chunks()[:-1], replace(_chunks()[-1], text="推进乡村全面振兴。")]
    for chunks, embedder, options in (
        (edited, HashEmbedder(), BuildOptions()),
        (edited, HashEmbedder(model_id="another-model"), BuildOptions()),
        (edited, HashEmbedder(model_id="another-model"), BuildOptions(dense_kind="hnsw")),
    ):
        store = ensure_index(index_dir, chunks, embedder, options, cache)
        assert index_dir.resolve() not in versions
        versions.add(index_dir.resolve())
        assert store.manifest.model == embedder.model_id
        assert store.manifest.dense_index == options.dense_kind


def test_corrupt_index_is_rebuilt_not_served(tmp_path: Path) -> None:
    index_dir, cache = tmp_path / "index", tmp_path / "cache"
    ensure_index(index_dir, _chunks(), HashEmbedder(), BuildOptions(), cache)
    (index_dir / "bm25.json").write_text("{", encoding="utf-8")
    store = ensure_index(index_dir, _chunks(), HashEmbedder(), BuildOptions(), cache)
    assert len(store) == 3 and store.lexical.scores("乡村振兴").max() > 0
