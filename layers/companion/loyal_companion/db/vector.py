"""pgvector's ``vector`` column type, in the text form PostgreSQL reads and writes ('[0.1,0.2,...]').

A few lines of our own rather than the ``pgvector`` package: that package imports numpy, which would
add tens of megabytes to the Lambda layer and to every cold start for a conversion this small.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy.dialects.postgresql.base import ischema_names
from sqlalchemy.types import UserDefinedType


def to_literal(values: Sequence[float]) -> str:
    """The text form of a vector; a clear error for what PostgreSQL would refuse (empty, NaN, infinity)."""
    if not values:
        raise ValueError("a vector needs at least one dimension")
    parts = []
    for value in values:
        number = float(value)
        if not math.isfinite(number):
            raise ValueError("a vector holds only finite numbers")
        parts.append(repr(number))
    return "[" + ",".join(parts) + "]"


def from_literal(text: str) -> list[float]:
    inner = text.strip()
    if not (inner.startswith("[") and inner.endswith("]")):
        raise ValueError(f"not a vector literal: {text[:40]!r}")
    body = inner[1:-1].strip()
    return [float(part) for part in body.split(",")] if body else []


class Vector(UserDefinedType[list[float]]):
    """``vector`` (any dimension) or ``vector(n)``."""

    cache_ok = True

    def __init__(self, dimensions: int | None = None) -> None:
        self.dimensions = dimensions

    def get_col_spec(self, **kw: Any) -> str:
        return "vector" if self.dimensions is None else f"vector({self.dimensions})"

    def bind_processor(self, dialect: Any) -> Callable[[Any], str | None]:
        def process(value: Any) -> str | None:
            return None if value is None else to_literal(value)

        return process

    def result_processor(self, dialect: Any, coltype: Any) -> Callable[[Any], list[float] | None]:
        def process(value: Any) -> list[float] | None:
            return None if value is None else from_literal(str(value))

        return process


# Reflection (alembic's drift check) names the type instead of warning about an unknown one.
ischema_names["vector"] = Vector
