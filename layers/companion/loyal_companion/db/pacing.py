"""One pace for every proactive runner: bot-token requests to Discord take their slots from one row.

The per-process ``RequestPacer`` keeps one process under the limit; runs that overlap (a retried
invocation, a slow run, several containers) are separate processes, and together they would not be.
``SharedPacer`` has the same interface and reserves each slot with one statement on the database's clock,
so every runner sees the same next slot. If the database cannot be reached it falls back to the process's
own pacer (logged), rather than sending unpaced or not at all.
"""

from __future__ import annotations

import logging
from typing import Final

from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from loyal_companion.discord.rest import PROCESS_PACER, RequestPacer

logger = logging.getLogger(__name__)

_RESERVE: Final = text(
    """
INSERT INTO discord_pace AS p (id, next_at)
VALUES (1, clock_timestamp() + make_interval(secs => CAST(:gap AS float8)))
ON CONFLICT (id) DO UPDATE
    SET next_at = GREATEST(p.next_at, clock_timestamp()) + make_interval(secs => CAST(:gap AS float8))
RETURNING GREATEST(0, extract(epoch FROM p.next_at - clock_timestamp()) - CAST(:gap AS float8)) AS wait_s
"""
)

_PAUSE: Final = text(
    """
INSERT INTO discord_pace AS p (id, next_at)
VALUES (1, clock_timestamp() + make_interval(secs => CAST(:seconds AS float8)))
ON CONFLICT (id) DO UPDATE
    SET next_at = GREATEST(p.next_at, clock_timestamp() + make_interval(secs => CAST(:seconds AS float8)))
"""
)


class SharedPacer(RequestPacer):
    """``RequestPacer``'s interface, its slots kept in PostgreSQL (``discord_pace``) for all processes."""

    def __init__(self, engine: Engine, per_second: float, fallback: RequestPacer = PROCESS_PACER) -> None:
        super().__init__(per_second)
        self._engine = engine
        self._fallback = fallback

    def reserve(self) -> float:
        try:
            with self._engine.begin() as conn:
                wait = conn.execute(_RESERVE, {"gap": 1.0 / self.per_second}).scalar_one()
            return float(wait)
        except (DBAPIError, OSError) as exc:
            logger.warning("shared pace unavailable; pacing this process alone", extra={"error": repr(exc)})
            return self._fallback.reserve()

    def pause(self, seconds: float) -> None:
        try:
            with self._engine.begin() as conn:
                conn.execute(_PAUSE, {"seconds": seconds})
        except (DBAPIError, OSError) as exc:
            logger.warning("shared pace unavailable; pausing alone", extra={"error": repr(exc)})
            self._fallback.pause(seconds)
