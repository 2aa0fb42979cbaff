"""Answers from memory for the offline responder: "What's my mum's name?" → "Your mum is called Ellen."

Pure rules over the facts a prompt was composed from. A question about the person's own life (who, what,
where, when; "do you remember …") is answered with the remembered fact that fits it best — one that says
what is asked (a name, a place, a day) about whom it asks (by name, by role in any of its words, or, for
"she" and "he", whoever the conversation was last about) — even when the question comes with other words
around it. When nothing remembered fits, it says so plainly rather than guess.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from loyal_companion.words import ROLE_WORDS, second_person

# A question about the person's own life (not "what do you think?").
_WH: Final = r"(?:what|what's|whats|who|who's|where|where's|when|when's|which|how old|how long|how many)"
_MEMORY_QUESTION: Final = re.compile(
    rf"\b{_WH}\b(?:\s+\S+){{0,3}}?\s+(?:my|our)\b|"  # what's my mum's name, when is our anniversary
    rf"\b{_WH}\s+(?:is|does|did|was|are|were)\s+(?:she|he|they)\b|"  # where does she live
    rf"\b{_WH}\s+(?:did|was|were)\s+i\b|"  # when did I start, where was I born
    r"\b(?:do|did) you (?:remember|recall|know)\b|\bremind me\b|\bdid i (?:tell|mention)\b",
    re.I,
)
# "Who is Maya?", "When's Biscuit's birthday?": a name, written with its capital.
_ABOUT_SOMEONE: Final = re.compile(
    r"\b(?:[Ww]ho|[Ww]hat|[Ww]here|[Ww]hen)(?:'s|\s+(?:is|does|did|was))\s+[A-Z][a-zà-ÿ]+"
)
_SENTENCE: Final = re.compile(r"[^?.!]+[?.!]*")
_KIND: Final = (
    ("name", re.compile(r"\b(?:name|named|called|who|who's)\b", re.I)),
    ("where", re.compile(r"\bwhere(?:'s)?\b", re.I)),
    ("when", re.compile(r"\b(?:when(?:'s)?|what (?:day|date|time)|which day|how long ago)\b", re.I)),
)
_FITS: Final = {
    "name": re.compile(r"\b(?:is|are|was) called\b|\bnamed\b|\bname is\b", re.I),
    "where": re.compile(r"\b(?:live|lives|living|lived|moved to|moving to|from|works? at|in [A-Z]\w+)\b"),
    "when": re.compile(
        r"\(happen(?:s|ed) (?:on|today)|\b(?:on|in|since) (?:the )?\d|\b(?:january|february|march|april|may|"
        r"june|july|august|september|october|november|december|monday|tuesday|wednesday|thursday|friday|"
        r"saturday|sunday|yesterday|tomorrow|last (?:week|month|year)|next (?:week|month|year))\b",
        re.I,
    ),
}
_WORD: Final = re.compile(r"[a-zà-ÿ']+", re.I)
_PRONOUN: Final = re.compile(r"\b(?:she|he|her|him|his|they|them|their)\b", re.I)
_QUIET: Final = frozenset(
    "what what's whats who who's where where's when when's which how old long many is are was were do does "
    "did you your remember recall know remind me my i i'm mine our the a an of to in on at for and or again "
    "tell told mention mentioned name named called live lives living day date time happen happened happens "
    "she he her him his they them their it it's that this there still now going get got have has had "
    "please".split()
)
_NOTE: Final = re.compile(r"\s*\((?:happen(?:s|ed)[^;)]*)?(?:;\s*)?(?:told[^)]*)?\)\s*$")
_DAY: Final = re.compile(r"\(happen(?:s|ed) (?:on )?([^;)]+)")
_NAME: Final = re.compile(r"\b([A-Z][a-zà-ÿ]+)\b")


@dataclass(frozen=True)
class Answer:
    text: str  # the answer, told back to the person ("your mum is called Ellen")
    fact: str  # the fact it came from, as remembered


def memory_question(message: str) -> str | None:
    """The first sentence of ``message`` that asks about the person's own life, if any."""
    for sentence in _SENTENCE.findall(message):
        sentence = sentence.strip()
        asks = _MEMORY_QUESTION.search(sentence) or _ABOUT_SOMEONE.search(sentence)
        if asks and (sentence.endswith("?") or _starts_asking(sentence)):
            return str(sentence)
    return None


def _starts_asking(sentence: str) -> bool:
    return (
        re.match(r"(?i)\s*(?:what|who|where|when|which|how|do you|did you|remind me)\b", sentence) is not None
    )


def answer(question: str, facts: Sequence[str], *, context: Sequence[str] = ()) -> Answer | None:
    """The remembered fact that answers ``question`` best (``facts`` best first, as the prompt shows them,
    their dates in brackets), told back; ``context``: the person's earlier messages, newest last, for whom
    "she" or "he" means. None when nothing remembered fits."""
    kind = next((k for k, pattern in _KIND if pattern.search(question)), "what")
    about = _subject_words(question)
    if not about or (_PRONOUN.search(question) and not (about - {"name"})):
        about |= _last_someone(context, facts)
    best: tuple[float, int, str] | None = None
    for rank, line in enumerate(facts):
        fact = _NOTE.sub("", line).strip()
        words = _roles(_WORD.findall(fact.lower()))
        shared = len(about & words)
        if not shared:
            continue
        score = 2.0 * shared + (3.0 if kind != "what" and _FITS[kind].search(line) else 0.0) - 0.01 * rank
        if kind != "what" and not _FITS[kind].search(line):
            score -= 2.5  # it speaks of them, but not of what is asked
        if best is None or score > best[0]:
            best = (score, rank, line)
    if best is None or best[0] < 2.0:
        return None
    line = best[2]
    fact = _NOTE.sub("", line).strip()
    told = second_person(fact)
    told = told[:1].lower() + told[1:] if told[:1].isupper() and not _NAME.match(told) else told
    if kind == "when" and (day := _DAY.search(line)) and day.group(1).strip() not in fact:
        told += f" — that's {day.group(1).strip()}"
    return Answer(told, fact)


def _roles(words: Sequence[str]) -> set[str]:
    """The words, with every role word also as the role it names ("mum" is also "mother")."""
    out = {w.removesuffix("'s") for w in words}
    return out | {ROLE_WORDS[w] for w in out if w in ROLE_WORDS}


def _subject_words(question: str) -> set[str]:
    return {w for w in _roles(_WORD.findall(question.lower())) if w not in _QUIET and len(w) > 1}


def _last_someone(context: Sequence[str], facts: Sequence[str]) -> set[str]:
    """Whom the conversation was last about: a name or role from the person's newest message that
    names one the facts know."""
    known = set().union(*(_roles(_WORD.findall(f.lower())) for f in facts)) if facts else set()
    for message in reversed(context):
        names = {n.lower() for n in _NAME.findall(message)} | _roles(
            [w for w in _WORD.findall(message.lower()) if w in ROLE_WORDS]
        )
        found = (names & known) - _QUIET
        if found:
            return found
    return set()
