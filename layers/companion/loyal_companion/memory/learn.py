"""Learning: facts from every message, decided by subject, written once.

- With no model (the offline responder), each message is read as it arrives (``extract.read_message``,
  with the conversation's recent turns as context) and its facts are written in the turn's own
  statement (``LEARN_CTES`` inside ``db.living``): no extra round trip.
- With a model, the exchange is read in windows: every ``window_turns`` user turns (after the reply is
  delivered), and what is left when a conversation ends (the scheduled run, ``learn_ended``). The model
  sees the new turns with a few earlier ones as context and the facts already remembered that relate to
  them, and decides for each thing the person said: add, update (same subject, newer detail),
  supersede (contradicted), or none. One model call per window, not per message.
- Writing (``LEARN_CTES``): a fact already remembered in the same words is not stored twice (a unique
  index over the active facts' ``content_key``); a fact that updates or contradicts another, or that
  replaces the older value of a single-valued subject (home, job), retires it (kept inactive, with
  ``superseded_by_id``); a fact that names someone ("Their dog is called Biscuit") adds them to
  ``user_entities``. A window is written only if the conversation's read mark is still where it was
  read, so a window read twice (a retry, two runners) is stored once.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from sqlalchemy.orm import Session

from loyal_companion.db.sql import sql
from loyal_companion.db.uow import UnitOfWork
from loyal_companion.llm.types import ChatMessage, ChatModel, Embedder, ModelError, ModelParams
from loyal_companion.memory.recall import Recalled, Tuning, recall
from loyal_companion.memory.rules import (
    FACT_TYPES,
    TEMPORAL_RELEVANCE,
    Candidate,
    Entity,
    candidates_from_model,
    day_in_words,
)
from loyal_companion.memory.vectors import vectors_to_store

logger = logging.getLogger(__name__)

DEFAULT_WINDOW_TURNS: Final = 5
CONTEXT_MESSAGES: Final = 6  # earlier messages shown as context before the unread ones
MAX_UNREAD_MESSAGES: Final = 24  # read at most this many at once (a long silence of the model)
SHOWN_FACTS: Final = 16
FLUSH_BATCH: Final = 20

# Words too common to make two people's facts "the same interest" or "the same place".
COMMON_WORDS: Final = (
    "love like enjoy adore hate live moved play really much some every thing things time lot good great "
    "favourite favorite"
)


def _key(column: str) -> str:
    return f"btrim(regexp_replace(lower({column}), '[^[:alnum:]]+', ' ', 'g'))"


# The facts of one reading, written. ``{guard}`` is a condition every candidate must meet (the turn
# passes true; a window passes "its read mark did not move").
LEARN_CTES: Final = f"""
m_incoming AS (
    SELECT * FROM jsonb_to_recordset(CAST(:facts AS jsonb)) AS f(
        op text, replaces bigint, fact_type text, content text, subject text, subject_role text,
        happens_on date, importance float8, confidence float8, temporal_relevance text, category text,
        source text, names_entity boolean, pinned boolean)
    WHERE {{guard}}
), m_new AS (
    INSERT INTO user_facts (user_id, fact_type, fact_content, confidence, source, importance,
                            temporal_relevance, category, subject, subject_role, happens_on, pinned,
                            extracted_from_message_id, extraction_context, learned_at)
    SELECT CAST(:user_id AS bigint), f.fact_type, f.content, f.confidence, f.source, f.importance,
           f.temporal_relevance, f.category, f.subject, f.subject_role, f.happens_on, COALESCE(f.pinned, false),
           CAST(:source_message_id AS bigint), CAST(:context AS text), CAST(:now AS timestamptz)
    FROM m_incoming f
    ON CONFLICT (user_id, content_key) WHERE is_active DO NOTHING
    RETURNING id, fact_type, fact_content, content_key, subject, subject_role, search_vector
), m_retired AS (
    -- What the new facts update or contradict (by id, the person's own only), and the older value of a
    -- single-valued subject (by its category, through an index).
    UPDATE user_facts x
    SET is_active = false, superseded_by_id = r.new_id, updated_at = CAST(:now AS timestamptz)
    FROM (
        SELECT f.replaces AS old_id, n.id AS new_id
        FROM m_incoming f JOIN m_new n ON n.content_key = {_key("f.content")}
        WHERE f.replaces IS NOT NULL
        UNION ALL
        SELECT y.id, n.id
        FROM m_incoming f JOIN m_new n ON n.content_key = {_key("f.content")}
        JOIN user_facts y ON y.user_id = CAST(:user_id AS bigint) AND y.is_active AND y.category = f.category
        WHERE f.category IS NOT NULL
    ) r
    WHERE x.id = r.old_id AND x.user_id = CAST(:user_id AS bigint) AND x.is_active AND x.id <> r.new_id
    RETURNING x.id
), m_named AS (
    INSERT INTO user_entities (user_id, name, role, fact_id)
    SELECT DISTINCT ON (lower(n.subject)) CAST(:user_id AS bigint), n.subject, n.subject_role, n.id
    FROM m_new n JOIN m_incoming f ON n.content_key = {_key("f.content")}
    WHERE f.names_entity AND n.subject IS NOT NULL
    ORDER BY lower(n.subject), n.id
    ON CONFLICT (user_id, name_key) DO UPDATE SET
        role = COALESCE(user_entities.role, EXCLUDED.role),
        fact_id = COALESCE(user_entities.fact_id, EXCLUDED.fact_id),
        updated_at = CAST(:now AS timestamptz)
    RETURNING 1
), m_members AS (
    -- The people most recently active in this server: common ground is looked for among them only.
    SELECT DISTINCT c.user_id FROM (
        SELECT user_id FROM conversations
        WHERE guild_id = CAST(:guild_id AS bigint) AND user_id <> CAST(:user_id AS bigint)
        ORDER BY last_message_at DESC LIMIT 100
    ) c
), m_pairs AS (
    -- A new interest or place of theirs that someone of the server shares: found through that person's
    -- postings, a handful at most. Only the link is kept; prompts mention it in general terms and never
    -- carry another person's facts.
    SELECT DISTINCT ON (o.user_id) n.id AS mine, o.id AS theirs, o.user_id AS them,
           CASE WHEN n.fact_type = 'location' THEN 'same_location' ELSE 'shared_interest' END AS kind
    FROM m_new n
    CROSS JOIN LATERAL (
        SELECT w.lexeme FROM unnest(n.search_vector) AS w(lexeme, positions, weights)
        WHERE 'A' = ANY (w.weights) AND length(w.lexeme) > 3
          AND w.lexeme <> ALL (tsvector_to_array(to_tsvector('english'::regconfig, CAST(:common_words AS text))))
    ) word
    CROSS JOIN m_members m
    JOIN user_fact_terms t ON t.user_id = m.user_id AND t.term = word.lexeme
    JOIN user_facts o ON o.id = t.fact_id AND o.is_active AND o.fact_type = n.fact_type
    WHERE CAST(:guild_id AS bigint) IS NOT NULL AND n.fact_type IN ('hobby', 'preference', 'location')
    ORDER BY o.user_id, o.id DESC
    LIMIT 5
), m_common AS (
    INSERT INTO fact_associations (fact_id_1, fact_id_2, association_type, strength, discovered_at)
    SELECT mine, theirs, kind, 0.6, CAST(:now AS timestamptz) FROM m_pairs
    ON CONFLICT (fact_id_1, fact_id_2) DO NOTHING
    RETURNING 1
), m_common_ground AS (
    -- Both sides now share something in this server (the turn's own statement marks the person itself).
    UPDATE user_relationships r SET common_ground = true
    WHERE r.guild_id = CAST(:guild_id AS bigint) AND NOT r.common_ground AND EXISTS (SELECT 1 FROM m_pairs)
      AND (r.user_id IN (SELECT them FROM m_pairs)
           OR (CAST(:mark_self AS boolean) AND r.user_id = CAST(:user_id AS bigint)))
    RETURNING 1
)"""

# Embeddings for the facts just learned (matched by content) and for older facts of the person that
# had none (by id, the person's own only); one per fact, the newest model's replacing older ones.
EMBEDDED_CTES: Final = """
, m_vectors AS (
    SELECT v.content, v.fact_id, CAST(v.vector AS vector) AS embedding
    FROM jsonb_to_recordset(CAST(:vectors AS jsonb)) AS v(content text, fact_id bigint, vector text)
), m_embedded AS (
    INSERT INTO user_fact_embeddings (fact_id, user_id, model, dimensions, embedding, created_at)
    SELECT DISTINCT ON (x.id) x.id, CAST(:user_id AS bigint), CAST(:embeddings_model AS text),
           vector_dims(x.embedding), x.embedding, CAST(:now AS timestamptz)
    FROM (
        SELECT n.id, v.embedding FROM m_new n JOIN m_vectors v
          ON v.fact_id IS NULL AND lower(v.content) = lower(n.fact_content)
        UNION ALL
        SELECT f.id, v.embedding FROM m_vectors v JOIN user_facts f ON f.id = v.fact_id
        WHERE f.user_id = CAST(:user_id AS bigint)
    ) x
    ORDER BY x.id
    ON CONFLICT (fact_id) DO UPDATE SET
        model = EXCLUDED.model, dimensions = EXCLUDED.dimensions, embedding = EXCLUDED.embedding,
        created_at = EXCLUDED.created_at
    RETURNING 1
)"""


def learn_params(
    *,
    user_id: int,
    guild_id: int | None,
    now: datetime,
    candidates: Sequence[Candidate],
    source: str,
    source_message_id: int | None,
    context: str | None,
) -> dict[str, Any]:
    """The parameters ``LEARN_CTES`` takes."""
    return {
        "user_id": user_id,
        "guild_id": guild_id,
        "now": now,
        "facts": json.dumps([c.as_row(source=source) for c in candidates]),
        "source_message_id": source_message_id,
        "context": context[:300] if context else None,
        "common_words": COMMON_WORDS,
        "mark_self": True,
    }


# -- reading a window with the model ---------------------------------------------------------------

INSTRUCTIONS: Final = (
    "You keep the long-term memory of a companion. Below are the facts already remembered about the "
    "person (with ids) and a stretch of conversation: the earlier turns are context, the NEW turns have "
    "not been read yet. For each durable thing the person tells about themselves or the people and "
    "animals in their life in the NEW turns, decide against what is remembered:\n"
    '- "add": something not remembered yet;\n'
    '- "update": the same subject with a newer detail (give the id it replaces in "replaces");\n'
    '- "supersede": it contradicts a remembered fact (give that id in "replaces");\n'
    '- "none": already remembered as it is.\n'
    "Two different things are two facts (a profession and this month's shifts). Write each fact in the "
    'third person ("They…", "Their…") so it stands alone: name who it is about ("Biscuit, their dog, is '
    'a scruffy terrier", not "He is a terrier"), and put that name or role in "subject" with their role '
    '("dog", "sister", "father") in "subject_role"; leave both empty for facts about the person '
    'themselves. When the person says when something happens or happened, give that day in "happens_on" '
    "as YYYY-MM-DD (today is {today}); otherwise null. Grief, attachment patterns and coping mechanisms "
    "get their own types. Small talk, questions and the companion's own words are not facts."
)

WINDOW_SCHEMA: Final = {
    "type": "object",
    "additionalProperties": False,
    "required": ["facts"],
    "properties": {
        "facts": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": [
                    "op",
                    "replaces",
                    "fact_type",
                    "content",
                    "subject",
                    "subject_role",
                    "happens_on",
                    "importance",
                    "confidence",
                    "temporal_relevance",
                ],
                "properties": {
                    "op": {"type": "string", "enum": ["add", "update", "supersede", "none"]},
                    "replaces": {"type": ["integer", "null"]},
                    "fact_type": {"type": "string", "enum": list(FACT_TYPES)},
                    "content": {"type": "string"},
                    "subject": {"type": ["string", "null"]},
                    "subject_role": {"type": ["string", "null"]},
                    "happens_on": {"type": ["string", "null"]},
                    "importance": {"type": "number"},
                    "confidence": {"type": "number"},
                    "temporal_relevance": {"type": "string", "enum": list(TEMPORAL_RELEVANCE)},
                },
            },
        }
    },
}

_WINDOW_SQL = sql(
    """
WITH c AS (
    SELECT id, user_id, guild_id, memory_read_through, memory_unread FROM conversations
    WHERE id = CAST(:conversation_id AS bigint)
)
SELECT c.id, c.user_id, c.guild_id, c.memory_read_through, c.memory_unread,
       (SELECT json_agg(m ORDER BY m.id) FROM (
            SELECT id, role, content FROM messages
            WHERE conversation_id = c.id AND id > COALESCE(c.memory_read_through, 0) AND safety_concern IS NULL
            ORDER BY id LIMIT CAST(:max_unread AS int)) m) AS unread,
       (SELECT json_agg(m ORDER BY m.id) FROM (
            SELECT id, role, content FROM messages
            WHERE conversation_id = c.id AND id <= COALESCE(c.memory_read_through, 0) AND safety_concern IS NULL
            ORDER BY id DESC LIMIT CAST(:context AS int)) m) AS context,
       (SELECT json_agg(e) FROM (
            SELECT name, role FROM user_entities WHERE user_id = c.user_id ORDER BY id DESC LIMIT 50) e)
         AS entities
FROM c
"""
)

_WRITE_WINDOW_SQL = sql(
    "WITH m_advanced AS ("
    " UPDATE conversations SET memory_read_through = CAST(:read_through AS bigint),"
    " memory_unread = GREATEST(0, memory_unread - CAST(:user_turns AS int))"
    " WHERE id = CAST(:conversation_id AS bigint)"
    " AND memory_read_through IS NOT DISTINCT FROM CAST(:was_read_through AS bigint) RETURNING id), "
    + LEARN_CTES.replace("{guard}", "EXISTS (SELECT 1 FROM m_advanced)")
    + " SELECT (SELECT count(*) FROM m_advanced) AS advanced, (SELECT count(*) FROM m_new) AS added,"
    " (SELECT count(*) FROM m_retired) AS retired"
)
_WRITE_WINDOW_WITH_EMBEDDINGS_SQL = sql(
    "WITH m_advanced AS ("
    " UPDATE conversations SET memory_read_through = CAST(:read_through AS bigint),"
    " memory_unread = GREATEST(0, memory_unread - CAST(:user_turns AS int))"
    " WHERE id = CAST(:conversation_id AS bigint)"
    " AND memory_read_through IS NOT DISTINCT FROM CAST(:was_read_through AS bigint) RETURNING id), "
    + LEARN_CTES.replace("{guard}", "EXISTS (SELECT 1 FROM m_advanced)")
    + EMBEDDED_CTES
    + " SELECT (SELECT count(*) FROM m_advanced) AS advanced, (SELECT count(*) FROM m_new) AS added,"
    " (SELECT count(*) FROM m_retired) AS retired"
)


@dataclass(frozen=True)
class WindowResult:
    read: int  # user turns read
    added: int
    retired: int
    written: bool  # False: nothing to read, or another reader got there first


def read_window_prompt(
    *,
    known: Sequence[Recalled],
    context: Sequence[dict[str, Any]],
    unread: Sequence[dict[str, Any]],
    person: str,
    today: str,
) -> list[ChatMessage]:
    """The model's instructions and the window, as two messages."""
    facts = "\n".join(f"[{f.id}] {f.content} ({f.fact_type.replace('_', ' ')})" for f in known) or "(nothing)"

    def lines(turns: Sequence[dict[str, Any]]) -> str:
        return "\n".join(
            f"{person if t['role'] == 'user' else 'Companion'}: {' '.join(str(t['content']).split())}"
            for t in turns
        )

    body = f"Remembered:\n{facts}\n\n"
    if context:
        body += f"Earlier (context only):\n{lines(context)}\n\n"
    body += f"NEW:\n{lines(unread)}"
    return [ChatMessage("system", INSTRUCTIONS.replace("{today}", today)), ChatMessage("user", body)]


def learn_window(
    *,
    unit_of_work: Callable[[], UnitOfWork],
    model: ChatModel,
    model_name: str,
    conversation_id: int,
    now: datetime,
    embedder: Embedder | None = None,
    person: str = "Person",
) -> WindowResult:
    """Read the conversation's unread turns with the model and store what it learned (once).

    A model failure leaves the turns unread (the next window or the scheduled run reads them again);
    an answer that cannot be used marks them read, so one bad window never blocks the next.
    """
    with unit_of_work().reading() as uow:
        row = uow.session.execute(
            _WINDOW_SQL,
            {
                "conversation_id": conversation_id,
                "max_unread": MAX_UNREAD_MESSAGES,
                "context": CONTEXT_MESSAGES,
            },
        ).one_or_none()
        if row is None:
            return WindowResult(0, 0, 0, written=False)
        unread: list[dict[str, Any]] = list(row.unread or [])
        user_text = " ".join(str(t["content"]) for t in unread if t["role"] == "user")
        known: list[Recalled] = []
        if user_text:
            known = recall(
                uow.session,
                user_id=int(row.user_id),
                message=user_text,
                now=now,
                tuning=Tuning(limit=SHOWN_FACTS),
            )
    if not unread and not row.memory_unread:
        return WindowResult(0, 0, 0, written=False)  # nothing to read
    entities = [Entity(str(e["name"]), e.get("role")) for e in (row.entities or [])]
    user_turns = sum(1 for t in unread if t["role"] == "user")
    candidates: list[Candidate] = []
    if user_turns:
        try:
            data = model.structured(
                read_window_prompt(
                    known=known,
                    context=list(row.context or []),
                    unread=unread,
                    person=person,
                    today=day_in_words(now.date()),
                ),
                ModelParams(model=model_name, temperature=0.0, max_tokens=900),
                schema_name="memory_window",
                schema=WINDOW_SCHEMA,
            )
            candidates = candidates_from_model(data, known_ids=[f.id for f in known], entities=entities)
        except ModelError as exc:
            if exc.transient:
                logger.warning("memory window not read; will read it later", extra={"error": str(exc)[:200]})
                return WindowResult(0, 0, 0, written=False)
            logger.warning("memory window unreadable; skipping it", extra={"error": str(exc)[:200]})
        except (KeyError, TypeError, ValueError) as exc:
            logger.warning("memory window answer unusable; skipping it", extra={"error": str(exc)[:200]})
    vectors = vectors_to_store(embedder, candidates, ()) if embedder is not None and candidates else []
    last_id = max((int(t["id"]) for t in unread), default=row.memory_read_through)
    params = learn_params(
        user_id=int(row.user_id),
        guild_id=row.guild_id,
        now=now,
        candidates=candidates,
        source="auto_extraction",
        source_message_id=None,
        context=user_text,
    ) | {
        "conversation_id": conversation_id,
        "read_through": last_id,
        "was_read_through": row.memory_read_through,
        "user_turns": user_turns if unread else int(row.memory_unread),
    }
    statement = _WRITE_WINDOW_SQL
    if vectors and embedder is not None:
        statement = _WRITE_WINDOW_WITH_EMBEDDINGS_SQL
        params |= {"vectors": json.dumps(vectors), "embeddings_model": embedder.model}
    with unit_of_work() as uow:
        written = uow.session.execute(statement, params).one()
        uow.commit()
    if not written.advanced:
        logger.info("memory window already read by another run")
        return WindowResult(user_turns, 0, 0, written=False)
    logger.info(
        "memory window read",
        extra={"user_turns": user_turns, "facts_added": written.added, "facts_retired": written.retired},
    )
    return WindowResult(user_turns, int(written.added), int(written.retired), written=True)


# -- what is left when a conversation ends ---------------------------------------------------------

_ENDED_SQL = sql(
    """
SELECT c.id, COALESCE(u.custom_name, u.discord_display_name, u.discord_username, 'Person') AS name
FROM conversations c JOIN users u ON u.id = c.user_id
WHERE c.memory_unread > 0 AND c.last_message_at < CAST(:ended_before AS timestamptz)
ORDER BY c.last_message_at
LIMIT CAST(:batch AS int)
"""
)


def ended_conversations(session: Session, *, now: datetime, timeout: timedelta) -> list[tuple[int, str]]:
    """Conversations that went quiet for ``timeout`` with turns memory has not read (a partial index)."""
    rows = session.execute(_ENDED_SQL, {"ended_before": now - timeout, "batch": FLUSH_BATCH}).all()
    return [(int(r.id), str(r.name)) for r in rows]


def learn_ended(
    *,
    unit_of_work: Callable[[], UnitOfWork],
    model: ChatModel,
    model_name: str,
    now: datetime,
    timeout: timedelta,
    embedder: Embedder | None = None,
) -> int:
    """Read what is left of conversations that ended; the number of windows read."""
    if model.offline:
        return 0
    with unit_of_work().reading() as uow:
        ended = ended_conversations(uow.session, now=now, timeout=timeout)
    read = 0
    for conversation_id, name in ended:
        result = learn_window(
            unit_of_work=unit_of_work,
            model=model,
            model_name=model_name,
            conversation_id=conversation_id,
            now=now,
            embedder=embedder,
            person=name,
        )
        read += int(result.written)
    return read


# -- told directly (/memory remember) --------------------------------------------------------------

_REMEMBER_SQL = sql(
    "WITH " + LEARN_CTES.replace("{guard}", "true") + " SELECT (SELECT id FROM m_new LIMIT 1) AS fact_id"
)


def remember(session: Session, *, user_id: int, candidate: Candidate, now: datetime) -> int | None:
    """Store a fact the person asked us to remember; None when it is already remembered (in any form
    with the same words), however many facts the person has."""
    params = learn_params(
        user_id=user_id,
        guild_id=None,
        now=now,
        candidates=[candidate],
        source="manual",
        source_message_id=None,
        context=None,
    )
    fact_id = session.execute(_REMEMBER_SQL, params).scalar()
    return int(fact_id) if fact_id is not None else None
