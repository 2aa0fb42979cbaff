"""pg8000's placeholder conversion, memoised per statement text, must give exactly what pg8000 gives."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from pg8000 import legacy
from sqlalchemy import TextClause
from sqlalchemy.dialects.postgresql import pg8000 as pg8000_dialect

from loyal_companion.db.engine import memoise_placeholder_conversion

# Modules holding the hand-written statements of the hot paths.
STATEMENT_MODULES = (
    "loyal_companion.db.turns",
    "loyal_companion.db.window",
    "loyal_companion.db.conversations",
    "loyal_companion.db.living",
    "loyal_companion.jobs.due",
    "loyal_companion.jobs.send",
    "loyal_companion.jobs.proactive",
)

# Text that the scanner must treat with care: quotes, escapes, comments, dollar quotes, casts, %%.
EDGE_CASES = (
    "SELECT %s",
    "SELECT 'it''s %% 50' AS a, %s AS b",
    "SELECT E'a\\'b', %s, \"quoted %% ident\"",
    "SELECT 1 -- a comment with %s\n, %s",
    "SELECT $$ body with %s $$, %s",
    "SELECT CAST(%s AS bigint)::text, x::int FROM t WHERE y = %s AND z LIKE 'a%%'",
    "SELECT 100 %% 7, %s",
    "",
)


def _our_statements() -> list[str]:
    dialect = pg8000_dialect.dialect()
    found: list[str] = []
    for name in STATEMENT_MODULES:
        module = importlib.import_module(name)
        for value in vars(module).values():
            if isinstance(value, TextClause):
                found.append(str(value.compile(dialect=dialect)))
    return found


@pytest.fixture
def memoised() -> Any:
    convert = memoise_placeholder_conversion()
    assert convert is not None, "pg8000 lost its convert_paramstyle hook"
    return convert


def test_the_hot_statements_are_found() -> None:
    statements = _our_statements()
    assert len(statements) >= 8
    assert all("%s" in s for s in statements)


@pytest.mark.parametrize("style", ["format", "numeric", "qmark"])
def test_conversion_is_exactly_pg8000s(memoised: Any, style: str) -> None:
    original = memoised.original
    statements = [*_our_statements(), *EDGE_CASES]
    if style != "format":
        statements = [s.replace("%s", "?" if style == "qmark" else ":1") for s in statements]
    for statement in statements:
        args = (1, "two", None)
        for _ in range(2):  # the second call is served from the cache
            try:
                expected = original(style, statement, args)
            except Exception as exc:  # pg8000 rejects some edge texts in some styles: so must we
                with pytest.raises(type(exc)):
                    memoised(style, statement, args)
                break
            text, values = memoised(style, statement, args)
            assert text == expected[0]
            assert values is args  # values are passed through, never cached


def test_values_change_between_calls_of_one_statement(memoised: Any) -> None:
    statement = "SELECT %s, %s"
    first = memoised("format", statement, (1, 2))
    second = memoised("format", statement, ("a", "b"))
    assert first == ("SELECT $1, $2", (1, 2))
    assert second == ("SELECT $1, $2", ("a", "b"))


def test_named_style_is_not_memoised(memoised: Any) -> None:
    before = memoised.cache_info()
    text, values = memoised("named", "SELECT :a, :b, :a", {"a": 1, "b": 2})
    assert (text, values) == ("SELECT $1, $2, $1", (1, 2))
    assert memoised.cache_info().currsize == before.currsize


def test_the_cache_is_hit_and_bounded(memoised: Any) -> None:
    statement = "SELECT %s AS only_here_for_the_cache_test"
    before = memoised.cache_info()
    for i in range(5):
        memoised("format", statement, (i,))
    after = memoised.cache_info()
    assert after.hits - before.hits >= 4
    assert after.maxsize is not None and after.maxsize <= 1024


def test_installing_twice_keeps_one_layer(memoised: Any) -> None:
    assert memoise_placeholder_conversion() is memoised
    assert legacy.convert_paramstyle is memoised
    assert not getattr(memoised.original, "memoised", False)


def test_a_rejected_statement_is_rejected_every_time(memoised: Any) -> None:
    for _ in range(2):
        with pytest.raises(Exception, match="Only %s and %% are supported"):
            memoised("format", "SELECT 50 % 7, %s", (1,))
