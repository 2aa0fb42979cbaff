"""Connections that wait once per statement and prepare what recurs, on a real PostgreSQL.

Waits are counted at the driver (each exchange in which it waits for the server's answer); the figures
in time are `lc bench turn`'s.
"""

from __future__ import annotations

import contextlib
import logging
import socket
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from sqlalchemy import Engine, event, text
from sqlalchemy.exc import DBAPIError

from bench.common import LatencyLink, RoundTrips
from loyal_companion.db import driver
from loyal_companion.db.driver import FewerWaitsConnection
from loyal_companion.db.engine import create_db_engine, make_session_factory, split_prepare_option
from loyal_companion.db.errors import is_retryable, sqlstate
from loyal_companion.db.uow import UnitOfWork
from loyal_companion.errors import ConfigError

ECHO = text("SELECT CAST(:n AS int) * 2 AS doubled, CAST(:s AS text) AS s, CAST(:t AS timestamptz) AS t")


@pytest.fixture(autouse=True)
def _no_pooler_seen() -> Iterator[None]:
    FewerWaitsConnection.pooler_drops_prepared = None
    yield
    FewerWaitsConnection.pooler_drops_prepared = None


def _raw(conn: Any) -> Any:
    return conn.connection.dbapi_connection


def _server_prepared(conn: Any) -> list[str]:
    return [
        str(r[0])
        for r in conn.exec_driver_sql("SELECT name FROM pg_prepared_statements ORDER BY prepare_time").all()
    ]


def test_connections_are_the_fewer_waits_kind(engine: Engine) -> None:
    with engine.connect() as conn:
        assert isinstance(_raw(conn), FewerWaitsConnection)


def test_a_statement_waits_once_and_is_prepared_on_its_second_run(engine: Engine) -> None:
    when = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
    with engine.connect() as conn:
        waits = []
        results = []
        for n in range(4):
            with RoundTrips() as counter:
                results.append(conn.execute(ECHO, {"n": n, "s": f"run {n}", "t": when}).one())
            waits.append(counter.count)
        assert [tuple(r) for r in results] == [(2 * n, f"run {n}", when) for n in range(4)]
        # first run: one wait; second: prepare and run (two); from then on one, with no Parse at all
        assert waits == [1, 2, 1, 1]
        assert _raw(conn).prepared_count == 1
        assert any(name.startswith("lc_") for name in _server_prepared(conn))


def test_pg8000s_own_connection_waits_three_times_for_the_same(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(driver, "SUPPORTED", False)  # what a pg8000 without the protocol hooks gives
    plain = create_db_engine(database_url)
    try:
        with plain.connect() as conn:
            assert not isinstance(_raw(conn), FewerWaitsConnection)
            for _ in range(3):
                with RoundTrips() as waits:
                    conn.execute(ECHO, {"n": 1, "s": "x", "t": None})
                assert waits.count == 3
    finally:
        plain.dispose()


def test_nulls_arrays_json_and_bytes_survive_both_paths(engine: Engine) -> None:
    statement = text(
        "SELECT CAST(:a AS int[]) AS a, CAST(:j AS jsonb) AS j, CAST(:b AS bytea) AS b, CAST(:z AS text) AS z"
    )
    values = {"a": [1, 2, 3], "j": '{"k": [1, "two"]}', "b": b"\x00\xffbytes", "z": None}
    with engine.connect() as conn:
        rows = [conn.execute(statement, values).one() for _ in range(3)]
        assert _raw(conn).prepared_count == 1
    for row in rows:
        assert row.a == [1, 2, 3] and row.j == {"k": [1, "two"]} and bytes(row.b) == b"\x00\xffbytes"
        assert row.z is None


def test_an_error_leaves_the_connection_usable(engine: Engine) -> None:
    broken = text("SELECT CAST(:n AS int) FROM no_such_table")
    with engine.connect() as conn:
        for _ in range(3):  # unprepared, then failing to prepare, then again
            with pytest.raises(DBAPIError) as caught:
                conn.execute(broken, {"n": 1})
            assert sqlstate(caught.value) == "42P01"
        assert conn.execute(ECHO, {"n": 21, "s": "ok", "t": None}).one().doubled == 42
        with pytest.raises(DBAPIError) as caught:
            conn.execute(text("SELECT 1 / CAST(:zero AS int)"), {"zero": 0})
        assert sqlstate(caught.value) == "22012"


def test_an_error_inside_a_transaction_rolls_back_cleanly(engine: Engine) -> None:
    factory = make_session_factory(engine)
    with UnitOfWork(factory) as uow:
        uow.session.execute(text("CREATE TABLE t (n int PRIMARY KEY)"))
        uow.commit()
    insert = text("INSERT INTO t VALUES (CAST(:n AS int))")
    for attempt in range(3):  # unprepared, then prepared, then prepared again
        with pytest.raises(DBAPIError) as caught, UnitOfWork(factory) as uow:
            uow.session.execute(insert, {"n": 10 + attempt})
            uow.session.execute(insert, {"n": 10 + attempt})  # duplicate key
            uow.commit()
        assert sqlstate(caught.value) == "23505"
    with UnitOfWork(factory) as uow:
        uow.session.execute(insert, {"n": 1})
        uow.commit()
    with UnitOfWork(factory, read_only=True) as uow:
        assert uow.session.execute(text("SELECT array_agg(n) FROM t")).scalar_one() == [1]


def test_prepared_statements_are_bounded_per_connection(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    with engine.connect() as conn:
        raw = _raw(conn)
        monkeypatch.setattr(raw, "_max_prepared", 2)
        for k in range(4):
            statement = text(f"SELECT CAST(:n AS int) + {k}")
            for _ in range(2):
                assert conn.execute(statement, {"n": 1}).scalar_one() == 1 + k
        assert raw.prepared_count == 2
        assert len([n for n in _server_prepared(conn) if n.startswith("lc_")]) == 2


def test_prepared_statements_false_in_the_url_never_prepares(database_url: str) -> None:
    joiner = "&" if "?" in database_url else "?"
    eng = create_db_engine(database_url + joiner + "prepared_statements=false")
    try:
        with eng.connect() as conn:
            for n in range(4):
                with RoundTrips() as counter:
                    assert conn.execute(ECHO, {"n": n, "s": "", "t": None}).one().doubled == 2 * n
                assert counter.count == 1
            assert _raw(conn).prepared_count == 0
            assert _server_prepared(conn) == []
    finally:
        eng.dispose()


def test_the_url_option_is_read_and_checked() -> None:
    assert split_prepare_option("postgresql+pg8000://u@h/db") == ("postgresql+pg8000://u@h/db", True)
    assert split_prepare_option("postgresql+pg8000://u@h/db?prepared_statements=off&application_name=lc") == (
        "postgresql+pg8000://u@h/db?application_name=lc",
        False,
    )
    with pytest.raises(ConfigError, match="DATABASE_URL"):
        split_prepare_option("postgresql+pg8000://u@h/db?prepared_statements=sometimes")


def _lose_prepared_statements_on_checkout(eng: Engine) -> None:
    """What a pooler in transaction mode looks like: the next transaction may run on another backend,
    where this connection's prepared statements do not exist."""

    @event.listens_for(eng, "checkout")
    def _deallocate(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        dbapi_connection.execute_simple("DEALLOCATE ALL")


def test_a_pooler_that_drops_prepared_statements_is_survived_outside_a_transaction(
    database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    eng = create_db_engine(database_url)
    _lose_prepared_statements_on_checkout(eng)
    try:
        for n in range(5):
            with eng.connect() as conn:
                assert conn.execute(ECHO, {"n": n, "s": "", "t": None}).one().doubled == 2 * n
        assert FewerWaitsConnection.pooler_drops_prepared == "26000"
        with eng.connect() as conn:
            assert _raw(conn).prepared_count == 0
    finally:
        eng.dispose()
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING and "prepared" in r.getMessage()]
    assert len(warnings) == 1 and "prepared_statements=false" in warnings[0].getMessage()


def test_inside_a_transaction_the_loss_is_raised_as_retryable_and_the_retry_succeeds(
    engine: Engine,
) -> None:
    factory = make_session_factory(engine)
    with UnitOfWork(factory) as uow:
        uow.session.execute(text("CREATE TABLE t (n int PRIMARY KEY)"))
        uow.commit()
    insert = text("INSERT INTO t VALUES (CAST(:n AS int))")
    for n in (1, 2):  # prepared on the second run
        with UnitOfWork(factory) as uow:
            uow.session.execute(insert, {"n": n})
            uow.commit()
    with UnitOfWork(factory, read_only=True) as uow:
        uow.session.execute(text("DEALLOCATE ALL"))  # the pooler hands the next transaction elsewhere
    with pytest.raises(DBAPIError) as caught, UnitOfWork(factory) as uow:
        uow.session.execute(insert, {"n": 3})
        uow.commit()
    assert sqlstate(caught.value) == "26000" and is_retryable(caught.value)
    assert FewerWaitsConnection.pooler_drops_prepared == "26000"
    with UnitOfWork(factory) as uow:  # the worker's retry: the same work, now unprepared
        uow.session.execute(insert, {"n": 3})
        uow.commit()
    with UnitOfWork(factory, read_only=True) as uow:
        assert uow.session.execute(text("SELECT array_agg(n ORDER BY n) FROM t")).scalar_one() == [1, 2, 3]


def test_tcp_connections_set_nodelay_like_libpq(database_url: str) -> None:
    """Without TCP_NODELAY a statement larger than a segment waits for a delayed ACK (up to 40 ms)."""
    parts = urlsplit(database_url)
    unix_sock = dict(parse_qsl(parts.query)).get("unix_sock")
    if unix_sock is None:  # DATABASE_URL over TCP already
        links: Any = contextlib.nullcontext()
        url = database_url
    else:  # the embedded server listens on a Unix socket: reach it over TCP through a loopback proxy
        links = LatencyLink(unix_sock, 0.0)
    with links as link:
        if unix_sock is not None:
            url = f"postgresql+pg8000://{parts.username}@127.0.0.1:{link.port}{parts.path}"
        eng = create_db_engine(url)
        try:
            with eng.connect() as conn:
                raw = _raw(conn)
                assert raw._usock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
                big = "x" * 20_000  # several segments in one statement
                assert (
                    conn.execute(text("SELECT length(CAST(:s AS text))"), {"s": big}).scalar_one() == 20_000
                )
        finally:
            eng.dispose()
