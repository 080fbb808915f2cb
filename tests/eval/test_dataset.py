"""The real evaluation sets: shape, split balance, and that every answer is grounded in the report."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from eval.dataset import MAX_EVIDENCE, VALID_TYPES, EvalItem, load_items
from eval.errors import EvalDataError
from eval.metrics import contains_answer, normalize
from ingest.errors import ReportQAError

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "eval" / "data"
REPORT = ROOT / "data" / "corpus" / "zigong-2021-government-work-report.txt"
TOP_TITLES = (
    "一、2020年工作回顾及“十三五”主要成就",
    "二、“十四五”规划和2035年远景目标的主要考虑",
    "三、2021年主要工作安排",
    "相关用语注释",
)


@pytest.fixture(scope="module")
def report_text() -> str:
    return normalize(REPORT.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def splits() -> dict[str, list[EvalItem]]:
    return {name: load_items(DATA / f"{name}.jsonl") for name in ("dev", "test")}


@pytest.fixture(scope="module")
def all_items(splits: dict[str, list[EvalItem]]) -> list[EvalItem]:
    return splits["dev"] + splits["test"]


@pytest.fixture(scope="module")
def pairs() -> list[EvalItem]:
    """Minimal pairs for refusals: pair-NNa answerable, pair-NNb its unanswerable twin."""
    return load_items(DATA / "pairs.jsonl")


@pytest.fixture(scope="module")
def grounded(all_items: list[EvalItem], pairs: list[EvalItem]) -> list[EvalItem]:
    """Every bundled item whose answers and evidence must come from the report."""
    return all_items + pairs


def _section_spans(report_text: str) -> dict[str, tuple[int, int]]:
    """Normalised-text span of each top section; "标题" is everything before the first one."""
    starts = [report_text.index(normalize(title)) for title in TOP_TITLES]
    bounds = [0, *starts, len(report_text)]
    names = ["标题", *TOP_TITLES]
    return {name: (bounds[i], bounds[i + 1]) for i, name in enumerate(names)}


def test_size_and_unique_ids(splits: dict[str, list[EvalItem]], all_items: list[EvalItem]) -> None:
    assert len(all_items) >= 150
    ids = Counter(item.id for item in all_items)
    assert [i for i, n in ids.items() if n > 1] == []
    assert 0.5 <= len(splits["dev"]) / len(all_items) <= 0.6


@pytest.mark.parametrize("split", ["dev", "test"])
def test_every_type_present_and_balanced(splits: dict[str, list[EvalItem]], split: str) -> None:
    items = splits[split]
    counts = Counter(item.type for item in items)
    assert set(counts) == VALID_TYPES - {"cross_report"}  # one report: no cross-report items
    assert 0.09 <= counts["unanswerable"] / len(items) <= 0.13
    assert 0.07 <= counts["english"] / len(items) <= 0.11


def test_splits_do_not_share_questions(splits: dict[str, list[EvalItem]]) -> None:
    dev_questions = {normalize(item.question) for item in splits["dev"]}
    dev_answers = {(item.answers, item.evidence) for item in splits["dev"] if item.answerable}
    shared = [it.id for it in splits["test"] if normalize(it.question) in dev_questions]
    same_target = [it.id for it in splits["test"] if (it.answers, it.evidence) in dev_answers]
    assert shared == []
    assert same_target == []


def test_pairs_are_minimal_pairs(pairs: list[EvalItem], splits: dict[str, list[EvalItem]]) -> None:
    by_id = {item.id: item for item in pairs}
    numbers = sorted({item.id[:-1] for item in pairs})
    assert len(numbers) >= 20 and len(pairs) == 2 * len(numbers)
    for number in numbers:
        answerable, twin = by_id[f"{number}a"], by_id[f"{number}b"]
        assert answerable.answerable and answerable.type != "unanswerable", number
        assert not twin.answerable and twin.type == "unanswerable", number
    elsewhere = {normalize(it.question) for split in splits.values() for it in split}
    assert [it.id for it in pairs if normalize(it.question) in elsewhere] == []


def test_evidence_found_in_report(grounded: list[EvalItem], report_text: str) -> None:
    missing = [
        (item.id, ev)
        for item in grounded
        for ev in item.evidence
        if normalize(ev) not in report_text
    ]
    assert missing == []


def test_answers_in_report_and_in_evidence(grounded: list[EvalItem], report_text: str) -> None:
    problems = []
    for item in grounded:
        joined = "".join(item.evidence)
        for answer in item.answers:
            if not contains_answer(answer, report_text):
                problems.append((item.id, answer, "not in report"))
            if not contains_answer(answer, joined):
                problems.append((item.id, answer, "not in evidence"))
    assert problems == []


def test_item_shapes(grounded: list[EvalItem]) -> None:
    for item in grounded:
        if item.answerable:
            assert item.answers and 1 <= len(item.evidence) <= MAX_EVIDENCE, item.id
        else:
            assert item.answers == () and item.evidence == (), item.id
        if item.match == "all":
            assert 2 <= len(item.answers) <= 6, item.id


def test_section_holds_evidence(grounded: list[EvalItem], report_text: str) -> None:
    spans = _section_spans(report_text)
    wrong = []
    for item in grounded:
        if item.section not in spans:
            wrong.append((item.id, item.section))
            continue
        start, end = spans[item.section]
        positions = [report_text.find(normalize(ev)) for ev in item.evidence]
        if item.evidence and not any(start <= pos < end for pos in positions):
            wrong.append((item.id, item.section))
    assert wrong == []


# ---- validation of bad files --------------------------------------------------------------

GOOD = {
    "id": "x-1",
    "question": "去年GDP增长多少？",
    "answers": ["3.9%"],
    "match": "any",
    "evidence": ["地区生产总值增长3.9%"],
    "type": "factoid_number",
    "section": "一、2020年工作回顾及“十三五”主要成就",
}


def _write(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _line(**changes: object) -> str:
    record = {**GOOD, **changes}
    return json.dumps({k: v for k, v in record.items() if v is not ...}, ensure_ascii=False)


def test_good_file_loads_and_skips_blank_lines(tmp_path: Path) -> None:
    path = _write(tmp_path, _line(), "", _line(id="x-2"))
    items = load_items(path)
    assert [item.id for item in items] == ["x-1", "x-2"]
    assert items[0].answers == ("3.9%",) and items[0].answerable


@pytest.mark.parametrize(
    ("bad_line", "problem"),
    [
        ('{"id": "x-9", "question": ', "invalid JSON"),
        ('["not", "an", "object"]', "expected a JSON object"),
        (_line(section=...), "missing field(s): section"),
        (_line(notes="extra"), "unknown field(s): notes"),
        (_line(type="trivia"), "unknown type 'trivia'"),
        (_line(match="some"), "unknown match 'some'"),
        (_line(answers="3.9%"), "'answers' must be a list"),
        (_line(question=""), "'question' must be a non-empty string"),
        (_line(type="unanswerable"), "unanswerable item must have empty answers"),
        (_line(type="unanswerable", answers=[]), "unanswerable item must have empty answers"),
        (_line(answers=[]), "needs at least one answer"),
        (_line(evidence=[]), "needs 1-3 evidence strings"),
        (_line(evidence=["a", "b", "c", "d"]), "needs 1-3 evidence strings"),
        (_line(id="x-1"), "duplicate id 'x-1'"),
    ],
)
def test_bad_line_names_file_line_and_problem(tmp_path: Path, bad_line: str, problem: str) -> None:
    path = _write(tmp_path, _line(), bad_line)
    with pytest.raises(EvalDataError) as caught:
        load_items(path)
    message = str(caught.value)
    assert f"{path}:2:" in message
    assert problem in message
    assert isinstance(caught.value, ReportQAError)


def test_missing_file_is_a_domain_error(tmp_path: Path) -> None:
    with pytest.raises(EvalDataError, match="cannot read"):
        load_items(tmp_path / "nope.jsonl")
