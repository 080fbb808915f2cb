"""The report's year from its headings (ingest/timeline.py), when the title block gives none."""

from __future__ import annotations

import pytest

from ingest.numerals import cn_to_int
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


def test_small_numerals_read_as_cn2an_reads_them_without_importing_it() -> None:
    import cn2an

    from ingest.numerals import _small

    for n in range(100):
        written = cn2an.an2cn(n, "low")
        assert _small(written) == n == int(cn2an.cn2an(written, "smart")), written
    for year in range(1949, 2100):
        written = "".join("〇一二三四五六七八九"[int(d)] for d in str(year))
        assert _small(written) == year == int(cn2an.cn2an(written, "smart")), written
    assert _small("一百") is None and _small("三十五万") is None  # left to cn2an
    assert cn_to_int("一百零五") == 105  # through cn2an
