"""Recall: the facts that matter for this message, found through indexes, ranked, and shown with dates.

How a message finds facts (one statement, ``RECALL_CTES``; the turn runs it beside the conversation
window in ``db.turns``):

1. Terms: the message in PostgreSQL's English configuration (stemmed, stop words dropped), the
   canonical roles its words stand for ("dad" → father, ``rules.query_for``), and the names and roles of
   the people and animals the message mentions ("my dog" → Biscuit, from ``user_entities``).
2. Lexical candidates, BM25: each term's rarity among the person's facts (df from the postings, capped;
   N from ``user_memory_stats``), and for each term the newest postings only (``per_term``), so the
   statement reads a bounded number of index entries however long the person's history is.
3. By meaning, when an embeddings model is configured: cosine similarity over the person's newest
   vectors (``vector_scan``), those at least ``vector_floor`` close.
4. Fusion: reciprocal-rank fusion (Σ 1/(60 + rank)) of the two lists, then light tie-breakers:
   importance, recency, and for "when" questions facts that carry a date.
5. Associated facts: the fact that named whoever the best matches are about comes along ("Maya is
   getting married" brings "Their sister is called Maya"), which answers questions that span two facts.
6. Fill: when few facts match, the most important and the newest.

Every fact comes back with ``related``: it matched the message through a word that carries meaning, or
by meaning. Sensitive facts are shown in public channels only when related (``rules.SENSITIVE_TYPES``).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Final

from loyal_companion.db.vector import to_literal
from loyal_companion.llm.types import Embedder, ModelError
from loyal_companion.memory.rules import SENSITIVE_TYPES, WEAK_WORDS, Query, fact_line, query_for

logger = logging.getLogger(__name__)

DEFAULT_LIMIT: Final = 12
BACKFILL_PER_TURN: Final = 16
DEFAULT_SIMILARITY_WEIGHT: Final = 1.0


@dataclass(frozen=True)
class Tuning:
    """Recall's knobs. The defaults are what ``lc bench memory`` measures."""

    limit: int = DEFAULT_LIMIT
    df_cap: int = 1000  # a term's rarity is counted up to here (a rarer term's weight is exact)
    per_term: int = 200  # the newest postings read per term
    lexical_limit: int = 60
    vector_scan: int = 4000  # the person's newest vectors compared with the message
    vector_limit: int = 60
    vector_floor: float = 0.2  # closer than this counts as related in meaning at all
    importance_weight: float = 0.001
    recency_weight: float = 0.001
    temporal_weight: float = 0.003
    min_similarity: float = 0.45
    related_share: float = 0.25  # of the best lexical score, for "related"
    similarity_weight: float = DEFAULT_SIMILARITY_WEIGHT


DEFAULT_TUNING: Final = Tuning()

_TERMS = """
m_q0 AS (
    SELECT lexeme AS term FROM unnest(to_tsvector('english'::regconfig, CAST(:query AS text)))
), m_weak AS (
    SELECT tsvector_to_array(to_tsvector('english'::regconfig, CAST(:weak_words AS text))) AS terms
), m_named AS (
    SELECT e.terms FROM user_entities e
    WHERE e.user_id = CAST(:user_id AS bigint) AND e.terms && ARRAY(SELECT term FROM m_q0)
    LIMIT 20
), m_q AS (
    SELECT t.term, max(t.qw) AS qw FROM (
        SELECT term, 1.0 AS qw FROM m_q0
        UNION ALL
        SELECT lexeme, 0.7 FROM unnest(to_tsvector('english'::regconfig, CAST(:expansion AS text)))
        UNION ALL
        SELECT unnest(terms), 0.7 FROM m_named
    ) t
    GROUP BY t.term ORDER BY max(t.qw) DESC, t.term LIMIT 24
), m_n AS (
    SELECT GREATEST(1, COALESCE((SELECT active_facts FROM user_memory_stats
                                 WHERE user_id = CAST(:user_id AS bigint)), 1)) AS n
), m_idf AS (
    SELECT q.term, q.qw * ln(1 + (m_n.n - d.df + 0.5) / (d.df + 0.5)) AS w,
           q.term <> ALL (m_weak.terms) AS strong
    FROM m_q q CROSS JOIN m_n CROSS JOIN m_weak
    CROSS JOIN LATERAL (
        SELECT count(*) AS df FROM (
            SELECT 1 FROM user_fact_terms p
            WHERE p.user_id = CAST(:user_id AS bigint) AND p.term = q.term
            LIMIT CAST(:df_cap AS int)
        ) c
    ) d
    WHERE d.df > 0
), m_lexical AS (
    SELECT p.fact_id, sum(i.w * p.weight) AS score, bool_or(i.strong) AS strong
    FROM m_idf i
    CROSS JOIN LATERAL (
        SELECT p.fact_id, p.weight FROM user_fact_terms p
        WHERE p.user_id = CAST(:user_id AS bigint) AND p.term = i.term
        ORDER BY p.fact_id DESC
        LIMIT CAST(:per_term AS int)
    ) p
    GROUP BY p.fact_id
    ORDER BY score DESC, p.fact_id DESC
    LIMIT CAST(:lexical_limit AS int)
), m_lexical_ranked AS (
    SELECT fact_id, score, strong, row_number() OVER (ORDER BY score DESC, fact_id DESC) AS r
    FROM m_lexical
)"""

# Closeness in meaning over the person's newest vectors of the configured model (the message's vector is
# parsed once, as an InitPlan).
_VECTOR = """
, m_vector AS (
    SELECT v.fact_id, v.sim, row_number() OVER (ORDER BY v.sim DESC, v.fact_id DESC) AS r
    FROM (
        SELECT e.fact_id, 1 - (e.embedding <=> (SELECT CAST(:query_vector AS vector))) AS sim
        FROM (
            SELECT fact_id, embedding FROM user_fact_embeddings
            WHERE user_id = CAST(:user_id AS bigint) AND model = CAST(:embeddings_model AS text)
              AND dimensions = CAST(:dims AS int)
            ORDER BY fact_id DESC
            LIMIT CAST(:vector_scan AS int)
        ) e
        WHERE CAST(:query_vector AS text) IS NOT NULL
        ORDER BY sim DESC
        LIMIT CAST(:vector_limit AS int)
    ) v
    WHERE v.sim >= CAST(:vector_floor AS float8)
)"""
_NO_VECTOR = """
, m_vector AS (
    SELECT CAST(NULL AS bigint) AS fact_id, CAST(NULL AS float8) AS sim, CAST(NULL AS bigint) AS r
    WHERE false
)"""

_RANK = """
, m_fused AS (
    SELECT x.fact_id, sum(x.rrf) AS rrf, max(x.lex) AS lex, bool_or(x.strong) AS strong, max(x.sim) AS sim
    FROM (
        SELECT fact_id, 1.0 / (60 + r) AS rrf, score AS lex, strong, CAST(NULL AS float8) AS sim
        FROM m_lexical_ranked
        UNION ALL
        SELECT fact_id, CAST(:similarity_weight AS float8) / (60 + r), NULL, false, sim FROM m_vector
    ) x
    GROUP BY x.fact_id
), m_scored AS (
    SELECT f.id, f.fact_type, f.fact_content, f.subject, f.subject_role, f.happens_on, f.learned_at,
           u.rrf
             + CAST(:w_importance AS float8) * f.importance
             + CAST(:w_recency AS float8)
               / (1 + extract(epoch FROM (CAST(:now AS timestamptz) - f.learned_at)) / 2592000.0)
             + CASE WHEN CAST(:temporal AS boolean) AND f.happens_on IS NOT NULL
                    THEN CAST(:w_temporal AS float8) ELSE 0 END AS score,
           (u.strong AND u.lex >= CAST(:related_share AS float8) * (SELECT max(score) FROM m_lexical))
             OR COALESCE(u.sim >= CAST(:min_similarity AS float8), false) AS related,
           'match' AS how
    FROM m_fused u
    JOIN user_facts f ON f.id = u.fact_id
    WHERE f.is_active AND (f.expiry_date IS NULL OR f.expiry_date > CAST(:now AS timestamptz))
    ORDER BY score DESC, f.id DESC
    LIMIT 2 * CAST(:recall_k AS int)
), m_hop AS (
    SELECT f.id, f.fact_type, f.fact_content, f.subject, f.subject_role, f.happens_on, f.learned_at,
           t.score - 0.000001 AS score, t.related, 'named' AS how
    FROM (SELECT subject, score, related FROM m_scored WHERE subject IS NOT NULL ORDER BY score DESC LIMIT 3) t
    JOIN user_entities e ON e.user_id = CAST(:user_id AS bigint) AND e.name_key = lower(t.subject)
    JOIN user_facts f ON f.id = e.fact_id AND f.is_active
), m_fill AS (
    SELECT f.id, f.fact_type, f.fact_content, f.subject, f.subject_role, f.happens_on, f.learned_at,
           f.importance - 2 AS score, false AS related, 'fill' AS how
    FROM (
        (SELECT id, fact_type, fact_content, subject, subject_role, happens_on, learned_at, importance,
                expiry_date
           FROM user_facts WHERE user_id = CAST(:user_id AS bigint) AND is_active
          ORDER BY importance DESC, id DESC LIMIT CAST(:recall_k AS int))
        UNION
        (SELECT id, fact_type, fact_content, subject, subject_role, happens_on, learned_at, importance,
                expiry_date
           FROM user_facts WHERE user_id = CAST(:user_id AS bigint) AND is_active
          ORDER BY id DESC LIMIT 4)
    ) f
    WHERE f.expiry_date IS NULL OR f.expiry_date > CAST(:now AS timestamptz)
), m_recalled AS (
    SELECT DISTINCT ON (id) id, fact_type, fact_content, subject, subject_role, happens_on, learned_at, score,
           related, how
    FROM (SELECT * FROM m_scored UNION ALL SELECT * FROM m_hop UNION ALL SELECT * FROM m_fill) x
    ORDER BY id, score DESC
)"""

RECALL_CTES: Final = _TERMS + _NO_VECTOR + _RANK
RECALL_CTES_BY_MEANING: Final = _TERMS + _VECTOR + _RANK
# The recalled facts as one JSON array, best first (twice the limit: public channels leave some out).
RECALLED_JSON: Final = """
(SELECT json_agg(r ORDER BY r.score DESC, r.id DESC) FROM (
    SELECT id, fact_type, fact_content AS content, subject, subject_role, happens_on, learned_at, score,
           related, how
    FROM m_recalled ORDER BY score DESC, id DESC LIMIT 2 * CAST(:recall_k AS int)
) r)"""


@dataclass(frozen=True)
class ByMeaning:
    """Relating facts to the message by meaning: the embeddings model, the message's vector (None when the
    embeddings server failed: the lexical ranking alone), and how many unembedded facts to hand back."""

    model: str
    query: Sequence[float] | None
    weight: float = DEFAULT_SIMILARITY_WEIGHT
    backfill: int = BACKFILL_PER_TURN


@dataclass(frozen=True)
class Recalled:
    """One fact recall brought back, with what the prompt and the rules need to know about it."""

    id: int
    fact_type: str
    content: str
    subject: str | None
    subject_role: str | None
    happens_on: date | None
    learned_at: datetime | None
    score: float
    related: bool
    how: str  # match, named (the fact that named whoever a match is about), fill

    @property
    def sensitive(self) -> bool:
        return self.fact_type in SENSITIVE_TYPES


def recall_params(
    *,
    user_id: int,
    message: str,
    now: datetime,
    tuning: Tuning = DEFAULT_TUNING,
    by_meaning: ByMeaning | None = None,
) -> dict[str, Any]:
    """The statement's parameters for ``message`` (``RECALL_CTES`` or, with ``by_meaning``,
    ``RECALL_CTES_BY_MEANING``)."""
    query: Query = query_for(message)
    params: dict[str, Any] = {
        "user_id": user_id,
        "query": query.text,
        "expansion": query.expansion,
        "temporal": query.temporal,
        "weak_words": " ".join(sorted(WEAK_WORDS)),
        "now": now,
        "recall_k": tuning.limit,
        "df_cap": tuning.df_cap,
        "per_term": tuning.per_term,
        "lexical_limit": tuning.lexical_limit,
        "w_importance": tuning.importance_weight,
        "w_recency": tuning.recency_weight,
        "w_temporal": tuning.temporal_weight,
        "min_similarity": tuning.min_similarity,
        "related_share": tuning.related_share,
        "similarity_weight": by_meaning.weight if by_meaning else tuning.similarity_weight,
    }
    if by_meaning is not None:
        vector = by_meaning.query
        params |= {
            "query_vector": to_literal(vector) if vector else None,
            "embeddings_model": by_meaning.model,
            "dims": len(vector) if vector else None,
            "vector_scan": tuning.vector_scan,
            "vector_limit": tuning.vector_limit,
            "vector_floor": tuning.vector_floor,
        }
    return params


def recalled_from_json(rows: list[dict[str, Any]] | None) -> list[Recalled]:
    out = []
    for row in rows or []:
        happens = row.get("happens_on")
        learned = row.get("learned_at")
        out.append(
            Recalled(
                id=int(row["id"]),
                fact_type=str(row["fact_type"]),
                content=str(row["content"]),
                subject=row.get("subject"),
                subject_role=row.get("subject_role"),
                happens_on=date.fromisoformat(happens[:10]) if isinstance(happens, str) else None,
                learned_at=datetime.fromisoformat(learned) if isinstance(learned, str) else None,
                score=float(row["score"]),
                related=bool(row["related"]),
                how=str(row["how"]),
            )
        )
    return out


def for_prompt(recalled: Sequence[Recalled], *, public: bool, limit: int = DEFAULT_LIMIT) -> list[Recalled]:
    """What may reach the prompt: in a public channel, sensitive facts only when the message is about
    them; everywhere, at most ``limit``, best first."""
    eligible = [r for r in recalled if not (public and r.sensitive and not r.related)]
    return eligible[:limit]


def prompt_lines(recalled: Sequence[Recalled], *, today: date) -> list[str]:
    """The facts as the prompt shows them, with their dates in words."""
    return [
        fact_line(
            r.content,
            learned_on=r.learned_at.date() if r.learned_at else None,
            happens_on=r.happens_on,
            today=today,
        )
        for r in recalled
    ]


# -- embeddings ------------------------------------------------------------------------------------

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
