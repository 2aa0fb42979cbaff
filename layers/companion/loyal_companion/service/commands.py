"""What each queued command does, keyed like ``discord.commands.ROUTES``.

Every handler opens its own transaction(s), does its work through repositories, and ends with
``ctx.finish(uow, reply)`` so that the effects and the stored reply commit together.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import timedelta
from typing import Any, Final

from sqlalchemy import delete, select, text

from loyal_companion.db.models import (
    ActivatedChannel,
    Conversation,
    FactAssociation,
    Guild,
    GuildMember,
    InteractionReceipt,
    Message,
    MoodHistory,
    Persona,
    PersonalityOwner,
    PersonUsage,
    ScheduledEvent,
    User,
    UserCommunicationStyle,
    UserEntity,
    UserFact,
    UserFactTerm,
    UserMemoryStats,
    UserPersonalitySetting,
    UserPreference,
    UserRelationship,
)
from loyal_companion.db.uow import UnitOfWork
from loyal_companion.discord import components as ui
from loyal_companion.discord.commands import (
    ASK_COMMAND_NAME,
    HELP_TEXT,
    MAX_FACT_CHARS,
    REMEMBER_COMMAND_NAME,
    not_your_message,
    target_message,
)
from loyal_companion.discord.rest import Attachment
from loyal_companion.living.assessment import heavy
from loyal_companion.living.mood import Mood
from loyal_companion.living.proactive import CHECKIN_AFTER_DAYS
from loyal_companion.living.relationship import level_for, progress_to_next
from loyal_companion.living.timeparse import TimeParseError, next_birthday, parse_birthday, parse_when, zone
from loyal_companion.memory.learn import remember
from loyal_companion.memory.recall import embed_or_none
from loyal_companion.memory.rules import embedding_text
from loyal_companion.memory.told import told_fact
from loyal_companion.safety.messages import where_row
from loyal_companion.service import safety as turn_safety
from loyal_companion.service.chat import ChatRequest, chat_turn, load_state, model_params
from loyal_companion.service.context import CommandContext, Reply

Handler = Callable[[CommandContext], Reply]

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


def _opt(ctx: CommandContext, name: str) -> Any:
    return ctx.invocation.options.get(name)


def _remember_timezone(ctx: CommandContext, user: User) -> str | None:
    """Store the person's time zone if they gave one; raises TimeParseError for an unknown zone."""
    name = _opt(ctx, "timezone")
    if isinstance(name, str) and name.strip():
        zone(name)  # validates
        user.timezone = name.strip()
    return user.timezone


# -- chat ------------------------------------------------------------------------------------------


def chat(ctx: CommandContext) -> Reply:
    image_url = None
    attachment_id = _opt(ctx, "image")
    resolved = (ctx.interaction.get("data") or {}).get("resolved") or {}
    if attachment_id is not None:
        attachment = (resolved.get("attachments") or {}).get(str(attachment_id)) or {}
        if str(attachment.get("content_type", "")).startswith("image/"):
            image_url = attachment.get("url")
    return chat_turn(
        ctx,
        ChatRequest(
            message=str(_opt(ctx, "message")), personality=_opt(ctx, "personality"), image_url=image_url
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


# -- state the person can look at ------------------------------------------------------------------


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


# -- memory ----------------------------------------------------------------------------------------


MEMORY_PAGE = 8  # facts on one page of the memory view


def memory_list(ctx: CommandContext) -> Reply:
    page = ctx.invocation.options.get("page")
    with ctx.transaction() as uow:
        user = ctx.person(uow)
        return ctx.finish(uow, _memory_view(ctx, uow, user.id, page=page if isinstance(page, int) else 0))


def _memory_view(
    ctx: CommandContext, uow: UnitOfWork, user_id: int, *, page: int, note: str | None = None
) -> Reply:
    """What is remembered about the person, one private page at a time, with a select to forget one, a
    select to edit one (a box opens), the pages, and a button to forget everything (asks first)."""
    owner = ctx.info.person.discord_id
    facts, total = uow.repos.facts.active_page(user_id, offset=page * MEMORY_PAGE, limit=MEMORY_PAGE)
    if not facts and page > 0:  # the page emptied (the last one forgotten): show the one before
        page = max(0, (total - 1) // MEMORY_PAGE)
        facts, total = uow.repos.facts.active_page(user_id, offset=page * MEMORY_PAGE, limit=MEMORY_PAGE)
    head = f"{note}\n\n" if note else ""
    if not facts:
        return Reply(
            head
            + "I don't have anything written down about you yet. `/memory remember` if you'd like me to.",
            components=(),
        )
    pages = (total + MEMORY_PAGE - 1) // MEMORY_PAGE
    first = page * MEMORY_PAGE
    lines = [
        f"{first + n}. {f.fact_content} _({f.fact_type.replace('_', ' ')})_"
        for n, f in enumerate(facts, start=1)
    ]
    where = f" — page {page + 1} of {pages}" if pages > 1 else ""
    text = head + f"Here's what I remember about you ({total}){where}:\n" + "\n".join(lines)
    options = [(str(f.id), f"{first + n}. {f.fact_content}") for n, f in enumerate(facts, start=1)]
    rows = [
        ui.row(ui.select(ui.custom_id("mem-forget", owner, page), "Forget one…", options)),
        ui.row(ui.select(ui.custom_id("mem-edit", owner), "Edit one…", options)),
        ui.row(
            ui.button("Previous", ui.custom_id("mem-page", owner, max(0, page - 1)), disabled=page == 0),
            ui.button("Next", ui.custom_id("mem-page", owner, page + 1), disabled=page + 1 >= pages),
            ui.button("Forget everything", ui.custom_id("mem-forget-all", owner), style=ui.DANGER),
        ),
    ]
    return Reply(text, components=tuple(rows))


def remember_this(ctx: CommandContext) -> Reply:
    """The "Remember this" message command: one of the person's own messages, remembered as it is."""
    data = ctx.interaction.get("data") or {}
    refusal = not_your_message(data, ctx.info.person.discord_id)  # checked again: the endpoint may be old
    if refusal is not None:
        with ctx.transaction() as uow:
            ctx.person(uow)
            return ctx.finish(uow, Reply(refusal))
    content = " ".join(str(target_message(data).get("content", "")).split())[:MAX_FACT_CHARS]
    return memory_remember(ctx, content)


def _not_to_keep(ctx: CommandContext, words: str) -> Reply | None:
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


def memory_remember(ctx: CommandContext, told: str | None = None) -> Reply:
    content = told if told is not None else " ".join(str(_opt(ctx, "fact")).split())
    unsafe = _not_to_keep(ctx, content)
    if unsafe is not None:
        return unsafe
    person = ctx.info.person
    fact = told_fact(content, today=ctx.now.date(), person=person.display_name or person.username)
    embedder = ctx.services.memory_embedder()
    # Embedded before the transaction opens, so the fact has its vector in this turn; when the server
    # fails, a later chat turn embeds it.
    vectors = (
        embed_or_none(
            embedder, [embedding_text(fact.content, fact.subject, fact.subject_role)], purpose="remember"
        )
        if embedder is not None
        else None
    )
    with ctx.transaction() as uow:
        user = ctx.person(uow)
        fact_id = remember(uow.session, user_id=user.id, candidate=fact, now=ctx.now)
        if fact_id is None:
            return ctx.finish(uow, Reply("I already have that one. I won't forget it."))
        if vectors and embedder is not None:
            uow.repos.facts.add_embedding(
                fact_id, user_id=user.id, model=embedder.model, vector=vectors[0], now=ctx.now
            )
        return ctx.finish(uow, Reply(f"Noted. I'll remember: {content}"))


def memory_forget(ctx: CommandContext) -> Reply:
    """Forget one thing: the number /memory list shows it under, or (its own choices) the fact chosen."""
    options = ctx.invocation.options
    view = options.get("view") is True
    with ctx.transaction() as uow:
        user = ctx.person(uow)
        if "number" in options:
            number = int(_opt(ctx, "number"))
            listed, total = uow.repos.facts.active_page(user.id, offset=number - 1, limit=1)
            if not listed:
                where = f"the list goes up to {total}" if total else "I don't have anything written down yet"
                return ctx.finish(uow, Reply(f"There's no number {number} in `/memory list`: {where}."))
            fact: UserFact | None = listed[0]
        else:
            fact = uow.repos.facts.active_one(user.id, int(_opt(ctx, "id")))  # only ever one of their own
        forgotten = fact is not None and uow.repos.facts.deactivate(user.id, fact.id, now=ctx.now)
        if view:
            page = options.get("page")
            note = f"Forgotten: ~~{fact.fact_content}~~" if fact is not None and forgotten else _NOT_THERE
            return ctx.finish(
                uow, _memory_view(ctx, uow, user.id, page=page if isinstance(page, int) else 0, note=note)
            )
        if fact is not None and forgotten:
            return ctx.finish(uow, Reply(f"Forgotten: ~~{fact.fact_content}~~"))
        return ctx.finish(uow, Reply(f"{_NOT_THERE} `/memory list` shows what I have."))


_NOT_THERE = "That one was already gone."


def memory_edit(ctx: CommandContext) -> Reply:
    """Replace one of the person's facts with their own wording (the old one is let go of, the new one
    learned as theirs, so recall finds it by its new words)."""
    fact_id = int(_opt(ctx, "id"))
    content = " ".join(str(_opt(ctx, "fact")).split())
    unsafe = _not_to_keep(ctx, content)
    if unsafe is not None:
        return unsafe
    with ctx.transaction() as uow:
        user = ctx.person(uow)
        fact = uow.repos.facts.active_one(user.id, fact_id)
        if fact is None:
            return ctx.finish(uow, _memory_view(ctx, uow, user.id, page=0, note=_NOT_THERE))
        uow.repos.facts.deactivate(user.id, fact_id, now=ctx.now)
        person = ctx.info.person
        told = told_fact(content, today=ctx.now.date(), person=person.display_name or person.username)
        remember(
            uow.session,
            user_id=user.id,
            candidate=replace(told, fact_type=fact.fact_type, importance=fact.importance),
            now=ctx.now,
        )
        return ctx.finish(uow, _memory_view(ctx, uow, user.id, page=0, note=f"Changed to: {content}"))


def memory_forget_all(ctx: CommandContext) -> Reply:
    with ctx.transaction() as uow:
        user = ctx.person(uow)
        count = uow.repos.facts.delete_all_for(user.id)
        what = "the one thing" if count == 1 else f"all {count} things"
        return ctx.finish(uow, Reply(f"Done. I've let go of {what} I remembered about you.", components=()))


# -- reaching out ----------------------------------------------------------------------------------


def _target_channel(ctx: CommandContext) -> int | None:
    """A server channel the bot can post in, or None for a DM (user installs cannot post in servers)."""
    owners = ctx.interaction.get("authorizing_integration_owners") or {}
    if ctx.info.guild_id is not None and "0" in owners:
        return ctx.info.channel_id
    return None


def remind(ctx: CommandContext) -> Reply:
    unsafe = _not_to_keep(ctx, str(_opt(ctx, "what")))
    if unsafe is not None:
        return unsafe
    with ctx.transaction() as uow:
        user = ctx.person(uow)
        try:
            tz = zone(_remember_timezone(ctx, user))
            when = parse_when(str(_opt(ctx, "when")), now=ctx.now, tz=tz)
        except TimeParseError as exc:
            return ctx.finish(uow, Reply(str(exc)))
        what = " ".join(str(_opt(ctx, "what")).split())
        uow.repos.events.add(
            ScheduledEvent(
                user_id=user.id,
                guild_id=ctx.info.guild_id,
                channel_id=_target_channel(ctx),
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
            tz = zone(_remember_timezone(ctx, user))
            birthday = parse_birthday(str(_opt(ctx, "date")))
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
                channel_id=_target_channel(ctx),
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


# -- who you talk to, and who you are --------------------------------------------------------------


def personality_list(ctx: CommandContext) -> Reply:
    state = load_state(ctx)
    config = state.config
    params = model_params(ctx, state)
    with ctx.transaction() as uow:
        ctx.person(uow)
        lines = ["Who's behind the bar:"]
        for p in uow.repos.personalities.all():
            marker = " ← you're talking to them" if p.id == config.personality_id else ""
            lines.append(f"• **{p.display_name or p.name}** (`{p.slug}`){marker}")
        lines.append(
            f"\n**{config.personality_name}** is yours because of {config.personality_source}. "
            f"Model `{params.model}` (from {config.model.source}), temperature "
            f"{config.temperature.value} (from {config.temperature.source}); system prompt from "
            f"{config.system_prompt.source}; persona from {config.persona.source}."
        )
        return ctx.finish(uow, Reply("\n".join(lines)))


def personality_use(ctx: CommandContext) -> Reply:
    with ctx.transaction() as uow:
        user = ctx.person(uow)
        found = uow.repos.personalities.find(str(_opt(ctx, "name")))
        if found is None:
            return ctx.finish(
                uow, Reply("I don't know that personality. `/personality list` shows who's here.")
            )
        uow.repos.preferences.set(user.id, "personality", found.slug, now=ctx.now)
        return ctx.finish(
            uow, Reply(f"From now on you'll be talking to **{found.display_name or found.name}**.")
        )


def persona_set(ctx: CommandContext) -> Reply:
    description = str(_opt(ctx, "description")).strip()
    unsafe = _not_to_keep(ctx, description)
    if unsafe is not None:
        return unsafe
    with ctx.transaction() as uow:
        user = ctx.person(uow)
        uow.repos.personas.set_own(user, description, now=ctx.now)
        return ctx.finish(uow, Reply("Thank you. That's how I'll know you."))


def persona_clear(ctx: CommandContext) -> Reply:
    with ctx.transaction() as uow:
        user = ctx.person(uow)
        removed = uow.repos.personas.clear_own(user)
        return ctx.finish(uow, Reply("Cleared." if removed else "You hadn't described yourself yet."))


# -- privacy ---------------------------------------------------------------------------------------

# Every table that holds rows of the person (tests/integration/test_data_rights.py walks the catalogue
# to keep this list whole).
_EXPORT_TABLES: Final = (
    ("user_preferences", UserPreference, UserPreference.user_id),
    ("user_facts", UserFact, UserFact.user_id),
    ("user_entities", UserEntity, UserEntity.user_id),
    ("user_fact_terms", UserFactTerm, UserFactTerm.user_id),
    ("user_memory_stats", UserMemoryStats, UserMemoryStats.user_id),
    ("conversations", Conversation, Conversation.user_id),
    ("messages", Message, Message.user_id),
    ("user_relationships", UserRelationship, UserRelationship.user_id),
    ("user_communication_styles", UserCommunicationStyle, UserCommunicationStyle.user_id),
    ("scheduled_events", ScheduledEvent, ScheduledEvent.user_id),
    ("personas", Persona, Persona.owner_id),
    ("user_personality_settings", UserPersonalitySetting, UserPersonalitySetting.user_id),
    ("mood_history", MoodHistory, MoodHistory.trigger_user_id),
    ("person_usage", PersonUsage, PersonUsage.user_id),
    ("interaction_receipts", InteractionReceipt, InteractionReceipt.user_id),
    ("activated_channels", ActivatedChannel, ActivatedChannel.created_by),
    ("guild_members", GuildMember, GuildMember.user_id),
    ("personality_owners", PersonalityOwner, PersonalityOwner.user_id),
)


def _row_dict(row: Any) -> dict[str, Any]:
    return {c.key: getattr(row, c.key) for c in row.__table__.columns}


# How an export's main tables read to a person (the file itself is named by table).
_EXPORT_WORDS: Final = (
    ("messages", "message", "messages"),
    ("conversations", "conversation", "conversations"),
    ("user_facts", "thing remembered", "things remembered"),
    ("scheduled_events", "reminder or follow-up", "reminders and follow-ups"),
)


def _export_summary(export: Mapping[str, Any]) -> str:
    parts = []
    for table, one, many in _EXPORT_WORDS:
        count = len(export.get(table) or [])
        if count:
            parts.append(f"{count} {one if count == 1 else many}")
    records = sum(len(v) for v in export.values() if isinstance(v, list))
    if not parts:
        return "just your profile, in the attached file"
    return ", ".join(parts) + f" — {records} records in all, table by table, in the attached file"


def privacy_export(ctx: CommandContext) -> Reply:
    with ctx.transaction() as uow:
        user = ctx.person(uow)
        export: dict[str, Any] = {"user": _row_dict(user)}
        for name, model, column in _EXPORT_TABLES:
            rows = uow.session.scalars(select(model).where(column == user.id)).all()
            export[name] = [_row_dict(r) for r in rows]
        export["user_fact_embeddings"] = uow.repos.facts.embeddings_for(user.id)
        theirs = select(UserFact.id).where(UserFact.user_id == user.id)
        links = uow.session.scalars(
            select(FactAssociation).where(
                FactAssociation.fact_id_1.in_(theirs) | FactAssociation.fact_id_2.in_(theirs)
            )
        ).all()
        # Which of their facts is linked to someone's: the other side is only an id, never its words.
        export["fact_associations"] = [_row_dict(r) for r in links]
        data = json.dumps(export, default=str, indent=2, ensure_ascii=False).encode()
        return ctx.finish(
            uow,
            Reply(
                f"Here's everything I have stored about you: {_export_summary(export)}.",
                files=(Attachment("loyal-companion-export.json", data, "application/json"),),
                keep_files=False,  # no second copy of everything in the receipt
            ),
        )


def privacy_delete(ctx: CommandContext) -> Reply:
    with ctx.transaction() as uow:
        user = uow.repos.users.by_discord_id(ctx.info.person.discord_id)
        if user is None:
            return ctx.finish(uow, Reply("I have nothing stored about you.", components=()), anonymous=True)
        uow.repos.users.delete(user.id)
        return ctx.finish(
            uow,
            Reply(
                "Done. Everything I had about you is gone — memories, conversations, reminders, all of it.",
                components=(),
            ),
            anonymous=True,
        )


# -- server administration (Manage Server, enforced by Discord through default_member_permissions) ---


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
        found = uow.repos.personalities.find(str(_opt(ctx, "name")))
        if found is None:
            return "I don't know that personality. `/personality list` shows who's here."
        _set_guild_setting(guild, "personality", found.slug)
        return f"This server's default is now **{found.display_name or found.name}**."

    return _server(ctx, change)


def server_checkins_channel(ctx: CommandContext) -> Reply:
    def change(uow: UnitOfWork, guild: Guild) -> str:
        channel_id = int(_opt(ctx, "channel"))
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
        feature, enabled = str(_opt(ctx, "feature")), bool(_opt(ctx, "enabled"))
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
        enabled = _opt(ctx, "enabled") is True
        _set_guild_setting(guild, "minors", enabled)
        if enabled:
            return (
                "Understood — I'll treat everyone here as possibly under 18: break reminders every few "
                "hours, and nothing romantic or sexual."
            )
        return "Noted — people here are treated as adults unless they tell me otherwise."

    return _server(ctx, change)


def help_command(ctx: CommandContext) -> Reply:
    with ctx.transaction() as uow:
        return ctx.finish(uow, Reply(HELP_TEXT))


HANDLERS: Final[Mapping[str, Handler]] = {
    "chat": chat,
    ASK_COMMAND_NAME: ask_about_message,
    REMEMBER_COMMAND_NAME: remember_this,
    "mood": mood,
    "relationship": relationship,
    "memory list": memory_list,
    "memory remember": memory_remember,
    "memory forget": memory_forget,
    "memory forget-all": memory_forget_all,
    "memory edit": memory_edit,
    "remind": remind,
    "birthday set": birthday_set,
    "birthday clear": birthday_clear,
    "checkins on": checkins_on,
    "checkins off": checkins_off,
    "personality list": personality_list,
    "personality use": personality_use,
    "persona set": persona_set,
    "persona clear": persona_clear,
    "privacy export": privacy_export,
    "privacy delete": privacy_delete,
    "server personality": server_personality,
    "server checkins-channel": server_checkins_channel,
    "server features": server_features,
    "server minors": server_minors,
    "help": help_command,
}
