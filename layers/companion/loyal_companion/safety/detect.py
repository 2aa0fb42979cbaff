"""The project's own crisis detector: does a message speak of suicide, self-harm or hurting someone?

It needs no model and no network (the chat model may be down, slow or a small local one), so it is what
every text a person sends is read by, at the endpoint and in the worker. It reads the words as
``text.words`` gives them, reads shorthand as words ("kms"), corrects misspellings only towards a short
list of distinctive words, and matches each language's rules (``lexicon``); a rule's veto in the same
sentence (a game, a kitchen knife) means it was not meant. Figures of speech ("this traffic is killing
me") match no rule: the rules are written about the speaker's own life and intent, not about words.

``lc bench safety`` measures it, per language and kind, beside a plain keyword list.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import combinations
from typing import Final

from loyal_companion.safety.rules import Concern, Language, Rule, compile_rule
from loyal_companion.safety.text import BOUNDARY, distance, sound_key, squeezed, words

ORDER: Final = (Concern.SUICIDE, Concern.SELF_HARM, Concern.HARM_OTHERS)
_CACHE_SIZE: Final = 8192


@dataclass(frozen=True)
class Finding:
    """What a text may mean for someone's safety: the concerns found (none: nothing found), and the
    language of the wording that showed it."""

    concerns: frozenset[Concern] = frozenset()
    language: str | None = None

    def __bool__(self) -> bool:
        return bool(self.concerns)

    @property
    def primary(self) -> Concern | None:
        return next((c for c in ORDER if c in self.concerns), None)

    def merged(self, other: Finding) -> Finding:
        return Finding(self.concerns | other.concerns, self.language or other.language)


NOTHING: Final = Finding()


@dataclass(frozen=True)
class _Compiled:
    language: str
    concern: Concern
    pattern: re.Pattern[str]
    veto: re.Pattern[str] | None
    negations: frozenset[str]  # empty: the rule is not undone by a negation
    of_others: re.Pattern[str] | None  # someone else as the subject, just before the match


class Detector:
    """Built once from the languages' rules; ``find`` is safe to call from several threads."""

    def __init__(self, languages: Iterable[Language], templates: Iterable[Rule] = ()) -> None:
        vocabulary: set[str] = set()
        prefixes: set[str] = set()
        self._rules: list[_Compiled] = []
        self._shorthand: dict[str, tuple[str, ...]] = {}
        targets: set[str] = set()
        sounds: set[str] = set()
        fillers: set[str] = set()
        shared = tuple(templates)
        for language in languages:
            subject = _subject_pattern(language)  # once per language, for every rule that asks for it
            for rule in (*shared, *language.rules):
                pattern = compile_rule(rule.patterns, language.macros, vocabulary, prefixes)
                if pattern is None:
                    continue
                veto = compile_rule(rule.veto, language.macros, set(), set()) if rule.veto else None
                negations = language.negations if rule.negatable else frozenset()
                others = subject if rule.of_others else None
                self._rules.append(_Compiled(language.code, rule.concern, pattern, veto, negations, others))
            for short, meant in language.shorthand.items():
                self._shorthand[short] = tuple(meant.split())
                vocabulary.update(meant.split())
            targets.update(language.fuzzy)
            sounds.update(language.sounds)
            fillers.update(language.fillers)
        self._rules.sort(key=lambda r: ORDER.index(r.concern))
        self._vocabulary = frozenset(vocabulary)
        # Shorthand is read in every language: a key that is a word of some rule would change that rule's
        # meaning (Polish "nie" is not Dutch shorthand for "niet").
        clashes = sorted(k for k in self._shorthand if k in vocabulary)
        if clashes:
            raise ValueError(f"shorthand that is also a rule's word: {', '.join(clashes)}")
        self._fillers = frozenset(fillers - vocabulary)
        self._prefixes = tuple(sorted(prefixes, key=len, reverse=True))
        unknown = sorted(t for t in targets | sounds if t not in vocabulary and not self._has_prefix(t))
        if unknown:
            raise ValueError(f"fuzzy targets that no rule uses: {', '.join(unknown)}")
        self._targets = frozenset(targets)
        self._near: dict[str, set[str]] = {}
        for target in targets:
            for variant in _deletions(target, 2 if len(target) >= 8 else 1):
                self._near.setdefault(variant, set()).add(target)
        self._sounds = {sound_key(t): t for t in targets | sounds}
        self._cache: dict[str, tuple[str, ...]] = {}
        self._lock = threading.Lock()

    # -- reading ----------------------------------------------------------------------------------
    def read(self, text: str) -> str:
        """The words of ``text`` as the rules see them: " w1 w2 · w3 " (shorthand and misspellings
        read as the words they stand for)."""
        out: list[str] = []
        for word in words(text):
            out.extend(w for w in self._canonical(word) if w not in self._fillers)
        return " " + " ".join(out) + " "

    def _canonical(self, word: str) -> tuple[str, ...]:
        cached = self._cache.get(word)
        if cached is not None:
            return cached
        result = self._correct(word)
        with self._lock:
            if len(self._cache) >= _CACHE_SIZE:
                self._cache.clear()
            self._cache[word] = result
        return result

    def _correct(self, word: str) -> tuple[str, ...]:
        if word == BOUNDARY or word in self._vocabulary:
            return (word,)
        for keep in (2, 1):
            short = squeezed(word, keep)
            if short in self._shorthand:
                return self._shorthand[short]
        if "*" in word:
            return (self._unmasked(word),)
        for keep in (2, 1):
            short = squeezed(word, keep)
            if short in self._vocabulary or self._has_prefix(short):
                return (short,)
        word = squeezed(word, 2)
        return (self._nearest(word) or word,)

    def _has_prefix(self, word: str) -> bool:
        return any(word.startswith(p) for p in self._prefixes)

    def _unmasked(self, word: str) -> str:
        """A word with letters hidden by asterisks ("s*icide", "k**l"), read as the one vocabulary word it
        can be."""
        if len(word.replace("*", "")) < 2:
            return word
        parts = re.split(r"(\*+)", word)
        pattern = re.compile("".join(".{1,3}" if p.startswith("*") else re.escape(p) for p in parts if p))
        found = sorted(w for w in self._vocabulary | self._targets if len(w) >= 4 and pattern.fullmatch(w))
        preferred = [w for w in found if w in self._targets] or found
        return preferred[0] if len(preferred) == 1 else word

    def _nearest(self, word: str) -> str | None:
        """The distinctive word ``word`` is a misspelling of: one edit away (two for long words), or the
        same when sounded out; None when there is none."""
        if len(word) < 4:
            return None
        if len(word) >= 5:
            limit = 2 if len(word) >= 8 else 1
            candidates: set[str] = set()
            for variant in _deletions(word, limit):
                candidates |= self._near.get(variant, set())
            best: tuple[int, int, str] | None = None
            for target in candidates:
                if max(len(target), len(word)) < 6:
                    continue
                allowed = 2 if min(len(target), len(word)) >= 8 else 1
                cost = distance(word, target, allowed)
                if cost <= allowed:
                    rank = (cost, -_common_prefix(word, target), target)
                    best = rank if best is None or rank < best else best
            if best is not None:
                return best[2]
        return self._sounds.get(sound_key(word))

    # -- finding ----------------------------------------------------------------------------------
    def find(self, text: str) -> Finding:
        """The concerns ``text`` shows, most serious first; ``NOTHING`` when none."""
        if not text or not text.strip():
            return NOTHING
        read = self.read(text)
        concerns: set[Concern] = set()
        language: str | None = None
        for rule in self._rules:
            if rule.concern in concerns:
                continue
            for match in rule.pattern.finditer(read):
                if rule.veto is not None and rule.veto.search(_sentence(read, match.start(), match.end())):
                    continue
                if rule.negations and _negated(read, match.start(), match.end(), rule.negations):
                    continue
                if rule.of_others is not None and _told_of_others(read, match.start(), rule.of_others):
                    continue
                concerns.add(rule.concern)
                language = language or rule.language
                break
        return Finding(frozenset(concerns), language) if concerns else NOTHING


def _sentence(read: str, start: int, end: int) -> str:
    """The sentence (or sentences) of ``read`` around a match, with the spaces the rules expect."""
    mark = f" {BOUNDARY} "
    left = read.rfind(mark, 0, start)
    right = read.find(mark, max(start, end - 1))
    return read[(left + 2 if left >= 0 else 0) : (right + 1 if right >= 0 else len(read))]


def _subject_pattern(language: Language) -> re.Pattern[str] | None:
    """The language's THEY (someone else as a subject), to be found just before a match."""
    found = compile_rule(("@THEY",), language.macros, set(), set())
    return re.compile(f"(?:{found.pattern})$") if found is not None else None


def _told_of_others(read: str, start: int, subject: re.Pattern[str]) -> bool:
    """Whether the words just before ``start`` (same sentence) are someone else as its subject."""
    left = read.rfind(f" {BOUNDARY} ", 0, start)
    return subject.search(read[(left + 2 if left >= 0 else 0) : start]) is not None


def _negated(read: str, start: int, end: int, negations: frozenset[str]) -> bool:
    """Whether a negation is in the match or among the three words before it (same sentence)."""
    before = read[:start].split()[-3:]
    if BOUNDARY in before:
        before = before[len(before) - before[::-1].index(BOUNDARY) :]
    return any(w in negations for w in (*before, *read[start:end].split()))


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def _deletions(word: str, limit: int) -> Iterator[str]:
    yield word
    for count in range(1, limit + 1):
        if len(word) - count < 3:
            return
        for positions in combinations(range(len(word)), count):
            yield "".join(ch for i, ch in enumerate(word) if i not in positions)


_DETECTOR: Detector | None = None
_BUILD = threading.Lock()


def detector() -> Detector:
    """The process's detector, built on first use (a few milliseconds: not at import, so that a PING or
    a /help never pays for it)."""
    global _DETECTOR
    if _DETECTOR is None:
        with _BUILD:
            if _DETECTOR is None:
                from loyal_companion.safety.lexicon import LANGUAGES, TEMPLATES

                _DETECTOR = Detector(LANGUAGES, TEMPLATES)
    return _DETECTOR


def find(text: str) -> Finding:
    """What ``text`` may mean for the safety of the person who wrote it (or of someone they named)."""
    return detector().find(text)
