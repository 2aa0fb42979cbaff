"""The small language the detector's rules are written in, compiled to regular expressions over words.

A rule is a sequence of items separated by spaces, matched against the words of ``text.words`` joined
by single spaces:

    word        that word                     suicid*     any word that starts with "suicid"
    (a|b c)     one of the alternatives       item?       the item, or nothing
    ~ / ~N      up to 2 (or N) other words of the same sentence
    .           a sentence end                $           the end of the sentence
    #           a number of two digits or more (a count of pills, not "take 2 a day")
    @NAME       the language's macro NAME (itself written in this language)

Literal words are also the detector's vocabulary: a misspelt word is read as the vocabulary word it is
closest to only when that word is on the language's list of distinctive words (``Language.fuzzy``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from loyal_companion.safety.text import BOUNDARY


class Concern(StrEnum):
    """What a message may mean for someone's safety."""

    SUICIDE = "suicide"  # suicidal thoughts or intent, and asking for means
    SELF_HARM = "self_harm"
    HARM_OTHERS = "harm_others"


@dataclass(frozen=True)
class Rule:
    concern: Concern
    patterns: tuple[str, ...]
    # In the same sentence as a match, any of these means it was not meant (a game, a kitchen knife).
    veto: tuple[str, ...] = ()
    # A negation in the match or just before it undoes it ("I don't want to die", "I'd never hurt him").
    negatable: bool = False
    # Someone else as the subject just before the match (the language's THEY: "my mum wanted to die at
    # home", "he was ready to die") means it is told of them, not felt: grief, not danger.
    of_others: bool = False


@dataclass(frozen=True)
class Language:
    code: str
    rules: tuple[Rule, ...] = ()
    macros: Mapping[str, str] = field(default_factory=dict)
    # Distinctive words a misspelling is corrected to (never words with common neighbours: "living"
    # is one letter from "giving").
    fuzzy: tuple[str, ...] = ()
    # Words a misspelling is read as only when it sounds the same ("kiero" → "quiero"): short words whose
    # one-letter neighbours are other words ("quiere").
    sounds: tuple[str, ...] = ()
    # Words that change nothing a rule looks for ("just", "einfach", "gewoon"): left out when reading,
    # unless a rule uses them.
    fillers: tuple[str, ...] = ()
    # Shorthand read as other words ("kms" → "kill myself").
    shorthand: Mapping[str, str] = field(default_factory=dict)
    # The words that negate (for ``Rule.negatable``).
    negations: frozenset[str] = frozenset()


class UnknownMacro(KeyError):
    """A rule names a concept the language does not define: the rule does not apply to it."""


class RuleSyntaxError(ValueError):
    pass


_ITEM = re.compile(r"\s*(\(|\)|\||~\d*|\$|\.|#|@[A-Z_]+|[a-z0-9']+\*?)(\??)")


@dataclass
class _Parser:
    source: str
    macros: Mapping[str, str]
    vocabulary: set[str]
    prefixes: set[str]
    position: int = 0

    def sequence(self) -> str:
        parts: list[str] = []
        while True:
            match = _ITEM.match(self.source, self.position)
            if match is None or match.group(1) in (")", "|"):
                break
            self.position = match.end()
            token, optional = match.group(1), match.group(2)
            parts.append(self.item(token) if not optional else f"(?:{self.item(token)})?")
        if self.source[self.position :].strip() and match is None:
            raise RuleSyntaxError(f"cannot read {self.source[self.position :]!r} in {self.source!r}")
        return "".join(parts)

    def item(self, token: str) -> str:
        if token == "(":
            alternatives = [self.sequence()]
            while True:
                match = _ITEM.match(self.source, self.position)
                if match is None:
                    raise RuleSyntaxError(f"unclosed group in {self.source!r}")
                self.position = match.end()
                if match.group(1) == ")":
                    if match.group(2):
                        return f"(?:{'|'.join(alternatives)})?"
                    return f"(?:{'|'.join(alternatives)})"
                if match.group(1) != "|":
                    raise RuleSyntaxError(f"unexpected {match.group(1)!r} in {self.source!r}")
                alternatives.append(self.sequence())
        if token.startswith("~"):
            count = int(token[1:] or 2)
            return f"(?:[^ {BOUNDARY}]+ ){{0,{count}}}"
        if token == "$":
            return f"(?=$|{BOUNDARY} )"
        if token == ".":
            return f"{BOUNDARY} "
        if token == "#":
            return "[1-9][0-9]+ "
        if token.startswith("@"):
            name = token[1:]
            if name not in self.macros:
                raise UnknownMacro(name)
            # A macro is a group of its own: alternatives at its top level are alternatives of it.
            inner = _Parser(f"({self.macros[name]})", self.macros, self.vocabulary, self.prefixes)
            return inner.sequence()
        if token.endswith("*"):
            stem = token[:-1]
            self.prefixes.add(stem)
            return f"{re.escape(stem)}[^ ]* "
        self.vocabulary.add(token)
        return f"{re.escape(token)} "


def compile_rule(
    patterns: Iterable[str],
    macros: Mapping[str, str],
    vocabulary: set[str],
    prefixes: set[str],
) -> re.Pattern[str] | None:
    """One regular expression for all of ``patterns`` that the language has the concepts for (words are
    matched whole: the text is the words joined by single spaces, with a space before the first and after
    the last); None when it has none of them."""
    sources = []
    for pattern in patterns:
        parser = _Parser(pattern, macros, set(), set())
        try:
            compiled = parser.sequence()
        except UnknownMacro:
            continue
        if parser.position != len(pattern) and pattern[parser.position :].strip():
            raise RuleSyntaxError(f"cannot read {pattern[parser.position :]!r} in {pattern!r}")
        vocabulary |= parser.vocabulary
        prefixes |= parser.prefixes
        sources.append(compiled)
    if not sources:
        return None
    return re.compile("(?<= )(?:" + "|".join(sources) + ")")
