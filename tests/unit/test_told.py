"""What a person tells the companion to remember, made into a fact (/memory remember, "Remember this")."""

from __future__ import annotations

from datetime import date

import pytest

from loyal_companion.memory.extract import third_person
from loyal_companion.memory.told import speaker_of, told_fact

TOLD_ON = date(2023, 5, 8)


@pytest.mark.parametrize(
    ("told", "fact"),
    [
        ("Mara: I went to my first pottery class", "Mara went to their first pottery class"),
        ("Mara: I really love my job", "Mara really loves their job"),
        ("Jon: I’m so tired, my back hurts", "Jon is so tired, their back hurts"),
        ("Jon: i'm fine, im just tired", "Jon is fine, they're just tired"),
        ("Kofi: My mum is flying over from Accra", "Kofi's mum is flying over from Accra"),
        ("Dana: I've adopted a cat", "Dana has adopted a cat"),
        ("Aiko: I do the swimming now", "Aiko does the swimming now"),
        ("Bram: I have a boat. I fix it on Saturdays", "Bram has a boat. they fix it on Saturdays"),
        ("Jon: Oh my god look at her little face", "Jon said: Oh my god look at her little face"),
        ("Tomas: Vendí mi grúa para pagar la renta", "Tomas said: Vendí mi grúa para pagar la renta"),
    ],
)
def test_a_line_told_with_a_speaker_keeps_the_speaker_as_its_subject(told: str, fact: str) -> None:
    candidate = told_fact(told, today=TOLD_ON)
    assert candidate.content == fact
    assert candidate.subject == told.split(":")[0]


@pytest.mark.parametrize(
    ("said", "retold"),
    [
        ("i'm tired", "They're tired"),
        ("I’m tired", "They're tired"),
        ("I’ve been", "They've been"),
        ("im off", "They're off"),
        ("i'll go and i'd like to", "They'll go and they'd like to"),
    ],
)
def test_lower_case_and_curly_contractions_are_retold_whole(said: str, retold: str) -> None:
    assert third_person(said) == retold  # never "they'm"


def test_the_persons_own_name_or_a_heading_is_not_a_speaker() -> None:
    assert told_fact("Sam: I live in Leeds", today=TOLD_ON, person="Sam").content == "They live in Leeds"
    assert speaker_of("Update: I moved to Lisbon") is None
    assert speaker_of("Big news: I moved") is None
    assert speaker_of("Aunt May: I moved") == ("Aunt May", "I moved")


def test_the_day_a_line_names_is_read_from_the_day_it_was_told() -> None:
    assert told_fact("Mara: I went yesterday", today=TOLD_ON).happens_on == date(2023, 5, 7)
    later = told_fact("Jon: The date came through, it's the 12th of September", today=TOLD_ON)
    assert later.happens_on == date(2023, 9, 12)  # the clause that names the day is not past
    assert told_fact("I moved here on 2 May", today=TOLD_ON).happens_on == date(2023, 5, 2)
