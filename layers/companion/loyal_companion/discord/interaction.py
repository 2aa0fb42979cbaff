"""Reading an interaction payload: who, where, when. Pure functions over the verified body.

``parse_body`` bounds the body before parsing it (size, nesting, no Infinity or NaN), and the readers
refuse what Discord would never send (a typed shape), so that whatever a signed body holds, the endpoint
answers it with a response or a clear 4xx, never an exception.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final

DISCORD_EPOCH_MS: Final = 1420070400000
TOKEN_LIFETIME: Final = timedelta(minutes=15)

PING, APPLICATION_COMMAND, MESSAGE_COMPONENT, AUTOCOMPLETE, MODAL_SUBMIT = 1, 2, 3, 4, 5
PONG, CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE = 1, 4, 5
AUTOCOMPLETE_RESULT: Final = 8
EPHEMERAL: Final = 1 << 6


class MalformedInteraction(ValueError):
    """The payload lacks something every interaction of its type carries, or holds what none would."""


MAX_BODY_BYTES: Final = 256 * 1024  # an interaction with a resolved message and its attachments fits
MAX_DEPTH: Final = 24  # Discord's deepest: resolved message → embeds → fields, a handful of levels
_STRUCTURE = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}]')
_SNOWFLAKE = re.compile(r"[0-9]{1,20}")
MAX_SNOWFLAKE: Final = 2**63 - 1


def parse_body(body: bytes) -> dict[str, Any]:
    """The JSON object of a signed body, or MalformedInteraction: too large, nested too deep, not UTF-8,
    not JSON, with Infinity or NaN in it, or not an object."""
    if len(body) > MAX_BODY_BYTES:
        raise MalformedInteraction("the body is too large")
    depth = deepest = 0
    for token in _STRUCTURE.finditer(body):
        first = token.group()[:1]
        if first in (b"[", b"{"):
            depth += 1
            deepest = max(deepest, depth)
            if depth > MAX_DEPTH:
                raise MalformedInteraction("the body is nested too deep")
        elif first in (b"]", b"}"):
            depth -= 1
    try:
        payload = json.loads(body, parse_constant=_no_constants)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise MalformedInteraction("the body is not JSON") from None
    if not isinstance(payload, dict):
        raise MalformedInteraction("the body is not an object")
    return payload


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def snowflake_time(snowflake: int) -> datetime:
    """When a Discord id was minted (the high bits count milliseconds since the Discord epoch)."""
    return datetime.fromtimestamp(((snowflake >> 22) + DISCORD_EPOCH_MS) / 1000, tz=UTC)


@dataclass(frozen=True)
class Person:
    discord_id: int
    username: str | None
    display_name: str | None


@dataclass(frozen=True)
class InteractionInfo:
    id: int
    application_id: int
    token: str
    type: int
    person: Person
    guild_id: int | None
    channel_id: int | None
    locale: str | None

    @property
    def created_at(self) -> datetime:
        return snowflake_time(self.id)

    def token_expired(self, now: datetime, *, margin: timedelta = timedelta(seconds=0)) -> bool:
        return now >= self.created_at + TOKEN_LIFETIME - margin

    def __repr__(self) -> str:  # the token must never show up in logs
        return (
            f"InteractionInfo(id={self.id}, type={self.type}, guild_id={self.guild_id}, "
            f"channel_id={self.channel_id})"
        )


def _int(value: Any, what: str) -> int:
    """A snowflake or a small number as Discord sends it: a string of digits (or an integer), in range."""
    if isinstance(value, bool):
        raise MalformedInteraction(f"{what} is missing or not a number")
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and _SNOWFLAKE.fullmatch(value):
        number = int(value)
    else:
        raise MalformedInteraction(f"{what} is missing or not a number")
    if not 0 <= number <= MAX_SNOWFLAKE:
        raise MalformedInteraction(f"{what} is out of range")
    return number


def _text(value: Any, what: str, *, limit: int, required: bool = False) -> str | None:
    """A string Discord would send (at most ``limit`` characters, valid Unicode), or None."""
    if value is None and not required:
        return None
    if not isinstance(value, str) or (required and not value) or len(value) > limit:
        raise MalformedInteraction(f"{what} is not a string Discord would send")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise MalformedInteraction(f"{what} is not valid text") from None
    return value


def read_interaction(payload: Mapping[str, Any]) -> InteractionInfo:
    """The facts of an interaction, from ``member.user`` in servers and ``user`` elsewhere."""
    member = payload.get("member")
    if member is not None and not isinstance(member, Mapping):
        raise MalformedInteraction("the member is not an object")
    user = member.get("user") if isinstance(member, Mapping) else payload.get("user")
    if not isinstance(user, Mapping):
        raise MalformedInteraction("the interaction names no user")
    token = _text(payload.get("token"), "token", limit=1000, required=True)
    channel = payload.get("channel")
    channel_id = payload.get("channel_id") or (channel.get("id") if isinstance(channel, Mapping) else None)
    display = _text(user.get("global_name"), "global_name", limit=100)
    if isinstance(member, Mapping) and member.get("nick"):
        display = _text(member.get("nick"), "nick", limit=100)
    assert token is not None
    return InteractionInfo(
        id=_int(payload.get("id"), "id"),
        application_id=_int(payload.get("application_id"), "application_id"),
        token=token,
        type=_int(payload.get("type"), "type"),
        person=Person(
            discord_id=_int(user.get("id"), "user id"),
            username=_text(user.get("username"), "username", limit=100),
            display_name=display,
        ),
        guild_id=_int(payload["guild_id"], "guild_id") if payload.get("guild_id") else None,
        channel_id=_int(channel_id, "channel_id") if channel_id else None,
        locale=_text(payload.get("locale"), "locale", limit=20),
    )


# Option types (platform-notes.md): 1 sub-command, 2 sub-command group, 3 string, 4 integer, 5 boolean,
# 6 user, 7 channel, 8 role, 9 mentionable, 10 number, 11 attachment.
_SUB, _GROUP, _STRING, _INTEGER, _BOOLEAN, _NUMBER = 1, 2, 3, 4, 5, 10
_SNOWFLAKE_OPTIONS: Final = frozenset({6, 7, 8, 9, 11})


def check_command_data(data: Any) -> None:
    """Refuse command data of a shape Discord never sends: a name of 1–32 characters, options as a list
    of objects with a name and a known type, values of that type, sub-commands at most two levels deep."""
    if not isinstance(data, Mapping):
        raise MalformedInteraction("the command data is not an object")
    name = _text(data.get("name"), "the command name", limit=32, required=True)
    assert name is not None
    if "type" in data and data["type"] is not None:
        _int(data["type"], "the command type")
    if data.get("target_id") is not None:
        _int(data["target_id"], "target_id")
    resolved = data.get("resolved")
    if resolved is not None and not isinstance(resolved, Mapping):
        raise MalformedInteraction("resolved is not an object")
    _check_options(data.get("options"), within=None)


def _check_options(options: Any, *, within: int | None) -> None:
    """``within``: the sub-command group or sub-command these options belong to (None: the command)."""
    if options is None:
        return
    if not isinstance(options, list) or len(options) > 25:
        raise MalformedInteraction("options are not a list Discord would send")
    for option in options:
        if not isinstance(option, Mapping):
            raise MalformedInteraction("an option is not an object")
        _text(option.get("name"), "an option's name", limit=32, required=True)
        kind = _int(option.get("type"), "an option's type")
        if kind in (_SUB, _GROUP):
            # a group sits on the command and holds sub-commands; a sub-command holds values only
            if (kind == _GROUP and within is not None) or (kind == _SUB and within not in (None, _GROUP)):
                raise MalformedInteraction("sub-commands nest deeper than Discord allows")
            _check_options(option.get("options"), within=kind)
            continue
        if within == _GROUP:
            raise MalformedInteraction("a sub-command group holds values")
        value = option.get("value")
        if kind == _STRING:
            _text(value, "a text option", limit=6000, required=False)
        elif kind == _INTEGER:
            if isinstance(value, bool) or not isinstance(value, int) or abs(value) > 2**53:
                raise MalformedInteraction("an integer option is not an integer")
        elif kind == _NUMBER:
            if isinstance(value, bool) or not isinstance(value, int | float) or abs(value) > 2**53:
                raise MalformedInteraction("a number option is not a number")
        elif kind == _BOOLEAN:
            if not isinstance(value, bool):
                raise MalformedInteraction("a boolean option is not true or false")
        elif kind in _SNOWFLAKE_OPTIONS:
            _int(value, "an option's id")
        else:
            raise MalformedInteraction("an option has a type Discord does not have")
