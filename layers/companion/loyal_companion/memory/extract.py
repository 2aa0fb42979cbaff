"""The offline reading: facts a plain reading of what the person wrote finds, with no model.

It learns the common ways people say things about themselves and the people and animals in their lives
("my dog Biscuit has been sick", "my sister Maya is getting married on June 14th", "I work nights",
"I prefer short answers", "my dad died in March"), ties "he"/"she" to whoever the conversation was
just about ("He's a scruffy little terrier" → Biscuit), retells it in the third person, and reads the
dates people give. With a model configured, the model reads the exchange instead (``memory.learn``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

from loyal_companion.memory.rules import (
    Candidate,
    Entity,
    dedupe,
    mentioned_entities,
    settled,
    tie_subject,
)
from loyal_companion.words import ANIMALS, KIN, ROLE_WORDS, canonical_role

MIN_LENGTH: Final = 12
_ROLE_ALTERNATION: Final = "|".join(sorted((re.escape(w) for w in ROLE_WORDS), key=len, reverse=True))
# A name: a capitalised word that is not a common sentence word ("My dog Biscuit", not "My dog Has").
_NAME: Final = r"([A-Z][a-zà-ÿ]+(?:[-'][A-Z]?[a-zà-ÿ]+)?)"
NOT_NAMES: Final = frozenset(
    "I I'm I've I'll Im The A An And But So He She They It We You My Our His Her Their This That Then "
    "Just Also Is Was Has Had Have Been Being Who What When Where Why How Today Tomorrow Yesterday "
    "Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May June "
    "July August September October November December Christmas Easter God".split()
)
_ROLE: Final = rf"(?i:(?:(?:little|big|older|younger|baby|twin|best|old|late) )?({_ROLE_ALTERNATION}))"
_NAMING: Final = (
    # my dog is called Biscuit / my sister's name is Maya / my cat, named Pepper
    re.compile(rf"\b(?i:my) {_ROLE},?(?i: is| was)? (?i:called|named) {_NAME}"),
    re.compile(rf"\b(?i:my) {_ROLE}'s (?i:name) (?i:is|was) {_NAME}"),
    # my dog Biscuit / my little sister Maya
    re.compile(rf"\b(?i:my) {_ROLE},? {_NAME}"),
    # Maya is my sister / Biscuit, my dog,
    re.compile(rf"\b{_NAME}(?: is|,) (?i:my) {_ROLE}\b"),
)
# two kids, Sam and Lily / my sons Joe and Alfie
_MANY: Final = re.compile(
    r"\b(?i:(kids|children|sons|daughters|brothers|sisters|dogs|cats|grandkids|grandchildren))[,:]?"
    rf"(?i: called| named)? {_NAME}(?:,? (?i:and) {_NAME})?"
)
_PLURAL_ROLES: Final = {
    "kids": "child",
    "children": "child",
    "grandkids": "grandchild",
    "grandchildren": "grandchild",
    "sons": "son",
    "daughters": "daughter",
    "brothers": "brother",
    "sisters": "sister",
    "dogs": "dog",
    "cats": "cat",
}
_CONNECTIVE: Final = re.compile(r"^[\s,;:.!-]*(?:(?:and|but|so|who|which|because)\b[\s,]*)?", re.I)
_OBJECT_PRONOUN: Final = re.compile(r"(?<!^)\b(him|her)\b(?! own)", re.I)
# What follows "her" when it is hers: a word that is not a function word ("her job", not "her the book").
_OWNED: Final = re.compile(
    r"\s+(?!(?:the|a|an|to|so|up|back|again|too|and|but|or|for|at|in|on|with|from|about|off|out|over|"
    r"yesterday|today|tonight|tomorrow|now|then|very|much|more|all|that|this|some|any|every|when|while|"
    r"because|if|as|once|last|next)\b)[a-z]",
    re.I,
)
_LEADING_PRONOUN: Final = re.compile(
    r"^(he|she|they|it)(?:'s| is| was| has| had| loves| hates| gets|\b)", re.I
)
# "Big news: I moved to Lisbon" — a short lead-in before a colon is not part of the fact.
_HEADLINE: Final = re.compile(r"^[\w' ]{1,25}:\s+")
_TRAILING: Final = re.compile(
    r"(?:,?\s+(?:honestly|lol|haha|tbh|really|though|to be honest|i guess|you know|anyway))+$", re.I
)
_FILLER: Final = re.compile(
    r"^(?:(?:oh|also|and|but|so|well|anyway|honestly|yeah|yes|no|okay|ok|um|hmm|btw|plus|actually),?\s+)+",
    re.I,
)
_FIRST_PERSON: Final = re.compile(r"\b(i|i'm|im|i've|i'd|i'll|my|me|mine|myself|we|we're|our|us)\b", re.I)

_GRIEF: Final = re.compile(
    r"\b(died|passed away|passed on|passed|lost (?:my|our)|funeral|grave|since (?:he|she|they) (?:died|went)|"
    r"bereavement|widow|widower|anniversary of (?:his|her|their) death)\b",
    re.I,
)
_COPING: Final = re.compile(
    r"\bwhen (?:i|i'm|im) (?:feel(?:ing)? |am |get )?[a-z ]{2,30},? i\b|\b(?:helps|calms) me\b|"
    r"\bwhen (?:it|things|everything|life|work)(?: all)? (?:gets?|is|are|feels?) (?:too much|hard|heavy|bad|"
    r"overwhelming|a lot)\b|\bi cope\b|\bto cope\b|\bgets me through\b",
    re.I,
)
_ATTACHMENT: Final = re.compile(
    r"\b(?:scared|afraid|terrified|anxious|worried|panic) (?:of|that|when) [a-z' ]{0,30}"
    r"(?:leav|abandon|left|alone|reply|replies|answer|forget)",
    re.I,
)
_WORK: Final = re.compile(
    r"\b(work|works|working|job|shift|shifts|nights|office|boss|colleague|colleagues|career|promoted|"
    r"hired|fired|interview|ward|hospital|clinic|school|shop|nurse|teacher|engineer|doctor|manager|"
    r"student|retired|freelance|unemployed)\b",
    re.I,
)
_LOCATION: Final = re.compile(
    r"\b(?:live|living|lives|moved|moving|grew up|am from|i'm from|im from|come from)\b", re.I
)
_PREFERENCE: Final = re.compile(
    r"\b(love|loves|enjoy|enjoys|adore|hate|hates|can't stand|cannot stand|dislike|prefer|prefers|"
    r"favourite|favorite|fan of|into|allergic|vegetarian|vegan|can't eat)\b",
    re.I,
)
_HOBBY: Final = re.compile(
    r"\b(play|plays|playing|paint|painting|knit|knitting|run|running|swim|swimming|cook|cooking|bake|"
    r"baking|garden|gardening|climb|climbing|write|writing|sing|singing|hike|hiking|cycle|cycling|"
    r"learning|practis|practic|training for|choir|band|club|class|lessons)\w*\b",
    re.I,
)
_EVENT: Final = re.compile(
    r"\b(wedding|getting married|married|engaged|interview|exam|exams|appointment|surgery|operation|"
    r"birthday|holiday|trip|moving|party|concert|graduation|funeral|due date|pregnant|baby|scan|results|"
    r"flight|visit|visiting|starts|starting|anniversary)\b",
    re.I,
)
_HAVE: Final = re.compile(
    r"\b(?:i|we) have (?:a|an|two|three|four|five|\d+) (?:[a-z]+ ){0,2}"
    r"(?:kids|children|sons|daughters|son|daughter|dogs|cats|dog|cat|pets|brothers|sisters|brother|sister|"
    r"grandchildren|grandkids)\b",
    re.I,
)
_AGE: Final = re.compile(r"\b(?:i'm|i am|im) (\d{1,2})(?: years old)?\b", re.I)
_JOB: Final = re.compile(
    r"\b(?:i work as|i'm a|i am a|i'm an|i am an|i work at|i work in|i'm working as)\b", re.I
)
_SCHEDULE: Final = re.compile(
    r"\bi(?:'m| am)? (?:work(?:ing)?|on) (?:nights|days|lates|earlies|shifts)\b", re.I
)
_HOME: Final = re.compile(r"\bi (?:live|moved|am moving|'m moving) (?:in|to)\b|\bi live\b", re.I)
_PAST: Final = re.compile(
    r"\b(was|were|had|did|died|passed|went|lost|got|left|came|moved|started|finished|ended|broke|"
    r"last|ago|yesterday)\b",
    re.I,
)

_THIRD_PERSON: Final = (
    (re.compile(r"\bI am\b", re.I), "they are"),
    (re.compile(r"\bI'm\b|\bIm\b", re.I), "they're"),
    (re.compile(r"\bI was\b", re.I), "they were"),
    (re.compile(r"\bI've\b|\bIve\b", re.I), "they've"),
    (re.compile(r"\bI'd\b", re.I), "they'd"),
    (re.compile(r"\bI'll\b", re.I), "they'll"),
    (re.compile(r"\bI\b", re.I), "they"),
    (re.compile(r"\bwe're\b", re.I), "they're"),
    (re.compile(r"\bwe\b", re.I), "they"),
    (re.compile(r"\bmyself\b", re.I), "themselves"),
    (re.compile(r"\bmine\b", re.I), "theirs"),
    (re.compile(r"\bmy\b", re.I), "their"),
    (re.compile(r"\bour\b", re.I), "their"),
    (re.compile(r"\bme\b", re.I), "them"),
    (re.compile(r"\bus\b", re.I), "them"),
)

_MONTHS: Final = {
    m: i
    for i, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for m in names
}
_MONTH_ALTERNATION: Final = "|".join(sorted(_MONTHS, key=len, reverse=True))
_DAY_MONTH: Final = re.compile(
    rf"\b(?:on )?(?:the )?(\d{{1,2}})(?:st|nd|rd|th)?(?: of)? ({_MONTH_ALTERNATION})\b(?:,? (\d{{4}}))?", re.I
)
_MONTH_DAY: Final = re.compile(
    rf"\b(?:on )?({_MONTH_ALTERNATION}) (\d{{1,2}})(?:st|nd|rd|th)?\b(?:,? (\d{{4}}))?", re.I
)
_WEEKDAYS: Final = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_WEEKDAY: Final = re.compile(r"\b(?:(on|this|next|last) )?(" + "|".join(_WEEKDAYS) + r")\b", re.I)
_EXPLICIT_DAY: Final = re.compile(
    rf"\b(?:\d{{1,2}}(?:st|nd|rd|th)?(?: of)? (?:{_MONTH_ALTERNATION})|"
    rf"(?:{_MONTH_ALTERNATION}) \d{{1,2}}|tomorrow|"
    r"(?:on|this|next) (?:monday|tuesday|wednesday|thursday|friday|saturday|sunday))\b",
    re.I,
)
_CLAUSES: Final = re.compile(r"[.,;!?]\s|\s[—–-]\s")
_RELATIVE_DAY: Final = re.compile(r"\b(today|tonight|tomorrow|yesterday)\b", re.I)


def read_message(
    message: str, *, context: Sequence[str] = (), entities: Sequence[Entity] = (), today: date
) -> tuple[list[Candidate], list[Entity]]:
    """Facts in ``message`` (with the conversation's recent user turns as ``context``), and the people and
    animals it names for the first time."""
    text = " ".join(message.split())
    if len(text) < MIN_LENGTH or text.startswith(("/", "!")):
        return [], []
    known = list(entities)
    named: list[Entity] = []
    found: list[Candidate] = []
    # Who "he" or "she" is: the last one the conversation spoke of, until this message speaks of someone.
    last = _last_someone(context, known)
    for sentence in _sentences(text):
        if sentence.endswith("?"):
            continue
        sentence = _TRAILING.sub("", _FILLER.sub("", _HEADLINE.sub("", sentence))).strip()
        namings, rest = _namings(sentence)
        for entity, naming in namings:
            if entity.name.lower() not in {e.name.lower() for e in known}:
                known.append(entity)
                named.append(entity)
            found.append(naming)
            last = _Someone(entity.name, entity.name, entity.role)
        if rest is not None:
            # "My sister is called Ines, she is visiting": the naming is a fact; so is what follows it.
            sentence = _CONNECTIVE.sub("", rest).strip()
            if len(sentence.split()) < 3:
                continue
        sentence, pronoun_for = _resolve_pronoun(sentence, last)
        about = mentioned_entities(sentence, known)
        candidate = _fact_in(sentence, about, today, pronoun_for)
        if candidate is not None:
            found.append(settled(tie_subject(candidate, known)))
        last = _someone_in(sentence, known) or last
    return dedupe(found), named


def _sentences(text: str) -> list[str]:
    parts = re.split(r"(?<=[.!?])\s+|\s*;\s*|\s+[—–]\s+", text)
    return [
        p.strip().rstrip(".!").strip() + ("?" if p.strip().endswith("?") else "") for p in parts if p.strip()
    ]


@dataclass(frozen=True)
class _Someone:
    """Whoever the conversation was last about: a named entity ("Biscuit") or a role ("my dad"), what to
    write for "he" or "him" ("Biscuit", "their dad"), and whether their death was spoken of."""

    label: str
    subject: str
    role: str | None
    grief: bool = False


_MY_ROLE: Final = re.compile(
    rf"\b(?i:my|our) (?:(?:late|little|big|older|younger|old) )?(?i:({_ROLE_ALTERNATION}))\b"
)


def _someone_in(text: str, entities: Sequence[Entity]) -> _Someone | None:
    """The last person or animal ``text`` speaks of, by name or as "my <role>"."""
    best: tuple[int, _Someone] | None = None
    grief = _GRIEF.search(text) is not None
    for entity in mentioned_entities(text, entities):
        at = text.lower().rfind(entity.name.lower())
        if at >= 0 and (best is None or at > best[0]):
            best = (at, _Someone(entity.name, entity.name, entity.role, grief))
    for match in _MY_ROLE.finditer(text):
        role = canonical_role(match.group(1))
        if role and (best is None or match.start() > best[0]):
            best = (match.start(), _Someone(f"their {match.group(1).lower()}", role, role, grief))
    return best[1] if best else None


def _last_someone(context: Sequence[str], entities: Sequence[Entity]) -> _Someone | None:
    for turn in reversed(context):
        someone = _someone_in(turn, entities)
        if someone is not None:
            return someone
    return None


def _namings(sentence: str) -> tuple[list[tuple[Entity, Candidate]], str | None]:
    """The people and animals a sentence names, and, when it names them outright ("is called Ines",
    "Maya is my sister"), what the sentence says after the naming (None: the whole sentence stands)."""
    pairs: list[tuple[str, str]] = []
    rest: str | None = None
    for i, pattern in enumerate(_NAMING):
        for match in pattern.finditer(sentence):
            word, name = (match.group(2), match.group(1)) if i == 3 else (match.group(1), match.group(2))
            pairs.append((word, name))
            if i != 2:
                rest = sentence[match.end() :]
    for match in _MANY.finditer(sentence):
        word = _PLURAL_ROLES[match.group(1).lower()]
        pairs += [(word, name) for name in match.groups()[1:] if name]
    out = []
    seen: set[str] = set()
    for word, name in pairs:
        role = canonical_role(word) or (word if word in _PLURAL_ROLES.values() else None)
        if role is None or name in NOT_NAMES or name.lower() in seen:
            continue
        seen.add(name.lower())
        fact_type = "family" if role in KIN or role in ANIMALS or role == "grandchild" else "relationship"
        naming = Candidate(
            fact_type=fact_type,
            content=f"Their {word.lower()} is called {name}",
            importance=0.75,
            confidence=0.8,
            subject=name,
            subject_role=role,
        )
        out.append((Entity(name=name, role=role), naming))
    return out, rest


def _resolve_pronoun(sentence: str, last: _Someone | None) -> tuple[str, _Someone | None]:
    """The sentence with "he"/"she" (leading) or "him"/"her" put back as whom they stand for, and that
    someone (None: no pronoun stood for anyone)."""
    if last is None:
        return sentence, None
    match = _LEADING_PRONOUN.match(sentence)
    if match is not None and not (match.group(1).lower() == "it" and last.role not in ANIMALS):
        rest = sentence[len(match.group(1)) :]
        if rest.startswith("'s been"):
            rest = " has" + rest[2:]
        elif rest.startswith("'s"):
            rest = " is" + rest[2:]
        elif match.group(1).lower() == "they":
            rest = re.sub(
                r"^ (are|were|have)\b",
                lambda m: {"are": " is", "were": " was", "have": " has"}[m.group(1)],
                rest,
            )
        label = last.label[:1].upper() + last.label[1:]
        return label + rest, last
    found = _OBJECT_PRONOUN.search(sentence)
    if found and last.label.lower() in sentence[: found.start()].lower():
        return sentence, None  # "my friend Sam lost her job": "her" is Sam's, already named
    if _FIRST_PERSON.search(sentence) and found:
        # "her job" is hers ("Sam's job"); "told her", "miss her so" are her.
        after = sentence[found.end() :]
        owns = found.group(1).lower() == "her" and _OWNED.match(after) is not None
        return sentence[: found.start()] + last.label + ("'s" if owns else "") + after, last
    return sentence, None


def _fact_in(
    sentence: str, about: Sequence[Entity], today: date, pronoun_for: _Someone | None = None
) -> Candidate | None:
    first_person = _FIRST_PERSON.search(sentence) is not None
    if not first_person and not about and pronoun_for is None:
        return None
    words = len(sentence.split())
    if words < 3:
        return None
    happens = date_in(sentence, today)
    past = _PAST.search(sentence) is not None
    category = None
    if _GRIEF.search(sentence):
        fact_type, importance = "grief_context", 0.9
    elif _ATTACHMENT.search(sentence):
        fact_type, importance = "attachment_pattern", 0.7
    elif _COPING.search(sentence):
        fact_type, importance = "coping_mechanism", 0.7
    elif _JOB.search(sentence) and not about:
        fact_type, importance, category = "work", 0.7, "job"
    elif _SCHEDULE.search(sentence):
        fact_type, importance, category = "work", 0.6, "work_schedule"
    elif _HOME.search(sentence) and not about:
        fact_type, importance, category = "location", 0.65, "home"
    elif _LOCATION.search(sentence) and not about:
        fact_type, importance = "location", 0.6
    elif _EVENT.search(sentence) or (happens is not None and _EXPLICIT_DAY.search(sentence)):
        fact_type, importance = "event", 0.6
    elif about and any(e.role in KIN or e.role in ANIMALS for e in about):
        fact_type, importance = "family", 0.6
    elif about:
        fact_type, importance = "relationship", 0.55
    elif _HAVE.search(sentence):
        fact_type, importance = "family", 0.65
    elif _WORK.search(sentence):
        fact_type, importance = "work", 0.55
    elif _PREFERENCE.search(sentence):
        fact_type, importance = "preference", 0.5
    elif _HOBBY.search(sentence):
        fact_type, importance = "hobby", 0.5
    elif _AGE.search(sentence):
        fact_type, importance = "general", 0.5
    elif _mentions_role(sentence):
        fact_type, importance = "family", 0.55
    elif pronoun_for is not None:
        # "I still talk to him in my head": about whoever "him" is, as what was said of them was.
        fact_type = "grief_context" if pronoun_for.grief else "family"
        importance = 0.8 if pronoun_for.grief else 0.55
    else:
        return None
    if fact_type == "family" and about and any(e.role not in KIN and e.role not in ANIMALS for e in about):
        fact_type = "relationship"
    relevance = "past" if past and (happens is None or happens < today) else "present"
    if happens is not None and happens > today:
        relevance = "future"
    return Candidate(
        fact_type=fact_type,
        content=third_person(sentence),
        importance=importance,
        confidence=0.6,
        temporal_relevance=relevance,
        happens_on=happens,
        category=category,
    )


_ABOUT_ROLE: Final = re.compile(rf"^(?i:my|our) (?:[a-z]+ )?(?i:{_ROLE_ALTERNATION})(?:'s)? [a-z']+", re.I)


def _mentions_role(sentence: str) -> bool:
    """The sentence is about someone in the person's life ("My mum has dementia"), not merely naming them
    ("thinking about my dad tonight")."""
    return _ABOUT_ROLE.match(sentence) is not None


def third_person(sentence: str) -> str:
    """The person's words about themselves, retold about them ("I live in Porto" → "They live in Porto")."""
    text = retell(sentence.strip().rstrip(".,!;:"))
    return text[:1].upper() + text[1:]


def retell(text: str) -> str:
    """``text`` with its first-person words made third-person ("I'm", "i’m" and "im" alike), as it is."""
    text = text.replace("’", "'")
    for pattern, replacement in _THIRD_PERSON:
        text = pattern.sub(replacement, text)
    return text


def date_in(sentence: str, today: date) -> date | None:
    """The day a sentence says something happens or happened, when it names one."""
    past = _PAST.search(sentence) is not None
    for pattern, order in ((_DAY_MONTH, "dm"), (_MONTH_DAY, "md")):
        match = pattern.search(sentence)
        if match:
            # The tense of the clause that names the day ("the date came through, it's the 12th").
            clause = _CLAUSES.split(sentence[: match.start()])[-1] + sentence[match.start() :]
            past = _PAST.search(_CLAUSES.split(clause)[0]) is not None
            day_s, month_s = (
                (match.group(1), match.group(2)) if order == "dm" else (match.group(2), match.group(1))
            )
            month = _MONTHS[month_s.lower()]
            year = int(match.group(3)) if match.group(3) else None
            return _nearest(int(day_s), month, year, today, past)
    relative = _RELATIVE_DAY.search(sentence)
    if relative:
        offset = {"today": 0, "tonight": 0, "tomorrow": 1, "yesterday": -1}[relative.group(1).lower()]
        return today + timedelta(days=offset)
    weekday = _WEEKDAY.search(sentence)
    if weekday:
        target = _WEEKDAYS.index(weekday.group(2).lower())
        if (weekday.group(1) or "").lower() == "last" or (past and not weekday.group(1)):
            back = (today.weekday() - target) % 7 or 7
            return today - timedelta(days=back)
        ahead = (target - today.weekday()) % 7
        if (weekday.group(1) or "").lower() == "next" and ahead == 0:
            ahead = 7
        return today + timedelta(days=ahead)
    return None


def _nearest(day: int, month: int, year: int | None, today: date, past: bool) -> date | None:
    try:
        if year is not None:
            return date(year, month, day)
        this_year = date(today.year, month, day)
    except ValueError:
        return None
    if past:
        return this_year if this_year <= today else _safe(today.year - 1, month, day)
    return this_year if this_year >= today else _safe(today.year + 1, month, day)


def _safe(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None
