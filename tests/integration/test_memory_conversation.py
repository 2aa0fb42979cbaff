"""Memory as two people in one server meet it: a scripted 30-turn evening, then the same subjects raised
again hours later, through the real worker, PostgreSQL and (for the model) a loopback OpenAI stand-in
that records every request.

With a model: the stand-in reads each window the way a good model would (the facts each line states,
scripted below) and the test checks what the pipeline does with them: every stated fact learned (none
lost between windows or at the end of the conversation), the relevant ones in the prompts of the later
turns (private ones too, when the person raises them; never volunteered otherwise), nothing of one
person in the other's prompts, and the model called about once per turn. With no model: the offline
reading learns most plainly stated facts on its own.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from loyal_companion.db.models import User, UserFact
from loyal_companion.db.uow import UnitOfWork
from loyal_companion.discord.rest import DiscordRest
from loyal_companion.jobs.proactive import ProactiveDeps, run_proactive
from loyal_companion.llm.client import OpenAIChatModel
from loyal_companion.llm.offline import OfflineResponder
from loyal_companion.local.discord_stub import DiscordStub
from tests.support.interactions import opt
from tests.support.openai_stub import OpenAIStub
from tests.support.worker import Clock, Worker, make_worker

T0 = datetime(2026, 12, 10, 19, 0, tzinfo=UTC)
GUILD = "600000000000000001"
ANA, BEN = "310000000000000001", "320000000000000002"
NAMES = {ANA: "Ana", BEN: "Ben"}


@dataclass(frozen=True)
class Stated:
    """A fact a line states, as a good model would write it; ``keys`` are the words any stored version of
    it must hold; ``plain``: said plainly enough that the offline reading should find it too."""

    content: str
    fact_type: str
    keys: tuple[str, ...]
    subject: str | None = None
    role: str | None = None
    happens_on: str | None = None
    plain: bool = True
    replaces: str | None = None  # a word of the remembered fact this one updates


DOG = Stated("Their dog is called Biscuit", "family", ("dog", "Biscuit"), "Biscuit", "dog")
SICK = Stated("Biscuit, their dog, has been sick all week", "family", ("Biscuit", "sick"), "Biscuit", "dog")
TERRIER = Stated(
    "Biscuit is a scruffy little terrier who hates the vet",
    "family",
    ("Biscuit", "terrier"),
    "Biscuit",
    "dog",
)
SISTER = Stated("Their sister is called Maya", "family", ("sister", "Maya"), "Maya", "sister")
WEDDING = Stated(
    "Their sister Maya is getting married on 14 June",
    "event",
    ("Maya", "married", "14 June"),
    "Maya",
    "sister",
    "2027-06-14",
)
NURSE = Stated("They work as a nurse at St Mary's hospital", "work", ("nurse", "St Mary"))
NIGHTS = Stated("They are on night shifts on the children's ward this month", "work", ("night", "ward"))
FATHER = Stated("Their father died in March", "grief_context", ("died in March",), "father", "father")
TALKS = Stated(
    "They still talk to their late father in their head most days",
    "grief_context",
    ("talk to", "head"),
    "father",
    "father",
)
SHORT = Stated("They prefer short answers", "preference", ("short answers",))
CANAL = Stated("When things get too much, they walk by the canal", "coping_mechanism", ("canal",))
SPEECH = Stated("Maya wants them to give a speech at her wedding", "event", ("speech",), "Maya", "sister")
PORTO = Stated("They grew up in Porto and moved away for work", "location", ("Porto",))
LEEDS = Stated("They live in Leeds", "location", ("Leeds",))
EATING = Stated(
    "Biscuit, their dog, was sick but is eating again",
    "family",
    ("Biscuit", "eating again"),
    "Biscuit",
    "dog",
    replaces="sick",
)

TEACHER = Stated("They teach year four at a primary school", "work", ("year four",))
CAT = Stated("Their cat is called Pepper", "family", ("cat", "Pepper"), "Pepper", "cat")
COFFEE = Stated(
    "Pepper, their cat, knocked over their coffee this morning",
    "family",
    ("Pepper", "coffee"),
    "Pepper",
    "cat",
)
BROTHER = Stated("Their brother is called Tom", "family", ("brother", "Tom"), "Tom", "brother")
CANADA = Stated(
    "Their brother Tom is moving to Canada next month", "event", ("Tom", "Canada"), "Tom", "brother"
)
MISS = Stated(
    "They will miss their brother Tom a lot", "relationship", ("miss",), "Tom", "brother", plain=False
)
FOOTBALL = Stated("They play five-a-side football on Thursdays", "hobby", ("five-a-side",))
PEANUTS = Stated("They are allergic to peanuts, which makes bakeries a minefield", "preference", ("peanuts",))
GRAN = Stated(
    "Their gran's funeral was last spring", "grief_context", ("funeral",), "grandmother", "grandmother"
)
REPLIES = Stated(
    "They get anxious when people don't reply to them", "attachment_pattern", ("anxious", "reply")
)
WESTERNS = Stated("They love old westerns", "preference", ("westerns",))
EXAM = Stated(
    "Their exam for the headship course is on 3 July", "event", ("exam", "3 July"), happens_on="2027-07-03"
)
TORONTO = Stated("Tom's flat in Toronto is tiny", "family", ("Toronto",), "Tom", "brother")
YORK = Stated("They live in York, near the minster", "location", ("York",))

ANA_EVENING: list[tuple[str, list[Stated]]] = [
    ("Evening! Rough week, but I made it.", []),
    ("My dog Biscuit has been sick all week.", [DOG, SICK]),
    ("He's a scruffy little terrier and he hates the vet.", [TERRIER]),
    ("My sister Maya is getting married on 14 June.", [SISTER, WEDDING]),
    ("I work as a nurse at St Mary's hospital.", [NURSE]),
    ("This month I'm on nights on the children's ward.", [NIGHTS]),
    ("My dad died in March.", [FATHER]),
    ("I still talk to him in my head most days.", [TALKS]),
    ("Honestly, I prefer short answers.", [SHORT]),
    ("When it all gets too much I walk by the canal.", [CANAL]),
    ("Maya wants me to give a speech at the wedding.", [SPEECH]),
    ("Anyway, how are you tonight?", []),
    ("Good news, Biscuit is eating again.", [EATING]),
    ("I grew up in Porto and moved away for work.", [PORTO]),
    ("I live in Leeds now.", [LEEDS]),
    ("Right, enough about me for one night.", []),
]
BEN_EVENING: list[tuple[str, list[Stated]]] = [
    ("Hi, first time here.", []),
    ("I teach year four at a primary school.", [TEACHER]),
    ("My cat Pepper knocked over my coffee this morning.", [CAT, COFFEE]),
    ("My brother Tom is moving to Canada next month.", [BROTHER, CANADA]),
    ("I'll miss him a lot.", [MISS]),
    ("I play five-a-side football on Thursdays.", [FOOTBALL]),
    ("I'm allergic to peanuts, which makes bakeries a minefield.", [PEANUTS]),
    ("My gran's funeral was last spring.", [GRAN]),
    ("I get anxious when people don't reply to me.", [REPLIES]),
    ("I love old westerns.", [WESTERNS]),
    ("My exam for the headship course is on 3 July.", [EXAM]),
    ("Tom says his flat in Toronto is tiny.", [TORONTO]),
    ("I live in York, near the minster.", [YORK]),
    ("Night!", []),
]
# Hours later, in the same channel: each line, the facts a person would expect it to bring to mind, and
# the private ones it must not (nothing in the line is about them).
ANA_LATER: list[tuple[str, list[Stated], list[Stated]]] = [
    ("My dog is worse today.", [DOG, EATING, TERRIER], []),
    ("Thinking about my dad tonight.", [FATHER, TALKS], []),
    ("Only a few weeks until the wedding now!", [SISTER, WEDDING, SPEECH], []),
    ("Another long night at the hospital.", [NURSE, NIGHTS], []),
    ("Keep it brief tonight, I'm shattered.", [SHORT], []),
    ("Any idea what I should cook tonight?", [SHORT], [FATHER, TALKS, CANAL]),
]
BEN_LATER: list[tuple[str, list[Stated], list[Stated]]] = [
    ("Pepper knocked a plant over this time.", [CAT, COFFEE], []),
    ("Tom flies out next week and I'm not ready.", [BROTHER, CANADA, TORONTO], []),
    ("Revision for the exam is killing me.", [EXAM], []),
    ("Football tonight, then an early night.", [FOOTBALL], []),
    ("Nobody replies to me any more, it's getting to me.", [REPLIES], []),
    ("What's a good snack for the road?", [], [GRAN, REPLIES]),
]


def _holds(text: str, fact: Stated) -> bool:
    return all(key.lower() in text.lower() for key in fact.keys)


def _reader(script: dict[str, list[Stated]]) -> Any:
    """The stand-in's reading of a memory window: the scripted facts of each new line, each update
    pointing at the remembered fact it replaces (by the id the window shows)."""

    def analyse(request: dict[str, Any]) -> dict[str, Any]:
        if request["response_format"]["json_schema"]["name"] == "episodes":
            return {"episodes": []}  # tested in test_episodes
        body = request["messages"][-1]["content"]
        remembered = {m.group(2): int(m.group(1)) for m in re.finditer(r"^\[(\d+)\] (.+?) \(", body, re.M)}
        new = body.split("NEW:\n", 1)[1]
        facts = []
        for line in new.splitlines():
            _speaker, _, said = line.partition(": ")
            for fact in script.get(said, []):
                replaces = next(
                    (i for text, i in remembered.items() if fact.replaces and fact.replaces in text), None
                )
                facts.append(
                    {
                        "op": "update" if replaces else "add",
                        "replaces": replaces,
                        "fact_type": fact.fact_type,
                        "content": fact.content,
                        "subject": fact.subject,
                        "subject_role": fact.role,
                        "happens_on": fact.happens_on,
                        "importance": 0.7,
                        "confidence": 0.9,
                        "temporal_relevance": "present",
                    }
                )
        return {"facts": facts}

    return analyse


@pytest.fixture
def recorder() -> Iterator[OpenAIStub]:
    stub = OpenAIStub()
    stub.analyse = _reader(dict(ANA_EVENING + BEN_EVENING))
    stub.start()
    yield stub
    stub.stop()


def _evening(worker: Worker) -> int:
    """Thirty turns, the two taking turns (Ana has the last two)."""
    turns = 0
    for ana, ben in itertools.zip_longest(ANA_EVENING, BEN_EVENING):
        for person, said in ((ANA, ana), (BEN, ben)):
            if said is None:
                continue
            line = said[0]
            worker.clock.now += timedelta(minutes=2)
            worker.run("chat", [opt("message", line)], guild_id=GUILD, user_id=person)
            turns += 1
    return turns


def _facts_of(session_factory: sessionmaker[Session], person: str) -> list[str]:
    with session_factory() as s:
        user = s.scalars(select(User).where(User.discord_id == int(person))).one()
        return [
            f.fact_content
            for f in s.scalars(select(UserFact).where(UserFact.user_id == user.id, UserFact.is_active))
        ]


def _learned(
    session_factory: sessionmaker[Session],
    person: str,
    evening: list[tuple[str, list[Stated]]],
    *,
    plain: bool,
) -> tuple[int, int, list[str]]:
    stored = _facts_of(session_factory, person)
    stated = [f for _, facts in evening for f in facts if f.plain or not plain]
    # A fact that a newer one updated lives on in the newer one (the sick dog who is eating again).
    missing = [f.content for f in stated if not any(_holds(s, f) for s in stored)]
    return len(stated) - len(missing), len(stated), missing


def test_a_model_learns_every_stated_fact_and_recalls_what_each_later_turn_is_about(
    session_factory: sessionmaker[Session], discord: DiscordStub, recorder: OpenAIStub
) -> None:
    model = OpenAIChatModel(api_key="k", base_url=recorder.base_url, max_retries=0)
    worker = make_worker(session_factory, discord, model, Clock(T0))
    turns = _evening(worker)

    assert turns == 30
    # The conversation went quiet: the scheduled run reads what the last windows left (Ana's 16th turn,
    # Ben's 11th to 14th; windows are read every 5 turns).
    worker.clock.now += timedelta(hours=2)
    deps = ProactiveDeps(
        unit_of_work=lambda: UnitOfWork(session_factory),
        discord=DiscordRest(api_base=discord.base_url, bot_token="bot-" + "t" * 40, sleep=lambda s: None),
        model=model,
        clock=worker.clock,
    )
    assert run_proactive(deps).memory_windows == 2

    for person, evening in ((ANA, ANA_EVENING), (BEN, BEN_EVENING)):
        learned, stated, missing = _learned(session_factory, person, evening, plain=False)
        print(f"model: {NAMES[person]} {learned}/{stated} stated facts learned")
        assert learned / stated >= 0.95, missing

    worker.clock.now += timedelta(hours=1)
    expected = found = 0
    for later, person, other in ((ANA_LATER, ANA, BEN_EVENING), (BEN_LATER, BEN, ANA_EVENING)):
        others = [f for _, facts in other for f in facts]
        for line, wanted, unwanted in later:
            worker.clock.now += timedelta(minutes=3)
            worker.run("chat", [opt("message", line)], guild_id=GUILD, user_id=person)
            turns += 1
            system = recorder.last_chat["messages"][0]["content"]
            expected += len(wanted)
            found += sum(_holds(system, f) for f in wanted)
            assert not [f.content for f in unwanted if _holds(system, f)], line  # never volunteered
            assert not [f.content for f in others if _holds(system, f)], line  # never the other person's
    calls = recorder.completions + recorder.structured_calls
    print(f"model: {found}/{expected} relevant facts in later prompts; {calls} model calls for {turns} turns")
    assert found / expected >= 0.9, f"{found} of {expected} relevant facts reached the prompts"
    assert calls / turns <= 1.3, f"{calls} model calls for {turns} chat turns"


def test_with_no_model_the_offline_reading_learns_most_plainly_stated_facts(
    session_factory: sessionmaker[Session], discord: DiscordStub
) -> None:
    worker = make_worker(session_factory, discord, OfflineResponder(), Clock(T0))
    _evening(worker)
    for person, evening in ((ANA, ANA_EVENING), (BEN, BEN_EVENING)):
        learned, stated, missing = _learned(session_factory, person, evening, plain=True)
        print(f"offline: {NAMES[person]} {learned}/{stated} plainly stated facts learned; missed {missing}")
        assert learned / stated >= 0.8, missing
    ana, ben = _facts_of(session_factory, ANA), _facts_of(session_factory, BEN)
    assert not any("Biscuit" in f or "Maya" in f for f in ben) and not any("Pepper" in f for f in ana)
