"""Fact memory rules: which messages are considered, what an offline reading finds, and supersession.

The extraction gate considers about 40% of eligible messages; the draw is seeded by the interaction id,
so a redelivered turn decides the same way and tests are exact.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

FACT_TYPES: Final = (
    "hobby",
    "work",
    "family",
    "preference",
    "location",
    "event",
    "relationship",
    "general",
    "attachment_pattern",
    "grief_context",
    "coping_mechanism",
)
# Types where a newer fact replaces the older one instead of adding to it.
SINGLE_VALUED: Final = frozenset({"location", "work"})
MIN_LENGTH: Final = 20
_GREETINGS: Final = frozenset(
    "hi hello hey hiya yo howdy good evening morning afternoon thanks thank you cheers bye goodnight "
    "night".split()
)


@dataclass(frozen=True)
class FactCandidate:
    fact_type: str
    content: str
    importance: float
    confidence: float
    temporal_relevance: str = "present"
    category: str | None = None  # the subject a newer fact of a single-valued type replaces


def eligible(message: str) -> bool:
    """At least 20 characters, not a command, not a bare greeting."""
    text = message.strip()
    if len(text) < MIN_LENGTH or text.startswith(("/", "!")):
        return False
    words = re.findall(r"[a-z']+", text.lower())
    return not words or not all(w in _GREETINGS for w in words)


def should_extract(message: str, *, rate: float, seed: int) -> bool:
    return eligible(message) and random.Random(seed).random() < rate


_KIN: Final = (
    "mother|mum|mom|father|dad|sister|brother|son|daughter|wife|husband|partner|"
    "grandmother|grandfather|gran|grandma|grandpa"
)
_PATTERNS: Final = (
    (
        re.compile(r"\bi(?:'m| am) (?:a|an) ([a-z][a-z \-]{2,40}?)(?: by trade| for a living)?[.,!]?$", re.I),
        "work",
        0.6,
        "work",
    ),
    (re.compile(r"\bi work (?:as|at|in) ([^.,!?]{3,60}?)(?= and |[.,!?]|$)", re.I), "work", 0.6, "work"),
    (re.compile(r"\bi (?:live|moved) (?:in|to) ([A-Z][^.,!?]{1,50})", re.I), "location", 0.6, "location"),
    (
        re.compile(r"\bmy (dog|cat|pet|rabbit|horse)(?:'s name)? is (?:called |named )?([A-Z][a-z]+)", re.I),
        "family",
        0.7,
        None,
    ),
    (
        re.compile(
            rf"\bmy ({_KIN})(?: is called| is named|'s name is| was called| was named) ([A-Z][a-z]+)",
            re.I,
        ),
        "family",
        0.8,
        None,
    ),
    (re.compile(r"\bi (?:love|enjoy|adore) ([^.,!?]{3,60})", re.I), "preference", 0.5, None),
    (re.compile(r"\bi (?:hate|can't stand|dislike) ([^.,!?]{3,60})", re.I), "preference", 0.5, None),
    (
        re.compile(
            r"\bi (?:play|paint|knit|run|swim|cook|bake|garden|climb|write|sing) ([^.,!?]{0,50})", re.I
        ),
        "hobby",
        0.5,
        None,
    ),
)
_GRIEF = re.compile(r"\bmy ([a-z ]{2,30}?) (?:died|passed away|passed)\b(.{0,40})", re.I)
_COPING = re.compile(r"\bwhen i(?:'m| am| feel) ([a-z ]{3,30}),? i ([^.,!?]{3,60})", re.I)


def lexical_facts(message: str) -> list[FactCandidate]:
    """Facts a plain reading of the message finds (the offline extraction)."""
    found: list[FactCandidate] = []
    text = " ".join(message.split())
    for sentence in re.split(r"(?<=[.!?])\s+", text):
        for pattern, fact_type, importance, category in _PATTERNS:
            for match in pattern.finditer(sentence):
                groups = [g for g in match.groups() if g]
                if fact_type == "family" and len(groups) == 2:
                    content = f"Their {groups[0].lower()} is called {groups[1]}"
                else:
                    content = _sentence_case(match.group(0))
                found.append(FactCandidate(fact_type, content, importance, 0.6, category=category))
        if grief := _GRIEF.search(sentence):
            found.append(
                FactCandidate(
                    "grief_context",
                    f"Their {grief.group(1).strip()} died{grief.group(2).rstrip('.!')}",
                    0.95,
                    0.7,
                    "past",
                )
            )
        if coping := _COPING.search(sentence):
            found.append(FactCandidate("coping_mechanism", _sentence_case(coping.group(0)), 0.7, 0.6))
    return dedupe(found)


_PRONOUNS: Final = (
    (re.compile(r"\bI am\b"), "they are"),
    (re.compile(r"\bI'm\b"), "they're"),
    (re.compile(r"\bI\b"), "they"),
    (re.compile(r"\bmy\b", re.I), "their"),
    (re.compile(r"\bme\b", re.I), "them"),
)


def _sentence_case(text: str) -> str:
    """The person's words about themselves, retold about them ("I live in Porto" → "They live in Porto")."""
    text = text.strip().rstrip(".,!?")
    for pattern, replacement in _PRONOUNS:
        text = pattern.sub(replacement, text)
    return text[:1].upper() + text[1:]


def normalise(content: str) -> str:
    return " ".join(re.findall(r"[a-z0-9']+", content.lower()))


def dedupe(candidates: list[FactCandidate], known: Sequence[str] = ()) -> list[FactCandidate]:
    """Drop candidates that repeat each other or what is already remembered."""
    seen = {normalise(k) for k in known}
    out = []
    for candidate in candidates:
        key = normalise(candidate.content)
        if key and key not in seen:
            seen.add(key)
            out.append(candidate)
    return out


def supersedes(new: FactCandidate) -> str | None:
    """The category whose older active facts this one replaces (None: it adds, it does not replace)."""
    if new.fact_type in SINGLE_VALUED:
        return new.category or new.fact_type
    return None


FACT_SCHEMA: Final = {
    "type": "object",
    "additionalProperties": False,
    "required": ["sentiment", "intensity", "topics", "facts"],
    "properties": {
        "sentiment": {"type": "number"},
        "intensity": {"type": "number"},
        "topics": {"type": "array", "items": {"type": "string"}},
        "facts": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["fact_type", "content", "importance", "confidence", "temporal_relevance"],
                "properties": {
                    "fact_type": {"type": "string", "enum": list(FACT_TYPES)},
                    "content": {"type": "string"},
                    "importance": {"type": "number"},
                    "confidence": {"type": "number"},
                    "temporal_relevance": {
                        "type": "string",
                        "enum": ["past", "present", "future", "timeless"],
                    },
                },
            },
        },
    },
}
