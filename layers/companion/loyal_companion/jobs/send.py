"""Sending what is due: each claimed event written (the model with what is remembered, or a template),
sent through Discord with a nonce, and marked sent, retried, deferred or failed in its own transaction."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any, Final

from sqlalchemy import text

from loyal_companion.db.sql import sql
from loyal_companion.discord.components import reply_row
from loyal_companion.discord.rest import DiscordError
from loyal_companion.jobs.state import ProactiveDeps, ProactiveResult
from loyal_companion.living.proactive import (
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
from loyal_companion.llm.types import ModelError, ModelParams
from loyal_companion.safety.means import gives_method
from loyal_companion.safety.messages import HONEST

logger = logging.getLogger(__name__)


AI_LINE: Final = "-# You're talking with an AI, not a person."


_FACTS_SQL = sql(
    """
SELECT fact_content, importance FROM user_facts
WHERE user_id = :user_id AND is_active AND fact_type NOT IN ('grief_context', 'attachment_pattern')
ORDER BY importance DESC, learned_at DESC LIMIT 8
"""
)


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
