"""Talking: /chat, "Ask the Bartender" about a message, /mood, /relationship and /help."""

from __future__ import annotations

from datetime import timedelta
from typing import Final

from sqlalchemy import text

from loyal_companion.db.uow import UnitOfWork
from loyal_companion.discord.commands import (
    HELP_TEXT,
)
from loyal_companion.living.assessment import heavy
from loyal_companion.living.mood import Mood
from loyal_companion.living.relationship import level_for, progress_to_next
from loyal_companion.service.chat import ChatRequest, chat_turn, load_state
from loyal_companion.service.commands.common import option
from loyal_companion.service.context import CommandContext, Reply

MOOD_LINES: Final = {
    "excited": "Lively tonight — the room's got a good hum to it.",
    "happy": "Good, thanks for asking. It's been a warm kind of evening.",
    "curious": "Curious. Something's in the air and I want to know what.",
    "calm": "Calm. Glasses polished, lights low, nowhere I'd rather be.",
    "bored": "A little flat, if I'm honest. A good conversation would fix that.",
    "annoyed": "Bit of a rough shift. Nothing a quiet word won't mend.",
    "neutral": "Steady. Same as always — that's the job.",
}


def bar(value: float, low: float = -1.0, high: float = 1.0, width: int = 10) -> str:
    """A small text bar for ``value`` in [low, high]."""
    share = (max(low, min(high, value)) - low) / (high - low)
    filled = round(share * width)
    return "▰" * filled + "▱" * (width - filled)


def chat(ctx: CommandContext) -> Reply:
    image_url = None
    attachment_id = option(ctx, "image")
    resolved = (ctx.interaction.get("data") or {}).get("resolved") or {}
    if attachment_id is not None:
        attachment = (resolved.get("attachments") or {}).get(str(attachment_id)) or {}
        if str(attachment.get("content_type", "")).startswith("image/"):
            image_url = attachment.get("url")
    return chat_turn(
        ctx,
        ChatRequest(
            message=str(option(ctx, "message")), personality=option(ctx, "personality"), image_url=image_url
        ),
    )


def ask_about_message(ctx: CommandContext) -> Reply:
    data = ctx.interaction.get("data") or {}
    target = (data.get("resolved") or {}).get("messages", {}).get(str(data.get("target_id"))) or {}
    content = str(target.get("content") or "").strip()
    if not content:
        with ctx.transaction() as uow:
            ctx.person(uow)
            return ctx.finish(uow, Reply("There are no words in that message for me to talk about."))
    return chat_turn(
        ctx,
        ChatRequest(
            message="What do you make of this? Help me think about it.",
            about_message=content[:1500],
            ephemeral=True,
        ),
    )


# After someone has shared something painful in a channel, the mood shown there does not read as cheer.
TENDER_WINDOW: Final = timedelta(hours=3)


TENDER_LINE: Final = (
    "Quiet, and listening. Something heavy was shared here earlier; I'm steady, and here for it."
)


_RECENT_IN_CHANNEL_SQL = text(
    """
SELECT m.content FROM conversations c
JOIN messages m ON m.conversation_id = c.id AND m.role = 'user' AND m.created_at > :since
WHERE c.guild_id = :guild AND c.channel_id = :channel AND c.last_message_at > :since
ORDER BY m.created_at DESC LIMIT 20
"""
)


def mood(ctx: CommandContext) -> Reply:
    state = load_state(ctx)  # the mood as the companion feels it now, with the personality's baseline
    with ctx.transaction() as uow:
        ctx.person(uow)
        current = Mood(state.mood_valence, state.mood_arousal)
        headline = f"**{current.label.capitalize()}** — {MOOD_LINES[current.label]}"
        if (
            ctx.info.guild_id is not None
            and current.label in ("excited", "happy", "bored")
            and _pain_shared_here(ctx, uow)
        ):
            headline = f"**Steady** — {TENDER_LINE}"
        text = (
            f"{headline}\n"
            f"`mood  ` {bar(current.valence)}  {current.valence:+.2f}\n"
            f"`energy` {bar(current.arousal)}  {current.arousal:+.2f}"
        )
        return ctx.finish(uow, Reply(text, ephemeral=False))


def _pain_shared_here(ctx: CommandContext, uow: UnitOfWork) -> bool:
    """Whether someone spoke of a loss or of being low in this channel in the last few hours."""
    said = uow.session.execute(
        _RECENT_IN_CHANNEL_SQL,
        {"since": ctx.now - TENDER_WINDOW, "guild": ctx.info.guild_id, "channel": ctx.info.channel_id},
    ).scalars()
    return any(heavy(line) for line in said)


def relationship(ctx: CommandContext) -> Reply:
    with ctx.transaction() as uow:
        user = ctx.person(uow)
        row = uow.repos.relationships.get(user.id, ctx.info.guild_id)
        score = row.relationship_score if row else 0.0
        level = level_for(score)
        upcoming, share = progress_to_next(score)
        lines = [f"You're a **{level.name}** here ({score:.0f}/100)."]
        if upcoming is not None:
            lines.append(f"{bar(share, 0.0, 1.0)} {share:.0%} of the way to **{upcoming.name}**.")
        else:
            lines.append("As close as it gets. I'm glad you're here.")
        if row:
            # Visits (conversations: a pause of an hour or so ends one), not the turns within them.
            visits = int(
                uow.session.execute(
                    text(
                        "SELECT count(*) FROM conversations WHERE user_id = :u "
                        "AND guild_id IS NOT DISTINCT FROM CAST(:g AS bigint)"
                    ),
                    {"u": user.id, "g": ctx.info.guild_id},
                ).scalar_one()
            )
            if visits:
                times = "once" if visits == 1 else f"{visits} times"
                said = (
                    "one exchange" if row.total_interactions == 1 else f"{row.total_interactions} exchanges"
                )
                lines.append(f"We've sat down together {times} ({said}).")
        return ctx.finish(uow, Reply("\n".join(lines)))


def help_command(ctx: CommandContext) -> Reply:
    with ctx.transaction() as uow:
        return ctx.finish(uow, Reply(HELP_TEXT))
