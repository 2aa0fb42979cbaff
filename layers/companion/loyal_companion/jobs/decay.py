"""Mood decay: one set-based statement moves every bot_states row toward the baseline.

value(t) = baseline + (value - baseline) * exp(-rate * hours since mood_updated_at), the closed form of
``living.mood.decayed``, evaluated by PostgreSQL for all rows at once. Rows already updated at ``now``
are left alone, so a second run at the same instant changes nothing. A mood_history row (trigger
``time_decay``) is written only where the change is meaningful.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from loyal_companion.db.models import Personality
from loyal_companion.db.sql import sql
from loyal_companion.db.uow import UnitOfWork

logger = logging.getLogger(__name__)

DEFAULT_SLUG = "bartender"

_DECAY_SQL = sql(
    """
    WITH p AS (
        SELECT CAST(:now AS timestamptz) AS now, CAST(:rate AS float8) AS rate,
               CAST(:bv AS float8) AS bv, CAST(:ba AS float8) AS ba, CAST(:threshold AS float8) AS threshold
    ), old AS (
        SELECT b.id, b.mood_valence, b.mood_arousal,
               exp(-p.rate * extract(epoch FROM (p.now - b.mood_updated_at)) / 3600.0) AS keep
        FROM bot_states b, p
        WHERE b.mood_updated_at < p.now
        FOR UPDATE OF b
    ), moved AS (
        UPDATE bot_states AS b
        SET mood_valence = p.bv + (old.mood_valence - p.bv) * old.keep,
            mood_arousal = p.ba + (old.mood_arousal - p.ba) * old.keep,
            mood_updated_at = :now,
            updated_at = :now
        FROM old, p
        WHERE b.id = old.id
        RETURNING b.guild_id, old.mood_valence AS v0, old.mood_arousal AS a0,
                  b.mood_valence AS v1, b.mood_arousal AS a1
    ), logged AS (
        INSERT INTO mood_history (guild_id, valence, arousal, trigger_type, trigger_description, recorded_at)
        SELECT guild_id, v1, a1, 'time_decay', 'drifted back toward a steady baseline', p.now
        FROM moved, p
        WHERE abs(v1 - v0) + abs(a1 - a0) >= p.threshold
        RETURNING 1
    )
    SELECT (SELECT count(*) FROM moved) AS moved, (SELECT count(*) FROM logged) AS logged
    """
)


@dataclass(frozen=True)
class DecayParameters:
    rate_per_hour: float = 0.05
    baseline_valence: float = 0.0
    baseline_arousal: float = 0.0
    history_threshold: float = 0.1


@dataclass(frozen=True)
class DecayResult:
    moved: int
    logged: int


def decay_parameters(session: Session, slug: str = DEFAULT_SLUG) -> DecayParameters:
    """The default personality's mood tunables (seeded by migration 0003)."""
    settings = session.scalar(select(Personality.settings).where(Personality.slug == slug)) or {}
    mood = settings.get("mood", {}) if isinstance(settings, dict) else {}
    defaults = DecayParameters()
    return DecayParameters(
        rate_per_hour=float(mood.get("decay_rate_per_hour", defaults.rate_per_hour)),
        baseline_valence=float(mood.get("baseline_valence", defaults.baseline_valence)),
        baseline_arousal=float(mood.get("baseline_arousal", defaults.baseline_arousal)),
        history_threshold=float(mood.get("history_threshold", defaults.history_threshold)),
    )


def decay_moods(session: Session, *, now: datetime, params: DecayParameters) -> DecayResult:
    row = session.execute(
        _DECAY_SQL,
        {
            "now": now,
            "rate": params.rate_per_hour,
            "bv": params.baseline_valence,
            "ba": params.baseline_arousal,
            "threshold": params.history_threshold,
        },
    ).one()
    return DecayResult(moved=int(row.moved), logged=int(row.logged))


def run_mood_decay(uow: UnitOfWork, *, now: datetime) -> DecayResult:
    """One scheduled decay: read the tunables and move every mood, in one transaction."""
    with uow:
        result = decay_moods(uow.session, now=now, params=decay_parameters(uow.session))
        uow.commit()
    logger.info("mood decay", extra={"moved": result.moved, "logged": result.logged})
    return result
