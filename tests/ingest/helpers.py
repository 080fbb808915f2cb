"""Helpers for the ingest tests: independent views of the raw report."""

from __future__ import annotations

import re

from app.config import REPO_ROOT

REPORT = REPO_ROOT / "data" / "corpus" / "zigong-2021-government-work-report.txt"
_NOISE_RE = re.compile(r"\s+|\[\d{1,3}\]")


def normalise(text: str) -> str:
    """Text with all whitespace and footnote markers removed (layout-independent content)."""
    return _NOISE_RE.sub("", text)


def raw_pages(raw: str) -> list[str]:
    """The report's pages, split straight from the raw file by its documented conventions:
    a line starting with a space opens a page; the lone line `24` is a page number, and
    page 24 starts on the line after it. Whitespace-only lines carry nothing."""
    pages: list[str] = []
    for line in raw.split("\n"):
        if not line.strip():
            continue
        if line.strip() == "24":
            pages.append("")
            continue
        if line.startswith(" ") or not pages:
            pages.append("")
        pages[-1] += line
    return pages
