"""Facts related to the message by meaning (embeddings in pgvector), end to end on a real PostgreSQL.

The model and the embeddings come from the loopback OpenAI stand-in over real HTTP; its embeddings map
"ocean", "waves" and "surf" to one concept, so a fact can be related to a message it shares no word
with, which the lexical ranking cannot do.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from loyal_companion.db import migrate
from loyal_companion.db.engine import create_db_engine, make_session_factory
from loyal_companion.llm.client import OpenAIChatModel
from loyal_companion.llm.embeddings import OpenAIEmbedder
from loyal_companion.local.discord_stub import DiscordStub
from loyal_companion.memory import vectors
from tests.support.interactions import opt
from tests.support.openai_stub import OpenAIStub
from tests.support.worker import Clock, Worker, make_worker

T0 = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)
PERSON = 310000000000000001
SEA_FACT = "They learned to surf in Cornwall"
OTHER_FACTS = ("They are learning Portuguese", "They grew up in Porto", "They collect old maps")
LONGING = "I miss the ocean so much, I can almost hear the waves"


def _worker(
    session_factory: sessionmaker[Session],
    discord: DiscordStub,
    stub: OpenAIStub,
    *,
    embeddings: str | None = "stub-embed",
    dimensions: int | None = None,
    clock: Clock | None = None,
) -> Worker:
    embedder = (
        OpenAIEmbedder(
            model=embeddings, api_key="k", base_url=stub.base_url, dimensions=dimensions, max_retries=0
        )
        if embeddings
        else None
    )
    model = OpenAIChatModel(api_key="k", base_url=stub.base_url, max_retries=0)
    return make_worker(session_factory, discord, model, clock or Clock(T0), embedder=embedder)


def _settle_person(engine: Engine, *, max_in_prompt: int = 2) -> int:
    """A person the bar knows: a sea fact of low importance and three more important facts."""
    with engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE personalities SET settings = jsonb_set(jsonb_set(settings, "
                "'{facts,max_in_prompt}', CAST(:n AS jsonb)), '{facts,window_turns}', '100')"
            ),
            {"n": str(max_in_prompt)},
        )
        user_id = conn.execute(
            text("INSERT INTO users (discord_id, discord_username) VALUES (:d, 'ana') RETURNING id"),
            {"d": PERSON},
        ).scalar_one()
        for content, importance in [(SEA_FACT, 0.5)] + [(f, 0.8) for f in OTHER_FACTS]:
            conn.execute(
                text(
                    "INSERT INTO user_facts (user_id, fact_type, fact_content, importance, learned_at) "
                    "VALUES (:u, 'general', :c, :i, :t)"
                ),
                {"u": user_id, "c": content, "i": importance, "t": T0 - timedelta(days=3)},
            )
    return int(user_id)


def _system_prompt(stub: OpenAIStub) -> str:
    return str(stub.last_chat["messages"][0]["content"])


def _chat(worker: Worker, message: str) -> str:
    return worker.run("chat", [opt("message", message)], user_id=str(PERSON))


def _embeddings(engine: Engine) -> list[Any]:
    with engine.connect() as conn:
        return list(
            conn.execute(
                text(
                    "SELECT f.fact_content, e.model, vector_dims(e.embedding) AS dims "
                    "FROM user_fact_embeddings e JOIN user_facts f ON f.id = e.fact_id ORDER BY f.id"
                )
            ).all()
        )


def test_a_fact_related_by_meaning_reaches_the_prompt_where_full_text_misses_it(
    session_factory: sessionmaker[Session], engine: Engine, discord: DiscordStub, model_stub: OpenAIStub
) -> None:
    _settle_person(engine)

    # Without embeddings: "ocean" shares no word with the surfing fact, and two more important facts win.
    _chat(_worker(session_factory, discord, model_stub, embeddings=None), LONGING)
    assert "surf" not in _system_prompt(model_stub)
    assert model_stub.embedding_requests == []

    # Embeddings switched on: the first turn embeds the older facts after it replies (the backfill)...
    worker = _worker(session_factory, discord, model_stub)
    _chat(worker, LONGING)
    assert "surf" not in _system_prompt(model_stub)
    assert {row.fact_content for row in _embeddings(engine)} == {SEA_FACT, *OTHER_FACTS}
    # ...in one request after the message's own (two in all).
    assert [len(r["input"]) for r in model_stub.embedding_requests] == [1, 4]

    # ...and from then on, the surfing fact is the one that comes to mind.
    _chat(worker, "I dream of the beach and the waves every night")
    prompt = _system_prompt(model_stub)
    assert SEA_FACT in prompt
    # Unrelated talk leaves the important facts first again: meaning adds to importance, it does not
    # replace it.
    _chat(worker, "long day, nothing much to report")
    assert "surf" not in _system_prompt(model_stub)


def test_facts_learned_in_a_window_are_embedded_when_they_are_stored(
    session_factory: sessionmaker[Session], engine: Engine, discord: DiscordStub, model_stub: OpenAIStub
) -> None:
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE personalities SET settings = jsonb_set(settings, '{facts,window_turns}', '1')")
        )
    model_stub.analysis = {
        "facts": [
            {
                "op": "add",
                "replaces": None,
                "fact_type": "hobby",
                "content": "They play the cello in a quartet",
                "subject": None,
                "subject_role": None,
                "happens_on": None,
                "importance": 0.6,
                "confidence": 0.9,
                "temporal_relevance": "present",
            }
        ],
    }
    worker = _worker(session_factory, discord, model_stub)
    _chat(worker, "Rehearsal with the quartet tonight, my cello needs new strings")

    rows = _embeddings(engine)
    assert [(r.fact_content, r.model, r.dims) for r in rows] == [
        ("They play the cello in a quartet", "stub-embed", 256)
    ]
    # A first-time person has no facts to rank, so the only request is for the new fact.
    assert [r["input"] for r in model_stub.embedding_requests] == [["They play the cello in a quartet"]]


def test_an_embeddings_outage_costs_nothing_but_ranking_for_that_turn(
    session_factory: sessionmaker[Session],
    engine: Engine,
    discord: DiscordStub,
    model_stub: OpenAIStub,
    caplog: pytest.LogCaptureFixture,
) -> None:
    _settle_person(engine)
    worker = _worker(session_factory, discord, model_stub)
    model_stub.embeddings_status = 500
    with caplog.at_level(logging.WARNING, logger="loyal_companion"):
        reply = _chat(worker, LONGING)
    assert reply == "Here's to you. I'm listening."  # the turn itself is untouched
    assert any("ranking facts by their words" in r.getMessage() for r in caplog.records)
    assert _embeddings(engine) == []

    model_stub.embeddings_status = 200  # back: the next turn catches up on what was missed
    _chat(worker, "still here")
    assert len(_embeddings(engine)) == 4
    _chat(worker, LONGING)
    assert SEA_FACT in _system_prompt(model_stub)


def test_a_new_embeddings_model_replaces_the_old_vectors(
    session_factory: sessionmaker[Session], engine: Engine, discord: DiscordStub, model_stub: OpenAIStub
) -> None:
    _settle_person(engine)
    _chat(_worker(session_factory, discord, model_stub), "hello again")
    assert {(r.model, r.dims) for r in _embeddings(engine)} == {("stub-embed", 256)}

    worker = _worker(session_factory, discord, model_stub, embeddings="stub-embed-2", dimensions=64)
    _chat(worker, LONGING)  # old vectors are ignored (never compared across sizes), then replaced
    assert {(r.model, r.dims) for r in _embeddings(engine)} == {("stub-embed-2", 64)}
    _chat(worker, LONGING)
    assert SEA_FACT in _system_prompt(model_stub)


def test_a_remembered_fact_is_related_by_meaning_on_the_next_turn(
    session_factory: sessionmaker[Session], engine: Engine, discord: DiscordStub, model_stub: OpenAIStub
) -> None:
    _settle_person(engine)
    with engine.begin() as conn:  # the settled facts already have embeddings
        conn.execute(text("DELETE FROM user_facts WHERE fact_content = :c"), {"c": SEA_FACT})
    worker = _worker(session_factory, discord, model_stub)
    _chat(worker, "hello")
    worker.run(
        "memory",
        [{"type": 1, "name": "remember", "options": [opt("fact", "I used to go sailing every summer")]}],
        user_id=str(PERSON),
    )
    with engine.connect() as conn:  # its vector came in the same turn
        assert (
            conn.execute(
                text(
                    "SELECT count(*) FROM user_fact_embeddings e JOIN user_facts f ON f.id = e.fact_id "
                    "WHERE f.fact_content = 'They used to go sailing every summer'"
                )
            ).scalar_one()
            == 1
        )
    _chat(worker, LONGING)
    assert "sailing" in _system_prompt(model_stub)


def test_embeddings_are_in_the_export_and_go_with_the_person(
    session_factory: sessionmaker[Session], engine: Engine, discord: DiscordStub, model_stub: OpenAIStub
) -> None:
    _settle_person(engine)
    worker = _worker(session_factory, discord, model_stub)
    _chat(worker, LONGING)
    assert len(_embeddings(engine)) == 4
    worker.run("privacy", [{"type": 1, "name": "export"}], user_id=str(PERSON))
    exported = json.loads(discord.originals()[-1].files["loyal-companion-export.json"])
    assert len(exported["user_fact_embeddings"]) == 4
    worker.run(
        "privacy",
        [{"type": 1, "name": "delete", "options": [opt("confirm", True, 5)]}],
        user_id=str(PERSON),
    )
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM user_fact_embeddings")).scalar_one() == 0


@pytest.fixture
def database_without_vector(pg_admin_url: str) -> Iterator[str]:
    """A database migrated by a role that may not create extensions (as on a server without pgvector)."""
    role = database = f"lc_plain_{os.getpid()}"
    admin = create_db_engine(pg_admin_url, pooled=False)
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        if not conn.execute(text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")).scalar():
            admin.dispose()
            pytest.skip("needs a superuser DATABASE_URL to create a role")
        conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        conn.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
        conn.execute(text(f"CREATE ROLE \"{role}\" LOGIN PASSWORD 'plain'"))
        conn.execute(text(f'CREATE DATABASE "{database}" OWNER "{role}"'))
    url = make_url(pg_admin_url).set(username=role, password="plain", database=database)
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
            conn.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
        admin.dispose()


def test_without_pgvector_migrations_succeed_and_the_companion_still_talks(
    database_without_vector: str,
    discord: DiscordStub,
    model_stub: OpenAIStub,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(vectors, "_warned_not_ready", False)
    migrate.upgrade(database_without_vector)
    assert migrate.current_revision(database_without_vector) == migrate.head_revision()
    assert migrate.fact_similarity(database_without_vector).startswith("off: pgvector is available but not")

    engine = create_db_engine(database_without_vector)
    try:
        _settle_person(engine)
        worker = _worker(make_session_factory(engine), discord, model_stub)
        with caplog.at_level(logging.WARNING, logger="loyal_companion"):
            reply = _chat(worker, "the cello again, and Porto")
            asked = len(model_stub.embedding_requests)
            worker.run(
                "memory",
                [{"type": 1, "name": "remember", "options": [opt("fact", "I like rain")]}],
                user_id=str(PERSON),
            )
        assert len(model_stub.embedding_requests) == asked  # nothing embedded that could not be kept
        assert reply == "Here's to you. I'm listening."
        assert "They grew up in Porto" in _system_prompt(model_stub)  # the lexical ranking still works
        warnings = [r.getMessage() for r in caplog.records if "no user_fact_embeddings" in r.getMessage()]
        assert len(warnings) == 1  # said once per container, not on every turn
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM user_facts")).scalar_one() == 5
    finally:
        engine.dispose()


def test_lc_migrate_says_whether_fact_similarity_is_ready(database_url: str) -> None:
    assert migrate.fact_similarity(database_url).startswith("ready (pgvector 0.")
