"""The Gradio chat UI (Chinese). It calls the same QAService in-process; no HTTP round trip.

`build_ui(service)` returns the Blocks; `app.ui_mount.mount_ui` mounts it at `/`, hardened, with
the theme, CSS and script (Gradio 6 takes those at mount/launch time, not in the Blocks
constructor). The events are app/ui_chat.py's; what the browser may send them is checked by
app/ui_guard.py.

Questions queue: a question sent while another is answered waits and is answered after it
(`trigger_mode="multiple"`, one answer at a time); the box is cleared in the browser when it
is sent, never by a later answer.
"""

from __future__ import annotations

import gradio as gr

from app.service import QAService
from app.ui_assets import CSS as CSS
from app.ui_assets import admin_panel
from app.ui_chat import ChatHandler as ChatHandler
from app.ui_render import PANEL_EMPTY
from app.ui_session import Conversation, ConversationLimits

TITLE = "政府工作报告问答"
INTRO = (
    f"# {TITLE}\n"
    "基于政府工作报告原文的**抽取式**问答：答案中的每一句都摘自报告，"
    "并以 `[n]` 标注出处；报告中没有的内容会明确说明“未找到”，不会编造。"
)
PLACEHOLDER = "输入关于报告的问题，例如：今年地区生产总值预期增长多少？"
PICKER_INFO = "不选即为全部已加载的报告"

_FONTS = ["Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", "system-ui", "sans-serif"]


def theme() -> gr.themes.Base:
    """A theme with local fonts only (the machine may be offline: no Google Fonts)."""
    return gr.themes.Soft(primary_hue="red", font=_FONTS, font_mono=["ui-monospace", "monospace"])


# The browser's copy of the conversation: a fixed key and secret, so that it outlives a
# restart of the server. Gradio encrypts it in localStorage with this secret, which it also
# sends to the page: obfuscation, not protection (the copy is the user's own conversation).
STORAGE_KEY = "reportqa-conversation-v1"
STORAGE_SECRET = "reportqa-conversation"


def build_ui(
    service: QAService,
    *,
    top_k: int = 5,
    limits: ConversationLimits | None = None,
    upload_limit: int | None = None,
) -> gr.Blocks:
    """The chat page; with `upload_limit` (bytes; an admin token is set) a panel to upload and
    remove reports through the admin API too."""
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
        with gr.Row(equal_height=False, elem_id="rq-main"):
            with gr.Column(scale=3, elem_id="rq-left"):
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
                if upload_limit is not None:
                    with gr.Accordion("管理报告（需管理令牌）", open=False, elem_id="rq-manage"):
                        gr.HTML(admin_panel(upload_limit))
            with gr.Column(scale=2, elem_id="rq-right"):
                gr.Markdown("### 引用与出处")
                citations = gr.HTML(PANEL_EMPTY, elem_id="rq-citations")
        # the chatbot is an output only: the conversation stays on the server, in this state;
        # the browser keeps a text-only copy to restore it after a reload
        conversation = gr.State(Conversation())
        stored = gr.BrowserState(None, storage_key=STORAGE_KEY, secret=STORAGE_SECRET)
        answer_outputs = [chatbot, citations, conversation]
        keep_copy = {
            "fn": handler.stored_copy,
            "inputs": [conversation],
            "outputs": [stored],
            "api_visibility": "private",
        }
        gr.on(
            triggers=[ask.click, question.submit],
            fn=handler.respond,
            inputs=[question, reports, conversation],
            outputs=answer_outputs,
            api_name="ask",
            api_description="提问（可选报告范围）：返回对话记录、引用面板 HTML",
            trigger_mode="multiple",
        ).then(**keep_copy)
        gr.on(  # in the browser, after the question was read: nothing reaches the server
            triggers=[ask.click, question.submit],
            fn=None,
            js="() => ''",
            outputs=[question],
            queue=False,
            api_visibility="private",
        )
        samples.click(
            handler.respond_example,
            inputs=[samples, reports, conversation],
            outputs=answer_outputs,
            api_visibility="private",
            trigger_mode="multiple",
        ).then(**keep_copy)
        clear.click(
            lambda: ("", [], PANEL_EMPTY, Conversation()),
            outputs=[question, chatbot, citations, conversation],
            api_visibility="private",
        ).then(**keep_copy)
        demo.load(
            handler.page_loaded,
            inputs=[stored],
            outputs=[status, reports, samples, chatbot, citations, conversation],
            api_visibility="private",
        )
    return demo
