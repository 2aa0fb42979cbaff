"""Opinions: sentiment about a topic as a weighted average over discussions, formed after three."""

from __future__ import annotations

from typing import Final

FORMED_AFTER: Final = 3


def updated_sentiment(current: float, discussions: int, new: float) -> float:
    """The running average after one more discussion with sentiment ``new``."""
    return max(-1.0, min(1.0, (current * discussions + new) / (discussions + 1)))


def band(topic: str, sentiment: float, discussions: int) -> str | None:
    """How the opinion colours the prompt (None until it is formed, or when it is lukewarm)."""
    if discussions < FORMED_AFTER:
        return None
    if sentiment > 0.5:
        return f"you enjoy {topic}"
    if sentiment >= 0.2:
        return f"you find {topic} interesting"
    if sentiment < -0.3:
        return f"you are not enthusiastic about {topic}"
    return None
