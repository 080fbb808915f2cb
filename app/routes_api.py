"""The JSON API under /api: ask, search, chunks, health. Routes stay thin."""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request

from app.deps import (
    ServiceDep,
    SettingsDep,
    check_history,
    check_question,
    check_turn,
    resolve_top_k,
)
from app.http_errors import mark_language
from app.models import Turn, report_refs
from app.schemas import (
    ERROR_RESPONSES,
    MAX_CHUNK_ID,
    MAX_DOC_IDS,
    AskRequest,
    AskResponse,
    ChunkOut,
    DocumentOut,
    DocumentsResponse,
    HealthResponse,
    HistoryTurnIn,
    SearchResponse,
    passages_out,
)
from index.models import SearchMode

router = APIRouter(prefix="/api", tags=["api"], responses=ERROR_RESPONSES)


def elapsed_ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 3)


def to_turns(history: list[HistoryTurnIn]) -> tuple[Turn, ...]:
    return tuple(Turn(role=turn.role, content=turn.content) for turn in history)


@router.post("/ask", response_model=AskResponse, summary="回答问题（抽取式，带引用）")
def ask(
    body: AskRequest, request: Request, service: ServiceDep, settings: SettingsDep
) -> AskResponse:
    """Answer `question` from the report; every sentence of the answer carries a `[n]` marker."""
    english = mark_language(request, body.question)
    question = check_question(body.question, settings, english)
    top_k = resolve_top_k(body.top_k, settings, english)
    check_history(len(body.history), settings, english)
    for turn in body.history:
        check_turn(turn.role, turn.content, settings, english)
    started = time.perf_counter()
    answer = service.answer(question, to_turns(body.history), top_k=top_k, doc_ids=body.doc_ids)
    timings = {**answer.timings_ms, "total": elapsed_ms(started)}
    return AskResponse.from_answer(answer, timings)


@router.get("/search", response_model=SearchResponse, summary="检索相关段落")
def search(
    request: Request,
    service: ServiceDep,
    settings: SettingsDep,
    q: Annotated[str, Query(description="查询文本")],
    k: Annotated[int | None, Query(description="返回段落数，1..max_top_k")] = None,
    mode: Annotated[SearchMode, Query(description="检索方式")] = "hybrid",
    doc_ids: Annotated[
        list[str] | None,
        Query(max_length=MAX_DOC_IDS, description="只在这些报告中检索（可重复）；缺省为全部"),
    ] = None,
) -> SearchResponse:
    english = mark_language(request, q)
    query = check_question(q, settings, english, name="q")
    top_k = resolve_top_k(k, settings, english, name="k")
    started = time.perf_counter()
    hits = service.search(query, k=top_k, mode=mode, doc_ids=doc_ids)
    timings = {"total": elapsed_ms(started)}
    passages = passages_out(hits, report_refs(service.documents()))
    return SearchResponse(query=query, mode=mode, passages=passages, timings_ms=timings)


@router.get("/documents", response_model=DocumentsResponse, summary="已加载的报告")
def documents(service: ServiceDep) -> DocumentsResponse:
    """Every loaded report: title, region, year, date, speaker, sections, pages, chunks."""
    info = service.info()
    counts = info.chunks_per_document
    return DocumentsResponse(
        documents=[DocumentOut.from_info(d, counts.get(d.doc_id, 0)) for d in service.documents()],
        index_built_at=info.index_built_at,
    )


@router.get("/chunks/{chunk_id}", response_model=ChunkOut, summary="按 id 获取段落")
def get_chunk(
    chunk_id: Annotated[str, Path(max_length=MAX_CHUNK_ID, description="段落 id")],
    service: ServiceDep,
) -> ChunkOut:
    return ChunkOut.from_chunk(service.chunk(chunk_id))


@router.get("/health", response_model=HealthResponse, summary="服务状态")
def health(service: ServiceDep, request: Request) -> HealthResponse:
    return HealthResponse.from_info(service.info(), ui=request.app.state.ui_state())
