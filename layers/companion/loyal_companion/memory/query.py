"""A message as recall's query: its words, the words that mean the same or belong to the same everyday
concept (a role's words, an irregular verb's forms, ``memory.concepts``), whether it asks when, and the
days it names. Pure: no database, no clock (the day is given).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

from loyal_companion.memory.concepts import groups_of
from loyal_companion.words import ROLE_NAMES, ROLE_WORDS

_WORD = re.compile(r"[A-Za-zÀ-ÿ][A-Za-zÀ-ÿ'\-]*")

# Words a companion hears in every other message: a match on them alone does not make a private fact
# "about" the message.
WEAK_WORDS: Final = frozenset(
    "today tonight yesterday tomorrow day days week weeks time times thing things feel feeling felt really "
    "just still also much good bad lot little bit get got go going went make made think thought know "
    "want way back well right new old last first year years month months".split()
)
# English verbs whose past forms a stemmer cannot bring back to the present ("grew" is not "grow"):
# a question in one tense finds a fact told in another.
_IRREGULAR_VERBS: Final = (
    "begin began begun|break broke broken|bring brought|build built|buy bought|catch caught|"
    "choose chose chosen|come came|drink drank drunk|drive drove driven|eat ate eaten|fall fell fallen|"
    "feel felt|fight fought|find found|fly flew flown|forget forgot forgotten|give gave given|go went gone|"
    "grow grew grown|hear heard|hold held|keep kept|know knew known|leave left|lend lent|lose lost|"
    "meet met|pay paid|ride rode ridden|ring rang rung|rise rose risen|run ran|say said|see saw seen|"
    "sell sold|send sent|sing sang sung|sit sat|sleep slept|speak spoke spoken|spend spent|stand stood|"
    "steal stole stolen|swim swam swum|take took taken|teach taught|tell told|think thought|"
    "throw threw thrown|wake woke woken|wear wore worn|win won|write wrote written|bear bore born|"
    "fall fell fallen|hurt hurt|leave left|lie lay lain|light lit|read read|shake shook shaken|"
    "shine shone|shoot shot|show showed shown|sink sank sunk|slide slid|spin spun|split split|"
    "spring sprang sprung|sting stung|strike struck|swear swore sworn|sweep swept|tear tore torn|"
    "understand understood|weep wept|wind wound"
)
VERB_FORMS: Final = {
    form: tuple(f for f in forms.split() if f != form)
    for forms in _IRREGULAR_VERBS.split("|")
    for form in forms.split()
}
_TEMPORAL_QUESTION = re.compile(
    r"\b(when|what (?:date|day|time|month|year)|which (?:day|date|month|year)|how long|since when|"
    r"how many (?:days|weeks|months|years))\b",
    re.I,
)


@dataclass(frozen=True)
class Query:
    """What recall searches for: the message; groups of words that mean the same as one of its words (a
    role and its everyday words, "dad father"; an irregular verb's forms, "grow grew grown"), each
    counted as one concept; and whether it asks when something happens."""

    text: str
    equivalents: tuple[str, ...]
    temporal: bool
    # The days the message names ("in May", "on 8 May 2023", "last week"), first and last: facts that
    # happened or were told then come first.
    period: tuple[date, date] | None = None


_MONTH_NAMES: Final = (
    "january february march april may june july august september october november december".split()
)
_MONTH: Final = "|".join(_MONTH_NAMES + [m[:3] for m in _MONTH_NAMES if m != "may"] + ["sept"])
_DAY_OF_MONTH = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?(?: of)? ({_MONTH})\b(?:,? (\d{{4}}))?", re.I)
_MONTH_OF_DAY = re.compile(rf"\b({_MONTH}) (\d{{1,2}})(?:st|nd|rd|th)?\b(?:,? (\d{{4}}))?", re.I)
_IN_MONTH = re.compile(
    rf"\b(?:in|during|last|this|early|late|mid|around|since) (?:-?\s?)?({_MONTH})\b(?:,? (\d{{4}}))?", re.I
)
_IN_YEAR = re.compile(r"\b(?:in|during|since) (\d{4})\b")
_RELATIVE = re.compile(r"\b(yesterday|last week|last month|last year|this week|this month)\b", re.I)


def _month(word: str) -> int:
    word = word.lower()
    return next(i for i, m in enumerate(_MONTH_NAMES, start=1) if m.startswith(word[:3]))


def _month_span(year: int, month: int) -> tuple[date, date]:
    following = date(year + (month == 12), month % 12 + 1, 1)
    return date(year, month, 1), following - timedelta(days=1)


def named_period(message: str, today: date) -> tuple[date, date] | None:
    """The days a message names, read as the person means them on ``today`` (a month without a year is
    its last occurrence, a day-and-month the nearest before or on today)."""
    for pattern, day_at, month_at in ((_DAY_OF_MONTH, 1, 2), (_MONTH_OF_DAY, 2, 1)):
        if match := pattern.search(message):
            month, day = _month(match.group(month_at)), int(match.group(day_at))
            year = int(match.group(3)) if match.group(3) else today.year
            try:
                named = date(year, month, day)
                if not match.group(3) and named > today:
                    named = date(year - 1, month, day)
            except ValueError:
                return None
            return named, named
    if match := _IN_MONTH.search(message):
        month = _month(match.group(1))
        year = int(match.group(2)) if match.group(2) else today.year - (month > today.month)
        return _month_span(year, month)
    if match := _IN_YEAR.search(message):
        year = int(match.group(1))
        return date(year, 1, 1), date(year, 12, 31)
    if match := _RELATIVE.search(message):
        word = match.group(1).lower()
        if word == "yesterday":
            return today - timedelta(days=1), today - timedelta(days=1)
        if word in ("last week", "this week"):
            end = today - timedelta(days=today.weekday() + 1) if word == "last week" else today
            return end - timedelta(days=6 if word == "last week" else today.weekday()), end
        if word in ("last month", "this month"):
            first = today.replace(day=1)
            return (
                _month_span(*((first - timedelta(days=1)).timetuple()[:2]))
                if word == "last month"
                else (
                    first,
                    today,
                )
            )
        return date(today.year - 1, 1, 1), date(today.year - 1, 12, 31)
    return None


def query_for(message: str, today: date | None = None) -> Query:
    words = [w.lower() for w in _WORD.findall(message)]
    groups: dict[str, set[str]] = {}
    for word in words:
        role = ROLE_WORDS.get(word)
        if role:  # "father" finds "dad" and "papa", as "dad" finds "father"
            groups.setdefault(role, {role}).update(ROLE_NAMES[role])
        if word in VERB_FORMS:
            forms = {word, *VERB_FORMS[word]}
            groups.setdefault(min(forms), set()).update(forms)
        for group in groups_of(word):
            groups.setdefault(group, set()).update(group.split())
    return Query(
        text=message[:500],
        equivalents=tuple(" ".join(sorted(g)) for _, g in sorted(groups.items())),
        temporal=bool(_TEMPORAL_QUESTION.search(message)),
        period=named_period(message, today) if today is not None else None,
    )
