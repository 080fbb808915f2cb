"""One browser session's conversation, kept on the server in a `gr.State`.

The chat shown in the browser is an output only: the client never sends it back, so nothing
it could put there (a file part, a huge history) reaches the handler. Every field is bounded:
the number of turns remembered for follow-ups, the messages shown, and each text's length.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from app.models import Role, Turn

Message = dict[str, str]

MAX_CHAT_MESSAGES = 60  # what the chat shows (30 exchanges); older ones scroll away
ELLIPSIS = "…"


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: max(limit - 1, 0)] + ELLIPSIS


@dataclass(frozen=True)
class ConversationLimits:
    max_history_turns: int = 20  # turns passed to the service for follow-ups
    max_question_chars: int = 1000  # a user turn as stored and shown
    max_turn_chars: int = 4000  # an assistant turn as stored and shown


@dataclass(frozen=True)
class Conversation:
    """The chat messages shown (plain text) and the turns follow-ups resolve against."""

    chat: tuple[Message, ...] = ()
    turns: tuple[Turn, ...] = ()

    def messages(self) -> list[Message]:
        """The chat as the Chatbot takes it (fresh dicts: Gradio may keep what it is given)."""
        return [dict(message) for message in self.chat]

    def with_message(self, role: Role, content: str, limits: ConversationLimits) -> Conversation:
        message = {"role": role, "content": _clip_turn(role, content, limits)}
        return replace(self, chat=(*self.chat, message)[-MAX_CHAT_MESSAGES:])

    def with_reply(self, content: str, limits: ConversationLimits) -> Conversation:
        """The last message (the pending notice) replaced by the assistant's reply."""
        message = {"role": "assistant", "content": _clip_turn("assistant", content, limits)}
        return replace(self, chat=(*self.chat[:-1], message))

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
