"""pgvector's text form, as our Vector type writes and reads it."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from loyal_companion.db.vector import Vector, from_literal, to_literal

finite = st.floats(allow_nan=False, allow_infinity=False, width=32)


@given(st.lists(finite, min_size=1, max_size=64))
def test_text_form_round_trips(values: list[float]) -> None:
    assert from_literal(to_literal(values)) == [float(v) for v in values]


@pytest.mark.parametrize("bad", [[], [math.nan], [1.0, math.inf]])
def test_what_postgresql_would_refuse_is_refused_here(bad: list[float]) -> None:
    with pytest.raises(ValueError):
        to_literal(bad)


def test_column_spec_with_and_without_a_size() -> None:
    assert Vector().get_col_spec() == "vector"
    assert Vector(1536).get_col_spec() == "vector(1536)"


def test_malformed_text_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="not a vector literal"):
        from_literal("1,2,3")
