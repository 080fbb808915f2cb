"""Score the sentences of the retrieved passages against the question; pick the evidence."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from index.figures import (
    DATE,
    NUMBER_WITH_UNIT,
    ORDINAL,
    PERCENT,
    PERCENT_LEVEL,
    PERSON,
    states_change,
    states_unit,
    unit_pattern,
)
from index.lexicon import translations
from index.models import Hit, SentenceHit
from index.qtype import Wants, is_filler, is_question_word
from ingest.models import Chunk, Period
from ingest.sentences import Span, clauses
from ingest.structure import marker

_LIST_MARK = re.compile(r"[、；]")
_CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass(frozen=True)
class ScoredSpan:
    span: Span
    hit: Hit
    score: float
    coverage: float  # share of the question's idf mass present in the sentence
    cosine: float = 0.0  # the question's cosine with the sentence
    period: Period = "unknown"  # the sentence's period in its report
    mentions: frozenset[Period] = frozenset()  # periods of the years and plans it names


@dataclass(frozen=True)
class ExtractWeights:
    coverage: float = 0.50
    dense: float = 0.20
    passage: float = 0.20
    kind: float = 0.10
    period: float = 0.15
    sentence_share: float = 0.7  # coverage: the sentence (with its lead-in) vs its chunk
    unfit_penalty: float = 0.6  # a number/date/person question and a sentence without one
    rate_penalty: float = 0.8  # a rate asked and a sentence without a percentage
    sentences_per_passage: int = 40
    heading_fit: float = 1.0  # kind fit of a paragraph heading for an overall question
    bigram: float = 0.3  # share of the ranking coverage taken by the question's character bigrams
    indicator_penalty: float = 0.7  # a number question's sentence that does not name its indicator
    heading_share: float = 0.8  # an overall question takes a heading scoring this share of the best


@lru_cache(maxsize=50_000)
def normalize(text: str) -> str:
    """NFKC, lower case, no spaces; memoised (the same sentences are scored for many
    questions)."""
    return unicodedata.normalize("NFKC", text).lower().replace(" ", "")


@dataclass(frozen=True)
class TermGroup:
    """Words that count as the same question term (the asked word and its translations)."""

    words: tuple[str, ...]
    weight: float


def term_groups(
    question: str, tokens: Callable[[str], list[str]], idf: Callable[[str], float]
) -> list[TermGroup]:
    """The question's terms, each with the report's words for it and an idf weight.

    A Chinese term the report never uses weighs as the rarest term (asking about something
    the report lacks is a strong signal) unless it is only how the question is asked
    (`多久`, `怎么样`: dropped); an English word without translation weighs 0.
    """
    found = translations(question)
    alternatives = {key: tuple(value.split()) for key, value in found}
    groups: dict[tuple[str, ...], None] = {}
    for token in tokens(question):
        groups[(token, *alternatives.pop(token, ()))] = None
    for key, words in alternatives.items():
        groups[(key, *words)] = None

    def word_idf(word: str) -> float:
        """A report word's idf; a phrase (`十三五`, `地区生产总值`) weighs as its rarest part."""
        return idf(word) or max((idf(t) for t in tokens(word)), default=0.0)

    ceiling = max((word_idf(w) for g in groups for w in g), default=1.0) or 1.0
    out = []
    for words in groups:
        known = [x for w in words if (x := word_idf(w)) > 0]
        if (not known and is_question_word(words[0])) or is_filler(words[0]):
            continue
        weight = max(known) if known else (ceiling if _CJK.match(words[0]) else 0.0)
        out.append(TermGroup(words, weight))
    return out


def coverage(text: str, groups: Sequence[TermGroup]) -> float:
    total = sum(g.weight for g in groups)
    if total <= 0:
        return 0.0
    norm = normalize(text)
    return sum(g.weight for g in groups if any(w in norm for w in g.words)) / total


def kind_fit(text: str, want: Wants) -> float:
    kind = want.kind
    if kind == "number":
        if want.rank:
            return 1.0 if ORDINAL.search(text) else 0.5
        if want.unit is not None:
            if states_unit(text, want.unit):
                return 1.0
            return 0.5 if NUMBER_WITH_UNIT.search(text) else 0.0
        if want.rate and (PERCENT_LEVEL if want.level else PERCENT).search(text):
            return 1.0
        return (0.5 if want.rate else 1.0) if NUMBER_WITH_UNIT.search(text) else 0.0
    if kind == "date":
        return 1.0 if DATE.search(text) else 0.0
    if kind == "person":
        return 1.0 if PERSON.search(text) else 0.0
    if kind in ("list", "section"):
        return min(1.0, len(_LIST_MARK.findall(text)) / 3)
    return 0.5


# periods next to each other in a report: a review gives the year and the five years side by
# side, a plan the five years ahead and the goals beyond them
_NEIGHBOURS = (
    frozenset({"review_year", "review_plan"}),
    frozenset({"plan_ahead", "long_range"}),
)


def period_fit(
    found: Period, asked: frozenset[Period], named: frozenset[Period] = frozenset()
) -> float:
    """How well a sentence's period (in its own report) matches the one asked there; a
    sentence that names a year of the period asked (`…提高到<期末年>的14万元`) fits it too."""
    if not asked or len(asked) > 1:
        return 0.5
    if found in asked or asked & named:
        return 1.0
    return 0.4 if frozenset({found, *asked}) in _NEIGHBOURS else 0.0


_GATED: frozenset[str] = frozenset({"number", "date", "person"})


def bigrams(question: str, known: str) -> frozenset[str]:
    """The question's CJK character bigrams, and its numbers and Latin words (`2015`,
    `pm2.5`), that occur in `known` (the report, normalized). Pass the question without the
    times it names: those are left to `period_fit`."""
    text = normalize(question)
    out: set[str] = set(_ALNUM.findall(text))
    for run in _CJK_RUN.findall(text):
        out.update(run[i : i + 2] for i in range(len(run) - 1))
    return frozenset(b for b in out if b in known)


_CJK_RUN = re.compile(r"[\u4e00-\u9fff]{2,}")
_ALNUM = re.compile(r"[a-z0-9][a-z0-9.]*[a-z0-9]")


def bigram_coverage(text: str, grams: frozenset[str]) -> float:
    if not grams:
        return 0.0
    norm = normalize(text)
    return sum(g in norm for g in grams) / len(grams)


def score_sentences(
    hits: Sequence[Hit],
    groups: Sequence[TermGroup],
    want: Wants,
    w: ExtractWeights = ExtractWeights(),
    asked: Callable[[Hit], frozenset[Period]] = lambda _: frozenset(),
    grams: frozenset[str] = frozenset(),
) -> list[ScoredSpan]:
    """Every sentence of `hits`, best first. Each hit carries its sentences with their
    periods and cosines; `asked(hit)` is the period the question asks in the hit's report."""
    if not hits:
        return []
    top = max(h.score for h in hits) or 1.0
    rows: list[tuple[SentenceHit, Hit, float, float]] = []
    for hit in hits:
        chunk_cov = coverage(hit.chunk.text, groups)
        rows.extend(
            (s, hit, max(hit.score, 0.0) / top, chunk_cov)
            for s in hit.sentences[: w.sentences_per_passage]
        )
    cos_all = np.array([r[0].cosine for r in rows])
    lo, hi = (float(cos_all.min()), float(cos_all.max())) if len(rows) else (0.0, 0.0)
    out: list[ScoredSpan] = []
    for sentence, hit, rel, chunk_cov in rows:
        span, c = sentence.span, sentence.cosine
        if hit.chunk.section_path and span.text.strip() == hit.chunk.section_path[0]:
            continue  # a part's title (`一、…工作回顾`) states nothing
        text = f"{lead_in(hit.chunk)}{span.text}"
        cov = w.sentence_share * coverage(text, groups) + (1 - w.sentence_share) * chunk_cov
        dense = (c - lo) / (hi - lo) if hi > lo else 0.0
        fit = kind_fit(span.text, want)
        if want.summary and want.kind == "general" and is_heading(span, hit.chunk):
            fit = w.heading_fit
            cov = max(cov, chunk_cov)  # the heading sums up its paragraph
        ranked = cov
        if w.bigram and grams:
            ranked = (1 - w.bigram) * cov + w.bigram * bigram_coverage(text, grams)
        score = (
            w.coverage * ranked
            + w.dense * dense
            + w.passage * rel
            + w.kind * fit
            + w.period * period_fit(sentence.period, asked(hit), sentence.mentions)
        )
        if want.kind in _GATED and fit == 0:
            score *= w.unfit_penalty
        elif want.rate and not PERCENT.search(span.text):
            score *= w.rate_penalty
        out.append(ScoredSpan(span, hit, score, cov, c, sentence.period, sentence.mentions))
    out.sort(key=lambda s: -s.score)
    return out


def is_heading(span: Span, chunk: Chunk) -> bool:
    """The sentence is the topic heading of its paragraph (`这五年，经济持续较快增长，…`)."""
    title = chunk.section_path[-1] if chunk.section_path else ""
    return bool(title) and span.text.rstrip("。；;.").strip() == title


def lead_in(chunk: Chunk) -> str:
    """The topic sentence that heads the chunk's paragraph ("" when the path has none; a
    subsection heading `（一）…`/`第一，…` is broader than a topic sentence)."""
    path = chunk.section_path
    if chunk.kind != "body" or len(path) < 2:
        return ""
    mark = marker(path[-1])
    return "" if mark is not None and mark.style.rank <= SUBSECTION_RANK else path[-1]


SUBSECTION_RANK = 2


def focus_clause(sentence: Span, groups: Sequence[TermGroup], want: Wants) -> Span:
    """The clause of `sentence` the question is about: for a number question the clause
    stating a number (a percentage when a rate is asked) that best covers the question
    (`高考一本上线率提高1.58个百分点`, not the `比例达83%` beside it); the whole sentence
    otherwise or when no clause has one."""
    if want.kind != "number":
        return sentence
    figure = PERCENT if want.rate and PERCENT.search(sentence.text) else NUMBER_WITH_UNIT
    if want.rank and ORDINAL.search(sentence.text):
        figure = ORDINAL
    best = _best_clause(sentence, groups, figure)
    return best[1] if best else sentence


def key_span(sentence: Span, groups: Sequence[TermGroup], want: Wants) -> Span | None:
    """The clause that best covers the question, narrowed to the number/date it states."""
    pattern: re.Pattern[str] | None = None
    if want.kind == "number":
        pattern = NUMBER_WITH_UNIT
        if want.rank and ORDINAL.search(sentence.text):
            pattern = ORDINAL
        elif want.unit is not None and states_unit(sentence.text, want.unit):
            pattern = unit_pattern(want.unit)
        elif want.rate and PERCENT.search(sentence.text):
            level = want.level and PERCENT_LEVEL.search(sentence.text)
            pattern = PERCENT_LEVEL if level else PERCENT
    elif want.kind == "date":
        pattern = DATE
    if pattern is PERCENT or pattern is PERCENT_LEVEL:
        amount = _amount_instead(sentence, groups, pattern, change=not want.level)
        if amount is not None:
            return amount
    if pattern is None and want.kind in _NAMED:
        return _telling_clause(sentence, groups, want)
    if want.several > 1 and pattern is not None:
        several = _several(sentence, groups, pattern, want.several)
        if several is not None:
            return several
    best = _best_clause(sentence, groups, pattern)
    if pattern is ORDINAL and (best is None or best[0] == 0):
        return _first(ORDINAL, sentence)  # a rank in a clause of its own (`，稳居…第1位`)
    if best is None or best[0] == 0:
        return None
    clause = best[1]
    listed = whole_list(clause.text, groups) if want.kind == "number" else None
    if listed is not None:
        return _within(clause, *listed)
    match = _stated(pattern, clause.text, groups) if pattern else None
    if match is None:
        return clause
    start = _change_start(pattern, clause.text, match) if want.span and pattern else None
    if start is not None:
        return _within(clause, start, match.end())
    qualifier = _QUALIFIER.search(clause.text, 0, match.start())
    return _within(clause, qualifier.start() if qualifier else match.start(), match.end())


def _change_start(pattern: re.Pattern[str], text: str, reached: re.Match[str]) -> int | None:
    """Where the change that ends at the figure `reached` starts, when the clause states its
    first level too (`从9万元提高到11万元`, `由3.27缩小至2.93`): at `从`/`由`, else at that
    figure; None when it does not."""
    before = list(pattern.finditer(text, 0, reached.start()))
    if not before:
        return None
    first = before[-1]
    between = text[first.end() : reached.start()]
    if not _CHANGED_TO.fullmatch(between):
        return None
    at = max(text.rfind("从", 0, first.start()), text.rfind("由", 0, first.start()))
    opens = at >= 0 and not _CLAUSE_OR_ITEM.search(text, at, first.start())
    return at if opens else first.start()


_CLAUSE_OR_ITEM = re.compile(r"[，,；;、]")


def _several(
    sentence: Span, groups: Sequence[TermGroup], pattern: re.Pattern[str], asked: int
) -> Span | None:
    """For a question asking `asked` figures at once, the part of the sentence from the first
    to the last of the figures whose own words cover the question best (`粮食播种面积1530万亩、
    总产量125亿斤`); None unless two or more of them are stated of the question's words."""
    text = sentence.text
    if whole_list(text, groups) is not None:
        return None  # a `分别` list answers with its subjects (`履约率、开工率…分别达…`)
    matches = list(pattern.finditer(text))
    covers = [_own_cover(text, m, groups) for m in matches]
    best = sorted(range(len(matches)), key=lambda i: (-covers[i], i))[:asked]
    chosen = sorted(i for i in best if covers[i] > 0)
    if len(chosen) < 2:
        return None
    first, last = matches[chosen[0]], matches[chosen[-1]]
    return _within(sentence, first.start() - len(item_before(text, first.start())), last.end())


def _within(span: Span, start: int, end: int) -> Span:
    """The part `start:end` of `span` (offsets into its text), with absolute offsets."""
    return Span(span.chunk_id, span.text[start:end], span.start + start, span.start + end)


# a word before a figure that bounds it (`超20万个`, `近3000家`): part of what is stated
_QUALIFIER = re.compile(
    r"(?:不超过|不低于|不少于|(?<!赶)超过|(?<!赶)超|逾|(?<![附就最])近|(?<![节制签预契公])约)$"
)


def _first(pattern: re.Pattern[str], sentence: Span) -> Span | None:
    match = pattern.search(sentence.text)
    return _within(sentence, *match.span()) if match else None


_NAMED = frozenset({"list", "general"})
ECHO_NEW_CHARS = 2  # a clause that adds fewer characters to the question's words echoes it


def _telling_clause(sentence: Span, groups: Sequence[TermGroup], want: Wants) -> Span | None:
    """For a question that asks for names or a statement, the clause that best covers it
    and says more than the question itself (`推动重大水利工程建设` only restates `今年推动重大
    水利工程建设，涉及哪些工程`); for a list, one that lists (`、`) when one does. None when
    every clause only restates the question: the quoted sentence answers then."""
    best: tuple[float, Span] | None = None
    for clause in clauses(sentence):
        cov = coverage(clause.text, groups)
        if cov == 0 or _echoes(clause.text, groups):
            continue
        if want.kind == "list" and _LIST_MARK.search(clause.text):
            cov += 1.0  # a listing clause before any other
        if want.thing and want.thing in clause.text:
            cov += 0.5  # it names what is asked for (`…等骨干企业` for `哪些骨干企业`)
        if best is None or cov > best[0]:
            best = (cov, clause)
    return best[1] if best else None


def _echoes(text: str, groups: Sequence[TermGroup]) -> bool:
    """The question's words make up all of `text` but a character (`推动重大水利工程建设`
    for `今年推动重大水利工程建设，涉及哪些工程`; `凤鸣通用机场建成运营` adds a name)."""
    norm = normalize(text).strip("，,。；;、：:！？!?")
    if not norm:
        return True
    covered = [False] * len(norm)
    for word in {normalize(w) for g in groups for w in g.words} - {""}:
        for m in re.finditer(re.escape(word), norm):
            covered[m.start() : m.end()] = [True] * len(word)
    return len(norm) - sum(covered) < ECHO_NEW_CHARS


# a list item that states a figure of the subject before it (`增长5.4%` after `地区生产总值
# 5.2万亿元、`; `让242万…` after `完成单村水站改造，`): it opens with the predicate
_SUBJECTLESS = re.compile(
    r"^(?:其中|同比|比上年|较上年|年均|分别|均|都|也|还|并|且)?"
    r"(?:增长|增速|增幅|增加(?!值)|提高|提升|上升|下降|降低|减少|缩小|扩大|达到|达|为|占|超过|超|突破|"
    r"实现|完成|居|稳定在|控制在|保持在|保持|让|使|带动)"
)
_ITEM_END = re.compile(r"[^，,、；;：:。！？!?]*(?:[，,、；;：:。！？!?]+|$)")


def subject_before(text: str, at: int) -> str:
    """What the figure at offset `at` of `text` is stated of: the words of its list item
    before it, with the items before that while an item opens with its predicate or goes on
    with a list of figures (`规模以上工业企业达7.6万家、增加值增长3%` -> `增加值增长`;
    `地区生产总值5.2万亿元、增长5.4%` -> `地区生产总值5.2万亿元、增长`; `生产总值跨越7万亿、
    8万亿、9万亿三个台阶，年均增长5.9%` -> all of it)."""
    items = _items(text)
    index = _item_at(items, at)
    if index < 0:
        return ""
    subject = text[items[index][0] : at]
    while index > 0 and _goes_on(text[items[index][0] :]):
        index -= 1
        subject = text[items[index][0] : items[index][1]] + subject
    return subject


# an item that is one more figure of the list before it (`8万亿、`)
_FIGURE_FIRST = re.compile(r"\d")


def _goes_on(item: str) -> bool:
    """The item goes on from the one before: it opens with its predicate or a figure."""
    return bool(_SUBJECTLESS.match(item) or _FIGURE_FIRST.match(item))


def item_before(text: str, at: int) -> str:
    """The words of the list item of `text` holding offset `at`, before it."""
    items = _items(text)
    index = _item_at(items, at)
    return text[items[index][0] : at] if index >= 0 else ""


def _items(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in _ITEM_END.finditer(text) if m.end() > m.start()]


def _item_at(items: list[tuple[int, int]], at: int) -> int:
    return next((i for i, (a, b) in enumerate(items) if a <= at < b), len(items) - 1)


_REACHED = re.compile(r"(?:增加|提高|提升|增长|上升|跃升|攀升|下降|降低|减少|扩大|缩小)?(?:到|至)")
# what joins the two levels of a change, the year of the second one included (`提高到2025年的`)
_CHANGED_TO = re.compile(rf"(?:{_REACHED.pattern})(?:\d{{4}}年(?:底|末)?的?)?")


def _amount_instead(
    sentence: Span, groups: Sequence[TermGroup], rate: re.Pattern[str], change: bool = False
) -> Span | None:
    """A figure that is no percentage but whose own words cover the question better than
    every percentage's (`全员劳动生产率达58万元/人` for `全员劳动生产率的目标`: a 率 in a name
    does not make the answer a percentage); None when a percentage covers as well. With
    `change` (a change asked), only an amount stated as a change (`新增…8897个`) may."""
    text = sentence.text
    rates = [_own_cover(text, m, groups) for m in rate.finditer(text)]
    amounts = [
        m
        for m in NUMBER_WITH_UNIT.finditer(text)
        if not rate.fullmatch(m.group(0))
        and (not change or states_change(item_before(text, m.start())))
    ]
    if not amounts:
        return None
    best = max(amounts, key=lambda m: _own_cover(text, m, groups))
    if _own_cover(text, best, groups) <= max(rates, default=0.0):
        return None
    return _within(sentence, *best.span())


def level_instead(sentence: Span, groups: Sequence[TermGroup]) -> Span | None:
    """For a change asked: an amount stated as a level (`保有量超130万辆`) whose own words
    cover the question better than every percentage's, when there is one."""
    return _amount_instead(sentence, groups, PERCENT)


def _own_cover(text: str, figure: re.Match[str], groups: Sequence[TermGroup]) -> float:
    """How much of the question the words a figure is stated of cover: those before it, and
    for a count the noun it counts after it (`新增39个国省创新平台`, `3个万亿级和…`)."""
    own = subject_before(text, figure.start())
    if _COUNTER.search(figure.group(0)):
        own = _after_last_count(own) + _counted(text, figure.end())
    return coverage(own, groups)


def _counted(text: str, at: int) -> str:
    match = _COUNTED.match(text, at)
    return match.group(0) if match else ""


def _after_last_count(words: str) -> str:
    """`words` after the last figure in them and the noun it counts (`3个万亿级` in `培育形成
    3个万亿级和`): those belong to that count."""
    figures = list(NUMBER_WITH_UNIT.finditer(words))
    if not figures:
        return words
    last = figures[-1]
    end = last.end() + (len(_counted(words, last.end())) if _COUNTER.search(last.group(0)) else 0)
    return words[end:]


# a count (`39个`, `5户`, `第4个`), whose noun may follow it, and the words it counts there
_COUNTER = re.compile(r"(?:个|项|所|座|家|户|条|套|处|批|台|件|架|艘|栋|间|种|类|支|部|门)$")
_COUNTED = re.compile(r"[^\d，,、；;。：:和及与]{0,12}")


def _stated(
    pattern: re.Pattern[str], text: str, groups: Sequence[TermGroup] = ()
) -> re.Match[str] | None:
    """The figure a clause states: of a list of figures (`地区生产总值年均增速4.5%-5%、…、
    全员劳动生产率达58万元/人左右`) the one whose own words cover the question best, the
    first of equals; the level reached in a change written `从3.5万元增加到5万元`."""
    matches = list(pattern.finditer(text))
    if not matches:
        return None
    chosen = 0
    if len(matches) > 1 and groups:
        covers = [_own_cover(text, m, groups) for m in matches]
        chosen = max(range(len(matches)), key=lambda i: (covers[i], -i))
        aligned = respective(text, matches, groups)
        chosen = aligned if aligned is not None else chosen
    if chosen + 1 < len(matches):
        between = text[matches[chosen].end() : matches[chosen + 1].start()]
        if _REACHED.search(between) and not _CLAUSE_OR_ITEM.search(between):
            return matches[chosen + 1]
    return matches[chosen]


# `A、B、C…分别达到x、y、z`: the i-th subject takes the i-th figure
_RESPECTIVELY = "分别"
_JOINED = re.compile(r"[和与及]")
_CLAUSE_MARK = re.compile(r"[，,；;：:]")
# 城乡 names two subjects at once, in this order
_URBAN_RURAL = "城乡"
_URBAN_AND_RURAL = ("城镇城市", "农村乡村")
# the time or scope a list opens with is no part of its first subject (`全年城镇、农村居民…`)
_SCOPE = re.compile(r"^(?:\d{4}年|全年|全[省市区县州盟]|其中|今年|去年|上年)+")


def respective(
    text: str, matches: Sequence[re.Match[str]], groups: Sequence[TermGroup]
) -> int | None:
    """The index among `matches` of the figure a `分别` list gives the subject asked
    (`原煤、原油、天然气产量分别达到7000万吨、1280万吨、10亿立方米`: `原油产量` takes 1280万吨);
    None when the clause has no such list, the counts differ or no subject is asked alone."""
    listed = _respective_list(text, matches)
    if listed is None:
        return None
    own = _own_weights(listed.names, groups)
    best = max(range(len(own)), key=lambda i: own[i])
    return listed.figures[best] if own[best] > 0 else None


def whole_list(text: str, groups: Sequence[TermGroup]) -> tuple[int, int] | None:
    """(start, end) in `text` of a `分别` list with its figures, when the question asks
    several of its subjects, or what they share and none alone (`居民人均可支配收入增长多少`
    of `城镇、农村居民人均可支配收入分别增长3.4%、5.2%`): every figure answers it, with its
    subject."""
    matches = list(NUMBER_WITH_UNIT.finditer(text))
    listed = _respective_list(text, matches)
    if listed is None:
        return None
    asked = sum(w > 0 for w in _own_weights(listed.names, groups))
    if asked == 1 or not any(
        any(normalize(w) in listed.subjects for w in g.words) for g in groups if g.weight > 0
    ):
        return None
    return listed.start, matches[listed.figures[-1]].end()


def names_another_subject(text: str, indicator: Sequence[TermGroup]) -> bool:
    """`text` gives its figures to a `分别` list of subjects, none of which the indicator
    asked names, and the indicator's first word, what it is about, is none of theirs
    (`工业增加值占比` of `文化及相关产业、旅游及相关产业增加值占…比重分别超过2%、5%`)."""
    listed = _respective_list(text, list(NUMBER_WITH_UNIT.finditer(text)))
    if not indicator or listed is None or any(_own_weights(listed.names, indicator)):
        return False
    return not any(normalize(w) in listed.subjects for w in indicator[0].words)


@dataclass(frozen=True)
class _Listed:
    start: int  # where the subjects begin in the text
    subjects: str  # all of them as written before 分别, normalized
    names: list[str]  # normalized; of the last subject only its head
    figures: list[int]  # indices of the figures after 分别, one per subject


def _respective_list(text: str, matches: Sequence[re.Match[str]]) -> _Listed | None:
    """The subjects of a `分别` list and the figures after it, as many as there are
    subjects. Of the last subject only its head counts, about as long as the shortest other
    (`天然气` of `天然气产量`): the rest is what all of them share."""
    at = text.find(_RESPECTIVELY)
    if at < 0:
        return None
    after = [i for i, m in enumerate(matches) if m.start() > at]
    marks = [m.end() for m in _CLAUSE_MARK.finditer(text[:at])]
    start = marks[-1] if marks else 0
    subjects = text[start:at]
    names = [normalize(n) for n in subjects.split("、")]
    if len(names) == 1:  # two subjects joined by a word (`城镇和农村居民`)
        names = [normalize(n) for n in _JOINED.split(subjects)]
    if len(names) == 1 and len(after) == 2 and _SCOPE.sub("", names[0]).startswith(_URBAN_RURAL):
        names = list(_URBAN_AND_RURAL)  # `城乡居民…分别增长5%、6.5%`: urban, then rural
    if len(names) < 2 or len(names) != len(after) or not all(names):
        return None
    names[0] = _SCOPE.sub("", names[0]) or names[0]
    names[-1] = names[-1][: min(len(n) for n in names[:-1]) + 1]
    return _Listed(start, normalize(subjects), names, after)


def _own_weights(names: Sequence[str], groups: Sequence[TermGroup]) -> list[float]:
    """Per subject, the weight of the question terms it alone holds (only those tell the
    subjects apart)."""
    own = [0.0] * len(names)
    for g in groups:
        holders = [i for i, n in enumerate(names) if any(normalize(w) in n for w in g.words)]
        if len(holders) == 1:
            own[holders[0]] += g.weight
    return own


def _best_clause(
    sentence: Span, groups: Sequence[TermGroup], pattern: re.Pattern[str] | None
) -> tuple[float, Span] | None:
    """(coverage, clause) of the clause covering the question best among those `pattern`
    matches (all clauses without one); the first of equals wins."""
    best: tuple[float, Span] | None = None
    for clause in clauses(sentence):
        if pattern is not None and not pattern.search(clause.text):
            continue
        cov = coverage(clause.text, groups)
        if best is None or cov > best[0]:
            best = (cov, clause)
    return best
