"""Answer strategies for one report: small units over (query, evidence) -> answer or nothing.

Tried in order by the answerer: a glossary definition, a section's list of subsections, a
figure compared across the periods asked, the best sentence (with the verdict stage deciding
whether the evidence holds an answer at all).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace

import numpy as np

from app import render
from app.evidence import Evidence, EvidenceFinder
from app.extract import ScoredSpan, is_heading, key_span, period_fit
from app.models import Citation, Quote
from app.refusal import Verdict
from app.sections import SectionTree
from index.bridge import Bridge, listed_item, name_ending_in
from index.hybrid import HybridRetriever
from index.models import Hit
from index.query import Query, TimeAsk
from index.regions import same_region
from ingest.models import Chunk, Period

MIN_PARTS = 3  # topic sentences that make a list of a section's parts
BRIDGE_HITS = 3  # passages searched for the sentence a described thing is named in
BRIDGE_FIT = 0.5  # share of the description's words that sentence must hold
# a question about the report itself: who delivered it, when, at which meeting
_ABOUT_REPORT = re.compile(
    r"报告.{0,12}(?:谁|哪位|哪天|哪一天|何时|什么时候|哪次|什么会议|日期|时间)"
    r"|(?:谁|哪位).{0,8}(?:作|做|发布|宣读).{0,6}报告"
    r"|who (?:delivered|gave|presented|made)|when was .{0,40}report|at (?:which|what) (?:meeting|session)"
    r"|(?:what|which) (?:date|day) .{0,40}report|report .{0,40}(?:delivered|presented)",
    re.I,
)
_ASKS_WHO = re.compile(r"谁|哪位|who", re.I)
_ASKS_WHEN = re.compile(r"哪天|哪一天|何时|什么时候|日期|时间|when|date", re.I)
_ASKS_WHERE = re.compile(r"会议|哪次|meeting|session", re.I)
_CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass(frozen=True)
class Outcome:
    """What a strategy made of one report: an answer's text and citations, or a refusal."""

    doc_id: str
    text: str
    citations: tuple[Citation, ...] = ()
    verdict: Verdict | None = None  # set for a refusal
    score: float = 0.0  # how well the evidence supports it (to choose between reports)
    defines: bool = False  # the report's glossary defines a term the question names

    @property
    def refused(self) -> bool:
        return self.verdict is not None and self.verdict.refused


@dataclass(frozen=True)
class Bridged:
    """The thing a question described, found: its name, the sentence naming it ([1]), and
    the query asked of it by name (not to be answered with that sentence)."""

    bridge: Bridge
    name: str
    citation: Citation
    query: Query


class Strategies:
    def __init__(self, retriever: HybridRetriever, finder: EvidenceFinder) -> None:
        self.retriever = retriever
        self.finder = finder
        self.sections = SectionTree(retriever.documents, retriever.chunks_of)

    # glossary ---------------------------------------------------------------------------

    def glossary(self, query: Query, doc_id: str, hits: Sequence[Hit]) -> Outcome | None:
        """The glossary's definition of every term the question names (`六稳和六保分别是什么`
        answers both)."""
        if query.kind not in ("definition", "list", "general"):
            return None
        entries = self.retriever.glossary(doc_id)
        terms = list(self.retriever.glossary_terms(query.text, doc_id))
        named = bool(terms)
        own = [h for h in hits if h.chunk.doc_id == doc_id]
        if not named and query.kind == "definition" and own and own[0].chunk.kind == "glossary":
            terms = [own[0].chunk.section_path[-1]]  # the entry the question is closest to
        if not terms:
            return None
        lines, citations = [], []
        for n, term in enumerate(terms, start=1):
            chunk = entries[term]
            definition = _definition_of(chunk)
            citations.append(Citation(n, self._hit(chunk, hits), (_entry_quote(chunk, term),)))
            lines.append(render.definition_answer(query.language, term, definition, n))
        return Outcome(doc_id, "\n".join(lines), tuple(citations), score=1.0, defines=named)

    # a thing described, not named ----------------------------------------------------------

    def bridge(self, query: Query, doc_id: str) -> Bridged | None:
        """The thing the question describes (`去年说即将建成投用的那所职业技术学院`), read in the
        sentence of report `doc_id` that fits the description best and holds at least
        `BRIDGE_FIT` of its words."""
        bridge = query.bridge
        if bridge is None:
            return None
        if bridge.term:
            return self._listed(bridge, doc_id)
        about = self.retriever.understand(bridge.description + bridge.head)
        words = set(self.retriever.tokens(bridge.description))
        if not words:
            return None
        own = self.retriever.documents[doc_id].meta.region
        hits = self.retriever.search(about, BRIDGE_HITS, doc_ids=[doc_id])
        ranked = sorted(((s, h) for h in hits for s in h.sentences), key=lambda p: -p[0].cosine)
        for sentence, hit in ranked:
            span = sentence.span
            if len(words & set(self.retriever.tokens(span.text))) < BRIDGE_FIT * len(words):
                continue
            name = self._name_in(bridge, span.text, own)
            if name:
                citation = Citation(1, hit, (Quote(span.text, span.start, span.end),))
                return self._bridged(bridge, name, citation, (span.start, span.end))
        return None

    def _listed(self, bridge: Bridge, doc_id: str) -> Bridged | None:
        """The item of a glossary term's list the question names by its place in it."""
        # quoted, as asked: a quoted part of one term names it (`“1+N”` for `“1+N”园区功能布局`)
        terms = self.retriever.glossary_terms(f"“{bridge.term}”", doc_id)
        if len(terms) != 1:
            return None
        chunk = self.retriever.glossary(doc_id)[terms[0]]
        name = listed_item(_definition_of(chunk), bridge.item)
        if not name:
            return None
        citation = Citation(1, self.retriever.hit_for(chunk), (_entry_quote(chunk, terms[0]),))
        return self._bridged(bridge, name, citation, None)

    def _bridged(
        self, bridge: Bridge, name: str, citation: Citation, named_in: tuple[int, int] | None
    ) -> Bridged:
        asked = self.retriever.understand(bridge.asked_of(name))
        asked = replace(asked, bridge=None, named_in=named_in, about=name)
        return Bridged(bridge, name, citation, asked)

    def _name_in(self, bridge: Bridge, text: str, own_region: str) -> str | None:
        if bridge.place:  # a region the sentence names, not the report's own
            for written, _ in self.retriever.regions.mentions(text):
                if len(written) < 2 or written in bridge.description:
                    continue
                if not same_region(written, own_region):
                    return written
            return None
        return name_ending_in(
            self.retriever.tagged(text), bridge.head, lambda w: bool(self.retriever.regions.find(w))
        )

    def bridged(self, found: Bridged, outcome: Outcome, lang: render.Lang) -> Outcome:
        """The answer about the thing by name, after the sentence that names it ([1])."""
        text, shifted = renumbered(outcome, 1)
        note = render.bridge_note(lang, found.bridge.head, found.name, 1)
        return replace(outcome, text=f"{note}\n{text}", citations=(found.citation, *shifted))

    # the report itself ---------------------------------------------------------------------

    def report_facts(self, query: Query, doc_id: str, hits: Sequence[Hit]) -> Outcome | None:
        """Who delivered the report, when and at which meeting: from its title block."""
        asks = _ABOUT_REPORT.search(query.text)
        if asks is None:
            return None
        title = next((c for c in self.retriever.chunks_of(doc_id) if c.kind == "title"), None)
        meta = self.retriever.documents[doc_id].meta
        if title is None:
            return None
        keys = []
        if _ASKS_WHO.search(query.text) and meta.speaker:
            keys.append(f"{meta.office}{meta.speaker}" if query.language == "zh" else meta.speaker)
        if _ASKS_WHEN.search(query.text) and meta.date:
            keys.append(meta.date if query.language == "en" else _zh_date(meta.date))
        if _ASKS_WHERE.search(query.text) and meta.meeting:
            keys.append(meta.meeting)
        if not keys:
            return None
        quote = Quote(title.text, title.start, title.end)
        citation = Citation(1, self._hit(title, hits), (quote,))
        text = render.fact_answer(query.language, keys, [(title.text.replace("\n", " "), 1)])
        return Outcome(doc_id, text, (citation,), score=1.0)

    # section tree -----------------------------------------------------------------------

    def section(self, query: Query, doc_id: str, hits: Sequence[Hit]) -> Outcome | None:
        """The parts of the section the question is about (`2026年重点做哪些工作`): its
        subsections when they are about the period asked, else the topic sentences heading
        its paragraphs of that period (`这是…的五年`), else the short topic sentences set
        inside them (`经济运行稳中有进。…`), else the first sentences of paragraphs opening
        alike (`这五年，…`). A list question whose words name a
        section (`哪些目标任务` -> `…的主要目标任务`) is answered the same way."""
        periods = self.retriever.resolved(query, doc_id).periods
        node = None
        if query.kind == "list":
            node = self.sections.titled(doc_id, self._content_words(query, doc_id))
        elif query.kind == "section":
            node = self.sections.parent_for(doc_id, hits, periods)
        if node is None:
            return None
        children = self.sections.children(node)
        if not (children and (not periods or any(c.period in periods for _, c in children))):
            leads = self.sections.lead_ins(node, periods)
            if len(leads) < MIN_PARTS:
                leads = self.sections.run_ins(node, periods)
            if len(leads) < MIN_PARTS:
                leads = self.sections.parallel_leads(node, periods, MIN_PARTS)
            children = leads if len(leads) >= MIN_PARTS else children
        if not children:
            return None
        return self._parts_answer(query, doc_id, node.outline.title, children, hits)

    def _parts_answer(
        self,
        query: Query,
        doc_id: str,
        title: str,
        parts: Sequence[tuple[str, Chunk]],
        hits: Sequence[Hit],
    ) -> Outcome:
        citations = tuple(
            Citation(n, self._hit(first, hits), (_heading_quote(first, part),))
            for n, (part, first) in enumerate(parts, start=1)
        )
        titles = [(part, n) for n, (part, _) in enumerate(parts, start=1)]
        text = render.section_answer(query.language, title, titles)
        return Outcome(doc_id, text, citations, score=1.0)

    def _content_words(self, query: Query, doc_id: str) -> list[str]:
        """The question's words, without times, places and how it asks."""
        groups = self.finder.groups(query, doc_id)
        return [g.words[0] for g in groups if g.weight > 0 and _CJK.search(g.words[0])]

    # figures and sentences ----------------------------------------------------------------

    def compare(self, query: Query, doc_id: str, qvec: np.ndarray | None) -> Outcome | None:
        """A figure asked for several periods (`2025年…多少，2026年的目标…`): each period on its
        own, with its own retrieval (its own words for BM25, the question's one vector for
        the dense side: no encode per period), answered from a sentence of that period."""
        resolved = self.retriever.resolved(query, doc_id)
        if query.kind != "number" or not resolved.comparison:
            return None
        info = self.retriever.documents[doc_id]
        found: list[tuple[ScoredSpan, Evidence]] = []
        missing: list[str] = []
        for ask, period in _distinct(resolved.by_ask):
            sub = query.narrowed(ask, target=period in ("plan_year", "plan_ahead", "long_range"))
            hits = self.retriever.search(
                sub, self.finder.config.evidence_k, qvec=qvec, doc_ids=[doc_id]
            )
            accepted = self.retriever.resolved(sub, doc_id).periods or frozenset({period})
            ev = self.finder.find(sub, doc_id, hits, period_only=accepted)
            if ev.verdict.refused or ev.best is None:
                missing.append(render.period_label(period, info.timeline, query.language))
            elif all(ev.best.span.text != s.span.text for s, _ in found):
                found.append((ev.best, ev))
        if not found:
            return None
        text, citations = _fact(query, found)
        if missing:
            text = f"{text}\n{render.missing_periods_note(query.language, missing)}"
        return Outcome(doc_id, text, citations, score=min(s.score for s, _ in found))

    def fact(self, query: Query, doc_id: str, hits: Sequence[Hit]) -> tuple[Outcome, Evidence]:
        """The best sentence(s) of the report for the question, or its refusal."""
        own = [h for h in hits if h.chunk.doc_id == doc_id]
        ev = self.finder.find(query, doc_id, own)
        if ev.verdict.refused or ev.best is None:
            return Outcome(doc_id, "", verdict=ev.verdict, score=ev.score), ev
        listed = self._announced(query, doc_id, ev.best, hits)
        if listed is not None:
            return listed, ev
        text, citations = _fact(query, [(s, ev) for s in self._chosen(ev, query)])
        return Outcome(doc_id, text, citations, score=ev.score), ev

    def _chosen(self, ev: Evidence, query: Query) -> list[ScoredSpan]:
        """The sentences that answer: a `；` list opened by the best one (`主要预期目标是：…；`)
        to its last item, read on into the next passage; for how something went overall, a
        paragraph's heading with the sentence that follows it (what it sums up); else the
        best sentence, with a close runner-up for a list."""
        best = ev.best
        assert best is not None
        if query.kind == "list" and _OPENS_LIST.search(best.span.text):
            return [best, *_to_list_end(self._after(best, into_next=True))]
        if (
            query.wants.summary
            and query.kind == "general"
            and is_heading(best.span, best.hit.chunk)
        ):
            summed = next(self._after(best, into_next=False), None)
            if summed is not None:
                return [best, summed]
        return _pick(ev, query)

    def _after(self, first: ScoredSpan, *, into_next: bool) -> Iterator[ScoredSpan]:
        """The sentences after `first` in its passage (`into_next`: then in the next one),
        each scored as `first` is."""
        for sentence in first.hit.sentences:
            if sentence.span.start >= first.span.end:
                yield replace(first, span=sentence.span, cosine=sentence.cosine)
        if not into_next:
            return
        chunk = first.hit.chunk
        chunks = self.retriever.chunks_of(chunk.doc_id)
        nxt = next((c for c in chunks if c.position == chunk.position + 1), None)
        if nxt is not None:
            hit = self.retriever.hit_for(nxt)
            for sentence in hit.sentences:
                yield replace(first, hit=hit, span=sentence.span, cosine=sentence.cosine)

    def _announced(
        self, query: Query, doc_id: str, best: ScoredSpan, hits: Sequence[Hit]
    ) -> Outcome | None:
        """For a list question whose best sentence announces numbered parts right after it
        (`要努力实现以下目标任务：`), those parts."""
        if query.kind not in ("list", "section"):
            return None
        # a sentence that ends with a colon may announce parts from any on; one that ends a
        # paragraph only the parts of a section it opens (not the next of its siblings)
        colon = bool(_ANNOUNCES.search(best.span.text))
        found = self.sections.announced(doc_id, best.span.end, from_any=colon)
        if found is None or len(found[1]) < MIN_PARTS:
            return None
        node, parts = found
        title = node.outline.title
        if parts[0][0] != node.outline.children[0].title:  # a list inside the section
            key = key_span(best.span, self.finder.groups(query, doc_id), query.wants)
            title = (key.text if key else best.span.text).rstrip("。；;：:，, ")
        return self._parts_answer(query, doc_id, title, parts, hits)

    def _hit(self, chunk: Chunk, hits: Sequence[Hit]) -> Hit:
        for h in hits:
            if h.chunk.chunk_id == chunk.chunk_id:
                return h
        return self.retriever.hit_for(chunk)


# a sentence that announces what follows it ends with a colon (`要努力实现以下目标任务：`)
_ANNOUNCES = re.compile(r"[：:]\s*$")
# a sentence that opens a list of `；` items: a colon, and the first item ends with `；`
_OPENS_LIST = re.compile(r"[：:][^：:]+[；;]\s*$")


def renumbered(outcome: Outcome, offset: int) -> tuple[str, list[Citation]]:
    """The outcome's text and citations with [n] shifted by `offset`."""
    text = outcome.text
    for c in sorted(outcome.citations, key=lambda c: -c.n):
        text = text.replace(f"[{c.n}]", f"[{c.n + offset}]")
    return text, [replace(c, n=c.n + offset) for c in outcome.citations]


def _distinct(
    by_ask: Sequence[tuple[TimeAsk, Period | None]],
) -> list[tuple[TimeAsk, Period]]:
    out: list[tuple[TimeAsk, Period]] = []
    for ask, period in by_ask:
        if period is not None and all(p != period for _, p in out):
            out.append((ask, period))
    return out


def _to_list_end(items: Iterable[ScoredSpan]) -> list[ScoredSpan]:
    """The items of a `；` list up to the first that does not end with `；` (its last)."""
    out: list[ScoredSpan] = []
    for item in items:
        out.append(item)
        if not item.span.text.rstrip().endswith(("；", ";")):
            break
    return out


def _pick(ev: Evidence, query: Query) -> list[ScoredSpan]:
    """The best sentence; for a list a close runner-up too."""
    best = ev.best
    assert best is not None
    chosen = [best]
    if query.kind in ("list", "general") and len(ev.scored) > 1:
        second = ev.scored[1]
        if second.score >= 0.9 * best.score and second.span.text != best.span.text:
            if period_fit(second.period, ev.resolved.periods) >= period_fit(
                best.period, ev.resolved.periods
            ):
                chosen.append(second)
    return sorted(chosen, key=lambda s: s.span.start)


def _fact(
    query: Query, chosen: Sequence[tuple[ScoredSpan, Evidence]]
) -> tuple[str, tuple[Citation, ...]]:
    """The key fact of each chosen sentence, the sentences quoted, in document order."""
    ordered = sorted(chosen, key=lambda c: c[0].span.start)
    spans = [s for s, _ in ordered]
    keys = [
        k.text for s, ev in ordered if (k := key_span(s.span, ev.groups, query.wants)) is not None
    ]
    citations = _citations(spans)
    quotes = [(s.span.text, _number_of(s.hit, citations)) for s in spans]
    return render.fact_answer(query.language, keys, quotes), citations


def _citations(chosen: list[ScoredSpan]) -> tuple[Citation, ...]:
    by_chunk: dict[str, list[ScoredSpan]] = {}
    for s in chosen:
        by_chunk.setdefault(s.hit.chunk.chunk_id, []).append(s)
    return tuple(
        Citation(
            n, spans[0].hit, tuple(Quote(s.span.text, s.span.start, s.span.end) for s in spans)
        )
        for n, spans in enumerate(by_chunk.values(), start=1)
    )


def _number_of(hit: Hit, citations: tuple[Citation, ...]) -> int:
    for c in citations:
        if c.hit.chunk.chunk_id == hit.chunk.chunk_id:
            return c.n
    return 1


def _heading_quote(chunk: Chunk, title: str) -> Quote:
    """The subsection heading where it stands in its first chunk (the chunk's start else)."""
    offset = max(chunk.text.find(title), 0)
    text = chunk.text[offset : offset + len(title)]
    return Quote(text, chunk.start + offset, chunk.start + offset + len(text))


def _entry_quote(chunk: Chunk, term: str) -> Quote:
    """The glossary entry itself (`1.六稳：指…`), without a heading the chunk may carry."""
    match = re.search(rf"(?:\d+[.．、]|[（(\[［]\d+[）)\]］])\s*{re.escape(term)}[：:]", chunk.text)
    offset = match.start() if match else 0
    return Quote(chunk.text[offset:], chunk.start + offset, chunk.end)


def _definition_of(chunk: Chunk) -> str:
    """A glossary entry's definition: its footnote's, else the text after its term."""
    return chunk.footnotes[0].definition if chunk.footnotes else _definition(chunk)


def _definition(chunk: Chunk) -> str:
    text = chunk.text
    for sep in ("：", ":"):
        if sep in text:
            return text.split(sep, 1)[1].strip()
    return text


def _zh_date(iso: str) -> str:
    year, month, day = (int(x) for x in iso.split("-"))
    return f"{year}年{month}月{day}日"
