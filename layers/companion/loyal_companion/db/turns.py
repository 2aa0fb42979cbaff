"""The queries of a conversation turn, shaped for few round trips (the per-turn budget is 8).

Loading a turn is two statements: ``load_turn_state`` (one row: the person, the resolved configuration
with the source of every value, the guards' counters, mood, relationship, the current conversation) and
``load_window_and_facts`` (the conversation window and the most relevant facts, in one UNION). Storing a
turn is a conversation upsert and one statement that writes both messages and the receipt.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from loyal_companion.db.repositories import RECEIPT_KEEP
from loyal_companion.db.sql import sql
from loyal_companion.living.mood import DEFAULT_DECAY_RATE, kept_sql
from loyal_companion.living.style import hints as style_hints
from loyal_companion.llm.resolution import (
    DEFAULT,
    LLM_FIELDS,
    PERSONALITY,
    YOUR_PERSONA,
    YOUR_SETTING,
    ResolvedConfig,
    Sourced,
)
from loyal_companion.memory.recall import (
    DEFAULT_TUNING,
    RECALL_CTES,
    RECALL_CTES_BY_MEANING,
    RECALLED_JSON,
    ByMeaning,
    Recalled,
    Tuning,
    UnembeddedFact,
    recall_params,
    recalled_from_json,
)
from loyal_companion.memory.rules import Entity


def _llm_columns() -> str:
    parts = []
    for f in LLM_FIELDS:
        parts.append(f"COALESCE(ul.{f}, pl.{f}, dl.{f}) AS {f}")
        parts.append(
            f"CASE WHEN ul.{f} IS NOT NULL THEN :src_yours WHEN pl.{f} IS NOT NULL THEN :src_personality "
            f"ELSE :src_default END AS {f}_source"
        )
    return ",\n       ".join(parts)


# The personality's drift rate back toward its baseline mood (living.mood.kept_sql is the drift itself).
_RATE = f"COALESCE(CAST(p.settings -> 'mood' ->> 'decay_rate_per_hour' AS float8), {DEFAULT_DECAY_RATE})"

_STATE_SQL = sql(
    f"""
WITH u AS (
    SELECT id, global_persona_id, timezone FROM users WHERE discord_id = :discord_id
), pref AS (
    SELECT preference_value AS slug FROM user_preferences
    WHERE user_id = (SELECT id FROM u) AND preference_key = 'personality'
), gs AS (
    SELECT settings ->> 'personality' AS slug, settings -> 'features' AS features,
           COALESCE(CAST(settings ->> 'minors' AS boolean), false) AS minors
    FROM guilds WHERE discord_id = CAST(:guild_id AS bigint)
), chosen AS (
    SELECT c.id, c.src FROM (
        SELECT p.id, 1 AS rank, 'you asked for it' AS src FROM personalities p
        WHERE CAST(:requested AS text) IS NOT NULL
          AND (p.slug = lower(CAST(:requested AS text)) OR lower(p.name) = lower(CAST(:requested AS text))
               OR lower(p.display_name) = lower(CAST(:requested AS text)))
        UNION ALL SELECT p.id, 2, 'your choice' FROM personalities p JOIN pref ON p.slug = pref.slug
        UNION ALL SELECT p.id, 3, 'this server''s default' FROM personalities p JOIN gs ON p.slug = gs.slug
        UNION ALL SELECT p.id, 4, 'the default' FROM personalities p WHERE p.slug = :default_slug
        UNION ALL SELECT first.id, 5, 'the default' FROM (SELECT id FROM personalities ORDER BY id LIMIT 1) first
    ) c ORDER BY c.rank, c.id LIMIT 1
)
SELECT (SELECT id FROM u) AS user_id, (SELECT timezone FROM u) AS timezone,
       (SELECT features FROM gs) AS server_features,
       COALESCE((SELECT minors FROM gs), false)
         OR EXISTS (SELECT 1 FROM user_preferences WHERE user_id = (SELECT id FROM u)
                    AND preference_key = 'minor' AND preference_value = 'yes') AS minor,
       st.preferred_length, st.preferred_formality, st.emoji_affinity, st.humor_affinity, st.detail_preference,
       st.confidence AS style_confidence,
       p.id AS personality_id, p.slug, COALESCE(p.display_name, p.name) AS personality_name,
       chosen.src AS personality_source, p.context_window_size, p.settings,
       CAST(:requested AS text) IS NOT NULL AND chosen.src <> 'you asked for it' AS requested_missing,
       COALESCE(ups_persona.content, own_persona.content, def_persona.content) AS persona,
       CASE WHEN ups_persona.content IS NOT NULL THEN :src_yours
            WHEN own_persona.content IS NOT NULL THEN :src_own_persona
            ELSE :src_default END AS persona_source,
       COALESCE(sp.content, dsp.content, '') AS system_prompt,
       CASE WHEN sp.content IS NOT NULL THEN :src_personality ELSE :src_default END AS system_prompt_source,
       {_llm_columns()},
       CASE WHEN ul.model IS NOT NULL THEN ul.is_default WHEN pl.model IS NOT NULL THEN pl.is_default
            ELSE true END AS model_from_default_config,
       (SELECT count(*) FROM person_usage pu, unnest(pu.recent_turns) AS t
         WHERE pu.user_id = (SELECT id FROM u) AND t >= :minute_ago) AS turns_last_minute,
       COALESCE((SELECT day_tokens FROM person_usage
                  WHERE user_id = (SELECT id FROM u) AND day = CAST(:today AS date)), 0) AS tokens_today_person,
       COALESCE((SELECT sum(tokens) FROM server_usage
                  WHERE guild_id = CAST(:guild_id AS bigint) AND day = CAST(:today AS date)), 0) AS tokens_today_server,
       CAST(:guild_id AS bigint) IS NOT NULL AND COALESCE(ur.common_ground, false) AS has_common_ground,
       to_regclass('user_fact_embeddings') IS NOT NULL AS embeddings_ready,
       LEAST(1, GREATEST(-1, COALESCE(CAST(p.settings -> 'mood' ->> 'baseline_valence' AS float8), 0)
                             + COALESCE(ms.valence, 0))) AS mood_valence,
       LEAST(1, GREATEST(-1, COALESCE(CAST(p.settings -> 'mood' ->> 'baseline_arousal' AS float8), 0)
                             + COALESCE(ms.arousal, 0))) AS mood_arousal,
       ur.relationship_score, ur.total_interactions,
       conv.id AS conversation_id, conv.last_message_at, conv.started_at AS conversation_started_at,
       conv.disclosed_at, conv.break_reminded_at
FROM chosen
JOIN personalities p ON p.id = chosen.id
LEFT JOIN user_personality_settings ups ON ups.user_id = (SELECT id FROM u) AND ups.personality_id = p.id
LEFT JOIN personas ups_persona ON ups_persona.id = ups.persona_id
LEFT JOIN personas own_persona ON own_persona.id = (SELECT global_persona_id FROM u)
LEFT JOIN LATERAL (SELECT content FROM personas WHERE is_global AND owner_id IS NULL ORDER BY id LIMIT 1)
     def_persona ON true
LEFT JOIN system_prompts sp ON sp.id = p.system_prompt_id
LEFT JOIN LATERAL (SELECT content FROM system_prompts WHERE is_default LIMIT 1) dsp ON true
LEFT JOIN llm_configs ul ON ul.id = ups.llm_config_id
LEFT JOIN llm_configs pl ON pl.id = p.llm_config_id
LEFT JOIN LATERAL (SELECT * FROM llm_configs WHERE is_default LIMIT 1) dl ON true
LEFT JOIN LATERAL (
    -- The server's mood: each share's offset decayed to now (computed when read; nothing rewrites it).
    SELECT sum(x.valence_offset * x.keep) AS valence, sum(x.arousal_offset * x.keep) AS arousal
    FROM (
        SELECT valence_offset, arousal_offset,
               {kept_sql(since="updated_at", now="CAST(:now AS timestamptz)", rate=_RATE)} AS keep
        FROM mood_shards
        WHERE guild_id = CAST(:guild_id AS bigint) OR (CAST(:guild_id AS bigint) IS NULL AND guild_id IS NULL)
    ) x
) ms ON true
LEFT JOIN LATERAL (
    SELECT relationship_score, total_interactions, common_ground FROM user_relationships
    WHERE user_id = (SELECT id FROM u)
      AND (guild_id = CAST(:guild_id AS bigint) OR (CAST(:guild_id AS bigint) IS NULL AND guild_id IS NULL))
    LIMIT 1
) ur ON true
LEFT JOIN user_communication_styles st ON st.user_id = (SELECT id FROM u)
LEFT JOIN LATERAL (
    (SELECT id, last_message_at, started_at, disclosed_at, break_reminded_at FROM conversations
      WHERE user_id = (SELECT id FROM u) AND is_active AND channel_id = CAST(:channel_id AS bigint)
      ORDER BY last_message_at DESC, id DESC LIMIT 1)
    UNION ALL
    (SELECT id, last_message_at, started_at, disclosed_at, break_reminded_at FROM conversations
      WHERE user_id = (SELECT id FROM u) AND is_active AND channel_id IS NULL AND CAST(:channel_id AS bigint) IS NULL
      ORDER BY last_message_at DESC, id DESC LIMIT 1)
) conv ON true
"""
)

# In a public channel, what was said in a crisis (privately) stays out of the window.
_WINDOW = """
(SELECT json_agg(w ORDER BY w.at, w.id) FROM (
    SELECT m.role, m.content, m.created_at AS at, m.id
    FROM messages m
    WHERE m.conversation_id = CAST(:conversation_id AS bigint)
      AND (m.safety_concern IS NULL OR NOT CAST(:public AS boolean))
    ORDER BY m.created_at DESC, m.id DESC
    LIMIT :window) w)"""

_OPINIONS = """
(SELECT json_agg(o) FROM (
    SELECT o.topic, o.sentiment, o.discussion_count AS discussions
    FROM bot_opinions o
    WHERE (o.guild_id = CAST(:guild_id AS bigint) OR (CAST(:guild_id AS bigint) IS NULL AND o.guild_id IS NULL))
      AND o.discussion_count >= 3
    ORDER BY o.interest_level DESC, o.discussion_count DESC
    LIMIT 5) o)"""

# The people and animals the person has named (for reading their next message offline).
_ENTITIES = """
(SELECT json_agg(e) FROM (
    SELECT name, role FROM user_entities WHERE user_id = CAST(:user_id AS bigint) ORDER BY id DESC LIMIT 50) e)"""

# Facts of the person with no embedding from the current model (learned before embeddings were on, told
# with /memory remember, or missed when the embeddings server was down), among the newest 500: embedded
# after this turn.
_UNEMBEDDED = """
(SELECT json_agg(u) FROM (
    SELECT f.id, f.fact_content AS content, f.subject, f.subject_role
    FROM (SELECT id, fact_content, importance, subject, subject_role FROM user_facts
           WHERE user_id = CAST(:user_id AS bigint) AND is_active ORDER BY id DESC LIMIT 500) f
    WHERE NOT EXISTS (
        SELECT 1 FROM user_fact_embeddings e
        WHERE e.fact_id = f.id AND e.model = :embeddings_model
          AND (CAST(:dims AS int) IS NULL OR e.dimensions = CAST(:dims AS int)))
    ORDER BY f.importance DESC, f.id DESC
    LIMIT :backfill) u)"""

_WINDOW_AND_FACTS_SQL = sql(
    f"WITH {RECALL_CTES} SELECT {_WINDOW} AS turns, {RECALLED_JSON} AS facts, {_OPINIONS} AS opinions, "
    f"{_ENTITIES} AS entities, NULL AS unembedded"
)
# The same with facts also related by meaning (only where pgvector and user_fact_embeddings exist).
_WINDOW_AND_FACTS_BY_MEANING_SQL = sql(
    f"WITH {RECALL_CTES_BY_MEANING} SELECT {_WINDOW} AS turns, {RECALLED_JSON} AS facts, "
    f"{_OPINIONS} AS opinions, {_ENTITIES} AS entities, {_UNEMBEDDED} AS unembedded"
)


@dataclass(frozen=True)
class TurnState:
    user_id: int | None
    config: ResolvedConfig
    requested_missing: bool
    model_from_default_config: bool
    turns_last_minute: int
    tokens_today_person: int
    tokens_today_server: int
    mood_valence: float
    mood_arousal: float
    relationship_score: float
    total_interactions: int
    conversation_id: int | None
    last_message_at: datetime | None
    timezone: str | None = None
    has_common_ground: bool = False
    server_features: dict[str, bool] | None = None
    style_hints: tuple[str, ...] = ()
    embeddings_ready: bool = False
    # The person said they are under 18, or the server's admins said its people may be.
    minor: bool = False
    conversation_started_at: datetime | None = None
    disclosed_at: datetime | None = None  # when the conversation last said it is an AI
    break_reminded_at: datetime | None = None


@dataclass(frozen=True)
class WindowTurn:
    role: str
    content: str


def _float(value: Any) -> float | None:
    return float(value) if value is not None else None


def load_turn_state(
    session: Session,
    *,
    discord_id: int,
    guild_id: int | None,
    channel_id: int | None,
    requested: str | None,
    now: datetime,
    minute_ago: datetime,
    day_start: datetime,
    default_slug: str,
) -> TurnState:
    row = (
        session.execute(
            _STATE_SQL,
            {
                "discord_id": discord_id,
                "guild_id": guild_id,
                "channel_id": channel_id,
                "requested": requested.strip() if requested and requested.strip() else None,
                "minute_ago": minute_ago,
                "today": day_start.date(),
                "now": now,
                "default_slug": default_slug,
                "src_yours": YOUR_SETTING,
                "src_own_persona": YOUR_PERSONA,
                "src_personality": PERSONALITY,
                "src_default": DEFAULT,
            },
        )
        .mappings()
        .one_or_none()
    )
    if row is None:
        raise LookupError("no personality is seeded; run `lc migrate`")
    settings = row["settings"] if isinstance(row["settings"], dict) else json.loads(row["settings"] or "{}")
    config = ResolvedConfig(
        personality_id=int(row["personality_id"]),
        personality_slug=str(row["slug"]),
        personality_name=str(row["personality_name"]),
        personality_source=str(row["personality_source"]),
        context_window_size=int(row["context_window_size"]),
        settings=settings,
        persona=Sourced(row["persona"], str(row["persona_source"])),
        system_prompt=Sourced(str(row["system_prompt"]), str(row["system_prompt_source"])),
        model=Sourced(str(row["model"]), str(row["model_source"])),
        temperature=Sourced(_float(row["temperature"]), str(row["temperature_source"])),
        top_p=Sourced(_float(row["top_p"]), str(row["top_p_source"])),
        max_tokens=Sourced(row["max_tokens"], str(row["max_tokens_source"])),
        frequency_penalty=Sourced(_float(row["frequency_penalty"]), str(row["frequency_penalty_source"])),
        presence_penalty=Sourced(_float(row["presence_penalty"]), str(row["presence_penalty_source"])),
        supports_vision=Sourced(bool(row["supports_vision"]), str(row["supports_vision_source"])),
        context_budget=Sourced(int(row["context_budget"] or 6000), str(row["context_budget_source"])),
    )
    return TurnState(
        user_id=row["user_id"],
        config=config,
        requested_missing=bool(row["requested_missing"]),
        model_from_default_config=bool(row["model_from_default_config"]),
        turns_last_minute=int(row["turns_last_minute"]),
        tokens_today_person=int(row["tokens_today_person"]),
        tokens_today_server=int(row["tokens_today_server"]),
        mood_valence=float(row["mood_valence"] or 0.0),
        mood_arousal=float(row["mood_arousal"] or 0.0),
        relationship_score=float(row["relationship_score"] or 0.0),
        total_interactions=int(row["total_interactions"] or 0),
        conversation_id=row["conversation_id"],
        last_message_at=row["last_message_at"],
        timezone=row["timezone"],
        has_common_ground=bool(row["has_common_ground"]),
        embeddings_ready=bool(row["embeddings_ready"]),
        minor=bool(row["minor"]),
        conversation_started_at=row["conversation_started_at"],
        disclosed_at=row["disclosed_at"],
        break_reminded_at=row["break_reminded_at"],
        server_features=row["server_features"] if isinstance(row["server_features"], dict) else None,
        style_hints=tuple(
            style_hints(
                length=str(row["preferred_length"]),
                formality=float(row["preferred_formality"]),
                emoji=float(row["emoji_affinity"]),
                humour=float(row["humor_affinity"]),
                detail=float(row["detail_preference"]),
                confidence_=float(row["style_confidence"]),
            )
        )
        if row["style_confidence"] is not None
        else (),
    )


@dataclass(frozen=True)
class OpinionRow:
    topic: str
    sentiment: float
    discussions: int


@dataclass(frozen=True)
class WindowAndFacts:
    turns: list[WindowTurn]
    facts: list[Recalled]
    opinions: list[OpinionRow]
    entities: list[Entity]
    unembedded: list[UnembeddedFact]


def load_window_and_facts(
    session: Session,
    *,
    user_id: int,
    conversation_id: int | None,
    window: int,
    message: str,
    now: datetime,
    guild_id: int | None = None,
    tuning: Tuning = DEFAULT_TUNING,
    by_meaning: ByMeaning | None = None,
    public: bool = False,
) -> WindowAndFacts:
    """The conversation window, the facts recall brings for ``message``, the server's opinions and the
    person's named people and animals, in one statement."""
    params = recall_params(user_id=user_id, message=message, now=now, tuning=tuning, by_meaning=by_meaning)
    params |= {"conversation_id": conversation_id, "window": window, "guild_id": guild_id, "public": public}
    statement = _WINDOW_AND_FACTS_SQL
    if by_meaning is not None:
        statement = _WINDOW_AND_FACTS_BY_MEANING_SQL
        params |= {"backfill": by_meaning.backfill}
    row = session.execute(statement, params).one()
    return WindowAndFacts(
        turns=[WindowTurn(str(t["role"]), str(t["content"])) for t in row.turns or []],
        facts=recalled_from_json(row.facts),
        opinions=[
            OpinionRow(str(o["topic"]), float(o["sentiment"]), int(o["discussions"]))
            for o in row.opinions or []
        ],
        entities=[Entity(str(e["name"]), e.get("role")) for e in row.entities or []],
        unembedded=[
            UnembeddedFact(int(u["id"]), str(u["content"]), u.get("subject"), u.get("subject_role"))
            for u in row.unembedded or []
        ],
    )


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
