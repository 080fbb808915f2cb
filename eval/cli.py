"""`reportqa eval`: run a question set through the service, write reports, gate on a baseline.

Exit status: 0 on success, 1 on a bad data/baseline file (one-line message) or on a
regression against `--baseline`, 2 on a usage error.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import click

from app.service import QAService
from eval.dataset import EvalItem, load_items
from eval.errors import EvalDataError
from eval.gate import (
    Baseline,
    check_compatible,
    compare,
    format_gate,
    gated_metrics,
    make_baseline,
    read_baseline,
    write_baseline,
)
from eval.report import write_reports
from eval.run import ALL_MODES, EvalResults, evaluate
from eval.serialize import RunContext, git_revision, public_settings
from eval.tables import summary_text
from index.manifest import file_sha256
from index.models import SearchMode
from ingest.errors import ReportQAError

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = REPO_ROOT / "eval" / "data" / "test.jsonl"
DEFAULT_OUT = REPO_ROOT / "eval" / "out"
K = 5
MODES: dict[str, tuple[SearchMode, ...]] = {
    "bm25": ("bm25",),
    "dense": ("dense",),
    "hybrid": ("hybrid",),
    "all": ALL_MODES,
}
ServiceFactory = Callable[[], tuple[QAService, dict[str, Any]]]


@dataclass(frozen=True)
class EvalOptions:
    data: Path
    mode: str = "all"
    out: Path | None = None
    baseline: Path | None = None
    tolerance: float = 0.02
    write_baseline: Path | None = None
    alone: bool = False  # ask each item of its own report(s) only
    doc_id: str | None = None  # the report of items that name none (with --alone)

    @property
    def modes(self) -> tuple[SearchMode, ...]:
        return MODES[self.mode]

    @property
    def out_dir(self) -> Path:
        return self.out if self.out is not None else DEFAULT_OUT / self.data.stem

    def command(self) -> str:
        parts = [
            "reportqa eval",
            f"--data {self.data}",
            f"--mode {self.mode}",
            f"--out {self.out_dir}",
        ]
        if self.baseline:
            parts.append(f"--baseline {self.baseline} --tolerance {self.tolerance:g}")
        if self.write_baseline:
            parts.append(f"--write-baseline {self.write_baseline}")
        if self.alone:
            parts.append("--alone")
        if self.doc_id:
            parts.append(f"--doc-id {self.doc_id}")
        return " ".join(parts)


def build_real_service() -> tuple[QAService, dict[str, Any]]:
    """The real service and its (secret-free) settings; loads the model and the index."""
    from app.config import get_settings
    from app.factory import build_service

    settings = get_settings()
    return build_service(settings, progress=True), public_settings(settings.model_dump())


def _load_baseline(options: EvalOptions, sha256: str) -> Baseline | None:
    if options.baseline is None:
        return None
    baseline = read_baseline(options.baseline)
    check_compatible(baseline, options.data.name, sha256, K)
    return baseline


def _load_items(path: Path, doc_id: str | None = None) -> list[EvalItem]:
    items = load_items(path)
    if not items:
        raise EvalDataError(f"{path}: no evaluation items")
    if doc_id:  # items that name no report are about this one
        items = [i if i.doc_ids else replace(i, doc_ids=(doc_id,)) for i in items]
    return items


def _evaluate(
    items: list[EvalItem], options: EvalOptions, build: ServiceFactory
) -> tuple[EvalResults, dict[str, Any]]:
    service, settings = build()
    with click.progressbar(length=len(items), label="evaluating", file=sys.stderr) as bar:
        results = evaluate(
            items,
            service,
            options.modes,
            K,
            progress=lambda _d, _t: bar.update(1),
            alone=options.alone,
        )
    return results, settings


def run_eval(options: EvalOptions, build: ServiceFactory) -> int:
    """Everything `reportqa eval` does; returns the exit status (1 on a regression)."""
    items = _load_items(options.data, options.doc_id)  # bad data fails before the model loads
    sha256 = file_sha256(options.data)
    baseline = _load_baseline(options, sha256)
    results, settings = _evaluate(items, options, build)
    commit, dirty = git_revision(REPO_ROOT)
    context = RunContext(str(options.data), sha256, settings, commit, dirty, options.command())
    files = write_reports(results, context, options.out_dir)
    click.echo(summary_text(results, options.data.name))
    click.echo(f"\nwrote {files.results_json}, {files.markdown}, {files.html}")
    if options.write_baseline is not None:
        write_baseline(
            options.write_baseline, make_baseline(results, options.data.name, sha256, commit)
        )
        click.echo(f"wrote baseline {options.write_baseline}")
    if baseline is None:
        return 0
    report = compare(baseline, gated_metrics(results), options.tolerance)
    click.echo(f"\nbaseline {options.baseline}\n{format_gate(report)}")
    return 0 if report.passed else 1


@click.command("eval")
@click.option(
    "--data",
    type=click.Path(dir_okay=False, path_type=Path),
    default=DEFAULT_DATA,
    show_default="eval/data/test.jsonl",
    help="Evaluation set (JSONL, see eval/dataset.py).",
)
@click.option(
    "--mode",
    type=click.Choice(list(MODES)),
    default="all",
    show_default=True,
    help="Retrieval mode(s) to measure; answers always use the hybrid service.",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Output directory [default: eval/out/<data file stem>].",
)
@click.option(
    "--baseline",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Compare with this baseline; exit 1 on a regression.",
)
@click.option(
    "--tolerance",
    type=click.FloatRange(0, 1),
    default=0.02,
    show_default=True,
    help="Allowed drop of a gated metric below the baseline.",
)
@click.option(
    "--write-baseline",
    "write_baseline_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write this run's gated metrics as a new baseline.",
)
@click.option(
    "--alone",
    is_flag=True,
    help="Ask each item of its own report(s) only (items name them with doc_id).",
)
@click.option(
    "--doc-id",
    default=None,
    help="The report of the items that name none (for a set written for one report).",
)
def eval_cmd(
    data: Path,
    mode: str,
    out: Path | None,
    baseline: Path | None,
    tolerance: float,
    write_baseline_path: Path | None,
    alone: bool,
    doc_id: str | None,
) -> None:
    """Measure retrieval (hit@k, MRR) and answers (accuracy, citations, refusals) on a question set."""
    if (baseline or write_baseline_path) and "hybrid" not in MODES[mode]:
        raise click.UsageError(
            "--baseline/--write-baseline need hybrid retrieval: use --mode hybrid or all"
        )
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    options = EvalOptions(data, mode, out, baseline, tolerance, write_baseline_path, alone, doc_id)
    try:
        status = run_eval(options, build_real_service)
    except ReportQAError as exc:
        raise click.ClickException(str(exc)) from None
    if status:
        click.get_current_context().exit(status)
