"""The Gradio chat UI (Chinese). It calls the same QAService in-process; no HTTP round trip.

`build_ui(service)` returns the Blocks; `app.ui_mount.mount_ui` mounts it at `/`, hardened, with
the theme and CSS (Gradio 6 takes those at mount/launch time, not in the Blocks constructor).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence

import gradio as gr

from app.errors import EmptyQuestionError, InvalidQuestionError, QuestionTooLongError
from app.examples import examples
from app.models import Turn
from app.service import QAService
from app.ui_render import (
    PANEL_EMPTY,
    PANEL_SEARCHING,
    chat_reply,
    citations_html,
    notice_html,
    report_choices,
    status_line,
)
from app.ui_session import Conversation, ConversationLimits, Message

logger = logging.getLogger(__name__)

TITLE = "政府工作报告问答"
INTRO = (
    f"# {TITLE}\n"
    "基于政府工作报告原文的**抽取式**问答：答案中的每一句都摘自报告，"
    "并以 `[n]` 标注出处；报告中没有的内容会明确说明“未找到”，不会编造。"
)
PLACEHOLDER = "输入关于报告的问题，例如：今年地区生产总值预期增长多少？"
PICKER_INFO = "不选即为全部已加载的报告"

CSS = """
.rq-panel { display: flex; flex-direction: column; gap: 12px; font-size: 14px; line-height: 1.7; }
.rq-empty { color: #6b7280; padding: 12px; border: 1px dashed #d1d5db; border-radius: 8px; }
.rq-h { font-weight: 600; color: #374151; }
.rq-cite { border: 1px solid #e5e7eb; border-left: 4px solid #b91c1c; border-radius: 8px;
           padding: 10px 12px; background: #fff; }
.rq-cite.rq-related { border-left-color: #9ca3af; background: #f9fafb; }
.rq-head { display: flex; flex-wrap: wrap; gap: 8px; align-items: baseline; margin-bottom: 6px; }
.rq-n { font-weight: 700; color: #b91c1c; }
.rq-report { color: #6b7280; font-size: 12px; margin-bottom: 2px; }
.rq-related .rq-n { color: #6b7280; font-weight: 600; font-size: 12px; }
.rq-path { color: #374151; font-weight: 600; flex: 1 1 auto; }
.rq-page { color: #fff; background: #b91c1c; border-radius: 10px; padding: 0 8px; font-size: 12px; }
.rq-related .rq-page { background: #6b7280; }
.rq-text { color: #374151; }
.rq-text mark { background: #fde68a; color: #111827; padding: 0 2px; border-radius: 3px; }
.rq-notes { margin-top: 8px; padding-top: 6px; border-top: 1px dashed #e5e7eb; font-size: 13px;
            color: #4b5563; }
.rq-notes-title { font-weight: 600; margin-bottom: 2px; }
.rq-notice { border-radius: 8px; padding: 12px 14px; }
.rq-refused { background: #fff7ed; border: 1px solid #fdba74; color: #9a3412; }
.rq-notice-title { font-weight: 700; margin-bottom: 4px; }
.rq-error { background: #fef2f2; border: 1px solid #fca5a5; color: #991b1b; }
#rq-status { color: #6b7280; font-size: 13px; }
"""

_FONTS = ["Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", "system-ui", "sans-serif"]


def theme() -> gr.themes.Base:
    """A theme with local fonts only (the machine may be offline: no Google Fonts)."""
    return gr.themes.Soft(primary_hue="red", font=_FONTS, font_mono=["ui-monospace", "monospace"])


Step = tuple[str, list[Message], str, Conversation]


class ChatHandler:
    """The UI's one event: question + this session's conversation -> cleared box, chat,
    citations, conversation. The conversation lives in a gr.State (server-side), never in a
    value the client sends."""

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
        talk, q = conversation or Conversation(), (question or "").strip()
        if not q:
            yield "", talk.messages(), notice_html("请输入问题。"), talk
            return
        talk = talk.with_message("user", q, self.limits)
        pending = talk.with_message("assistant", "正在检索报告……", self.limits)
        yield "", pending.messages(), PANEL_SEARCHING, pending
        reply, panel, answer_text = self._ask(q, talk.turns, self._reports(reports))
        done = pending.with_reply(reply, self.limits)
        if answer_text is not None:
            done = done.with_turn(q, answer_text, self.limits)
        yield "", done.messages(), panel, done

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
        return examples(self.service.documents())

    def _reports(self, reports: Sequence[str] | None) -> list[str] | None:
        """The reports picked that are loaded (None: all of them)."""
        loaded = {d.doc_id for d in self.service.documents()}
        picked = [r for r in reports or () if isinstance(r, str) and r in loaded]
        return picked or None

    def _ask(
        self, question: str, turns: Sequence[Turn], reports: list[str] | None = None
    ) -> tuple[str, str, str | None]:
        """(chat reply, citations panel, answer text to remember or None on error)."""
        keep = self.limits.max_history_turns
        history = tuple(turns[-keep:]) if keep else ()
        try:
            answer = self.service.answer(question, history, top_k=self.top_k, doc_ids=reports)
        except (EmptyQuestionError, QuestionTooLongError, InvalidQuestionError) as exc:
            message = _invalid_message(exc)
            return f"⚠️ {message}", notice_html(message), None
        except Exception:
            logger.exception("UI question failed")
            message = "服务器内部错误，请稍后再试。"
            return f"⚠️ {message}", notice_html(message), None
        return chat_reply(answer), citations_html(answer), answer.text


def _invalid_message(exc: Exception) -> str:
    if isinstance(exc, EmptyQuestionError):
        return "请输入问题。"
    if isinstance(exc, QuestionTooLongError):
        return "问题过长，请精简后再问。"
    return "无法处理这个问题，请换一种问法。"


def build_ui(
    service: QAService, *, top_k: int = 5, limits: ConversationLimits | None = None
) -> gr.Blocks:
    limits = limits or ConversationLimits()
    handler = ChatHandler(service, top_k, limits.max_history_turns, limits)
    with gr.Blocks(title=TITLE, analytics_enabled=False) as demo:
        gr.Markdown(INTRO)
        status = gr.Markdown("正在载入索引信息……", elem_id="rq-status")
        reports = gr.Dropdown(
            choices=[],
            value=[],
            multiselect=True,
            label="报告范围",
            info=PICKER_INFO,
            elem_id="rq-reports",
        )
        with gr.Row(equal_height=False):
            with gr.Column(scale=3):
                chatbot = gr.Chatbot(
                    label="对话",
                    height=460,
                    elem_id="rq-chat",
                    feedback_options=None,
                    placeholder="在下方输入问题，或点击示例问题。",
                )
                with gr.Row():
                    question = gr.Textbox(
                        placeholder=PLACEHOLDER, show_label=False, scale=5, elem_id="rq-question"
                    )
                    ask = gr.Button("提问", variant="primary", scale=1, elem_id="rq-ask")
                clear = gr.Button("清空对话", size="sm", elem_id="rq-clear")
                samples = gr.Dataset(
                    components=[question],
                    samples=[],
                    type="index",
                    label="示例问题（点击即提问）",
                    elem_id="rq-examples",
                )
            with gr.Column(scale=2):
                gr.Markdown("### 引用与出处")
                citations = gr.HTML(PANEL_EMPTY, elem_id="rq-citations")
        # the chatbot is an output only: the conversation stays on the server, in this state
        conversation = gr.State(Conversation())
        gr.on(
            triggers=[ask.click, question.submit],
            fn=handler.respond,
            inputs=[question, reports, conversation],
            outputs=[question, chatbot, citations, conversation],
            api_name="ask",
            api_description="提问（可选报告范围）：返回清空的输入框、对话记录、引用面板 HTML",
        )
        samples.click(
            handler.respond_example,
            inputs=[samples, reports, conversation],
            outputs=[question, chatbot, citations, conversation],
            api_visibility="private",
        )
        clear.click(
            lambda: ("", [], PANEL_EMPTY, Conversation()),
            outputs=[question, chatbot, citations, conversation],
            api_visibility="private",
        )
        demo.load(
            lambda: _loaded(service, handler),
            outputs=[status, reports, samples],
            api_visibility="private",
        )
    return demo


def _loaded(service: QAService, handler: ChatHandler) -> tuple[str, object, object]:
    """The header, the report picker's choices and the examples, from the loaded reports."""
    documents = service.documents()
    picker = gr.Dropdown(choices=report_choices(documents), value=[])
    shown = gr.Dataset(samples=[[q] for q in handler.examples()])
    return status_line(service.info(), documents), picker, shown
