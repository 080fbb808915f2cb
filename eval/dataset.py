"""Evaluation items: the frozen record and a validating JSONL loader.

One JSON object per line:
``{"id", "question", "answers", "match", "evidence", "type", "section"}``, and, in sets over
several reports, ``"doc_id"``: the report the item is about (a list for a `cross_report` item,
whose answers hold one figure per report, in that order).

Bundled sets: eval/data/dev.jsonl (tuned on), test.jsonl (held out), and pairs.jsonl:
minimal pairs for refusals, `pair-NNa` answerable and `pair-NNb` an unanswerable twin that
changes one element (the period, the year, the place, the indicator, the entity asked).
Conventions (checked by tests/eval/test_dataset.py):
- answers are short strings found literally in the report after `eval.metrics.normalize`
  (NFKC, no whitespace, no ``[n]`` markers) and inside the joined evidence; "any" lists
  alternatives, "all" lists the items of a list answer (at most 6);
- evidence holds 1-3 normalised-report substrings; English questions are answered with the
  Chinese strings of the report; unanswerable items have empty answers and evidence;
- section is the whitespace-free top section title ("标题" before the first section,
  "相关用语注释" for the glossary) holding the first evidence string that contains an answer;
  for unanswerable items, the section holding the near-miss figure.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eval.errors import EvalDataError

VALID_TYPES: frozenset[str] = frozenset(
    {
        "factoid_number",
        "factoid_entity",
        "definition_glossary",
        "list",
        "section_summary",
        "paraphrase",
        "multi_hop",
        "comparison",
        "english",
        "cross_report",
        "unanswerable",
    }
)
VALID_MATCH: frozenset[str] = frozenset({"any", "all"})
FIELDS: tuple[str, ...] = ("id", "question", "answers", "match", "evidence", "type", "section")
OPTIONAL_FIELDS: tuple[str, ...] = ("doc_id",)
MAX_EVIDENCE = 3


@dataclass(frozen=True)
class EvalItem:
    id: str
    question: str
    answers: tuple[str, ...]
    match: str  # "any": one alternative suffices; "all": every list item must appear
    evidence: tuple[str, ...]  # 1-3 report substrings (empty for unanswerable items)
    type: str
    section: str  # top section title (whitespace removed), "标题" or "相关用语注释"
    doc_ids: tuple[str, ...] = ()  # the report(s) the item is about; () = the only report

    @property
    def answerable(self) -> bool:
        return self.type != "unanswerable"


def load_items(path: str | Path) -> list[EvalItem]:
    """Read and validate a JSONL file; raise `EvalDataError` naming file:line on any problem."""
    path = Path(path)
    try:
        with path.open(encoding="utf-8") as handle:
            lines = handle.read().splitlines()
    except OSError as exc:
        raise EvalDataError(f"{path}: cannot read evaluation data: {exc.strerror}") from exc
    items: list[EvalItem] = []
    seen: set[str] = set()
    for lineno, raw in _numbered(lines):
        where = f"{path}:{lineno}"
        item = parse_item(_decode(raw, where), where)
        if item.id in seen:
            raise EvalDataError(f"{where}: duplicate id {item.id!r}")
        seen.add(item.id)
        items.append(item)
    return items


def _numbered(lines: list[str]) -> Iterator[tuple[int, str]]:
    """Non-blank lines with their 1-based line numbers."""
    for lineno, raw in enumerate(lines, start=1):
        if raw.strip():
            yield lineno, raw


def _decode(raw: str, where: str) -> dict[str, Any]:
    try:
        record = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise EvalDataError(f"{where}: invalid JSON: {exc.msg} (column {exc.colno})") from exc
    if not isinstance(record, dict):
        raise EvalDataError(f"{where}: expected a JSON object, got {type(record).__name__}")
    return record


def parse_item(record: dict[str, Any], where: str = "<item>") -> EvalItem:
    """Validate one decoded record and build the `EvalItem`."""
    missing = [name for name in FIELDS if name not in record]
    if missing:
        raise EvalDataError(f"{where}: missing field(s): {', '.join(missing)}")
    extra = sorted(set(record) - set(FIELDS) - set(OPTIONAL_FIELDS))
    if extra:
        raise EvalDataError(f"{where}: unknown field(s): {', '.join(extra)}")
    item = EvalItem(
        id=_text(record, "id", where),
        question=_text(record, "question", where),
        answers=_strings(record, "answers", where),
        match=_text(record, "match", where),
        evidence=_strings(record, "evidence", where),
        type=_text(record, "type", where),
        section=_text(record, "section", where),
        doc_ids=_doc_ids(record, where),
    )
    _check_item(item, where)
    return item


def _doc_ids(record: dict[str, Any], where: str) -> tuple[str, ...]:
    value = record.get("doc_id")
    if value is None:
        return ()
    if isinstance(value, str) and value.strip():
        return (value,)
    if isinstance(value, list) and value and all(isinstance(v, str) and v for v in value):
        return tuple(value)
    raise EvalDataError(f"{where}: field 'doc_id' must be a report id or a list of them")


def _text(record: dict[str, Any], name: str, where: str) -> str:
    value = record[name]
    if not isinstance(value, str) or not value.strip():
        raise EvalDataError(f"{where}: field {name!r} must be a non-empty string")
    return value


def _strings(record: dict[str, Any], name: str, where: str) -> tuple[str, ...]:
    value = record[name]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise EvalDataError(f"{where}: field {name!r} must be a list of non-empty strings")
    return tuple(value)


def _check_item(item: EvalItem, where: str) -> None:
    if item.type not in VALID_TYPES:
        raise EvalDataError(f"{where}: unknown type {item.type!r}")
    if item.match not in VALID_MATCH:
        raise EvalDataError(f"{where}: unknown match {item.match!r} (use 'any' or 'all')")
    if not item.answerable:
        if item.answers or item.evidence:
            raise EvalDataError(
                f"{where}: an unanswerable item must have empty answers and evidence"
            )
        return
    if not item.answers:
        raise EvalDataError(f"{where}: an answerable item needs at least one answer")
    if not 1 <= len(item.evidence) <= MAX_EVIDENCE:
        raise EvalDataError(f"{where}: an answerable item needs 1-{MAX_EVIDENCE} evidence strings")
