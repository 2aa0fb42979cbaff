"""`lc bench memory`, last part: what one chat turn reads of a person's memory at 500, 5,000 and 50,000 facts.

One person in a server, their memory filled set-based (``bench.retrieval.pad_person``; with embeddings, a
vector for every fact, random, generated in PostgreSQL: the cost does not depend on what they mean), then
one chat turn through the worker with a message that teaches a new fact, each of its statements run
again under EXPLAIN (ANALYZE, BUFFERS) (``bench.common.turn_plans``). A turn whose cost follows the size of
a person's memory shows here as a statement whose buffers grow from column to column.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

Report = Callable[[str], None]


SIZES = (500, 5_000, 50_000)


def bench_memory_turn(
    report: Report, *, sizes: Sequence[int] = SIZES, embedder: Any = None
) -> dict[str, Any]:
    from sqlalchemy import text
    from sqlalchemy.orm import Session

    from bench import common
    from bench.common import bench_database
    from bench.retrieval import pad_person
    from loyal_companion.db.engine import create_db_engine
    from loyal_companion.local.discord_stub import DiscordStub
    from loyal_companion.queue import Envelope
    from loyal_companion.service.worker import process_envelope

    logging.getLogger("loyal_companion").setLevel(logging.WARNING)
    figures: dict[str, dict[str, int]] = {}
    labels = ["no embeddings"] + (["with embeddings"] if embedder is not None else [])
    for label in labels:
        with tempfile.TemporaryDirectory() as tmp:
            local, url = bench_database(tmp)
            discord = DiscordStub().start()
            try:
                engine = create_db_engine(url)
                services = common.offline_services(url, discord.base_url, engine)
                first = common.chat_interaction(
                    "hello there", discord_id=common.MEASURED, guild_id=common.MEASURED_GUILD,
                    token="first-" + "x" * 60,
                )  # fmt: skip
                process_envelope(Envelope(interaction=first, received_at=datetime.now(UTC)), services)
                for i, size in enumerate(sizes):
                    with Session(engine) as session:
                        user_id = session.execute(
                            text("SELECT id FROM users WHERE discord_id = :d"), {"d": common.MEASURED}
                        ).scalar_one()
                        pad_person(session, user_id, size, datetime(2026, 1, 1, tzinfo=UTC))
                        if label == "with embeddings":
                            _random_vectors(session, user_id, embedder.model, 384)
                        session.commit()
                    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                        conn.execute(text("VACUUM ANALYZE"))
                    message = f"I live in Porto{i} now and my sister Maya{i} loves knitting scarves"
                    with_embedder = embedder if label == "with embeddings" else None
                    for name, buffers, _ms in common.turn_plans(
                        url, discord.base_url, message, with_embedder
                    ):
                        figures.setdefault(f"{label}: {name}", {})[f"{size}"] = buffers
                engine.dispose()
            finally:
                discord.stop()
                local.stop()
    report(
        f"one chat turn's statements, shared buffers touched at {', '.join(f'{s:,}' for s in sizes)} facts:"
    )
    for name, by_size in figures.items():
        cells = "  ".join(f"{by_size.get(str(s), 0):>6}" for s in sizes)
        report(f"  {name:<62} {cells}")
    return figures


def _random_vectors(session: Any, user_id: int, model: str, dims: int) -> None:
    from sqlalchemy import text

    session.execute(
        text(
            "INSERT INTO user_fact_embeddings (fact_id, user_id, model, dimensions, embedding) "
            "SELECT f.id, f.user_id, :m, :d, "
            "CAST(ARRAY(SELECT random() - 0.5 + 0 * f.id FROM generate_series(1, :d)) AS vector) "
            "FROM user_facts f WHERE f.user_id = :u AND f.is_active "
            "AND NOT EXISTS (SELECT 1 FROM user_fact_embeddings e WHERE e.fact_id = f.id)"
        ),
        {"u": user_id, "m": model, "d": dims},
    )
