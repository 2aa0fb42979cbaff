"""What the command families share: reading an option, keeping nothing a person says in a crisis,
the time zone they gave, and where a reminder is sent.
"""

from __future__ import annotations

from typing import Any

from loyal_companion.db.models import (
    User,
)
from loyal_companion.discord.components import where_row
from loyal_companion.living.timeparse import zone
from loyal_companion.service import safety as turn_safety
from loyal_companion.service.context import CommandContext, Reply


def option(ctx: CommandContext, name: str) -> Any:
    return ctx.invocation.options.get(name)


def not_to_keep(ctx: CommandContext, words: str) -> Reply | None:
    """What to answer instead of keeping a person's words when they show a crisis: nothing is kept (not a
    memory, a reminder or a description of them); the crisis line is shown, privately, and counted."""
    found = turn_safety.refer_quietly(ctx, words)
    if found is None:
        return None
    answer, finding, language = found
    concern = finding.primary
    assert concern is not None
    with ctx.transaction() as uow:
        ctx.person(uow)
        uow.repos.safety.add(kind=concern.value, language=language, now=ctx.now)
        row = where_row(ctx.info.person.discord_id, language)
        return ctx.finish(uow, Reply(answer, ephemeral=True, components=(row,)))


def remember_timezone(ctx: CommandContext, user: User) -> str | None:
    """Store the person's time zone if they gave one; raises TimeParseError for an unknown zone."""
    name = option(ctx, "timezone")
    if isinstance(name, str) and name.strip():
        zone(name)  # validates
        user.timezone = name.strip()
    return user.timezone


def target_channel(ctx: CommandContext) -> int | None:
    """A server channel the bot can post in, or None for a DM (user installs cannot post in servers)."""
    owners = ctx.interaction.get("authorizing_integration_owners") or {}
    if ctx.info.guild_id is not None and "0" in owners:
        return ctx.info.channel_id
    return None
