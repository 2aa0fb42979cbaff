"""The worker: one queued interaction in, the command's work done once, the reply delivered.

Exactly-once effects over at-least-once delivery: each command stores its reply as a receipt in the
same transaction as its effects, so a redelivered record finds the receipt and only re-sends it (no
second model call). Failures edit the deferred message with a short in-character apology; transient
ones are raised again so SQS retries while the interaction token is still good; past the token's 15
minutes nothing is retried.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import InterfaceError as SAInterfaceError

from loyal_companion.db.errors import UNIQUE_VIOLATION, is_retryable, sqlstate
from loyal_companion.discord.commands import invocation_of
from loyal_companion.discord.interaction import MalformedInteraction, read_interaction
from loyal_companion.discord.rest import DiscordError
from loyal_companion.llm.types import ModelError
from loyal_companion.observability import bind_correlation_id, record_metric
from loyal_companion.queue import Envelope
from loyal_companion.service.commands import HANDLERS
from loyal_companion.service.context import CommandContext, Reply, Services

logger = logging.getLogger(__name__)

APOLOGY = (
    "Sorry — I lost my train of thought there for a moment. Give me a minute and ask again; I'm still here."
)
BUSY_APOLOGY = "Sorry — it's a busy night and I couldn't get to you just now. I'll try again in a moment."
# Retry only while enough of the token's life is left for the retry to be seen.
RETRY_MARGIN = timedelta(minutes=3)


class RetryLater(Exception):
    """A transient failure: report the record as failed so SQS delivers it again."""


def handle_queue_body(body: str, services: Services) -> None:
    """One SQS record (or local queue item). A body that is not an envelope fails, so it ends in the DLQ."""
    process_envelope(Envelope.from_json(body), services)


def process_envelope(envelope: Envelope, services: Services) -> None:
    try:
        info = read_interaction(envelope.interaction)
    except MalformedInteraction:
        logger.error("dropping a queued record that is not an interaction")
        return
    bind_correlation_id(str(info.id))
    now = services.clock()
    if info.token_expired(now):
        logger.warning(
            "interaction token expired before the work was done; dropping",
            extra={"age_s": (now - info.created_at).total_seconds()},
        )
        return

    invocation = invocation_of(envelope.interaction.get("data") or {})
    ctx = CommandContext(
        info=info, invocation=invocation, interaction=envelope.interaction, services=services, now=now
    )
    reply = _stored_reply(ctx)
    if reply is None:
        reply = _run_command(ctx)
        if reply is None:
            return  # the failure was handled (apology shown, retry decided)
    _deliver(ctx, reply)
    if reply.after is not None:
        _run_after(ctx, reply.after)


def _run_after(ctx: CommandContext, work: Callable[[], object]) -> None:
    """Work the person does not wait for. Its failures are logged and never fail the delivered turn: what
    it would have done is picked up later (memory's unread turns stay unread)."""
    try:
        work()
    except Exception:
        logger.exception(
            "work after the reply failed; it will be picked up later", extra={"command": ctx.invocation.key}
        )


def _stored_reply(ctx: CommandContext) -> Reply | None:
    try:
        with ctx.reading() as uow:
            receipt = uow.repos.receipts.get(ctx.info.id)
            if receipt is None:
                return None
            logger.info("interaction already handled; delivering the stored reply")
            return Reply.from_json(receipt.reply)
    except (OperationalError, SAInterfaceError) as exc:
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
    if retry:
        raise RetryLater(type(exc).__name__) from None


def _deliver(ctx: CommandContext, reply: Reply) -> None:
    try:
        ctx.services.discord.deliver_reply(
            ctx.info.application_id,
            ctx.info.token,
            reply.content,
            ephemeral=reply.ephemeral,
            files=reply.files,
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
