"""The report's year from its headings (ingest/timeline.py), when the title block gives none."""

from __future__ import annotations

import pytest

from ingest.timeline import infer_year


@pytest.mark.parametrize(
    ("headings", "year"),
    [
        (["一、2025年工作回顾", "二、2026年工作安排"], 2026),
        (["一、二〇二五年工作回顾"], 2026),
        (["三、二〇二六年重点工作"], 2026),
        (["一、过去五年工作回顾"], None),
    ],
)
def test_the_year_comes_from_a_review_or_work_heading(
    headings: list[str], year: int | None
) -> None:
    assert infer_year(headings) == year
