"""Reminders, birthdays and check-ins: /remind, /birthday set|clear, /checkins on|off."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete

from loyal_companion.db.models import (
    ScheduledEvent,
    UserPreference,
)
from loyal_companion.living.proactive import CHECKIN_AFTER_DAYS
from loyal_companion.living.timeparse import TimeParseError, next_birthday, parse_birthday, parse_when, zone
from loyal_companion.service.commands.common import not_to_keep, option, remember_timezone, target_channel
from loyal_companion.service.context import CommandContext, Reply


def remind(ctx: CommandContext) -> Reply:
    unsafe = not_to_keep(ctx, str(option(ctx, "what")))
    if unsafe is not None:
        return unsafe
    with ctx.transaction() as uow:
        user = ctx.person(uow)
        try:
            tz = zone(remember_timezone(ctx, user))
            when = parse_when(str(option(ctx, "when")), now=ctx.now, tz=tz)
        except TimeParseError as exc:
            return ctx.finish(uow, Reply(str(exc)))
        what = " ".join(str(option(ctx, "what")).split())
        uow.repos.events.add(
            ScheduledEvent(
                user_id=user.id,
                guild_id=ctx.info.guild_id,
                channel_id=target_channel(ctx),
                event_type="reminder",
                trigger_at=when,
                due_at=when,
                title=what[:255],
                context={"interaction_id": str(ctx.info.id), "text": what},
            )
        )
        local = when.astimezone(tz)
        stamp = int(when.timestamp())
        return ctx.finish(
            uow,
            Reply(
                f"I'll remind you <t:{stamp}:R> ({local:%a %d %b, %H:%M} {local.tzname()}): {what}", due=when
            ),
        )


def birthday_set(ctx: CommandContext) -> Reply:
    with ctx.transaction() as uow:
        user = ctx.person(uow)
        try:
            tz = zone(remember_timezone(ctx, user))
            birthday = parse_birthday(str(option(ctx, "date")))
        except TimeParseError as exc:
            return ctx.finish(uow, Reply(str(exc)))
        uow.repos.events.cancel_pending(user.id, ("birthday",), now=ctx.now)
        first = next_birthday(birthday, now=ctx.now, tz=tz)
        uow.repos.preferences.set(
            user.id, "birthday", f"{birthday.month:02d}-{birthday.day:02d}", now=ctx.now
        )
        uow.repos.events.add(
            ScheduledEvent(
                user_id=user.id,
                guild_id=ctx.info.guild_id,
                channel_id=target_channel(ctx),
                event_type="birthday",
                trigger_at=first,
                due_at=first,
                title="Birthday",
                context={"month": birthday.month, "day": birthday.day, "year": birthday.year},
                is_recurring=True,
                recurrence_rule="yearly",
            )
        )
        return ctx.finish(
            uow, Reply(f"Got it — {birthday.label()}. I'll raise a glass when it comes round.", due=first)
        )


def birthday_clear(ctx: CommandContext) -> Reply:
    with ctx.transaction() as uow:
        user = ctx.person(uow)
        cancelled = uow.repos.events.cancel_pending(user.id, ("birthday",), now=ctx.now)
        uow.session.execute(
            delete(UserPreference).where(
                UserPreference.user_id == user.id, UserPreference.preference_key == "birthday"
            )
        )
        text = "Forgotten. No birthday wishes from me." if cancelled else "I didn't have a birthday for you."
        return ctx.finish(uow, Reply(text))


def checkins_on(ctx: CommandContext) -> Reply:
    with ctx.transaction() as uow:
        user = ctx.person(uow)
        uow.repos.preferences.set(user.id, "checkins", "on", now=ctx.now)
        return ctx.finish(
            uow,
            Reply(
                "Check-ins are on. If you go quiet for a while, I'll send one gentle note — "
                "never more than one a day, never in the small hours. `/checkins off` stops them any time.",
                # A quiet person's check-in is due this long after they last spoke (now).
                due=ctx.now + timedelta(days=CHECKIN_AFTER_DAYS),
            ),
        )


def checkins_off(ctx: CommandContext) -> Reply:
    with ctx.transaction() as uow:
        user = ctx.person(uow)
        uow.repos.preferences.set(user.id, "checkins", "off", now=ctx.now)
        cancelled = uow.repos.events.cancel_pending(user.id, ("check_in",), now=ctx.now)
        extra = f" ({cancelled} pending cancelled)" if cancelled else ""
        return ctx.finish(uow, Reply(f"Check-ins are off{extra}. I'm here whenever you want to talk."))
