"""The worker: one queued interaction in, the command's work done once, the reply delivered.

Exactly-once effects over at-least-once delivery: each command stores its reply as a receipt in the
same transaction as its effects, so a redelivered record finds the receipt and only re-sends it (no
second model call); a record delivered to two containers at once is answered by the one that claims it
first (``interaction_claims``), the other waits for the receipt.

Every failure is sorted: transient ones (a connection reset, a timeout, a 429 or 5xx, a model answering
something that is not JSON) are raised as ``RetryLater`` and come back in seconds while the token is
good; permanent ones get one clear answer and no retry. Work is bounded to fit the Lambda's time: a
record is not started without ``RECORD_START_MIN_S`` left, and the model gets what is left minus
``context.RESERVE_S`` for storing and delivering. A record whose token has expired is not answered there; the
person is told in a DM where the bot can reach them, and the miss is counted.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import InterfaceError as SAInterfaceError

from loyal_companion.db.errors import UNIQUE_VIOLATION, is_retryable, sqlstate
from loyal_companion.db.repositories import RECEIPT_KEEP
from loyal_companion.discord.commands import invocation_for
from loyal_companion.discord.interaction import MalformedInteraction, read_interaction
from loyal_companion.discord.rest import DiscordError
from loyal_companion.llm.types import ModelError
from loyal_companion.observability import bind_correlation_id, record_metric
from loyal_companion.queue import Envelope, SqsRetry
from loyal_companion.service.commands import HANDLERS
from loyal_companion.service.context import CommandContext, Reply, Services
from loyal_companion.service.events import handle_event
from loyal_companion.wake import SOONEST, earliest

logger = logging.getLogger(__name__)

APOLOGY = (
    "Sorry — I lost my train of thought there for a moment. Give me a minute and ask again; I'm still here."
)
BUSY_APOLOGY = "Sorry — it's a busy night and I couldn't get to you just now. I'll try again in a moment."
MISSED = (
    "I'm sorry — your message from {when} UTC reached me too late to answer where you sent it. "
    "Could you send it again? I'm here."
)
# Retry only while enough of the token's life is left for the retry to be seen.
RETRY_MARGIN = timedelta(minutes=3)
RETRY_DELAY_S = 5  # a transient failure comes back this soon
WAIT_FOR_TWIN_S = 3  # another container is answering this interaction: look again this soon
RECORD_START_MIN_S = 20.0  # do not start a record with less time than this left in the Lambda
AFTER_MIN_S = 10.0  # work after the reply only with this much time left (it is picked up later anyway)


class RetryLater(Exception):
    """A transient failure: report the record as failed so SQS delivers it again after ``delay_s``."""

    def __init__(self, why: str, *, delay_s: int | None = None) -> None:
        super().__init__(why)
        self.delay_s = RETRY_DELAY_S if delay_s is None else delay_s


def handle_queue_body(body: str, services: Services, *, deadline: float | None = None) -> None:
    """One SQS record (or local queue item). A body that is not an envelope fails, so it ends in the DLQ.

    ``deadline`` (time.monotonic()) is when the invocation must be done with it.
    """
    process_envelope(Envelope.from_json(body), services, deadline=deadline)


def process_envelope(envelope: Envelope, services: Services, *, deadline: float | None = None) -> None:
    if deadline is not None and deadline - time.monotonic() < RECORD_START_MIN_S:
        raise RetryLater("not enough time left in this invocation", delay_s=0)
    if envelope.event is not None:
        handle_event(envelope.event, services)
        return
    try:
        info = read_interaction(envelope.interaction)
    except MalformedInteraction:
        logger.error("dropping a queued record that is not an interaction")
        return
    bind_correlation_id(str(info.id))
    now = services.clock()
    invocation = invocation_for(envelope.interaction)
    ctx = CommandContext(
        info=info,
        invocation=invocation,
        interaction=envelope.interaction,
        services=services,
        now=now,
        deadline=deadline,
        deferred_privately=envelope.private,
    )
    if info.token_expired(now):
        if _answered_before(ctx):
            logger.info(
                "a redelivered record of an answered interaction whose token has expired; nothing to do"
            )
        else:
            _missed(ctx)
        return
    reply = _stored_reply_or_claim(ctx)
    if reply is None:
        reply = _run_command(ctx)
        if reply is None:
            return  # the failure was handled (apology shown, retry decided)
    _deliver(ctx, reply)
    _wake_when_due(ctx, reply)
    if reply.after is not None:
        left = ctx.time_left()
        if left is None or left >= AFTER_MIN_S:
            _run_after(ctx, reply.after)


def _wake_when_due(ctx: CommandContext, reply: Reply) -> None:
    """Make sure the proactive run wakes by the time what this turn wrote is due: its reminder, birthday,
    follow-up or check-in, and at the latest when its receipt has had its hour (``wake.py``)."""
    due = earliest(reply.due, ctx.now + RECEIPT_KEEP + SOONEST)
    if due is not None:
        ctx.services.waker.arm(due, now=ctx.services.clock())


def _missed(ctx: CommandContext) -> None:
    """The token expired before the work was done: nothing can be shown where they wrote, so say so where
    the bot can reach them, and count it."""
    age = (ctx.now - ctx.info.created_at).total_seconds()
    logger.warning("interaction token expired before the work was done", extra={"age_s": age})
    record_metric("MissedTurns", 1)
    when = ctx.info.created_at.strftime("%H:%M")
    try:
        channel = _dm_channel(ctx)
        ctx.services.discord.create_message(channel, MISSED.format(when=when), nonce=f"missed{ctx.info.id}")
    except DiscordError as exc:
        logger.info("could not tell the person their message was missed", extra={"error": str(exc)[:200]})


def _dm_channel(ctx: CommandContext) -> str:
    """The person's DM channel: remembered on their row once opened (one request to Discord, not two)."""
    try:
        with ctx.reading() as uow:
            user = uow.repos.users.by_discord_id(ctx.info.person.discord_id)
            if user is not None and user.dm_channel_id:
                return str(user.dm_channel_id)
    except (OperationalError, SAInterfaceError, OSError):
        pass  # the database is away: open the channel, as Discord keeps it anyway
    return ctx.services.discord.create_dm(ctx.info.person.discord_id)


def _answered_before(ctx: CommandContext) -> bool:
    """Whether a receipt says this interaction was answered (a late redelivery is then no missed turn)."""
    try:
        with ctx.reading() as uow:
            return uow.repos.receipts.get(ctx.info.id) is not None
    except (OperationalError, SAInterfaceError, OSError) as exc:
        raise RetryLater(type(exc).__name__) from None


def _run_after(ctx: CommandContext, work: Callable[[], object]) -> None:
    """Work the person does not wait for. Its failures are logged and never fail the delivered turn: what
    it would have done is picked up later (memory's unread turns stay unread)."""
    try:
        work()
    except Exception:
        logger.exception(
            "work after the reply failed; it will be picked up later", extra={"command": ctx.invocation.key}
        )


def _stored_reply_or_claim(ctx: CommandContext) -> Reply | None:
    """The stored reply of a redelivered record; None when this worker has claimed the interaction and
    should do the work; RetryLater when another container holds the claim (it will store the receipt)."""
    try:
        with ctx.reading() as uow:
            stored, claimed = uow.repos.receipts.receipt_or_claim(ctx.info.id, now=ctx.now)
    except (OperationalError, SAInterfaceError, OSError) as exc:
        _fail(ctx, exc, transient=True)
        return None
    if stored is not None:
        logger.info("interaction already handled; delivering the stored reply")
        return Reply.from_json(stored)
    if not claimed:
        logger.info("another worker is answering this interaction; looking again shortly")
        raise RetryLater("claimed by another worker", delay_s=WAIT_FOR_TWIN_S)
    return None


def _stored_reply(ctx: CommandContext) -> Reply | None:
    try:
        with ctx.reading() as uow:
            receipt = uow.repos.receipts.get(ctx.info.id)
            if receipt is None:
                return None
            logger.info("interaction already handled; delivering the stored reply")
            return Reply.from_json(receipt.reply)
    except (OperationalError, SAInterfaceError, OSError) as exc:
        _fail(ctx, exc, transient=True)
    return None


def _run_command(ctx: CommandContext) -> Reply | None:
    handler = HANDLERS.get(ctx.invocation.key)
    if handler is None:
        logger.error("queued command has no handler", extra={"command": ctx.invocation.key})
        return Reply("I don't know that one. `/help` lists what I can do.")
    try:
        return handler(ctx)
    except ModelError as exc:
        _fail(ctx, exc, transient=exc.transient)
    except DBAPIError as exc:
        if sqlstate(exc) == UNIQUE_VIOLATION:
            # A twin delivery stored the receipt first: its reply is the one to deliver.
            stored = _stored_reply(ctx)
            if stored is not None:
                return stored
        _fail(ctx, exc, transient=isinstance(exc, OperationalError | SAInterfaceError) or is_retryable(exc))
    except DiscordError as exc:
        _fail(ctx, exc, transient=exc.transient)
    except OSError as exc:  # a connection reset raw from the driver's socket, a timeout: worth a retry
        _fail(ctx, exc, transient=True)
    except Exception as exc:  # a bug: the person still hears back, the details go to the log, no retry
        logger.exception("unexpected error in a command", extra={"command": ctx.invocation.key})
        _fail(ctx, exc, transient=False)
    return None


def _fail(ctx: CommandContext, exc: Exception, *, transient: bool) -> None:
    """Tell the person, log the details, and decide whether SQS should try again."""
    record_metric("ModelErrors" if isinstance(exc, ModelError) else "CommandErrors", 1)
    logger.error(
        "command failed",
        extra={
            "command": ctx.invocation.key,
            "error": type(exc).__name__,
            # Database errors carry statements; their SQLSTATE is what an operator needs.
            "detail": f"SQLSTATE {sqlstate(exc)}" if isinstance(exc, DBAPIError) else str(exc)[:300],
            "transient": transient,
        },
    )
    retry = transient and not ctx.info.token_expired(ctx.services.clock(), margin=RETRY_MARGIN)
    try:
        ctx.services.discord.edit_original(
            ctx.info.application_id, ctx.info.token, {"content": BUSY_APOLOGY if retry else APOLOGY}
        )
    except DiscordError as delivery_error:
        logger.warning("could not deliver the apology", extra={"error": str(delivery_error)})
    _release(ctx)  # the next delivery (or nobody) does the work
    if retry:
        raise RetryLater(type(exc).__name__) from None


def _release(ctx: CommandContext) -> None:
    """Let go of the interaction's claim after a failure that will not be retried."""
    try:
        with ctx.reading() as uow:
            uow.repos.receipts.release(ctx.info.id)
    except (OperationalError, SAInterfaceError, OSError):
        logger.warning("could not let go of the interaction's claim; it lapses by itself")


def _deliver(ctx: CommandContext, reply: Reply) -> None:
    try:
        if reply.followup:
            ctx.services.discord.deliver_followup(
                ctx.info.application_id,
                ctx.info.token,
                reply.content,
                ephemeral=True,
                components=reply.components,
            )
        else:
            ctx.services.discord.deliver_reply(
                ctx.info.application_id,
                ctx.info.token,
                reply.content,
                ephemeral=reply.ephemeral,
                files=reply.files,
                components=reply.components,
            )
    except DiscordError as exc:
        if exc.unknown_interaction:
            logger.warning("Discord no longer knows this interaction; the reply is kept but not shown")
            return
        if exc.transient and not ctx.info.token_expired(ctx.services.clock(), margin=timedelta(seconds=30)):
            logger.warning("delivery failed; will retry", extra={"error": str(exc)})
            raise RetryLater("delivery") from None
        logger.error("delivery failed for good", extra={"error": str(exc)})
        return
    logger.info("reply delivered", extra={"command": ctx.invocation.key, "chars": len(reply.content)})
    record_metric("RepliesDelivered", 1)
    latency = (ctx.services.clock() - ctx.info.created_at).total_seconds() * 1000
    record_metric("ReplyLatency", max(0.0, latency), "Milliseconds")


def retry_soon(retry: SqsRetry, record: dict[str, Any], failure: RetryLater) -> None:
    """Make a failed SQS record visible again after ``failure.delay_s`` (the queue's own visibility
    timeout is minutes). The local queue, which brings records back in seconds itself, is left alone."""
    arn = str(record.get("eventSourceARN") or "")
    if not arn.startswith("arn:aws:sqs:") or arn.startswith("arn:aws:sqs:local:"):
        return
    try:
        retry.retry_in(
            event_source_arn=arn, receipt_handle=str(record.get("receiptHandle")), seconds=failure.delay_s
        )
    except Exception as exc:  # the record still comes back, after the queue's visibility timeout
        logger.warning("could not bring the record back early", extra={"error": str(exc)[:200]})
