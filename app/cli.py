"""The one console script: `reportqa`. Thin: each package contributes its sub-commands."""

from __future__ import annotations

import importlib
import json
from typing import Any

import click

from ingest.errors import ReportQAError


class _Group(click.Group):
    """Translates domain errors into a one-line message and exit status 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ReportQAError as exc:
            raise click.ClickException(str(exc)) from None


@click.group(cls=_Group)
def main() -> None:
    """Report QA: cited, extractive answers from government work reports."""


@main.command("ask")
@click.argument("question")
@click.option("-k", "top_k", default=5, show_default=True, type=click.IntRange(1, 50))
@click.option("--json", "as_json", is_flag=True, help="Print the whole Answer as JSON.")
@click.option(
    "--doc-id",
    "doc_ids",
    multiple=True,
    help="Answer from this report only (repeatable; see `reportqa list` or GET /api/documents).",
)
def ask_cmd(question: str, top_k: int, as_json: bool, doc_ids: tuple[str, ...]) -> None:
    """Answer QUESTION from the reports, with citations."""
    from app.answer import validate_question
    from app.config import get_settings
    from app.factory import build_service
    from app.render import message_text
    from app.schemas import AskResponse

    settings = get_settings()
    question = validate_question(question, settings.max_question_chars)  # before the model loads
    service = build_service(settings, progress=True)
    answer = service.answer(question, top_k=top_k, doc_ids=list(doc_ids) or None)
    if as_json:
        wire = AskResponse.from_answer(answer, answer.timings_ms)
        click.echo(json.dumps(wire.model_dump(), ensure_ascii=False, indent=2))
        return
    click.echo(message_text(answer))
    for c in answer.citations:
        for f in c.hit.chunk.footnotes:
            click.echo(f"    [{c.n}] 注{f.number}：{f.term}——{f.definition}")


def _register() -> None:
    from app.cli_index import index_group, search_cmd

    main.add_command(index_group)
    main.add_command(search_cmd)
    for module, name in (
        ("app.cli_ingest", "ingest_cmd"),
        ("app.cli_library", "add_cmd"),
        ("app.cli_library", "list_cmd"),
        ("app.cli_library", "remove_cmd"),
        ("app.serve", "serve_cmd"),
        ("eval.cli", "eval_cmd"),
        ("eval.bench", "bench_cmd"),
        ("eval.load", "load_cmd"),
    ):
        main.add_command(getattr(importlib.import_module(module), name))


_register()
