"""Communication style learned from samples: length, formality, emoji, humour, detail."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Final

_EMOJI = re.compile("[\U0001f300-\U0001faff\u2600-\u27bf]")
_CASUAL: Final = frozenset("lol lmao haha hehe gonna wanna yeah yep nah hey omg tbh idk btw".split())
_HUMOUR: Final = frozenset("lol lmao haha hehe joke funny 😂 🤣 😄 😆".split())


@dataclass(frozen=True)
class StyleSample:
    length: int
    formality: float
    emoji: float
    humour: float
    detail: float


def sample(text: str) -> StyleSample:
    words = text.lower().split()
    casual = sum(w.strip(".,!?") in _CASUAL for w in words)
    capitalised = text[:1].isupper()
    punctuated = text.rstrip()[-1:] in ".?!"
    formality = max(0.0, min(1.0, 0.5 + 0.2 * capitalised + 0.2 * punctuated - 0.25 * casual))
    emoji = min(1.0, len(_EMOJI.findall(text)) / 3)
    humour = min(1.0, sum(w.strip(".,!?") in _HUMOUR for w in words) / 2 + len(_EMOJI.findall(text)) * 0.1)
    detail = min(1.0, len(words) / 80)
    return StyleSample(len(text), formality, emoji, humour, detail)


def preferred_length(average_chars: float) -> str:
    if average_chars < 60:
        return "short"
    if average_chars < 250:
        return "medium"
    return "long"


def confidence(samples: int) -> float:
    """Grows with samples: about 0.63 after 10, 0.95 after 30."""
    return 1.0 - math.exp(-samples / 10)


def hints(
    *, length: str, formality: float, emoji: float, humour: float, detail: float, confidence_: float
) -> list[str]:
    """Prompt hints, only once we are fairly sure of them."""
    if confidence_ < 0.4:
        return []
    out = [f"{length} replies suit them"]
    if formality < 0.35:
        out.append("keep it casual")
    elif formality > 0.75:
        out.append("they write formally")
    if emoji > 0.4:
        out.append("an emoji now and then is welcome")
    if humour > 0.4:
        out.append("they enjoy a bit of humour")
    if detail > 0.6:
        out.append("they like detail")
    return out
