"""The FastAPI application: JSON API, OpenAI-compatible chat, the Gradio UI at `/`, docs at `/docs`.

`create_app(settings, service=None)` builds everything but loads nothing heavy: the service
(model + index) is built once in `lifespan` (unless one is passed, as tests do), put on
`app.state` and reached through `Depends` (see app/deps.py).
"""

from __future__ import annotations

import importlib.resources
import importlib.util
import logging
import threading
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager, nullcontext
from typing import Any, Literal

from fastapi import APIRouter, FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import State
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.routing import Mount, Route
from starlette.types import Receive, Scope, Send

from app import openai_compat, routes_api
from app.config import Settings, get_settings
from app.error_bodies import JSONErrors, non_json_error
from app.http_errors import install_error_handling
from app.http_server import install_body_deadline
from app.models import Answer, Turn
from app.openapi_limits import install_schema_limits
from app.reload import watching
from app.service import QAService, ServiceInfo
from app.ui_late import LateUI, mounting_late
from index.models import Hit, SearchMode
from ingest.models import Chunk, DocumentInfo

logger = logging.getLogger(__name__)

TITLE = "Report QA · 政府工作报告问答"
DESCRIPTION = (
    "抽取式、带引用的政府工作报告问答（不使用大模型生成）。\n\n"
    "- `POST /api/ask`：回答问题，返回答案、引用和检索段落\n"
    "- `GET /api/search`、`GET /api/chunks/{chunk_id}`、`GET /api/health`\n"
    "- `POST /v1/chat/completions`、`GET /v1/models`：OpenAI 兼容接口\n"
    "- `/`：网页对话界面"
)
DOCS_STATIC = "/docs-static"
HOST_REJECTED = "请求的主机名（Host）不被允许。"


def _build_service(settings: Settings) -> QAService:
    from app.factory import build_service  # heavy: loads the embedding model and the index

    return build_service(settings)


def _lifespan(
    settings: Settings, service: QAService | None, late: LateUI | None
) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.settings = settings
        if service is None:
            logger.info("loading the QA service (model and index)")
            app.state.service = await run_in_threadpool(_build_service, settings)
        else:
            app.state.service = service
        info = app.state.service.info()
        logger.info("serving %d chunks, model %s", info.chunk_count, info.model)
        with watching(app, settings):  # a new index version is served without a restart
            async with mounting_late(app, settings, late) if late else nullcontext():
                yield

    return lifespan


class LateBoundService:
    """A QAService that forwards to whatever the lifespan put on `app.state.service`.

    The UI is built in `create_app`, before the lifespan has loaded the real service; a
    reload (app/reload.py) replaces that service.
    """

    def __init__(self, state: State) -> None:
        self._state = state

    @property
    def _service(self) -> QAService:
        service: QAService = self._state.service
        return service

    def current(self) -> QAService:
        """The service being served now: hold it for a whole request, which then finishes
        on that index version even if a new one is swapped in meanwhile."""
        return self._service

    def answer(
        self,
        question: str,
        history: Sequence[Turn] = (),
        top_k: int = 5,
        doc_ids: Sequence[str] | None = None,
    ) -> Answer:
        return self._service.answer(question, history, top_k, doc_ids)

    def search(
        self,
        query: str,
        k: int = 5,
        mode: SearchMode = "hybrid",
        doc_ids: Sequence[str] | None = None,
    ) -> list[Hit]:
        return self._service.search(query, k, mode, doc_ids)

    def documents(self) -> list[DocumentInfo]:
        return self._service.documents()

    def chunk(self, chunk_id: str) -> Chunk:
        return self._service.chunk(chunk_id)

    def info(self) -> ServiceInfo:
        return self._service.info()


def _offline_docs(app: FastAPI) -> None:
    """Swagger UI at /docs from packaged files (fastapi-offline), so docs work without a CDN."""
    static = importlib.resources.files("fastapi_offline") / "static"
    app.mount(DOCS_STATIC, StaticFiles(directory=str(static)), name="docs-static")

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{TITLE} - API 文档",
            swagger_js_url=f"{DOCS_STATIC}/swagger-ui-bundle.js",
            swagger_css_url=f"{DOCS_STATIC}/swagger-ui.css",
            swagger_favicon_url=f"{DOCS_STATIC}/favicon.png",
        )


class _APIFallback:
    """Unknown paths under /api and /v1 get a JSON 404 (or a 405 naming the allowed methods)
    here, not the UI's. An ASGI app, not a function, so that Starlette routes every method
    to it (TRACE, QUERY, ...), not only GET."""

    def __init__(self, routes: Sequence[APIRoute]) -> None:
        self.routes = routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope["path"]
        allowed = {m for r in self.routes if r.path_regex.match(path) for m in r.methods or ()}
        if allowed:
            raise StarletteHTTPException(405, headers={"Allow": ", ".join(sorted(allowed))})
        raise StarletteHTTPException(404)


def _api_fallback(app: FastAPI, routers: Sequence[APIRouter]) -> None:
    routes = [route for router in routers for route in router.routes if isinstance(route, APIRoute)]
    fallback = _APIFallback(routes)
    for prefix in ("/api", "/v1"):
        app.router.routes.append(
            Route(f"{prefix}/{{rest:path}}", fallback, include_in_schema=False)
        )


def create_app(
    settings: Settings | None = None,
    service: QAService | None = None,
    *,
    ui: bool | Literal["late"] = True,
) -> FastAPI:
    """The whole application. Pass `service` to skip loading the real one (tests).

    `ui`: mount the chat UI now (True), not at all (False), or once the app is serving
    ("late", see app/ui_late.py: `reportqa serve` answers API calls while Gradio loads)."""
    settings = settings or get_settings()
    late = LateUI() if ui == "late" else None
    offline_docs = importlib.util.find_spec("fastapi_offline") is not None
    docs: dict[str, Any] = {"docs_url": None, "redoc_url": None} if offline_docs else {}
    app = FastAPI(
        title=TITLE,
        description=DESCRIPTION,
        version="0.1.0",
        lifespan=_lifespan(settings, service, late),
        **docs,
    )
    app.state.settings = settings
    install_error_handling(app, settings.max_body_bytes, _upload_limits(settings))
    install_body_deadline(app, settings.read_timeout)
    install_schema_limits(app, settings)
    if offline_docs:
        _offline_docs(app)
    routers = (routes_api.router, openai_compat.router, *_admin_routers(app, settings))
    for router in routers:
        app.include_router(router)
    _api_fallback(app, routers)
    app.state.ui_state = lambda: late.state if late else "ready" if ui else "off"
    if late:
        app.router.routes.append(Mount("/", app=late))
    elif ui:
        from app.ui_mount import mount_ui  # gradio is heavy to import: only with a UI

        mount_ui(app, build_blocks(app, settings), settings)
    _trust_hosts(app, settings)  # outermost: checked before anything else runs
    return app


UPLOAD_OVERHEAD = 64 * 1024  # multipart boundaries and headers around the file


def _upload_limits(settings: Settings) -> dict[str, int]:
    if not settings.admin_token:
        return {}
    return {"/api/admin/documents": settings.max_upload_bytes + UPLOAD_OVERHEAD}


def _admin_routers(app: FastAPI, settings: Settings) -> tuple[APIRouter, ...]:
    """The admin routes, only when an admin token is set (else they do not exist: 404)."""
    if not settings.admin_token:
        return ()
    from app.admin import LibraryAdmin
    from app.admin_errors import install_admin_errors
    from app.routes_admin import router

    app.state.admin = LibraryAdmin(settings, app)
    install_admin_errors(app)
    return (router,)


# Gradio builds a page in a process-wide context (`Context.root_block`): two builds at once
# (a late UI on a worker thread, another app's in the main thread) would interleave
_BUILDING_UI = threading.Lock()


def build_blocks(app: FastAPI, settings: Settings) -> Any:
    """The chat UI's Gradio Blocks over the service the app serves (a gradio.Blocks)."""
    from app.ui import build_ui
    from app.ui_session import ConversationLimits

    limits = ConversationLimits(
        max_history_turns=settings.max_history_turns,
        max_question_chars=settings.max_question_chars,
        max_turn_chars=settings.max_turn_chars,
        store_bytes=max(settings.max_body_bytes - STORE_MARGIN, 1024),
    )
    top_k = min(settings.top_k, settings.max_top_k)
    upload_limit = settings.max_upload_bytes if settings.admin_token else None
    with _BUILDING_UI:
        return build_ui(
            LateBoundService(app.state), top_k=top_k, limits=limits, upload_limit=upload_limit
        )


STORE_MARGIN = 8 * 1024  # the page's load event wraps the stored conversation in its body


def _trust_hosts(app: FastAPI, settings: Settings) -> None:
    """400 for a Host header not named in settings (DNS rebinding), as JSON like every error."""
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=settings.trusted_hosts)
    app.add_middleware(JSONErrors, rewrite=non_json_error, texts={400: HOST_REJECTED})
