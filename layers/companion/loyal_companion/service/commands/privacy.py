"""/privacy export (everything stored about the person, as a file) and /privacy delete (all of it,
asked first)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Final

from sqlalchemy import select

from loyal_companion.db.models import (
    ActivatedChannel,
    Conversation,
    FactAssociation,
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
from loyal_companion.discord.rest import Attachment
from loyal_companion.observability import record_metric
from loyal_companion.service.context import CommandContext, Reply

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


def export_of(uow: UnitOfWork, user: User) -> dict[str, Any]:
    """Everything stored about ``user``, table by table (what /privacy export sends them and what
    `lc privacy export --user` writes for an operator answering a request)."""
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
    return export


def privacy_export(ctx: CommandContext) -> Reply:
    with ctx.transaction() as uow:
        export = export_of(uow, ctx.person(uow))
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
        record_metric("PeopleDeleted", 1, dimensions={"How": "asked"})
        return ctx.finish(
            uow,
            Reply(
                "Done. Everything I had about you is gone — memories, conversations, reminders, all of it.",
                components=(),
            ),
            anonymous=True,
        )
