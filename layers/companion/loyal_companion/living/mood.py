"""Mood: valence and arousal in [-1, 1], labels, intensity and decay toward a baseline (ARCHITECTURE §5)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

LABEL_THRESHOLD: Final = 0.3
# A server's mood is kept in this many shares, written by different people's turns (db.living).
SHARDS: Final = 16


def clamp(value: float, low: float = -1.0, high: float = 1.0) -> float:
    return max(low, min(high, value))


@dataclass(frozen=True)
class Mood:
    valence: float
    arousal: float

    @property
    def label(self) -> str:
        return mood_label(self.valence, self.arousal)

    @property
    def intensity(self) -> float:
        return (abs(self.valence) + abs(self.arousal)) / 2


def mood_label(valence: float, arousal: float) -> str:
    if valence > LABEL_THRESHOLD:
        return "excited" if arousal > LABEL_THRESHOLD else "happy"
    if valence < -LABEL_THRESHOLD:
        return "annoyed" if arousal > LABEL_THRESHOLD else "bored"
    if arousal > LABEL_THRESHOLD:
        return "curious"
    if arousal < -LABEL_THRESHOLD:
        return "calm"
    return "neutral"


DEFAULT_DECAY_RATE: Final = 0.05  # per hour, when the personality's settings do not say


def kept_sql(*, since: str, now: str, rate: str) -> str:
    """How much of a mood share's offset is left at ``now`` from ``since``: e^(−rate × hours), as SQL over
    the given expressions. The one place the drift back toward the baseline is written: the turn reads a
    server's mood with it (``db.turns``: the baseline plus every share's offset times this) and writes a
    share and its drift line with it (``db.living``)."""
    return f"exp(-({rate}) * GREATEST(0, extract(epoch FROM ({now}) - ({since}))) / 3600.0)"


# How far one exchange can move the mood before damping, per axis.
TURN_STEP = 0.2


def turn_delta(sentiment: float, intensity: float, *, damping: float) -> tuple[float, float]:
    """The (valence, arousal) change one exchange makes. ``damping`` in [0, 1): the Bartender's steadiness.

    Valence follows the exchange's sentiment; arousal rises with intensity and settles with calm talk.
    """
    keep = 1.0 - max(0.0, min(0.95, damping))
    return (
        TURN_STEP * keep * max(-1.0, min(1.0, sentiment)),
        TURN_STEP * keep * (max(0.0, min(1.0, intensity)) - 0.3),
    )


def after_turn(mood: Mood, sentiment: float, intensity: float, *, damping: float) -> Mood:
    dv, da = turn_delta(sentiment, intensity, damping=damping)
    return Mood(clamp(mood.valence + dv), clamp(mood.arousal + da))


def meaningful_change(before: Mood, after: Mood, threshold: float) -> bool:
    """Worth a mood_history row: a visible move, or a change of label."""
    moved = abs(after.valence - before.valence) + abs(after.arousal - before.arousal)
    return moved >= threshold or after.label != before.label
