"""Memory's pure rules: what a fact is, who it is about, how a message becomes a query, how a fact is
shown to the model. No database, no model, no clock of its own (dates are passed in).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, Final

from loyal_companion.words import ROLE_WORDS, canonical_role

FACT_TYPES: Final = (
    "hobby",
    "work",
    "family",
    "preference",
    "location",
    "event",
    "relationship",
    "general",
    "attachment_pattern",
    "grief_context",
    "coping_mechanism",
)
# Facts a companion does not volunteer in a public channel; they come up there only when the person's
# own message is about them (recall marks such facts as related). In DMs every fact is eligible.
SENSITIVE_TYPES: Final = frozenset(
    {"grief_context", "attachment_pattern", "coping_mechanism", "relationship", "family", "episode"}
)
# What happened in a conversation, summarised by a model when it ends (``memory.episodes``): not a type
# the window reading proposes.
EPISODE: Final = "episode"
TEMPORAL_RELEVANCE: Final = ("past", "present", "future", "timeless")
# How much a fact of each type matters when nothing else says (a light tie-breaker in recall).
DEFAULT_IMPORTANCE: Final = {
    "grief_context": 0.9,
    "attachment_pattern": 0.7,
    "coping_mechanism": 0.7,
    "work": 0.6,
    "location": 0.6,
    "family": 0.6,
    "relationship": 0.55,
    "event": 0.6,
    "preference": 0.5,
    "hobby": 0.5,
    "general": 0.4,
}
OPS: Final = ("add", "update", "supersede", "none")

_WORD = re.compile(r"[A-Za-zÀ-ÿ][A-Za-zÀ-ÿ'\-]*")


# A standing wish about how to be talked to ("I prefer short answers", "please don't use emoji"): shown in
# every prompt, whatever the message, because every reply should honour it.
_STANDING = re.compile(
    r"\b(answers?|repl(?:y|ies)|respon(?:d|ses?)|messages?|texts?|call (?:me|them)|"
    r"talk(?:s|ing)? to (?:me|them)|emoji|swear\w*|advice|lectur\w*|jokes?|nickname|formal|casual|brief|"
    r"blunt|gentle with)\b",
    re.I,
)


def is_standing(fact_type: str, content: str) -> bool:
    return (
        fact_type in ("preference", "general")
        and _STANDING.search(content) is not None
        and bool(
            re.search(
                r"\b(prefer|prefers|like|likes|want|wants|rather|please|don't|do not|hate|hates|no)\b",
                content,
                re.I,
            )
        )
    )


# A passing moment ("on Monday", "after work", "this morning") rather than something lasting: such a fact
# matters less a week later than one that stays true ("Biscuit is a greyhound", "They live in Leeds").
_PASSING = re.compile(
    r"\b(?:(?:on|last|this|next) (?:a |the )?(?:\w+ )?"
    r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)(?: (?:morning|afternoon|evening|night))?|"
    r"(?:this|yesterday|tomorrow) (?:morning|afternoon|evening)|"
    r"today|tonight|yesterday|last night|earlier|just now|after work|after school|before (?:breakfast|work)|"
    r"at (?:lunch|lunchtime|dinner|breakfast)|over the weekend|at the weekend|this (?:week|weekend)|midweek|"
    r"late at night|in the morning|on the bank holiday)\b",
    re.I,
)
PASSING_IMPORTANCE: Final = 0.3


def passing(content: str) -> bool:
    """The fact is about a passing moment, told with a time word rather than a date."""
    return _PASSING.search(content) is not None


def settled(candidate: Candidate) -> Candidate:
    """The candidate with the weight a passing moment has: less than a lasting fact of the same type."""
    if passing(candidate.content) and candidate.fact_type not in ("grief_context", "event"):
        return replace(
            candidate, importance=min(candidate.importance, PASSING_IMPORTANCE), temporal_relevance="past"
        )
    return candidate


@dataclass(frozen=True)
class Entity:
    """Someone or something in the person's life: a name and, when known, their role ("Biscuit", "dog")."""

    name: str
    role: str | None = None


@dataclass(frozen=True)
class Candidate:
    """A fact to remember, as a reading of the exchange proposes it.

    ``op`` says what it does to what is remembered (add; update or supersede the fact ``replaces``;
    none); ``category`` names a single-valued subject whose older fact it replaces ("home", "job").
    """

    fact_type: str
    content: str
    importance: float = 0.5
    confidence: float = 0.7
    temporal_relevance: str = "present"
    subject: str | None = None
    subject_role: str | None = None
    happens_on: date | None = None
    category: str | None = None
    op: str = "add"
    replaces: int | None = None

    @property
    def names_entity(self) -> bool:
        """The subject is a name with a role ("Biscuit", a dog), not a bare role ("their father")."""
        return bool(self.subject and self.subject_role and self.subject.lower() not in ROLE_WORDS)

    def as_row(self, *, source: str) -> dict[str, Any]:
        """What the learning statement takes (``memory.learn.LEARN_CTES``)."""
        return {
            "op": self.op,
            "replaces": self.replaces,
            "fact_type": self.fact_type,
            "content": self.content,
            "subject": self.subject,
            "subject_role": self.subject_role,
            "happens_on": self.happens_on.isoformat() if self.happens_on else None,
            "importance": self.importance,
            "confidence": self.confidence,
            "temporal_relevance": self.temporal_relevance,
            "category": self.category,
            "source": source,
            "names_entity": self.names_entity,
            # A standing wish is the person's own, never a line someone else said ("Jon said: be gentle").
            "pinned": self.subject is None and is_standing(self.fact_type, self.content),
        }


def content_key(text: str) -> str:
    """The fact's words without case or punctuation (what ``user_facts.content_key`` stores)."""
    return " ".join(re.sub(r"[\W_]+", " ", text.lower()).split())


def dedupe(candidates: Iterable[Candidate], known: Iterable[str] = ()) -> list[Candidate]:
    """Candidates that say something new: none twice, none already in ``known``."""
    seen = {content_key(k) for k in known}
    out = []
    for candidate in candidates:
        key = content_key(candidate.content)
        if key and key not in seen:
            seen.add(key)
            out.append(candidate)
    return out


# -- who a fact is about ---------------------------------------------------------------------------


def mentioned_entities(text: str, entities: Sequence[Entity]) -> list[Entity]:
    """The entities ``text`` names, in the order it names them (by name; a role only when one entity has
    it, so "my sister" is Maya only if the person has one sister we know of)."""
    words = [w.lower() for w in _WORD.findall(text)]
    found: list[tuple[int, Entity]] = []
    by_role: dict[str, list[Entity]] = {}
    for entity in entities:
        if entity.role:
            by_role.setdefault(entity.role, []).append(entity)
        name = entity.name.lower().split()
        for i in range(len(words) - len(name) + 1):
            if words[i : i + len(name)] == name:
                found.append((i, entity))
                break
    named = {id(e) for _, e in found}
    for i, word in enumerate(words):
        role = ROLE_WORDS.get(word)
        if role and len(by_role.get(role, ())) == 1 and id(by_role[role][0]) not in named:
            found.append((i, by_role[role][0]))
            named.add(id(by_role[role][0]))
    return [entity for _, entity in sorted(found, key=lambda pair: pair[0])]


def tie_subject(candidate: Candidate, entities: Sequence[Entity]) -> Candidate:
    """The candidate with who it is about filled in from the people and animals already known: a fact
    that names Biscuit is about Biscuit, the dog; one about "their sister" is about Maya when she is the
    only sister we know of. A model's own subject is kept, its role completed."""
    roles = {e.name.lower(): e.role for e in entities}
    subject, role = candidate.subject, canonical_role(candidate.subject_role) or candidate.subject_role
    if subject:
        subject = " ".join(subject.split())[:100]
        if canonical_role(subject):
            role = role or canonical_role(subject)
            subject = canonical_role(subject)
        role = role or roles.get(subject.lower()) if subject else role
        return replace(candidate, subject=subject, subject_role=role)
    mentioned = mentioned_entities(candidate.content, entities)
    if mentioned:
        first = mentioned[0]
        return replace(candidate, subject=first.name, subject_role=first.role)
    for word in _WORD.findall(candidate.content):
        found = ROLE_WORDS.get(word.lower())
        if found and found != "friend":
            return replace(candidate, subject=found, subject_role=found)
    return candidate


def embedding_text(content: str, subject: str | None, role: str | None) -> str:
    """What a fact is embedded as: its words and who it is about, since an embedding model cannot know
    that Biscuit is a dog ("Biscuit is limping (Biscuit, their dog)")."""
    if subject and role and subject.lower() != role.lower():
        return f"{content} ({subject}, their {role})"
    if role and role.lower() not in content.lower():
        return f"{content} (their {role})"
    return content


# -- showing facts to the model --------------------------------------------------------------------


def day_in_words(day: date) -> str:
    """ "Sunday 14 June 2027": a date a model reads without arithmetic."""
    return f"{day.strftime('%A')} {day.day} {day.strftime('%B %Y')}"


def fact_line(content: str, *, learned_on: date | None, happens_on: date | None, today: date) -> str:
    """One remembered fact for the prompt, with its dates in words."""
    text = content.strip().rstrip(".")
    notes = []
    if happens_on is not None:
        verb = "happens" if happens_on >= today else "happened"
        when = "today" if happens_on == today else f"on {day_in_words(happens_on)}"
        notes.append(f"{verb} {when}")
    if learned_on is not None:
        notes.append("told today" if learned_on == today else f"told on {day_in_words(learned_on)}")
    return f"{text} ({'; '.join(notes)})" if notes else text


# -- a model's reading of a window -----------------------------------------------------------------


def candidates_from_model(
    data: dict[str, Any], *, known_ids: Iterable[int], entities: Sequence[Entity]
) -> list[Candidate]:
    """The model's proposals, checked: known types only, ids only of facts it was shown, dates that are
    real dates, numbers clamped. Anything else becomes a plain add or is dropped."""
    shown = set(known_ids)
    out: list[Candidate] = []
    for item in list(data.get("facts") or [])[:12]:
        if not isinstance(item, dict):
            continue
        op = str(item.get("op") or "add").lower()
        if op not in OPS or op == "none":
            continue
        fact_type = str(item.get("fact_type") or "general")
        content = " ".join(str(item.get("content") or "").split())[:300]
        if fact_type not in FACT_TYPES or not content:
            continue
        replaces = item.get("replaces")
        replaced = int(replaces) if isinstance(replaces, int | float) and int(replaces) in shown else None
        if op in ("update", "supersede") and replaced is None:
            op = "add"
        relevance = str(item.get("temporal_relevance") or "present")
        candidate = Candidate(
            fact_type=fact_type,
            content=content,
            importance=_unit(item.get("importance"), 0.5),
            confidence=_unit(item.get("confidence"), 0.7),
            temporal_relevance=relevance if relevance in TEMPORAL_RELEVANCE else "present",
            subject=_short(item.get("subject"), 100),
            subject_role=_short(item.get("subject_role"), 50),
            happens_on=_iso_date(item.get("happens_on")),
            op=op,
            replaces=replaced,
        )
        out.append(tie_subject(candidate, entities))
    return dedupe(out)


def _unit(value: Any, default: float) -> float:
    try:
        return max(0.0, min(1.0, float(value)))
    except (TypeError, ValueError):
        return default


def _short(value: Any, limit: int) -> str | None:
    text = " ".join(str(value).split()) if isinstance(value, str) else ""
    return text[:limit] or None


def _iso_date(value: Any) -> date | None:
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None
