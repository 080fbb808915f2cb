"""Mount the chat UI on the FastAPI app at `/`, hardened.

What the installed Gradio (6.x) does, from its source, and what is set here:
- `gr.mount_gradio_app` leaves `blocks.has_launched` false, and `processing_utils._check_allowed`
  returns early while it is, so a client-named file was copied into the cache. It is set true
  here, with no `allowed_paths` and the whole file system in `blocked_paths`: no file can be
  moved to the cache or served by `/gradio_api/file=`. The UI shows text only; its static
  assets (`/assets`, `/static`, `/svelte`, `/theme.css`) have routes that do not read these lists.
- The cache is a directory of this app's own (`<cache_dir>/gradio`), emptied at start, so no
  stale copy outlives a restart.
- `root_path` is the fixed public URL, so `/config` never reflects `Host`/`X-Forwarded-Host`.
- The queue holds at most `ui_queue_size` events and `ui_max_sessions` sessions keep state;
  a full queue is a 429 with a Chinese "busy" message (the page shows a 429's detail; for a 503
  it shows its own English text).
- Monitoring, run history, MCP and PWA are off (and the queue keeps few analytics records);
  Gradio's errors hide exception text.
- Requests pass `app.ui_guard.UIGate` (allowed routes and payloads), then `JSONErrors`.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import gradio as gr
from fastapi import FastAPI
from gradio.routes import App as GradioApp
from starlette.routing import Mount
from starlette.types import ASGIApp

from app.config import Settings
from app.error_bodies import JSONErrors
from app.ui import theme
from app.ui_assets import CSS, HEAD
from app.ui_guard import UIGate

FILE_SYSTEM_ROOT = str(Path("/").resolve())
ANALYTICS_EVENTS = 100  # Gradio keeps 10,000 events' timings by default


def fresh_cache_dir(path: Path) -> Path:
    """`path`, emptied: whatever an earlier run left there is gone."""
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True, exist_ok=True)
    return path


def mount_ui(app: FastAPI, blocks: gr.Blocks, settings: Settings) -> ASGIApp:
    """Mount `blocks` at `/` of `app`; returns the ASGI app now mounted there."""
    blocks.queue(max_size=settings.ui_queue_size)
    blocks.state_session_capacity = settings.ui_max_sessions  # read when the mount builds its app
    gr.mount_gradio_app(
        app,
        blocks,
        path="/",
        root_path=settings.public_url,
        allowed_paths=[],
        blocked_paths=[FILE_SYSTEM_ROOT],
        show_error=False,
        enable_monitoring=False,
        run_history=False,
        mcp_server=False,
        pwa=False,
        theme=theme(),
        css=CSS,
        head=HEAD,  # the [n] links and the admin panel (app/ui_assets.py)
        ssr_mode=False,
        footer_links=["api"],
    )
    blocks.has_launched = True  # turns on Gradio's allowed/blocked path checks (see above)
    blocks._queue.ANALYTICS_MAX_EVENTS = ANALYTICS_EVENTS  # kept for monitoring, which is off
    mount, gradio_app = _gradio_mount(app)
    _use_cache_dir(blocks, gradio_app, fresh_cache_dir(settings.cache_dir / "gradio"))
    errors = JSONErrors(gradio_app, statuses={503: 429}, name="UI ")
    mount.app = UIGate(errors, blocks, max_sessions=settings.ui_max_sessions)
    app.state.ui_blocks = blocks
    return mount.app


def _gradio_mount(app: FastAPI) -> tuple[Mount, GradioApp]:
    for route in app.routes:
        if isinstance(route, Mount) and isinstance(route.app, GradioApp):
            return route, route.app
    raise RuntimeError("the Gradio app is not mounted")


def _use_cache_dir(blocks: gr.Blocks, gradio_app: GradioApp, cache_dir: Path) -> None:
    """Gradio reads its cache location from the environment when each part is built; point
    the blocks (each component copies into its own `GRADIO_CACHE`) and the app here."""
    for block in (blocks, *blocks.blocks.values()):
        block.GRADIO_CACHE = str(cache_dir)
    gradio_app.uploaded_file_dir = str(cache_dir)
