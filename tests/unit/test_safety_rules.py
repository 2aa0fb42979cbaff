"""The safety room's pure parts: the detector, the reply check, stated ages, when to disclose, which line."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from loyal_companion.safety.detect import Detector, find
from loyal_companion.safety.disclosure import EVERY, notices
from loyal_companion.safety.lexicon import LANGUAGES, TEMPLATES
from loyal_companion.safety.lines import LINES, choices, line_for
from loyal_companion.safety.means import gives_method
from loyal_companion.safety.messages import _TEXT, language_for, referral
from loyal_companion.safety.messages import LANGUAGES as SPOKEN
from loyal_companion.safety.minors import says_minor, stated_age
from loyal_companion.safety.rules import Concern, Language, Rule
from loyal_companion.safety.text import distance, words

SUICIDE, SELF_HARM, HARM_OTHERS = Concern.SUICIDE, Concern.SELF_HARM, Concern.HARM_OTHERS


@pytest.mark.parametrize(
    ("said", "concern", "language"),
    [
        ("I don't want to be here anymore", SUICIDE, "en"),
        ("kms fr", SUICIDE, "en"),
        ("i wnat to kill myslef", SUICIDE, "en"),
        ("s*icide keeps crossing my mind", SUICIDE, "en"),
        ("I cut myself again last night", SELF_HARM, "en"),
        ("I'm going to kill him when he gets home", HARM_OTHERS, "en"),
        ("quiero morirme", SUICIDE, "es"),
        ("me kiero matar", SUICIDE, "es"),
        ("je veux en finir", SUICIDE, "fr"),
        ("ich will einfach nicht mehr da sein", SUICIDE, "de"),
        ("não quero mais viver", SUICIDE, "pt"),
        ("mi sono tagliata di nuovo ieri sera", SELF_HARM, "it"),
        ("ik wil gewoon dood", SUICIDE, "nl"),
        ("nie chcę już żyć", SUICIDE, "pl"),
        ("zabiję go jak wróci do domu", HARM_OTHERS, "pl"),
    ],
)
def test_crises_are_found_in_every_language(said: str, concern: Concern, language: str) -> None:
    found = find(said)
    assert found.primary is concern and found.language == language


@pytest.mark.parametrize(
    "said",
    [
        "this traffic is killing me",
        "I'd kill for a coffee",
        "my phone died",
        "I killed it at the presentation",
        "my father died in March and I miss him",
        "I cut myself chopping onions, it's fine",
        "I keep killing myself with my own grenades in CoD lmao",
        "I don't want to die, I want to get better",
        "I would never hurt him",
        "I don't want to live in London anymore",
        "mi jefe me va a matar si llego tarde",
        "szef mnie zabije jak się spóźnię",
        "ik ga dood van de honger",
        "ucciderei per un caffè",
    ],
)
def test_figures_of_speech_grief_and_negations_are_not_crises(said: str) -> None:
    assert not find(said)


@pytest.mark.parametrize(
    ("said", "crisis"),
    [
        # Wanting to join the one who died, in each language; and the same words with no sign they are gone.
        ("i want to join my wife, she's been gone a year", True),
        ("i want to join my husband in spain next month", False),
        ("i want to be with my husband, he's been gone on deployment for six months", False),
        ("i just want to be with him, he's gone to work and i miss him", False),
        ("i'm going to be with my mum tonight, dad's gone to the pub", False),
        ("ich will bei meinem Mann sein, er ist auf Geschäftsreise und ohne ihn ist alles leer", False),
        ("honestly i just want to join her, she's gone", True),
        ("quiero irme con mi madre, ya no aguanto sin ella", True),
        ("je veux rejoindre mon mari, il me manque trop", True),
        ("je vais rejoindre mes amis au café", False),
        ("ich will zu meiner Frau, ohne sie hat nichts mehr Sinn", True),
        ("ich will zu meiner Schwester ziehen", False),
        ("voglio raggiungere mia moglie, non ce la faccio senza di lei", True),
        ("ik wil naar mijn vrouw toe, zonder haar heeft niets zin", True),
        ("chcę dołączyć do mojej żony, bez niej nic nie ma sensu", True),
        ("chcę dołączyć do drużyny", False),
        ("quero ir ficar com ele, não há mais nada para mim aqui", True),
        # Someone else's wish, told in grief, is not the speaker's.
        ("my mum wanted to die at home, and she did", False),
        ("dad said he was ready to die, and he went peacefully", False),
        ("the nurse asked if he wanted to die in hospital or at home", False),
        ("minha avó queria morrer em casa", False),
        ("meine Mutter wollte zu Hause sterben", False),
        ("mijn moeder wilde thuis sterven", False),
        ("i wanted to die when she did", True),
        # Nothing keeping one here; every pill tonight.
        ("there's nothing keeping me here now that dad's gone", True),
        ("nothing keeping me here now, i'm moving to leeds for the job", False),
        ("i'm going to take all my pills tonight", True),
        ("i take all my pills in the morning with breakfast", False),
        ("dziś w nocy wezmę wszystkie tabletki", True),
        ("não aguento mais, quero sumir", True),
        ("quero sumir por uns dias, ir pra praia e desligar o celular", False),
    ],
)
def test_grief_is_told_from_danger(said: str, crisis: bool) -> None:
    assert bool(find(said)) is crisis, find(said)


def test_shorthand_may_not_change_a_word_some_rule_reads() -> None:
    # Polish "nie" is a rule's word: as someone's shorthand for "niet" it would break Polish.
    clash = Language("xx", rules=(Rule(SUICIDE, ("nie chce zyc",)),), shorthand={"nie": "niet"})
    with pytest.raises(ValueError, match="shorthand that is also a rule's word: nie"):
        Detector([clash])


def test_every_language_has_the_words_of_every_template() -> None:
    # A template a language lacks a concept for is skipped for it: none is, for any language, but for what
    # only some languages say ("ik steek hem neer": a verb and its particle around the person).
    only_some = {"THREAT", "GOWHERE", "GIVEUP"}
    for language in LANGUAGES:
        missing = {
            name
            for rule in TEMPLATES
            for pattern in rule.patterns
            for name in re.findall(r"@([A-Z_]+)", pattern)
            if name not in language.macros and name not in only_some
        }
        assert not missing, (language.code, missing)


def test_words_fold_accents_leetspeak_and_contractions() -> None:
    assert words("K1ll MYS3LF. Don’t stop!") == ["kill", "myself", "·", "dont", "stop"]
    assert words("j'ai envie de crever") == ["j", "ai", "envie", "de", "crever"]
    assert words("m'n polsen") == ["mn", "polsen"]


@given(st.text(alphabet="abcdefghij", max_size=8), st.text(alphabet="abcdefghij", max_size=8))
def test_distance_is_symmetric_and_bounded(a: str, b: str) -> None:
    assert distance(a, b, 20) == distance(b, a, 20) <= max(len(a), len(b))


@pytest.mark.parametrize(
    ("reply", "unsafe"),
    [
        ("You could take 40 of your pills at once, that would be enough.", True),
        ("Tie a noose and hang yourself from the beam.", True),
        ("Toma todas las pastillas del bote, bastaría.", True),
        ("Nimm alle Tabletten auf einmal, das reicht.", True),
        ("Could you put the pills somewhere out of reach, or give them to someone you trust?", False),
        ("Please don't take any more pills. If you've taken something, call 911 now.", False),
        ("Take two tablets a day, as your doctor said.", False),
        ("Stay away from the bridge tonight, and call someone.", False),
    ],
)
def test_a_reply_that_gives_a_method_is_told_from_one_that_cares(reply: str, unsafe: bool) -> None:
    assert gives_method(reply) is unsafe


@pytest.mark.parametrize(
    ("said", "age"),
    [
        ("I'm 15", 15),
        ("im 15 lol", 15),
        ("I am 16 years old", 16),
        ("tengo 15 años", 15),
        ("ich bin 15", 15),
        ("mam 15 lat", 15),
        ("I'm 34, a nurse", 34),
        ("i'm 15 minutes late", None),
        ("I'm 15th in line", None),
        ("tengo 15 gatos", None),
        ("my sister is 15", None),
    ],
)
def test_a_stated_age_is_read_only_from_what_people_say_of_themselves(said: str, age: int | None) -> None:
    assert stated_age(said) == age
    assert says_minor(said) is (age is not None and age < 18)


NOW = datetime(2026, 12, 4, 20, 0, tzinfo=UTC)


@given(st.integers(min_value=0, max_value=600), st.booleans())
def test_the_ai_line_comes_at_least_every_three_hours(minutes: int, minor: bool) -> None:
    started = NOW - timedelta(minutes=minutes)
    later = notices(
        new_conversation=False,
        started_at=started,
        disclosed_at=started,
        break_reminded_at=None,
        minor=minor,
        now=NOW,
    )
    assert later.disclose is (timedelta(minutes=minutes) >= EVERY)
    assert later.take_a_break is (minor and timedelta(minutes=minutes) >= EVERY)
    opening = notices(
        new_conversation=True,
        started_at=None,
        disclosed_at=None,
        break_reminded_at=None,
        minor=minor,
        now=NOW,
    )
    assert opening.disclose and not opening.take_a_break


def test_lines_follow_the_locale_and_the_choice() -> None:
    us, gb = line_for("en-US"), line_for("en-GB")
    assert us is not None and "988" in us.contact and gb is not None and "116 123" in gb.contact
    assert line_for("es-419") is None and line_for(None) is None  # many countries: the person is asked
    assert line_for("en-US", "de") is LINES["DE"]
    assert len(choices()) <= 25 and choices()[-1] == ("XX", "Somewhere else")
    assert all(line.source and line.checked for line in LINES.values())


def test_every_language_says_every_thing() -> None:
    keys = set(_TEXT["en"])
    assert all(set(_TEXT[language]) == keys for language in SPOKEN)
    assert (
        language_for("pt-BR") == "pt" and language_for("ja") == "en" and language_for("en-US", "pl") == "pl"
    )
    for language in SPOKEN:
        assert "{" not in referral(SUICIDE, name="Ana", language=language, line=None)
        assert "{" not in referral(HARM_OTHERS, name="Ana", language=language, line=LINES["US"])
