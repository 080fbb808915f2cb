"""`reportqa serve`: run the application under uvicorn."""

from __future__ import annotations

import logging

import click

from app.config import Settings, get_settings


def serve(settings: Settings) -> None:
    """Serve API, OpenAI-compatible chat and UI on settings.host:settings.port (blocks)."""
    import uvicorn

    from app.api import create_app
    from app.factory import build_service
    from app.http_server import server_config

    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    # Load (or build, with progress bars) the model and index before binding the port, so
    # a fresh checkout shows what it is doing and a broken index fails with one line. The
    # web UI (gradio: ~3 s of imports) is built once the API is serving (app/ui_late.py).
    service = build_service(settings, progress=True)
    if settings.embed_backend == "torch":  # ONNX sessions run one thread per call already
        # One torch thread per request: a query is one short sequence, and the request
        # threads already use both cores (`reportqa load`, 32 clients: ~21 vs ~18 req/s).
        import torch

        torch.set_num_threads(1)
    app = create_app(settings, service, ui="late")
    uvicorn.Server(server_config(app, settings)).run()


@click.command("serve")
@click.option("--host", default=None, help="Address to bind (default: settings.host, 127.0.0.1).")
@click.option(
    "--port",
    default=None,
    type=click.IntRange(1, 65535),
    help="Port (default: settings.port, 8000).",
)
def serve_cmd(host: str | None, port: int | None) -> None:
    """Serve the HTTP API (/api, /v1, /docs) and the chat UI (/)."""
    overrides: dict[str, object] = {}
    if host is not None:
        overrides["host"] = host
    if port is not None:
        overrides["port"] = port
    settings = get_settings(**overrides)
    click.echo(f"Report QA: http://{settings.host}:{settings.port}/  (API docs: /docs)")
    serve(settings)
