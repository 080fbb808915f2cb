"""Dependencies (service and settings from app.state) and the request limits checked at the edge."""

from __future__ import annotations

from typing import Annotated, cast

from fastapi import Depends, Request

from app.blank import strip_blank
from app.config import Settings
from app.http_errors import RequestRejected, Text
from app.service import QAService


def get_service(request: Request) -> QAService:
    return cast(QAService, request.app.state.service)


def get_app_settings(request: Request) -> Settings:
    return cast(Settings, request.app.state.settings)


ServiceDep = Annotated[QAService, Depends(get_service)]
SettingsDep = Annotated[Settings, Depends(get_app_settings)]


def is_valid_unicode(text: str) -> bool:
    """False for text with lone surrogates (JSON allows "\\ud800"; the tokenizers do not)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def check_text(text: str, name: str, english: bool = False) -> None:
    """RequestRejected (422) for text that is not valid Unicode."""
    if not is_valid_unicode(text):
        raise RequestRejected(
            422,
            Text(
                f"参数 {name} 含有无效字符（不成对的 UTF-16 代理项）。",
                f"Field '{name}' contains invalid characters (unpaired UTF-16 surrogates).",
            ),
            english,
        )


def check_question(
    question: str, settings: Settings, english: bool = False, name: str = "question"
) -> str:
    """The stripped question, or RequestRejected (422) when it is empty, too long or invalid."""
    stripped = strip_blank(question)
    if not stripped:
        raise RequestRejected(
            422, Text("问题不能为空。", "The question must not be empty."), english
        )
    check_text(stripped, name, english)
    limit = settings.max_question_chars
    if len(question) > limit:  # as sent, as the OpenAPI schema's maxLength counts
        text = Text(
            f"问题过长（{len(question)} 个字符，最多 {limit} 个）。",
            f"The question is too long ({len(question)} characters, max {limit}).",
        )
        raise RequestRejected(422, text, english)
    return stripped


def check_turn(
    role: str, content: str, settings: Settings, english: bool = False, name: str = "history"
) -> None:
    """RequestRejected (422) for a history turn with invalid text or over its limit: a user
    turn is a question (max_question_chars), an answer may be longer (max_turn_chars)."""
    check_text(content, f"{name}.content", english)
    limit = settings.max_question_chars if role == "user" else settings.max_turn_chars
    if len(content) > limit:
        text = Text(
            f"对话历史中有一轮过长（{len(content)} 个字符，最多 {limit} 个）。",
            f"A history turn is too long ({len(content)} characters, max {limit}).",
        )
        raise RequestRejected(422, text, english)


def resolve_top_k(
    top_k: int | None, settings: Settings, english: bool = False, name: str = "top_k"
) -> int:
    """`top_k` within 1..max_top_k (None means the configured default)."""
    if top_k is None:
        return min(settings.top_k, settings.max_top_k)
    if not 1 <= top_k <= settings.max_top_k:
        text = Text(
            f"参数 {name} 应在 1 到 {settings.max_top_k} 之间。",
            f"Field '{name}' must be between 1 and {settings.max_top_k}.",
        )
        raise RequestRejected(422, text, english)
    return top_k


def check_history(turns: int, settings: Settings, english: bool = False) -> None:
    """RequestRejected (422) for more than max_history_turns turns."""
    limit = settings.max_history_turns
    if turns > limit:
        text = Text(
            f"对话历史过长（{turns} 轮，最多 {limit} 轮）。",
            f"The history is too long ({turns} turns, max {limit}).",
        )
        raise RequestRejected(422, text, english)
