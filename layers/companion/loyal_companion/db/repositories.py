"""Repositories: the queries, in one place per table family. They flush but never commit.

Each method takes what it needs (including ``now`` where time matters) and returns model objects or
plain values; the transaction belongs to the caller's unit of work.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any, Final

from sqlalchemy import delete, func, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from loyal_companion.db.models import (
    Guild,
    InteractionReceipt,
    Persona,
    Personality,
    SafetyReferralCount,
    ScheduledEvent,
    User,
    UserFact,
    UserPreference,
    UserRelationship,
)
from loyal_companion.db.sql import sql
from loyal_companion.db.vector import to_literal


class UserRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def upsert_seen(
        self,
        *,
        discord_id: int,
        username: str | None,
        display_name: str | None,
        now: datetime,
    ) -> User:
        """Create the user on first sight, otherwise refresh names and last_seen_at; one round trip."""
        values = insert(User).values(
            discord_id=discord_id,
            discord_username=username,
            discord_display_name=display_name,
            first_seen_at=now,
            last_seen_at=now,
        )
        stmt = values.on_conflict_do_update(
            index_elements=[User.discord_id],
            set_={
                "discord_username": func.coalesce(values.excluded.discord_username, User.discord_username),
                "discord_display_name": func.coalesce(
                    values.excluded.discord_display_name, User.discord_display_name
                ),
                "last_seen_at": now,
                "is_active": True,
                "updated_at": now,
            },
        ).returning(User)
        return self._session.scalars(stmt, execution_options={"populate_existing": True}).one()

    def by_discord_id(self, discord_id: int) -> User | None:
        return self._session.scalars(select(User).where(User.discord_id == discord_id)).one_or_none()

    def delete(self, user_id: int) -> bool:
        """Really delete the person; foreign keys cascade to everything that is theirs."""
        result = self._session.execute(delete(User).where(User.id == user_id).returning(User.id))
        return result.first() is not None


class PreferenceRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self, user_id: int, key: str) -> str | None:
        return self._session.scalars(
            select(UserPreference.preference_value).where(
                UserPreference.user_id == user_id, UserPreference.preference_key == key
            )
        ).one_or_none()

    def set(self, user_id: int, key: str, value: str | None, *, now: datetime) -> None:
        stmt = insert(UserPreference).values(user_id=user_id, preference_key=key, preference_value=value)
        stmt = stmt.on_conflict_do_update(
            index_elements=[UserPreference.user_id, UserPreference.preference_key],
            set_={"preference_value": value, "updated_at": now},
        )
        self._session.execute(stmt)

    def all_for(self, user_id: int) -> dict[str, str | None]:
        rows = self._session.execute(
            select(UserPreference.preference_key, UserPreference.preference_value).where(
                UserPreference.user_id == user_id
            )
        )
        return {row[0]: row[1] for row in rows}


class FactRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, fact: UserFact) -> UserFact:
        self._session.add(fact)
        self._session.flush()
        return fact

    def vectors_ready(self) -> bool:
        """The database keeps facts' vectors (pgvector and its table are there)."""
        return bool(
            self._session.execute(text("SELECT to_regclass('user_fact_embeddings') IS NOT NULL")).scalar()
        )

    def add_embedding(
        self, fact_id: int, *, user_id: int, model: str, vector: Sequence[float], now: datetime
    ) -> None:
        """Store a fact's embedding (the database has pgvector: ``vectors_ready``)."""
        self._session.execute(
            text(
                "INSERT INTO user_fact_embeddings "
                "(fact_id, user_id, model, dimensions, embedding, created_at) "
                "VALUES (:fact_id, :user_id, :model, :dimensions, CAST(:vector AS vector), :now) "
                "ON CONFLICT (fact_id) DO UPDATE SET model = EXCLUDED.model, "
                "dimensions = EXCLUDED.dimensions, embedding = EXCLUDED.embedding, "
                "created_at = EXCLUDED.created_at"
            ),
            {
                "fact_id": fact_id,
                "user_id": user_id,
                "model": model,
                "dimensions": len(vector),
                "vector": to_literal(vector),
                "now": now,
            },
        )

    def embeddings_for(self, user_id: int) -> list[dict[str, Any]]:
        """What is stored about the person's fact embeddings, for an export (the vectors themselves are
        numbers derived from the facts, thousands per fact, and are left out)."""
        ready = self._session.execute(text("SELECT to_regclass('user_fact_embeddings') IS NOT NULL")).scalar()
        if not ready:
            return []
        rows = self._session.execute(
            text(
                "SELECT e.fact_id, e.model, e.dimensions, e.created_at FROM user_fact_embeddings e "
                "JOIN user_facts f ON f.id = e.fact_id WHERE f.user_id = :u ORDER BY e.fact_id"
            ),
            {"u": user_id},
        ).mappings()
        return [dict(row) for row in rows]

    def active_for(self, user_id: int, *, limit: int = 100) -> Sequence[UserFact]:
        return self._session.scalars(
            select(UserFact)
            .where(UserFact.user_id == user_id, UserFact.is_active.is_(True))
            .order_by(UserFact.importance.desc(), UserFact.learned_at.desc(), UserFact.id.desc())
            .limit(limit)
        ).all()

    def active_page(self, user_id: int, *, offset: int, limit: int) -> tuple[list[UserFact], int]:
        """One page of the person's facts (most important first) and how many they have in all."""
        total = func.count().over().label("total")
        rows = self._session.execute(
            select(UserFact, total)
            .where(UserFact.user_id == user_id, UserFact.is_active.is_(True))
            .order_by(UserFact.importance.desc(), UserFact.learned_at.desc(), UserFact.id.desc())
            .offset(offset)
            .limit(limit)
        ).all()
        if not rows and offset > 0:
            count = self._session.scalar(
                select(func.count()).where(UserFact.user_id == user_id, UserFact.is_active.is_(True))
            )
            return [], int(count or 0)
        return [r[0] for r in rows], int(rows[0][1]) if rows else 0

    def active_one(self, user_id: int, fact_id: int) -> UserFact | None:
        """One of the person's own facts (never another's, whatever id is asked for)."""
        return self._session.scalar(
            select(UserFact).where(
                UserFact.id == fact_id, UserFact.user_id == user_id, UserFact.is_active.is_(True)
            )
        )

    def deactivate(self, user_id: int, fact_id: int, *, now: datetime) -> bool:
        """Soft-delete one of the person's facts (the id must be theirs: never trust a bare id)."""
        result = self._session.execute(
            update(UserFact)
            .where(UserFact.id == fact_id, UserFact.user_id == user_id, UserFact.is_active.is_(True))
            .values(is_active=False, updated_at=now)
            .returning(UserFact.id)
        )
        return result.first() is not None

    def delete_all_for(self, user_id: int) -> int:
        """Forget every fact of the person, and that they shared anything with anyone."""
        result = self._session.execute(
            delete(UserFact).where(UserFact.user_id == user_id).returning(UserFact.id)
        )
        self._session.execute(
            update(UserRelationship).where(UserRelationship.user_id == user_id).values(common_ground=False)
        )
        return len(result.all())


class GuildRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def upsert(self, *, discord_id: int, name: str | None, now: datetime) -> Guild:
        values = insert(Guild).values(discord_id=discord_id, name=name, joined_at=now)
        stmt = values.on_conflict_do_update(
            index_elements=[Guild.discord_id],
            set_={"name": func.coalesce(values.excluded.name, Guild.name), "updated_at": now},
        ).returning(Guild)
        return self._session.scalars(stmt, execution_options={"populate_existing": True}).one()


# A receipt answers a redelivered record; past the interaction token's 15 minutes no record is answered,
# so an hour is ample. After that the reply's text (a copy of personal data) goes.
RECEIPT_KEEP: Final = timedelta(hours=1)
CLAIM_FOR: Final = timedelta(seconds=90)  # longer than a worker spends on one record

_SETTLE_SQL = sql(
    """
WITH released AS (
    DELETE FROM interaction_claims WHERE interaction_id = CAST(:interaction_id AS bigint) RETURNING 1
)
DELETE FROM interaction_receipts
WHERE user_id = CAST(:user_id AS bigint) AND created_at < CAST(:before AS timestamptz)
"""
)

# The receipt if there is one; if not, a claim on the interaction (unless another worker's claim still
# holds). One statement, as the plain receipt check was.
_CLAIM_SQL = sql(
    """
WITH receipt AS (
    SELECT reply FROM interaction_receipts WHERE interaction_id = CAST(:interaction_id AS bigint)
), claim AS (
    INSERT INTO interaction_claims (interaction_id, claimed_until)
    SELECT CAST(:interaction_id AS bigint), CAST(:until AS timestamptz)
    WHERE NOT EXISTS (SELECT 1 FROM receipt)
    ON CONFLICT (interaction_id) DO UPDATE SET claimed_until = EXCLUDED.claimed_until
    WHERE interaction_claims.claimed_until < CAST(:now AS timestamptz)
    RETURNING 1
)
SELECT (SELECT reply FROM receipt) AS reply, EXISTS (SELECT 1 FROM claim) AS claimed
"""
)


class ReceiptRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self, interaction_id: int) -> InteractionReceipt | None:
        return self._session.get(InteractionReceipt, interaction_id)

    def release(self, interaction_id: int) -> None:
        self._session.execute(
            text("DELETE FROM interaction_claims WHERE interaction_id = :i"), {"i": interaction_id}
        )

    def receipt_or_claim(self, interaction_id: int, *, now: datetime) -> tuple[dict[str, Any] | None, bool]:
        """(the stored reply, None if none) and whether this worker now holds the interaction's claim."""
        row = self._session.execute(
            _CLAIM_SQL, {"interaction_id": interaction_id, "now": now, "until": now + CLAIM_FOR}
        ).one()
        return row.reply, bool(row.claimed)

    def add(
        self, *, interaction_id: int, user_id: int | None, command: str, reply: dict[str, Any], now: datetime
    ) -> None:
        """Store the reply (a concurrent twin storing the same interaction fails on the primary key), let go
        of the interaction's claim, and drop the person's receipts older than ``RECEIPT_KEEP``."""
        self._session.add(
            InteractionReceipt(
                interaction_id=interaction_id, user_id=user_id, command=command, reply=reply, created_at=now
            )
        )
        self._session.flush()
        self._session.execute(
            _SETTLE_SQL, {"interaction_id": interaction_id, "user_id": user_id, "before": now - RECEIPT_KEEP}
        )


class PersonalityRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def find(self, name: str) -> Personality | None:
        """By slug or (case-insensitive) name or display name."""
        key = name.strip().lower()
        return self._session.scalars(
            select(Personality)
            .where(
                (Personality.slug == key)
                | (func.lower(Personality.name) == key)
                | (func.lower(Personality.display_name) == key)
            )
            .order_by(Personality.id)
            .limit(1)
        ).one_or_none()

    def all(self) -> list[Personality]:
        return list(self._session.scalars(select(Personality).order_by(Personality.id)).all())


class RelationshipRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self, user_id: int, guild_id: int | None) -> UserRelationship | None:
        cond = (
            UserRelationship.guild_id.is_(None) if guild_id is None else UserRelationship.guild_id == guild_id
        )
        return self._session.scalars(
            select(UserRelationship).where(UserRelationship.user_id == user_id, cond)
        ).one_or_none()


class EventRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, event: ScheduledEvent) -> ScheduledEvent:
        self._session.add(event)
        self._session.flush()
        return event

    def cancel_pending(self, user_id: int, event_types: tuple[str, ...], *, now: datetime) -> int:
        result = self._session.execute(
            update(ScheduledEvent)
            .where(
                ScheduledEvent.user_id == user_id,
                ScheduledEvent.event_type.in_(event_types),
                ScheduledEvent.status == "pending",
            )
            .values(status="cancelled", updated_at=now)
            .returning(ScheduledEvent.id)
        )
        return len(result.all())


class PersonaRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def set_own(self, user: User, content: str, *, now: datetime) -> Persona:
        """The person's own description replaces any earlier one of theirs."""
        self.clear_own(user)
        persona = Persona(
            name=f"{user.display_name}'s persona", content=content, owner_id=user.id, is_global=False
        )
        self._session.add(persona)
        self._session.flush()
        user.global_persona_id = persona.id
        user.updated_at = now
        self._session.flush()
        return persona

    def clear_own(self, user: User) -> int:
        user.global_persona_id = None
        self._session.flush()
        result = self._session.execute(
            delete(Persona).where(Persona.owner_id == user.id).returning(Persona.id)
        )
        return len(result.all())


class SafetyCountRepository:
    """Crisis referrals per day, kind and language: nothing that points at a person."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, *, kind: str, language: str, now: datetime) -> None:
        stmt = insert(SafetyReferralCount).values(
            day=now.astimezone(UTC).date(), kind=kind, language=language, referrals=1, updated_at=now
        )
        self._session.execute(
            stmt.on_conflict_do_update(
                index_elements=[
                    SafetyReferralCount.day,
                    SafetyReferralCount.kind,
                    SafetyReferralCount.language,
                ],
                set_={"referrals": SafetyReferralCount.referrals + 1, "updated_at": now},
            )
        )

    def since(self, day: date) -> list[SafetyReferralCount]:
        return list(
            self._session.scalars(
                select(SafetyReferralCount)
                .where(SafetyReferralCount.day >= day)
                .order_by(SafetyReferralCount.day, SafetyReferralCount.kind, SafetyReferralCount.language)
            )
        )


class Repositories:
    """Every repository over one session: what a unit of work hands its caller."""

    def __init__(self, session: Session) -> None:
        self.users = UserRepository(session)
        self.preferences = PreferenceRepository(session)
        self.facts = FactRepository(session)
        self.guilds = GuildRepository(session)
        self.receipts = ReceiptRepository(session)
        self.personalities = PersonalityRepository(session)
        self.relationships = RelationshipRepository(session)
        self.events = EventRepository(session)
        self.personas = PersonaRepository(session)
        self.safety = SafetyCountRepository(session)
