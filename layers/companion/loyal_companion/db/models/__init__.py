"""Typed models for every table of reference/001 and reference/003, adapted as ARCHITECTURE §4 decides,
one module per domain: personalities, people (and servers), memory, conversations, mind, scheduling.

Decisions worth knowing:
- ids are BIGINT identity columns; Discord snowflakes are BIGINT.
- ``guild_id`` outside ``guild_members`` holds the Discord guild snowflake, as in reference/001: those
  columns are not foreign keys (NULL means DMs / global), so a turn needs no guild lookup.
- 003's ``conversation_history`` is 001's ``conversations`` + ``messages`` (with ``personality_id``).
- Deleting a user cascades to everything that is theirs; ``mood_history.trigger_user_id`` and
  ``activated_channels.created_by`` are set NULL so the shared history stays but no longer names them.
- Uniqueness that includes a nullable guild uses NULLS NOT DISTINCT (PostgreSQL 15+), so there is exactly
  one global row.
"""

from __future__ import annotations

from loyal_companion.db.models.conversations import (
    Conversation,
    InteractionClaim,
    InteractionReceipt,
    Message,
    SafetyReferralCount,
)
from loyal_companion.db.models.memory import (
    FACT_CONTENT_KEY,
    FACT_SEARCH_VECTOR,
    FactAssociation,
    UserEntity,
    UserFact,
    UserFactEmbedding,
    UserFactTerm,
    UserMemoryStats,
)
from loyal_companion.db.models.mind import BotOpinion, BotState, MoodHistory, MoodShard
from loyal_companion.db.models.people import (
    GlobalUsage,
    Guild,
    GuildMember,
    PersonUsage,
    ServerUsage,
    User,
    UserCommunicationStyle,
    UserPreference,
    UserRelationship,
)
from loyal_companion.db.models.personalities import (
    ActivatedChannel,
    LlmConfig,
    Persona,
    Personality,
    PersonalityOwner,
    SystemPrompt,
    UserPersonalitySetting,
)
from loyal_companion.db.models.scheduling import DiscordPace, JobLease, ScheduledEvent

__all__ = [
    "GlobalUsage",
    "ActivatedChannel",
    "BotOpinion",
    "BotState",
    "Conversation",
    "DiscordPace",
    "FACT_CONTENT_KEY",
    "FACT_SEARCH_VECTOR",
    "FactAssociation",
    "Guild",
    "GuildMember",
    "InteractionClaim",
    "InteractionReceipt",
    "JobLease",
    "LlmConfig",
    "Message",
    "MoodHistory",
    "MoodShard",
    "PersonUsage",
    "Persona",
    "Personality",
    "PersonalityOwner",
    "SafetyReferralCount",
    "ScheduledEvent",
    "ServerUsage",
    "SystemPrompt",
    "User",
    "UserCommunicationStyle",
    "UserEntity",
    "UserFact",
    "UserFactEmbedding",
    "UserFactTerm",
    "UserMemoryStats",
    "UserPersonalitySetting",
    "UserPreference",
    "UserRelationship",
]
