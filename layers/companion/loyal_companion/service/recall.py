"""Relating a person's facts to their message by meaning (embeddings and pgvector), when configured.

Off unless EMBEDDINGS_MODEL is set and the database has pgvector (``user_fact_embeddings``, migration
0008). A turn embeds the message before it loads facts, and, after the reply, the facts it learned
together with a few older facts that have no embedding yet (one request). When the embeddings server
fails, that turn ranks facts by full text and nothing is lost: what missed its embedding is picked up
by a later turn.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from loyal_companion.db.turns import UnembeddedFact
from loyal_companion.db.vector import to_literal
from loyal_companion.llm.types import Embedder, ModelError

logger = logging.getLogger(__name__)

BACKFILL_PER_TURN = 16
DEFAULT_SIMILARITY_WEIGHT = 1.0

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
                "facts are ranked by full text. `lc migrate` says why"
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
            "embeddings unavailable; ranking facts by full text",
            extra={"purpose": purpose, "error": str(exc)[:200], "transient": exc.transient},
        )
        return None


def vectors_to_store(
    embedder: Embedder, new_facts: Sequence[str], unembedded: Sequence[UnembeddedFact]
) -> list[dict[str, Any]]:
    """Embeddings for this turn's new facts (by content) and for older facts that had none (by id)."""
    texts = list(new_facts) + [fact.content for fact in unembedded]
    vectors = embed_or_none(embedder, texts, purpose="facts")
    if not vectors:
        return []
    rows: list[dict[str, Any]] = [
        {"content": content, "fact_id": None, "vector": to_literal(vector)}
        for content, vector in zip(new_facts, vectors[: len(new_facts)], strict=True)
    ]
    rows += [
        {"content": None, "fact_id": fact.fact_id, "vector": to_literal(vector)}
        for fact, vector in zip(unembedded, vectors[len(new_facts) :], strict=True)
    ]
    return rows
