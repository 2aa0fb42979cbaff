"""What a person tells the companion to remember (/memory remember, "Remember this"), made into a fact.

Their words are retold about them ("I live in Porto" → "They live in Porto"). A line told with a
speaker ("Mara: I went to my first pottery class yesterday", as people paste a conversation) keeps the
speaker as its subject: "Mara went to their first pottery class yesterday", about Mara. The day a line
names ("yesterday", "on the 12th of September") is kept beside it, read from the day it was told.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Final

from loyal_companion.memory.extract import NOT_NAMES, date_in, retell, third_person
from loyal_companion.memory.rules import Candidate

IMPORTANCE: Final = 0.7

# "Mara: …", "Aunt May: …": one or two capitalised words before a colon. Not a heading ("Update: …").
_SPEAKER: Final = re.compile(r"^([A-Z][\w’'.-]*(?: [A-Z][\w’'.-]*)?):\s+(\S.*)$")
_HEADINGS: Final = frozenset(
    "Update News Note Reminder Ps Btw Fyi Fun Also Today Tonight Yesterday Tomorrow Question Edit Story "
    "Random Okay Ok So Well Anyway Important Big Small Quick Good Bad Breaking Spoiler Warning Context "
    "Summary Me You Them Everyone Someone".split()
)

# The first word of the speaker's own: I, my, me and their contractions, as a speaker's name reads.
_FIRST: Final = re.compile(
    r"\b(?P<word>I['’]m|I['’]ve|I['’]d|I['’]ll|I|my|me|myself|mine|im|ive)\b(?P<after>\s+(?P<next>[\w'’-]+))?",
    re.I,
)
_IDIOMS: Final = re.compile(
    r"\b(?:oh|omg,?) my (?:god|gosh|goodness|days|word)\b|\bmy (?:god|gosh|goodness)\b", re.I
)
# The forms after "I" that stay as they are for "Mara" (past, modal, already agreeing).
_UNCHANGED: Final = frozenset(
    """was had did went got made said came took gave ate saw knew thought felt told found left kept met ran
    sat stood bought brought caught taught fought sold sent spent built lost won held heard read wrote
    drove rode flew threw grew drew wore tore broke spoke woke chose froze forgot began sang swam drank
    sank rang hung slept swept wept dealt meant lent bent let put set cut hit hurt quit shut cost fell led fed
    bled fled paid laid said could would should might must can will shall may cannot can't couldn't
    wouldn't shouldn't won't didn't wasn't""".split()
)
_IRREGULAR: Final = {
    "am": "is", "have": "has", "do": "does", "go": "goes", "haven't": "hasn't", "don't": "doesn't",
    "ain't": "isn't", "'m": "is", "’m": "is", "'ve": "has", "’ve": "has", "'d": "would", "’d": "would",
    "'ll": "will", "’ll": "will",
}  # fmt: skip
# Words that may come between "I" and its verb ("I really love it").
_ADVERBS: Final = frozenset(
    "really just also still never always finally actually totally literally honestly already even only "
    "usually sometimes often mostly kind sort genuinely seriously definitely absolutely barely hardly "
    "almost nearly probably truly secretly officially".split()
)


def speaker_of(text: str) -> tuple[str, str] | None:
    """The speaker and what they said, when ``text`` is a line told with one ("Mara: I went …"); None
    for a line with no speaker (or a heading such as "Update:")."""
    match = _SPEAKER.match(text)
    if match is None:
        return None
    speaker, said = match.group(1), match.group(2)
    first = speaker.split()[0]
    if first in _HEADINGS or first in NOT_NAMES:
        return None
    return speaker, said


def _agree(verb: str) -> str:
    """A verb after "I", as it reads after a name ("love" → "loves", "went" stays)."""
    lower = verb.lower()
    if lower in _IRREGULAR:
        return _IRREGULAR[lower]
    if lower in _UNCHANGED or lower.endswith(("ed", "n't")) or not lower.isalpha():
        return verb
    if lower.endswith(("s", "sh", "ch", "x", "z", "o")):
        return verb + "es"
    if len(lower) > 2 and lower.endswith("y") and lower[-2] not in "aeiou":
        return verb[:-1] + "ies"
    return verb + "s"


def retold_by(speaker: str, said: str) -> str:
    """A speaker's line retold with them as its subject: the first word of their own becomes their name
    ("I went" → "Mara went", "my dad" → "Mara's dad", "I'm" → "Mara is"), the rest "they"/"their"."""
    text = said.replace("’", "'").strip().rstrip(".,!;: ")
    idioms = [m.span() for m in _IDIOMS.finditer(text)]
    match = next((m for m in _FIRST.finditer(text) if not any(a <= m.start() < b for a, b in idioms)), None)
    if match is None:
        return f"{speaker} said: {text}"
    word = match.group("word").lower()
    after = text[match.end("word") :]
    if word in ("my", "mine"):
        named = f"{speaker}'s"
    elif word in ("me", "myself"):
        named = speaker
    elif word in ("i'm", "im"):
        named = f"{speaker} is"
    elif word in ("i've", "ive"):
        named = f"{speaker} has"
    elif word == "i'd":
        named = f"{speaker} would"
    elif word == "i'll":
        named = f"{speaker} will"
    else:
        named = speaker
        after = _verb_agreeing(after)
    body = text[: match.start()] + named + retell(after)
    return body[:1].upper() + body[1:]


def _verb_agreeing(after: str) -> str:
    """What follows "I", with its verb agreeing with a name ("I really love it" → "really loves it")."""
    tokens = after.split(" ")
    for i, token in enumerate(tokens):
        bare = token.strip(",.!?;:")
        if not bare:
            continue
        if bare.lower() in _ADVERBS:
            continue
        tokens[i] = token.replace(bare, _agree(bare), 1)
        break
    return " ".join(tokens)


def told_fact(text: str, *, today: date, person: str | None = None) -> Candidate:
    """The fact a person asked to be remembered, told on ``today`` (``person``: their own name, so a line
    they pasted with it as the speaker is about them)."""
    words = " ".join(text.split()).replace("’", "'")
    spoken = speaker_of(words)
    if spoken is not None and person and spoken[0].casefold() == person.casefold():
        words, spoken = spoken[1], None  # their own line, pasted with their name
    if spoken is None:
        return Candidate(
            "general",
            third_person(words),
            importance=IMPORTANCE,
            confidence=1.0,
            happens_on=date_in(words, today),
        )
    speaker, said = spoken
    return Candidate(
        "general",
        retold_by(speaker, said),
        importance=IMPORTANCE,
        confidence=1.0,
        subject=speaker,
        happens_on=date_in(said, today),
    )
