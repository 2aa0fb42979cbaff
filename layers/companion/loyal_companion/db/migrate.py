"""Run alembic from code: `lc migrate`, the deploy-time migrate function and the tests share this."""

from __future__ import annotations

import io
import os
from pathlib import Path

from alembic import command
from alembic.config import Config

from loyal_companion.errors import ConfigError


def migrations_dir() -> Path:
    """Where ``migrations/`` is: MIGRATIONS_DIR, else the checkout this package sits in, else ./migrations."""
    explicit = os.environ.get("MIGRATIONS_DIR")
    if explicit:
        path = Path(explicit)
        if not (path / "env.py").is_file():
            raise ConfigError("MIGRATIONS_DIR", f"has no env.py ({path})")
        return path
    for parent in Path(__file__).resolve().parents:
        candidate = parent / "migrations"
        if (candidate / "env.py").is_file():
            return candidate
    candidate = Path.cwd() / "migrations"
    if (candidate / "env.py").is_file():
        return candidate
    raise ConfigError("MIGRATIONS_DIR", "is not set and no migrations/ folder was found")


def alembic_config(database_url: str | None = None, *, sql_output: io.StringIO | None = None) -> Config:
    ini = migrations_dir().parent / "alembic.ini"
    config = Config(str(ini) if ini.is_file() else None, output_buffer=sql_output, stdout=io.StringIO())
    config.set_main_option("script_location", str(migrations_dir()))
    if database_url:
        config.attributes["database_url"] = database_url
    # Callers configure logging themselves; alembic's fileConfig would reset the Lambda logger.
    config.attributes["configure_logging"] = False
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str) -> None:
    command.downgrade(alembic_config(database_url), revision)


def upgrade_sql(revision: str = "head", *, from_revision: str | None = None) -> str:
    """The SQL an upgrade would run, without a database (alembic's offline mode)."""
    out = io.StringIO()
    config = alembic_config(sql_output=out)
    target = f"{from_revision}:{revision}" if from_revision else revision
    command.upgrade(config, target, sql=True)
    return out.getvalue()


def current_revision(database_url: str) -> str | None:
    from alembic.runtime.migration import MigrationContext

    from loyal_companion.db.engine import create_db_engine

    engine = create_db_engine(database_url, pooled=False)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()


def fact_similarity(database_url: str) -> str:
    """Whether facts can be related to a message by meaning here (pgvector), in words for `lc migrate`."""
    from sqlalchemy import text

    from loyal_companion.db.engine import create_db_engine

    engine = create_db_engine(database_url, pooled=False)
    try:
        with engine.connect() as conn:
            row = conn.execute(
                text(
                    "SELECT to_regclass('user_fact_embeddings') IS NOT NULL AS ready, "
                    "(SELECT extversion FROM pg_extension WHERE extname = 'vector') AS version, "
                    "EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'vector') AS available"
                )
            ).one()
    finally:
        engine.dispose()
    if row.ready:
        return f"ready (pgvector {row.version}); set EMBEDDINGS_MODEL to use it"
    if not row.available:
        return "off: this server has no pgvector; facts are ranked by full text"
    return (
        "off: pgvector is available but not installed (the migrating role may not create extensions; "
        "CREATE EXTENSION vector as an administrator, then `lc migrate 0007 --downgrade` and `lc migrate`)"
    )


def head_revision() -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()
