"""What counts as a blank question, one definition for the schema and the checks.

Python's `str.strip()` and JSON Schema's (ECMA-262) `\\s` disagree: Python also counts
U+001C..U+001F and U+0085 as whitespace, ECMA also counts U+FEFF. The edge strips every
character either of them calls whitespace, and the OpenAPI pattern asks for one character
outside that set, so a question the schema accepts is never rejected as empty.
"""

from __future__ import annotations

BLANK_CHARS = (
    "\t\n\v\f\r \x1c\x1d\x1e\x1f\x85\xa0\u1680"
    + "".join(chr(c) for c in range(0x2000, 0x200B))
    + "\u2028\u2029\u202f\u205f\u3000\ufeff"
)

# One character that neither dialect calls whitespace (the set spelled out, not `\S`).
NONBLANK_PATTERN = (
    r"[^\t\n\v\f\r \x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]"
)


def strip_blank(text: str) -> str:
    return text.strip(BLANK_CHARS)
