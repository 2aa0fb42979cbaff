"""/privacy delete removes every row that refers to the person, in every table (walking the catalogue)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from loyal_companion.llm.offline import OfflineResponder
from loyal_companion.local.discord_stub import DiscordStub
from tests.support.interactions import opt
from tests.support.worker import Clock, make_worker

T0 = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)


def _references_to_users(engine: Engine) -> list[tuple[str, str]]:
    with engine.connect() as conn:
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
    return [(str(r[0]), str(r[1])) for r in rows]


def test_delete_leaves_no_row_that_refers_to_the_person(
    session_factory: sessionmaker[Session], engine: Engine, discord: DiscordStub
) -> None:
    worker = make_worker(session_factory, discord, OfflineResponder(), Clock(T0))
    worker.run(
        "chat",
        [opt("message", "My dog is called Biscuit and my interview is on Friday!")],
        guild_id="600000000000000001",
    )
    worker.run(
        "persona", [{"type": 1, "name": "set", "options": [opt("description", "A night-shift nurse")]}]
    )
    worker.run("remind", [opt("when", "in 2 hours"), opt("what", "call mum")])
    worker.run("birthday", [{"type": 1, "name": "set", "options": [opt("date", "29 February")]}])
    worker.run("checkins", [{"type": 1, "name": "on"}])
    worker.run(
        "server",
        [{"type": 1, "name": "checkins-channel", "options": [opt("channel", "700", 7)]}],
        guild_id="600000000000000001",
    )
    with engine.connect() as conn:
        user_id = conn.execute(text("SELECT id FROM users")).scalar_one()
    references = _references_to_users(engine)
    assert len(references) >= 12
    with engine.connect() as conn:
        before = sum(
            int(conn.execute(text(f"SELECT count(*) FROM {t} WHERE {c} = :u"), {"u": user_id}).scalar_one())
            for t, c in references
        )
    assert before >= 10  # the person really is all over the schema

    export = worker.run("privacy", [{"type": 1, "name": "export"}])
    assert "everything I have stored" in export
    worker.run("privacy", [{"type": 1, "name": "delete", "options": [opt("confirm", True, 5)]}])

    with engine.connect() as conn:
        for table, column in references:
            count = conn.execute(
                text(f"SELECT count(*) FROM {table} WHERE {column} = :u"), {"u": user_id}
            ).scalar_one()
            assert count == 0, f"{table}.{column}"
        assert conn.execute(text("SELECT count(*) FROM users")).scalar_one() == 0
        # Their facts are gone, and so is every association that pointed at them.
        assert conn.execute(text("SELECT count(*) FROM user_facts")).scalar_one() == 0
