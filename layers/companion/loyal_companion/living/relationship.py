"""Relationship levels: a score of 0–100 read as five levels, each with its own prompt guidance."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True)
class Level:
    name: str
    low: float
    high: float
    guidance: str


LEVELS: Final = (
    Level(
        "New Face",
        0,
        20,
        "You have only just met. Be warm and welcoming, never presume closeness; "
        "let them set the pace and learn their name and what brought them in.",
    ),
    Level(
        "Familiar Face",
        20,
        40,
        "You have talked a few times. Recognise them, pick up threads from before, "
        "and show you were listening.",
    ),
    Level(
        "Regular",
        40,
        60,
        "They are a regular. Be at ease with them, remember the details of their life, "
        "and gently ask after the things they care about.",
    ),
    Level(
        "Good Friend",
        60,
        80,
        "You are good friends. Speak with warmth and candour, use the shared history, "
        "and be honest when something seems off.",
    ),
    Level(
        "Close Friend",
        80,
        100,
        "You are close. Be deeply present and trusted; you can sit with hard things "
        "together, and your steadiness means a lot to them.",
    ),
)


def level_for(score: float) -> Level:
    """The level of ``score`` (0–20 New Face, 21–40 Familiar Face, … 81–100 Close Friend)."""
    score = max(0.0, min(100.0, score))
    for level in LEVELS:
        if score <= level.high:
            return level
    return LEVELS[-1]


def progress_to_next(score: float) -> tuple[Level | None, float]:
    """The next level (None at the top) and the share of the way there, in [0, 1]."""
    current = level_for(score)
    index = LEVELS.index(current)
    if index == len(LEVELS) - 1:
        return None, 1.0
    span = current.high - current.low
    return LEVELS[index + 1], max(0.0, min(1.0, (score - current.low) / span))


def score_delta(
    *,
    sentiment: float,
    message_length: int,
    conversation_depth: int,
    hours_since_last: float | None,
) -> float:
    """How much one exchange moves the relationship score (before clamping to 0-100).

    Showing up counts; longer, deeper and warmer exchanges count more; hostility costs; a long absence
    cools things a little (never below what was earned in the turn itself).
    """
    base = 0.5
    length = min(1.0, message_length / 400) * 0.7
    depth = min(1.0, conversation_depth / 20) * 0.5
    warmth = 0.8 * sentiment if sentiment > 0 else 1.5 * sentiment
    absence = 0.0
    if hours_since_last is not None and hours_since_last > 24 * 14:
        absence = -min(3.0, hours_since_last / (24 * 30))
    return base + length + depth + warmth + absence


def clamp_score(score: float) -> float:
    return max(0.0, min(100.0, score))
