from __future__ import annotations

from pathlib import Path

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


def test_lc_safety_report_prints_the_counts_and_nothing_about_anyone(
    database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from sqlalchemy import text

    engine = create_db_engine(database_url, pooled=False)
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO safety_referral_counts (day, kind, language, referrals) VALUES "
                    "('2026-11-03', 'suicide', 'en', 3), ('2026-11-20', 'self_harm', 'es', 1), "
                    "('2026-12-01', 'suicide', 'de', 2), ('2025-12-31', 'suicide', 'en', 9)"
                )
            )
        columns = {c["name"] for c in inspect(engine).get_columns("safety_referral_counts")}
    finally:
        engine.dispose()
    assert columns == {"day", "kind", "language", "referrals", "updated_at"}  # nothing about a person
    monkeypatch.setenv("DATABASE_URL", database_url)
    assert main(["safety", "report", "--since", "2026-01-01", "--until", "2026-12-31"]) == 0
    out = capsys.readouterr().out
    assert "total       6" in out
    assert "by kind     suicide 5, self_harm 1" in out
    assert "2026-11  4" in out and "2026-12  2" in out
    assert main(["safety", "report", "--since", "yesterday"]) == 2


def test_lc_privacy_exports_or_deletes_a_person_on_request(
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    import json

    from sqlalchemy import text

    engine = create_db_engine(database_url, pooled=False)
    try:
        with engine.begin() as conn:
            uid = conn.execute(
                text(
                    "INSERT INTO users (discord_id, discord_username) "
                    "VALUES (390000000000000001, 'ana') RETURNING id"
                )
            ).scalar_one()
            conn.execute(
                text(
                    "INSERT INTO user_facts (user_id, fact_type, fact_content) "
                    "VALUES (:u, 'general', 'They love the sea')"
                ),
                {"u": uid},
            )
    finally:
        engine.dispose()
    monkeypatch.setenv("DATABASE_URL", database_url)
    out = tmp_path / "ana.json"
    assert main(["privacy", "export", "--user", "390000000000000001", "--out", str(out)]) == 0
    exported = json.loads(out.read_text())
    assert (
        exported["user"]["discord_username"] == "ana"
        and exported["user_facts"][0]["fact_content"] == "They love the sea"
    )
    assert oct(out.stat().st_mode & 0o777) == "0o600"
    assert main(["privacy", "delete", "--user", "390000000000000001"]) == 2  # asks for --yes
    assert main(["privacy", "delete", "--user", "390000000000000001", "--yes"]) == 0
    assert main(["privacy", "export", "--user", "390000000000000001"]) == 0
    assert "nothing is stored about 390000000000000001" in capsys.readouterr().out
