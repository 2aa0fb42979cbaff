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
    # A hard thing that happened counts twice: "she had a fall … the nurses are lovely though" is not glad.
    neg = sum(w in NEGATIVE for w in words) + 2 * len(_HARD.findall(text))
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
    r"\b(passed away|passed on|died|dies|dying|funeral|grief|grieving|bereave\w*|"
    r"lost (?:my|our|him|her)\b(?! (?:job|jobs|keys|wallet|phone|purse|bag|way|temper|voice|patience|place|"
    r"train|nerve|appetite|job|house|home|license|licence|deposit|match|game|bet|shift)\b)|"
    r"put (?:him|her|them) down|put to sleep|miss (?:him|her|them) so)\b",
    re.I,
)
_LOW: Final = re.compile(
    r"\b(depressed|hopeless|worthless|can't cope|cannot cope|falling apart|breaking down|so alone|"
    r"want to disappear|give up|gave up|heartbroken|devastated|lonely|"
    r"miss(?:ing)? (?:him|her|them|my \w+) (?:so|terribly|every|all)|deploy\w*|so far away)\b",
    re.I,
)


# A hard thing that happened (a fall, an illness, a job lost): it outweighs any kind word beside it ("the
# nurses are lovely though").
_HARD: Final = re.compile(
    r"\b(had a fall|fell (?:over|down|off)|took a fall|"
    r"(?:in|into|to) (?:hospital|a&e|the er|intensive care|icu)|ambulance|diagnos\w*|cancer|tumou?r|chemo\w*|"
    r"stroke|heart attack|seizure|dementia|alzheimer'?s|surgery|operation|biopsy|"
    r"broken? (?:her|his|my|their|a) \w+|(?:hip|leg|arm|wrist|ankle|bone) (?:is )?broken|fractur\w*|injur\w*|"
    r"accident|crash(?:ed)?|ill\b|illness|sick(?! of)|unwell|poorly|in pain|relapse\w*|miscarr\w*|laid off|"
    r"made redundant|redundancy|lost (?:my|his|her|their|our) (?:job|home|house)|fired|sacked|evicted|"
    r"divorc\w*|split up|broke up|dumped|left me|cheated|arrested|bankrupt|can't pay|debt|worried|scared|"
    r"frightened|terrified)\b",
    re.I,
)


def names_hardship(text: str) -> bool:
    """The message tells of something hard that happened (a fall, an illness, a job lost, a fear)."""
    return _HARD.search(text) is not None


def names_loss(text: str) -> bool:
    """The message speaks of a death or a loss (condolences fit; "I'll miss him" alone does not)."""
    return _LOSS.search(text) is not None


_CONTRAST: Final = re.compile(r"\b(?:but|though|although|even though|however|yet)\b|[;—–]", re.I)


def heavy(text: str) -> bool:
    """The person is grieving, low, or telling of something hard: the companion stays steady and with
    them, whatever its own mood, and a kind word beside the hard thing does not make it good news (each
    side of a "but" or "though" is weighed on its own)."""
    return (
        names_loss(text)
        or _LOW.search(text) is not None
        or names_hardship(text)
        or any(lexical_assessment(part).sentiment < -0.3 for part in [text, *_CONTRAST.split(text)])
    )
