"""What one turn does to the living mind: read the exchange, then mood, relationship, style, facts,
opinions and follow-ups as deltas for ``db.living.apply_turn_effects``.

The exchange is read by the model (structured output: sentiment, intensity, topics and facts) on turns
the extraction gate picks, when a model is configured; otherwise, or when the model's answer is unusable,
by the lexical rules. Operators switch systems off per personality (``settings.features``) and server
admins per server (``/server features``); conversation keeps working either way.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from loyal_companion.db.living import TurnEffects
from loyal_companion.db.turns import TurnState
from loyal_companion.living import facts as fact_rules
from loyal_companion.living.assessment import Assessment, lexical_assessment
from loyal_companion.living.followups import find_follow_up
from loyal_companion.living.mood import Mood, after_turn, meaningful_change
from loyal_companion.living.relationship import score_delta
from loyal_companion.living.style import preferred_length, sample
from loyal_companion.living.timeparse import TimeParseError, zone
from loyal_companion.llm.types import ChatMessage, ChatModel, ModelError, ModelParams

logger = logging.getLogger(__name__)

DEFAULTS: dict[str, Any] = {
    "mood": {"damping": 0.5, "history_threshold": 0.1, "baseline_valence": 0.0, "baseline_arousal": 0.0},
    "facts": {"extraction_rate": 0.4},
}
_ANALYSE = (
    "Read the person's message (and the reply they got) and return JSON: sentiment of the person's message "
    "in [-1, 1], emotional intensity in [0, 1], up to three topics (single lowercase words) and durable "
    "facts about the person worth remembering (none if there are none). Facts are about the person only, "
    "written in the third person; grief, attachment patterns and coping mechanisms get their own types."
)


def _setting(settings: dict[str, object], section: str, key: str) -> Any:
    value = settings.get(section)
    if isinstance(value, dict) and key in value:
        return value[key]
    return DEFAULTS.get(section, {}).get(key)


def feature_on(state: TurnState, personality_key: str, server_key: str) -> bool:
    features = state.config.settings.get("features")
    if isinstance(features, dict) and features.get(personality_key) is False:
        return False
    return not (state.server_features and state.server_features.get(server_key) is False)


@dataclass(frozen=True)
class Reading:
    assessment: Assessment
    facts: list[fact_rules.FactCandidate]
    by_model: bool


def read_exchange(
    model: ChatModel, params: ModelParams, message: str, reply: str, *, extract: bool
) -> Reading:
    if extract and not model.offline:
        try:
            data = model.structured(
                [
                    ChatMessage("system", _ANALYSE),
                    ChatMessage("user", f"Message: {message}\n\nReply: {reply}"),
                ],
                ModelParams(model=params.model, temperature=0.0, max_tokens=400),
                schema_name="exchange",
                schema=fact_rules.FACT_SCHEMA,
            )
            return _reading_from(data)
        except (ModelError, KeyError, TypeError, ValueError) as exc:
            logger.warning(
                "structured reading failed; using the lexical one", extra={"error": str(exc)[:200]}
            )
    lexical = lexical_assessment(message)
    found = fact_rules.lexical_facts(message) if extract else []
    return Reading(lexical, found, by_model=False)


def _reading_from(data: dict[str, Any]) -> Reading:
    assessment = Assessment(
        sentiment=max(-1.0, min(1.0, float(data["sentiment"]))),
        intensity=max(0.0, min(1.0, float(data["intensity"]))),
        topics=tuple(str(t).lower()[:60] for t in data.get("topics", [])[:3] if str(t).strip()),
    )
    found = []
    for item in data.get("facts", [])[:8]:
        fact_type = str(item["fact_type"])
        if fact_type not in fact_rules.FACT_TYPES:
            continue
        content = " ".join(str(item["content"]).split())[:300]
        if not content:
            continue
        found.append(
            fact_rules.FactCandidate(
                fact_type=fact_type,
                content=content,
                importance=max(0.0, min(1.0, float(item["importance"]))),
                confidence=max(0.0, min(1.0, float(item["confidence"]))),
                temporal_relevance=str(item.get("temporal_relevance", "present")),
                category=fact_type if fact_type in fact_rules.SINGLE_VALUED else None,
            )
        )
    return Reading(assessment, fact_rules.dedupe(found), by_model=True)


def facts_to_keep(state: TurnState, reading: Reading) -> list[fact_rules.FactCandidate]:
    """The facts this turn will store: none when fact memory is switched off for the personality or server."""
    return list(reading.facts) if feature_on(state, "fact_extraction", "fact_memory") else []


def turn_effects(
    *,
    state: TurnState,
    reading: Reading,
    user_id: int,
    message: str,
    guild_id: int | None,
    channel_id: int | None,
    interaction_id: int,
    conversation_depth: int,
    now: datetime,
    embeddings_model: str | None = None,
    vectors: list[dict[str, Any]] | None = None,
) -> TurnEffects:
    settings = state.config.settings
    before = Mood(state.mood_valence, state.mood_arousal)
    after = after_turn(
        before,
        reading.assessment.sentiment,
        reading.assessment.intensity,
        damping=float(_setting(settings, "mood", "damping")),
    )
    hours_since = (now - state.last_message_at).total_seconds() / 3600 if state.last_message_at else None
    style = sample(message)
    try:
        tz = zone(state.timezone)
    except TimeParseError:
        tz = zone(None)
    follow = find_follow_up(message, now=now, tz=tz) if feature_on(state, "proactive", "proactive") else None
    return TurnEffects(
        user_id=user_id,
        guild_id=guild_id,
        channel_id=channel_id,
        now=now,
        dv=after.valence - before.valence,
        da=after.arousal - before.arousal,
        base_valence=float(_setting(settings, "mood", "baseline_valence")),
        base_arousal=float(_setting(settings, "mood", "baseline_arousal")),
        meaningful=meaningful_change(before, after, float(_setting(settings, "mood", "history_threshold"))),
        why=f"a conversation that felt {_feel(reading.assessment)}",
        score_delta=score_delta(
            sentiment=reading.assessment.sentiment,
            message_length=len(message),
            conversation_depth=conversation_depth,
            hours_since_last=hours_since,
        ),
        positive=reading.assessment.positive,
        negative=reading.assessment.negative,
        length=len(message),
        depth=conversation_depth,
        style={
            "preferred_length": preferred_length(style.length),
            "formality": style.formality,
            "emoji": style.emoji,
            "humour": style.humour,
            "detail": style.detail,
        },
        sentiment=reading.assessment.sentiment,
        topics=list(reading.assessment.topics) if feature_on(state, "opinions", "opinions") else [],
        facts=[
            {
                "fact_type": f.fact_type,
                "content": f.content,
                "importance": f.importance,
                "confidence": f.confidence,
                "temporal_relevance": f.temporal_relevance,
                "category": fact_rules.supersedes(f),
                "source": "auto_extraction" if reading.by_model else "conversation",
            }
            for f in facts_to_keep(state, reading)
        ],
        followups=[
            {
                "title": follow.title,
                "ask_at": follow.ask_at.isoformat(),
                "happens_on": follow.happens_on.isoformat(),
            }
        ]
        if follow
        else [],
        source_message_id=interaction_id,
        context=message[:300],
        embeddings_model=embeddings_model,
        vectors=vectors or [],
    )


def _feel(assessment: Assessment) -> str:
    if assessment.positive:
        return "warm"
    return "heavy" if assessment.negative else "steady"


def extraction_gate(state: TurnState, message: str, seed: int) -> bool:
    rate = _setting(state.config.settings, "facts", "extraction_rate")
    return fact_rules.should_extract(message, rate=float(rate), seed=seed)
