"""Proactive events: the scheduled runner that claims due events and sends them.

This first version only reports what is due; claiming, writing and sending land with the scheduled
functions work (issue 6). Nothing is marked or lost meanwhile: due events stay pending.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import func, select

from loyal_companion.db.models import ScheduledEvent
from loyal_companion.db.uow import UnitOfWork

logger = logging.getLogger(__name__)


def count_due_events(uow: UnitOfWork, *, now: datetime) -> int:
    with uow:
        due = uow.session.scalar(
            select(func.count())
            .select_from(ScheduledEvent)
            .where(ScheduledEvent.status == "pending", ScheduledEvent.trigger_at <= now)
        )
    logger.info("proactive events due", extra={"due": int(due or 0)})
    return int(due or 0)
