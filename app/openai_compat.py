"""OpenAI-compatible `/v1/chat/completions` (streamed and not) and `/v1/models`.

The question is the last user message; earlier user/assistant messages are the history
(system messages are ignored, the oldest turns beyond `max_history_turns` are dropped).
Citations are appended to the message text and also returned as the extra field `citations`.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import AsyncIterator, Sequence
from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from app.deps import ServiceDep, SettingsDep, check_question, check_turn, resolve_top_k
from app.errors import UnknownDocumentError
from app.http_errors import RequestRejected, Text, mark_language
from app.models import Answer, Turn
from app.render import message_text
from app.schemas import (
    ERROR_RESPONSES,
    ChatChoice,
    ChatCompletionChunk,
    ChatCompletionRequest,
    ChatCompletionResponse,
    ChatMessageIn,
    ChatMessageOut,
    ChunkChoice,
    ChunkDelta,
    ModelCard,
    ModelList,
    PassageOut,
    Usage,
    citations_out,
)
from app.service import QAService

MODEL_ID = "reportqa"

router = APIRouter(prefix="/v1", tags=["openai"], responses=ERROR_RESPONSES)


def split_messages(
    messages: Sequence[ChatMessageIn], max_turns: int
) -> tuple[str, tuple[Turn, ...]]:
    """(question, history): the last message must come from the user."""
    last = messages[-1]
    if last.role != "user":
        text = Text(
            "最后一条消息必须来自用户（role 为 user）。", "The last message must have role 'user'."
        )
        raise RequestRejected(422, text)
    history = tuple(
        Turn(role=m.role, content=m.plain_text())
        for m in messages[:-1]
        if m.role in ("user", "assistant")
    )
    return last.plain_text(), history[-max_turns:] if max_turns else ()


def _epoch(iso: str) -> int:
    try:
        return int(datetime.fromisoformat(iso).timestamp())
    except ValueError:
        return 0


@router.get("/models", response_model=ModelList, summary="可用模型（OpenAI 兼容）")
def list_models(service: ServiceDep) -> ModelList:
    """`reportqa` answers from every loaded report, `reportqa/<doc_id>` from that one."""
    created = _epoch(service.info().index_built_at)
    ids = [MODEL_ID, *(f"{MODEL_ID}/{d.doc_id}" for d in service.documents())]
    return ModelList(data=[ModelCard(id=model, created=created) for model in ids])


def reports_of_model(model: str) -> list[str] | None:
    """The report ids a model name selects: None for `reportqa` (all), [doc_id] for
    `reportqa/<doc_id>`; UnknownDocumentError for any other name."""
    if model in ("", MODEL_ID):
        return None
    prefix = f"{MODEL_ID}/"
    if model.startswith(prefix) and len(model) > len(prefix):
        return [model[len(prefix) :]]
    raise UnknownDocumentError(f"没有这个模型：{model}", (model[:200],))


@router.post(
    "/chat/completions",
    response_model=ChatCompletionResponse,
    summary="对话补全（OpenAI 兼容，支持 stream）",
    responses={200: {"content": {"text/event-stream": {}}}},
)
async def chat_completions(
    body: ChatCompletionRequest, request: Request, service: ServiceDep, settings: SettingsDep
) -> ChatCompletionResponse | StreamingResponse:
    question, history = split_messages(body.messages, settings.max_history_turns)
    english = mark_language(request, question)
    question = check_question(question, settings, english)
    for message in body.messages[:-1]:  # all of them, as the schema states, kept or not
        if message.role in ("user", "assistant"):
            check_turn(message.role, message.plain_text(), settings, english, name="messages")
    top_k = resolve_top_k(body.top_k, settings, english)
    answer = await _answer(service, question, history, top_k, reports_of_model(body.model))
    reply = _Reply(answer, body, prompt_chars=sum(len(m.plain_text()) for m in body.messages))
    if body.stream:
        return StreamingResponse(reply.sse(), media_type="text/event-stream")
    return reply.completion()


async def _answer(
    service: QAService,
    question: str,
    history: tuple[Turn, ...],
    top_k: int,
    doc_ids: list[str] | None,
) -> Answer:
    return await run_in_threadpool(service.answer, question, history, top_k, doc_ids)


class _Reply:
    """One answer rendered as an OpenAI completion or as a stream of SSE chunks."""

    def __init__(self, answer: Answer, request: ChatCompletionRequest, prompt_chars: int) -> None:
        self.answer = answer
        self.model = request.model or MODEL_ID
        self.include_usage = bool(request.stream_options and request.stream_options.include_usage)
        self.id = f"chatcmpl-{uuid.uuid4().hex[:24]}"
        self.created = int(time.time())
        self.content = message_text(answer)
        self.citations = citations_out(answer)
        self.usage = Usage(
            prompt_tokens=prompt_chars,
            completion_tokens=len(self.content),
            total_tokens=prompt_chars + len(self.content),
        )

    def completion(self) -> ChatCompletionResponse:
        return ChatCompletionResponse(
            id=self.id,
            created=self.created,
            model=self.model,
            choices=[ChatChoice(message=ChatMessageOut(content=self.content))],
            usage=self.usage,
            refused=self.answer.refused,
            citations=self.citations,
        )

    def _new_chunk(
        self,
        choices: list[ChunkChoice],
        usage: Usage | None = None,
        refused: bool | None = None,
        citations: list[PassageOut] | None = None,
    ) -> ChatCompletionChunk:
        return ChatCompletionChunk(
            id=self.id,
            created=self.created,
            model=self.model,
            choices=choices,
            usage=usage,
            refused=refused,
            citations=citations,
        )

    async def sse(self) -> AsyncIterator[str]:
        yield _sse(self._new_chunk([ChunkChoice(delta=ChunkDelta(role="assistant", content=""))]))
        for piece in re.findall(r"[^。！？!?\n]*[。！？!?\n]?", self.content):
            if piece:
                yield _sse(self._new_chunk([ChunkChoice(delta=ChunkDelta(content=piece))]))
        stop = ChunkChoice(delta=ChunkDelta(), finish_reason="stop")
        yield _sse(self._new_chunk([stop], refused=self.answer.refused, citations=self.citations))
        if self.include_usage:
            yield _sse(self._new_chunk([], usage=self.usage))
        yield "data: [DONE]\n\n"


def _sse(chunk: ChatCompletionChunk) -> str:
    """One server-sent event; `finish_reason` stays present (null) as OpenAI sends it."""
    data = chunk.model_dump(exclude_none=True)
    for choice in data["choices"]:
        choice.setdefault("finish_reason", None)
    return f"data: {json.dumps(data, ensure_ascii=False)}\n\n"
