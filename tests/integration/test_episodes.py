"""Episodes: when a conversation ends, a model summarises what happened into dated lines that recall finds
later — through the real worker, the scheduled run, PostgreSQL and a loopback OpenAI stand-in."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from loyal_companion.db.models import UserFact
from loyal_companion.db.uow import UnitOfWork
from loyal_companion.discord.rest import DiscordRest
from loyal_companion.jobs.proactive import ProactiveDeps, run_proactive
from loyal_companion.llm.client import OpenAIChatModel
from loyal_companion.llm.offline import OfflineResponder
from loyal_companion.local.discord_stub import DiscordStub
from tests.support.interactions import opt
from tests.support.openai_stub import OpenAIStub
from tests.support.worker import Clock, Worker, make_worker

T0 = datetime(2027, 5, 8, 19, 0, tzinfo=UTC)  # a Saturday
PERSON = "350000000000000001"
POTTERY = "Sam went to their first pottery class and made a wonky bowl their teacher Glenda liked"
TWINS = "On Saturday 8 May 2027 Sam's sister Maya told them she is expecting twins"


class Diarist:
    """The stand-in's reading: episodes for an "episodes" request (recorded), no facts for a window."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def __call__(self, request: dict[str, Any]) -> dict[str, Any]:
        if request["response_format"]["json_schema"]["name"] != "episodes":
            return {"facts": []}
        self.asked.append(request["messages"][-1]["content"])
        return {"episodes": [{"day": "2027-05-07", "line": POTTERY}, {"day": "2027-05-08", "line": TWINS}]}


def _worker(session_factory: sessionmaker[Session], discord: DiscordStub, stub: OpenAIStub) -> Worker:
    model = OpenAIChatModel(api_key="k", base_url=stub.base_url, max_retries=0)
    return make_worker(session_factory, discord, model, Clock(T0))


def _deps(session_factory: sessionmaker[Session], discord: DiscordStub, worker: Worker) -> ProactiveDeps:
    return ProactiveDeps(
        unit_of_work=lambda: UnitOfWork(session_factory),
        discord=DiscordRest(api_base=discord.base_url, bot_token="bot-" + "t" * 40, sleep=lambda s: None),
        model=worker.services.model,
        clock=worker.clock,
    )


def _say(worker: Worker, *lines: str) -> None:
    for line in lines:
        worker.clock.now += timedelta(minutes=2)
        worker.run("chat", [opt("message", line)], user_id=PERSON)


def _episodes(session_factory: sessionmaker[Session]) -> list[tuple[str, date | None]]:
    with session_factory() as s:
        rows = s.execute(
            select(UserFact.fact_content, UserFact.happens_on)
            .where(UserFact.fact_type == "episode", UserFact.is_active)
            .order_by(UserFact.id)
        ).all()
    return [(r.fact_content, r.happens_on) for r in rows]


def test_a_conversation_that_ended_is_summarised_into_dated_lines_that_recall_finds_later(
    session_factory: sessionmaker[Session], discord: DiscordStub, model_stub: OpenAIStub
) -> None:
    diarist = Diarist()
    model_stub.analyse = diarist
    worker = _worker(session_factory, discord, model_stub)
    _say(worker, "I went to my first pottery class yesterday!", "Also Maya rang, she's expecting twins")
    deps = _deps(session_factory, discord, worker)
    assert run_proactive(deps).episodes == 0  # the conversation has not ended yet

    worker.clock.now += timedelta(hours=2)
    assert run_proactive(deps).episodes == 2
    assert "[Saturday 8 May 2027]" in diarist.asked[0]  # the day each part was said
    assert "pottery class yesterday" in diarist.asked[0]
    assert _episodes(session_factory) == [
        (f"On Friday 7 May 2027, {POTTERY}", date(2027, 5, 7)),  # the day written in when it had none
        (TWINS, date(2027, 5, 8)),
    ]
    assert run_proactive(deps).episodes == 0 and len(diarist.asked) == 1  # summarised once

    worker.clock.now += timedelta(days=20)
    _say(worker, "When was that ceramics thing I tried?")
    system = model_stub.last_chat["messages"][0]["content"]
    assert f"On Friday 7 May 2027, {POTTERY}" in system


def test_a_conversation_that_goes_on_is_summarised_again_when_it_ends_again(
    session_factory: sessionmaker[Session], discord: DiscordStub, model_stub: OpenAIStub
) -> None:
    diarist = Diarist()
    model_stub.analyse = diarist
    worker = _worker(session_factory, discord, model_stub)
    deps = _deps(session_factory, discord, worker)
    _say(worker, "I went to my first pottery class yesterday!")
    worker.clock.now += timedelta(hours=2)
    run_proactive(deps)
    _say(worker, "Back again. Glenda says my bowl has character")
    worker.clock.now += timedelta(hours=2)
    run_proactive(deps)
    assert len(diarist.asked) == 2 and "bowl has character" in diarist.asked[1]
    assert len(_episodes(session_factory)) == 2  # the same lines are not kept twice


def test_what_was_said_in_a_crisis_never_reaches_the_diary(
    session_factory: sessionmaker[Session], discord: DiscordStub, model_stub: OpenAIStub
) -> None:
    diarist = Diarist()
    model_stub.analyse = diarist
    worker = _worker(session_factory, discord, model_stub)
    _say(worker, "I went to my first pottery class yesterday!", "honestly I want to kill myself tonight")
    worker.clock.now += timedelta(hours=2)
    run_proactive(_deps(session_factory, discord, worker))
    assert "pottery" in diarist.asked[0] and "kill" not in diarist.asked[0]


def test_with_no_model_nothing_is_summarised_and_each_fact_keeps_its_day(
    session_factory: sessionmaker[Session], discord: DiscordStub
) -> None:
    worker = make_worker(session_factory, discord, OfflineResponder(), Clock(T0))
    _say(worker, "My sister Maya is expecting twins")
    worker.clock.now += timedelta(hours=2)
    deps = _deps(session_factory, discord, worker)
    assert run_proactive(deps).episodes == 0
    worker.clock.now += timedelta(days=3)
    with session_factory() as s:
        learned = s.scalars(select(UserFact.learned_at).where(UserFact.fact_type != "episode")).all()
    assert learned and all(at.date() == T0.date() for at in learned)
