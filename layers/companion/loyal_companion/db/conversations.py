"""Conversations: the one a turn belongs to (the person's current one in the channel, or a new one after
the timeout), touched in one statement with the person, and the turn's two messages and receipt stored in
another.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from sqlalchemy.orm import Session

from loyal_companion.db.repositories import RECEIPT_KEEP
from loyal_companion.db.sql import sql

DEFAULT_TIMEOUT_MINUTES: Final = 60


def conversation_timeout(settings: Mapping[str, object]) -> timedelta:
    """How long a conversation stays quiet before the next message opens a new one (the personality's
    ``conversation.timeout_minutes``; 60): memory reads what is left of it, and a model sums it up, then."""
    section = settings.get("conversation")
    minutes = section.get("timeout_minutes", DEFAULT_TIMEOUT_MINUTES) if isinstance(section, dict) else None
    return timedelta(minutes=float(minutes) if isinstance(minutes, int | float) else DEFAULT_TIMEOUT_MINUTES)


_TOUCH_CONVERSATION_SQL = sql(
    """
WITH person AS (
    INSERT INTO users (discord_id, discord_username, discord_display_name, first_seen_at, last_seen_at)
    VALUES (:discord_id, :username, :display_name, :now, :now)
    ON CONFLICT (discord_id) DO UPDATE SET
        discord_username = COALESCE(EXCLUDED.discord_username, users.discord_username),
        discord_display_name = COALESCE(EXCLUDED.discord_display_name, users.discord_display_name),
        last_seen_at = EXCLUDED.last_seen_at, is_active = true, updated_at = EXCLUDED.last_seen_at
    RETURNING id
), latest AS (
    SELECT id FROM conversations
    WHERE id = (
        SELECT c.id FROM (
            (SELECT id, last_message_at FROM conversations
              WHERE user_id = (SELECT id FROM person) AND is_active AND channel_id = CAST(:channel_id AS bigint)
                AND last_message_at > :since
              ORDER BY last_message_at DESC, id DESC LIMIT 1)
            UNION ALL
            (SELECT id, last_message_at FROM conversations
              WHERE user_id = (SELECT id FROM person) AND is_active AND channel_id IS NULL
                AND CAST(:channel_id AS bigint) IS NULL AND last_message_at > :since
              ORDER BY last_message_at DESC, id DESC LIMIT 1)
        ) c ORDER BY c.last_message_at DESC LIMIT 1)
    FOR UPDATE
), touched AS (
    UPDATE conversations c SET message_count = c.message_count + :added, last_message_at = :now, updated_at = :now,
           memory_unread = c.memory_unread + CAST(:unread AS int),
           episode_pending = c.episode_pending OR CAST(:unread AS int) > 0,
           disclosed_at = CASE WHEN CAST(:disclosed AS boolean) THEN CAST(:now AS timestamptz) ELSE c.disclosed_at END,
           break_reminded_at = CASE WHEN CAST(:break_reminded AS boolean) THEN CAST(:now AS timestamptz)
                                    ELSE c.break_reminded_at END
    FROM latest WHERE c.id = latest.id
    RETURNING c.id, c.memory_unread, c.episode_pending
), started AS (
    INSERT INTO conversations (user_id, guild_id, channel_id, started_at, last_message_at, message_count,
                               memory_unread, episode_pending, disclosed_at)
    SELECT (SELECT id FROM person), CAST(:guild_id AS bigint), CAST(:channel_id AS bigint), :now, :now, :added,
           CAST(:unread AS int), CAST(:unread AS int) > 0,
           CASE WHEN CAST(:disclosed AS boolean) THEN CAST(:now AS timestamptz) END
    WHERE NOT EXISTS (SELECT 1 FROM touched)
    RETURNING id, memory_unread, episode_pending
)
SELECT (SELECT id FROM person) AS user_id, id AS conversation_id, memory_unread, episode_pending FROM touched
UNION ALL SELECT (SELECT id FROM person), id, memory_unread, episode_pending FROM started
"""
)


@dataclass(frozen=True)
class Touched:
    user_id: int
    conversation_id: int
    memory_unread: int  # user turns the memory has not read yet, this one included
    episode_pending: bool = False  # turns a model will summarise into episodes when it ends


def touch_conversation(
    session: Session,
    *,
    discord_id: int,
    username: str | None,
    display_name: str | None,
    guild_id: int | None,
    channel_id: int | None,
    now: datetime,
    since: datetime,
    added: int,
    unread: int = 0,
    disclosed: bool = False,
    break_reminded: bool = False,
) -> Touched:
    """The person (created or refreshed) and their current conversation (active since ``since``, with
    ``added`` more messages, ``unread`` of them user turns for memory to read later) or a new one, in one
    statement."""
    row = session.execute(
        _TOUCH_CONVERSATION_SQL,
        {
            "discord_id": discord_id,
            "username": username,
            "display_name": display_name,
            "guild_id": guild_id,
            "channel_id": channel_id,
            "now": now,
            "since": since,
            "added": added,
            "unread": unread,
            "disclosed": disclosed,
            "break_reminded": break_reminded,
        },
    ).one()
    return Touched(
        int(row.user_id), int(row.conversation_id), int(row.memory_unread), bool(row.episode_pending)
    )


_STORE_TURN_SQL = sql(
    """
WITH stored AS (
    INSERT INTO messages (conversation_id, user_id, personality_id, interaction_id, discord_message_id, role,
                          content, has_images, image_urls, token_count, model_prompt_tokens,
                          model_completion_tokens, safety_concern, created_at, updated_at)
    VALUES (:conversation_id, :user_id, :personality_id, :interaction_id, CAST(:discord_message_id AS bigint),
            'user', :user_content, :has_images, CAST(:image_urls AS jsonb), :user_tokens, NULL, NULL,
            CAST(:safety_concern AS varchar), :now, :now),
           (:conversation_id, :user_id, :personality_id, :interaction_id, NULL,
            'assistant', :reply, false, '[]'::jsonb, :reply_tokens, :prompt_tokens, :completion_tokens,
            CAST(:safety_concern AS varchar), :now, :now)
    RETURNING id
), referral AS (
    -- a crisis referral, counted by day, kind and language only (what an operator reports)
    INSERT INTO safety_referral_counts AS s (day, kind, language, referrals, updated_at)
    SELECT CAST(CAST(:now AS timestamptz) AT TIME ZONE 'UTC' AS date), CAST(:referral_kind AS varchar),
           CAST(:referral_language AS varchar), 1, :now
    WHERE CAST(:referral_kind AS varchar) IS NOT NULL AND (SELECT count(*) FROM stored) = 2
    ON CONFLICT (day, kind, language) DO UPDATE SET referrals = s.referrals + 1, updated_at = EXCLUDED.updated_at
    RETURNING 1
), receipt AS (
    INSERT INTO interaction_receipts (interaction_id, user_id, command, reply, created_at)
    SELECT :interaction_id, :user_id, :command, CAST(:receipt AS jsonb), :now
    WHERE (SELECT count(*) FROM stored) = 2
    RETURNING 1
), released AS (
    DELETE FROM interaction_claims WHERE interaction_id = :interaction_id RETURNING 1
)
-- the person's receipts that no redelivery can need any more (see RECEIPT_KEEP)
DELETE FROM interaction_receipts
WHERE user_id = :user_id AND created_at < CAST(:receipts_before AS timestamptz) AND EXISTS (SELECT 1 FROM receipt)
"""
)


def store_turn(session: Session, **values: Any) -> None:
    """Both messages of the turn and the interaction's receipt, in one statement; the interaction's claim
    is let go and the person's receipts older than ``RECEIPT_KEEP`` dropped. ``safety_concern`` marks a
    crisis turn; ``referral_kind`` / ``referral_language`` count the referral it made."""
    defaults = {"safety_concern": None, "referral_kind": None, "referral_language": None}
    session.execute(_STORE_TURN_SQL, defaults | values | {"receipts_before": values["now"] - RECEIPT_KEEP})
