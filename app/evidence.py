"""The evidence of one report for a query: its sentences scored, the best one, the verdict."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache

from app.extract import (
    ExtractWeights,
    ScoredSpan,
    TermGroup,
    bigrams,
    coverage,
    focus_clause,
    is_heading,
    item_before,
    lead_in,
    level_instead,
    names_another_subject,
    normalize,
    period_fit,
    score_sentences,
    term_groups,
)
from app.refusal import Figure, RefusalConfig, Verdict, judge
from index.hybrid import HybridRetriever
from index.lexicon_en import EN_TERMS
from index.models import Hit
from index.qtype import without_asking_phrases
from index.query import TARGET, Query, Resolved
from ingest.meta import short_name
from ingest.models import Period


@dataclass(frozen=True)
class EvidenceConfig:
    evidence_k: int = 8  # passages whose sentences compete for the answer
    extract: ExtractWeights = field(default_factory=ExtractWeights)
    refusal: RefusalConfig = field(default_factory=RefusalConfig)


# where a number question starts asking about its indicator (`固定资产投资` | `增长了多少`)
_PREDICATE = re.compile(
    r"是多少|是什么|有多少|多少|几|增长|增速|增幅|提高|提升|下降|降低|减少|达到|完成|实现|突破|"
    r"控制在|占|为|怎么样|如何|分别"
)
_PARTICLES = "的和与及、，,？? "
# an indicator is a name (`城镇居民人均可支配收入`), not a clause in everyday words
# (`城里新添了…`, `…都能集中处理吗`): those are not judged
_NOT_A_NAME = re.compile(
    r"[了吗呢把被让？?，,。]|都能|就能|能够|可以|第[一二三四五六七八九十\d]|^(?:要|将|会|能|准备|打算)"
    r"|(?<![小瓦工])时$"
)
INDICATOR_MIN_CHARS = 3
INDICATOR_MAX_CHARS = 16
# words that place or frame the figure in time rather than name it
_QUALIFIERS = re.compile(
    r"[“”\"]|期间|时期|末|以来|截至|截止|到|按照|当年|全年|全省|全市|全区|当前|目前|现在|以后|将来|未来"
)


@dataclass(frozen=True)
class Evidence:
    doc_id: str
    resolved: Resolved
    groups: list[TermGroup]
    scored: list[ScoredSpan]
    best: ScoredSpan | None
    verdict: Verdict
    hits: list[Hit]
    indicator: list[TermGroup] = field(default_factory=list)

    @property
    def score(self) -> float:
        return self.best.score if self.best is not None else 0.0


class EvidenceFinder:
    def __init__(self, retriever: HybridRetriever, config: EvidenceConfig) -> None:
        self.retriever = retriever
        self.config = config
        self._corpus = lru_cache(maxsize=256)(self._corpus_uncached)

    def corpus(self, doc_id: str) -> str:
        """The report's text, normalised (NFKC, lower case, no spaces)."""
        return self._corpus(doc_id)

    def _corpus_uncached(self, doc_id: str) -> str:
        return normalize("".join(c.text for c in self.retriever.chunks_of(doc_id)))

    def groups(self, query: Query, doc_id: str) -> list[TermGroup]:
        """The question's terms weighed by one report's statistics, without the times and
        places it names (the timeline and the routing judge those), without the words that ask
        for a target (the period does) and without the phrases that only ask for an overview."""
        return term_groups(_asking(query), self.retriever.tokens, self.retriever.idf_in(doc_id))

    def find(
        self,
        query: Query,
        doc_id: str,
        hits: Sequence[Hit],
        period_only: frozenset[Period] | None = None,
    ) -> Evidence:
        """The query's sentences among `hits` (of report `doc_id`), scored, the best one and
        the verdict; with `period_only`, only sentences of those periods compete."""
        resolved = self.retriever.resolved(query, doc_id)
        if period_only is not None:
            resolved = Resolved(period_only, resolved.years, resolved.uncovered)
        groups = self.groups(query, doc_id)
        indicator = self.indicator(query, doc_id)
        if period_only is not None:
            groups = [g for g in groups if not _is_time_word(g.words[0], query)]
        asking = _asking(query)
        scored = score_sentences(
            list(hits)[: self.config.evidence_k],
            groups,
            query.wants,
            self.config.extract,
            lambda _: resolved.periods,
            bigrams(asking, self.corpus(doc_id)),
        )
        if period_only is not None:
            scored = [s for s in scored if s.period in period_only or s.mentions & period_only]
        if query.named_in is not None:
            scored = [s for s in scored if (s.span.start, s.span.end) != query.named_in]
        if query.about:
            scored = _naming_first(scored, query.about)
        if indicator:
            scored = _indicator_first(scored, indicator, self.config.extract.indicator_penalty)
        if resolved.years:
            scored = _years_first(scored, resolved.years, self.config.extract.indicator_penalty)
        best = prefer_asked_period(scored, query, resolved.periods)
        best = _prefer_heading(best, scored, query, self.config.extract.heading_share)
        focus = focus_clause(best.span, groups, query.wants).text if best is not None else None
        info = self.retriever.documents[doc_id]
        figure = _figure(best, groups, query) if best is not None else None
        unnamed = (
            _unnamed(query, best, focus, indicator, groups, self.config.refusal.indicator_share)
            if best is not None and focus is not None
            else ""
        )
        verdict = judge(query, resolved, best, info, focus, self.config.refusal, figure, unnamed)
        return Evidence(doc_id, resolved, groups, scored, best, verdict, list(hits), indicator)

    def indicator(self, query: Query, doc_id: str) -> list[TermGroup]:
        """What a Chinese number question measures (`城镇居民人均可支配收入` in
        `<Y-1>年城镇居民人均可支配收入增长了多少？`): its words before it starts asking."""
        phrase = indicator_phrase(query)
        if len(phrase) < 2 or not self.retriever.names_a_thing(phrase):
            return []
        groups = term_groups(phrase, self.retriever.tokens, self.retriever.idf_in(doc_id))
        return [g for g in groups if g.weight > 0]


def _figure(best: ScoredSpan, groups: list[TermGroup], query: Query) -> Figure | None:
    """For a change asked, the amount whose own words cover the question best, when it beats
    every percentage, with the words of its list item before it."""
    if not query.wants.rate or query.wants.level:
        return None
    key = level_instead(best.span, groups)
    if key is None:
        return None
    at = key.start - best.span.start
    return Figure(key.text, item_before(best.span.text, at))


def indicator_phrase(query: Query) -> str:
    """The words of a Chinese number question before it starts asking ("" otherwise)."""
    if query.kind != "number" or query.language != "zh":
        return ""
    text = _QUALIFIERS.sub("", _asking(query)).strip(_PARTICLES)
    match = _PREDICATE.search(text)
    phrase = (text[: match.start()] if match else "").strip(_PARTICLES)
    if _NOT_A_NAME.search(phrase) or not INDICATOR_MIN_CHARS <= len(phrase) <= INDICATOR_MAX_CHARS:
        return ""
    return phrase


def _unnamed(
    query: Query,
    best: ScoredSpan,
    focus: str,
    indicator: list[TermGroup],
    groups: list[TermGroup],
    share: float,
) -> str:
    """The indicator a number question measures that the best sentence does not state its
    figure of ("" when it does): too little of it named, a `分别` list of other subjects,
    another scope (`全体` for `城镇`), or in English a phrase the evidence does not name."""
    phrase = indicator_phrase(query)
    if (
        not _names_indicator(best, indicator, share)
        or names_another_subject(focus, indicator)
        or other_scope(phrase, focus)
    ):
        return phrase
    return english_unnamed(query, groups, _with_lead_in(best))


# words that divide one statistic by scope: the figure of one is not the figure of another
# (`全体居民人均可支配收入` is no figure of `城镇居民人均可支配收入`; `外贸出口` none of `进出口`)
_SCOPES: tuple[tuple[str, ...], ...] = (("城镇", "农村", "全体"), ("进出口", "出口", "进口"))
_BOTH = {"城乡": ("城镇", "农村")}  # one word for two scopes


def other_scope(indicator: str, clause: str) -> bool:
    """The clause states the indicator's statistic for another scope than the one asked: it
    names a sibling scope word and not the asked one (nor `城乡` for 城镇 or 农村)."""
    for scopes in _SCOPES:
        asked = next((w for w in scopes if w in indicator), None)
        if asked is None:
            continue
        if asked in clause or any(asked in both and w in clause for w, both in _BOTH.items()):
            continue
        if any(w in clause for w in scopes if w != asked):
            return True
    return False


# an English term names an indicator when the report has a word of three or more characters
# for it (`urban jobs`: 城镇新增就业); a shorter one (`就业`) names a topic, not the figure.
# The evidence names it by that word or by its last characters (a Chinese name ends in its
# head): `全省生产总值` names `地区生产总值`, `就业岗位` does not name `城镇新增就业`.
INDICATOR_WORD_CHARS = 3


def english_unnamed(query: Query, groups: Sequence[TermGroup], evidence: str) -> str:
    """For an English number question, a phrase it names an indicator by (`new urban jobs`,
    `industrial investment`: a term group of the question, the phrase and the report's words
    for it) none of whose report words the evidence holds: the figure found is another
    indicator's. "" when the evidence names them all."""
    if query.kind != "number" or query.language != "en":
        return ""
    text = normalize(evidence)
    for key, *words in (g.words for g in groups):
        if key not in EN_TERMS or not re.search(r"[ -]", key):
            continue  # a plan's name is a time; a single word is not a name
        named = [normalize(w) for w in words if len(w) >= INDICATOR_WORD_CHARS]
        if named and not any(_ends_in(text, w) for w in named):
            return key
    return ""


def _ends_in(text: str, word: str) -> bool:
    """`text` holds `word` or its last `INDICATOR_WORD_CHARS` or more characters."""
    return any(word[i:] in text for i in range(len(word) - INDICATOR_WORD_CHARS + 1))


def prefer_asked_period(
    scored: list[ScoredSpan], query: Query, asked: frozenset[Period]
) -> ScoredSpan | None:
    """The best sentence; for a number asked for one period, the best sentence of that
    period when it covers the question nearly as well (the year's figure vs the five years')."""
    if not scored:
        return None
    best = scored[0]
    if query.kind != "number" or len(asked) != 1:
        return best
    if period_fit(best.period, asked, best.mentions) == 1:
        return best
    for s in scored[1:]:
        if period_fit(s.period, asked, s.mentions) == 1.0:
            return s if s.coverage >= 0.8 * best.coverage else best
    return best


def _asking(query: Query) -> str:
    text = _without_places(without_asking_phrases(query.without_times()), query)
    return TARGET.sub(" ", text) if query.target else text


def _without_places(text: str, query: Query) -> str:
    for place in query.places:
        for name in (place, short_name(place)):
            text = text.replace(name, " ")
    return text


def _is_time_word(word: str, query: Query) -> bool:
    return any(word in ask.text for ask in query.times)


def _names_indicator(span: ScoredSpan, indicator: list[TermGroup], share: float) -> bool:
    """The sentence names at least `share` of the indicator's weight: `社会消费品零售总额
    增长5%` does not state `居民消费价格涨幅`; `地区生产总值5.2万亿元` states
    `地区生产总值总量`."""
    return not indicator or coverage(_with_lead_in(span), indicator) >= share


def _with_lead_in(span: ScoredSpan) -> str:
    return f"{lead_in(span.hit.chunk)}{span.span.text}"


def _indicator_first(
    scored: list[ScoredSpan], indicator: list[TermGroup], penalty: float
) -> list[ScoredSpan]:
    """The sentences re-ranked, marked down by the share of the indicator they do not name
    (by `penalty` when they name none of it)."""
    rescored = []
    for s in scored:
        missing = 1.0 - coverage(_with_lead_in(s), indicator)
        rescored.append(replace(s, score=s.score * (1 - missing * (1 - penalty))))
    return sorted(rescored, key=lambda s: -s.score)


def _years_first(
    scored: list[ScoredSpan], years: Sequence[int], penalty: float
) -> list[ScoredSpan]:
    """The sentences re-ranked, marked down when they do not name the years the question
    names outside the report's own periods (`比<基年>下降了多少`)."""
    names = tuple(str(y) for y in years)
    rescored = [
        s if all(y in s.span.text for y in names) else replace(s, score=s.score * penalty)
        for s in scored
    ]
    return sorted(rescored, key=lambda s: -s.score)


def _naming_first(scored: list[ScoredSpan], name: str) -> list[ScoredSpan]:
    """The sentences that name `name` before those that do not (each in its order)."""
    return sorted(scored, key=lambda s: name not in s.span.text)


def _prefer_heading(
    best: ScoredSpan | None, scored: list[ScoredSpan], query: Query, share: float
) -> ScoredSpan | None:
    """For a question about how something went overall (`…发展得怎么样`), the report's own
    summary: the heading sentence of a paragraph, when one scores nearly as well."""
    if best is None or not (query.wants.summary and query.kind == "general"):
        return best
    headings = [
        s for s in scored if len(s.hit.chunk.section_path) > 1 and is_heading(s.span, s.hit.chunk)
    ]
    if headings and headings[0].score >= share * best.score:
        return headings[0]
    return best
