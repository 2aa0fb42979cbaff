"""Facts' vectors, when an embeddings model is configured: whether the database can keep them (said once
when not), the vectors a turn's new facts and a few older ones get, written after the reply is delivered.
Recall compares them with the message's vector inside its statement (``memory.recall``).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from loyal_companion.db.sql import sql
from loyal_companion.db.uow import UnitOfWork
from loyal_companion.db.vector import to_literal
from loyal_companion.llm.types import Embedder, ModelError
from loyal_companion.memory.rules import Candidate, embedding_text

logger = logging.getLogger(__name__)


_warned_not_ready = False


def usable_embedder(embedder: Embedder | None, *, database_ready: bool) -> Embedder | None:
    """The embedder when both it and the database can relate facts by meaning; says once why not."""
    global _warned_not_ready
    if embedder is None:
        return None
    if not database_ready:
        if not _warned_not_ready:
            _warned_not_ready = True
            logger.warning(
                "EMBEDDINGS_MODEL is set but the database has no user_fact_embeddings table (pgvector); "
                "facts are ranked by their words. `lc migrate` says why"
            )
        return None
    return embedder


def embed_or_none(embedder: Embedder, texts: Sequence[str], *, purpose: str) -> list[list[float]] | None:
    """Vectors for ``texts``, or None (logged) when the embeddings server fails: the turn goes on."""
    if not texts:
        return []
    try:
        return embedder.embed(texts)
    except ModelError as exc:
        logger.warning(
            "embeddings unavailable; ranking facts by their words",
            extra={"purpose": purpose, "error": str(exc)[:200], "transient": exc.transient},
        )
        return None


@dataclass(frozen=True)
class UnembeddedFact:
    fact_id: int
    content: str
    subject: str | None = None
    subject_role: str | None = None


def vectors_to_store(
    embedder: Embedder, new_facts: Sequence[Candidate], unembedded: Sequence[UnembeddedFact]
) -> list[dict[str, Any]]:
    """Embeddings for this turn's new facts (matched by content) and for older facts that had none (by
    id), each embedded with who it is about."""
    texts = [embedding_text(c.content, c.subject, c.subject_role) for c in new_facts]
    texts += [embedding_text(f.content, f.subject, f.subject_role) for f in unembedded]
    vectors = embed_or_none(embedder, texts, purpose="facts")
    if not vectors:
        return []
    rows: list[dict[str, Any]] = [
        {"content": fact.content, "fact_id": None, "vector": to_literal(vector)}
        for fact, vector in zip(new_facts, vectors[: len(new_facts)], strict=True)
    ]
    rows += [
        {"content": None, "fact_id": fact.fact_id, "vector": to_literal(vector)}
        for fact, vector in zip(unembedded, vectors[len(new_facts) :], strict=True)
    ]
    return rows


_STORE_VECTORS_SQL = sql(
    """
WITH v AS (
    SELECT v.content, v.fact_id, CAST(v.vector AS vector) AS embedding
    FROM jsonb_to_recordset(CAST(:vectors AS jsonb)) AS v(content text, fact_id bigint, vector text)
), matched AS (
    SELECT f.id, v.embedding FROM v JOIN user_facts f
      ON f.id = v.fact_id AND f.user_id = CAST(:user_id AS bigint)
    UNION ALL
    SELECT f.id, v.embedding FROM v JOIN user_facts f
      ON v.fact_id IS NULL AND f.user_id = CAST(:user_id AS bigint) AND f.is_active
     AND f.content_key = btrim(regexp_replace(lower(v.content), '[^[:alnum:]]+', ' ', 'g'))
)
INSERT INTO user_fact_embeddings (fact_id, user_id, model, dimensions, embedding, created_at)
SELECT DISTINCT ON (id) id, CAST(:user_id AS bigint), CAST(:model AS text), vector_dims(embedding), embedding,
       CAST(:now AS timestamptz)
FROM matched ORDER BY id
ON CONFLICT (fact_id) DO UPDATE SET
    model = EXCLUDED.model, dimensions = EXCLUDED.dimensions, embedding = EXCLUDED.embedding,
    created_at = EXCLUDED.created_at
"""
)


def embed_after(
    unit_of_work: Callable[[], UnitOfWork],
    embedder: Embedder,
    *,
    user_id: int,
    new_facts: Sequence[Candidate],
    unembedded: Sequence[UnembeddedFact],
    now: datetime,
) -> int:
    """Embed what a turn learned and a few older facts with no vector, after the reply is delivered (the
    reply never waits for the embeddings server); what fails here is picked up by a later turn."""
    rows = vectors_to_store(embedder, new_facts, unembedded)
    if not rows:
        return 0
    with unit_of_work() as uow:
        stored = uow.session.execute(
            _STORE_VECTORS_SQL,
            {"vectors": json.dumps(rows), "user_id": user_id, "model": embedder.model, "now": now},
        )
        uow.commit()
    return int(getattr(stored, "rowcount", 0) or 0)
