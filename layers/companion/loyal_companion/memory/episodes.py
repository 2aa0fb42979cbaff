"""Episodes: what happened in a conversation, summarised by a model when it ends.

A few dated lines ("On Tuesday 7 May 2024 Mara went to her first pottery class and loved it") kept as facts
of type ``episode`` and recalled like any other, so a question whose answer was told in two places of a
long talk often finds it in one line, with its day. The turn marks a conversation ``episode_pending``
whenever memory will read it with a model; the scheduled run summarises the ones that have ended, once
(the summary is written only if no turn came after it was read). With no model there are no episodes:
each fact keeps the day it was told, and the prompt shows it.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from typing import Any, Final

from loyal_companion.db.sql import sql
from loyal_companion.db.uow import UnitOfWork
from loyal_companion.llm.types import ChatMessage, ChatModel, Embedder, ModelError, ModelParams
from loyal_companion.memory.learn import EMBEDDED_CTES, LEARN_CTES, learn_params
from loyal_companion.memory.rules import EPISODE, Candidate, day_in_words
from loyal_companion.memory.vectors import vectors_to_store

logger = logging.getLogger(__name__)

MAX_MESSAGES: Final = 60  # the end of a long conversation; its start was summarised by an earlier episode
MAX_EPISODES: Final = 4
MAX_CHARS: Final = 300
BATCH: Final = 20
IMPORTANCE: Final = 0.6
_LEADING_WORDS: Final = frozenset("They Their The A An He She His Her It We Our".split())

INSTRUCTIONS: Final = (
    "You keep the diary of a companion. Below is a conversation that has just ended, with the day each "
    "part was said. Write what happened in it as one to four lines a diary would keep, each standing "
    'alone: it starts with the day it happened, written out ("On Tuesday 7 May 2024 …"), is in the '
    "third person, names who was involved ({person} is the person; name anyone else they spoke of), and "
    "keeps the specific details (places, names, numbers, what was made, won or lost). The day something "
    'happened is the day it was said unless they said another ("yesterday" is the day before). Put '
    'that day in "day" as YYYY-MM-DD. Leave out small talk and what the companion said; write no '
    "lines when nothing happened."
)

SCHEMA: Final = {
    "type": "object",
    "additionalProperties": False,
    "required": ["episodes"],
    "properties": {
        "episodes": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["day", "line"],
                "properties": {"day": {"type": "string"}, "line": {"type": "string"}},
            },
        }
    },
}

_ENDED_SQL = sql(
    """
SELECT c.id, c.user_id, c.guild_id, c.last_message_at,
       COALESCE(u.custom_name, u.discord_display_name, u.discord_username, 'the person') AS name
FROM conversations c JOIN users u ON u.id = c.user_id
WHERE c.episode_pending AND c.last_message_at < CAST(:ended_before AS timestamptz)
ORDER BY c.last_message_at
LIMIT CAST(:batch AS int)
"""
)

# The conversation's last messages (never what was said in a crisis), oldest first.
_MESSAGES_SQL = sql(
    """
SELECT role, content, to_char(created_at, 'YYYY-MM-DD') AS day FROM (
    SELECT id, role, content, created_at FROM messages
    WHERE conversation_id = CAST(:conversation_id AS bigint) AND safety_concern IS NULL
    ORDER BY id DESC LIMIT CAST(:limit AS int)
) m ORDER BY id
"""
)

_DONE = (
    "m_done AS (UPDATE conversations SET episode_pending = false"
    " WHERE id = CAST(:conversation_id AS bigint) AND episode_pending"
    " AND last_message_at = CAST(:last_message_at AS timestamptz) RETURNING id), "
)
_WRITE_SQL = sql(
    "WITH "
    + _DONE
    + LEARN_CTES.replace("{guard}", "EXISTS (SELECT 1 FROM m_done)")
    + " SELECT (SELECT count(*) FROM m_done) AS done, (SELECT count(*) FROM m_new) AS added"
)
_WRITE_WITH_VECTORS_SQL = sql(
    "WITH "
    + _DONE
    + LEARN_CTES.replace("{guard}", "EXISTS (SELECT 1 FROM m_done)")
    + EMBEDDED_CTES
    + " SELECT (SELECT count(*) FROM m_done) AS done, (SELECT count(*) FROM m_new) AS added"
)


def prompt(messages: Sequence[dict[str, Any]], *, person: str) -> list[ChatMessage]:
    """The model's instructions and the conversation, with a heading for each day."""
    lines: list[str] = []
    day: str | None = None
    for m in messages:
        if m["day"] != day:
            day = str(m["day"])
            lines.append(f"[{day_in_words(date.fromisoformat(day))}]")
        who = person if m["role"] == "user" else "Companion"
        lines.append(f"{who}: {' '.join(str(m['content']).split())}")
    return [
        ChatMessage("system", INSTRUCTIONS.replace("{person}", person)),
        ChatMessage("user", "\n".join(lines)),
    ]


def episodes_from_model(data: Any, *, first: date, last: date) -> list[Candidate]:
    """The model's lines as facts: at most four, each with a day between a month before the conversation
    began and its end (the conversation's last day otherwise), the day written into it when it has none."""
    out: list[Candidate] = []
    for item in list(data.get("episodes") or [])[:MAX_EPISODES]:
        line = " ".join(str(item.get("line") or "").split())[:MAX_CHARS].rstrip(".")
        if not line:
            continue
        try:
            day = date.fromisoformat(str(item.get("day"))[:10])
        except ValueError:
            day = last
        if not first - timedelta(days=31) <= day <= last:
            day = last
        if not line.lower().startswith("on "):
            word, _, rest = line.partition(" ")
            word = word.lower() if word in _LEADING_WORDS else word  # "they went", not a name
            line = f"On {day_in_words(day)}, {word} {rest}".rstrip()
        out.append(
            Candidate(
                EPISODE,
                line,
                importance=IMPORTANCE,
                confidence=0.8,
                temporal_relevance="past",
                happens_on=day,
            )
        )
    return out


def summarise_ended(
    *,
    unit_of_work: Callable[[], UnitOfWork],
    model: ChatModel,
    model_name: str,
    now: datetime,
    timeout: timedelta,
    embedder: Embedder | None = None,
) -> int:
    """Summarise the conversations that ended since they were last summarised; the episodes written."""
    if model.offline:
        return 0
    with unit_of_work().reading() as uow:
        ended = uow.session.execute(_ENDED_SQL, {"ended_before": now - timeout, "batch": BATCH}).all()
    written = 0
    for row in ended:
        with unit_of_work().reading() as uow:
            messages = [
                dict(m._mapping)
                for m in uow.session.execute(
                    _MESSAGES_SQL, {"conversation_id": row.id, "limit": MAX_MESSAGES}
                ).all()
            ]
        candidates: list[Candidate] = []
        if any(m["role"] == "user" for m in messages):
            try:
                data = model.structured(
                    prompt(messages, person=str(row.name)),
                    ModelParams(model=model_name, temperature=0.0, max_tokens=500),
                    schema_name="episodes",
                    schema=SCHEMA,
                )
                candidates = episodes_from_model(
                    data,
                    first=date.fromisoformat(messages[0]["day"]),
                    last=date.fromisoformat(messages[-1]["day"]),
                )
            except ModelError as exc:
                if exc.transient:
                    logger.warning("episode not summarised; will try later", extra={"error": str(exc)[:200]})
                    continue
                logger.warning("episode unsummarisable; skipping it", extra={"error": str(exc)[:200]})
            except (AttributeError, TypeError, ValueError) as exc:
                logger.warning("episode answer unusable; skipping it", extra={"error": repr(exc)[:200]})
        written += _write(unit_of_work, row, candidates, now=now, embedder=embedder)
    return written


def _write(
    unit_of_work: Callable[[], UnitOfWork],
    row: Any,
    candidates: Sequence[Candidate],
    *,
    now: datetime,
    embedder: Embedder | None,
) -> int:
    params = learn_params(
        user_id=int(row.user_id),
        guild_id=row.guild_id,
        now=now,
        candidates=candidates,
        source="episode",
        source_message_id=None,
        context=None,
    ) | {"conversation_id": row.id, "last_message_at": row.last_message_at}
    statement = _WRITE_SQL
    vectors = vectors_to_store(embedder, candidates, ()) if embedder is not None and candidates else []
    if vectors and embedder is not None:
        statement = _WRITE_WITH_VECTORS_SQL
        params |= {"vectors": json.dumps(vectors), "embeddings_model": embedder.model}
    with unit_of_work() as uow:
        result = uow.session.execute(statement, params).one()
        uow.commit()
    if not result.done:
        logger.info("conversation went on before its episode was written; summarised later")
        return 0
    logger.info("episodes written", extra={"episodes": int(result.added)})
    return int(result.added)
