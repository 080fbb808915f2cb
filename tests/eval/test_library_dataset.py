"""The library QA sets (eval/data/library/): written by reading eight 2026 reports; split by
report (dev: tuned on; test: held out); every item names its report(s)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from eval.dataset import EvalItem, load_items
from eval.metrics import contains_answer, normalize

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "eval" / "data" / "library"
LIBRARY = ROOT / "data" / "library"
DEV_REPORTS = {"guangdong", "beijing", "zhejiang", "gansu"}
TEST_REPORTS = {"hainan", "jiangxi", "fujian", "shanghai"}


@pytest.fixture(scope="module")
def sets() -> dict[str, list[EvalItem]]:
    names = ("dev", "dev2", "dev-en", "test", "cross")
    return {name: load_items(DATA / f"{name}.jsonl") for name in names}


@pytest.fixture(scope="module")
def texts() -> dict[str, str]:
    return {p.stem: normalize(p.read_text(encoding="utf-8")) for p in LIBRARY.glob("*.txt")}


def _region(doc_id: str) -> str:
    return doc_id.split("-")[0]


def test_split_by_report(sets: dict[str, list[EvalItem]]) -> None:
    assert {_region(i.doc_ids[0]) for i in sets["dev"]} == DEV_REPORTS
    assert {_region(i.doc_ids[0]) for i in sets["dev2"]} == DEV_REPORTS
    assert {_region(i.doc_ids[0]) for i in sets["dev-en"]} == DEV_REPORTS
    assert {i.type for i in sets["dev-en"]} == {"english", "unanswerable"}
    assert {_region(i.doc_ids[0]) for i in sets["test"]} == TEST_REPORTS
    assert all(len(i.doc_ids) == 1 for n in ("dev", "dev2", "dev-en", "test") for i in sets[n])
    single = sets["dev"] + sets["test"]
    assert len(single) >= 160
    ids = Counter(i.id for s in sets.values() for i in s)
    assert [i for i, n in ids.items() if n > 1] == []


def test_mix_of_types_and_near_misses(sets: dict[str, list[EvalItem]]) -> None:
    for name in ("dev", "dev2", "test"):
        counts = Counter(i.type for i in sets[name])
        assert counts["unanswerable"] / len(sets[name]) >= 0.12, name
        for kind in ("english", "comparison", "section_summary", "factoid_number"):
            assert counts[kind] >= 4, (name, kind)
    cross = sets["cross"]
    assert len(cross) >= 10 and all(i.type == "cross_report" for i in cross)
    assert all(len(i.doc_ids) == 2 for i in cross)


def test_answers_and_evidence_are_in_their_reports(
    sets: dict[str, list[EvalItem]], texts: dict[str, str]
) -> None:
    problems = []
    for item in [i for s in sets.values() for i in s if i.answerable]:
        report = "".join(texts[d] for d in item.doc_ids)
        joined = "".join(item.evidence)
        problems += [(item.id, ev) for ev in item.evidence if normalize(ev) not in report]
        problems += [(item.id, a) for a in item.answers if not contains_answer(a, report)]
        problems += [(item.id, a) for a in item.answers if not contains_answer(a, joined)]
    assert problems == []
