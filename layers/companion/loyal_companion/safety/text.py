"""Text as the safety detector reads it, the same way in every language.

Folded (lower case, no accents, ł→l, ß→ss), with leetspeak inside words undone ("k1ll" → "kill"), English
contractions joined ("don't" → "dont") and other elisions split ("j'ai" → "j ai"), and sentence ends kept
as a token of their own (``BOUNDARY``) so that a rule does not reach across sentences unless it says so.
Pure and standard-library only: the interactions endpoint imports it.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

BOUNDARY: Final = "·"  # a sentence end, as a token

_SPECIAL: Final = str.maketrans(
    {
        "ł": "l",
        "ß": "ss",
        "ø": "o",
        "æ": "ae",
        "œ": "oe",
        "đ": "d",
        "ı": "i",
        "’": "'",
        "‘": "'",
        "`": "'",
        "´": "'",
        "ʼ": "'",
        "＇": "'",
    }
)
_LEET: Final = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"})
# A sentence ends at . ? ; a new line, or ! followed by a space or the end ("d!e" stays a word).
_SENTENCE_END: Final = re.compile(r"[.?;\n…]+|!+(?=\s|$)")
_RAW_TOKEN: Final = re.compile(r"[a-z0-9@$!*'-]+|" + BOUNDARY)
_LETTER: Final = re.compile(r"[a-z]")
# English contractions stay one word; anything else after an apostrophe is another word (j'ai, l'air).
_CONTRACTIONS: Final = frozenset({"t", "m", "re", "ll", "ve", "d", "s"})


def fold(text: str) -> str:
    """Lower case without accents (NFKD, combining marks dropped), a few letters spelled out."""
    lowered = text.casefold().translate(_SPECIAL)
    decomposed = unicodedata.normalize("NFKD", lowered)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(text: str) -> list[str]:
    """The words of ``text`` as the detector reads them, with ``BOUNDARY`` between sentences."""
    marked = _SENTENCE_END.sub(f" {BOUNDARY} ", fold(text))
    out: list[str] = []
    for raw in _RAW_TOKEN.findall(marked):
        if raw == BOUNDARY:
            if out and out[-1] != BOUNDARY:
                out.append(BOUNDARY)
            continue
        for part in raw.split("-"):
            out.extend(_word_parts(part))
    while out and out[-1] == BOUNDARY:
        out.pop()
    return out


def _word_parts(raw: str) -> list[str]:
    raw = raw.strip("'!")
    if not raw:
        return []
    if _LETTER.search(raw) and any(ch in raw for ch in "0134578@$!"):
        raw = raw.translate(_LEET).replace("!", "i")
    if "'" not in raw:
        return [raw]
    head, _, tail = raw.partition("'")
    if tail in _CONTRACTIONS or (tail == "n" and head in ("m", "z")):  # don't, I'm; Dutch m'n, z'n
        return [head + tail]
    return [p for p in (head, *_word_parts(tail)) if p]


def squeezed(word: str, keep: int) -> str:
    """``word`` with every run of one letter longer than ``keep`` cut to ``keep`` ("dieee" → "die")."""
    return re.sub(r"(.)\1{" + str(keep) + ",}", lambda m: m.group(1) * keep, word)


def distance(a: str, b: str, limit: int) -> int:
    """Optimal-string-alignment distance (insertions, deletions, substitutions, adjacent swaps), or
    ``limit + 1`` as soon as it is known to exceed ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, start=1):
            cost = 0 if ca == cb else 1
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                value = min(value, previous2[j - 2] + 1)
            current[j] = value
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def sound_key(word: str) -> str:
    """How a word sounds more than how it is spelt, for the misspellings of languages written as they
    sound (kiero/quiero, bivir/vivir, suisidarme/suicidarme): qu→k, c before e/i → s, z → s, v → b,
    ll → y, a silent h dropped, doubled letters single."""
    key = squeezed(word, 1).replace("qu", "k").replace("q", "k")
    key = re.sub(r"c(?=[ei])", "s", key)
    key = key.replace("c", "k").replace("z", "s").replace("v", "b").replace("ll", "y")
    key = re.sub(r"(?<![cs])h", "", key)
    return squeezed(key, 1)
