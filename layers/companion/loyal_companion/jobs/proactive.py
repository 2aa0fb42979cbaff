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
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Final

from sqlalchemy import text

from loyal_companion.db.repositories import RECEIPT_KEEP
from loyal_companion.db.sql import sql
from loyal_companion.db.uow import UnitOfWork
from loyal_companion.discord.components import reply_row
from loyal_companion.discord.rest import DiscordError, DiscordRest
from loyal_companion.living.proactive import (
    CHECKIN_AFTER_DAYS,
    GENTLE_FOR,
    MAX_ATTEMPTS,
    UNSOLICITED,
    after_quiet_hours,
    next_occurrence,
    retry_delay,
    template_text,
    writing_brief,
)
from loyal_companion.living.relationship import level_for
from loyal_companion.living.timeparse import TimeParseError, zone
from loyal_companion.llm.offline import OFFLINE_LABEL
from loyal_companion.llm.prompt import FactLine, PromptInput, compose
from loyal_companion.llm.types import ChatModel, Embedder, ModelError, ModelParams
from loyal_companion.memory.episodes import summarise_ended
from loyal_companion.memory.learn import learn_ended
from loyal_companion.observability import record_metric
from loyal_companion.safety.means import gives_method
from loyal_companion.safety.messages import HONEST
from loyal_companion.wake import SOONEST, NoWaker, Waker

logger = logging.getLogger(__name__)

AI_LINE: Final = "-# You're talking with an AI, not a person."

LEASE = timedelta(minutes=2)
RUN_LEASE: Final = timedelta(seconds=90)  # renewed per batch; a run that dies frees it within this
GUARD_MARGIN = timedelta(seconds=30)  # the guard wake-up comes this long after the run's lease ends
AGAIN = timedelta(minutes=5)  # something due that this run could not finish (the model was away): retry
FAR = timedelta(days=365)  # nothing due: the daily run is the only wake-up
BATCH = 25
REGULAR_SCORE = 40.0  # above this, a person is at least a Regular

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

_FACTS_SQL = sql(
    """
SELECT fact_content, importance FROM user_facts
WHERE user_id = :user_id AND is_active AND fact_type NOT IN ('grief_context', 'attachment_pattern')
ORDER BY importance DESC, learned_at DESC LIMIT 8
"""
)


@dataclass
class ProactiveResult:
    claimed: int = 0
    sent: int = 0
    deferred: int = 0
    retried: int = 0
    cancelled: int = 0
    failed: int = 0
    checkins_created: int = 0
    memory_windows: int = 0
    episodes: int = 0
    receipts_dropped: int = 0
    leased_elsewhere: bool = False
    next_wake: datetime | None = None  # the wake-up this run armed, if it changed it
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ProactiveDeps:
    unit_of_work: Callable[[], UnitOfWork]
    discord: DiscordRest
    model: ChatModel
    clock: Callable[[], datetime]
    model_name: str = "gpt-4o-mini"
    embedder: Embedder | None = None
    # How long a conversation stays quiet before memory reads what is left of it.
    conversation_timeout: timedelta = timedelta(minutes=60)
    waker: Waker = field(default_factory=NoWaker)
    lease: timedelta = LEASE  # an event's claim (a benchmark shortens it)
    run_lease: timedelta = RUN_LEASE  # the run's own lease, renewed per batch
    exclusive: bool = True  # False: overlap with other runs (a benchmark of the shared pace)
    senders: int = 8  # messages in flight at once within a run (all under the one pace)


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


def _send_batch(
    deps: ProactiveDeps, claimed: list[dict[str, Any]], result: ProactiveResult, dm_channels: dict[int, str]
) -> None:
    """Write and send a batch ``deps.senders`` at a time: Discord takes a while to answer each message (and
    a model to write one), and one at a time would leave most of the pace unused. The pace is still one."""

    def one(event: dict[str, Any]) -> ProactiveResult:
        part = ProactiveResult()
        try:
            _handle(deps, event, part, dm_channels)
        except Exception as exc:  # the event's claim lapses and the next run takes it again
            logger.exception("a proactive event could not be handled", extra={"event_id": event["id"]})
            part.errors.append(type(exc).__name__)
        return part

    if deps.senders <= 1 or len(claimed) == 1:
        parts = [one(event) for event in claimed]
    else:
        with ThreadPoolExecutor(max_workers=min(deps.senders, len(claimed))) as pool:
            parts = list(pool.map(one, claimed))
    for part in parts:
        for name in ("sent", "deferred", "retried", "cancelled", "failed"):
            setattr(result, name, getattr(result, name) + getattr(part, name))
        result.errors.extend(part.errors)


def _handle(
    deps: ProactiveDeps, event: dict[str, Any], result: ProactiveResult, dm_channels: dict[int, str]
) -> None:
    now = deps.clock()
    try:
        tz = zone(event["timezone"])
    except TimeParseError:
        tz = zone(None)
    if event["event_type"] in UNSOLICITED:
        allowed = after_quiet_hours(now, tz)
        last = event["last_unsolicited"]
        if last is not None and now - last < timedelta(days=1):
            allowed = max(allowed, after_quiet_hours(last + timedelta(days=1), tz))
        if allowed > now:
            _release(deps, event["id"], due_at=allowed, count_attempt=False)
            result.deferred += 1
            return
    content = _write(deps, event)
    nonce = f"e{event['id']}t{int(event['trigger_at'].timestamp())}"
    try:
        channel = _channel_for(deps, event, dm_channels)
        person = int(event["discord_id"])
        if event["channel_id"]:
            # In a server channel the message names the person, and notifies only them (never a role or
            # everyone); a DM reaches them anyway.
            deps.discord.create_message(
                channel,
                f"<@{person}> {content}",
                nonce=nonce,
                mention=person,
                components=(reply_row(person),),
            )
        else:
            deps.discord.create_message(channel, content, nonce=nonce, components=(reply_row(person),))
    except DiscordError as exc:
        _failed(deps, event, exc, result)
        return
    _sent(deps, event, now=deps.clock(), tz=tz)
    result.sent += 1


def _channel_for(deps: ProactiveDeps, event: dict[str, Any], dm_channels: dict[int, str]) -> str:
    """The event's channel, or the person's DM channel: remembered on their row once Discord has opened
    it, so a DM costs one request (opening it again every time doubled the sends)."""
    if event["channel_id"]:
        return str(event["channel_id"])
    if event["dm_channel_id"]:
        return str(event["dm_channel_id"])
    channel = dm_channels.get(event["discord_id"])
    if channel is None:
        channel = deps.discord.create_dm(event["discord_id"])
        dm_channels[event["discord_id"]] = channel
        if channel.isdigit():
            with deps.unit_of_work() as uow:
                uow.session.execute(
                    text("UPDATE users SET dm_channel_id = :c WHERE id = :u"),
                    {"c": int(channel), "u": event["user_id"]},
                )
                uow.commit()
    return channel


def _write(deps: ProactiveDeps, event: dict[str, Any]) -> str:
    """The message, and for anything but a reminder (the person's own words) the line that says it is an AI:
    a message the companion sends on its own begins an interaction."""
    if event["event_type"] == "reminder":
        return _compose(deps, event)
    return _compose(deps, event) + "\n" + AI_LINE


def _compose(deps: ProactiveDeps, event: dict[str, Any]) -> str:
    name = str(event["name"])
    context = event["context"] if isinstance(event["context"], dict) else {}
    gentle = bool(event.get("gentle"))
    fallback = template_text(event["event_type"], event["title"], name, context, gentle=gentle)
    if event["event_type"] == "reminder":
        return fallback
    if deps.model.offline:
        return f"{fallback}\n\n{OFFLINE_LABEL}"
    with deps.unit_of_work().reading() as uow:
        facts = [
            FactLine(r.fact_content, r.importance)
            for r in uow.session.execute(_FACTS_SQL, {"user_id": event["user_id"]})
        ]
        prompt_row = uow.session.execute(
            text("SELECT content FROM system_prompts WHERE is_default LIMIT 1")
        ).first()
    level = level_for(float(event["score"] or 0.0))
    prompt = compose(
        PromptInput(
            system_prompt=prompt_row.content if prompt_row else "",
            person_name=name,
            message=writing_brief(event["event_type"], event["title"], name, level.name, gentle=gentle),
            relationship_level=level.name,
            relationship_guidance=level.guidance,
            facts=facts,
            extra_notes=(HONEST,),
        ),
        budget=3000,
    )
    try:
        completion = deps.model.complete(prompt, ModelParams(model=deps.model_name, max_tokens=200))
    except ModelError as exc:
        logger.warning(
            "model could not write a proactive message; using the plain one", extra={"error": str(exc)}
        )
        return fallback
    written = completion.text or fallback
    return fallback if gives_method(written) else written


def _sent(deps: ProactiveDeps, event: dict[str, Any], *, now: datetime, tz: Any) -> None:
    following = None
    if event["is_recurring"]:
        context = event["context"] if isinstance(event["context"], dict) else {}
        anchor = context.get("day") if isinstance(context.get("day"), int) else None
        following = next_occurrence(
            event["recurrence_rule"], event["trigger_at"], tz=tz, anchor_day=anchor, now=now
        )
    with deps.unit_of_work() as uow:
        if following is not None:
            uow.session.execute(
                text(
                    "UPDATE scheduled_events SET status = 'pending', trigger_at = :next, due_at = :next, "
                    "attempts = 0, last_error = NULL, triggered_at = :now, updated_at = :now "
                    "WHERE id = :id AND status = 'sending'"
                ),
                {"id": event["id"], "next": following, "now": now},
            )
        else:
            uow.session.execute(
                text(
                    "UPDATE scheduled_events SET status = 'triggered', triggered_at = :now, "
                    "last_error = NULL, updated_at = :now WHERE id = :id AND status = 'sending'"
                ),
                {"id": event["id"], "now": now},
            )
        uow.commit()


def _release(
    deps: ProactiveDeps, event_id: int, *, due_at: datetime, count_attempt: bool, error: str | None = None
) -> None:
    with deps.unit_of_work() as uow:
        uow.session.execute(
            text(
                "UPDATE scheduled_events SET status = 'pending', due_at = :due, last_error = :error, "
                "attempts = attempts - :uncount, updated_at = now() WHERE id = :id AND status = 'sending'"
            ),
            {"id": event_id, "due": due_at, "error": error, "uncount": 0 if count_attempt else 1},
        )
        uow.commit()


def _final(deps: ProactiveDeps, event_id: int, status: str, reason: str) -> None:
    with deps.unit_of_work() as uow:
        uow.session.execute(
            text(
                "UPDATE scheduled_events SET status = :status, last_error = :reason, updated_at = now() "
                "WHERE id = :id AND status = 'sending'"
            ),
            {"id": event_id, "status": status, "reason": reason[:500]},
        )
        uow.commit()


def _failed(deps: ProactiveDeps, event: dict[str, Any], exc: DiscordError, result: ProactiveResult) -> None:
    reason = str(exc)
    result.errors.append(reason)
    if exc.cannot_message_user or (400 <= exc.status < 500 and exc.status != 429):
        _final(deps, event["id"], "cancelled", reason)
        result.cancelled += 1
        logger.info("proactive event cancelled", extra={"event_id": event["id"], "reason": reason})
        return
    if exc.status == 429:
        # Being paced is no failure of the event: it goes again after Discord's wait, its attempts intact.
        delay = timedelta(seconds=exc.retry_after or 1.0)
        _release(deps, event["id"], due_at=deps.clock() + delay, count_attempt=False, error=reason)
        result.retried += 1
        return
    if event["attempts"] >= MAX_ATTEMPTS:
        _final(deps, event["id"], "failed", reason)
        result.failed += 1
        logger.error("proactive event failed for good", extra={"event_id": event["id"], "reason": reason})
        return
    delay = retry_delay(event["attempts"])
    _release(deps, event["id"], due_at=deps.clock() + delay, count_attempt=True, error=reason)
    result.retried += 1
