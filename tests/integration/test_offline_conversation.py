"""The offline Bartender listens: a scripted evening of 32 lines with no model configured, through the real
worker and PostgreSQL — questions about what was told (with other words around them), mixed news, losses,
small talk — and what each reply must and must not contain."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from loyal_companion.llm.offline import OfflineResponder
from loyal_companion.local.discord_stub import DiscordStub
from tests.support.interactions import opt
from tests.support.worker import Clock, make_worker

T0 = datetime(2027, 3, 2, 20, 0, tzinfo=UTC)  # a Tuesday evening
ANA = "360000000000000001"
CHEER = ("good to hear", "raising a glass", "put a smile", "celebrate")

# (what Ana says, what the reply must contain (any case), what it must not)
EVENING: list[tuple[str, tuple[str, ...], tuple[str, ...]]] = [
    ("Evening.", (), CHEER[1:]),
    ("My mum Ellen went into hospital on Tuesday, she's 82.", ("ana",), CHEER),
    ("She had a fall, they think it's her hip. The nurses are lovely though.", (), CHEER),
    ("What's my mum's name? I'm so tired I can't think straight.", ("ellen",), CHEER),
    ("My sister Maya is getting married on 14 June.", (), ()),
    ("When is Maya's wedding again?", ("14 june",), ()),
    ("Who is Maya?", ("sister",), ()),
    ("My dog Biscuit is a scruffy little terrier.", (), ()),
    ("What's my dog called? Sorry, brain fog.", ("biscuit",), ()),
    ("I live in Leeds, near the canal.", (), ()),
    ("Remind me where I live?", ("leeds",), ()),
    ("What's my cat called?", ("told me that yet",), ("biscuit",)),
    ("I work as a nurse on the children's ward.", (), ()),
    ("Do you remember what I do for work?", ("nurse",), ()),
    ("I got the job I interviewed for!", (), ("sorry",)),
    ("My grandad died last night.", ("ana",), CHEER),
    ("He taught me to fish on the canal when I was small.", (), CHEER),
    ("The funeral is on Friday, but the weather should be nice.", (), CHEER),
    ("Where does she live, my sister I mean?", ("told me that yet",), ()),
    ("Maya lives in Bristol with her partner.", (), ()),
    ("Where does Maya live?", ("bristol",), ()),
    ("Biscuit was sick all night, but he's eating again this morning.", (), CHEER),
    ("How is my dog doing, do you remember?", ("biscuit",), ()),
    ("I passed my driving test today!", (), ("sorry", "holding up")),
    ("Work was awful, I got shouted at by a parent, but my boss was kind.", (), (*CHEER, "pull up")),
    ("When did my mum go into hospital?", ("hospital",), ()),
    ("I'm worried about money this month, though payday is soon.", (), CHEER),
    ("What's my grandad's name?", ("told me that yet",), ()),
    ("Had a lovely walk by the canal with Biscuit.", (), ("sorry",)),
    ("My friend Sam lost her job today.", (), (*CHEER, "miss most", "tell me about them")),
    ("Who is Sam?", ("friend",), ("lost sam job",)),
    ("Thanks for listening tonight.", (), ("sorry", *CHEER)),
]


def test_the_offline_bartender_answers_what_it_knows_and_weighs_bad_news(
    session_factory: sessionmaker[Session], discord: DiscordStub
) -> None:
    assert len(EVENING) >= 30
    worker = make_worker(session_factory, discord, OfflineResponder(), Clock(T0))
    failures = []
    for line, must, must_not in EVENING:
        worker.clock.now += timedelta(minutes=2)
        reply = worker.run("chat", [opt("message", line)], user_id=ANA)
        said = reply.lower()
        assert "offline responder" in said  # always labelled
        missing = [m for m in must if m not in said]
        wrong = [m for m in must_not if m in said]
        print(f"you> {line}\nbartender> {reply.splitlines()[0]}\n")
        if missing or wrong:
            failures.append(f"{line!r} → {reply.splitlines()[0]!r}: missing {missing}, must not {wrong}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize(
    ("message", "kind"),
    [
        ("She had a fall, they think it's her hip. The nurses are lovely though.", "low"),
        ("The wedding was lovely but I'm worried about money.", "low"),
        ("My mum went into hospital, but the food is good.", "low"),
        ("I got the job!", "glad"),
        ("Had a great day at the beach.", "glad"),
    ],
)
def test_a_hard_thing_outweighs_a_kind_word_beside_it(message: str, kind: str) -> None:
    from loyal_companion.llm.offline import kind_of

    assert kind_of(message) == kind
