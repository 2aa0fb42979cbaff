"""Our hand-written statements, compacted once at import.

pg8000 converts each statement's placeholders with a character-by-character scan on every execution;
for the turn's few large statements that scan was the biggest single cost of a turn (about 20 ms of 50,
measured with cProfile under `lc bench turn`). Dropping comments and runs of whitespace once, here,
shrinks what it scans by about half. Only for our own SQL: no literal in it holds "--" or repeated spaces.
"""

from __future__ import annotations

import re

from sqlalchemy import TextClause, text

_COMMENT = re.compile(r"--[^\n]*")


def sql(statement: str) -> TextClause:
    return text(" ".join(_COMMENT.sub("", statement).split()))
