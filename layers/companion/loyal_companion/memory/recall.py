"""Recall: the facts that matter for this message, found through indexes, ranked, and shown with dates.

How a message finds facts (one statement, ``RECALL_CTES``; the turn runs it beside the conversation
window in ``db.turns``):

1. Terms: the message in PostgreSQL's English configuration (stemmed, stop words dropped). Words that
   mean the same count as one concept: a role and its everyday words ("dad", "father"), an irregular
   verb's forms ("grow", "grew"), and a person's or animal's name and role ("my dog", "Biscuit", from
   ``user_entities``).
2. Lexical candidates, BM25 per concept: a concept's rarity among the person's facts (df from the
   postings, capped; N from ``user_memory_stats``), a fact's best word for it, and for each term the
   newest postings only (``per_term``), so the statement reads a bounded number of index entries however
   long the person's history is.
3. By meaning, when an embeddings model is configured: cosine similarity over the person's newest
   vectors (``vector_scan``), those at least ``vector_floor`` close.
4. Fusion: reciprocal-rank fusion (Σ 1/(60 + rank)) of the two lists, then light tie-breakers:
   importance, recency, and for "when" questions facts that carry a date.
5. Associated facts: whoever the best matches are about brings along the fact that named them and their
   dated events ("Maya wants a speech at the wedding" brings "Their sister is called Maya" and "Maya is
   getting married on 14 June"), which answers questions that span two facts.
6. Standing wishes about how to talk with them ("They prefer short answers") are in every prompt.
7. Fill: when few facts match, the most important and the newest.

Every fact comes back with ``related``: it matched the message through a word that carries meaning, or
by meaning. Sensitive facts are shown in public channels only when related (``rules.SENSITIVE_TYPES``).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Final

from sqlalchemy.orm import Session

from loyal_companion.db.sql import sql
from loyal_companion.db.vector import to_literal
from loyal_companion.llm.tokens import count_tokens
from loyal_companion.memory.query import WEAK_WORDS, Query, query_for
from loyal_companion.memory.rules import SENSITIVE_TYPES, fact_line

logger = logging.getLogger(__name__)

DEFAULT_LIMIT: Final = 12
MEMORY_TOKENS: Final = 600  # the memory section of the prompt at most
BACKFILL_PER_TURN: Final = 16
DEFAULT_SIMILARITY_WEIGHT: Final = 0.3


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
    someone_weight: float = 2.0  # a person or animal of their life, named in the message, counts double
    importance_weight: float = 0.06
    recency_weight: float = 0.06
    temporal_weight: float = 0.18
    period_weight: float = 0.3  # dated within the days the message names (period_margin days either side)
    period_margin: int = 3
    min_similarity: float = 0.45
    related_share: float = 0.25  # of the best lexical score, for "related"
    # A word in more than common_share of the person's facts weighs less, down to ubiquitous_weight at
    # ubiquitous_share (from ubiquity_min_facts facts on: a new person's few facts say little about this).
    related_word_weight: float = 0.6  # a word the message's concepts brought along, beside its own
    weak_weight: float = 0.3  # a word heard in every other message ("first", "get", "week")
    max_terms: int = 64
    common_share: float = 0.05
    ubiquitous_share: float = 0.25
    ubiquitous_weight: float = 0.02
    ubiquity_min_facts: int = 40
    similarity_weight: float = DEFAULT_SIMILARITY_WEIGHT


DEFAULT_TUNING: Final = Tuning()

_TERMS = """
m_q0 AS (
    SELECT lexeme AS term FROM unnest(to_tsvector('english'::regconfig, CAST(:query AS text)))
), m_weak AS (
    SELECT tsvector_to_array(to_tsvector('english'::regconfig, CAST(:weak_words AS text))) AS terms
), m_equal AS (
    -- Words that mean the same as one of the message's words ("dad father", "grow grew grown").
    SELECT 'g' || g.i AS concept, x.lexeme AS term
    FROM unnest(CAST(:equivalents AS text[])) WITH ORDINALITY AS g(words, i)
    CROSS JOIN LATERAL unnest(to_tsvector('english'::regconfig, g.words)) AS x
), m_concepts AS (
    -- Each term of the message stands for a concept: itself, or the group of words it is equal to.
    SELECT q.term, COALESCE((SELECT min(e.concept) FROM m_equal e WHERE e.term = q.term), q.term) AS concept
    FROM m_q0 q
    UNION SELECT term, concept FROM m_equal
), m_named AS (
    -- The people and animals the message speaks of: their name and role mean the same ("my dog" is Biscuit).
    SELECT DISTINCT unnest(e.terms) AS term, c.concept
    FROM user_entities e
    JOIN m_concepts c ON c.term = ANY (e.terms)
    WHERE e.user_id = CAST(:user_id AS bigint) AND e.terms && ARRAY(SELECT term FROM m_concepts)
), m_q AS (
    -- The message's own words first (a word it says outweighs one its concepts bring along).
    SELECT term, min(concept) AS concept, bool_or(own) AS own FROM (
        SELECT c.term, c.concept, c.term IN (SELECT term FROM m_q0) AS own FROM m_concepts c
        UNION ALL SELECT term, concept, true FROM m_named
    ) t
    GROUP BY term ORDER BY bool_or(own) DESC, term LIMIT CAST(:max_terms AS int)
), m_someone AS (
    -- A message that speaks of someone in the person's life is about them before anything else.
    SELECT DISTINCT concept FROM m_named
), m_n AS (
    SELECT GREATEST(1, COALESCE((SELECT active_facts FROM user_memory_stats
                                 WHERE user_id = CAST(:user_id AS bigint)), 1)) AS n
), m_w AS (
    -- Each word's weight: BM25's rarity among the person's facts (df counted up to df_cap); double for
    -- someone of their life named in the message; less for a word its concepts brought along or a word
    -- heard in every other message; almost nothing for a word in a large share of the person's facts
    -- (the two names of a conversation told line by line), between common_share and ubiquitous_share.
    SELECT q.term, q.concept, q.term <> ALL (m_weak.terms) AS strong,
           ln(1 + (m_n.n - d.df + 0.5) / (d.df + 0.5))
             * CASE WHEN q.concept IN (SELECT concept FROM m_someone) THEN CAST(:w_someone AS float8) ELSE 1 END
             * CASE WHEN q.own THEN 1 ELSE CAST(:w_related_word AS float8) END
             * CASE WHEN q.term = ANY (m_weak.terms) THEN CAST(:w_weak AS float8) ELSE 1 END
             * CASE WHEN m_n.n < CAST(:ubiquity_min_facts AS int) THEN 1
                    ELSE greatest(CAST(:ubiquitous_weight AS float8), least(1.0,
                         (CAST(:ubiquitous_share AS float8) - d.df::float8 / m_n.n)
                         / (CAST(:ubiquitous_share AS float8) - CAST(:common_share AS float8)))) END AS w
    FROM m_q q CROSS JOIN m_weak CROSS JOIN m_n
    CROSS JOIN LATERAL (
        SELECT count(*) AS df FROM (
            SELECT 1 FROM user_fact_terms p
            WHERE p.user_id = CAST(:user_id AS bigint) AND p.term = q.term
            LIMIT CAST(:df_cap AS int)
        ) c
    ) d
    WHERE d.df > 0
), m_matches AS (
    -- BM25 per concept: a fact that says "dog" and "Biscuit" scores the concept once, by its best word.
    SELECT p.fact_id, d.concept, max(d.w * p.weight) AS score, bool_or(d.strong) AS strong
    FROM m_w d
    CROSS JOIN LATERAL (
        SELECT p.fact_id, p.weight FROM user_fact_terms p
        WHERE p.user_id = CAST(:user_id AS bigint) AND p.term = d.term
        ORDER BY p.fact_id DESC
        LIMIT CAST(:per_term AS int)
    ) p
    GROUP BY p.fact_id, d.concept
), m_lexical AS (
    SELECT fact_id, sum(score) AS score, bool_or(strong) AS strong
    FROM m_matches
    GROUP BY fact_id
    ORDER BY score DESC, fact_id DESC
    LIMIT CAST(:lexical_limit AS int)
)"""

# Closeness in meaning over the person's newest vectors of the configured model (the message's vector is
# parsed once, as an InitPlan).
_VECTOR = """
, m_near AS (
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
    LIMIT 3 * CAST(:vector_limit AS int)
), m_vector AS (
    -- The closest in meaning, those at least vector_floor close.
    SELECT n.fact_id, n.sim
    FROM m_near n JOIN user_facts f ON f.id = n.fact_id AND f.is_active
    WHERE n.sim >= CAST(:vector_floor AS float8)
    ORDER BY n.sim DESC
    LIMIT CAST(:vector_limit AS int)
)"""
_NO_VECTOR = """
, m_vector AS (
    SELECT CAST(NULL AS bigint) AS fact_id, CAST(NULL AS float8) AS sim WHERE false
)"""

_RANK = """
, m_fused AS (
    -- The words' BM25 scaled to the best of its list, plus similarity_weight times the closeness in
    -- meaning scaled to the closest: meaning adds to what the words found and brings in what they
    -- missed, and never takes a strong match of the words away (lc bench memory chose the weight).
    SELECT x.fact_id,
           COALESCE(max(x.lex) / NULLIF((SELECT max(score) FROM m_lexical), 0), 0)
           + CAST(:similarity_weight AS float8) * COALESCE(max(x.sim) / NULLIF((SELECT max(sim) FROM m_vector), 0), 0)
             AS fused,
           max(x.lex) AS lex, bool_or(x.strong) AS strong, max(x.sim) AS sim
    FROM (
        SELECT fact_id, score AS lex, strong, CAST(NULL AS float8) AS sim FROM m_lexical
        UNION ALL
        SELECT fact_id, NULL, false, sim FROM m_vector
    ) x
    GROUP BY x.fact_id
), m_scored AS (
    SELECT f.id, f.fact_type, f.fact_content, f.subject, f.subject_role, f.happens_on, f.learned_at,
           u.fused
             + CAST(:w_importance AS float8) * f.importance
             + CAST(:w_recency AS float8)
               / (1 + extract(epoch FROM (CAST(:now AS timestamptz) - f.learned_at)) / 2592000.0)
             + CASE WHEN CAST(:temporal AS boolean) AND f.happens_on IS NOT NULL
                    THEN CAST(:w_temporal AS float8) ELSE 0 END
             -- Dated near the days the message names ("what did I do in May?"): when it happened, or
             -- else when it was told.
             + CASE WHEN COALESCE(f.happens_on, CAST(f.learned_at AS date))
                         BETWEEN CAST(:period_from AS date) - CAST(:period_margin AS int)
                             AND CAST(:period_to AS date) + CAST(:period_margin AS int)
                    THEN CAST(:w_period AS float8) ELSE 0 END AS score,
           (u.strong AND u.lex >= CAST(:related_share AS float8) * (SELECT max(score) FROM m_lexical))
             OR COALESCE(u.sim >= CAST(:min_similarity AS float8), false) AS related,
           'match' AS how
    FROM m_fused u
    JOIN user_facts f ON f.id = u.fact_id
    WHERE f.is_active AND (f.expiry_date IS NULL OR f.expiry_date > CAST(:now AS timestamptz))
    ORDER BY score DESC, f.id DESC
    LIMIT 2 * CAST(:recall_k AS int)
), m_hop AS (
    -- Whom the best matches are about brings along the fact that named them and their dated events.
    SELECT DISTINCT ON (f.id) f.id, f.fact_type, f.fact_content, f.subject, f.subject_role, f.happens_on,
           f.learned_at, t.score - 0.000001 * (1 + h.rank) AS score, t.related, 'named' AS how
    FROM (SELECT subject, score, related FROM m_scored WHERE subject IS NOT NULL ORDER BY score DESC LIMIT 3) t
    CROSS JOIN LATERAL (
        (SELECT e.fact_id AS id, 0 AS rank FROM user_entities e
          WHERE e.user_id = CAST(:user_id AS bigint) AND e.name_key = lower(t.subject))
        UNION ALL
        (SELECT x.id, 1 FROM user_facts x
          WHERE x.user_id = CAST(:user_id AS bigint) AND x.is_active AND x.happens_on IS NOT NULL
            AND lower(x.subject) = lower(t.subject) AND x.fact_type = 'event'
          ORDER BY x.happens_on DESC LIMIT 2)
    ) h
    JOIN user_facts f ON f.id = h.id AND f.is_active
    ORDER BY f.id, score DESC
), m_pinned AS (
    -- Standing wishes about how to talk with them: in every prompt.
    SELECT id, fact_type, fact_content, subject, subject_role, happens_on, learned_at, 10.0 AS score,
           true AS related, 'standing' AS how
    FROM user_facts WHERE user_id = CAST(:user_id AS bigint) AND is_active AND pinned
    ORDER BY id DESC LIMIT 3
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
    FROM (SELECT * FROM m_scored UNION ALL SELECT * FROM m_hop UNION ALL SELECT * FROM m_pinned
          UNION ALL SELECT * FROM m_fill) x
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
    how: str  # match, named (about whoever a match is about), standing, fill

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
    query: Query = query_for(message, today=now.date())
    params: dict[str, Any] = {
        "user_id": user_id,
        "query": query.text,
        "equivalents": list(query.equivalents),
        "temporal": query.temporal,
        "period_from": query.period[0] if query.period else None,
        "period_to": query.period[1] if query.period else None,
        "period_margin": tuning.period_margin,
        "w_period": tuning.period_weight,
        "weak_words": " ".join(sorted(WEAK_WORDS)),
        "now": now,
        "recall_k": tuning.limit,
        "df_cap": tuning.df_cap,
        "per_term": tuning.per_term,
        "lexical_limit": tuning.lexical_limit,
        "w_someone": tuning.someone_weight,
        "w_importance": tuning.importance_weight,
        "w_recency": tuning.recency_weight,
        "w_temporal": tuning.temporal_weight,
        "min_similarity": tuning.min_similarity,
        "related_share": tuning.related_share,
        "w_related_word": tuning.related_word_weight,
        "w_weak": tuning.weak_weight,
        "max_terms": tuning.max_terms,
        "common_share": tuning.common_share,
        "ubiquitous_share": tuning.ubiquitous_share,
        "ubiquitous_weight": tuning.ubiquitous_weight,
        "ubiquity_min_facts": tuning.ubiquity_min_facts,
        "similarity_weight": by_meaning.weight if by_meaning else tuning.similarity_weight,
        "vector_floor": tuning.vector_floor,
    }
    if by_meaning is not None:
        vector = by_meaning.query
        params |= {
            "query_vector": to_literal(vector) if vector else None,
            "embeddings_model": by_meaning.model,
            "dims": len(vector) if vector else None,
            "vector_scan": tuning.vector_scan,
            "vector_limit": tuning.vector_limit,
        }
    return params


_RECALL_SQL = sql(f"WITH {RECALL_CTES} SELECT {RECALLED_JSON} AS facts")
_RECALL_BY_MEANING_SQL = sql(f"WITH {RECALL_CTES_BY_MEANING} SELECT {RECALLED_JSON} AS facts")


def recall(
    session: Session,
    *,
    user_id: int,
    message: str,
    now: datetime,
    tuning: Tuning = DEFAULT_TUNING,
    by_meaning: ByMeaning | None = None,
) -> list[Recalled]:
    """The facts recall brings for ``message``, best first (the turn runs the same CTEs beside its window)."""
    params = recall_params(user_id=user_id, message=message, now=now, tuning=tuning, by_meaning=by_meaning)
    statement = _RECALL_SQL if by_meaning is None else _RECALL_BY_MEANING_SQL
    return recalled_from_json(session.execute(statement, params).scalar())


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


def for_prompt(
    recalled: Sequence[Recalled],
    *,
    public: bool,
    limit: int = DEFAULT_LIMIT,
    today: date | None = None,
    max_tokens: int = MEMORY_TOKENS,
) -> list[Recalled]:
    """What may reach the prompt: in a public channel, sensitive facts only when the message is about
    them; everywhere, at most ``limit``, best first, and (given ``today``, to write their dates) no more
    than ``max_tokens`` of memory section: a long line that would not fit gives way to shorter ones."""
    eligible = [r for r in recalled if not (public and r.sensitive and not r.related)][:limit]
    if today is None:
        return eligible
    shown, used = [], 0
    for r, line in zip(eligible, prompt_lines(eligible, today=today), strict=True):
        cost = count_tokens(f"- {line}\n")
        if used + cost <= max_tokens:
            shown.append(r)
            used += cost
    return shown


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
