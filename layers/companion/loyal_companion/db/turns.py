"""A turn's state, in one statement (the per-turn budget is 8 round trips): the person, the resolved
configuration with the source of every value, the guards' counters, the server's mood (computed when read:
the baseline plus each share's offset, drifted with ``living.mood.kept_sql``), the relationship and the
current conversation.

The rest of a turn's reads and writes: what it reads of the conversation and memory (``db.window``), the
conversation touched and the turn stored (``db.conversations``), its effects (``db.living``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

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
       COALESCE((SELECT sum(tokens) FROM global_usage WHERE day = CAST(:today AS date)), 0) AS tokens_today_all,
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


@dataclass(frozen=True)
class TurnState:
    user_id: int | None
    config: ResolvedConfig
    requested_missing: bool
    model_from_default_config: bool
    turns_last_minute: int
    tokens_today_person: int
    tokens_today_server: int
    tokens_today_all: int
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
        tokens_today_all=int(row["tokens_today_all"]),
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
