"""What a turn reads of its conversation and of memory, in one statement: the conversation window, the
facts recall brings for the message (``memory.recall``'s statement), the server's opinions, the person's
named people and animals, and (with embeddings) a few facts still without a vector.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from loyal_companion.db.sql import sql
from loyal_companion.memory.recall import (
    DEFAULT_TUNING,
    RECALL_CTES,
    RECALL_CTES_BY_MEANING,
    RECALLED_JSON,
    ByMeaning,
    Recalled,
    Tuning,
    recall_params,
    recalled_from_json,
)
from loyal_companion.memory.rules import Entity
from loyal_companion.memory.vectors import UnembeddedFact

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
class WindowTurn:
    role: str
    content: str


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
