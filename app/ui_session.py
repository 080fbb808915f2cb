"""One browser session's conversation, kept on the server in a `gr.State`.

The chat shown in the browser is an output only: the client never sends it back, so nothing
it could put there (a file part, a huge history) reaches the handler. Every field is bounded:
the number of turns remembered for follow-ups, the messages shown, and each text's length.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from app.models import Role, Turn

if TYPE_CHECKING:
    from app.ui_history import Exchange

Message = dict[str, str]

MAX_CHAT_MESSAGES = 60  # what the chat shows (30 exchanges); older ones scroll away
MAX_EXCHANGES = MAX_CHAT_MESSAGES // 2  # answers whose citations stay at hand
MARKUP_CHARS = 4000  # what the [n] links may add to an answer's text as shown
ELLIPSIS = "…"


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: max(limit - 1, 0)] + ELLIPSIS


@dataclass(frozen=True)
class ConversationLimits:
    max_history_turns: int = 20  # turns passed to the service for follow-ups
    max_question_chars: int = 1000  # a user turn as stored and shown
    max_turn_chars: int = 4000  # an assistant turn as stored and shown
    store_bytes: int = 48 * 1024  # the browser's copy (sent back whole when the page loads)


@dataclass(frozen=True)
class Conversation:
    """The chat messages shown, the turns follow-ups resolve against, and each answer's
    record with its rendered citations panel (answer number `first + i` is exchange `i`)."""

    chat: tuple[Message, ...] = ()
    turns: tuple[Turn, ...] = ()
    exchanges: tuple[Exchange, ...] = ()
    panels: tuple[str, ...] = ()
    first: int = 0

    @property
    def next_number(self) -> int:
        """The number the next answer gets (its `[n]` links and panel are named with it)."""
        return self.first + len(self.exchanges)

    def messages(self) -> list[Message]:
        """The chat as the Chatbot takes it (fresh dicts: Gradio may keep what it is given)."""
        return [dict(message) for message in self.chat]

    def with_message(self, role: Role, content: str, limits: ConversationLimits) -> Conversation:
        message = {"role": role, "content": _clip_turn(role, content, limits)}
        return replace(self, chat=(*self.chat, message)[-MAX_CHAT_MESSAGES:])

    def with_reply(self, content: str, limits: ConversationLimits) -> Conversation:
        """The last message (the pending notice) replaced by the assistant's reply (rendered
        from a clipped text: room for its links' markup)."""
        message = {
            "role": "assistant",
            "content": clip(content, limits.max_turn_chars + MARKUP_CHARS),
        }
        return replace(self, chat=(*self.chat[:-1], message))

    def with_exchange(self, exchange: Exchange, panel: str) -> Conversation:
        exchanges, panels = (*self.exchanges, exchange), (*self.panels, panel)
        dropped = max(len(exchanges) - MAX_EXCHANGES, 0)
        return replace(
            self,
            exchanges=exchanges[dropped:],
            panels=panels[dropped:],
            first=self.first + dropped,
        )

    def with_turn(self, question: str, answer: str, limits: ConversationLimits) -> Conversation:
        turns = (
            *self.turns,
            Turn("user", _clip_turn("user", question, limits)),
            Turn("assistant", _clip_turn("assistant", answer, limits)),
        )
        keep = limits.max_history_turns
        return replace(self, turns=turns[-keep:] if keep else ())


def _clip_turn(role: Role, content: str, limits: ConversationLimits) -> str:
    limit = limits.max_question_chars if role == "user" else limits.max_turn_chars
    return clip(content, limit)
