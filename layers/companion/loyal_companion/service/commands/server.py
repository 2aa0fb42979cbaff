"""/server: a server's personality, check-ins channel, features and whether minors may be here (Manage
Server)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from loyal_companion.db.models import (
    ActivatedChannel,
    Guild,
)
from loyal_companion.db.uow import UnitOfWork
from loyal_companion.service.commands.common import option
from loyal_companion.service.context import CommandContext, Reply


def _require_manage_guild(ctx: CommandContext) -> bool:
    member = ctx.interaction.get("member") or {}
    try:
        return bool(int(member.get("permissions", "0")) & (1 << 5 | 1 << 3))  # Manage Server or Administrator
    except (TypeError, ValueError):
        return False


def _server(ctx: CommandContext, change: Callable[[UnitOfWork, Guild], str]) -> Reply:
    with ctx.transaction() as uow:
        ctx.person(uow)
        if ctx.info.guild_id is None:
            return ctx.finish(uow, Reply("Server settings only work inside a server."))
        if not _require_manage_guild(ctx):
            return ctx.finish(uow, Reply("Only people who can manage this server can change that."))
        guild = uow.repos.guilds.upsert(discord_id=ctx.info.guild_id, name=None, now=ctx.now)
        return ctx.finish(uow, Reply(change(uow, guild)))


def _set_guild_setting(guild: Guild, key: str, value: Any) -> None:
    settings = dict(guild.settings or {})
    settings[key] = value
    guild.settings = settings


def server_personality(ctx: CommandContext) -> Reply:
    def change(uow: UnitOfWork, guild: Guild) -> str:
        found = uow.repos.personalities.find(str(option(ctx, "name")))
        if found is None:
            return "I don't know that personality. `/personality list` shows who's here."
        _set_guild_setting(guild, "personality", found.slug)
        return f"This server's default is now **{found.display_name or found.name}**."

    return _server(ctx, change)


def server_checkins_channel(ctx: CommandContext) -> Reply:
    def change(uow: UnitOfWork, guild: Guild) -> str:
        channel_id = int(option(ctx, "channel"))
        _set_guild_setting(guild, "checkins_channel_id", str(channel_id))
        slug = (guild.settings or {}).get("personality") or "bartender"
        personality = uow.repos.personalities.find(slug)
        if personality is not None:
            exists = uow.session.scalars(
                select(ActivatedChannel).where(
                    ActivatedChannel.channel_id == channel_id,
                    ActivatedChannel.personality_id == personality.id,
                )
            ).one_or_none()
            if exists is None:
                uow.session.add(
                    ActivatedChannel(
                        channel_id=channel_id,
                        personality_id=personality.id,
                        auto_respond=False,
                        created_by=ctx.user_id,
                    )
                )
        return f"Check-ins for this server will go to <#{channel_id}>."

    return _server(ctx, change)


def server_features(ctx: CommandContext) -> Reply:
    def change(uow: UnitOfWork, guild: Guild) -> str:
        feature, enabled = str(option(ctx, "feature")), bool(option(ctx, "enabled"))
        features = dict((guild.settings or {}).get("features") or {})
        features[feature] = enabled
        _set_guild_setting(guild, "features", features)
        state = "on" if enabled else "off"
        return f"{feature.replace('_', ' ').capitalize()} is now **{state}** for this server."

    return _server(ctx, change)


def server_minors(ctx: CommandContext) -> Reply:
    """Everyone in this server is treated as possibly under 18: the "I'm an AI" line and a break reminder at
    least every three hours, and the model told to keep away from anything romantic or sexual."""

    def change(uow: UnitOfWork, guild: Guild) -> str:
        enabled = option(ctx, "enabled") is True
        _set_guild_setting(guild, "minors", enabled)
        if enabled:
            return (
                "Understood — I'll treat everyone here as possibly under 18: break reminders every few "
                "hours, and nothing romantic or sexual."
            )
        return "Noted — people here are treated as adults unless they tell me otherwise."

    return _server(ctx, change)
