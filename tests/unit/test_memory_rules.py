"""Memory's pure rules: the offline reading, who a fact is about, a message as a query, facts shown with
their dates, a model's proposals checked, and the offline responder's voice."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from loyal_companion.llm.offline import GETTING_TO_KNOW, OFFLINE_LABEL, kind_of, offline_reply
from loyal_companion.llm.types import PromptState
from loyal_companion.memory.extract import read_message, third_person
from loyal_companion.memory.query import query_for
from loyal_companion.memory.rules import (
    Candidate,
    Entity,
    candidates_from_model,
    content_key,
    fact_line,
    is_standing,
    tie_subject,
)
from loyal_companion.words import second_person

TODAY = date(2026, 12, 10)  # a Thursday


def _read(*messages: str) -> list[Candidate]:
    """The facts of the last message, read after the earlier ones (as the turns of one conversation)."""
    entities: list[Entity] = []
    context: list[str] = []
    facts: list[Candidate] = []
    for message in messages:
        facts, named = read_message(message, context=context, entities=entities, today=TODAY)
        entities += named
        context.append(message)
    return facts


def _contents(*messages: str) -> list[str]:
    return [f.content for f in _read(*messages)]


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        (
            "My dog Biscuit has been sick all week.",
            ["Their dog is called Biscuit", "Their dog Biscuit has been sick all week"],
        ),
        (
            "my sister Maya is getting married on June 14th",
            ["Their sister is called Maya", "Their sister Maya is getting married on June 14th"],
        ),
        ("Maya is my sister.", ["Their sister is called Maya"]),
        ("My cat's name is Pepper.", ["Their cat is called Pepper"]),
        ("I prefer short answers.", ["They prefer short answers"]),
        ("I work as a nurse at St Mary's hospital.", ["They work as a nurse at St Mary's hospital"]),
        (
            "I work nights this month on the children's ward.",
            ["They work nights this month on the children's ward"],
        ),
        ("Big news: I moved to Lisbon last weekend!", ["They moved to Lisbon last weekend"]),
        ("My dad died in March.", ["Their dad died in March"]),
        (
            "I have two kids, Sam and Lily.",
            ["Their child is called Sam", "Their child is called Lily", "They have two kids, Sam and Lily"],
        ),
    ],
)
def test_the_common_ways_people_say_things_are_learned(message: str, expected: list[str]) -> None:
    assert _contents(message) == expected


def test_he_and_him_are_whoever_the_conversation_was_about() -> None:
    assert _contents("My dog Biscuit has been sick.", "He's a scruffy little terrier.") == [
        "Biscuit is a scruffy little terrier"
    ]
    [talk] = _read("My dad died in March.", "I still talk to him in my head most days.")
    assert talk.content == "They still talk to their dad in their head most days"
    assert (talk.fact_type, talk.subject) == ("grief_context", "father")


@pytest.mark.parametrize(
    "message",
    [
        "hi there, how are you doing",
        "Honestly I'm just tired today",
        "What do you think about jazz?",
        "/memory list",
        "ok",
    ],
)
def test_small_talk_questions_and_commands_are_not_facts(message: str) -> None:
    assert _read(message) == []


def test_a_profession_and_this_months_shifts_are_two_facts_with_their_own_subjects() -> None:
    [job] = _read("I work as a nurse at St Mary's hospital.")
    [shifts] = _read("I work nights this month on the children's ward.")
    assert (job.category, shifts.category) == ("job", "work_schedule")


@pytest.mark.parametrize(
    ("message", "day"),
    [
        ("My sister is getting married on 14 June.", date(2027, 6, 14)),
        ("My exam is on the 3rd of July 2027.", date(2027, 7, 3)),
        ("My interview is on Friday.", date(2026, 12, 11)),
        ("My interview was last Friday.", date(2026, 12, 4)),
        ("My brother arrives tomorrow.", date(2026, 12, 11)),
        ("My mum's birthday was on 2 December.", date(2026, 12, 2)),
        ("My mum's birthday party is on 2 December.", date(2027, 12, 2)),
    ],
)
def test_the_day_people_name_is_kept(message: str, day: date) -> None:
    assert [f.happens_on for f in _read(message) if f.happens_on] == [day]


@given(
    st.lists(
        st.sampled_from(
            "I my me we our am was is dog Biscuit sister love work live died on June 14 he she him".split()
        ),
        max_size=14,
    )
)
def test_what_is_learned_is_told_about_the_person_never_in_their_voice(words: list[str]) -> None:
    for fact in _read(" ".join(words) + "."):
        assert not {"I", "my", "me", "we", "our"} & set(fact.content.split())


def test_third_person_keeps_the_verbs_right() -> None:
    assert (
        third_person("I am a nurse and I was born in Porto") == "They are a nurse and they were born in Porto"
    )
    assert third_person("I'm moving to my mum's") == "They're moving to their mum's"


def test_a_fact_is_tied_to_who_it_is_about() -> None:
    known = [Entity("Biscuit", "dog"), Entity("Maya", "sister")]
    assert tie_subject(Candidate("family", "Biscuit hates the vet"), known).subject_role == "dog"
    # "their sister" is Maya when she is the only sister we know of
    assert tie_subject(Candidate("event", "Their sister is moving house"), known).subject == "Maya"
    two_sisters = [*known, Entity("Ines", "sister")]
    assert tie_subject(Candidate("event", "Their sister is moving house"), two_sisters).subject == "sister"
    # a model's own subject is kept; its role is completed from what is known
    tied = tie_subject(Candidate("family", "She loves the beach", subject="Maya"), known)
    assert (tied.subject, tied.subject_role) == ("Maya", "sister")


def test_a_message_becomes_a_query_with_roles_verb_forms_and_when() -> None:
    query = query_for("When did I lose my dad? I grow tired.")
    assert {"dad daddy father pa papa pop", "lose lost", "grew grow grown"} <= set(query.equivalents)
    assert "exhausted sleep slept tired" in query.equivalents  # an everyday concept (memory.concepts)
    assert query.temporal
    assert not query_for("How is my puppy?").temporal
    assert "dog doggo doggy hound pup puppy" in query_for("How is my puppy?").equivalents


def test_facts_carry_their_dates_in_words() -> None:
    line = fact_line(
        "Their sister Maya is getting married",
        learned_on=date(2026, 12, 3),
        happens_on=date(2027, 6, 14),
        today=TODAY,
    )
    assert line == (
        "Their sister Maya is getting married "
        "(happens on Monday 14 June 2027; told on Thursday 3 December 2026)"
    )
    assert "happened on" in fact_line("x", learned_on=None, happens_on=date(2026, 3, 1), today=TODAY)
    assert fact_line("x.", learned_on=TODAY, happens_on=None, today=TODAY) == "x (told today)"


def test_facts_are_told_back_in_the_second_person() -> None:
    assert second_person("Their dog Biscuit has been unwell") == "your dog Biscuit has been unwell"
    assert second_person("They're a nurse and they love their job.") == "you're a nurse and you love your job"
    assert second_person("Biscuit is a terrier") == "Biscuit is a terrier"


def test_a_models_proposals_are_checked_before_anything_is_stored() -> None:
    data = {
        "facts": [
            {
                "op": "update",
                "replaces": 7,
                "fact_type": "family",
                "content": "Biscuit is better",
                "subject": "Biscuit",
                "subject_role": None,
                "happens_on": None,
                "importance": 3,
                "confidence": -1,
                "temporal_relevance": "present",
            },
            {
                "op": "supersede",
                "replaces": 99,
                "fact_type": "work",
                "content": "They quit",
                "happens_on": "2027-02-30",
            },
            {"op": "add", "fact_type": "astrology", "content": "They are a Leo"},
            {"op": "none", "fact_type": "hobby", "content": "They knit"},
            {"op": "add", "fact_type": "event", "content": "  Exam   on Friday ", "happens_on": "2026-12-11"},
            "not a fact",
        ]
    }
    better, quit_, exam = candidates_from_model(data, known_ids=[7], entities=[Entity("Biscuit", "dog")])
    assert (better.op, better.replaces, better.subject_role) == ("update", 7, "dog")
    assert (better.importance, better.confidence) == (1.0, 0.0)
    assert (quit_.op, quit_.replaces, quit_.happens_on) == ("add", None, None)  # an id it was not shown
    assert (exam.content, exam.happens_on) == ("Exam on Friday", date(2026, 12, 11))


def test_content_keys_ignore_case_and_punctuation() -> None:
    assert content_key("They live in Porto!") == content_key("they  live in porto") == "they live in porto"


def test_standing_wishes_are_about_how_to_be_talked_to() -> None:
    assert is_standing("preference", "They prefer short answers")
    assert is_standing("preference", "They don't want advice, just company")
    assert not is_standing("preference", "They prefer tea to coffee")
    assert not is_standing("work", "They answer phones at a call centre")


# -- the offline responder -------------------------------------------------------------------------


def _state(message: str, **kwargs: object) -> PromptState:
    return PromptState(person_name="Ana", message=message, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("message", "kind"),
    [
        ("My dad passed away last night.", "loss"),
        ("My brother is moving abroad and I'll miss him.", "low"),  # sad, but nobody died
        ("I feel so alone and hopeless tonight.", "low"),
        ("Hello!", "greeting"),
        ("We went hiking all weekend, it was wonderful!", "glad"),
        ("What breed is my dog?", "question"),
        ("Long day at work.", "plain"),
    ],
)
def test_the_opening_fits_the_message(message: str, kind: str) -> None:
    assert kind_of(message) == kind


def test_condolences_only_where_a_loss_is_named() -> None:
    assert "sorry" in offline_reply(_state("My grandmother died on Sunday.")).lower()
    assert "sorry" not in offline_reply(_state("My brother is moving abroad and I'll miss him.")).lower()
    assert "a lot to carry" not in offline_reply(_state("We went hiking all weekend, it was wonderful!"))


def test_it_tells_back_the_related_facts_in_the_second_person() -> None:
    reply = offline_reply(
        _state(
            "How is my dog?",
            related_facts=("Their dog Biscuit has been unwell",),
            facts=("They work nights",),
        )
    )
    assert "You told me your dog Biscuit has been unwell" in reply
    assert "nights" not in reply  # not related to the message
    assert reply.endswith(OFFLINE_LABEL)


def test_it_does_not_repeat_itself_within_a_conversation() -> None:
    first = offline_reply(_state("Long day at work."))
    assert GETTING_TO_KNOW in first
    second = offline_reply(_state("Long day at work.", earlier_replies=(first,)))
    assert GETTING_TO_KNOW not in second
    assert first.split(".")[0] != second.split(".")[0]
    remembered = offline_reply(_state("Biscuit again", related_facts=("Their dog is called Biscuit",)))
    again = offline_reply(
        _state("Biscuit again", related_facts=("Their dog is called Biscuit",), earlier_replies=(remembered,))
    )
    assert "your dog is called Biscuit" in remembered and "your dog is called Biscuit" not in again


@given(st.text(max_size=80), st.lists(st.text(max_size=40), max_size=3))
def test_replies_have_clean_punctuation_whatever_comes_in(message: str, facts: list[str]) -> None:
    reply = offline_reply(_state(message, related_facts=tuple(facts)))
    body = reply.removesuffix(OFFLINE_LABEL)
    assert ".." not in body.replace("…", "") and "?." not in body and "!." not in body


def test_the_days_a_message_names_are_read_as_the_person_means_them() -> None:
    from datetime import date

    from loyal_companion.memory.query import named_period

    today = date(2023, 6, 15)
    assert named_period("what did I do in May?", today) == (date(2023, 5, 1), date(2023, 5, 31))
    assert named_period("what happened in December", today) == (date(2022, 12, 1), date(2022, 12, 31))
    assert named_period("on the 8th of May", today) == (date(2023, 5, 8), date(2023, 5, 8))
    assert named_period("what about July 3rd", today) == (date(2022, 7, 3), date(2022, 7, 3))
    assert named_period("anything in 2021?", today) == (date(2021, 1, 1), date(2021, 12, 31))
    assert named_period("yesterday", today) == (date(2023, 6, 14), date(2023, 6, 14))
    assert named_period("last week", today) == (date(2023, 6, 5), date(2023, 6, 11))
    assert named_period("I may go", today) is None
    assert named_period("when did Mara adopt Pip?", today) is None


def test_a_question_finds_the_everyday_words_of_its_concepts() -> None:
    from loyal_companion.memory.query import query_for

    groups = " ".join(query_for("What does Bram do for work?").equivalents)
    assert "shift" in groups and "job" in groups
    assert "papa" in " ".join(query_for("how is my father?").equivalents)  # a role finds all its words
