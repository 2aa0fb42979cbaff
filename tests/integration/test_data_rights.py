"""Data rights, checked against the whole catalogue rather than a list we keep by hand.

Two people talk in the same server. The first gives the companion state in every table a person can
reach (conversations in a server and in a DM, facts, an entity, embeddings, an association with the
second person's fact, reminders, a birthday, check-ins, a persona, a personality, a channel set up, a
message they asked about), with words nobody else uses planted in what they say. Then:

- the export holds every table that holds their rows, found by walking the catalogue: every foreign key
  to ``users``, every column named like a person's id, and every row whose text holds their words or
  their Discord id;
- after ``/privacy delete`` the same walk finds nothing of theirs, and no row of the second person is
  lost;
- their words never reached a log line, nor a row shared with other people (the server's opinions keep
  only topics of a fixed list, and nothing from a DM).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, text
from sqlalchemy.orm import Session, sessionmaker

from loyal_companion.living.assessment import TOPICS
from loyal_companion.llm.embeddings import OpenAIEmbedder
from loyal_companion.llm.offline import OfflineResponder
from loyal_companion.local.discord_stub import DiscordStub
from loyal_companion.queue import Envelope
from loyal_companion.service.worker import process_envelope
from tests.support.interactions import command, opt, snowflake, sub
from tests.support.openai_stub import OpenAIStub
from tests.support.worker import Clock, Worker, make_worker

T0 = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)
GUILD = "600000000000000001"
CHANNEL = "400000000000000009"
ANA = "310000000000000777"  # the person who asks to be forgotten
BEN = "310000000000000888"  # the person beside her
# Words only Ana ever says: any row or log line that holds one after her deletion is hers.
PLANTED = ("zorblax", "vellamyra", "quillimore", "brindleknot", "ottoline")
BENS_WORD = "plumbago"
# Columns that name a person by our own id, whatever the table (a reference without a foreign key would
# survive a cascade).
PERSON_ID_COLUMNS = ("user_id", "created_by", "owner_id", "trigger_user_id")


def _say(
    worker: Worker,
    who: str,
    name: str,
    options: list[dict[str, Any]] | None = None,
    *,
    guild: bool = True,
    display: str = "Someone",
    **data: Any,
) -> str:
    """One interaction from ``who`` at the clock's time, through the worker; the final reply text."""
    token = f"tok-{len(worker.sent)}-" + "x" * 40
    payload = command(
        name,
        options,
        user_id=who,
        guild_id=GUILD if guild else None,
        channel_id=CHANNEL if guild else "400000000000000555",
        interaction_id=snowflake(worker.clock.now.timestamp() * 1000),
        token=token,
        **data,
    )
    person = payload["member"]["user"] if guild else payload["user"]
    person.update(username=display.lower(), global_name=display)
    worker.sent.append(payload)
    process_envelope(Envelope(interaction=payload, received_at=worker.clock.now), worker.services)
    worker.clock.now += timedelta(seconds=30)
    return worker.discord.messages[f"original:{token}"].content


def _tables(conn: Connection) -> list[str]:
    rows = conn.execute(
        text("SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version'")
    )
    return sorted(str(r[0]) for r in rows)


def _references_to_users(conn: Connection) -> list[tuple[str, str]]:
    rows = conn.execute(
        text(
            """
            SELECT cl.relname, a.attname
            FROM pg_constraint c
            JOIN pg_class cl ON cl.oid = c.conrelid
            JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)
            WHERE c.contype = 'f' AND c.confrelid = 'users'::regclass
            """
        )
    ).all()
    return sorted((str(r[0]), str(r[1])) for r in rows)


def _person_id_columns(conn: Connection) -> list[tuple[str, str]]:
    rows = conn.execute(
        text(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = 'public' AND column_name = ANY (:names)"
        ),
        {"names": list(PERSON_ID_COLUMNS)},
    ).all()
    return sorted((str(r[0]), str(r[1])) for r in rows)


def _holding(conn: Connection, user_id: int, discord_id: str, words: tuple[str, ...]) -> dict[str, int]:
    """Rows per table that belong to the person: by foreign key, by id column, or by their words or
    Discord id anywhere in the row (every text, JSON and number column, read as the row's text)."""
    found: dict[str, set[str]] = {}
    for table, column in sorted(set(_references_to_users(conn)) | set(_person_id_columns(conn))):
        keys = conn.execute(text(f"SELECT ctid::text FROM {table} WHERE {column} = :u"), {"u": user_id})
        found.setdefault(table, set()).update(str(k[0]) for k in keys)
    pattern = "%(" + "|".join([*words, discord_id]) + ")%"
    for table in _tables(conn):
        keys = conn.execute(
            text(f"SELECT ctid::text FROM {table} t WHERE lower(CAST(t AS text)) SIMILAR TO :p"),
            {"p": pattern},
        )
        found.setdefault(table, set()).update(str(k[0]) for k in keys)
    return {table: len(keys) for table, keys in found.items() if keys}


def _person(conn: Connection, discord_id: str) -> int:
    return int(
        conn.execute(text("SELECT id FROM users WHERE discord_id = :d"), {"d": int(discord_id)}).scalar_one()
    )


@pytest.fixture
def stub() -> Iterator[OpenAIStub]:
    server = OpenAIStub().start()
    try:
        yield server
    finally:
        server.stop()


def test_export_holds_every_table_of_theirs_and_delete_leaves_nothing(
    session_factory: sessionmaker[Session],
    engine: Engine,
    discord: DiscordStub,
    stub: OpenAIStub,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    embedder = OpenAIEmbedder(model="stub-embed", api_key="k", base_url=stub.base_url, max_retries=0)
    worker = make_worker(session_factory, discord, OfflineResponder(), Clock(T0), embedder=embedder)

    def ana(name: str, options: list[dict[str, Any]] | None = None, **kw: Any) -> str:
        return _say(worker, ANA, name, options, display="Ottoline", **kw)

    def ben(name: str, options: list[dict[str, Any]] | None = None, **kw: Any) -> str:
        return _say(worker, BEN, name, options, display="Ben", **kw)

    ana("chat", [opt("message", "My dog Zorblax is so sick this week and I'm scared.")])
    ana("chat", [opt("message", "I love jazz, it keeps me going.")])
    ana(
        "chat",
        [opt("message", "My dad died in March and I miss him so much. I'm so sad, everything is awful!")],
    )
    ben("chat", [opt("message", "My dog Plumbago is sick too, poor thing.")])
    ben("chat", [opt("message", "I love jazz too.")])
    ana("chat", [opt("message", "I work as a nurse at Quillimore hospital, nights mostly.")])
    ana(
        "chat", [opt("message", "My sister Vellamyra gets married on 14 June and I love music!")], guild=False
    )
    ana("memory", sub("remember", [opt("fact", "I keep a lucky stone called Brindleknot")]))
    ana("persona", sub("set", [opt("description", "A night nurse from Quillimore")]), guild=False)
    ana("personality", sub("use", [opt("name", "bartender")]), guild=False)
    ana("remind", [opt("when", "in 2 hours"), opt("what", "call Vellamyra about the flowers")], guild=False)
    ana("birthday", sub("set", [opt("date", "29 February")]), guild=False)
    ana("checkins", sub("on"), guild=False)
    ana("server", sub("checkins-channel", [opt("channel", "700", 7)]))
    ana(
        "Ask the Bartender",
        kind=3,
        target_id="900",
        resolved={"messages": {"900": {"id": "900", "content": "Zorblax ate my slipper again"}}},
    )

    with engine.connect() as conn:
        ana_id, ben_id = _person(conn, ANA), _person(conn, BEN)
        tables = _tables(conn)
        before = _holding(conn, ana_id, ANA, PLANTED)
        bens_before = _holding(conn, ben_id, BEN, (BENS_WORD,))
        # Ana's fact and Ben's are linked (common ground), and that link is a row of hers as well.
        links = int(
            conn.execute(
                text(
                    "SELECT count(*) FROM fact_associations a "
                    "JOIN user_facts f ON f.id IN (a.fact_id_1, a.fact_id_2) WHERE f.user_id = :u"
                ),
                {"u": ana_id},
            ).scalar_one()
        )
        embedded = int(
            conn.execute(
                text(
                    "SELECT count(*) FROM user_fact_embeddings e "
                    "JOIN user_facts f ON f.id = e.fact_id WHERE f.user_id = :u"
                ),
                {"u": ana_id},
            ).scalar_one()
        )
        opinions = conn.execute(text("SELECT guild_id, topic FROM bot_opinions ORDER BY topic")).all()
    assert links >= 1 and embedded >= 3
    if links:
        before["fact_associations"] = links
    if embedded:
        before["user_fact_embeddings"] = embedded
    # She really is all over the schema: every table a person's commands reach holds a row of hers.
    assert set(before) >= {
        "users", "conversations", "messages", "user_facts", "user_fact_terms", "user_fact_embeddings",
        "user_entities", "user_memory_stats", "fact_associations", "user_relationships",
        "user_communication_styles", "user_preferences", "scheduled_events", "personas", "mood_history",
        "person_usage", "interaction_receipts", "activated_channels",
    }, sorted(before)  # fmt: skip
    # Shared rows hold only topics of the fixed list, from the server; her DM ("music") reinforced none.
    assert opinions and all(guild == int(GUILD) and topic in TOPICS for guild, topic in opinions)
    assert "music" not in [topic for _, topic in opinions]

    _say(worker, ANA, "privacy", sub("export"), display="Ottoline", guild=False)
    exported = json.loads(next(iter(discord.originals()[-1].files.values())))
    assert exported["user"]["discord_id"] == int(ANA)
    missing = {t: n for t, n in before.items() if t != "users" and len(exported.get(t) or []) < n}
    assert missing == {}, f"the export misses rows of: {missing}"
    assert set(exported) - {"user"} <= set(tables)  # named after the tables, nothing invented
    assert all(word in json.dumps(exported).lower() for word in PLANTED)

    done = _say(
        worker, ANA, "privacy", sub("delete", [opt("confirm", True, 5)]), display="Ottoline", guild=False
    )
    assert done.startswith("Done.")

    with engine.connect() as conn:
        after = _holding(conn, ana_id, ANA, PLANTED)
        bens_after = _holding(conn, ben_id, BEN, (BENS_WORD,))
        assert (
            conn.execute(text("SELECT count(*) FROM users WHERE discord_id = :d"), {"d": int(ANA)}).scalar()
            == 0
        )
    assert after == {}, f"rows of the deleted person remain: {after}"
    assert bens_after == bens_before  # not one row of the person beside her lost
    assert bens_before.get("user_facts", 0) >= 1

    # Nothing she said reached a log line (message, arguments or structured fields).
    logged = "\n".join(f"{r.getMessage()} {r.__dict__}".lower() for r in caplog.records)
    assert len(caplog.records) > 20
    assert [w for w in PLANTED if w in logged] == []
