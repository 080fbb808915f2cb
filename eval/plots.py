"""PNG plots of a run (matplotlib object API on the Agg canvas; no pyplot global state)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from eval.run import EvalResults

PLOT_FILES = {
    "hits": "hit_at_k_by_mode.png",
    "accuracy": "accuracy_by_type.png",
    "latency": "latency_histogram.png",
}


def _save(fig: Figure, path: Path) -> Path:
    FigureCanvasAgg(fig)
    fig.tight_layout()
    fig.savefig(path, format="png", dpi=110)
    return path


def plot_hits(results: EvalResults, path: Path) -> Path:
    """Grouped bars: hit@1/3/k, MRR@k, all-evidence@k for each search mode."""
    fig = Figure(figsize=(7.5, 4))
    ax = fig.add_subplot()
    modes = list(results.retrieval)
    k = results.k
    cutoffs = list(results.retrieval[modes[0]].overall.hit_at) if modes else []
    labels = [*(f"hit@{c}" for c in cutoffs), f"MRR@{k}", f"all-ev@{k}"]
    x = np.arange(len(labels))
    width = 0.8 / max(len(modes), 1)
    for i, mode in enumerate(modes):
        m = results.retrieval[mode].overall
        values = [*(m.hit_at[c] for c in cutoffs), m.mrr, m.all_evidence]
        bars = ax.bar(
            x + (i - (len(modes) - 1) / 2) * width, [v or 0.0 for v in values], width, label=mode
        )
        ax.bar_label(bars, fmt="%.2f", fontsize=7)
    ax.set_xticks(x, labels)
    ax.set_ylim(0, 1.1)
    ax.set_ylabel("rate (answerable items)")
    ax.set_title("Retrieval by mode")
    if modes:
        ax.legend(loc="lower right")
    return _save(fig, path)


def plot_accuracy(results: EvalResults, path: Path) -> Path:
    """Horizontal bars per question type: answer accuracy (refusal accuracy for unanswerable)."""
    by_type = results.answers.by_type
    names = list(by_type)
    values, labels = [], []
    for name in names:
        m = by_type[name]
        rate = m.answer_accuracy if m.answerable else m.refusal_accuracy
        values.append(rate or 0.0)
        kind = "acc" if m.answerable else "refusal acc"
        labels.append(f"{name} (n={m.count}, {kind})")
    fig = Figure(figsize=(7.5, 0.45 * max(len(names), 2) + 1.2))
    ax = fig.add_subplot()
    bars = ax.barh(np.arange(len(names)), values, color="#4c72b0")
    ax.bar_label(bars, fmt="%.2f", fontsize=8)
    ax.set_yticks(np.arange(len(names)), labels, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, 1.1)
    ax.set_title("Answer accuracy by question type")
    return _save(fig, path)


def plot_latency(results: EvalResults, path: Path) -> Path:
    """Histogram of per-question latency: answer and each search mode."""
    series = {"answer": [r.answer.score.latency_ms for r in results.items]}
    for mode in results.modes:
        series[f"search {mode}"] = [r.searches[mode].score.latency_ms for r in results.items]
    values = [v for vs in series.values() for v in vs if v > 0]
    fig = Figure(figsize=(7.5, 4))
    ax = fig.add_subplot()
    if values:
        low, high = min(values), max(values)
        bins = list(np.geomspace(low, high * 1.001, 30)) if high > low else 10
        for name, vs in series.items():
            ax.hist([v for v in vs if v > 0], bins=bins, histtype="step", linewidth=1.5, label=name)
        if high > low:
            ax.set_xscale("log")
            ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:g}"))
        ax.legend()
    ax.set_xlabel("latency per question (ms)")
    ax.set_ylabel("questions")
    ax.set_title("Latency")
    return _save(fig, path)


def write_plots(results: EvalResults, out_dir: Path) -> dict[str, Path]:
    """Write the three PNGs into `out_dir`; returns name -> path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    return {
        "hits": plot_hits(results, out_dir / PLOT_FILES["hits"]),
        "accuracy": plot_accuracy(results, out_dir / PLOT_FILES["accuracy"]),
        "latency": plot_latency(results, out_dir / PLOT_FILES["latency"]),
    }
