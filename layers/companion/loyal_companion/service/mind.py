"""What one turn does to the living mind: mood, relationship, style, facts, opinions and follow-ups as
deltas for ``db.living.apply_turn_effects``.

How the exchange felt comes from the lexical assessment on every turn. Facts come from ``memory``: read
from this message with no model, or left for the model's next window read (``memory.learn``). Operators
switch systems off per personality (``settings.features``) and server admins per server
(``/server features``); conversation keeps working either way.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from loyal_companion.db.living import TurnEffects
from loyal_companion.db.turns import TurnState
from loyal_companion.living.assessment import TOPICS, Assessment, lexical_assessment
from loyal_companion.living.followups import find_follow_up
from loyal_companion.living.mood import Mood, after_turn, meaningful_change
from loyal_companion.living.relationship import score_delta
from loyal_companion.living.style import preferred_length, sample
from loyal_companion.living.timeparse import TimeParseError, zone
from loyal_companion.memory.extract import read_message
from loyal_companion.memory.learn import DEFAULT_WINDOW_TURNS
from loyal_companion.memory.rules import Candidate, Entity

logger = logging.getLogger(__name__)

DEFAULTS: dict[str, Any] = {
    "mood": {
        "damping": 0.5,
        "history_threshold": 0.1,
        "baseline_valence": 0.0,
        "baseline_arousal": 0.0,
        "decay_rate_per_hour": 0.05,
    },
    "facts": {"window_turns": DEFAULT_WINDOW_TURNS},
}


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
    facts: list[Candidate]


def learning_on(state: TurnState) -> bool:
    """Fact memory is on for this personality and server."""
    return feature_on(state, "fact_extraction", "fact_memory")


def read_turn(
    state: TurnState,
    message: str,
    *,
    offline: bool,
    context: Sequence[str],
    entities: Sequence[Entity],
    now: datetime,
) -> Reading:
    """How the message felt, and (offline) the facts in it; with a model the facts wait for the window."""
    facts: list[Candidate] = []
    if offline and learning_on(state):
        facts, _named = read_message(
            message, context=context, entities=entities, today=_local_today(state, now)
        )
    return Reading(lexical_assessment(message), facts)


def window_turns(state: TurnState) -> int:
    """User turns between two window reads (``facts.window_turns``, at least 1)."""
    value = _setting(state.config.settings, "facts", "window_turns")
    return max(1, int(value)) if isinstance(value, int | float) else DEFAULT_WINDOW_TURNS


def _local_today(state: TurnState, now: datetime) -> Any:
    try:
        tz = zone(state.timezone)
    except TimeParseError:
        tz = zone(None)
    return now.astimezone(tz).date()


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
    tokens: int = 0,
    crisis: bool = False,
) -> TurnEffects:
    """What the turn does to mood, relationship, style, opinions and follow-ups. In a crisis turn nothing is
    learned from the words (no facts, no follow-up, no context kept with them)."""
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
    follow = (
        find_follow_up(message, now=now, tz=tz)
        if feature_on(state, "proactive", "proactive") and not crisis
        else None
    )
    return TurnEffects(
        user_id=user_id,
        guild_id=guild_id,
        channel_id=channel_id,
        now=now,
        dv=after.valence - before.valence,
        da=after.arousal - before.arousal,
        valence_after=after.valence,
        arousal_after=after.arousal,
        rate_per_hour=float(_setting(settings, "mood", "decay_rate_per_hour")),
        meaningful=meaningful_change(before, after, float(_setting(settings, "mood", "history_threshold"))),
        history_threshold=float(_setting(settings, "mood", "history_threshold")),
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
        facts=list(reading.facts),
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
        context=None if crisis else message[:300],
        tokens=tokens,
    )


def _feel(assessment: Assessment) -> str:
    if assessment.positive:
        return "warm"
    return "heavy" if assessment.negative else "steady"


def topics_to_reinforce(state: TurnState, reading: Reading, *, guild_id: int | None) -> list[str]:
    """What the turn talked about, for the server's opinions: only words of the fixed ``TOPICS`` list, so
    a shared row never holds a person's own words, and nothing from a private conversation (a DM has no
    server, and its row would be shared by everyone's DMs). None when opinions are switched off."""
    if guild_id is None or not feature_on(state, "opinions", "opinions"):
        return []
    return [t for t in reading.assessment.topics if t in TOPICS]
