"""Memory: the facts remembered about a person, their per-person postings and counts, the people and
animals of their life, facts' vectors, and links between two people's facts.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Computed,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from loyal_companion.db.base import (
    FALSE,
    TRUE,
    ZERO,
    Base,
    bigint_pk,
    created_at_column,
    updated_at_column,
    user_fk,
)
from loyal_companion.db.vector import Vector

# What a fact is found by (memory.recall): its words (weight A), who it is about (B) and its type (C), in
# PostgreSQL's English configuration (stemmed, stop words dropped). A trigger copies it into
# user_fact_terms, the per-person postings that recall reads (migration 0009).
FACT_SEARCH_VECTOR = (
    "setweight(to_tsvector('english'::regconfig, fact_content), 'A') || "
    "setweight(to_tsvector('english'::regconfig, "
    "COALESCE(subject, '') || ' ' || COALESCE(subject_role, '')), 'B') || "
    "setweight(to_tsvector('english'::regconfig, replace(fact_type, '_', ' ')), 'C')"
)


# The fact's words without case or punctuation: two facts with the same key say the same thing.
FACT_CONTENT_KEY = "btrim(regexp_replace(lower(fact_content), '[^[:alnum:]]+', ' ', 'g'))"


class UserFact(Base):
    __tablename__ = "user_facts"

    id: Mapped[int] = bigint_pk()
    user_id: Mapped[int] = mapped_column(BigInteger, user_fk(), index=True)
    fact_type: Mapped[str] = mapped_column(String(50), index=True)
    fact_content: Mapped[str] = mapped_column(Text)
    confidence: Mapped[float] = mapped_column(Float, server_default=text("1.0"))
    source: Mapped[str] = mapped_column(String(50), server_default=text("'conversation'"))
    is_active: Mapped[bool] = mapped_column(Boolean, server_default=TRUE, index=True)
    learned_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    last_referenced_at: Mapped[datetime | None] = mapped_column()
    category: Mapped[str | None] = mapped_column(String(50))
    importance: Mapped[float] = mapped_column(Float, server_default=text("0.5"))
    temporal_relevance: Mapped[str | None] = mapped_column(String(20))
    expiry_date: Mapped[datetime | None] = mapped_column()
    extracted_from_message_id: Mapped[int | None] = mapped_column(BigInteger)
    extraction_context: Mapped[str | None] = mapped_column(Text)
    # Who the fact is about when it is not the person: a name ("Biscuit") or a role ("father"), and the
    # role when known ("dog"). Recall finds "my dog is worse" through them.
    subject: Mapped[str | None] = mapped_column(String(100))
    subject_role: Mapped[str | None] = mapped_column(String(50))
    # When it happens or happened, where the person said so ("on 14 June").
    happens_on: Mapped[date | None] = mapped_column(Date)
    # A standing wish about how to be talked to ("They prefer short answers"): in every prompt.
    pinned: Mapped[bool] = mapped_column(Boolean, server_default=FALSE)
    # The newer fact that updated or contradicted this one (kept inactive, as history).
    superseded_by_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("user_facts.id", ondelete="SET NULL"), index=True
    )
    content_key: Mapped[str] = mapped_column(Text, Computed(FACT_CONTENT_KEY, persisted=True))
    search_vector: Mapped[str] = mapped_column(TSVECTOR, Computed(FACT_SEARCH_VECTOR, persisted=True))
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()

    __table_args__ = (
        # Remembering the same thing twice is found through this index, however much is remembered.
        Index(
            "ux_user_facts_user_id_content_key",
            "user_id",
            "content_key",
            unique=True,
            postgresql_where=text("is_active"),
        ),
        # The person's newest and most important facts (recall's fill when little matches).
        Index("ix_user_facts_user_id_id_active", "user_id", "id", postgresql_where=text("is_active")),
        Index(
            "ix_user_facts_user_id_importance_active",
            "user_id",
            "importance",
            "id",
            postgresql_where=text("is_active"),
        ),
        # What else is known about someone recall found (their dated events), and the standing wishes.
        Index(
            "ix_user_facts_user_id_subject_active",
            "user_id",
            text("lower(subject)"),
            "happens_on",
            postgresql_where=text("is_active AND happens_on IS NOT NULL"),
        ),
        Index("ix_user_facts_user_id_pinned", "user_id", postgresql_where=text("is_active AND pinned")),
        # A single-valued subject's current fact (home, job), replaced by a newer one.
        Index(
            "ix_user_facts_user_id_category_active",
            "user_id",
            "category",
            postgresql_where=text("is_active AND category IS NOT NULL"),
        ),
        CheckConstraint("confidence >= 0 AND confidence <= 1", name="confidence_range"),
        CheckConstraint("importance >= 0 AND importance <= 1", name="importance_range"),
        CheckConstraint(
            "temporal_relevance IS NULL OR temporal_relevance IN ('past', 'present', 'future', 'timeless')",
            name="temporal_relevance",
        ),
    )


class UserFactTerm(Base):
    """Per-person postings of the facts' search terms: term → facts, with the fact's BM25 term weight.

    Kept by triggers on user_facts (active facts only), so every way a fact is written or forgotten keeps
    them right. Recall reads a bounded slice of each term's postings through the primary key.
    """

    __tablename__ = "user_fact_terms"

    user_id: Mapped[int] = mapped_column(BigInteger, user_fk(), primary_key=True)
    term: Mapped[str] = mapped_column(Text, primary_key=True)
    fact_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    weight: Mapped[float] = mapped_column(Float)


class UserMemoryStats(Base):
    """How many active facts a person has (for recall's term rarity); kept by the same triggers."""

    __tablename__ = "user_memory_stats"

    user_id: Mapped[int] = mapped_column(BigInteger, user_fk(), primary_key=True)
    active_facts: Mapped[int] = mapped_column(Integer, server_default=ZERO)


class UserEntity(Base):
    """Someone or something in the person's life, by name and role ("Biscuit", "dog"), from the fact that
    named them: recall widens "my dog" to "Biscuit" and back. Forgetting that fact forgets the entity."""

    __tablename__ = "user_entities"

    id: Mapped[int] = bigint_pk()
    user_id: Mapped[int] = mapped_column(BigInteger, user_fk())
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str | None] = mapped_column(String(50))
    fact_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("user_facts.id", ondelete="CASCADE"), index=True
    )
    name_key: Mapped[str] = mapped_column(String(100), Computed("lower(name)", persisted=True))
    # The search terms of the name and the role, as recall compares them with a message's terms.
    terms: Mapped[list[str]] = mapped_column(
        ARRAY(Text),
        Computed(
            "tsvector_to_array(to_tsvector('english'::regconfig, name || ' ' || COALESCE(role, '')))",
            persisted=True,
        ),
    )
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()

    __table_args__ = (UniqueConstraint("user_id", "name_key"),)


class UserFactEmbedding(Base):
    """A fact's embedding, for relating facts to a message by meaning (pgvector's cosine distance).

    Exists only where the server has pgvector (migration 0008 skips it otherwise). One row per fact; the
    model is kept so that a change of EMBEDDINGS_MODEL ignores, then replaces, the old vectors. No vector
    index over everyone's vectors: recall compares the message with one person's newest vectors, found
    through (user_id, fact_id).
    """

    __tablename__ = "user_fact_embeddings"

    fact_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("user_facts.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(BigInteger, user_fk())
    model: Mapped[str] = mapped_column(String(200))
    # The vector's size, kept beside it so that finding a person's usable vectors never reads the vectors.
    dimensions: Mapped[int] = mapped_column(Integer)
    embedding: Mapped[list[float]] = mapped_column(Vector())
    created_at: Mapped[datetime] = created_at_column()

    __table_args__ = (
        CheckConstraint("dimensions = vector_dims(embedding)", name="dimensions"),
        Index("ix_user_fact_embeddings_user_id_fact_id", "user_id", "fact_id"),
    )


class FactAssociation(Base):
    __tablename__ = "fact_associations"

    id: Mapped[int] = bigint_pk()
    fact_id_1: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("user_facts.id", ondelete="CASCADE"), index=True
    )
    fact_id_2: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("user_facts.id", ondelete="CASCADE"), index=True
    )
    association_type: Mapped[str] = mapped_column(String(50))
    strength: Mapped[float] = mapped_column(Float, server_default=text("0.5"))
    discovered_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    created_at: Mapped[datetime] = created_at_column()

    __table_args__ = (
        UniqueConstraint("fact_id_1", "fact_id_2"),
        CheckConstraint("fact_id_1 <> fact_id_2", name="distinct_facts"),
    )
