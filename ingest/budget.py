"""Fitting a block of paragraphs into a token budget.

Each unit (a paragraph or a heading) is cut at sentence ends (then clauses, then characters)
into the fewest, most even spans within `max_tokens`; afterwards a piece under `min_tokens`
joins a neighbour (a piece cut from the same paragraph first), and a heading always joins the
text after it, as long as the joined span still fits.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

TokenCounter = Callable[[str], int]

_SENTENCE_END_RE = re.compile(r"[。！？；][”’」』）]*(?:\[\d{1,3}\])?")
_CLAUSE_END_RE = re.compile(r"[，、：][”’」』）]*(?:\[\d{1,3}\])?")
MIN_BUDGET = 8


@dataclass(frozen=True)
class Unit:
    """A paragraph (or heading) of a block: a text span and the section path it belongs to."""

    start: int
    end: int
    path: tuple[str, ...]
    heading: bool = False


@dataclass(frozen=True)
class Piece:
    start: int
    end: int
    path: tuple[str, ...]
    tokens: int
    unit: int  # index of the unit the piece starts in
    heading: bool = False


class BudgetSplitter:
    """Cuts blocks into pieces that fit the budget, then merges pieces too small to stand."""

    def __init__(self, text: str, count: TokenCounter, max_tokens: int, min_tokens: int) -> None:
        if max_tokens < MIN_BUDGET:
            raise ValueError(f"max_tokens must be at least {MIN_BUDGET}")
        self.text = text
        self.count = count
        self.max_tokens = max_tokens
        self.min_tokens = min_tokens

    def tokens(self, start: int, end: int) -> int:
        return self.count(self.text[start:end])

    def pieces(self, units: Sequence[Unit]) -> list[Piece]:
        """The units of one block as pieces within the budget, in text order."""
        pieces: list[Piece] = []
        for index, unit in enumerate(units):
            for start, end in self._fit(unit.start, unit.end):
                tokens = self.tokens(start, end)
                pieces.append(Piece(start, end, unit.path, tokens, index, unit.heading))
        return self._merge_small(pieces)

    # splitting -----------------------------------------------------------------------------

    def _fit(self, start: int, end: int) -> list[tuple[int, int]]:
        """[start, end) as spans within the budget: sentences, then clauses, then characters."""
        if self.tokens(start, end) <= self.max_tokens:
            return [(start, end)]
        for pattern in (_SENTENCE_END_RE, _CLAUSE_END_RE):
            parts = _cut(self.text, start, end, pattern)
            if len(parts) > 1:
                return self._balance([span for a, b in parts for span in self._fit(a, b)])
        return self._hard_split(start, end)

    def _balance(self, atoms: list[tuple[int, int]]) -> list[tuple[int, int]]:
        """Fewest groups of consecutive atoms that fit, as even in size as possible."""
        weights = [self.tokens(a, b) for a, b in atoms]
        for groups in range(math.ceil(sum(weights) / self.max_tokens), len(atoms) + 1):
            spans = [(atoms[a][0], atoms[b - 1][1]) for a, b in _partition(weights, groups)]
            if all(self.tokens(a, b) <= self.max_tokens for a, b in spans):
                return spans
        return atoms

    def _hard_split(self, start: int, end: int) -> list[tuple[int, int]]:
        """Last resort for a clause over the budget: the longest prefixes that fit."""
        spans: list[tuple[int, int]] = []
        while start < end:
            low, high = start + 1, end
            while low < high:
                middle = (low + high + 1) // 2
                if self.tokens(start, middle) <= self.max_tokens:
                    low = middle
                else:
                    high = middle - 1
            spans.append((start, low))
            start = low
        return spans

    # merging -------------------------------------------------------------------------------

    def _merge_small(self, pieces: list[Piece]) -> list[Piece]:
        index = 0
        while index < len(pieces):
            merged = self._merge_one(pieces, index) if len(pieces) > 1 else None
            if merged is None:
                index += 1
                continue
            first, piece = merged
            pieces[first : first + 2] = [piece]
            index = max(first - 1, 0)
        return pieces

    def _merge_one(self, pieces: list[Piece], index: int) -> tuple[int, Piece] | None:
        piece = pieces[index]
        if piece.heading:  # a heading always leads the text that follows it
            order: list[int | None] = [index + 1 if index + 1 < len(pieces) else None]
        elif piece.tokens < self.min_tokens:
            order = _neighbour_order(pieces, index)
        else:
            return None
        for other in order:
            if other is None:
                continue
            first = min(index, other)
            joined = self._join(pieces[first], pieces[first + 1])
            if joined.tokens <= self.max_tokens:
                return first, joined
        return None

    def _join(self, left: Piece, right: Piece) -> Piece:
        tokens = self.tokens(left.start, right.end)
        if left.heading:
            path = right.path
        else:
            path = left.path if left.tokens >= right.tokens else right.path
        return Piece(left.start, right.end, path, tokens, left.unit, heading=False)


def _neighbour_order(pieces: list[Piece], index: int) -> list[int | None]:
    """Prefer a neighbour cut from the same paragraph, then the smaller neighbour."""
    before = index - 1 if index > 0 else None
    after = index + 1 if index + 1 < len(pieces) else None
    unit = pieces[index].unit
    same = [i for i in (before, after) if i is not None and pieces[i].unit == unit]
    if same:
        return [*same, *(i for i in (before, after) if i not in same)]
    if before is not None and after is not None and pieces[after].tokens < pieces[before].tokens:
        return [after, before]
    return [before, after]


def _partition(weights: list[int], groups: int) -> list[tuple[int, int]]:
    """Split `weights` into `groups` consecutive ranges minimising the largest range sum."""
    count = len(weights)
    groups = max(1, min(groups, count))
    prefix = [0]
    for weight in weights:
        prefix.append(prefix[-1] + weight)
    # best[g][i]: the smallest largest-sum when the first i weights form g groups
    best = [[math.inf] * (count + 1) for _ in range(groups + 1)]
    cut = [[0] * (count + 1) for _ in range(groups + 1)]
    best[0][0] = 0
    for g in range(1, groups + 1):
        for i in range(g, count + 1):
            for j in range(g - 1, i):
                cost = max(best[g - 1][j], prefix[i] - prefix[j])
                if cost < best[g][i]:
                    best[g][i], cut[g][i] = cost, j
    ranges: list[tuple[int, int]] = []
    end = count
    for g in range(groups, 0, -1):
        ranges.append((cut[g][end], end))
        end = cut[g][end]
    return ranges[::-1]


def _cut(text: str, start: int, end: int, pattern: re.Pattern[str]) -> list[tuple[int, int]]:
    """[start, end) cut after every match of `pattern` (the separators stay with the left part)."""
    parts: list[tuple[int, int]] = []
    position = start
    for match in pattern.finditer(text, start, end):
        if match.end() < end:
            parts.append((position, match.end()))
            position = match.end()
    parts.append((position, end))
    return [part for part in parts if part[1] > part[0]]
