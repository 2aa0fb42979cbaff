"""Our hand-written statements, compacted once at import.

Dropping comments and runs of whitespace once, here, roughly halves what travels to the server and what
its parser reads for the turn's few large statements, and what pg8000's placeholder scan reads the first
time it meets each statement (after that the scan is memoised: ``db.engine.memoise_placeholder_conversion``).
Only for our own SQL: no literal in it holds "--" or repeated spaces.
"""

from __future__ import annotations

import re

from sqlalchemy import TextClause, text

_COMMENT = re.compile(r"--[^\n]*")


def sql(statement: str) -> TextClause:
    return text(" ".join(_COMMENT.sub("", statement).split()))
