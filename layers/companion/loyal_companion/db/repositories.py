"""Repositories: the queries, in one place per table family. They flush but never commit.

Each method takes what it needs (including ``now`` where time matters) and returns model objects or
plain values; the transaction belongs to the caller's unit of work.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from loyal_companion.db.models import Guild, User, UserFact, UserPreference


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
        stmt = insert(User).values(
            discord_id=discord_id,
            discord_username=username,
            discord_display_name=display_name,
            first_seen_at=now,
            last_seen_at=now,
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=[User.discord_id],
            set_={
                "discord_username": func.coalesce(stmt.excluded.discord_username, User.discord_username),
                "discord_display_name": func.coalesce(
                    stmt.excluded.discord_display_name, User.discord_display_name
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
        return {key: value for key, value in rows}


class FactRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, fact: UserFact) -> UserFact:
        self._session.add(fact)
        self._session.flush()
        return fact

    def active_for(self, user_id: int, *, limit: int = 100) -> Sequence[UserFact]:
        return self._session.scalars(
            select(UserFact)
            .where(UserFact.user_id == user_id, UserFact.is_active.is_(True))
            .order_by(UserFact.importance.desc(), UserFact.learned_at.desc(), UserFact.id.desc())
            .limit(limit)
        ).all()

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
        result = self._session.execute(delete(UserFact).where(UserFact.user_id == user_id).returning(UserFact.id))
        return len(result.all())


class GuildRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def upsert(self, *, discord_id: int, name: str | None, now: datetime) -> Guild:
        stmt = insert(Guild).values(discord_id=discord_id, name=name, joined_at=now)
        stmt = stmt.on_conflict_do_update(
            index_elements=[Guild.discord_id],
            set_={"name": func.coalesce(stmt.excluded.name, Guild.name), "updated_at": now},
        ).returning(Guild)
        return self._session.scalars(stmt, execution_options={"populate_existing": True}).one()

    def by_discord_id(self, discord_id: int) -> Guild | None:
        return self._session.scalars(select(Guild).where(Guild.discord_id == discord_id)).one_or_none()


class Repositories:
    """Every repository over one session: what a unit of work hands its caller."""

    def __init__(self, session: Session) -> None:
        self.users = UserRepository(session)
        self.preferences = PreferenceRepository(session)
        self.facts = FactRepository(session)
        self.guilds = GuildRepository(session)
