"""Reading an interaction payload: who, where, when. Pure functions over the verified JSON."""

from __future__ import annotations

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
    """The payload lacks something every interaction of its type carries."""


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

    @property
    def conversation_key(self) -> str:
        """The FIFO group: one person in one channel keeps their order; others run in parallel."""
        return f"{self.channel_id or 'dm'}:{self.person.discord_id}"

    def __repr__(self) -> str:  # the token must never show up in logs
        return (
            f"InteractionInfo(id={self.id}, type={self.type}, guild_id={self.guild_id}, "
            f"channel_id={self.channel_id})"
        )


def _int(value: Any, what: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise MalformedInteraction(f"{what} is missing or not a number") from None


def read_interaction(payload: Mapping[str, Any]) -> InteractionInfo:
    """The facts of an interaction, from ``member.user`` in servers and ``user`` elsewhere."""
    member = payload.get("member")
    user = member.get("user") if isinstance(member, Mapping) else payload.get("user")
    if not isinstance(user, Mapping):
        raise MalformedInteraction("the interaction names no user")
    token = payload.get("token")
    if not isinstance(token, str) or not token:
        raise MalformedInteraction("the interaction carries no token")
    channel = payload.get("channel")
    channel_id = payload.get("channel_id") or (channel.get("id") if isinstance(channel, Mapping) else None)
    display = user.get("global_name")
    if isinstance(member, Mapping) and member.get("nick"):
        display = member.get("nick")
    return InteractionInfo(
        id=_int(payload.get("id"), "id"),
        application_id=_int(payload.get("application_id"), "application_id"),
        token=token,
        type=_int(payload.get("type"), "type"),
        person=Person(
            discord_id=_int(user.get("id"), "user id"),
            username=user.get("username"),
            display_name=display,
        ),
        guild_id=_int(payload["guild_id"], "guild_id") if payload.get("guild_id") else None,
        channel_id=_int(channel_id, "channel_id") if channel_id else None,
        locale=payload.get("locale"),
    )
