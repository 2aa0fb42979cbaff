"""Mood decay: settle each server's mood toward its baseline, writing only what is away from it.

A server's mood is computed when read (the baseline plus its shares' offsets, each decayed to that
moment by the closed form of ``living.mood.decayed``), so nothing needs this job to be right. It tidies:
shares still away from the baseline get their decayed offset written (or zero once it is below
``SETTLE``), and a mood_history row (trigger ``time_decay``) records a server whose mood visibly drifted.
A share already at its baseline is not touched: a run over states at rest writes no row.
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

SETTLE = 0.005  # an offset this small is the baseline

_DECAY_SQL = sql(
    """
    WITH p AS (
        SELECT CAST(:now AS timestamptz) AS now, CAST(:rate AS float8) AS rate,
               CAST(:bv AS float8) AS bv, CAST(:ba AS float8) AS ba, CAST(:threshold AS float8) AS threshold,
               CAST(:settle AS float8) AS settle
    ), old AS (
        SELECT s.id, s.guild_id, s.valence_offset, s.arousal_offset,
               exp(-p.rate * extract(epoch FROM (p.now - s.updated_at)) / 3600.0) AS keep
        FROM mood_shards s, p
        WHERE (s.valence_offset <> 0 OR s.arousal_offset <> 0) AND s.updated_at < p.now
        FOR UPDATE OF s
    ), moved AS (
        UPDATE mood_shards AS s
        SET valence_offset = CASE WHEN abs(old.valence_offset * old.keep) < p.settle THEN 0
                                  ELSE old.valence_offset * old.keep END,
            arousal_offset = CASE WHEN abs(old.arousal_offset * old.keep) < p.settle THEN 0
                                  ELSE old.arousal_offset * old.keep END,
            updated_at = p.now
        FROM old, p
        WHERE s.id = old.id
        RETURNING s.guild_id, old.valence_offset AS v0, old.arousal_offset AS a0,
                  s.valence_offset AS v1, s.arousal_offset AS a1
    ), drift AS (
        SELECT guild_id, sum(v0) AS v0, sum(a0) AS a0, sum(v1) AS v1, sum(a1) AS a1
        FROM moved GROUP BY guild_id
    ), logged AS (
        INSERT INTO mood_history (guild_id, valence, arousal, trigger_type, trigger_description, recorded_at)
        SELECT d.guild_id, LEAST(1, GREATEST(-1, p.bv + d.v1)), LEAST(1, GREATEST(-1, p.ba + d.a1)),
               'time_decay', 'drifted back toward a steady baseline', p.now
        FROM drift d, p
        WHERE abs(d.v1 - d.v0) + abs(d.a1 - d.a0) >= p.threshold
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
            "settle": SETTLE,
        },
    ).one()
    return DecayResult(moved=int(row.moved), logged=int(row.logged))


def run_mood_decay(uow: UnitOfWork, *, now: datetime) -> DecayResult:
    """One scheduled decay: read the tunables and settle every mood still away from its baseline."""
    with uow:
        result = decay_moods(uow.session, now=now, params=decay_parameters(uow.session))
        uow.commit()
    logger.info("mood decay", extra={"moved": result.moved, "logged": result.logged})
    return result
