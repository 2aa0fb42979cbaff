"""`lc bench turn`: SQL round trips and time per chat turn without the model, for a person with a long history."""

from __future__ import annotations

import logging
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.common import LatencyLink, RoundTrips, percentile, turn_services

Report = Callable[[str], None]


class _HashEmbedder:
    """A deterministic in-process embedder for the benchmark (no model time, like the offline responder)."""

    model = "bench-hash"

    def __init__(self, dimensions: int) -> None:
        self.dimensions = dimensions
        self.calls = 0

    def embed(self, texts: Any) -> list[list[float]]:
        import hashlib

        self.calls += 1
        out = []
        for text in texts:
            seed = hashlib.sha256(str(text).encode()).digest()
            out.append([((seed[i % 32] + i) % 17 - 8) / 8.0 for i in range(self.dimensions)])
        return out


def bench_turn(
    report: Report, *, messages: int = 5000, facts: int = 500, turns: int = 60, dimensions: int = 1536
) -> dict[str, Any]:
    """SQL round trips and time per chat turn without the model, for a person with a long history; then
    the same turns with facts related by meaning (every fact embedded, ``dimensions`` each)."""
    from datetime import UTC, datetime

    from sqlalchemy import text

    from loyal_companion.db import migrate
    from loyal_companion.db.engine import create_db_engine, make_session_factory
    from loyal_companion.db.vector import to_literal
    from loyal_companion.discord.rest import DiscordRest
    from loyal_companion.local.database import start_local_database
    from loyal_companion.local.discord_stub import DiscordStub

    logging.getLogger("loyal_companion").setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory() as tmp:
        local = start_local_database(Path(tmp) / "pg")
        try:
            url = local.ensure_database("bench")
            migrate.upgrade(url)
            engine = create_db_engine(url)
            now = datetime.now(UTC)
            with engine.begin() as conn:
                user_id = conn.execute(
                    text(
                        "INSERT INTO users (discord_id, discord_username) "
                        "VALUES (100000000000000001, 'bench') RETURNING id"
                    )
                ).scalar_one()
                conv_id = conn.execute(
                    text(
                        "INSERT INTO conversations "
                        "(user_id, channel_id, started_at, last_message_at, message_count) VALUES (:u, "
                        "200000000000000001, :t, :t, :n) RETURNING id"
                    ),
                    {"u": user_id, "t": now - timedelta(minutes=1), "n": messages},
                ).scalar_one()
                conn.execute(
                    text(
                        "INSERT INTO messages (conversation_id, user_id, role, content, created_at) "
                        "SELECT :c, :u, CASE WHEN mod(g, 2) = 0 THEN 'user' ELSE 'assistant' END, "
                        "'message number ' || g || ' about the day, the weather and the people in it', "
                        "CAST(:t AS timestamptz) - make_interval(secs => :n - g) FROM generate_series(1, :n) "
                        "g"
                    ),
                    {"c": conv_id, "u": user_id, "t": now - timedelta(minutes=1), "n": messages},
                )
                conn.execute(
                    text(
                        "INSERT INTO user_facts (user_id, fact_type, fact_content, importance, learned_at) "
                        "SELECT :u, 'general', 'remembered thing ' || g || ' about music, work and family', "
                        "mod(g, 10) / 10.0, CAST(:t AS timestamptz) - make_interval(days => mod(g, 300)) "
                        "FROM "
                        "generate_series(1, :n) g"
                    ),
                    {"u": user_id, "t": now, "n": facts},
                )
                embedder = _HashEmbedder(dimensions)
                vectors_sql = text(
                    "INSERT INTO user_fact_embeddings (fact_id, user_id, model, dimensions, embedding) "
                    "SELECT id, user_id, :m, :d, CAST(:v AS vector) FROM user_facts WHERE user_id = :u"
                )
                conn.execute(
                    vectors_sql,
                    {
                        "m": embedder.model,
                        "u": user_id,
                        "d": dimensions,
                        "v": to_literal(embedder.embed(["x"])[0]),
                    },
                )
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                # What autovacuum does within a minute of such a load; without it the planner, still
                # believing the new tables empty, loops over them (a planner artefact, not a steady state).
                conn.execute(text("ANALYZE"))
            figures: dict[str, Any] = {}
            # One session factory per engine, as a container has (runtime.get_session_factory).
            factory = make_session_factory(engine)
            with DiscordStub() as stub:
                patch = _stand_in_patch(DiscordRest(api_base=stub.base_url), turns)
                report(
                    f"the loopback Discord stand-in's own PATCH (part of every turn below): p50 {patch:.2f} ms"
                )
                for label, with_embedder in (("plain", None), ("by meaning", embedder)):
                    services = turn_services(factory, stub.base_url, with_embedder)
                    samples, trips = _turns(services, turns, label)
                    p50, p95 = statistics.median(samples) * 1000, percentile(samples, 0.95) * 1000
                    figures[label] = {"round_trips": max(trips), "p50_ms": p50, "p95_ms": p95}
                    what = (
                        "offline responder (no model time)"
                        if with_embedder is None
                        else f"facts also ranked by meaning ({facts} embedded facts, {dimensions} dimensions, "
                        "in-process embedder: no model time)"
                    )
                    report(
                        f"chat turn with {messages} messages and {facts} facts, {what}, {turns} turns: "
                        f"SQL round trips per turn {min(trips)}–{max(trips)} (target ≤ 8); "
                        f"time per turn p50 {p50:.1f} ms, p95 {p95:.1f} ms (target p50 ≤ 30 ms; includes "
                        "the loopback Discord PATCH)"
                    )
                engine.dispose()
                figures["over a link"] = _turns_over_a_link(
                    report, local.socket_path, stub.base_url, turns=max(10, turns // 2)
                )
        finally:
            local.stop()
    ratio = figures["by meaning"]["p50_ms"] / figures["plain"]["p50_ms"]
    report(f"ranking by meaning costs {ratio:.2f}× the plain turn's p50 (same run, same data)")
    return {**figures["plain"], "by_meaning": figures["by meaning"], "over_a_link": figures["over a link"]}


LINK_ONE_WAY_S = 0.001


def _turns_over_a_link(report: Report, socket_path: str, discord_base: str, *, turns: int) -> dict[str, Any]:
    """The plain turn again, through a loopback proxy that delays every byte by ``LINK_ONE_WAY_S`` each
    way (what the network between Lambda and a hosted Postgres adds to each wait), with pg8000's own
    connection (three waits per statement), one wait per statement, and recurring statements prepared."""

    from sqlalchemy import text

    from loyal_companion.db import driver
    from loyal_companion.db.engine import create_db_engine, make_session_factory

    figures: dict[str, Any] = {}
    with LatencyLink(socket_path, LINK_ONE_WAY_S) as link:
        url = f"postgresql+pg8000://postgres@127.0.0.1:{link.port}/bench"
        modes = (
            ("pg8000's own connection", False, "true"),
            ("one wait per statement", True, "false"),
            ("recurring statements prepared", True, "true"),
        )
        for label, fewer_waits, prepared in modes:
            saved, driver.SUPPORTED = driver.SUPPORTED, fewer_waits and driver.SUPPORTED
            try:
                engine = create_db_engine(f"{url}?prepared_statements={prepared}")
                with engine.connect() as conn:
                    rtt = []
                    for _ in range(20):
                        started = time.perf_counter()
                        conn.execute(text("SELECT 1"))
                        rtt.append(time.perf_counter() - started)
                services = turn_services(make_session_factory(engine), discord_base)
                samples, trips = _turns(services, turns, f"link {label}")
                engine.dispose()
            finally:
                driver.SUPPORTED = saved
            p50 = statistics.median(samples) * 1000
            figures[label] = {"round_trips": max(trips), "p50_ms": p50}
            report(
                f"chat turn over a link of {statistics.median(rtt) * 1000:.1f} ms per round trip (loopback "
                f"proxy), {label}: {max(trips)} round trips per turn, p50 {p50:.1f} ms ({turns} turns)"
            )
    return figures


def _stand_in_patch(rest: Any, calls: int) -> float:
    """Median milliseconds of one reply delivery to the stand-in, alone (a turn's fixed part)."""
    samples = []
    for i in range(calls + 5):
        started = time.perf_counter()
        rest.deliver_reply("1", f"bench-patch-{i}-" + "x" * 40, "a reply of ordinary length", ephemeral=False)
        if i >= 5:
            samples.append(time.perf_counter() - started)
    return statistics.median(samples) * 1000


def _turns(services: Any, turns: int, label: str) -> tuple[list[float], list[int]]:

    from loyal_companion.local.terminal import interaction_for
    from loyal_companion.queue import Envelope
    from loyal_companion.service.worker import process_envelope

    data = {"name": "chat", "type": 1, "options": [{"type": 3, "name": "message", "value": "how was work?"}]}
    samples: list[float] = []
    trips: list[int] = []
    for i in range(turns + 5):
        token = f"bench-{label.replace(' ', '-')}-{i}-" + "x" * 40
        payload = interaction_for(data, token=token, username="bench")
        envelope = Envelope(interaction=payload, received_at=datetime.now(UTC))
        with RoundTrips() as counter:
            start = time.perf_counter()
            process_envelope(envelope, services)
            elapsed = time.perf_counter() - start
        if i >= 5:  # the first turns warm the pool and the statement caches
            samples.append(elapsed)
            trips.append(counter.count)
    return samples, trips
