"""The interactions endpoint: verify, then answer within Discord's 3 seconds.

Takes the Lambda Function URL / HTTP API v2 event and returns its response shape. Nothing happens
before the signature over the raw body checks out. This module must not import SQLAlchemy, openai or
boto3 (cold start budget); on Lambda the queue sends without boto3 at all (loyal_companion/sqs.py).
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, Final

from loyal_companion.discord import commands, components
from loyal_companion.discord.interaction import (
    APPLICATION_COMMAND,
    AUTOCOMPLETE,
    AUTOCOMPLETE_RESULT,
    CHANNEL_MESSAGE,
    DEFERRED_CHANNEL_MESSAGE,
    EPHEMERAL,
    MAX_BODY_BYTES,
    MESSAGE_COMPONENT,
    MODAL_SUBMIT,
    PING,
    PONG,
    InteractionInfo,
    MalformedInteraction,
    check_command_data,
    parse_body,
    read_interaction,
)
from loyal_companion.discord.verify import SIGNATURE_HEADER, TIMESTAMP_HEADER, SignatureVerifier
from loyal_companion.observability import bind_correlation_id
from loyal_companion.queue import Envelope, InteractionQueue, fifo_group

logger = logging.getLogger(__name__)

NO_MENTIONS: dict[str, list[str]] = {"parse": []}
# A signed request stamped further than this from now is refused (401): a captured request cannot be
# replayed later, and a clock far off is not Discord's.
MAX_CLOCK_SKEW_S = 300
QUEUE_DOWN_TEXT = (
    "Sorry — I couldn't take that order just now. Nothing was saved; please try again in a moment."
)


def _response(status: int, payload: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "statusCode": status,
        "headers": {"content-type": "application/json"},
        "body": json.dumps(payload, separators=(",", ":")),
    }


def _message(content: str, *, ephemeral: bool) -> dict[str, Any]:
    data: dict[str, Any] = {"content": content, "allowed_mentions": NO_MENTIONS}
    if ephemeral:
        data["flags"] = EPHEMERAL
    return _response(200, {"type": CHANNEL_MESSAGE, "data": data})


def raw_body(event: Mapping[str, Any]) -> bytes | None:
    """The request body exactly as sent, or None if it cannot be recovered."""
    body = event.get("body")
    if body is None:
        return b""
    if not isinstance(body, str):
        return None
    if event.get("isBase64Encoded"):
        try:
            return base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError):
            return None
    try:
        return body.encode("utf-8")
    except UnicodeEncodeError:
        return None


def handle_http_event(
    event: Mapping[str, Any],
    *,
    verifier: SignatureVerifier,
    queue: Callable[[], InteractionQueue],
    now: Callable[[], datetime],
) -> dict[str, Any]:
    """Answer one HTTP request to /interactions."""
    bind_correlation_id(None)
    method = ((event.get("requestContext") or {}).get("http") or {}).get("method", "POST")
    if method != "POST":
        return _response(405, {"error": "method not allowed"})
    headers = {str(k).lower(): v for k, v in (event.get("headers") or {}).items()}
    body = raw_body(event)
    if body is None or len(body) > MAX_BODY_BYTES:
        return _response(401, {"error": "invalid request signature"})
    signature = headers.get(SIGNATURE_HEADER)
    timestamp = headers.get(TIMESTAMP_HEADER)
    if not isinstance(signature, str) or not isinstance(timestamp, str):
        return _response(401, {"error": "invalid request signature"})
    if not verifier.verify(signature_hex=signature, timestamp=timestamp, body=body):
        return _response(401, {"error": "invalid request signature"})
    if not _fresh(timestamp, now()):
        return _response(401, {"error": "stale request timestamp"})

    try:
        payload = parse_body(body)
    except MalformedInteraction as exc:
        return _response(400, {"error": f"malformed interaction: {exc}"})
    kind = payload.get("type")
    if not isinstance(kind, int) or isinstance(kind, bool):  # JSON's false == 0 and 1.0 == 1 in Python
        return _response(400, {"error": "unknown interaction type"})
    if kind == WEBHOOK_PING or "event" in payload:
        return _webhook_event(payload, queue=queue, now=now)
    if kind == PING:
        return _response(200, {"type": PONG})
    if kind == AUTOCOMPLETE:
        return _response(200, {"type": AUTOCOMPLETE_RESULT, "data": {"choices": []}})
    if kind in (MESSAGE_COMPONENT, MODAL_SUBMIT):
        return _press(payload, queue=queue, now=now)
    if kind != APPLICATION_COMMAND:
        return _response(400, {"error": "unknown interaction type"})
    return _command(payload, queue=queue, now=now)


# Webhook events (Discord's Event Webhooks, sent to the same URL and signed the same way): a PING when the
# URL is set, then events. An interaction PING is type 1 with no "event".
WEBHOOK_PING = 0
WEBHOOK_EVENT = 1
DEAUTHORIZED = "APPLICATION_DEAUTHORIZED"
NO_CONTENT: Final = {"statusCode": 204, "headers": {}, "body": ""}


def _webhook_event(
    payload: dict[str, Any], *, queue: Callable[[], InteractionQueue], now: Callable[[], datetime]
) -> dict[str, Any]:
    """204 to every valid webhook event, within Discord's 3 seconds; a person who removed the app is queued
    for deletion (the worker deletes as /privacy delete does; a repeat finds nothing left to delete)."""
    if payload.get("type") == WEBHOOK_PING:
        return NO_CONTENT
    event = payload.get("event")
    if payload.get("type") != WEBHOOK_EVENT or not isinstance(event, dict):
        return _response(400, {"error": "malformed webhook event"})
    if event.get("type") != DEAUTHORIZED:
        return NO_CONTENT  # other events are not subscribed to; nothing to do
    user = (event.get("data") or {}).get("user") if isinstance(event.get("data"), dict) else None
    user_id = user.get("id") if isinstance(user, dict) else None
    if not isinstance(user_id, str) or not user_id.isdigit() or len(user_id) > 20:
        return _response(400, {"error": "malformed webhook event"})
    stamp = "".join(c for c in str(event.get("timestamp", "")) if c.isalnum())[:40]
    envelope = Envelope(interaction={}, received_at=now(), event={"type": DEAUTHORIZED, "user_id": user_id})
    try:
        queue().send(
            body=envelope.to_json(),
            group_id=fifo_group(channel_id=None, person_id=int(user_id)),
            dedup_id=f"removed-{user_id}-{stamp}",
        )
    except Exception:
        logger.exception("a person's removal of the app could not be queued; Discord will send it again")
        return _response(500, {"error": "try again"})
    logger.info("the app was removed by a person; their data is queued for deletion")
    return NO_CONTENT


def _fresh(timestamp: str, now: datetime) -> bool:
    """The signed timestamp (Unix seconds) is within MAX_CLOCK_SKEW_S of now."""
    if not timestamp.isascii() or not timestamp.isdigit():
        return False
    return abs(int(timestamp) - now.timestamp()) <= MAX_CLOCK_SKEW_S


def _command(
    payload: dict[str, Any], *, queue: Callable[[], InteractionQueue], now: Callable[[], datetime]
) -> dict[str, Any]:
    data = payload.get("data")
    try:
        check_command_data(data)
        info = read_interaction(payload)
    except MalformedInteraction as exc:
        return _response(400, {"error": f"malformed interaction: {exc}"})
    assert isinstance(data, dict)
    bind_correlation_id(str(info.id))
    invocation = commands.invocation_of(data)
    spec = commands.ROUTES.get(invocation.key)
    log_extra = {"interaction_id": str(info.id), "command": invocation.key}
    if spec is None:
        logger.warning("unknown command", extra=log_extra)
        return _message("I don't know that one. `/help` lists what I can do.", ephemeral=True)
    if (
        invocation.key == "chat"
        and not invocation.options.get("message")
        and not invocation.options.get("image")
    ):
        # /chat with nothing to say opens the larger box (a modal must be the first response).
        return _response(
            200, {"type": components.MODAL, "data": components.chat_modal(info.person.discord_id)}
        )
    problem = commands.validate(invocation)
    if problem is not None:
        logger.info("command refused by validation", extra=log_extra)
        return _message(problem, ephemeral=True)
    if invocation.key == commands.REMEMBER_COMMAND_NAME:
        refusal = commands.not_your_message(data, info.person.discord_id)
        if refusal is not None:
            return _message(refusal, ephemeral=True)
    if invocation.key in components.CONFIRMATIONS:
        return _confirmation(invocation.key, info.person.discord_id, now())
    if not spec.deferred:
        return _message(commands.HELP_TEXT, ephemeral=spec.ephemeral)
    private = _crisis_in_public(invocation, info)
    deferred: dict[str, Any] = {"type": DEFERRED_CHANNEL_MESSAGE}
    if spec.ephemeral or private:
        deferred["data"] = {"flags": EPHEMERAL}
    return _queue(payload, info, queue=queue, now=now, log_extra=log_extra, answer=deferred, private=private)


def _crisis_in_public(invocation: commands.Invocation, info: InteractionInfo) -> bool:
    """Whether a chat message in a server channel shows a crisis: its whole turn is then private (only the
    person sees the reply and the crisis line), decided now: a deferral cannot be made private later."""
    message = invocation.options.get("message")
    if invocation.key != "chat" or info.guild_id is None or not isinstance(message, str):
        return False
    from loyal_companion.safety.detect import find  # built on the first chat in a server (~150 ms, once)

    return bool(find(message))


def _confirmation(key: str, owner: int, now: datetime) -> dict[str, Any]:
    action, question, label = components.CONFIRMATIONS[key]
    minutes = int(components.CONFIRM_FOR.total_seconds() // 60)
    data: dict[str, Any] = {
        "content": f"{question}\n-# This button works for {minutes} minutes.",
        "flags": EPHEMERAL,
        "allowed_mentions": NO_MENTIONS,
        "components": components.confirm_rows(action, owner, now, label=label),
    }
    return _response(200, {"type": CHANNEL_MESSAGE, "data": data})


def _queue(
    payload: dict[str, Any],
    info: InteractionInfo,
    *,
    queue: Callable[[], InteractionQueue],
    now: Callable[[], datetime],
    log_extra: dict[str, str],
    answer: dict[str, Any],
    private: bool = False,
) -> dict[str, Any]:
    envelope = Envelope(interaction=payload, received_at=now(), private=private)
    try:
        group = fifo_group(channel_id=info.channel_id, person_id=info.person.discord_id)
        queue().send(body=envelope.to_json(), group_id=group, dedup_id=str(info.id))
    except Exception:
        # Whatever the queue client raised, the person must not be left waiting on a reply that will
        # never come: say so now, while the interaction is still ours to answer.
        logger.exception("could not queue the interaction", extra=log_extra)
        return _message(QUEUE_DOWN_TEXT, ephemeral=True)
    logger.info("interaction queued", extra=log_extra)
    return _response(200, answer)


def _update(content: str) -> dict[str, Any]:
    """Replace the message the pressed component is on (its buttons go)."""
    data = {"content": content, "components": [], "allowed_mentions": NO_MENTIONS}
    return _response(200, {"type": components.UPDATE_MESSAGE, "data": data})


def _press(
    payload: dict[str, Any], *, queue: Callable[[], InteractionQueue], now: Callable[[], datetime]
) -> dict[str, Any]:
    """A button, a select or a modal submit: checked against the person it belongs to, then answered at
    once (a modal, a confirmation, an edit of the message) or queued like a command."""
    try:
        info = read_interaction(payload)
    except MalformedInteraction as exc:
        return _response(400, {"error": f"malformed interaction: {exc}"})
    bind_correlation_id(str(info.id))
    press = components.read_press(payload.get("data"))
    if press is None:
        return _message(components.GONE, ephemeral=True)
    log_extra = {"interaction_id": str(info.id), "command": f"press {press.action}"}
    if press.owner != info.person.discord_id:
        logger.info("a press by someone the message does not belong to", extra=log_extra)
        return _message(components.NOT_YOURS, ephemeral=True)
    owner = press.owner
    if press.action == "reply":
        return _response(200, {"type": components.MODAL, "data": components.chat_modal(owner)})
    if press.action == "mem-edit":
        if len(press.values) != 1 or not press.values[0].isdigit():
            return _message(components.GONE, ephemeral=True)
        custom = str((payload.get("data") or {}).get("custom_id"))
        current = components.option_label(payload.get("message"), custom, press.values[0]) or ""
        modal = components.edit_fact_modal(owner, int(press.values[0]), components.shown_text(current))
        return _response(200, {"type": components.MODAL, "data": modal})
    if press.action == "keep":
        return _update(components.KEPT)
    if press.action == "where":
        return _where(payload, press)
    if press.action == "mem-forget-all":
        return _confirmation("memory forget-all", owner, now())
    if press.action in components.CONFIRMED and components.expired(press, now()):
        return _update(components.EXPIRED)
    command = components.command_for(press)
    if command is None:
        return _message(components.GONE, ephemeral=True)
    problem = commands.validate(commands.Invocation(*command))
    if problem is not None:
        return _message(problem, ephemeral=True)
    edits = components.QUEUED[press.action][1]
    answer: dict[str, Any] = (
        {"type": components.DEFERRED_UPDATE_MESSAGE} if edits else {"type": DEFERRED_CHANNEL_MESSAGE}
    )
    private = _crisis_in_public(commands.Invocation(*command), info)
    if private:
        answer["data"] = {"flags": EPHEMERAL}
    return _queue(payload, info, queue=queue, now=now, log_extra=log_extra, answer=answer, private=private)


def _where(payload: dict[str, Any], press: components.Press) -> dict[str, Any]:
    """A person picked their country under a crisis message: the line there, at once (no queue, no
    database), with the choice kept so they can pick again."""
    from loyal_companion.safety.messages import language_for, where_answer

    if len(press.values) != 1:
        return _message(components.GONE, ephemeral=True)
    language = language_for(payload.get("locale") if isinstance(payload.get("locale"), str) else None)
    data = {
        "content": where_answer(press.values[0], language),
        "components": [components.where_row(press.owner, language)],
        "allowed_mentions": NO_MENTIONS,
    }
    return _response(200, {"type": components.UPDATE_MESSAGE, "data": data})
