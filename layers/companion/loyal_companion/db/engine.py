"""The database engine, one per container, shaped for Lambda.

A Lambda container runs one invocation at a time, so a pool of one connection (plus one overflow for
the odd nested use) is plenty. Connections that a serverless Postgres closed while the container was
frozen are replaced on checkout — but only a connection that sat idle for a while is pinged: SQLAlchemy's
``pool_pre_ping`` would ping on every checkout, a round trip per transaction that a turn cannot afford.
TLS follows libpq's ``sslmode`` in the URL, so hosted serverless Postgres (Neon, Supabase, Aurora) URLs
work as the provider hands them out.
"""

from __future__ import annotations

import ssl
import time
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry, NullPool, PoolProxiedConnection

from loyal_companion.errors import ConfigError

_SSL_PARAMS = ("sslmode", "sslrootcert", "ssl")
_SSL_MODES = ("disable", "allow", "prefer", "require", "verify-ca", "verify-full")


def split_tls_options(url: str) -> tuple[str, dict[str, Any]]:
    """Take libpq-style TLS options out of ``url`` and turn them into pg8000 connect arguments.

    ``require`` encrypts without checking the certificate (libpq's meaning); ``verify-ca`` checks the
    chain; ``verify-full`` checks the chain and the host name. ``sslrootcert`` names a CA bundle file
    (Aurora's RDS bundle, for example).
    """
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    options = {k: v for k, v in query if k in _SSL_PARAMS}
    rest = [(k, v) for k, v in query if k not in _SSL_PARAMS]
    clean_url = urlunsplit(parts._replace(query=urlencode(rest)))

    mode = options.get("sslmode") or ("require" if options.get("ssl", "").lower() in ("true", "1") else None)
    if mode is None or mode in ("disable", "allow", "prefer"):
        # allow/prefer would need a retry dance pg8000 does not do; treat them as "no TLS demanded".
        return clean_url, {}
    if mode not in _SSL_MODES:
        raise ConfigError("DATABASE_URL", f"sslmode must be one of {', '.join(_SSL_MODES)}")

    context = ssl.create_default_context(cafile=options.get("sslrootcert") or None)
    if mode == "require":
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    elif mode == "verify-ca":
        context.check_hostname = False
    return clean_url, {"ssl_context": context}


def create_db_engine(
    url: str, *, pool_size: int = 1, max_overflow: int = 1, pooled: bool = True, echo: bool = False
) -> Engine:
    """An engine for ``url`` (postgresql+pg8000://...), with TLS from ``sslmode`` when present.

    ``pooled=False`` gives one-off tools (migrations, CLI commands) connections that close on release.
    """
    clean_url, connect_args = split_tls_options(url)
    connect_args.setdefault("timeout", 10)
    if not pooled:
        return create_engine(
            clean_url, connect_args=connect_args, poolclass=NullPool, echo=echo, hide_parameters=True
        )
    engine = create_engine(
        clean_url,
        connect_args=connect_args,
        # The driver does not open transactions by itself: a read is one round trip, not BEGIN + read +
        # ROLLBACK. Units of work that write say BEGIN and COMMIT explicitly (db/uow.py).
        isolation_level="AUTOCOMMIT",
        # Errors name the statement but not its values: those are people's messages and facts.
        hide_parameters=True,
        pool_size=pool_size,
        max_overflow=max_overflow,
        # Serverless Postgres closes idle connections; recycle before a typical 5-minute idle cut.
        pool_recycle=240,
        echo=echo,
    )
    _ping_after_idle(engine, IDLE_PING_AFTER_S)
    return engine


IDLE_PING_AFTER_S = 30.0


def _ping_after_idle(engine: Engine, idle_seconds: float) -> None:
    """Ping a pooled connection on checkout only when it has been idle longer than ``idle_seconds``.

    A failed ping raises DisconnectionError, which makes the pool discard the connection and open a new
    one (SQLAlchemy's documented pessimistic-disconnect hook).
    """

    @event.listens_for(engine, "checkin")
    def _checked_in(dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(
        dbapi_connection: Any, record: ConnectionPoolEntry, proxy: PoolProxiedConnection
    ) -> None:
        idle_since = record.info.get("idle_since")
        if idle_since is None or time.monotonic() - idle_since < idle_seconds:
            return
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("SELECT 1")
        except Exception as exc:  # any failure means the connection is gone: let the pool replace it
            raise DisconnectionError("idle connection was closed by the server") from exc
        finally:
            try:
                cursor.close()
            except Exception:  # closing a cursor on a dead connection may fail too; nothing to keep
                pass


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    # expire_on_commit=False: results stay readable after the unit of work commits (we return them).
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=True)


@lru_cache(maxsize=1)
def get_engine() -> Engine:
    """The container's engine, created on first use from DATABASE_URL."""
    from loyal_companion.config import get_settings

    url = get_settings().require("DATABASE_URL").get()
    return create_db_engine(url)


@lru_cache(maxsize=1)
def get_session_factory() -> sessionmaker[Session]:
    return make_session_factory(get_engine())
