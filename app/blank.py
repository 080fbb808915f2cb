"""What counts as a blank question, one definition for the schema and the checks.

Python's `str.strip()` and JSON Schema's (ECMA-262) `\\s` disagree: Python also counts the
information separators U+001C..U+001F and U+0085 as whitespace, ECMA also counts U+FEFF.
The edge strips every character either of them calls whitespace, and the OpenAPI pattern
asks for one character outside that set, so a question the schema accepts is never
rejected as empty.
"""

from __future__ import annotations

_LAST_SPACE = 0x3000  # IDEOGRAPHIC SPACE, the highest code point `str.isspace` accepts
BLANK_CHARS = "".join(c for c in map(chr, range(_LAST_SPACE + 1)) if c.isspace()) + "\ufeff"

# One character that neither dialect calls whitespace (the set spelled out, not `\S`).
NONBLANK_PATTERN = "[^" + "".join(f"\\u{ord(c):04x}" for c in BLANK_CHARS) + "]"


def strip_blank(text: str) -> str:
    return text.strip(BLANK_CHARS)
