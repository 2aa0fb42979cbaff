"""Proactive runners that overlap are separate processes: their bot calls share one pace, kept in
PostgreSQL, and one run at a time holds the job's lease."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from loyal_companion.db.engine import create_db_engine
from loyal_companion.db.pacing import SharedPacer
from loyal_companion.db.uow import UnitOfWork
from loyal_companion.discord.rest import DiscordRest, RequestPacer
from loyal_companion.jobs.proactive import ProactiveDeps, run_proactive
from loyal_companion.jobs.state import RUN_LEASE
from loyal_companion.llm.offline import OfflineResponder
from loyal_companion.local.discord_stub import DiscordStub
from tests.support.worker import Clock

T0 = datetime(2026, 11, 22, 15, 0, tzinfo=UTC)


def _send_from_three_runners(stub: DiscordStub, pacers: list[RequestPacer]) -> list[BaseException]:
    """Three runners, each with its own client and pacer (as three processes have), 12 messages each."""
    errors: list[BaseException] = []

    def send(pacer: RequestPacer, n: int) -> None:
        client = DiscordRest(api_base=stub.base_url, bot_token="bot-" + "t" * 40, pacer=pacer, max_attempts=1)
        try:
            for i in range(12):
                client.create_message("123", f"message {n}-{i}")
        except BaseException as exc:  # collected and asserted by the caller
            errors.append(exc)

    threads = [threading.Thread(target=send, args=(p, n)) for n, p in enumerate(pacers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return errors


def test_runners_with_a_pace_each_exceed_the_limit_and_a_shared_pace_keeps_under_it(
    database_url: str,
) -> None:
    # Baseline, in the same run: each runner paces itself at 18/s, together 54/s against a limit of 20.
    with DiscordStub(rate_limit_per_second=20) as limited:
        _send_from_three_runners(limited, [RequestPacer(18) for _ in range(3)])
        assert limited.rate_limited > 0
    # Each runner with its own engine and SharedPacer (nothing shared in memory): not one 429.
    engines = [create_db_engine(database_url) for _ in range(3)]
    try:
        with DiscordStub(rate_limit_per_second=20) as limited:
            errors = _send_from_three_runners(limited, [SharedPacer(e, 18) for e in engines])
            assert errors == []
            assert len(limited.channel_messages()) == 36
            assert limited.rate_limited == 0
    finally:
        for e in engines:
            e.dispose()


def test_a_global_429_pauses_every_runner_through_the_shared_pace(engine: Engine) -> None:
    first, second = SharedPacer(engine, 10), SharedPacer(engine, 10)
    first.pause(2.0)
    assert 1.5 < second.reserve() <= 2.0  # the other runner waits too


def _deps(session_factory: sessionmaker[Session], discord: DiscordStub, clock: Clock) -> ProactiveDeps:
    return ProactiveDeps(
        unit_of_work=lambda: UnitOfWork(session_factory),
        discord=DiscordRest(api_base=discord.base_url, bot_token="bot-" + "t" * 40, sleep=lambda s: None),
        model=OfflineResponder(),
        clock=clock,
    )


def test_one_run_at_a_time_holds_the_lease(
    session_factory: sessionmaker[Session], engine: Engine, discord: DiscordStub
) -> None:
    clock = Clock(T0)
    with engine.begin() as conn:  # a run in another process is working
        conn.execute(
            text("INSERT INTO job_leases (name, holder, held_until) VALUES ('proactive', 'other', :t)"),
            {"t": T0 + RUN_LEASE},
        )
    result = run_proactive(_deps(session_factory, discord, clock))
    assert result.leased_elsewhere and result.claimed == 0
    clock.now = T0 + RUN_LEASE + timedelta(seconds=1)  # that run died: its lease lapses
    result = run_proactive(_deps(session_factory, discord, clock))
    assert not result.leased_elsewhere
    with engine.connect() as conn:  # and a run lets go of the lease when it ends
        assert conn.execute(text("SELECT count(*) FROM job_leases")).scalar() == 0
