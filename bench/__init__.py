"""The benchmarks: `lc bench NAME` prints the figures the issues' targets are measured by, never asserts them.

One module per benchmark (interactions, turn, proactive, memory — the long conversations, the first data
set and what a turn reads —, scale, tokens, safety), what they share in ``common`` (a database made for a
benchmark, percentiles, round trips, the worker's services) and ``retrieval`` (the memory baselines and
data); no benchmark imports another. The data sets and the scripts that write them are in ``bench/data/``.
Not shipped: `lc bench` runs them from a checkout. Compare ratios within one run: the machine is shared.
"""

from __future__ import annotations

import importlib
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

Report = Callable[[str], None]

# name → (module, function): imported only when run.
BENCHMARKS: dict[str, tuple[str, str]] = {
    "interactions": ("bench.interactions", "bench_interactions"),
    "turn": ("bench.turn", "bench_turn"),
    "proactive": ("bench.proactive", "bench_proactive"),
    "memory": ("bench", "bench_memory_all"),
    "scale": ("bench.scale", "bench_scale"),
    "tokens": ("bench.tokens", "bench_tokens"),
    "safety": ("bench.safety", "bench_safety"),
}


def run(only: list[str] | None, report: Report) -> int:
    names = only or list(BENCHMARKS)
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        report(f"unknown benchmark(s): {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}")
        return 2
    report(f"lc bench on {os.cpu_count()} cores, Python {sys.version.split()[0]}, {Path.cwd()}")
    before = os.environ.get("LC_BENCH_BEFORE")
    for name in names:
        module, function = BENCHMARKS[name]
        report(f"\n== {name} ==")
        if before and name != "interactions":  # interactions compares cold imports with REF itself
            from bench.before import run_before

            run_before(before, name, report)
        getattr(importlib.import_module(module), function)(report)
    return 0


def bench_memory_all(report: Report) -> dict[str, Any]:
    """`lc bench memory`: the long conversations, the first data set (one database, one embedder), then
    what one turn reads of a person's memory at 500, 5,000 and 50,000 facts."""
    import logging

    from bench.common import bench_database
    from bench.conversations import bench_conversations
    from bench.memory import bench_memory
    from bench.memory_turn import bench_memory_turn
    from bench.retrieval import K, in_process_embedder
    from loyal_companion.db.engine import create_db_engine
    from loyal_companion.local.functions import repo_root

    logging.getLogger("loyal_companion").setLevel(logging.WARNING)
    embedder = in_process_embedder(report)
    data = repo_root() / "bench" / "data" / "memory"
    figures: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        local, url = bench_database(tmp)
        try:
            engine = create_db_engine(url)
            report("\n== long conversations, told line by line ==")
            figures["conversations"] = bench_conversations(
                report, engine, path=data / "conversations.json", embedder=embedder
            )
            report("\n== dataset.json: remembered lines of eight people ==")
            figures["dataset"] = bench_memory(report, engine, embedder=embedder)
            engine.dispose()
        finally:
            local.stop()
    report("\n== what one turn reads of a person's memory ==")
    figures["turn"] = bench_memory_turn(report, embedder=embedder)
    hard = figures["conversations"]["no embeddings"]
    ours, bm25 = hard["ours"]["all"], hard["bm25"]["all"]
    meaning = figures["conversations"].get("with embeddings")
    report(
        f"\nlong conversations: evidence recall at {K} {ours:.3f} vs BM25 {bm25:.3f} = {ours / bm25:.2f}× "
        f"(target ≥ 0.75 and ≥ 1.4×), two-fact {hard['ours']['two']:.2f} (target ≥ 0.5)"
        + (f"; with embeddings {meaning['ours']['all']:.3f} (target ≥ 0.80)" if meaning else "")
    )
    easy = figures["dataset"]["no embeddings"]
    with_meaning = figures["dataset"].get("with embeddings")
    report(
        f"dataset.json: {easy['ours']:.1%} vs BM25 {easy['bm25']:.1%} = {easy['ours'] / easy['bm25']:.2f}×"
        + (f"; with embeddings {with_meaning['ours']:.1%}" if with_meaning else "")
    )
    return figures
