"""`lc bench memory`, first part: long conversations between two people, told line by line.

On ``bench/data/memory/conversations.json`` (five pairs of friends, twenty dated sessions each, about 1,400
lines; ``bench/data/memory/conversations.py`` writes it from the hand-written ``conversations/*.txt``), each
conversation is told to the companion as a person would paste it: line by line with ``/memory remember``
("Mara: I went to my first pottery class yesterday"), each on the day its session was held, through the
command's own reading (``memory.told.told_fact``) and memory's write path (``memory.learn.LEARN_CTES``).
Then each question is asked as a ``/chat`` in a fresh conversation would ask it (the turn's recall
statement, in a DM), a week after the last session. Measured beside, on the same lines: plain BM25, BM25
over English stems, the newest lines; with an embedder, the vectors alone and a plain reciprocal-rank
fusion of BM25 and the vectors.

Figures: evidence recall at 12 (of the lines that answer a question, the share among the 12 facts that
reach the prompt) by kind of question, for the pairs tuned on and the pairs held out; the memory section's
tokens; retrieval time; then recall and retrieval time with each person's memory filled to 500 and to
10,000 facts (the rest added set-based).
"""

from __future__ import annotations

import json
import logging
import re
import statistics
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.common import ask_memory, percentile
from bench.retrieval import Cached

Report = Callable[[str], None]


K = 12


KINDS = ("single", "when", "two", "infer")


@dataclass(frozen=True)
class Told:
    id: str
    speaker: str
    text: str
    at: datetime

    @property
    def line(self) -> str:
        return f"{self.speaker}: {self.text}"


@dataclass(frozen=True)
class Question:
    text: str
    answers: tuple[str, ...]
    kind: str


@dataclass
class Conversation:
    pair: str
    speakers: tuple[str, str]
    held_out: bool
    lines: list[Told]
    episodes: list[tuple[datetime, str]]
    questions: list[Question]

    @property
    def last(self) -> datetime:
        return max(line.at for line in self.lines)


def load_conversations(path: Path) -> list[Conversation]:
    data = json.loads(path.read_text(encoding="utf-8"))
    out = []
    for c in data["conversations"]:
        lines, episodes = [], []
        for s in c["sessions"]:
            at = datetime.fromisoformat(s["at"]).replace(tzinfo=UTC)
            lines += [Told(x["id"], x["speaker"], x["text"], at) for x in s["lines"]]
            episodes += [(at, e) for e in s["episodes"]]
        questions = [Question(q["q"], tuple(q["answers"]), q["kind"]) for q in c["questions"]]
        out.append(Conversation(c["pair"], tuple(c["speakers"]), c["held_out"], lines, episodes, questions))
    return out


@dataclass
class Listener:
    """Whom a conversation was told to: their user id, and each line's fact (its content key)."""

    conversation: Conversation
    user_id: int
    fact_of: dict[str, str] = field(default_factory=dict)
    # An episode's key → the lines of its session it tells again (see ``covers``).
    covered_by: dict[str, set[str]] = field(default_factory=dict)


_STOP = frozenset(
    "about after again also always been before being could didn't does doesn't down even every from have "
    "having here into just like made make more most much only over really said same some still than that "
    "their them then there they this those through very want well went were what when where which while "
    "will with would your".split()
)


def _telling_words(text: str, names: Sequence[str]) -> set[str]:
    skip = {n.lower() for n in names}
    return {
        w[:5]
        for w in re.findall(r"[a-zà-ÿ']{4,}", text.lower())
        if w not in _STOP and w.strip("'s") not in skip
    }


def covers(episode: str, line: str, names: Sequence[str]) -> bool:
    """An episode tells a line of its session again when they share two words that carry meaning (by
    their first five letters, the speakers' names left out): how an episode is credited with a line."""
    return len(_telling_words(episode, names) & _telling_words(line, names)) >= 2


def tell(
    session: Any, conversation: Conversation, discord_id: int, *, embedder: Any = None, episodes: bool = False
) -> Listener:
    """Each line told with /memory remember's reading, a session's lines in one write, as told that day;
    with ``episodes``, each session's summary lines as a model would write them when it ended."""
    from sqlalchemy import text

    from loyal_companion.db.vector import to_literal
    from loyal_companion.memory.learn import EMBEDDED_CTES, LEARN_CTES, learn_params
    from loyal_companion.memory.rules import EPISODE, Candidate, content_key, day_in_words, embedding_text
    from loyal_companion.memory.told import told_fact

    user_id = int(
        session.execute(
            text("INSERT INTO users (discord_id, discord_username) VALUES (:d, :n) RETURNING id"),
            {"d": discord_id, "n": f"listener of {conversation.pair}"},
        ).scalar_one()
    )
    listener = Listener(conversation, user_id)
    plain = text("WITH " + LEARN_CTES.replace("{guard}", "true") + " SELECT count(*) FROM m_new")
    with_vectors = text(
        "WITH " + LEARN_CTES.replace("{guard}", "true") + EMBEDDED_CTES + " SELECT count(*) FROM m_new"
    )
    by_session: dict[datetime, list[Told]] = {}
    for line in conversation.lines:
        by_session.setdefault(line.at, []).append(line)
    for at, lines in sorted(by_session.items()):
        candidates = [told_fact(line.line, today=at.date()) for line in lines]
        for line, candidate in zip(lines, candidates, strict=True):
            listener.fact_of[line.id] = content_key(candidate.content)
        if episodes:
            for day, said in conversation.episodes:
                if day != at:
                    continue
                episode = Candidate(
                    EPISODE, f"On {day_in_words(at.date())}, {said}", importance=0.6, happens_on=at.date()
                )
                candidates.append(episode)
                listener.covered_by[content_key(episode.content)] = {
                    line.id for line in lines if covers(said, line.text, conversation.speakers)
                }
        params = learn_params(
            user_id=user_id,
            guild_id=None,
            now=at,
            candidates=candidates,
            source="manual",
            source_message_id=None,
            context=None,
        )
        if embedder is None:
            session.execute(plain, params)
            continue
        vectors = embedder.embed([embedding_text(c.content, c.subject, c.subject_role) for c in candidates])
        rows = [
            {"content": c.content, "fact_id": None, "vector": to_literal(v)}
            for c, v in zip(candidates, vectors, strict=True)
        ]
        session.execute(
            with_vectors, params | {"vectors": json.dumps(rows), "embeddings_model": embedder.model}
        )
    return listener


class Baselines:
    """What plain ranking finds among the lines as told ("Mara: …"), each distinct line once."""

    def __init__(self, session: Any, listener: Listener, embedder: Any = None) -> None:
        from bench.retrieval import BM25, stems, words

        conversation = listener.conversation
        self.keys: list[str] = []
        self.texts: list[str] = []
        seen: set[str] = set()
        for line in conversation.lines:
            key = listener.fact_of[line.id]
            if key not in seen:
                seen.add(key)
                self.keys.append(key)
                self.texts.append(line.line)
        questions = [q.text for q in conversation.questions]
        self.bm25 = BM25([words(t) for t in self.texts])
        both = stems(session, self.texts + questions)
        self.stemmed = BM25(both[: len(self.texts)])
        self.question_stems = dict(zip(questions, both[len(self.texts) :], strict=True))
        self.newest = self.keys[-K:]
        self.vectors = None
        if embedder is not None:
            import numpy as np

            self.vectors = np.asarray(embedder.embed(self.texts), dtype=np.float32)
            self.question_vectors = dict(
                zip(questions, np.asarray(embedder.embed(questions), dtype=np.float32), strict=True)
            )

    def ranked(self, method: str, question: str) -> list[str]:
        from bench.retrieval import words

        if method == "bm25":
            return [self.keys[i] for i in self.bm25.top(words(question), K)]
        if method == "bm25_stems":
            return [self.keys[i] for i in self.stemmed.top(self.question_stems[question], K)]
        if method == "newest":
            return self.newest
        import numpy as np

        assert self.vectors is not None
        by_meaning = list(np.argsort(-(self.vectors @ self.question_vectors[question]))[: 4 * K])
        if method == "vectors":
            return [self.keys[i] for i in by_meaning[:K]]
        # A plain reciprocal-rank fusion (k = 60) of BM25 and the vectors, weighted alike.
        fused: dict[int, float] = {}
        for rank, i in enumerate(self.bm25.top(words(question), 4 * K)):
            fused[i] = fused.get(i, 0.0) + 1 / (60 + rank + 1)
        for rank, i in enumerate(by_meaning):
            fused[int(i)] = fused.get(int(i), 0.0) + 1 / (60 + rank + 1)
        return [self.keys[i] for i in sorted(fused, key=lambda i: -fused[i])[:K]]


@dataclass
class Result:
    conversation: Conversation
    question: Question
    recall: dict[str, float]


@dataclass
class Run:
    results: list[Result] = field(default_factory=list)
    tokens: list[int] = field(default_factory=list)
    timings: list[float] = field(default_factory=list)

    def mean(self, method: str, *, kind: str | None = None, held_out: bool | None = None) -> float:
        values = [
            r.recall[method]
            for r in self.results
            if method in r.recall
            and (kind is None or r.question.kind == kind)
            and (held_out is None or r.conversation.held_out == held_out)
        ]
        return statistics.mean(values) if values else float("nan")


def ask(
    session: Any,
    listeners: Sequence[Listener],
    *,
    embedder: Any = None,
    baselines: dict[str, Baselines] | None = None,
    methods: Sequence[str] = (),
    run: Run | None = None,
) -> Run:
    """Every question of every conversation, asked a week after its last session."""
    from loyal_companion.memory.rules import content_key

    run = run or Run()
    for listener in listeners:
        conversation = listener.conversation
        asked_on = conversation.last + timedelta(days=7)
        for question in conversation.questions:
            wanted = set(question.answers)
            shown, seconds, tokens = ask_memory(
                session,
                user_id=listener.user_id,
                question=question.text,
                asked_on=asked_on,
                limit=K,
                embedder=embedder,
            )
            run.timings.append(seconds)
            run.tokens.append(tokens)
            keys = {content_key(r.content) for r in shown}
            got = {a for a in wanted if listener.fact_of[a] in keys}
            got |= {a for key in keys for a in listener.covered_by.get(key, ())}
            recall_of = {"ours": len(wanted & got) / len(wanted)}
            for method in methods:
                assert baselines is not None
                top = set(baselines[conversation.pair].ranked(method, question.text))
                recall_of[method] = len({a for a in wanted if listener.fact_of[a] in top}) / len(wanted)
            run.results.append(Result(conversation, question, recall_of))
    return run


NAMES = {
    "ours": "the project's recall",
    "bm25": "plain BM25",
    "bm25_stems": "BM25 over English stems",
    "newest": f"the {K} newest lines",
    "vectors": "the vectors alone",
    "rrf": "plain RRF of BM25 and the vectors",
}


def report_run(report: Report, run: Run, methods: Sequence[str]) -> dict[str, Any]:

    out: dict[str, Any] = {}
    for method in methods:
        parts = ", ".join(f"{kind} {run.mean(method, kind=kind):.2f}" for kind in KINDS)
        tuned, held = run.mean(method, held_out=False), run.mean(method, held_out=True)
        report(
            f"  {NAMES[method]:<34} {run.mean(method):.3f}  (tuned on {tuned:.3f}, held out {held:.3f}; {parts})"
        )
        out[method] = {
            "all": run.mean(method),
            "tuned": tuned,
            "held_out": held,
            **{kind: run.mean(method, kind=kind) for kind in KINDS},
        }
    if run.tokens:
        report(
            f"  memory section of the prompt: p50 {statistics.median(run.tokens):.0f} tokens, "
            f"p95 {percentile(run.tokens, 0.95):.0f} (target ≤ 600); retrieval p50 "
            f"{statistics.median(run.timings) * 1000:.1f} ms, p95 {percentile(run.timings, 0.95) * 1000:.1f} ms"
        )
        out["tokens_p95"] = percentile(run.tokens, 0.95)
    return out


def bench_conversations(
    report: Report, engine: Any, *, path: Path, embedder: Any = None, sizes: Sequence[int] = (500, 10_000)
) -> dict[str, Any]:
    from sqlalchemy import text
    from sqlalchemy.orm import Session

    from bench.retrieval import embed_padding, pad_person

    conversations = load_conversations(path)
    kinds = Counter(q.kind for c in conversations for q in c.questions)
    held = [c.pair for c in conversations if c.held_out]
    report(
        f"data set {path.name}: {len(conversations)} conversations, {sum(len(c.lines) for c in conversations):,} "
        f"lines told, {sum(len(c.questions) for c in conversations)} questions "
        f"({', '.join(f'{kinds[k]} {k}' for k in KINDS)}); held out from tuning: {', '.join(held)}"
    )
    figures: dict[str, Any] = {}
    runs = [("no embeddings", None, False), ("no embeddings, with episodes", None, True)]
    if embedder is not None:
        runs += [("with embeddings", embedder, False), ("with embeddings, with episodes", embedder, True)]
    cached = Cached(embedder) if embedder is not None else None  # the padding is the same for everyone
    for label, with_embedder, episodes in runs:
        with Session(engine) as session:
            session.execute(text("DELETE FROM users"))
            started = time.perf_counter()
            listeners = [
                tell(session, c, 420000000000000000 + i, embedder=with_embedder, episodes=episodes)
                for i, c in enumerate(conversations)
            ]
            session.commit()
            told_s = time.perf_counter() - started
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
        methods = ["bm25", "bm25_stems", "newest"] if with_embedder is None else ["vectors", "rrf", "bm25"]
        if episodes:
            methods = []
        with Session(engine) as session:
            baselines = {lst.conversation.pair: Baselines(session, lst, with_embedder) for lst in listeners}
            ask(session, listeners[:1], embedder=with_embedder)  # warm the caches
            run = ask(session, listeners, embedder=with_embedder, baselines=baselines, methods=methods)
        facts = round(sum(len(lst.fact_of) for lst in listeners) / len(listeners))
        report(f"\n-- {label} (told in {told_s:.1f} s; about {facts} lines per person) --")
        figures[label] = report_run(report, run, ["ours", *methods])
        for size in sizes if not episodes else ():
            with Session(engine) as session:
                for lst in listeners:
                    pad_person(session, lst.user_id, size, min(x.at for x in lst.conversation.lines))
                    if with_embedder is not None:  # the older facts have their vectors too
                        embed_padding(session, lst.user_id, cached)
                session.commit()
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE"))
            with Session(engine) as session:
                ask(session, listeners[:1], embedder=with_embedder)
                scaled = ask(session, listeners, embedder=with_embedder)
            p95 = percentile(scaled.timings, 0.95) * 1000
            report(
                f"  at {size:,} facts per person: recall {scaled.mean('ours'):.3f} (held out "
                f"{scaled.mean('ours', held_out=True):.3f}), retrieval p50 "
                f"{statistics.median(scaled.timings) * 1000:.1f} ms, p95 {p95:.1f} ms (target ≤ 50 ms)"
            )
            figures[label][f"at {size}"] = {"recall": scaled.mean("ours"), "p95_ms": p95}
    logging.getLogger(__name__).debug("conversations measured")
    return figures
