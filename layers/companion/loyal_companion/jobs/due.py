"""Finding what is due: quiet people's check-ins created, due events claimed under a lease, the next time
anything is due (the wake-up), memory's work on conversations that ended, and receipts past their hour."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from loyal_companion.db.repositories import RECEIPT_KEEP
from loyal_companion.db.sql import sql
from loyal_companion.jobs.state import BATCH, LEASE, REGULAR_SCORE, ProactiveDeps
from loyal_companion.living.proactive import (
    CHECKIN_AFTER_DAYS,
    GENTLE_FOR,
)

logger = logging.getLogger(__name__)


# Who is owed a check-in once they have been quiet long enough: an active Regular who opted in and has had
# none since they last spoke. The run creates theirs; ``next_due`` wakes the run when the first comes due.
_CHECKIN_OWED = """
FROM users u
JOIN user_preferences p ON p.user_id = u.id AND p.preference_key = 'checkins' AND p.preference_value = 'on'
JOIN user_relationships r ON r.user_id = u.id AND r.guild_id IS NULL AND r.relationship_score > :regular
WHERE u.is_active
  AND NOT EXISTS (
      SELECT 1 FROM scheduled_events e
      WHERE e.user_id = u.id AND e.event_type = 'check_in'
        AND (e.status IN ('pending', 'sending') OR e.created_at > u.last_seen_at)
  )"""


_CREATE_CHECKINS_SQL = sql(
    """
INSERT INTO scheduled_events (user_id, event_type, trigger_at, due_at, title, context)
SELECT u.id, 'check_in', CAST(:now AS timestamptz), CAST(:now AS timestamptz), 'Check-in', '{}'::jsonb"""
    + _CHECKIN_OWED
    + """
  AND u.last_seen_at < CAST(:quiet_since AS timestamptz)
"""
)


_CLAIM_SQL = sql(
    """
WITH due AS (
    SELECT id FROM scheduled_events
    WHERE status IN ('pending', 'sending') AND due_at <= CAST(:now AS timestamptz)
    ORDER BY due_at, id
    LIMIT :batch
    FOR UPDATE SKIP LOCKED
)
UPDATE scheduled_events e
SET status = 'sending', due_at = :lease_until, attempts = e.attempts + 1, updated_at = :now
FROM due, users u
WHERE e.id = due.id AND u.id = e.user_id
RETURNING e.id, e.user_id, e.guild_id, e.channel_id, e.event_type, e.trigger_at, e.title, e.context,
          e.is_recurring, e.recurrence_rule, e.attempts, u.discord_id, u.timezone, u.dm_channel_id,
          COALESCE(u.custom_name, u.discord_display_name, u.discord_username, 'friend') AS name,
          (SELECT relationship_score FROM user_relationships r
            WHERE r.user_id = u.id AND r.guild_id IS NULL) AS score,
          (SELECT max(x.triggered_at) FROM scheduled_events x
            WHERE x.user_id = u.id AND x.event_type IN ('check_in', 'follow_up')) AS last_unsolicited,
          -- a crisis turn in the last day: what is sent is gentle (ix_messages_user_id_safety)
          EXISTS (SELECT 1 FROM messages m WHERE m.user_id = u.id AND m.safety_concern IS NOT NULL
                  AND m.created_at > CAST(:now AS timestamptz) - CAST(:gentle_for AS interval)) AS gentle
"""
)


def claim(
    deps: ProactiveDeps, *, now: datetime, batch: int = BATCH, lease: timedelta = LEASE
) -> list[dict[str, Any]]:
    with deps.unit_of_work() as uow:
        rows = uow.session.execute(
            _CLAIM_SQL, {"now": now, "batch": batch, "lease_until": now + lease, "gentle_for": GENTLE_FOR}
        )
        claimed = [dict(r._mapping) for r in rows]
        uow.commit()
    return claimed


_NEXT_DUE_SQL = sql(
    """
SELECT LEAST(
    (SELECT min(due_at) FROM scheduled_events WHERE status IN ('pending', 'sending')),
    (SELECT min(c.last_message_at) FROM conversations c WHERE c.memory_unread > 0)
        + CAST(:conversation_timeout AS interval),
    (SELECT min(c.last_message_at) FROM conversations c WHERE c.episode_pending)
        + CAST(:conversation_timeout AS interval),
    (SELECT min(created_at) FROM interaction_receipts) + CAST(:receipt_keep AS interval),
    (SELECT min(u.last_seen_at) + CAST(:checkin_after AS interval)"""
    + _CHECKIN_OWED
    + """)
) AS due
"""
)


def next_due(deps: ProactiveDeps, now: datetime) -> datetime | None:
    """The next time this job has anything to do: an event, a quiet person's check-in, a conversation
    memory has not read to its end, a receipt past its hour. One statement over partial indexes."""
    with deps.unit_of_work().reading() as uow:
        due = uow.session.execute(
            _NEXT_DUE_SQL,
            {
                "conversation_timeout": deps.conversation_timeout,
                "receipt_keep": RECEIPT_KEEP,
                "checkin_after": timedelta(days=CHECKIN_AFTER_DAYS),
                "regular": REGULAR_SCORE,
            },
        ).scalar()
    return due if isinstance(due, datetime) else None


_DROP_RECEIPTS_SQL = sql(
    """
WITH old AS (
    SELECT interaction_id FROM interaction_receipts WHERE created_at < CAST(:before AS timestamptz)
    ORDER BY created_at LIMIT 10000
), dropped AS (
    DELETE FROM interaction_receipts r USING old WHERE r.interaction_id = old.interaction_id RETURNING 1
), lapsed AS (
    DELETE FROM interaction_claims WHERE claimed_until < CAST(:before AS timestamptz) RETURNING 1
)
SELECT (SELECT count(*) FROM dropped) AS dropped
"""
)


def _drop_old_receipts(deps: ProactiveDeps, now: datetime) -> int:
    """Receipts no redelivery can need any more (everyone's; a person's own go when they next write), and
    claims of workers that died mid-turn."""
    with deps.unit_of_work() as uow:
        dropped = int(uow.session.execute(_DROP_RECEIPTS_SQL, {"before": now - RECEIPT_KEEP}).scalar() or 0)
        uow.commit()
    return dropped


def _after_ended_conversations(
    deps: ProactiveDeps, now: datetime, work: Callable[..., int], doing: str
) -> int:
    """Memory's work on conversations that ended: what is left to read of them (``learn_ended``), and
    what happened in them, as dated lines (``summarise_ended``). Never fails the run."""
    try:
        return work(
            unit_of_work=deps.unit_of_work,
            model=deps.model,
            model_name=deps.model_name,
            now=now,
            timeout=deps.conversation_timeout,
            embedder=deps.embedder,
        )
    except Exception:  # memory can wait for the next run; the reminders due now cannot
        logger.exception("%s ended conversations failed; the next run tries again", doing)
        return 0
