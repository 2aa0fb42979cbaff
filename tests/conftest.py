"""Shared fixtures: a real PostgreSQL for the whole run, and a fresh migrated database per test.

With DATABASE_URL set, the tests create (and drop) their own databases on that server, so the role needs
CREATEDB; the database named in the URL is only used to connect. Without it, an embedded PostgreSQL is
started in a temporary folder for the run.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from loyal_companion.config import clear_settings_cache
from loyal_companion.db import migrate
from loyal_companion.db.engine import create_db_engine, make_session_factory
from loyal_companion.db.uow import UnitOfWork
from loyal_companion.local.database import create_database, drop_database, start_local_database

_counter = itertools.count()


def _with_database(url: str, database: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{database}"))


@pytest.fixture(scope="session")
def pg_admin_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A URL with the right to create databases on a real PostgreSQL."""
    external = os.environ.get("DATABASE_URL")
    if external:
        from loyal_companion.config import normalise_database_url

        yield normalise_database_url(external)
        return
    local = start_local_database(Path(tmp_path_factory.mktemp("pg")) / "data")
    try:
        yield local.url("postgres")
    finally:
        local.stop()


@pytest.fixture(scope="session")
def migrated_template(pg_admin_url: str) -> Iterator[str]:
    """A database migrated to head once per run; each test gets a copy of it."""
    name = f"lc_template_{os.getpid()}"
    drop_database(pg_admin_url, name)
    create_database(pg_admin_url, name)
    migrate.upgrade(_with_database(pg_admin_url, name))
    try:
        yield name
    finally:
        drop_database(pg_admin_url, name)


@pytest.fixture
def database_url(pg_admin_url: str, migrated_template: str) -> Iterator[str]:
    """A fresh database at head (seed data included), private to this test."""
    name = f"lc_test_{os.getpid()}_{next(_counter)}"
    create_database(pg_admin_url, name, template=migrated_template)
    try:
        yield _with_database(pg_admin_url, name)
    finally:
        drop_database(pg_admin_url, name)


@pytest.fixture
def empty_database_url(pg_admin_url: str) -> Iterator[str]:
    """A fresh, empty database (no schema), private to this test."""
    name = f"lc_empty_{os.getpid()}_{next(_counter)}"
    create_database(pg_admin_url, name)
    try:
        yield _with_database(pg_admin_url, name)
    finally:
        drop_database(pg_admin_url, name)


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    eng = create_db_engine(database_url, pool_size=2, max_overflow=2)
    try:
        yield eng
    finally:
        eng.dispose()


@pytest.fixture
def session_factory(engine: Engine) -> sessionmaker[Session]:
    return make_session_factory(engine)


@pytest.fixture
def uow_factory(session_factory: sessionmaker[Session]) -> Callable[[], UnitOfWork]:
    return lambda: UnitOfWork(session_factory)


@pytest.fixture(autouse=True)
def _fresh_settings() -> Iterator[None]:
    """Settings are cached per container; every test starts and ends with an empty cache."""
    clear_settings_cache()
    yield
    clear_settings_cache()
