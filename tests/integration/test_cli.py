from __future__ import annotations

import pytest
from sqlalchemy import inspect

from loyal_companion.cli import main
from loyal_companion.db.engine import create_db_engine
from tests.integration.test_migrations import REFERENCE_COLUMNS


def test_lc_migrate_creates_every_reference_table(
    empty_database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", empty_database_url)
    assert main(["migrate"]) == 0
    out = capsys.readouterr().out
    assert "database at revision" in out
    assert "fact similarity: ready (pgvector" in out
    engine = create_db_engine(empty_database_url, pooled=False)
    try:
        assert set(REFERENCE_COLUMNS) <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_lc_migrate_sql_needs_no_database(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert main(["migrate", "--sql"]) == 0
    assert "CREATE TABLE users" in capsys.readouterr().out


def test_a_bad_setting_is_a_clear_error_not_a_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", "mysql://nope@host/db")
    assert main(["migrate"]) == 2
    assert "DATABASE_URL" in capsys.readouterr().err
