"""How an exchange felt: sentiment in [-1, 1] and intensity in [0, 1].

With a model configured the assessment comes from structured output; this lexical one is the offline
fallback and the tie-breaker when the model's answer is unusable. Deliberately simple and predictable.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Final

_WORD = re.compile(r"[a-zA-Z']+")
POSITIVE: Final = frozenset(
    "love loved lovely glad happy great good wonderful thanks thank grateful proud excited relieved calm "
    "better beautiful fun laughed joy kind hope hopeful brilliant amazing nice enjoyed won".split()
)
NEGATIVE: Final = frozenset(
    "sad angry hate hurt lonely alone tired exhausted awful terrible bad worse worst cry cried crying lost "
    "died dead death grief grieving miss missing scared afraid anxious anxiety panic broke broken sick pain "
    "stressed stress fail failed fight fought rough hard guilty ashamed empty numb".split()
)
INTENSIFIERS: Final = frozenset("so very really extremely totally completely never always".split())
TOPICS: Final = (
    "music",
    "jazz",
    "coffee",
    "tea",
    "books",
    "reading",
    "movies",
    "films",
    "football",
    "cooking",
    "travel",
    "work",
    "art",
    "painting",
    "gaming",
    "games",
    "running",
    "hiking",
    "dogs",
    "cats",
    "gardening",
    "poetry",
    "photography",
    "cycling",
    "swimming",
    "theatre",
    "dance",
    "cello",
    "piano",
    "guitar",
)


@dataclass(frozen=True)
class Assessment:
    sentiment: float
    intensity: float
    topics: tuple[str, ...] = field(default_factory=tuple)

    @property
    def positive(self) -> bool:
        return self.sentiment > 0.1

    @property
    def negative(self) -> bool:
        return self.sentiment < -0.1


def lexical_assessment(text: str) -> Assessment:
    words = [w.lower() for w in _WORD.findall(text)]
    pos = sum(w in POSITIVE for w in words)
    neg = sum(w in NEGATIVE for w in words)
    total = pos + neg
    sentiment = 0.0 if total == 0 else (pos - neg) / total * min(1.0, total / 3)
    boost = (
        sum(w in INTENSIFIERS for w in words)
        + text.count("!")
        + sum(1 for w in _WORD.findall(text) if len(w) > 2 and w.isupper())
    )
    intensity = min(1.0, total * 0.15 + boost * 0.1)
    topics = tuple(t for t in TOPICS if t in words)
    return Assessment(sentiment=max(-1.0, min(1.0, sentiment)), intensity=intensity, topics=topics)


_LOSS: Final = re.compile(
    r"\b(passed away|passed on|died|dies|dying|funeral|lost (?:my|our|him|her)|grief|grieving|bereave\w*|"
    r"put (?:him|her|them) down|put to sleep|miss (?:him|her|them) so)\b",
    re.I,
)
_LOW: Final = re.compile(
    r"\b(depressed|hopeless|worthless|can't cope|cannot cope|falling apart|breaking down|so alone|"
    r"want to disappear|give up|gave up|heartbroken|devastated)\b",
    re.I,
)


def names_loss(text: str) -> bool:
    """The message speaks of a death or a loss (condolences fit; "I'll miss him" alone does not)."""
    return _LOSS.search(text) is not None


def heavy(text: str) -> bool:
    """The person is grieving or low: the companion stays steady and with them, whatever its own mood."""
    return names_loss(text) or _LOW.search(text) is not None or lexical_assessment(text).sentiment < -0.3
