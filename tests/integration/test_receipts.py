"""Receipts (the stored replies that make a redelivered record exactly-once) live only as long as a
redelivery can need them: an hour. A person's older ones go when they next write; everyone's, and claims
of workers that died mid-turn, go in the scheduled run."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from loyal_companion.db.repositories import RECEIPT_KEEP
from loyal_companion.db.uow import UnitOfWork
from loyal_companion.discord.rest import DiscordRest
from loyal_companion.jobs.proactive import ProactiveDeps, run_proactive
from loyal_companion.llm.offline import OfflineResponder
from loyal_companion.local.discord_stub import DiscordStub
from loyal_companion.queue import Envelope
from loyal_companion.service.worker import process_envelope
from tests.support.interactions import opt
from tests.support.worker import Clock, make_worker

T0 = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)
ANA, BEN = "300000000000000001", "300000000000000002"


def _receipts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT u.discord_id, count(*) FROM interaction_receipts r JOIN users u ON u.id = r.user_id "
                "GROUP BY u.discord_id"
            )
        ).all()
    return {str(r[0]): int(r[1]) for r in rows}


def test_receipts_are_kept_an_hour_then_dropped_on_write_and_by_the_scheduled_run(
    session_factory: sessionmaker[Session], engine: Engine, discord: DiscordStub
) -> None:
    clock = Clock(T0)
    worker = make_worker(session_factory, discord, OfflineResponder(), clock)
    first = worker.run("chat", [opt("message", "Long day at the docks.")], user_id=ANA)
    worker.run("mood", user_id=ANA)
    worker.run("chat", [opt("message", "Just saying hello.")], user_id=BEN)
    assert _receipts(engine) == {ANA: 2, BEN: 1}

    # While the token lives a redelivered record is answered from its receipt: the same reply, nothing
    # redone; later, a redelivery of an answered turn is no missed turn (no "your message was missed" DM).
    for minutes in (10, 50):
        clock.now = T0 + timedelta(minutes=minutes)
        process_envelope(Envelope(interaction=worker.sent[0], received_at=clock.now), worker.services)
    assert discord.messages[f"original:{worker.sent[0]['token']}"].said == first
    assert [c for c in discord.calls if c.method == "POST"] == []
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM messages")).scalar() == 4  # two turns, stored once

    # Past the hour, Ana's next command drops her own old receipts; Ben's wait for the scheduled run.
    clock.now = T0 + RECEIPT_KEEP + timedelta(minutes=1)
    worker.run("relationship", user_id=ANA)
    assert _receipts(engine) == {ANA: 1, BEN: 1}

    with engine.begin() as conn:  # a worker that died holding a claim long ago
        conn.execute(
            text("INSERT INTO interaction_claims (interaction_id, claimed_until) VALUES (42, :t)"),
            {"t": T0},
        )
    deps = ProactiveDeps(
        unit_of_work=lambda: UnitOfWork(session_factory),
        discord=DiscordRest(api_base=discord.base_url, bot_token="bot-" + "t" * 40, sleep=lambda s: None),
        model=OfflineResponder(),
        clock=clock,
    )
    clock.now = T0 + 2 * RECEIPT_KEEP + timedelta(minutes=2)
    result = run_proactive(deps)
    assert result.receipts_dropped == 2  # Ana's from the last step and Ben's
    assert _receipts(engine) == {}
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM interaction_claims")).scalar() == 0
        assert conn.execute(text("SELECT count(*) FROM users")).scalar() == 2  # only receipts went
