"""`lc bench memory`, second part: does the companion recall the lines that answer what the person asks?

On ``bench/data/memory/dataset.json`` (eight people, about 4,000 remembered lines, about 300 questions in other
words than the lines, each knowing which lines answer it; ``bench/data/memory/generate.py`` writes it):

- evidence recall at 12: of the lines that answer a question, the share among the 12 facts that reach
  the prompt, for the project's recall (through the real statement, in a DM so nothing is held back),
  for plain BM25 over the same lines, and for the 12 newest lines; then the same with an in-process
  embedder (facts also related by meaning);
- memory tokens per turn: the prompt's memory section;
- retrieval time at 10,000 facts for one person (the rest added set-based), with recall at that size.

The lines go into PostgreSQL through memory's own write path (``memory.learn.LEARN_CTES``): what a line
is about is tied from its words and the names the person's earlier lines gave (``rules.tie_subject``),
its date read from its words (``extract``), as the offline reading does.
"""

from __future__ import annotations

import statistics
import time
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from bench.common import percentile
from bench.retrieval import (
    K,
    PersonData,
    Scores,
    _key,
    add_person,
    embed_padding,
    load_dataset,
    load_person,
    measure,
    pad_person,
)

Report = Callable[[str], None]


def bench_memory(report: Report, engine: Any, *, embedder: Any = None, big: int = 10_000) -> dict[str, Any]:
    """The first data set in ``engine``'s database: recall beside the baselines, without and with
    ``embedder``, then one person at ``big`` facts."""
    from sqlalchemy import text
    from sqlalchemy.orm import Session

    from loyal_companion.local.functions import repo_root

    path = repo_root() / "bench" / "data" / "memory" / "dataset.json"
    people = load_dataset(path)
    lines = sum(len(p.lines) for p in people)
    questions = sum(len(p.questions) for p in people)
    kinds_count = Counter(q.kind for p in people for q in p.questions)
    report(
        f"data set {path.name}: {len(people)} people, {lines:,} remembered lines, {questions} questions "
        f"({', '.join(f'{n} {k}' for k, n in sorted(kinds_count.items()))})"
    )
    asked_on = datetime(2025, 7, 1, 18, 0, tzinfo=UTC)
    figures: dict[str, Any] = {}
    runs = [("no embeddings", None)] + ([("with embeddings", embedder)] if embedder else [])
    for label, with_embedder in runs:
        with Session(engine) as session:
            session.execute(text("DELETE FROM users"))
            started = time.perf_counter()
            loaded = [
                (p, load_person(session, p, 400000000000000000 + i, with_embedder))
                for i, p in enumerate(people)
            ]
            session.commit()
            load_s = time.perf_counter() - started
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
        with Session(engine) as session:
            methods = ("ours", "bm25", "bm25_stems", "newest") if with_embedder is None else ("ours",)
            scores, kinds = measure(
                session, loaded, asked_on=asked_on, embedder=with_embedder, methods=methods
            )
        with engine.connect() as conn:
            stored = conn.execute(text("SELECT count(*) FROM user_facts WHERE is_active")).scalar_one()
        figures[label] = _report_run(
            report, label, scores, kinds, load_s, methods, round(stored / len(people))
        )
    figures["at 10,000 facts"] = _at_scale(report, engine, people[0], asked_on, big, embedder)
    return figures


def _report_run(
    report: Report,
    label: str,
    scores: Scores,
    kinds: list[str],
    load_s: float,
    methods: Sequence[str],
    facts_per_person: int,
) -> dict[str, Any]:
    by_index = dict(enumerate(kinds))
    report(f"\n-- {label} (lines loaded through memory's write path in {load_s:.1f} s) --")
    out: dict[str, Any] = {}
    names = {
        "ours": "the project's recall",
        "bm25": "plain BM25",
        "bm25_stems": "BM25 over English stems (a stronger baseline)",
        "newest": f"the {K} newest",
    }
    for method in methods:
        total = scores.mean(method)
        out[method] = total
        per_kind = ", ".join(
            f"{kind} {scores.mean(method, kind, by_index):.0%}" for kind in sorted(set(kinds))
        )
        report(f"evidence recall at {K}, {names[method]}: {total:.1%} ({per_kind})")
    tokens = scores.tokens
    report(
        f"memory section of the prompt: p50 {statistics.median(tokens):.0f} tokens, "
        f"p95 {percentile(tokens, 0.95):.0f} (target p50 ≤ 600)"
    )
    report(
        f"retrieval (one statement) at about {facts_per_person} facts per person: p50 "
        f"{statistics.median(scores.timings) * 1000:.1f} ms, p95 {percentile(scores.timings, 0.95) * 1000:.1f} ms"
    )
    out["tokens_p50"] = statistics.median(tokens)
    return out


def _at_scale(
    report: Report, engine: Any, person: PersonData, asked_on: datetime, big: int, embedder: Any
) -> dict[str, Any]:
    from sqlalchemy import text
    from sqlalchemy.orm import Session

    with Session(engine) as session:
        session.execute(text("DELETE FROM users"))
        # Years of older memories first, then the person's recent ones from the data set.
        user_id = add_person(session, person, 410000000000000000)
        added = pad_person(session, user_id, big - len({_key(x.text) for x in person.lines}), asked_on)
        if embedder is not None:
            embed_padding(session, user_id, embedder)
        load_person(session, person, 410000000000000000, embedder, user_id=user_id)
        session.commit()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))
    out: dict[str, Any] = {}
    runs = [("no embeddings", None)] + ([("with embeddings", embedder)] if embedder else [])
    for label, with_embedder in runs:
        with Session(engine) as session:
            measure(
                session, [(person, user_id)], asked_on=asked_on, embedder=with_embedder, methods=("ours",)
            )
            scores, _ = measure(
                session, [(person, user_id)] * 3, asked_on=asked_on, embedder=with_embedder, methods=("ours",)
            )
        p50 = statistics.median(scores.timings) * 1000
        p95 = percentile(scores.timings, 0.95) * 1000
        report(
            f"at {big:,} facts for one person ({added:,} added set-based), {label}: retrieval p50 {p50:.1f} ms, "
            f"p95 {p95:.1f} ms (target p95 ≤ 50 ms); evidence recall at {K} {scores.mean('ours'):.1%} "
            f"over {person.name}'s {len(person.questions)} questions"
        )
        out[label] = {"p50_ms": p50, "p95_ms": p95, "recall": scores.mean("ours")}
    return out
