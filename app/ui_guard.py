"""What the mounted Gradio app may be asked, checked before Gradio sees the request.

- Only the routes the chat page and `gradio_client` use are reachable; every other Gradio route
  (`file=`, `proxy=`, `upload`, `stream`, `monitoring`, `dev/reload`, run history, ...) is a
  JSON 404.
- An event (`queue/join`, `run/…`, `call/…`) must name a function the UI has, with one value
  per input: text for a textbox, an example's index for the examples, nothing for server-side
  state, and for the browser's copy of the conversation only its text-only shape
  (app/ui_history.py `valid_stored`: bounded lists of strings and numbers). A file object, a
  chat history or any other structure is a 422, so Gradio never copies a client-named file
  into its cache.
- Session ids are short tokens; `queue/data` must name a session with pending events and
  `call/<api>/<id>` an event Gradio holds.
- Gradio keeps a message queue per session id forever (outputs included, for clients that
  never read them): before each new event the oldest idle ones beyond `max_sessions` go.

Written against Gradio 6 (`Blocks.fns`, `Blocks._queue`), whose routes it mirrors.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

import gradio as gr
from fastapi.responses import JSONResponse
from starlette.datastructures import QueryParams
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.ui_history import valid_stored

logger = logging.getLogger(__name__)

Kind = Literal["page", "data", "join", "run", "call", "result"]

SESSION = re.compile(r"[A-Za-z0-9_-]{1,64}")
NOT_FOUND = "未找到请求的资源。"
TEXT_ONLY = "界面只接受文字提问，不接受文件或其他内容。"
BAD_EVENT = "界面请求格式不正确。"
NO_SESSION = "会话不存在或已结束，请刷新页面。"


@dataclass(frozen=True)
class UIRoute:
    methods: frozenset[str]
    pattern: re.Pattern[str]
    kind: Kind


def _route(methods: Iterable[str], pattern: str, kind: Kind = "page") -> UIRoute:
    return UIRoute(frozenset(methods), re.compile(pattern), kind)


_READ = ("GET", "HEAD")
UI_ROUTES = (
    _route(_READ, r"/"),
    _route(_READ, r"/config/?"),
    _route(_READ, r"/theme\.css"),
    _route(_READ, r"/favicon\.ico"),
    _route(_READ, r"/robots\.txt"),
    _route(_READ, r"/(?:assets|static|svelte)/[^\x00]+"),
    _route(_READ, r"/gradio_api/info/?"),
    _route(_READ, r"/gradio_api/heartbeat/[A-Za-z0-9_-]{1,64}"),
    _route(("GET",), r"/gradio_api/queue/data", "data"),
    _route(("POST",), r"/gradio_api/queue/join", "join"),
    _route(("POST",), r"/gradio_api/run/(?P<api>[A-Za-z0-9_-]{1,64})/?", "run"),
    _route(("POST",), r"/gradio_api/call/(?P<api>[A-Za-z0-9_-]{1,64})/?", "call"),
    _route(("GET",), r"/gradio_api/call/[A-Za-z0-9_-]{1,64}/(?P<event>[0-9a-f]{32})", "result"),
)


class Rejected(Exception):
    def __init__(self, status_code: int, detail: str, reason: str) -> None:
        super().__init__(reason)
        self.status_code = status_code
        self.detail = detail


def match_route(method: str, path: str) -> tuple[UIRoute, dict[str, str]]:
    """The allowed route for this request and the names in its path; Rejected if none."""
    for route in UI_ROUTES:
        found = route.pattern.fullmatch(path)
        if found and method in route.methods:
            return route, found.groupdict()
    raise Rejected(404, NOT_FOUND, "route not served")


# --- events ----------------------------------------------------------------------------------


def _fn_by_api_name(blocks: gr.Blocks, api: str | None) -> Any:
    for fn in blocks.fns.values():
        if api is not None and fn.api_name == api and fn.api_visibility != "private":
            return fn
    raise Rejected(404, NOT_FOUND, f"unknown api name {str(api)[:64]!r}")


def _fn_of(blocks: gr.Blocks, kind: Kind, api: str | None, body: dict[str, Any]) -> Any:
    fn_index = body.get("fn_index")
    if kind == "call" or (kind == "run" and fn_index is None):
        return _fn_by_api_name(blocks, api)
    if isinstance(fn_index, bool) or not isinstance(fn_index, int) or fn_index not in blocks.fns:
        raise Rejected(422, BAD_EVENT, f"unknown fn_index {str(fn_index)[:32]!r}")
    return blocks.fns[fn_index]


MAX_PICKED = 100  # reports a picker value may name
MAX_PICK_CHARS = 200
MAX_EXAMPLE_INDEX = 100


def _accepts(block: Any, value: object) -> bool:
    """Text for text inputs, a list of report ids for the report picker, an example's index
    for the examples (the handler checks it against the examples shown), the browser's copy
    of the conversation in its own bounded, text-only shape, nothing for state."""
    if isinstance(block, gr.BrowserState):
        return valid_stored(value)
    if block.stateful:
        return value is None
    if isinstance(block, gr.Dataset):
        return type(value) is int and 0 <= value < MAX_EXAMPLE_INDEX
    if isinstance(block, gr.Dropdown) and isinstance(value, list):
        return len(value) <= MAX_PICKED and all(
            isinstance(v, str) and len(v) <= MAX_PICK_CHARS for v in value
        )
    return value is None or isinstance(value, str)


def _check_values(fn: Any, data: list[Any]) -> None:
    inputs = list(fn.inputs)
    if len(data) != len(inputs):  # the simple format leaves out what the API skips (state)
        api_inputs = [block for block in inputs if not block.skip_api]
        if len(data) != len(api_inputs):
            raise Rejected(422, BAD_EVENT, f"{len(data)} values for {len(inputs)} inputs")
        inputs = api_inputs
    for block, value in zip(inputs, data, strict=True):
        if not _accepts(block, value):
            raise Rejected(422, TEXT_ONLY, f"{type(value).__name__} for {type(block).__name__}")


def _check_session(session: object, required: bool) -> None:
    if session is None and not required:
        return
    if not isinstance(session, str) or not SESSION.fullmatch(session):
        raise Rejected(422, BAD_EVENT, "bad session_hash")


def check_event(blocks: gr.Blocks, kind: Kind, api: str | None, raw: bytes) -> None:
    """Rejected unless `raw` is an event body this UI's functions take."""
    try:
        body = json.loads(raw or b"null")
    except (ValueError, RecursionError):
        raise Rejected(422, BAD_EVENT, "body is not JSON") from None
    if not isinstance(body, dict) or not isinstance(body.get("data"), list):
        raise Rejected(422, BAD_EVENT, "body has no data list")
    _check_session(body.get("session_hash"), required=kind == "join")
    trigger = body.get("trigger_id")
    if body.get("event_data") is not None or not (trigger is None or type(trigger) is int):
        raise Rejected(422, BAD_EVENT, "unexpected event_data or trigger_id")
    _check_values(_fn_of(blocks, kind, api, body), body["data"])


def check_data_stream(blocks: gr.Blocks, query: QueryParams) -> None:
    session = query.get("session_hash")
    _check_session(session, required=True)
    if session not in blocks._queue.pending_messages_per_session:
        raise Rejected(404, NO_SESSION, "no pending events for this session")


def check_result_stream(blocks: gr.Blocks, event_id: str) -> None:
    """`call/<api>/<event_id>` for an event Gradio still holds (running, or finished with its
    completion not yet delivered), as that route looks it up."""
    queue = blocks._queue
    pending = queue.pending_event_ids_session.values()
    if event_id not in queue.event_ids_to_events and not any(event_id in ids for ids in pending):
        raise Rejected(404, NOT_FOUND, "unknown event id")


# --- sessions -------------------------------------------------------------------------------


def _idle(queue: Any, session: str) -> bool:
    """No event of this session is waiting or running (finished ones leave event_ids_to_events)."""
    events = queue.pending_event_ids_session.get(session, ())
    return not any(event_id in queue.event_ids_to_events for event_id in events)


def trim_sessions(queue: Any, keep: int) -> int:
    """Forget the oldest idle sessions beyond `keep` (dicts keep insertion order); how many."""
    sessions = queue.pending_messages_per_session
    excess = len(sessions) - keep
    if excess <= 0:
        return 0
    idle = [session for session in list(sessions) if _idle(queue, session)][:excess]
    for session in idle:
        sessions.pop(session, None)
        queue.pending_event_ids_session.pop(session, None)
    return len(idle)


# --- the ASGI wrapper ------------------------------------------------------------------------


async def read_body(receive: Receive) -> bytes:
    chunks, more = [], True
    while more:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        more = bool(message.get("more_body", False))
    return b"".join(chunks)


def replaying(body: bytes, receive: Receive) -> Receive:
    """A receive that yields `body` once, then whatever the client sends (a disconnect)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


class UIGate:
    """Lets through only the requests `check_event` / `match_route` allow (see above)."""

    def __init__(self, app: ASGIApp, blocks: gr.Blocks, max_sessions: int) -> None:
        self.app = app
        self.blocks = blocks
        self.max_sessions = max_sessions

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method, path = scope["method"], _route_path(scope)
        try:
            route, names = match_route(method, path)
            if route.kind == "data":
                check_data_stream(self.blocks, QueryParams(scope.get("query_string", b"")))
            elif route.kind == "result":
                check_result_stream(self.blocks, names["event"])
            elif route.kind in ("join", "run", "call"):
                body = await read_body(receive)
                check_event(self.blocks, route.kind, names.get("api"), body)
                trim_sessions(self.blocks._queue, self.max_sessions)
                receive = replaying(body, receive)
        except Rejected as rejected:
            logger.warning(
                # the reason as text: the exception's traceback would keep the body alive
                "UI %s %s rejected (%d): %s",
                method,
                path[:120],
                rejected.status_code,
                str(rejected),
            )
            response = JSONResponse({"detail": rejected.detail}, status_code=rejected.status_code)
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


def _route_path(scope: Scope) -> str:
    """The path inside the mount (the UI is mounted at `/`, so usually the whole path)."""
    path, root = str(scope["path"]), str(scope.get("root_path", ""))
    if root and path.startswith(root):
        return path[len(root) :] or "/"
    return path
