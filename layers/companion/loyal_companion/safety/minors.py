"""Whether a person says they are under 18 ("I'm 15", "tengo 15 años", "mam 15 lat").

A stated age is read only from the speaker's own words about themselves, with the number followed by
nothing that makes it something else ("I'm 15 minutes late", "ich bin 16 km gelaufen"). Pure.
"""

from __future__ import annotations

import re
from typing import Final

from loyal_companion.safety.text import fold

ADULT_AGE: Final = 18
_NUMBER_WORDS: Final = {
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19,
}  # fmt: skip
_AGE = r"(?P<age>[1-9][0-9]?|" + "|".join(_NUMBER_WORDS) + ")"
# After the number: nothing, punctuation, or the words for "years (old)"; never a unit or an ordinal.
_END = (
    r"(?=\s*(?:$|[.,!?;:)]|and\b|y\b|et\b|und\b|e\b|en\b|i\b|but\b|pero\b|mais\b|aber\b|ma\b|maar\b|ale\b|"
    r"lol\b|lmao\b|haha|btw\b|tho\b|though\b|too\b|now\b|rn\b|so\b))"
)
_YEARS = (
    r"(?:\s*(?:years?\s+old|years?|yrs?(?:\s+old)?|y/?o|yo|anos|ans|jahre(?:\s+alt)?|anni|jaar(?:\s+oud)?|"
    r"lat|lata))?"
)
_STATED: Final = re.compile(
    r"(?:^|[\s,.!?])(?:"
    r"(?:i'?m|i\s+am|im)\s+(?:only\s+|just\s+)?"  # English
    r"|tengo\s+|j'?ai\s+|ich\s+bin\s+(?:erst\s+)?|tenho\s+|ho\s+|ik\s+ben\s+(?:pas\s+)?|mam\s+(?:dopiero\s+)?"
    r")" + _AGE + _YEARS + _END,
    re.IGNORECASE,
)
_REQUIRES_YEARS: Final = re.compile(r"^(?:tengo|j'?ai|tenho|ho|mam)\b", re.IGNORECASE)


def stated_age(text: str) -> int | None:
    """The age the speaker says they are, or None when they say none."""
    folded = fold(text).replace("’", "'")
    for match in _STATED.finditer(folded):
        said = match.group(0).strip(" ,.!?")
        number = match.group("age").lower()
        age = _NUMBER_WORDS.get(number) or int(number)
        # "tengo 15", "j'ai 15", "ho 15", "mam 15" need the word for years: alone they are counts of things.
        if _REQUIRES_YEARS.match(said) and not re.search(r"(anos|ans|anni|lat|lata)\b", said):
            continue
        if 5 <= age <= 120:
            return age
    return None


def says_minor(text: str) -> bool:
    age = stated_age(text)
    return age is not None and age < ADULT_AGE
