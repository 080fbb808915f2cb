"""The chat's events: a question (typed or an example clicked), and the page loading.

Each question is answered on one service, the one served when it started (a hot reload
meanwhile does not mix two indexes into one answer). The conversation lives in a gr.State on
the server; the browser keeps a text-only copy (app/ui_history.py) that restores it after a
reload of the page, and that the handler re-checks before using.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from typing import Any

import gradio as gr

from app.blank import strip_blank
from app.errors import (
    ChunkNotFoundError,
    EmptyQuestionError,
    InvalidQuestionError,
    QuestionTooLongError,
)
from app.examples import examples
from app.models import Answer, Turn, report_refs
from app.render import RELATED_LIMIT
from app.service import QAService
from app.ui_history import Exchange, answer_of, exchange_of, from_stored, to_stored
from app.ui_render import (
    PANEL_EMPTY,
    PANEL_SEARCHING,
    answer_panel,
    chat_reply,
    notice_html,
    panels_html,
    reply_markdown,
    report_choices,
    status_line,
)
from app.ui_session import Conversation, ConversationLimits, Message
from ingest.models import Chunk

logger = logging.getLogger(__name__)

# chat, citations panel, conversation (server-side)
Step = tuple[list[Message], str, Conversation]


def pinned(service: QAService) -> QAService:
    """The service being served now (a LateBoundService forwards to it)."""
    current = getattr(service, "current", None)
    return current() if callable(current) else service


class ChatHandler:
    def __init__(
        self,
        service: QAService,
        top_k: int,
        max_history_turns: int,
        limits: ConversationLimits | None = None,
    ) -> None:
        self.service = service
        self.top_k = top_k
        self.limits = limits or ConversationLimits(max_history_turns=max_history_turns)

    def respond(
        self,
        question: str | None,
        reports: Sequence[str] | None,
        conversation: Conversation | None,
    ) -> Iterator[Step]:
        service = pinned(self.service)
        talk, q = conversation or Conversation(), strip_blank(question or "")
        if not q:
            yield talk.messages(), panels_html(talk.panels, notice_html("请输入问题。")), talk
            return
        talk = talk.with_message("user", q, self.limits)
        pending = talk.with_message("assistant", "正在检索报告……", self.limits)
        yield pending.messages(), panels_html(pending.panels, PANEL_SEARCHING, True), pending
        answer, problem = self._ask(service, q, talk.turns, _reports(service, reports))
        if answer is None:
            done = pending.with_reply(f"⚠️ {problem}", self.limits)
            yield done.messages(), panels_html(done.panels, notice_html(problem)), done
            return
        done = self._answered(pending, q, answer)
        yield done.messages(), panels_html(done.panels), done

    def respond_example(
        self,
        index: int | None,
        reports: Sequence[str] | None,
        conversation: Conversation | None,
    ) -> Iterator[Step]:
        """A click on an example asks it."""
        questions = self.examples()
        question = questions[index] if index is not None and 0 <= index < len(questions) else ""
        yield from self.respond(question, reports, conversation)

    def examples(self) -> list[str]:
        return examples(pinned(self.service).documents())

    def page_loaded(self, stored: object) -> tuple[Any, ...]:
        """Header, report picker, examples, and the conversation restored from the browser."""
        service = pinned(self.service)
        documents = service.documents()
        picker = gr.Dropdown(choices=report_choices(documents), value=[], multiselect=True)
        shown = gr.Dataset(samples=[[q] for q in examples(documents)])
        talk = self.restored(service, stored)
        panel = panels_html(talk.panels) if talk.panels else PANEL_EMPTY
        header = status_line(service.info(), documents)
        return header, picker, shown, talk.messages(), panel, talk

    def restored(self, service: QAService, stored: object) -> Conversation:
        talk = Conversation()
        lookup, report = _chunk_lookup(service), report_refs(service.documents())
        for exchange in from_stored(stored, self.limits):
            answer = answer_of(exchange, lookup, report)
            number = talk.next_number
            reply = reply_markdown(
                exchange.answer, exchange.refused, {c.n for c in exchange.cited}, number
            )
            lost = bool(exchange.cited) and not answer.citations
            talk = (
                talk.with_message("user", exchange.question, self.limits)
                .with_message("assistant", "", self.limits)
                .with_reply(reply, self.limits)
                .with_turn(exchange.question, exchange.answer, self.limits)
                .with_exchange(exchange, answer_panel(answer, number, exchange.question, lost))
            )
        return talk

    def _answered(self, pending: Conversation, question: str, answer: Answer) -> Conversation:
        number = pending.next_number
        exchange: Exchange = exchange_of(question, answer, RELATED_LIMIT)
        return (
            pending.with_reply(chat_reply(answer, number), self.limits)
            .with_turn(question, answer.text, self.limits)
            .with_exchange(exchange, answer_panel(answer, number, question))
        )

    def stored_copy(self, conversation: Conversation | None) -> dict[str, Any]:
        """The browser's copy of the conversation (a fresh value each time: Gradio's page
        writes it to localStorage only when the value is a new object)."""
        return to_stored((conversation or Conversation()).exchanges, self.limits.store_bytes)

    def _ask(
        self,
        service: QAService,
        question: str,
        turns: Sequence[Turn],
        reports: list[str] | None,
    ) -> tuple[Answer | None, str]:
        """The answer, or None and the message to show."""
        keep = self.limits.max_history_turns
        history = tuple(turns[-keep:]) if keep else ()
        try:
            return service.answer(question, history, top_k=self.top_k, doc_ids=reports), ""
        except (EmptyQuestionError, QuestionTooLongError, InvalidQuestionError) as exc:
            return None, _invalid_message(exc)
        except Exception:
            logger.exception("UI question failed")
            return None, "服务器内部错误，请稍后再试。"


def _reports(service: QAService, reports: Sequence[str] | None) -> list[str] | None:
    """The reports picked that are loaded (None: all of them)."""
    loaded = {d.doc_id for d in service.documents()}
    picked = [r for r in reports or () if isinstance(r, str) and r in loaded]
    return picked or None


def _chunk_lookup(service: QAService) -> Any:
    def chunk(chunk_id: str) -> Chunk | None:
        try:
            return service.chunk(chunk_id)
        except ChunkNotFoundError:
            return None

    return chunk


def _invalid_message(exc: Exception) -> str:
    if isinstance(exc, EmptyQuestionError):
        return "请输入问题。"
    if isinstance(exc, QuestionTooLongError):
        return "问题过长，请精简后再问。"
    return "无法处理这个问题，请换一种问法。"
