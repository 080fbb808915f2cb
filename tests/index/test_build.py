"""ensure_index rebuilds only when the corpus, the model (its backend and precision too) or
the dense index kind changed."""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from pathlib import Path

import pytest

from index.build import ensure_index
from index.manifest import read_manifest
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


def test_changed_backend_or_precision_rebuilds_and_is_recorded(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    index_dir, cache = tmp_path / "index", tmp_path / "cache"
    ensure_index(index_dir, _chunks(), HashEmbedder(backend="torch"), BuildOptions(), cache)
    versions = {index_dir.resolve()}
    for backend, precision in (("onnx", "fp32"), ("onnx", "int8")):
        embedder = HashEmbedder(backend=backend, precision=precision)
        with caplog.at_level(logging.INFO, logger="index.build"):
            store = ensure_index(index_dir, _chunks(), embedder, BuildOptions(), cache)
        assert index_dir.resolve() not in versions
        versions.add(index_dir.resolve())
        assert (store.manifest.embed_backend, store.manifest.embed_precision) == (
            backend,
            precision,
        )
        assert f"the configured one is {backend}/{precision}" in caplog.text
    on_disk = read_manifest(index_dir.resolve())
    assert (on_disk.embed_backend, on_disk.embed_precision) == ("onnx", "int8")


def test_a_manifest_from_before_the_onnx_backend_reads_as_torch_fp32(tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    ensure_index(index_dir, _chunks(), HashEmbedder(), BuildOptions(), tmp_path / "cache")
    path = index_dir.resolve() / "manifest.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    del data["embed_backend"], data["embed_precision"]
    path.write_text(json.dumps(data), encoding="utf-8")
    manifest = read_manifest(index_dir.resolve())
    assert (manifest.embed_backend, manifest.embed_precision) == ("torch", "fp32")
