"""The living mind's rules, pure: properties where rules have ranges, exact cases where they do not."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from loyal_companion.living.assessment import lexical_assessment
from loyal_companion.living.followups import find_follow_up
from loyal_companion.living.mood import Mood, after_turn, meaningful_change, turn_delta
from loyal_companion.living.opinions import band, updated_sentiment
from loyal_companion.living.relationship import clamp_score, score_delta
from loyal_companion.living.style import confidence, hints, sample
from loyal_companion.living.timeparse import zone

unit = st.floats(-1, 1)


@given(unit, unit, unit, st.floats(0, 1), st.floats(0, 0.95))
def test_mood_always_stays_in_range(
    v: float, a: float, sentiment: float, intensity: float, damping: float
) -> None:
    after = after_turn(Mood(v, a), sentiment, intensity, damping=damping)
    assert -1 <= after.valence <= 1 and -1 <= after.arousal <= 1


@given(unit, st.floats(0, 1), st.floats(0.05, 0.95))
def test_damping_keeps_the_bartender_steadier_than_an_undamped_mood(
    sentiment: float, intensity: float, damping: float
) -> None:
    damped = turn_delta(sentiment, intensity, damping=damping)
    undamped = turn_delta(sentiment, intensity, damping=0.0)
    assert abs(damped[0]) <= abs(undamped[0]) and abs(damped[1]) <= abs(undamped[1])


def test_a_change_of_label_is_meaningful_even_when_small() -> None:
    assert meaningful_change(Mood(0.29, 0.0), Mood(0.31, 0.0), threshold=0.1)
    assert not meaningful_change(Mood(0.0, 0.0), Mood(0.02, 0.01), threshold=0.1)


@given(
    st.floats(0, 100),
    unit,
    st.integers(0, 5000),
    st.integers(0, 200),
    st.one_of(st.none(), st.floats(0, 10000)),
)
def test_relationship_score_stays_in_range(
    score: float, sentiment: float, length: int, depth: int, hours: float | None
) -> None:
    new = clamp_score(
        score
        + score_delta(
            sentiment=sentiment, message_length=length, conversation_depth=depth, hours_since_last=hours
        )
    )
    assert 0 <= new <= 100


def test_warmth_and_depth_count_more_than_a_curt_word() -> None:
    warm = score_delta(sentiment=0.8, message_length=400, conversation_depth=20, hours_since_last=1)
    curt = score_delta(sentiment=0.0, message_length=5, conversation_depth=1, hours_since_last=1)
    hostile = score_delta(sentiment=-0.9, message_length=20, conversation_depth=1, hours_since_last=1)
    assert warm > curt > 0 > hostile


def test_lexical_assessment_reads_warmth_weight_and_topics() -> None:
    heavy = lexical_assessment("I miss her so much, everything feels awful and empty")
    warm = lexical_assessment("Thanks, I'm so happy, the jazz night was wonderful!")
    assert heavy.sentiment < -0.3 and warm.sentiment > 0.3
    assert warm.topics == ("jazz",) and warm.intensity > 0


def test_opinions_form_after_three_discussions_with_the_stated_bands() -> None:
    s = 0.0
    for n, new in enumerate((0.9, 0.8, 0.7)):
        s = updated_sentiment(s, n, new)
    assert s == pytest.approx(0.8)
    assert band("jazz", s, 2) is None
    assert band("jazz", s, 3) == "you enjoy jazz"
    assert band("jazz", 0.3, 3) == "you find jazz interesting"
    assert band("jazz", -0.5, 3) == "you are not enthusiastic about jazz"
    assert band("jazz", 0.0, 9) is None


def test_a_follow_up_after_something_coming_up() -> None:
    tz = zone("Europe/Lisbon")
    wednesday = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)
    follow = find_follow_up("Nervous — my job interview is on Friday morning.", now=wednesday, tz=tz)
    assert follow is not None and follow.title == "your job interview"
    assert follow.ask_at == datetime(2026, 11, 20, 18, 0, tzinfo=tz)
    assert find_follow_up("Nothing much happening this week.", now=wednesday, tz=tz) is None


def test_style_learning_confidence_grows_and_hints_wait_for_it() -> None:
    assert confidence(0) == 0 and confidence(10) == pytest.approx(0.632, abs=0.01) and confidence(30) > 0.94
    casual = sample("lol yeah gonna grab a coffee 😂")
    formal = sample("Good evening. I would like to discuss something important.")
    assert casual.formality < formal.formality and casual.emoji > 0 and casual.humour > 0
    assert hints(length="short", formality=0.2, emoji=0.6, humour=0.6, detail=0.1, confidence_=0.2) == []
    assert "keep it casual" in hints(
        length="short", formality=0.2, emoji=0.6, humour=0.6, detail=0.1, confidence_=0.8
    )


def test_the_offline_responder_meets_loss_gently_and_says_what_it_is() -> None:
    from loyal_companion.llm.offline import OFFLINE_LABEL, offline_reply
    from loyal_companion.llm.types import PromptState

    reply = offline_reply(
        PromptState(person_name="Ana", message="My dad passed away in March.", mood_label="excited")
    )
    assert any(word in reply for word in ("sorry", "I'm here", "really hard"))
    assert "good spirits" not in reply  # no cheerfulness at a loss
    assert reply.endswith(OFFLINE_LABEL)


@pytest.mark.parametrize(
    ("said", "who"),
    [
        ("My mum died on Sunday.", "her"),
        ("My grandad passed away last night.", "him"),
        ("We lost our dog Biscuit today.", "them"),
        ("My mum and dad both died this year.", "them"),
    ],
)
def test_the_offline_responder_asks_about_who_was_lost_by_the_right_word(said: str, who: str) -> None:
    from loyal_companion.llm.offline import offline_reply
    from loyal_companion.llm.types import PromptState

    reply = offline_reply(PromptState(person_name="Ana", message=said))
    assert "tell me about" in reply, reply  # the first loss of a conversation asks about them
    assert f"tell me about {who}?" in reply, reply


@pytest.mark.parametrize(
    "said",
    [
        "i want to be with my husband, he's been gone on deployment for six months",
        "I miss my wife so much",
        "feeling lonely tonight",
    ],
)
def test_missing_someone_is_met_as_a_low_moment_not_small_talk(said: str) -> None:
    from loyal_companion.llm.offline import kind_of

    assert kind_of(said) == "low"
