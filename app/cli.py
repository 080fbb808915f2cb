"""The one console script: `reportqa`. Thin: each package contributes its sub-commands."""

from __future__ import annotations

import importlib
import json
import logging
import os
import sys
from typing import Any

import click

from ingest.errors import ReportQAError

# sub-command -> "module:attribute", imported only when it runs or help lists it (a cold
# `reportqa ask` does not import the server, the evaluation or the benchmarks)
LAZY = {
    "index": "app.cli_index:index_group",
    "search": "app.cli_index:search_cmd",
    "ingest": "app.cli_ingest:ingest_cmd",
    "add": "app.cli_library:add_cmd",
    "list": "app.cli_library:list_cmd",
    "remove": "app.cli_library:remove_cmd",
    "serve": "app.serve:serve_cmd",
    "eval": "eval.cli:eval_cmd",
    "bench": "eval.bench:bench_cmd",
    "load": "eval.load:load_cmd",
}


class _Group(click.Group):
    """Sub-commands loaded on demand (`LAZY`); domain errors become a one-line message and
    exit status 1."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *LAZY})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in LAZY and cmd_name not in self.commands:
            module, attribute = LAZY[cmd_name].split(":")
            self.add_command(getattr(importlib.import_module(module), attribute), cmd_name)
        return super().get_command(ctx, cmd_name)

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

    settings = get_settings()
    question = validate_question(question, settings.max_question_chars)  # before the model loads
    service = build_service(settings, progress=True)
    answer = service.answer(question, top_k=top_k, doc_ids=list(doc_ids) or None)
    if as_json:
        from app.schemas import AskResponse

        wire = AskResponse.from_answer(answer, answer.timings_ms)
        click.echo(json.dumps(wire.model_dump(), ensure_ascii=False, indent=2))
        return
    click.echo(message_text(answer))
    for c in answer.citations:
        for f in c.hit.chunk.footnotes:
            click.echo(f"    [{c.n}] 注{f.number}：{f.term}——{f.definition}")


# read-only commands whose process ends with the answer: skipping the interpreter's teardown
# (freeing jieba's dictionaries and the model: ~0.6 s) is safe, nothing is left to write
QUICK_EXIT = frozenset({"ask", "search"})


def run() -> None:
    """The console script: `main`; after a read-only command, exit without teardown."""
    quick = len(sys.argv) > 1 and sys.argv[1] in QUICK_EXIT
    try:
        main()
    except SystemExit as exc:
        if not quick:
            raise
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        sys.stdout.flush()
        sys.stderr.flush()
        logging.shutdown()
        os._exit(code)
