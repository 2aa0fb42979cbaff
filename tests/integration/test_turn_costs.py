"""What keeps a turn's cost flat as the database grows: counters instead of counting, shares instead of
one row per server, statements that never read a person's history. Timing is `lc bench scale`'s job;
these check the rules a person would notice and the shape of the statements."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session, sessionmaker

from loyal_companion.db.living import TurnEffects, apply_turn_effects
from loyal_companion.db.models import GlobalUsage, PersonUsage, ServerUsage
from loyal_companion.db.turns import _STATE_SQL
from loyal_companion.llm.client import OpenAIChatModel
from loyal_companion.local.discord_stub import DiscordStub
from loyal_companion.service.chat import BUDGET_SPENT, RATE_LIMITED
from tests.support.interactions import opt
from tests.support.openai_stub import OpenAIStub
from tests.support.worker import Clock, make_worker

T0 = datetime(2026, 12, 10, 19, 0, tzinfo=UTC)
GUILD = "600000000000000001"


def test_the_daily_budget_counts_today_only_and_starts_again_tomorrow(
    session_factory: sessionmaker[Session], discord: DiscordStub, model_stub: OpenAIStub
) -> None:
    model = OpenAIChatModel(api_key="k", base_url=model_stub.base_url, max_retries=0)
    worker = make_worker(session_factory, discord, model, Clock(T0), env={"DAILY_TOKENS_PER_PERSON": "100"})
    worker.run("chat", [opt("message", "first")])  # the stand-in reports 55 tokens a streamed call
    worker.clock.now += timedelta(minutes=1)
    worker.run("chat", [opt("message", "second")])
    worker.clock.now += timedelta(minutes=1)
    assert worker.run("chat", [opt("message", "third")]) == BUDGET_SPENT
    worker.clock.now = T0 + timedelta(days=1)
    assert worker.run("chat", [opt("message", "a new day")]) != BUDGET_SPENT
    with session_factory() as s:
        usage = s.scalars(select(PersonUsage)).one()
    assert (usage.day, usage.day_tokens) == ((T0 + timedelta(days=1)).date(), 55)


def test_a_server_budget_is_shared_by_its_people_through_their_own_shares(
    session_factory: sessionmaker[Session], discord: DiscordStub, model_stub: OpenAIStub
) -> None:
    model = OpenAIChatModel(api_key="k", base_url=model_stub.base_url, max_retries=0)
    worker = make_worker(session_factory, discord, model, Clock(T0), env={"DAILY_TOKENS_PER_SERVER": "100"})
    for person in ("310000000000000001", "310000000000000002"):
        worker.clock.now += timedelta(minutes=1)
        worker.run("chat", [opt("message", "hello")], guild_id=GUILD, user_id=person)
    with session_factory() as s:
        shares = s.scalars(select(ServerUsage)).all()
    assert len(shares) == 2 and sum(x.tokens for x in shares) == 110
    third = worker.run("chat", [opt("message", "me too")], guild_id=GUILD, user_id="310000000000000003")
    assert third == BUDGET_SPENT
    # elsewhere, the same person talks as usual
    assert worker.run("chat", [opt("message", "hi")], user_id="310000000000000003") != BUDGET_SPENT


def test_a_deployment_wide_cap_stops_everyone_once_spent_and_starts_again_the_next_day(
    session_factory: sessionmaker[Session], discord: DiscordStub, model_stub: OpenAIStub
) -> None:
    model = OpenAIChatModel(api_key="k", base_url=model_stub.base_url, max_retries=0)
    worker = make_worker(session_factory, discord, model, Clock(T0), env={"DAILY_TOKENS_ALL": "100"})
    for person in ("310000000000000001", "310000000000000002"):  # one in a server, one in a DM
        worker.clock.now += timedelta(minutes=1)
        guild = GUILD if person.endswith("1") else None
        assert worker.run("chat", [opt("message", "hello")], guild_id=guild, user_id=person) != BUDGET_SPENT
    with session_factory() as s:
        shares = s.scalars(select(GlobalUsage)).all()
    assert len(shares) == 2 and sum(x.tokens for x in shares) == 110  # each person's turn writes its share
    assert worker.run("chat", [opt("message", "me too")], user_id="310000000000000003") == BUDGET_SPENT
    worker.clock.now = T0 + timedelta(days=1)
    assert worker.run("chat", [opt("message", "morning")], user_id="310000000000000003") != BUDGET_SPENT


def test_turns_per_minute_are_a_rolling_minute(
    session_factory: sessionmaker[Session], discord: DiscordStub, model_stub: OpenAIStub
) -> None:
    model = OpenAIChatModel(api_key="k", base_url=model_stub.base_url, max_retries=0)
    worker = make_worker(session_factory, discord, model, Clock(T0), env={"TURNS_PER_MINUTE": "2"})
    for seconds in (0, 20):
        worker.clock.now = T0 + timedelta(seconds=seconds)
        assert worker.run("chat", [opt("message", "hi")]) != RATE_LIMITED
    worker.clock.now = T0 + timedelta(seconds=50)
    assert worker.run("chat", [opt("message", "hi")]) == RATE_LIMITED
    worker.clock.now = T0 + timedelta(seconds=65)  # the first turn left the window, the second did not
    assert worker.run("chat", [opt("message", "hi")]) != RATE_LIMITED
    worker.clock.now = T0 + timedelta(seconds=70)
    assert worker.run("chat", [opt("message", "hi")]) == RATE_LIMITED


def test_loading_a_turn_never_reads_the_history_of_messages(engine: Engine) -> None:
    """The guards read counter rows; the statement that loads a turn's state has no messages in it."""
    with engine.connect() as conn:
        plan = "\n".join(
            row[0]
            for row in conn.execute(
                text("EXPLAIN " + str(_STATE_SQL)),
                {
                    "discord_id": 1,
                    "guild_id": 2,
                    "channel_id": 3,
                    "requested": None,
                    "minute_ago": T0,
                    "today": T0.date(),
                    "now": T0,
                    "default_slug": "bartender",
                    "src_yours": "a",
                    "src_own_persona": "b",
                    "src_personality": "c",
                    "src_default": "d",
                },
            )
        )
    assert " messages " not in plan and "fact_associations" not in plan


class _Recorder:
    """Stands in for a session: keeps the statement and parameters instead of running them."""

    def __init__(self) -> None:
        self.calls: list[tuple[Any, dict[str, Any]]] = []

    def execute(self, statement: Any, params: dict[str, Any]) -> Any:
        self.calls.append((statement, params))
        raise _Recorded


class _Recorded(Exception):
    pass


def test_writing_a_turn_reaches_the_servers_mood_through_its_index_however_many_servers(
    engine: Engine,
) -> None:
    """A server's share of the mood (and its drift) is found by the unique index, never a scan over every
    server's: with 50,000 shares the turn's statement has no sequential scan of mood_shards."""
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO mood_shards (guild_id, shard, valence_offset, arousal_offset, updated_at) "
                "SELECT g / 16, mod(g, 16), 0.1, 0.1, now() FROM generate_series(16, 50015) g"
            )
        )
        conn.execute(text("ANALYZE mood_shards"))
    for guild in (1234, None):
        effects = TurnEffects(
            user_id=7, guild_id=guild, channel_id=5, now=T0, dv=0.1, da=0.0, valence_after=0.2,
            arousal_after=0.0, rate_per_hour=0.05, meaningful=True, why="x", score_delta=1.0, positive=True,
            negative=False, length=10, depth=2, style=None, sentiment=0.5,
        )  # fmt: skip
        recorder = _Recorder()
        with contextlib.suppress(_Recorded):
            apply_turn_effects(recorder, effects)  # type: ignore[arg-type]
        statement, params = recorder.calls[0]
        with engine.connect() as conn:
            plan = "\n".join(r[0] for r in conn.execute(text("EXPLAIN " + statement.text), params))
        assert "mood_shards" in plan
        assert "Seq Scan on mood_shards" not in plan, plan
