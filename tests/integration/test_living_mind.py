"""The living mind through real turns on PostgreSQL (offline responder, extraction gate opened)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from loyal_companion.db.models import (
    Guild,
    MoodHistory,
    MoodShard,
    Personality,
    ScheduledEvent,
    UserCommunicationStyle,
    UserFact,
    UserRelationship,
)
from loyal_companion.llm.offline import OfflineResponder
from loyal_companion.local.discord_stub import DiscordStub
from tests.support.interactions import opt
from tests.support.openai_stub import OpenAIStub
from tests.support.worker import Clock, Worker, make_worker

T0 = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)  # a Wednesday


def _open_gate(session_factory: sessionmaker[Session], window_turns: int = 1, **features: bool) -> None:
    """With a model, read every turn into memory at once (the default waits for 4); switch features."""
    with session_factory() as s:
        personality = s.scalars(select(Personality).where(Personality.slug == "bartender")).one()
        settings = dict(personality.settings)
        settings["facts"] = {**settings["facts"], "window_turns": window_turns}
        settings["features"] = {**settings["features"], **features}
        personality.settings = settings
        s.commit()


@pytest.fixture
def worker(session_factory: sessionmaker[Session], discord: DiscordStub) -> Worker:
    _open_gate(session_factory)
    return make_worker(session_factory, discord, OfflineResponder(), Clock(T0))


def _chat(worker: Worker, text: str, **kwargs: object) -> str:
    return worker.run("chat", [opt("message", text)], **kwargs)


def test_a_fact_told_in_conversation_is_listed_by_memory_list(worker: Worker) -> None:
    _chat(worker, "Long week. My dog is called Biscuit and he keeps me sane.")
    listing = worker.run("memory", [{"type": 1, "name": "list"}])
    assert "Their dog is called Biscuit" in listing


def test_a_newer_contradicting_fact_supersedes_the_older(
    worker: Worker, session_factory: sessionmaker[Session]
) -> None:
    _chat(worker, "I live in Porto these days, by the river.")
    worker.clock.now = T0 + timedelta(days=30)
    _chat(worker, "Big news: I moved to Lisbon last weekend!")
    with session_factory() as s:
        rows = {f.fact_content: f.is_active for f in s.scalars(select(UserFact)).all()}
    assert rows == {
        "They live in Porto these days, by the river": False,
        "They moved to Lisbon last weekend": True,
    }


def test_repeated_facts_are_not_duplicated(worker: Worker, session_factory: sessionmaker[Session]) -> None:
    _chat(worker, "My sister is called Ines, she is visiting.")
    _chat(worker, "Did I mention my sister is called Ines?")
    _chat(worker, "My sister is called Ines, by the way.")
    with session_factory() as s:
        assert sorted(f.fact_content for f in s.scalars(select(UserFact)).all()) == [
            "Ines is visiting",
            "Their sister is called Ines",
        ]


def test_a_turn_moves_mood_relationship_style_and_counters(
    worker: Worker, session_factory: sessionmaker[Session]
) -> None:
    _chat(worker, "Thank you, honestly this was a wonderful, happy evening. I love our talks!")
    with session_factory() as s:
        share = s.scalars(select(MoodShard)).one()
        assert share.guild_id is None and share.valence_offset > 0
        assert (share.messages_sent, share.users_known) == (1, 1)
        relationship = s.scalars(select(UserRelationship)).one()
        assert relationship.relationship_score > 0 and relationship.positive_interactions == 1
        style = s.scalars(select(UserCommunicationStyle)).one()
        assert style.samples_collected == 1
        history = s.scalars(select(MoodHistory)).all()
        assert all(h.trigger_type == "conversation" for h in history)


def test_a_guilds_mood_is_its_own(worker: Worker, session_factory: sessionmaker[Session]) -> None:
    _chat(worker, "This is awful, I feel terrible and so alone tonight.", guild_id="600000000000000001")
    with session_factory() as s:
        shares = {b.guild_id: b.valence_offset for b in s.scalars(select(MoodShard)).all()}
    assert set(shares) == {600000000000000001} and shares[600000000000000001] < 0  # below the baseline
    mood = worker.run("mood", guild_id="600000000000000001")
    assert float(mood.splitlines()[1].split()[-1]) < 0.1  # the server's mood, read from its shares


def test_people_in_one_server_move_its_mood_through_their_own_shares(
    worker: Worker, session_factory: sessionmaker[Session]
) -> None:
    guild = "600000000000000001"
    for person in ("310000000000000001", "310000000000000002"):
        _chat(worker, "What a wonderful, happy evening, thank you!", guild_id=guild, user_id=person)
    with session_factory() as s:
        shares = s.scalars(select(MoodShard)).all()
    assert len({(m.guild_id, m.shard) for m in shares}) == 2 and all(m.valence_offset > 0 for m in shares)
    mood = worker.run("mood", guild_id=guild)
    assert "Happy" in mood or "Excited" in mood  # both turns count: 0.1 baseline + two warm turns


def test_something_coming_up_gets_a_follow_up(worker: Worker, session_factory: sessionmaker[Session]) -> None:
    _chat(worker, "I'm nervous, my job interview is on Friday and I really want it.")
    with session_factory() as s:
        event = s.scalars(select(ScheduledEvent)).one()
    assert event.event_type == "follow_up" and event.title == "your job interview"
    assert event.trigger_at == datetime(2026, 11, 20, 18, 0, tzinfo=UTC)


def test_server_admins_can_switch_fact_memory_off(
    worker: Worker, session_factory: sessionmaker[Session]
) -> None:
    with session_factory() as s:
        s.add(Guild(discord_id=600000000000000001, settings={"features": {"fact_memory": False}}))
        s.commit()
    _chat(worker, "My dog is called Biscuit, he is a terrier.", guild_id="600000000000000001")
    with session_factory() as s:
        assert s.scalars(select(UserFact)).all() == []


def test_operators_can_switch_opinions_off_while_conversation_goes_on(
    session_factory: sessionmaker[Session], discord: DiscordStub
) -> None:
    _open_gate(session_factory, opinions=False)
    worker = make_worker(session_factory, discord, OfflineResponder(), Clock(T0))
    reply = _chat(worker, "I love jazz, jazz is wonderful, the best jazz bars are here!")
    assert reply  # still answered
    with session_factory() as s:
        from loyal_companion.db.models import BotOpinion

        assert s.scalars(select(BotOpinion)).all() == []


def test_opinions_form_from_discussions_and_reach_the_prompt(
    session_factory: sessionmaker[Session], discord: DiscordStub
) -> None:
    _open_gate(session_factory)
    stub = OpenAIStub().start()
    try:
        from loyal_companion.llm.client import OpenAIChatModel

        worker = make_worker(
            session_factory,
            discord,
            OpenAIChatModel(api_key="k", base_url=stub.base_url, max_retries=0),
            Clock(T0),
        )
        server = "600000000000000001"
        for i in range(3):
            _chat(worker, f"I love jazz, what a wonderful, happy evening number {i} of it.", guild_id=server)
        _chat(worker, "What do you think of music these days?", guild_id=server)
        assert "you enjoy jazz" in stub.last_chat["messages"][0]["content"]
        # A DM is private: what is said there forms no shared leaning, and the server's stays in the server.
        worker.clock.now += timedelta(minutes=2)  # past the rolling minute's turn limit
        for i in range(3):
            _chat(worker, f"I love cycling, what a wonderful, happy ride number {i}.")
        _chat(worker, "What do you think of cycling and music?")
        system = stub.last_chat["messages"][0]["content"]
        assert "cycling" not in system.split("Your own leanings")[-1] and "you enjoy jazz" not in system
    finally:
        stub.stop()


def test_a_window_the_model_answers_badly_is_skipped_not_retried_forever(
    session_factory: sessionmaker[Session], discord: DiscordStub
) -> None:
    from loyal_companion.db.models import Conversation

    _open_gate(session_factory)
    stub = OpenAIStub().start()
    try:
        from loyal_companion.llm.client import OpenAIChatModel

        stub.analysis = {"sentiment": "very", "facts": "none"}  # not what the schema asks for
        worker = make_worker(
            session_factory,
            discord,
            OpenAIChatModel(api_key="k", base_url=stub.base_url, max_retries=0),
            Clock(T0),
        )
        reply = _chat(worker, "My dog is called Biscuit and he snores terribly.")
        assert reply == "Here's to you. I'm listening."  # the person is answered all the same
        with session_factory() as s:
            assert s.scalars(select(UserFact)).all() == []
            assert [c.memory_unread for c in s.scalars(select(Conversation)).all()] == [0]
        assert stub.structured_calls == 1
        _chat(worker, "Still here, nothing new.")
        assert stub.structured_calls == 2  # the next window only, not the bad one again
    finally:
        stub.stop()


def test_common_ground_is_found_and_mentioned_only_in_general_terms(
    session_factory: sessionmaker[Session], discord: DiscordStub
) -> None:
    from loyal_companion.db.models import FactAssociation
    from loyal_companion.llm.client import OpenAIChatModel

    _open_gate(session_factory)
    guild = "600000000000000001"
    stub = OpenAIStub().start()
    try:
        # Facts read by the lexical rules first (offline), then a model turn whose prompt we can inspect.
        offline = make_worker(session_factory, discord, OfflineResponder(), Clock(T0))
        model = OpenAIChatModel(api_key="k", base_url=stub.base_url, max_retries=0)
        worker = make_worker(session_factory, discord, model, Clock(T0))
        offline.run(
            "chat",
            [opt("message", "I love jazz records from the fifties, Coltrane above all.")],
            guild_id=guild,
            user_id="310000000000000001",
        )
        offline.run(
            "chat",
            [opt("message", "Honestly I love jazz more than anything these days.")],
            guild_id=guild,
            user_id="320000000000000002",
        )
        with session_factory() as s:
            assert [a.association_type for a in s.scalars(select(FactAssociation)).all()] == [
                "shared_interest"
            ]
        worker.run(
            "chat",
            [opt("message", "Anyone around here into music like me?")],
            guild_id=guild,
            user_id="320000000000000002",
        )
        prompt = "\n".join(m["content"] for m in stub.last_chat["messages"] if isinstance(m["content"], str))
        assert "share an interest or a place" in prompt
        assert "Coltrane" not in prompt and "fifties" not in prompt
        # In DMs, or for someone with no common ground, nothing is said about others at all.
        worker.run(
            "chat", [opt("message", "Anyone around here into music like me?")], user_id="320000000000000002"
        )
        dm_prompt = "\n".join(
            m["content"] for m in stub.last_chat["messages"] if isinstance(m["content"], str)
        )
        assert "share an interest" not in dm_prompt
    finally:
        stub.stop()


def test_no_common_ground_across_servers(
    session_factory: sessionmaker[Session], discord: DiscordStub
) -> None:
    from loyal_companion.db.models import FactAssociation

    _open_gate(session_factory)
    worker = make_worker(session_factory, discord, OfflineResponder(), Clock(T0))
    worker.run(
        "chat",
        [opt("message", "I love jazz records from the fifties.")],
        guild_id="600000000000000001",
        user_id="310000000000000001",
    )
    worker.run(
        "chat",
        [opt("message", "I love jazz more than anything.")],
        guild_id="600000000000000002",
        user_id="320000000000000002",
    )
    with session_factory() as s:
        assert s.scalars(select(FactAssociation)).all() == []


# -- care in public, and visits -----------------------------------------------------------------------


def _cheerful(session_factory: sessionmaker[Session], guild: int, shard: int = 9) -> None:
    with session_factory() as s:
        s.add(MoodShard(guild_id=guild, shard=shard, valence_offset=0.7, arousal_offset=0.3, updated_at=T0))
        s.commit()


def test_the_mood_shown_in_a_channel_is_not_cheerful_after_a_loss_was_shared_there(
    worker: Worker, session_factory: sessionmaker[Session]
) -> None:
    guild, here, elsewhere = "600000000000000001", "400000000000000001", "400000000000000009"
    _cheerful(session_factory, int(guild))
    assert worker.run("mood", guild_id=guild, channel_id=here).startswith("**Happy**")
    worker.clock.now = T0 + timedelta(minutes=5)
    _chat(worker, "My mum died last night. I don't know what to do.", guild_id=guild, channel_id=here)
    _cheerful(session_factory, int(guild), 8)  # whatever the shares say, the room is not cheerful here
    worker.clock.now = T0 + timedelta(minutes=10)
    mood = worker.run("mood", guild_id=guild, channel_id=here, user_id="310000000000000009")
    assert mood.startswith("**Steady** — Quiet, and listening") and "Happy" not in mood
    # In another channel of the server, and hours later here, the mood is the mood.
    assert "Quiet, and listening" not in worker.run("mood", guild_id=guild, channel_id=elsewhere)
    worker.clock.now = T0 + timedelta(hours=4)
    assert "Quiet, and listening" not in worker.run("mood", guild_id=guild, channel_id=here)


def test_relationship_counts_visits_not_turns(worker: Worker) -> None:
    for minute in range(9):  # one evening: nine exchanges, one visit
        worker.clock.now = T0 + timedelta(minutes=minute)
        _chat(worker, f"Another thought, number {minute}.")
    assert "We've sat down together once (9 exchanges)." in worker.run("relationship")
    worker.clock.now = T0 + timedelta(days=1)  # the next day: a second visit
    _chat(worker, "Back again.")
    assert "We've sat down together 2 times (10 exchanges)." in worker.run("relationship")
