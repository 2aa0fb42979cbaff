"""The living mind's writes for one turn, in one statement (the turn's round-trip budget is 8).

Every change is a delta applied by PostgreSQL (``x = x + delta``), so two turns touching the same
server's mood at once both count; nothing is read, changed in Python and written back. What the turns of
a server share (its mood, its counters, its tokens today) is split into shards by person, so two people's
turns in one server never wait on the same row.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from loyal_companion.db.sql import sql
from loyal_companion.db.uow import UnitOfWork
from loyal_companion.living.mood import SHARDS, kept_sql
from loyal_companion.memory.learn import LEARN_CTES, learn_params
from loyal_companion.memory.rules import Candidate

_EFFECTS = """
WITH p AS (
    SELECT CAST(:user_id AS bigint) AS user_id, CAST(:guild_id AS bigint) AS guild_id,
           CAST(:now AS timestamptz) AS now
), {learn}, rel AS (
    INSERT INTO user_relationships (user_id, guild_id, relationship_score, total_interactions, positive_interactions,
                                    negative_interactions, avg_message_length, conversation_depth_avg,
                                    first_interaction_at, last_interaction_at, common_ground)
    SELECT p.user_id, p.guild_id, LEAST(100, GREATEST(0, CAST(:score_delta AS float8))), 1, CAST(:positive AS int), CAST(:negative AS int), CAST(:length AS float8), CAST(:depth AS float8),
           p.now, p.now, EXISTS (SELECT 1 FROM m_pairs)
    FROM p
    ON CONFLICT (user_id, guild_id) DO UPDATE SET
        relationship_score = LEAST(100, GREATEST(0, user_relationships.relationship_score + CAST(:score_delta AS float8))),
        total_interactions = user_relationships.total_interactions + 1,
        positive_interactions = user_relationships.positive_interactions + CAST(:positive AS int),
        negative_interactions = user_relationships.negative_interactions + CAST(:negative AS int),
        avg_message_length = user_relationships.avg_message_length
            + (CAST(:length AS float8) - user_relationships.avg_message_length) / (user_relationships.total_interactions + 1),
        conversation_depth_avg = user_relationships.conversation_depth_avg
            + (CAST(:depth AS float8) - user_relationships.conversation_depth_avg) / (user_relationships.total_interactions + 1),
        last_interaction_at = EXCLUDED.last_interaction_at,
        updated_at = EXCLUDED.last_interaction_at,
        common_ground = user_relationships.common_ground OR EXISTS (SELECT 1 FROM m_pairs)
    RETURNING (xmax = 0) AS created
), style AS (
    INSERT INTO user_communication_styles (user_id, preferred_length, preferred_formality, emoji_affinity,
                                           humor_affinity, detail_preference, samples_collected, confidence,
                                           engagement_signals)
    SELECT p.user_id, CAST(:preferred_length AS text), CAST(:formality AS float8), CAST(:emoji AS float8), CAST(:humour AS float8), CAST(:detail AS float8), 1, 1 - exp(-0.1),
           jsonb_build_object('avg_chars', CAST(:length AS float8))
    FROM p WHERE CAST(:learn_style AS boolean)
    ON CONFLICT (user_id) DO UPDATE SET
        preferred_formality = user_communication_styles.preferred_formality
            + (CAST(:formality AS float8) - user_communication_styles.preferred_formality) / (user_communication_styles.samples_collected + 1),
        emoji_affinity = user_communication_styles.emoji_affinity
            + (CAST(:emoji AS float8) - user_communication_styles.emoji_affinity) / (user_communication_styles.samples_collected + 1),
        humor_affinity = user_communication_styles.humor_affinity
            + (CAST(:humour AS float8) - user_communication_styles.humor_affinity) / (user_communication_styles.samples_collected + 1),
        detail_preference = user_communication_styles.detail_preference
            + (CAST(:detail AS float8) - user_communication_styles.detail_preference) / (user_communication_styles.samples_collected + 1),
        engagement_signals = jsonb_set(user_communication_styles.engagement_signals, '{avg_chars}', to_jsonb(
            COALESCE((user_communication_styles.engagement_signals ->> 'avg_chars')::float8, 0)
            + (CAST(:length AS float8) - COALESCE((user_communication_styles.engagement_signals ->> 'avg_chars')::float8, 0))
              / (user_communication_styles.samples_collected + 1))),
        preferred_length = CASE
            WHEN COALESCE((user_communication_styles.engagement_signals ->> 'avg_chars')::float8, 0) < 60 THEN 'short'
            WHEN COALESCE((user_communication_styles.engagement_signals ->> 'avg_chars')::float8, 0) < 250 THEN 'medium'
            ELSE 'long' END,
        samples_collected = user_communication_styles.samples_collected + 1,
        confidence = 1 - exp(-(user_communication_styles.samples_collected + 1) / 10.0),
        updated_at = now()
    RETURNING 1
), follow AS (
    INSERT INTO scheduled_events (user_id, guild_id, channel_id, event_type, trigger_at, due_at, title, context)
    SELECT p.user_id, p.guild_id, CAST(:channel_id AS bigint), 'follow_up', e.ask_at, e.ask_at, e.title,
           jsonb_build_object('happens_on', e.happens_on, 'source_interaction', CAST(:source_message_id AS text))
    FROM jsonb_to_recordset(CAST(:followups AS jsonb)) AS e(title text, ask_at timestamptz, happens_on text), p
    WHERE NOT EXISTS (
        SELECT 1 FROM scheduled_events x
        WHERE x.user_id = p.user_id AND x.event_type = 'follow_up' AND x.status = 'pending' AND x.title = e.title
    )
    RETURNING 1
), mood AS (
    -- The share of this server's mood that this person's turns write (no row every turn of a server
    -- waits on): the offset decayed to now, plus this turn's move.
    INSERT INTO mood_shards AS s (guild_id, shard, valence_offset, arousal_offset, updated_at, messages_sent,
                                  facts_learned, users_known)
    SELECT p.guild_id, mod(p.user_id, CAST(:shards AS int)), CAST(:dv AS float8), CAST(:da AS float8), p.now, 1,
           (SELECT count(*) FROM m_new), CASE WHEN (SELECT bool_or(created) FROM rel) THEN 1 ELSE 0 END
    FROM p
    ON CONFLICT (guild_id, shard) DO UPDATE SET
        valence_offset = LEAST(2, GREATEST(-2, s.valence_offset * {kept_since_written} + EXCLUDED.valence_offset)),
        arousal_offset = LEAST(2, GREATEST(-2, s.arousal_offset * {kept_since_written} + EXCLUDED.arousal_offset)),
        updated_at = GREATEST(s.updated_at, EXCLUDED.updated_at),
        messages_sent = s.messages_sent + 1,
        facts_learned = s.facts_learned + EXCLUDED.facts_learned,
        users_known = s.users_known + EXCLUDED.users_known
    RETURNING shard
), drifted AS (
    -- Mood is computed when read, so no job writes its drift back toward the baseline; the history
    -- gets that drift here, when this share is next written, if it moved enough to be worth a line.
    -- (This statement sees the share as it was before the turn.)
    INSERT INTO mood_history (guild_id, valence, arousal, trigger_type, trigger_description, recorded_at)
    SELECT p.guild_id, CAST(:valence_after AS float8) - CAST(:dv AS float8),
           CAST(:arousal_after AS float8) - CAST(:da AS float8), 'time_decay',
           'drifted back toward a steady baseline', p.now - interval '1 millisecond'
    FROM p JOIN mood_shards s
      ON (s.guild_id = p.guild_id OR (p.guild_id IS NULL AND s.guild_id IS NULL))  -- the unique index, not a scan
     AND s.shard = mod(p.user_id, CAST(:shards AS int))
    WHERE (abs(s.valence_offset) + abs(s.arousal_offset)) * (1 - {kept_until_now}) >= CAST(:threshold AS float8)
    RETURNING 1
), history AS (
    INSERT INTO mood_history (guild_id, valence, arousal, trigger_type, trigger_user_id, trigger_description, recorded_at)
    SELECT p.guild_id, CAST(:valence_after AS float8), CAST(:arousal_after AS float8), 'conversation', p.user_id,
           CAST(:why AS text), p.now
    FROM p WHERE CAST(:meaningful AS boolean) AND EXISTS (SELECT 1 FROM mood)
    RETURNING 1
), usage AS (
    -- The guards' counters: this turn's time among the last minute's, and today's tokens.
    INSERT INTO person_usage AS u (user_id, recent_turns, day, day_tokens)
    SELECT p.user_id, ARRAY[p.now], CAST(:day AS date), CAST(:tokens AS bigint) FROM p
    ON CONFLICT (user_id) DO UPDATE SET
        recent_turns = ARRAY(
            SELECT t FROM unnest(u.recent_turns || EXCLUDED.recent_turns) AS t
            WHERE t > CAST(:now AS timestamptz) - interval '1 minute' ORDER BY t DESC LIMIT 64),
        day_tokens = CASE WHEN u.day = EXCLUDED.day THEN u.day_tokens + EXCLUDED.day_tokens ELSE EXCLUDED.day_tokens END,
        day = EXCLUDED.day
    RETURNING 1
), server_tokens AS (
    INSERT INTO server_usage AS g (guild_id, shard, day, tokens)
    SELECT p.guild_id, mod(p.user_id, CAST(:shards AS int)), CAST(:day AS date), CAST(:tokens AS bigint)
    FROM p WHERE p.guild_id IS NOT NULL
    ON CONFLICT (guild_id, shard) DO UPDATE SET
        tokens = CASE WHEN g.day = EXCLUDED.day THEN g.tokens + EXCLUDED.tokens ELSE EXCLUDED.tokens END,
        day = EXCLUDED.day
    RETURNING 1
), all_tokens AS (
    INSERT INTO global_usage AS a (shard, day, tokens)
    SELECT mod(p.user_id, CAST(:shards AS int)), CAST(:day AS date), CAST(:tokens AS bigint) FROM p
    ON CONFLICT (shard) DO UPDATE SET
        tokens = CASE WHEN a.day = EXCLUDED.day THEN a.tokens + EXCLUDED.tokens ELSE EXCLUDED.tokens END,
        day = EXCLUDED.day
    RETURNING 1
)
SELECT (SELECT count(*) FROM m_new) AS facts_added, (SELECT count(*) FROM m_retired) AS facts_superseded,
       (SELECT count(*) FROM follow) AS followups_added,
       (SELECT count(*) FROM history) + (SELECT count(*) FROM drifted) AS history_rows, (SELECT count(*) FROM style) AS style_rows,
       (SELECT count(*) FROM m_common) AS associations_added
"""

_EFFECTS_SQL = sql(
    _EFFECTS.replace("{learn}", LEARN_CTES.replace("{guard}", "true"))
    .replace(
        "{kept_since_written}",
        kept_sql(since="s.updated_at", now="EXCLUDED.updated_at", rate="CAST(:rate AS float8)"),
    )
    .replace("{kept_until_now}", kept_sql(since="s.updated_at", now="p.now", rate="CAST(:rate AS float8)"))
)


@dataclass
class TurnEffects:
    user_id: int
    guild_id: int | None
    channel_id: int | None
    now: datetime
    dv: float
    da: float
    valence_after: float
    arousal_after: float
    rate_per_hour: float
    meaningful: bool
    why: str
    score_delta: float
    positive: bool
    negative: bool
    length: int
    depth: int
    style: dict[str, float | str] | None
    sentiment: float
    facts: list[Candidate] = field(default_factory=list)
    followups: list[dict[str, str]] = field(default_factory=list)
    source_message_id: int | None = None
    context: str | None = None
    source: str = "conversation"
    tokens: int = 0  # the model tokens of this turn, for the daily budgets
    # How far the mood must have drifted since this share was last written for a time_decay history line.
    history_threshold: float = 0.1


@dataclass(frozen=True)
class EffectCounts:
    facts_added: int
    facts_superseded: int
    followups_added: int
    history_rows: int
    associations_added: int = 0


def apply_turn_effects(session: Session, effects: TurnEffects) -> EffectCounts:
    style = effects.style or {}
    row = session.execute(
        _EFFECTS_SQL,
        {
            "user_id": effects.user_id,
            "guild_id": effects.guild_id,
            "channel_id": effects.channel_id,
            "now": effects.now,
            "score_delta": effects.score_delta,
            "positive": int(effects.positive),
            "negative": int(effects.negative),
            "length": float(effects.length),
            "depth": float(effects.depth),
            "learn_style": effects.style is not None,
            "preferred_length": style.get("preferred_length", "medium"),
            "formality": float(style.get("formality", 0.5)),
            "emoji": float(style.get("emoji", 0.5)),
            "humour": float(style.get("humour", 0.5)),
            "detail": float(style.get("detail", 0.5)),
            "sentiment": effects.sentiment,
            "followups": json.dumps(effects.followups),
            "shards": SHARDS,
            "rate": effects.rate_per_hour,
            "dv": effects.dv,
            "da": effects.da,
            "valence_after": effects.valence_after,
            "arousal_after": effects.arousal_after,
            "day": effects.now.astimezone(UTC).date(),
            "tokens": effects.tokens,
            "meaningful": effects.meaningful,
            "threshold": effects.history_threshold,
            "why": effects.why,
        }
        | learn_params(
            user_id=effects.user_id,
            guild_id=effects.guild_id,
            now=effects.now,
            candidates=effects.facts,
            source=effects.source,
            source_message_id=effects.source_message_id,
            context=effects.context,
        )
        # the relationship upsert above marks the person's own row
        | {"mark_self": False},
    ).one()
    return EffectCounts(
        facts_added=int(row.facts_added),
        facts_superseded=int(row.facts_superseded),
        followups_added=int(row.followups_added),
        history_rows=int(row.history_rows),
        associations_added=int(row.associations_added),
    )


# The companion's leanings in a server, reinforced by what the turn talked about. One row per server and
# topic, so it is written after the reply is delivered, in a statement of its own (its row lock lasts that
# statement, never a turn).
_OPINIONS_SQL = sql(
    """
INSERT INTO bot_opinions (guild_id, topic, sentiment, interest_level, discussion_count, last_reinforced_at)
SELECT CAST(:guild_id AS bigint), t.topic, LEAST(1, GREATEST(-1, CAST(:sentiment AS float8))), 0.5, 1,
       CAST(:now AS timestamptz)
FROM jsonb_array_elements_text(CAST(:topics AS jsonb)) AS t(topic)
ON CONFLICT (guild_id, topic) DO UPDATE SET
    sentiment = LEAST(1, GREATEST(-1, (bot_opinions.sentiment * bot_opinions.discussion_count + EXCLUDED.sentiment)
                / (bot_opinions.discussion_count + 1))),
    discussion_count = bot_opinions.discussion_count + 1,
    interest_level = LEAST(1, bot_opinions.interest_level + 0.05),
    formed_at = CASE WHEN bot_opinions.discussion_count + 1 >= 3
                     THEN COALESCE(bot_opinions.formed_at, EXCLUDED.last_reinforced_at) END,
    last_reinforced_at = EXCLUDED.last_reinforced_at,
    updated_at = EXCLUDED.last_reinforced_at
"""
)


def reinforce_opinions(
    unit_of_work: Callable[[], UnitOfWork],
    *,
    guild_id: int | None,
    topics: Sequence[str],
    sentiment: float,
    now: datetime,
) -> None:
    with unit_of_work() as uow:
        uow.session.execute(
            _OPINIONS_SQL,
            {"guild_id": guild_id, "topics": json.dumps(list(topics)), "sentiment": sentiment, "now": now},
        )
        uow.commit()
