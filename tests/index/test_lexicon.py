"""The query lexicon maps to words the report really uses, and only where asked."""

from __future__ import annotations

import ast
import re
import unicodedata
from pathlib import Path

from index.lexicon import EN_TERMS, ZH_SYNONYMS, expand, translations

ROOT = Path(__file__).resolve().parents[2]
REPORTS = sorted((ROOT / "data" / "library").glob("*.txt")) + sorted(
    (ROOT / "data" / "corpus").glob("*.txt")
)


def _report_words() -> str:
    """All nine reports' words: the lexicon is government-report vocabulary, not one report's."""
    text = re.sub(r"\s+", "", "".join(p.read_text(encoding="utf-8") for p in REPORTS))
    return unicodedata.normalize("NFKC", text).lower()


def test_every_value_word_occurs_in_the_library() -> None:
    assert len(REPORTS) == 9
    report = _report_words()
    missing = {
        (key, word)
        for table in (EN_TERMS, ZH_SYNONYMS)
        for key, value in table.items()
        for word in value.split()
        if word.lower() not in report
    }
    assert not missing, sorted(missing)


def test_no_key_is_written_twice() -> None:
    """A dict literal silently keeps the last of two equal keys."""
    for module in ("lexicon.py", "lexicon_en.py"):
        tree = ast.parse((ROOT / "index" / module).read_text(encoding="utf-8"))
        keys = [
            k.value
            for node in ast.walk(tree)
            if isinstance(node, ast.Dict)
            for k in node.keys
            if isinstance(k, ast.Constant)
        ]
        assert len(keys) == len(set(keys)), module
    # a hyphen matches as a space: `fixed-asset` also finds "fixed asset"
    spelled = [k.replace("-", " ") for k in EN_TERMS]
    assert len(spelled) == len(set(spelled))


def test_a_hyphen_matches_as_a_space() -> None:
    assert ("fixed-asset", EN_TERMS["fixed-asset"]) in translations("fixed asset investment")
    assert ("service sector", EN_TERMS["service sector"]) in translations(
        "How much did service-sector value added grow?"
    )


def test_every_english_key_can_fire() -> None:
    for key in EN_TERMS:
        assert key == key.lower(), key
        assert key.strip() == key and "  " not in key, key
        assert (key, EN_TERMS[key]) in translations(f"about {key} here")


def test_single_word_keys_match_whole_words_only() -> None:
    assert ("park", EN_TERMS["park"]) in translations("Which park opened?")
    assert not any(k == "park" for k, _ in translations("How many parking spaces?"))


def test_other_cities_are_not_translated() -> None:
    """A question about another city must stay unanswerable, not become one about Zigong."""
    for city in ("chengdu", "neijiang", "yibin", "luzhou", "chongqing"):
        assert city not in EN_TERMS


def test_expand_appends_report_words() -> None:
    expanded = expand("How fast did retail sales grow?")
    assert expanded.startswith("How fast did retail sales grow?")
    assert "零售" in expanded and "增长" in expanded
    assert expand("地区生产总值") == "地区生产总值"


def test_a_phrase_uses_up_its_words() -> None:
    """`13th Five-Year Plan` is 十三五; its `plan` must not also pull in 规划 (the 14th)."""
    found = dict(translations("What did the 13th Five-Year Plan achieve?"))
    assert found == {"13th five-year plan": "十三五"}
    assert "industrial park" in dict(translations("How many industrial parks?"))
    assert "people's congress" in dict(translations("the People\u2019s Congress"))
