"""The unit of work owns the transaction; repositories only flush."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, text

from loyal_companion.db.models import UserFact
from loyal_companion.db.uow import UnitOfWork

NOW = datetime(2026, 11, 22, 20, 0, tzinfo=UTC)


def _count_users(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM users")).scalar_one())


def test_nothing_is_kept_without_commit(uow_factory: Callable[[], UnitOfWork], engine: Engine) -> None:
    with uow_factory() as uow:
        uow.repos.users.upsert_seen(discord_id=1, username="a", display_name=None, now=NOW)
        # Flushed inside the transaction, invisible outside it: the repository did not commit.
        assert _count_users(engine) == 0
    assert _count_users(engine) == 0


def test_commit_keeps_the_work(uow_factory: Callable[[], UnitOfWork], engine: Engine) -> None:
    with uow_factory() as uow:
        uow.repos.users.upsert_seen(discord_id=1, username="a", display_name=None, now=NOW)
        uow.commit()
    assert _count_users(engine) == 1


def test_an_exception_rolls_back(uow_factory: Callable[[], UnitOfWork], engine: Engine) -> None:
    with pytest.raises(RuntimeError), uow_factory() as uow:
        uow.repos.users.upsert_seen(discord_id=1, username="a", display_name=None, now=NOW)
        raise RuntimeError("model failed")
    assert _count_users(engine) == 0


def test_using_a_closed_unit_of_work_is_an_error(uow_factory: Callable[[], UnitOfWork]) -> None:
    uow = uow_factory()
    with pytest.raises(RuntimeError):
        uow.commit()


def test_upsert_seen_creates_once_and_refreshes(uow_factory: Callable[[], UnitOfWork]) -> None:
    later = NOW + timedelta(hours=2)
    with uow_factory() as uow:
        first = uow.repos.users.upsert_seen(discord_id=7, username="ana", display_name="Ana", now=NOW)
        uow.commit()
    with uow_factory() as uow:
        again = uow.repos.users.upsert_seen(discord_id=7, username=None, display_name="Ana B", now=later)
        uow.commit()
    assert again.id == first.id
    assert again.discord_username == "ana"  # a missing name does not erase the known one
    assert again.discord_display_name == "Ana B"
    assert again.first_seen_at == NOW
    assert again.last_seen_at == later
    assert again.display_name == "Ana B"


def test_facts_are_listed_by_importance_and_only_the_owner_can_forget_them(
    uow_factory: Callable[[], UnitOfWork],
) -> None:
    with uow_factory() as uow:
        ana = uow.repos.users.upsert_seen(discord_id=1, username="ana", display_name=None, now=NOW)
        bo = uow.repos.users.upsert_seen(discord_id=2, username="bo", display_name=None, now=NOW)
        low = uow.repos.facts.add(
            UserFact(user_id=ana.id, fact_type="hobby", fact_content="knits", importance=0.2)
        )
        high = uow.repos.facts.add(
            UserFact(
                user_id=ana.id, fact_type="grief_context", fact_content="lost her dad in May", importance=0.9
            )
        )
        assert [f.id for f in uow.repos.facts.active_for(ana.id)] == [high.id, low.id]
        assert not uow.repos.facts.deactivate(bo.id, high.id, now=NOW)  # not Bo's fact
        assert uow.repos.facts.deactivate(ana.id, low.id, now=NOW)
        assert [f.id for f in uow.repos.facts.active_for(ana.id)] == [high.id]
        assert uow.repos.facts.delete_all_for(ana.id) == 2


def test_preferences_set_get_and_overwrite(uow_factory: Callable[[], UnitOfWork]) -> None:
    with uow_factory() as uow:
        user = uow.repos.users.upsert_seen(discord_id=1, username="a", display_name=None, now=NOW)
        assert uow.repos.preferences.get(user.id, "checkins") is None
        uow.repos.preferences.set(user.id, "checkins", "on", now=NOW)
        uow.repos.preferences.set(user.id, "checkins", "off", now=NOW)
        assert uow.repos.preferences.get(user.id, "checkins") == "off"
        assert uow.repos.preferences.all_for(user.id) == {"checkins": "off"}
