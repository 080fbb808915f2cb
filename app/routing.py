"""Which loaded reports a question goes to: the regions and years it names, else all of them."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, replace

from index.query import Query, resolve
from index.regions import same_region
from ingest.meta import short_name
from ingest.models import DocumentInfo


@dataclass(frozen=True)
class Route:
    doc_ids: tuple[str, ...]  # the reports to answer from, best first
    per_report: bool = False  # answer one line per report (several regions or years named)
    unknown_places: tuple[str, ...] = ()  # regions named that no loaded report is about
    named: bool = False  # the question named the region or the years that chose the reports
    years: tuple[tuple[str, int], ...] = ()  # per-report lines by year: (doc_id, its year)

    def year_of(self, doc_id: str) -> int | None:
        return next((y for d, y in self.years if d == doc_id), None)


def route(
    query: Query,
    documents: Mapping[str, DocumentInfo],
    allowed: Collection[str] | None = None,
) -> Route:
    """The reports for `query` among `allowed` (all loaded reports when None)."""
    docs = [d for d in documents.values() if allowed is None or d.doc_id in allowed]
    if not query.places:
        covering = _covering(query, docs)
        named = len(covering) < len(docs)
        return Route(tuple(d.doc_id for d in _by_year(query, covering)), named=named)
    groups: list[list[DocumentInfo]] = []
    unknown: list[str] = []
    for place in query.places:
        about = [d for d in docs if same_region(place, d.meta.region)]
        if about:
            groups.append(about)
        elif not _inside_a_loaded_region(place, docs):
            unknown.append(place)
    if not groups:
        if unknown:
            return Route((), unknown_places=tuple(unknown))
        return Route(tuple(d.doc_id for d in _by_year(query, docs)))
    if len(groups) > 1:
        picks = tuple(_by_year(query, _covering(query, g))[0].doc_id for g in groups)
        return Route(picks, per_report=True, named=True)
    return _one_region(query, groups[0], tuple(unknown))


def _one_region(query: Query, docs: list[DocumentInfo], unknown: tuple[str, ...]) -> Route:
    """Several years of one region's reports: each year named goes to the report about it."""
    years = [a.value for a in query.times if a.kind == "year"]
    if len(years) > 1 and len(docs) > 1:
        picks = {_report_for_year(query, docs, y).doc_id: y for y in years}
        if len(picks) > 1:
            return Route(
                tuple(picks),
                per_report=True,
                unknown_places=unknown,
                named=True,
                years=tuple(picks.items()),
            )
    ranked = _by_year(query, _covering(query, docs))
    return Route(tuple(d.doc_id for d in ranked), unknown_places=unknown, named=True)


def _covering(query: Query, docs: list[DocumentInfo]) -> list[DocumentInfo]:
    """The reports whose calendars hold the years and plans the question names (`十三五`
    is reviewed by a report of its last year's next; `<Y>年目标` is planned by one report),
    when some do; all of them otherwise."""
    named = [a for a in query.times if a.kind in ("year", "plan")]
    if not named or len(docs) < 2:
        return docs
    fitting = [d for d in docs if not (r := resolve(query, d.timeline)).uncovered and not r.years]
    return fitting or docs


def _by_year(query: Query, docs: list[DocumentInfo]) -> list[DocumentInfo]:
    """The reports, those about the year the question names first (stable otherwise)."""
    years = [a.value for a in query.times if a.kind == "year"]
    if not years or len(docs) < 2:
        return docs
    best = _report_for_year(query, docs, years[0])
    return [best, *(d for d in docs if d is not best)]


def _report_for_year(query: Query, docs: list[DocumentInfo], year: int) -> DocumentInfo:
    """The report a year is in: the one that plans it (a target, the year's work) or the one
    that reviews it (a result); else the nearest report year."""
    plans = query.target or (query.kind in ("section", "list", "general") and not query.past)
    wanted = year if plans or query.report_year == year else year + 1
    dated = [d for d in docs if d.timeline.year is not None]
    if not dated:
        return docs[0]
    return min(dated, key=lambda d: abs((d.timeline.year or 0) - wanted))


def _inside_a_loaded_region(place: str, docs: list[DocumentInfo]) -> bool:
    """A city inside a loaded province, or a place a loaded report itself names: the answer
    may be in that report, as long as the evidence names the place (see `refusal`)."""
    from index.regions import province_of

    province = province_of(place)
    inside = any(same_region(province, d.meta.region) for d in docs if province)
    holds = any(same_region(place, province_of(d.meta.region)) for d in docs)
    return inside or holds


def for_report(query: Query, info: DocumentInfo, year: int | None = None) -> Query:
    """The query as one report's line of a per-report answer sees it: the other regions it
    names are left out (`广东和海南…分别` asks the 广东 report about 广东 only), and so are
    the other years when each year has its report (`<Y1>年和<Y2>年…` asks each of its year)."""
    if year is not None:
        ask = next((a for a in query.times if a.kind == "year" and a.value == year), None)
        if ask is not None:
            query = query.narrowed(ask, target=query.target)
    others = [p for p in query.places if not same_region(p, info.meta.region)]
    if not others:
        return query
    text = query.text
    for place in others:
        for name in (place, short_name(place)):
            text = text.replace(name, "")
    mine = tuple(p for p in query.places if p not in others)
    shift = len(query.text) - len(text)
    times = (
        tuple(replace(a, start=max(text.find(a.text), 0)) for a in query.times)
        if shift
        else query.times
    )
    return replace(query, text=text, places=mine, times=times)
