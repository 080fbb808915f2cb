"""`results.json`: the machine-readable record of one evaluation run.

Layout (format "reportqa-eval/1"): run context (data file + sha256, settings, git commit),
service info (model, index), per-mode retrieval metrics (overall and by type), answer
metrics (overall and by type), the gated metrics, and one record per item.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from eval.gate import gated_metrics
from eval.run import AnswerRecord, EvalResults, ItemResult, PassageRef, SearchRecord

FORMAT = "reportqa-eval/1"
SECRET_SETTINGS = frozenset({"admin_token"})


@dataclass(frozen=True)
class RunContext:
    """Where a run came from; filled by the CLI (tests build it by hand)."""

    data_path: str
    data_sha256: str
    settings: Mapping[str, Any] = field(default_factory=dict)
    git_commit: str | None = None
    git_dirty: bool | None = None
    command: str = ""

    @property
    def data_name(self) -> str:
        return Path(self.data_path).name


def public_settings(settings: Mapping[str, Any]) -> dict[str, Any]:
    """Settings without secrets, JSON-ready (paths as strings)."""
    return {
        key: str(value) if isinstance(value, Path) else value
        for key, value in settings.items()
        if key not in SECRET_SETTINGS
    }


def git_revision(repo: Path) -> tuple[str | None, bool | None]:
    """(commit, dirty) of the repository at `repo`; (None, None) when git is unavailable."""
    try:
        commit = _git(repo, "rev-parse", "HEAD")
        dirty = bool(_git(repo, "status", "--porcelain", "--untracked-files=no"))
    except (OSError, subprocess.SubprocessError):
        return None, None
    return commit or None, dirty


def _git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", *args], cwd=repo, capture_output=True, text=True, timeout=10, check=True
    )
    return done.stdout.strip()


def passage_dict(ref: PassageRef) -> dict[str, Any]:
    return {
        "chunk_id": ref.chunk_id,
        "section_path": list(ref.section_path),
        "pages": [ref.page_start, ref.page_end],
        "score": round(ref.score, 6),
        "has_evidence": ref.has_evidence,
        "snippet": ref.snippet(),
    }


def _answer_dict(record: AnswerRecord) -> dict[str, Any]:
    s = record.score
    return {
        "text": record.text,
        "refused": record.refused,
        "kind": record.kind,
        "correct": s.correct,
        "fraction": s.fraction,
        "citation_supported": s.citation_ok,
        "evidence_rank": s.rank,
        "latency_ms": round(s.latency_ms, 3),
        "timings_ms": dict(record.timings_ms),
        "error": record.error,
        "cited": [passage_dict(p) for p in record.cited],
        "passages": [passage_dict(p) for p in record.passages],
    }


def _search_dict(record: SearchRecord) -> dict[str, Any]:
    return {
        "rank": record.score.rank,
        "all_evidence": record.score.all_evidence,
        "latency_ms": round(record.score.latency_ms, 3),
        "error": record.error,
        "passages": [passage_dict(p) for p in record.passages],
    }


def item_dict(result: ItemResult) -> dict[str, Any]:
    item = result.item
    return {
        "id": item.id,
        "type": item.type,
        "question": item.question,
        "answers": list(item.answers),
        "match": item.match,
        "evidence": list(item.evidence),
        "section": item.section,
        "failures": list(result.failures()),
        "answer": _answer_dict(result.answer),
        "retrieval": {mode: _search_dict(r) for mode, r in result.searches.items()},
    }


def results_to_dict(results: EvalResults, context: RunContext) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "started_at": results.started_at,
        "duration_s": round(results.duration_s, 3),
        "command": context.command,
        "git": {"commit": context.git_commit, "dirty": context.git_dirty},
        "data": {
            "path": context.data_path,
            "name": context.data_name,
            "sha256": context.data_sha256,
            "items": len(results.items),
        },
        "settings": {"k": results.k, "modes": list(results.modes), **context.settings},
        "service": asdict(results.info),
        "retrieval": {mode: s.to_dict() for mode, s in results.retrieval.items()},
        "answers": results.answers.to_dict(),
        "gated": gated_metrics(results),
        "failed": [r.item.id for r in results.failed()],
        "items": [item_dict(r) for r in results.items],
    }


def write_results_json(path: Path, results: EvalResults, context: RunContext) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = results_to_dict(results, context)
    with path.open("w", encoding="utf-8") as handle:
        json.dump(payload, handle, ensure_ascii=False, indent=2)
        handle.write("\n")
    return path
