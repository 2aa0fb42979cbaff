"""`lc bench scale`: does a turn cost the same at a hundred thousand people?

Two databases generated set-based in PostgreSQL (INSERT … SELECT over generate_series; no ORM): small
(1,000 people, 50 messages and 20 facts each) and large (100,000 people, 5,000,000 messages, 2,000,000
facts; the measured person with 50,000 messages and 10,000 facts). For each: generation time, then chat
turns through the worker (offline responder, loopback Discord stand-in) — plain turns and turns that learn
a fact — with p50/p95 and round trips, the buffers each of the turn's statements touched (EXPLAIN ANALYZE
BUFFERS, small beside large; a statement that grows is named), throughput with 1, 2 and 4 worker
processes (people in one server, and in different servers). (Mood has no job to measure: it is computed
when read.)
"""

from __future__ import annotations

import logging
import multiprocessing
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.common import MEASURED, MEASURED_GUILD, offline_services, run_turns, turn_plans

Report = Callable[[str], None]


GUILDS = 1000


MODEL_S = 0.04  # the model latency of the second throughput run


@dataclass(frozen=True)
class Size:
    name: str
    people: int
    messages_each: int
    facts_each: int
    measured_messages: int
    measured_facts: int


SMALL = Size("small", 1_000, 50, 20, 50, 20)


LARGE = Size("large", 100_000, 50, 20, 50_000, 10_000)


_FACT_TEXT = """
(ARRAY['They','Their friend','Their sister','Their dog','Their boss','Their neighbour','Their cousin'])[1 + mod(g, 7)]
 || ' ' || (ARRAY['love','hate','talked about','bought','lost','found','painted','cooked','dreamed about',
                  'argued about','laughed about','worried about'])[1 + mod(g / 7, 12)]
 || ' ' || (ARRAY['the garden','a film','jazz records','the old car','a lemon recipe','the football',
                  'an old song','the news','a long walk','the holidays','a birthday present','the neighbours',
                  'a crime novel','the kitchen','a train journey','the dentist','a pub quiz','the allotment',
                  'a new bike','the choir','a chess game','the beach','a pottery class','the museum'])[1 + mod(g / 84, 24)]
 || ' ' || (ARRAY['in spring','last year','at work','with friends','after a hard week','on holiday',
                  'at midnight','in the rain','with their mum','for hours'])[1 + mod(g / 2016, 10)]
"""


def _drop_indexes(session: Any, table: str, *, keep_primary: bool = True) -> list[str]:
    """Drop ``table``'s indexes and key constraints (a bulk load builds them faster afterwards); the
    statements that put them back."""
    from sqlalchemy import text

    constraints = session.execute(
        text(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = CAST(:t AS regclass) AND contype IN ('p', 'u') AND (contype = 'u' OR NOT :keep)"
        ),
        {"t": table, "keep": keep_primary},
    ).all()
    indexes = session.execute(
        text(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
            "WHERE i.indrelid = CAST(:t AS regclass) "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid AND c.conrelid = i.indrelid)"
        ),
        {"t": table},
    ).all()
    for name, _ in constraints:
        session.execute(text(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"'))
    for name, _ in indexes:
        session.execute(text(f"DROP INDEX {name}"))
    return [f'ALTER TABLE {table} ADD CONSTRAINT "{n}" {d}' for n, d in constraints] + [d for _, d in indexes]


LOAD_SETTINGS = (
    "SET LOCAL synchronous_commit = off",
    # Rows consistent by construction: no per-row foreign-key checks or triggers while loading (the
    # postings the trigger would write are built below, set-based, with the same function).
    "SET LOCAL session_replication_role = replica",
    "SET LOCAL maintenance_work_mem = '256MB'",
    "SET LOCAL work_mem = '64MB'",
)


PARTS = 2  # the machine's cores: the big loads run as this many transactions side by side


def generate(engine: Any, size: Size, now: datetime) -> dict[str, float]:
    """Fill an empty, migrated database; the seconds each step took. Bulk-load habits only (indexes
    built after the rows, the big loads split over two connections, the postings built in one statement
    per part with the trigger's own function): the result is the database the product's writes make."""
    from concurrent.futures import ThreadPoolExecutor

    from sqlalchemy import text
    from sqlalchemy.orm import Session

    steps: dict[str, float] = {}

    def timed(name: str, work: Callable[[], object]) -> None:
        started = time.perf_counter()
        work()
        steps[name] = steps.get(name, 0.0) + time.perf_counter() - started

    def run(statements: list[tuple[str, dict[str, Any]]]) -> None:
        with Session(engine) as session:
            for setting in LOAD_SETTINGS:
                session.execute(text(setting))
            for statement, params in statements:
                session.execute(text(statement), params)
            session.commit()

    def parallel(*parts: list[tuple[str, dict[str, Any]]]) -> None:
        with ThreadPoolExecutor(len(parts)) as pool:
            for future in [pool.submit(run, part) for part in parts]:
                future.result()

    setup = [
        (
            "INSERT INTO users (discord_id, discord_username, first_seen_at, last_seen_at) "
            "SELECT 800000000000000000 + g, 'person' || g, CAST(:t AS timestamptz) - interval '60 days', "
            "CAST(:t AS timestamptz) - make_interval(mins => mod(g, 5000)) FROM generate_series(1, CAST(:n AS int)) g",
            {"n": size.people, "t": now},
        ),
        (
            "INSERT INTO users (discord_id, discord_username, first_seen_at, last_seen_at) "
            "VALUES (CAST(:d AS bigint), 'measured', CAST(:t AS timestamptz) - interval '60 days', "
            "CAST(:t AS timestamptz) - interval '2 hours')",
            {"d": MEASURED, "t": now},
        ),
        (
            "INSERT INTO conversations (user_id, guild_id, channel_id, started_at, last_message_at, message_count) "
            "SELECT u.id, 700000000000000000 + mod(u.id, CAST(:guilds AS int)) + 1, "
            "710000000000000000 + mod(u.id, CAST(:guilds AS int)) + 1, CAST(:t AS timestamptz) - interval '30 days', "
            "u.last_seen_at, CASE WHEN u.discord_id = CAST(:d AS bigint) THEN CAST(:mm AS int) ELSE CAST(:me AS int) END "
            "FROM users u",
            {
                "guilds": GUILDS,
                "t": now,
                "d": MEASURED,
                "mm": size.measured_messages,
                "me": size.messages_each,
            },
        ),
        # The measured person talks in the measured server's channel.
        (
            "UPDATE conversations SET guild_id = CAST(:g AS bigint), channel_id = CAST(:c AS bigint), "
            "last_message_at = CAST(:t AS timestamptz) - interval '2 hours' "
            "WHERE user_id = (SELECT id FROM users WHERE discord_id = CAST(:d AS bigint))",
            {"g": MEASURED_GUILD, "c": MEASURED_GUILD + 10_000_000_000_000_000, "t": now, "d": MEASURED},
        ),
        # A mood per server, at rest; far more servers than the people here talk in.
        (
            "INSERT INTO mood_shards (guild_id, shard, valence_offset, arousal_offset, updated_at) "
            "SELECT 700000000000000000 + g, 0, 0, 0, CAST(:t AS timestamptz) - interval '1 hour' "
            "FROM generate_series(1, CAST(:g AS bigint)) g",
            {"g": size.people, "t": now},
        ),
        (
            "INSERT INTO user_relationships (user_id, guild_id, relationship_score, total_interactions) "
            "SELECT c.user_id, c.guild_id, mod(c.user_id, 100), 10 FROM conversations c",
            {},
        ),
    ]
    timed("people", lambda: run(setup))
    rebuild: list[str] = []

    def drop() -> None:
        with Session(engine) as session:
            for table, keep in (("messages", True), ("user_facts", True), ("user_fact_terms", False)):
                rebuild.extend(_drop_indexes(session, table, keep_primary=keep))
            session.commit()

    timed("indexes", drop)

    def messages(part: int) -> list[tuple[str, dict[str, Any]]]:
        return [
            (
                "INSERT INTO messages (conversation_id, user_id, role, content, model_prompt_tokens, "
                "model_completion_tokens, created_at, updated_at) "
                "SELECT c.id, c.user_id, CASE WHEN mod(g, 2) = 0 THEN 'assistant' ELSE 'user' END, "
                "'message ' || g || ' about the day, the weather and the people in it', "
                "CASE WHEN mod(g, 2) = 0 THEN 300 END, CASE WHEN mod(g, 2) = 0 THEN 60 END, "
                "c.last_message_at - make_interval(mins => c.message_count - g), "
                "c.last_message_at - make_interval(mins => c.message_count - g) "
                "FROM conversations c CROSS JOIN LATERAL generate_series(1, c.message_count) g "
                "WHERE mod(c.id, CAST(:parts AS int)) = CAST(:part AS int)",
                {"parts": PARTS, "part": part},
            )
        ]

    def facts(part: int) -> list[tuple[str, dict[str, Any]]]:
        return [
            (
                "INSERT INTO user_facts (user_id, fact_type, fact_content, importance, confidence, learned_at, source) "
                "SELECT u.id, (ARRAY['general','family','work','hobby','event','preference'])[1 + mod(g, 6)], "
                f"{_FACT_TEXT} || ' (' || g || ')', 0.3 + mod(g, 5) / 10.0, 0.7, "
                "CAST(:t AS timestamptz) - make_interval(days => mod(g, 600)), 'bench' "
                "FROM users u CROSS JOIN LATERAL generate_series(1, CASE WHEN u.discord_id = CAST(:d AS bigint) "
                "THEN CAST(:mf AS int) ELSE CAST(:fe AS int) END) g "
                "WHERE mod(u.id, CAST(:parts AS int)) = CAST(:part AS int)",
                {
                    "t": now,
                    "d": MEASURED,
                    "mf": size.measured_facts,
                    "fe": size.facts_each,
                    "parts": PARTS,
                    "part": part,
                },
            ),
            (
                "INSERT INTO user_fact_terms (user_id, term, fact_id, weight) "
                "SELECT f.user_id, w.term, f.id, w.weight FROM user_facts f "
                "CROSS JOIN LATERAL memory_term_weights(f.search_vector, f.importance) w "
                "WHERE f.is_active AND mod(f.user_id, CAST(:parts AS int)) = CAST(:part AS int)",
                {"parts": PARTS, "part": part},
            ),
            (
                "INSERT INTO user_memory_stats (user_id, active_facts) "
                "SELECT user_id, count(*) FROM user_facts "
                "WHERE is_active AND mod(user_id, CAST(:parts AS int)) = CAST(:part AS int) GROUP BY user_id",
                {"parts": PARTS, "part": part},
            ),
        ]

    timed("messages", lambda: parallel(*(messages(i) for i in range(PARTS))))
    timed("facts and postings", lambda: parallel(*(facts(i) for i in range(PARTS))))
    halves: list[list[tuple[str, dict[str, Any]]]] = [
        [(s, {}) for s in rebuild[i::PARTS]] for i in range(PARTS)
    ]
    timed("indexes", lambda: parallel(*halves))
    return steps


PLAIN = ("how was your evening?", "long day today, tell me something nice", "what should I cook tonight?")


def _learning(i: int) -> str:
    return f"My friend Zed{i} plays the oboe in an orchestra number {i}."


class _ThinkingModel:
    """The offline responder, answering after ``seconds`` (a sleep standing in for a model's latency):
    a worker then waits as it does in production, and what is left to measure is whether workers wait
    for each other."""

    def __init__(self, seconds: float) -> None:
        from loyal_companion.llm.offline import OfflineResponder

        self._inner = OfflineResponder()
        self._seconds = seconds
        self.offline = True

    def complete(self, *args: Any, **kwargs: Any) -> Any:
        time.sleep(self._seconds)
        return self._inner.complete(*args, **kwargs)

    def structured(self, *args: Any, **kwargs: Any) -> Any:
        return self._inner.structured(*args, **kwargs)


def _worker(
    url: str, discord_id: int, guild_id: int, turns: int, start_at: float, model_s: float, out: Any
) -> None:
    from loyal_companion.local.discord_stub import DiscordStub

    logging.getLogger("loyal_companion").setLevel(logging.ERROR)
    with DiscordStub() as stub:
        services = offline_services(url, stub.base_url)
        if model_s:
            services.model = _ThinkingModel(model_s)
        run_turns(services, [PLAIN[0]] * 3, discord_id=discord_id, guild_id=guild_id, label="warm")
        while time.time() < start_at:
            time.sleep(0.001)
        started = time.perf_counter()
        run_turns(
            services,
            [PLAIN[i % 3] for i in range(turns)],
            discord_id=discord_id,
            guild_id=guild_id,
            label="run",
        )
        out.put(time.perf_counter() - started)


def throughput(url: str, workers: int, *, same_server: bool, model_s: float = 0.0, turns: int = 150) -> float:
    """Turns per second of ``workers`` processes, each serving its own person."""
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    start_at = time.time() + 6.0
    processes = []
    for w in range(workers):
        person = 800000000000000000 + 10 + w  # ordinary people of the generated database
        guild = MEASURED_GUILD + (0 if same_server else 100 + w)
        processes.append(
            context.Process(target=_worker, args=(url, person, guild, turns, start_at, model_s, queue))
        )
    for p in processes:
        p.start()
    took: list[float] = [float(queue.get(timeout=600)) for _ in processes]
    for p in processes:
        p.join()
    return workers * turns / max(took)


def memory_here(report: Report, engine: Any, size: Size) -> dict[str, float]:
    """The memory benchmark's first person, with 10,000 facts, in this database: do recall, the prompt's
    memory tokens and retrieval time hold whatever else the database holds?"""
    from sqlalchemy import text
    from sqlalchemy.orm import Session

    from bench.common import percentile
    from bench.retrieval import _key, add_person, load_dataset, load_person, measure, pad_person
    from loyal_companion.local.functions import repo_root

    person = load_dataset(repo_root() / "bench" / "data" / "memory" / "dataset.json")[0]
    asked_on = datetime(2025, 7, 1, 18, 0, tzinfo=UTC)
    discord_id = 420000000000000000
    with Session(engine) as session:
        user_id = add_person(session, person, discord_id)
        pad_person(session, user_id, 10_000 - len({_key(x.text) for x in person.lines}), asked_on)
        load_person(session, person, discord_id, user_id=user_id)
        session.commit()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE user_facts, user_fact_terms, user_entities, user_memory_stats"))
    with Session(engine) as session:
        measure(session, [(person, user_id)], asked_on=asked_on, methods=("ours",))
        scores, _ = measure(session, [(person, user_id)] * 3, asked_on=asked_on, methods=("ours", "bm25"))
    figures = {
        "recall": scores.mean("ours"),
        "bm25": scores.mean("bm25"),
        "tokens_p50": statistics.median(scores.tokens),
        "retrieval_p95_ms": percentile(scores.timings, 0.95) * 1000,
    }
    report(
        f"memory in this database ({person.name} of the memory data set, 10,000 facts, {len(person.questions)} "
        f"questions): evidence recall at 12 {figures['recall']:.1%} (BM25 {figures['bm25']:.1%}), memory "
        f"section p50 {figures['tokens_p50']:.0f} tokens, retrieval p95 {figures['retrieval_p95_ms']:.1f} ms"
    )
    return figures


def _pct(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def bench_scale(report: Report, *, turns: int = 60) -> dict[str, Any]:
    from sqlalchemy import create_engine, text

    from loyal_companion.db import migrate
    from loyal_companion.db.engine import create_db_engine
    from loyal_companion.local.database import start_local_database
    from loyal_companion.local.discord_stub import DiscordStub

    logging.getLogger("loyal_companion").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    figures: dict[str, Any] = {}
    plans: dict[str, list[tuple[str, int, float]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        local = start_local_database(Path(tmp) / "pg")
        try:
            admin = create_engine(local.url("postgres"), isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:  # a bulk load checkpoints less (this server is the bench's own)
                conn.execute(text("ALTER SYSTEM SET max_wal_size = '16GB'"))
                conn.execute(text("ALTER SYSTEM SET checkpoint_timeout = '30min'"))
                conn.execute(text("SELECT pg_reload_conf()"))
            admin.dispose()
            with DiscordStub() as stub:
                for size in (SMALL, LARGE):
                    url = local.ensure_database(f"scale_{size.name}")
                    migrate.upgrade(url)
                    engine = create_db_engine(url)
                    # Generation runs statements of minutes: a connection that waits that long.
                    bulk = create_engine(url, connect_args={"timeout": 1800})
                    now = datetime.now(UTC)
                    started = time.perf_counter()
                    steps = generate(bulk, size, now)
                    with bulk.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                        vacuum = time.perf_counter()
                        conn.execute(text("VACUUM ANALYZE"))
                        steps["vacuum analyze"] = time.perf_counter() - vacuum
                        counts = conn.execute(
                            text(
                                "SELECT (SELECT count(*) FROM users), (SELECT count(*) FROM messages), "
                                "(SELECT count(*) FROM user_facts), (SELECT count(*) FROM user_fact_terms)"
                            )
                        ).one()
                    took = time.perf_counter() - started
                    bulk.dispose()
                    report(
                        f"\n-- {size.name}: {counts[0]:,} people, {counts[1]:,} messages, {counts[2]:,} facts "
                        f"({counts[3]:,} postings); the measured person {size.measured_messages:,} messages and "
                        f"{size.measured_facts:,} facts; generated set-based in {took:.0f} s ("
                        + ", ".join(f"{k} {v:.0f} s" for k, v in steps.items())
                        + ")"
                    )
                    services = offline_services(url, stub.base_url)
                    run_turns(
                        services, list(PLAIN) * 2, discord_id=MEASURED, guild_id=MEASURED_GUILD, label="warm"
                    )
                    plain, trips = run_turns(
                        services,
                        [PLAIN[i % 3] for i in range(turns)],
                        discord_id=MEASURED,
                        guild_id=MEASURED_GUILD,
                        label="plain",
                    )
                    learning, learn_trips = run_turns(
                        services,
                        [_learning(i) for i in range(turns)],
                        discord_id=MEASURED,
                        guild_id=MEASURED_GUILD,
                        label="learn",
                    )
                    row: dict[str, Any] = {
                        "plain_p50": statistics.median(plain) * 1000,
                        "plain_p95": _pct(plain, 0.95) * 1000,
                        "learn_p50": statistics.median(learning) * 1000,
                        "learn_p95": _pct(learning, 0.95) * 1000,
                        "trips": max(trips),
                        "learn_trips": max(learn_trips),
                        "generated_s": took,
                    }
                    report(
                        f"plain turns: p50 {row['plain_p50']:.1f} ms, p95 {row['plain_p95']:.1f} ms, "
                        f"{min(trips)}–{max(trips)} round trips; turns that learn a fact: p50 {row['learn_p50']:.1f} ms, "
                        f"p95 {row['learn_p95']:.1f} ms (target ≤ 100 ms at the large size), "
                        f"{min(learn_trips)}–{max(learn_trips)} round trips"
                    )
                    plans[size.name] = turn_plans(url, stub.base_url, _learning(10_000))
                    row["memory"] = memory_here(report, engine, size)
                    figures[size.name] = row
                    if size is LARGE:
                        for model_s in (0.0, MODEL_S):
                            what = (
                                f"a model taking {model_s * 1000:.0f} ms"
                                if model_s
                                else "no model time (CPU-bound)"
                            )
                            for same in (True, False):
                                rates = {
                                    w: throughput(url, w, same_server=same, model_s=model_s)
                                    for w in (1, 2, 4)
                                }
                                where = "one server" if same else "different servers"
                                report(
                                    f"throughput, {what}, people in {where}: "
                                    + ", ".join(
                                        f"{w} worker{'s' if w > 1 else ''} {r:.1f} turns/s"
                                        for w, r in rates.items()
                                    )
                                    + f" (2 workers {rates[2] / rates[1]:.2f}× one, 4 workers {rates[4] / rates[1]:.2f}×)"
                                )
                                figures[f"throughput {what} {where}"] = rates
                    engine.dispose()
        finally:
            local.stop()
    small, large = figures["small"], figures["large"]
    report(
        f"\nlarge/small: plain turn p50 {large['plain_p50'] / small['plain_p50']:.2f}× (target ≤ 1.5×), "
        f"learning turn p50 {large['learn_p50'] / small['learn_p50']:.2f}×"
    )
    report("buffers each statement of a turn that learns a fact touched (small → large):")
    for (name, b_small, t_small), (_, b_large, t_large) in zip(plans["small"], plans["large"], strict=False):
        grows = " ← grows with the data" if b_large > 2 * b_small + 20 else ""
        report(f"  {name}: {b_small} → {b_large} buffers, {t_small:.2f} → {t_large:.2f} ms{grows}")
    figures["plans"] = plans
    return figures
