"""The English the companion reads and speaks about a life: the everyday words for the people and animals
in it and the one role each stands for, and a fact told back to the person ("their dog" → "your dog").
Pure: memory reads facts with it, the offline responder speaks with it."""

from __future__ import annotations

import re
from typing import Final

# The words people use for the people and animals in their lives, and the one role each stands for.
ROLE_WORDS: Final = {
    **dict.fromkeys(("mum", "mom", "mommy", "mummy", "mother", "ma", "mam"), "mother"),
    **dict.fromkeys(("dad", "daddy", "papa", "father", "pa", "pop"), "father"),
    **dict.fromkeys(("parents",), "parents"),
    **dict.fromkeys(("gran", "granny", "grandma", "grandmother", "nan", "nana", "nanna"), "grandmother"),
    **dict.fromkeys(("grandpa", "grandad", "granddad", "grandfather", "gramps"), "grandfather"),
    **dict.fromkeys(("sister", "sis"), "sister"),
    **dict.fromkeys(("brother", "bro"), "brother"),
    **dict.fromkeys(("son",), "son"),
    **dict.fromkeys(("daughter",), "daughter"),
    **dict.fromkeys(("kid", "child"), "child"),
    **dict.fromkeys(("wife", "missus"), "wife"),
    **dict.fromkeys(("husband", "hubby"), "husband"),
    **dict.fromkeys(("partner",), "partner"),
    **dict.fromkeys(("boyfriend",), "boyfriend"),
    **dict.fromkeys(("girlfriend",), "girlfriend"),
    **dict.fromkeys(("fiance", "fiancé", "fiancee", "fiancée"), "fiance"),
    **dict.fromkeys(("aunt", "auntie", "aunty"), "aunt"),
    **dict.fromkeys(("uncle",), "uncle"),
    **dict.fromkeys(("cousin",), "cousin"),
    **dict.fromkeys(("niece",), "niece"),
    **dict.fromkeys(("nephew",), "nephew"),
    **dict.fromkeys(("friend", "mate", "pal", "bestie", "buddy"), "friend"),
    **dict.fromkeys(("boss", "manager", "supervisor"), "boss"),
    **dict.fromkeys(("colleague", "coworker", "co-worker", "workmate"), "colleague"),
    **dict.fromkeys(("flatmate", "roommate", "housemate"), "flatmate"),
    **dict.fromkeys(("neighbour", "neighbor"), "neighbour"),
    **dict.fromkeys(("therapist", "counsellor", "counselor"), "therapist"),
    **dict.fromkeys(("dog", "puppy", "pup", "doggo", "doggy", "hound"), "dog"),
    **dict.fromkeys(("cat", "kitten", "kitty"), "cat"),
    **dict.fromkeys(("rabbit", "bunny"), "rabbit"),
    **dict.fromkeys(("horse", "pony"), "horse"),
    **dict.fromkeys(("hamster",), "hamster"),
    **dict.fromkeys(("parrot", "budgie", "bird"), "bird"),
    **dict.fromkeys(("tortoise", "turtle"), "tortoise"),
    **dict.fromkeys(("pet",), "pet"),
}

ROLE_NAMES: Final = {
    role: tuple(sorted(word for word, named in ROLE_WORDS.items() if named == role))
    for role in set(ROLE_WORDS.values())
}

ANIMALS: Final = frozenset({"dog", "cat", "rabbit", "horse", "hamster", "bird", "tortoise", "pet"})

KIN: Final = frozenset(
    {
        "mother",
        "father",
        "parents",
        "grandmother",
        "grandfather",
        "sister",
        "brother",
        "son",
        "daughter",
        "child",
        "wife",
        "husband",
        "aunt",
        "uncle",
        "cousin",
        "niece",
        "nephew",
    }
)


def canonical_role(word: str | None) -> str | None:
    if not word:
        return None
    return ROLE_WORDS.get(word.strip().lower().removeprefix("my ").strip())


_SECOND_PERSON: Final = (
    (re.compile(r"\bthey're\b", re.I), "you're"),
    (re.compile(r"\bthey are\b", re.I), "you are"),
    (re.compile(r"\bthey were\b", re.I), "you were"),
    (re.compile(r"\bthey've\b", re.I), "you've"),
    (re.compile(r"\bthey'd\b", re.I), "you'd"),
    (re.compile(r"\bthey'll\b", re.I), "you'll"),
    (re.compile(r"\bthemselves\b", re.I), "yourself"),
    (re.compile(r"\btheirs\b", re.I), "yours"),
    (re.compile(r"\btheir\b", re.I), "your"),
    (re.compile(r"\bthem\b", re.I), "you"),
    (re.compile(r"\bthey\b", re.I), "you"),
)


def second_person(fact: str) -> str:
    """A fact about the person, told back to them ("Their dog Biscuit is unwell" → "your dog Biscuit is
    unwell"). Facts are written in the third person with plural verbs, so only the pronouns change."""
    text = fact.strip().rstrip(".")
    for pattern, replacement in _SECOND_PERSON:
        text = pattern.sub(replacement, text)
    return text[:1].lower() + text[1:] if text[:4].lower() in ("you ", "your", "you'") else text
