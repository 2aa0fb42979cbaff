"""Memory on a real PostgreSQL: postings that follow every write, recall that stems and relates, the
duplicate check at 10,000 facts, windows read once, and the prompt's care."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session, sessionmaker

from loyal_companion.db.models import Conversation, UserFact
from loyal_companion.db.uow import UnitOfWork
from loyal_companion.llm.client import OpenAIChatModel
from loyal_companion.llm.offline import OfflineResponder
from loyal_companion.local.discord_stub import DiscordStub
from loyal_companion.memory.learn import LEARN_CTES, learn_params, learn_window
from loyal_companion.memory.recall import Tuning, for_prompt, recall
from loyal_companion.memory.rules import Candidate, content_key
from tests.support.interactions import opt
from tests.support.openai_stub import OpenAIStub
from tests.support.worker import Clock, make_worker

T0 = datetime(2026, 12, 10, 19, 0, tzinfo=UTC)
PERSON = 310000000000000001


def _person(engine: Engine, discord_id: int = PERSON) -> int:
    with engine.begin() as conn:
        return int(
            conn.execute(
                text("INSERT INTO users (discord_id, discord_username) VALUES (:d, 'ana') RETURNING id"),
                {"d": discord_id},
            ).scalar_one()
        )


def _learn(engine: Engine, user_id: int, *facts: Candidate, now: datetime = T0) -> None:
    with engine.begin() as conn:
        conn.execute(
            text("WITH " + LEARN_CTES.replace("{guard}", "true") + " SELECT 1"),
            learn_params(
                user_id=user_id,
                guild_id=None,
                now=now,
                candidates=list(facts),
                source="test",
                source_message_id=None,
                context=None,
            ),
        )


def _postings(engine: Engine, user_id: int) -> dict[int, set[str]]:
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT fact_id, term FROM user_fact_terms WHERE user_id = :u"), {"u": user_id}
        ).all()
        stats = conn.execute(
            text("SELECT active_facts FROM user_memory_stats WHERE user_id = :u"), {"u": user_id}
        ).scalar()
        active = conn.execute(
            text("SELECT count(*) FROM user_facts WHERE user_id = :u AND is_active"), {"u": user_id}
        ).scalar()
    assert stats == active  # the count recall weighs rarity by
    out: dict[int, set[str]] = {}
    for fact_id, term in rows:
        out.setdefault(int(fact_id), set()).add(str(term))
    return out


def _recall(
    session_factory: sessionmaker[Session], user_id: int, message: str, *, public: bool = False
) -> list[str]:
    with session_factory() as s:
        found = recall(
            s, user_id=user_id, message=message, now=T0 + timedelta(days=1), tuning=Tuning(limit=5)
        )
    return [r.content for r in for_prompt(found, limit=5, public=public)]


def test_postings_follow_every_way_a_fact_is_written_or_forgotten(engine: Engine) -> None:
    user_id = _person(engine)
    _learn(
        engine,
        user_id,
        Candidate("family", "Biscuit has been limping since Tuesday", subject="Biscuit", subject_role="dog"),
    )
    [(fact_id, terms)] = _postings(engine, user_id).items()
    # stemmed, no stop words; who it is about (B) and its type (C) beside its words
    assert terms == {"biscuit", "limp", "sinc", "tuesday", "dog", "famili"}
    with engine.begin() as conn:  # the ORM, or anything else that writes, is followed too
        conn.execute(
            text("UPDATE user_facts SET fact_content = 'Biscuit is better' WHERE id = :f"), {"f": fact_id}
        )
    assert _postings(engine, user_id) == {fact_id: {"biscuit", "better", "dog", "famili"}}
    with engine.begin() as conn:
        conn.execute(text("UPDATE user_facts SET is_active = false WHERE id = :f"), {"f": fact_id})
    assert _postings(engine, user_id) == {}
    _learn(engine, user_id, Candidate("work", "They work nights"))
    assert len(_postings(engine, user_id)) == 1
    with engine.begin() as conn:  # forget me: nothing of the person's words is left anywhere
        conn.execute(text("DELETE FROM users WHERE id = :u"), {"u": user_id})
        assert conn.execute(text("SELECT count(*) FROM user_fact_terms")).scalar() == 0
        assert conn.execute(text("SELECT count(*) FROM user_memory_stats")).scalar() == 0


def test_content_keys_are_the_same_in_python_and_in_the_database(engine: Engine) -> None:
    user_id = _person(engine)
    samples = [
        "They live in Porto!",
        "  Café   au lait, s'il vous plaît ",
        "Their dog's name: Biscuit (a terrier)",
    ]
    _learn(engine, user_id, *[Candidate("general", s) for s in samples])
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT fact_content, content_key FROM user_facts")).all()
    assert dict(stored) == {sample: content_key(sample) for sample in samples}


def test_recall_stems_drops_stop_words_and_ors_the_words(
    engine: Engine, session_factory: sessionmaker[Session]
) -> None:
    user_id = _person(engine)
    _learn(
        engine,
        user_id,
        Candidate("event", "They went to a LGBTQ support group yesterday"),
        *[Candidate("general", f"They had a quiet evening number {i}") for i in range(20)],
    )
    # plainto_tsquery('simple', ...) scored this 0: every word of the question had to be in the fact
    assert _recall(session_factory, user_id, "When did Caroline go to the LGBTQ support group?")[0] == (
        "They went to a LGBTQ support group yesterday"
    )


def test_the_people_and_animals_of_a_life_are_found_by_name_or_by_role(
    engine: Engine, session_factory: sessionmaker[Session]
) -> None:
    user_id = _person(engine)
    _learn(
        engine,
        user_id,
        Candidate("family", "Their dog is called Biscuit", subject="Biscuit", subject_role="dog"),
        Candidate("family", "Their father died in March", subject="father", subject_role="father"),
        *[Candidate("general", f"They read a good book on holiday {i}") for i in range(20)],
    )
    _learn(
        engine, user_id, Candidate("family", "Biscuit hates the vet", subject="Biscuit", subject_role="dog")
    )
    assert set(_recall(session_factory, user_id, "my puppy is unwell")[:2]) == {
        "Biscuit hates the vet",
        "Their dog is called Biscuit",
    }
    assert _recall(session_factory, user_id, "thinking about my dad")[0] == "Their father died in March"


def test_private_facts_come_up_in_public_only_when_the_message_is_about_them(
    engine: Engine, session_factory: sessionmaker[Session]
) -> None:
    user_id = _person(engine)
    _learn(
        engine,
        user_id,
        Candidate(
            "grief_context",
            "Their father died in March",
            importance=0.9,
            subject="father",
            subject_role="father",
        ),
        Candidate("hobby", "They play the cello"),
    )
    assert "Their father died in March" not in _recall(
        session_factory, user_id, "what shall I cook?", public=True
    )
    assert "Their father died in March" in _recall(
        session_factory, user_id, "what shall I cook?", public=False
    )
    assert "Their father died in March" in _recall(session_factory, user_id, "I miss my dad", public=True)


def test_a_standing_wish_is_in_every_prompt(engine: Engine, session_factory: sessionmaker[Session]) -> None:
    user_id = _person(engine)
    _learn(engine, user_id, Candidate("preference", "They prefer short answers"))
    _learn(engine, user_id, *[Candidate("hobby", f"They play football on pitch {i}") for i in range(10)])
    assert _recall(session_factory, user_id, "football tonight!")[0] == "They prefer short answers"


def test_remembering_something_already_known_is_found_through_an_index_at_ten_thousand_facts(
    engine: Engine, session_factory: sessionmaker[Session], discord: DiscordStub
) -> None:
    worker = make_worker(session_factory, discord, OfflineResponder(), Clock(T0))
    worker.run(
        "memory",
        [{"type": 1, "name": "remember", "options": [opt("fact", "I live in Porto")]}],
        user_id=str(PERSON),
    )
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO user_facts (user_id, fact_type, fact_content) "
                "SELECT u.id, 'general', 'remembered thing number ' || g "
                "FROM users u, generate_series(1, 10000) g"
            )
        )
        conn.execute(text("ANALYZE user_facts"))
        plan = "\n".join(
            r[0]
            for r in conn.execute(
                text(
                    "EXPLAIN INSERT INTO user_facts (user_id, fact_type, fact_content) "
                    "VALUES (1, 'general', 'x') "
                    "ON CONFLICT (user_id, content_key) WHERE is_active DO NOTHING"
                )
            )
        )
    assert "Conflict Arbiter Indexes: ux_user_facts_user_id_content_key" in plan
    reply = worker.run(
        "memory",
        [{"type": 1, "name": "remember", "options": [opt("fact", "i live in PORTO.")]}],
        user_id=str(PERSON),
    )
    assert reply == "I already have that one. I won't forget it."
    with engine.connect() as conn:
        assert (
            conn.execute(
                text("SELECT count(*) FROM user_facts WHERE content_key = 'they live in porto'")
            ).scalar()
            == 1
        )


def test_a_profession_and_this_months_shifts_both_stay(
    session_factory: sessionmaker[Session], discord: DiscordStub
) -> None:
    worker = make_worker(session_factory, discord, OfflineResponder(), Clock(T0))
    worker.run("chat", [opt("message", "I work as a nurse at St Mary's hospital.")])
    worker.run("chat", [opt("message", "I work nights this month on the children's ward.")])
    with session_factory() as s:
        active = {f.fact_content for f in s.scalars(select(UserFact).where(UserFact.is_active))}
    assert active == {
        "They work as a nurse at St Mary's hospital",
        "They work nights this month on the children's ward",
    }


def _window_model(stub: OpenAIStub) -> OpenAIChatModel:
    return OpenAIChatModel(api_key="k", base_url=stub.base_url, max_retries=0)


def _set_window(session_factory: sessionmaker[Session], turns: int) -> None:
    with session_factory() as s:
        s.execute(
            text(
                "UPDATE personalities SET settings = "
                f"jsonb_set(settings, '{{facts,window_turns}}', '{turns}')"
            )
        )
        s.commit()


def test_an_update_retires_the_fact_it_replaces_and_keeps_it_as_history(
    session_factory: sessionmaker[Session], discord: DiscordStub, model_stub: OpenAIStub
) -> None:
    _set_window(session_factory, 1)
    worker = make_worker(session_factory, discord, _window_model(model_stub), Clock(T0))
    fact = {
        "op": "add",
        "replaces": None,
        "fact_type": "family",
        "content": "Biscuit has been sick all week",
        "subject": "Biscuit",
        "subject_role": "dog",
        "happens_on": None,
        "importance": 0.6,
        "confidence": 0.9,
        "temporal_relevance": "present",
    }
    model_stub.analysis = {"facts": [fact]}
    worker.run("chat", [opt("message", "My dog Biscuit has been sick all week.")])

    def update(request: dict[str, object]) -> dict[str, object]:
        body = str(request["messages"][-1]["content"])  # type: ignore[index]
        sick = int(body.split("] Biscuit has been sick")[0].rsplit("[", 1)[1])
        return {"facts": [{**fact, "op": "update", "replaces": sick, "content": "Biscuit is eating again"}]}

    model_stub.analyse = update
    worker.clock.now += timedelta(minutes=5)
    worker.run("chat", [opt("message", "Good news, Biscuit is eating again!")])
    with session_factory() as s:
        rows = {f.fact_content: (f.is_active, f.superseded_by_id) for f in s.scalars(select(UserFact))}
        newer = s.scalars(select(UserFact).where(UserFact.fact_content == "Biscuit is eating again")).one()
    assert rows == {
        "Biscuit has been sick all week": (False, newer.id),
        "Biscuit is eating again": (True, None),
    }


class _Racing:
    """A model whose first window read is overtaken: while it thinks, another run reads the same window
    and stores it (a retry after a timeout, or two scheduled runs at once)."""

    def __init__(self, inner: OpenAIChatModel, rival: Callable[[], object]) -> None:
        self.inner, self.rival, self.offline, self.raced = inner, rival, False, False

    def complete(self, *args: Any, **kwargs: Any) -> Any:
        return self.inner.complete(*args, **kwargs)

    def structured(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        answer = self.inner.structured(*args, **kwargs)
        if not self.raced:
            self.raced = True
            self.rival()
        return answer


def test_a_window_read_by_two_runs_at_once_is_stored_once(
    session_factory: sessionmaker[Session], discord: DiscordStub, model_stub: OpenAIStub
) -> None:
    _set_window(session_factory, 100)  # no window during the turns: this test reads it by hand
    model = _window_model(model_stub)
    worker = make_worker(session_factory, discord, model, Clock(T0))
    for line in ("I live in Leeds.", "I teach year four."):
        worker.run("chat", [opt("message", line)])
    with session_factory() as s:
        conversation = s.scalars(select(Conversation)).one()
    assert conversation.memory_unread == 2
    model_stub.analysis = {
        "facts": [
            {
                "op": "add",
                "replaces": None,
                "fact_type": "location",
                "content": "They live in Leeds",
                "subject": None,
                "subject_role": None,
                "happens_on": None,
                "importance": 0.6,
                "confidence": 0.9,
                "temporal_relevance": "present",
            }
        ]
    }

    def uow() -> UnitOfWork:
        return UnitOfWork(session_factory)

    def read(with_model: Any) -> Any:
        return learn_window(
            unit_of_work=uow, model=with_model, model_name="m", conversation_id=conversation.id, now=T0
        )

    rival: list[Any] = []
    racing = _Racing(model, lambda: rival.append(read(model)))
    overtaken = read(racing)
    assert (rival[0].written, rival[0].added, overtaken.written) == (True, 1, False)
    with session_factory() as s:
        assert s.scalars(select(Conversation)).one().memory_unread == 0
        assert [f.fact_content for f in s.scalars(select(UserFact))] == ["They live in Leeds"]
    assert read(model).written is False  # nothing left to read


def test_a_model_outage_leaves_the_window_unread_for_later(
    session_factory: sessionmaker[Session], discord: DiscordStub
) -> None:
    stub = OpenAIStub().start()
    try:
        model = _window_model(stub)
        worker = make_worker(session_factory, discord, model, Clock(T0))
        _set_window(session_factory, 100)
        worker.run("chat", [opt("message", "I live in Leeds.")])
        stub.stop()  # the model server goes away
        with session_factory() as s:
            conversation_id = s.scalars(select(Conversation)).one().id
        result = learn_window(
            unit_of_work=lambda: UnitOfWork(session_factory),
            model=model,
            model_name="m",
            conversation_id=conversation_id,
            now=T0,
        )
        assert not result.written
        with session_factory() as s:
            assert s.scalars(select(Conversation)).one().memory_unread == 1
    finally:
        stub.script.clear()  # stopped above


def test_the_prompt_drops_the_strangers_line_once_known_and_stays_steady_with_grief(
    session_factory: sessionmaker[Session], discord: DiscordStub, model_stub: OpenAIStub
) -> None:
    worker = make_worker(session_factory, discord, _window_model(model_stub), Clock(T0))
    with session_factory() as s:  # a happy bar: the mood alone would colour the prompt
        s.execute(
            text(
                "INSERT INTO mood_shards (guild_id, shard, valence_offset, arousal_offset, updated_at) "
                "VALUES (NULL, 0, 0.8, 0.2, :t)"
            ),
            {"t": T0},
        )
        s.commit()
    worker.run("chat", [opt("message", "Hello there, first time in.")])
    first = model_stub.last_chat["messages"][0]["content"]
    assert "as the personality sees them by default" in first and "happy" in first
    worker.run("memory", [{"type": 1, "name": "remember", "options": [opt("fact", "My dad died in March")]}])
    worker.run("chat", [opt("message", "My dad died in March and today would have been his birthday.")])
    later = model_stub.last_chat["messages"][0]["content"]
    assert "as the personality sees them by default" not in later
    assert "happy" not in later and "steady" in later
    assert json.dumps(later)  # the prompt is plain text


def test_a_name_in_most_of_the_facts_weighs_almost_nothing(
    engine: Engine, session_factory: sessionmaker[Session]
) -> None:
    """A conversation told line by line names both friends everywhere: the short lines that only name them
    must not come before the one that answers."""
    user_id = _person(engine)
    chatter = [Candidate("general", f"Mara said: {x}, Jon", subject="Mara") for x in SMALL_TALK]
    _learn(
        engine, user_id, *chatter, Candidate("general", "Mara adopted a greyhound called Pip", subject="Mara")
    )
    assert _recall(session_factory, user_id, "What greyhound does Mara have?")[0] == (
        "Mara adopted a greyhound called Pip"
    )
    # and a question in other words finds it through the everyday concept of a pet
    assert "Mara adopted a greyhound called Pip" in _recall(session_factory, user_id, "Does Mara have a pet?")


SMALL_TALK = [
    "Good to hear from you",
    "Talk soon",
    "Count me in",
    "Same here, honestly",
    "That sounds lovely",
    "How was your week",
    "Night, sleep well",
    "Haha yes",
    "I love that for you",
    "Fingers crossed",
    "Keep me posted",
    "Sending you a hug",
    "You always know what to say",
    "Take care of yourself",
    "Catch you later",
    "What's new with you",
    "Work has been crazy lately",
    "Thanks, that means a lot",
    "I totally get that",
    "Good luck, you've got this",
]


def test_what_a_message_dates_comes_first_when_it_names_a_month(
    engine: Engine, session_factory: sessionmaker[Session]
) -> None:
    user_id = _person(engine)
    _learn(
        engine,
        user_id,
        Candidate("general", "They went to the seaside at Whitby"),
        now=T0 - timedelta(days=200),
    )
    _learn(
        engine,
        user_id,
        Candidate("general", "They went to the seaside at Scarborough"),
        now=T0 - timedelta(days=30),
    )
    _learn(engine, user_id, *[Candidate("general", f"They read a good book number {i}") for i in range(20)])
    may = (T0 - timedelta(days=200)).strftime("%B")
    assert _recall(session_factory, user_id, f"Where did I go to the seaside in {may}?")[0] == (
        "They went to the seaside at Whitby"
    )
    assert _recall(session_factory, user_id, "Where did I go to the seaside last month?")[0] == (
        "They went to the seaside at Scarborough"
    )
