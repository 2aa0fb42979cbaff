"""Proactive events: claim what is due, write it, send it, and record what happened.

A run: (1) opt-in check-ins are created for people who went quiet (one set-based INSERT); (2) due
events are claimed with ``FOR UPDATE SKIP LOCKED`` and a lease (status "sending", ``due_at`` = the
lease's end), so concurrent runners never take the same event and a runner that dies loses nothing:
its lease runs out and the next run claims the event again; (3) each claimed event is written (the model
with the person's facts and relationship level; templates without a model), sent through the Discord
REST API with a nonce that makes a repeated send a no-op, and marked in a short transaction of its own;
(4) the run arms the next wake-up (``wake.py``) at the next time anything is due.

A send repeated after a crash (a run killed between the send and the mark) is absorbed by Discord's
nonce (``enforce_nonce``: the same nonce from the same author within a few minutes returns the first
message): a run arms a guard wake-up just past its own lease when it starts, so the events of a run that
died are taken again when their claims lapse (``LEASE``, 2 minutes), inside that window.

Where things are: finding what is due in ``jobs.due``, sending it in ``jobs.send``, what a run is given and
reports in ``jobs.state``; the run itself here.
"""

from __future__ import annotations

import logging
import time
import uuid
from datetime import datetime, timedelta

from sqlalchemy import text

from loyal_companion.db.sql import sql
from loyal_companion.jobs.due import (
    _CREATE_CHECKINS_SQL,
    _after_ended_conversations,
    _drop_old_receipts,
    claim,
    next_due,
)
from loyal_companion.jobs.send import _send_batch
from loyal_companion.jobs.state import AGAIN, FAR, GUARD_MARGIN, REGULAR_SCORE, ProactiveDeps, ProactiveResult
from loyal_companion.living.proactive import (
    CHECKIN_AFTER_DAYS,
)
from loyal_companion.memory.episodes import summarise_ended
from loyal_companion.memory.learn import learn_ended
from loyal_companion.observability import record_metric
from loyal_companion.wake import SOONEST

logger = logging.getLogger(__name__)

__all__ = ["ProactiveDeps", "ProactiveResult", "next_due", "run_proactive"]


def run_proactive(
    deps: ProactiveDeps, *, max_batches: int = 20, deadline_s: float = 200.0
) -> ProactiveResult:
    """One scheduled run: create due check-ins, then claim and send until nothing is due or time is up.
    A run holds the job's lease while it works; one that finds it held by another run ends at once."""
    result = ProactiveResult()
    holder = uuid.uuid4().hex
    if deps.exclusive and not _lease(deps, holder):
        result.leased_elsewhere = True
        logger.info("another proactive run holds the lease; this one ends")
        # Should that run die, come back when its lease has lapsed (it re-arms when it ends well).
        now = deps.clock()
        result.next_wake = deps.waker.arm(now + deps.run_lease + GUARD_MARGIN, now=now)
        return result
    try:
        return _run(deps, result, holder, max_batches=max_batches, deadline_s=deadline_s)
    finally:
        if deps.exclusive:
            _release_lease(deps, holder)


def _run(
    deps: ProactiveDeps, result: ProactiveResult, holder: str, *, max_batches: int, deadline_s: float
) -> ProactiveResult:
    started = time.monotonic()
    now = deps.clock()
    # Should this run die (a timeout, a crash mid-send), the run woken by this guard takes over: it finds
    # what is due, and events this run claimed come due again when their claims lapse (the nonce absorbs
    # a repeat of a send that was never marked). The end of the run replaces it with the next due time.
    guard = deps.waker.arm(now + deps.run_lease + GUARD_MARGIN, now=now)
    with deps.unit_of_work() as uow:
        created = uow.session.execute(
            _CREATE_CHECKINS_SQL,
            {"now": now, "quiet_since": now - timedelta(days=CHECKIN_AFTER_DAYS), "regular": REGULAR_SCORE},
        )
        result.checkins_created = int(getattr(created, "rowcount", 0) or 0)
        uow.commit()
    result.memory_windows = _after_ended_conversations(deps, now, learn_ended, "reading")
    result.episodes = _after_ended_conversations(deps, now, summarise_ended, "summarising")
    result.receipts_dropped = _drop_old_receipts(deps, now)
    dm_channels: dict[int, str] = {}
    backlog = False
    for batch in range(max_batches):
        if time.monotonic() - started > deadline_s:
            backlog = True
            break
        claimed = claim(deps, now=deps.clock(), lease=deps.lease)
        if not claimed:
            break
        result.claimed += len(claimed)
        _send_batch(deps, claimed, result, dm_channels)
        if deps.exclusive and not _lease(deps, holder):  # renewed per batch; lost only if this run stalled
            break
        backlog = batch == max_batches - 1
    result.next_wake = _arm_next(deps, guard=guard, backlog=backlog)
    for name, value in (
        ("ProactiveSent", result.sent),
        ("ProactiveFailed", result.failed),
        ("ProactiveCancelled", result.cancelled),
        ("ProactiveRetried", result.retried),
    ):
        record_metric(name, value)
    logger.info(
        "proactive run",
        extra={k: v for k, v in result.__dict__.items() if k != "errors"},
    )
    return result


def _arm_next(deps: ProactiveDeps, *, guard: datetime | None, backlog: bool) -> datetime | None:
    """Arm the wake-up at the next due time, replacing this run's guard. Never fails the run."""
    now = deps.clock()
    try:
        due = next_due(deps, now)
    except Exception:
        logger.exception("could not read the next due time; the guard or the daily run comes instead")
        return None
    if due is None:
        if guard is None:
            return None  # nothing armed by this run, nothing due: the daily run is the next wake-up
        due = now + FAR
    elif due <= now:
        # Left over: a backlog goes on at once; what failed here (the model was away) waits a little.
        due = now + (SOONEST if backlog else AGAIN)
    return deps.waker.arm(due, now=now, replacing=guard)


_LEASE_SQL = sql(
    """
INSERT INTO job_leases AS l (name, holder, held_until) VALUES ('proactive', :holder, :until)
ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder, held_until = EXCLUDED.held_until
WHERE l.holder = EXCLUDED.holder OR l.held_until < CAST(:now AS timestamptz)
RETURNING 1
"""
)


def _lease(deps: ProactiveDeps, holder: str) -> bool:
    """Take (or renew) the run's lease; False when another run holds it."""
    now = deps.clock()
    with deps.unit_of_work() as uow:
        taken = uow.session.execute(
            _LEASE_SQL, {"holder": holder, "now": now, "until": now + deps.run_lease}
        ).first()
        uow.commit()
    return taken is not None


def _release_lease(deps: ProactiveDeps, holder: str) -> None:
    try:
        with deps.unit_of_work() as uow:
            uow.session.execute(
                text("DELETE FROM job_leases WHERE name = 'proactive' AND holder = :holder"),
                {"holder": holder},
            )
            uow.commit()
    except Exception:  # the lease lapses by itself
        logger.warning("could not let go of the proactive lease; it lapses by itself")
