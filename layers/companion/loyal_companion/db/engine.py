"""The database engine, one per container, shaped for Lambda.

A Lambda container runs one invocation at a time, so a pool of one connection (plus one overflow for
the odd nested use) is plenty. Connections that a serverless Postgres closed while the container was
frozen are replaced on checkout — but only a connection that sat idle for a while is pinged: SQLAlchemy's
``pool_pre_ping`` would ping on every checkout, a round trip per transaction that a turn cannot afford.
TLS follows libpq's ``sslmode`` in the URL, so hosted serverless Postgres (Neon, Supabase, Aurora) URLs
work as the provider hands them out.
"""

from __future__ import annotations

import logging
import ssl
import time
from collections.abc import Callable
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry, NullPool, PoolProxiedConnection

from loyal_companion.errors import ConfigError

logger = logging.getLogger(__name__)

_SSL_PARAMS = ("sslmode", "sslrootcert", "ssl")
_SSL_MODES = ("disable", "allow", "prefer", "require", "verify-ca", "verify-full")


def split_tls_options(url: str) -> tuple[str, dict[str, Any]]:
    """Take libpq-style TLS options out of ``url`` and turn them into pg8000 connect arguments.

    ``require`` encrypts without checking the certificate (libpq's meaning); ``verify-ca`` checks the
    chain; ``verify-full`` checks the chain and the host name. ``sslrootcert`` names a CA bundle file
    (Aurora's RDS bundle, for example).
    """
    clean_url, options = _take_query_options(url, _SSL_PARAMS)
    mode = options.get("sslmode") or ("require" if options.get("ssl", "").lower() in ("true", "1") else None)
    if mode != "disable" and (mode is None or mode in ("allow", "prefer")) and not _local(clean_url):
        # A database across a network, with nothing that asks for TLS: the password and every person's words
        # would travel in the clear. Refused, unless the URL says so outright (sslmode=disable).
        raise ConfigError(
            "DATABASE_URL",
            "points at a database across the network with no TLS: add sslmode=verify-full (Neon, Supabase; "
            "Aurora with sslrootcert=<the RDS bundle>), or sslmode=disable if the network is private",
        )
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


def _local(url: str) -> bool:
    """The database is on this machine (a Unix socket, or a loopback address): no network to cross."""
    parts = urlsplit(url)
    if "unix_sock=" in parts.query or not parts.hostname:
        return True
    return parts.hostname in ("localhost", "127.0.0.1", "::1") or parts.hostname.startswith("127.")


def create_db_engine(
    url: str, *, pool_size: int = 1, max_overflow: int = 1, pooled: bool = True, echo: bool = False
) -> Engine:
    """An engine for ``url`` (postgresql+pg8000://...), with TLS from ``sslmode`` when present.

    ``pooled=False`` gives one-off tools (migrations, CLI commands) connections that close on release.
    """
    clean_url, connect_args = split_tls_options(url)
    clean_url, prepare = split_prepare_option(clean_url)
    connect_args.setdefault("timeout", 10)
    memoise_placeholder_conversion()
    if not pooled:
        engine = create_engine(
            clean_url, connect_args=connect_args, poolclass=NullPool, echo=echo, hide_parameters=True
        )
        _connect_with_fewer_waits(engine, prepare=prepare)
        return engine
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
    _connect_with_fewer_waits(engine, prepare=prepare)
    _ping_after_idle(engine, IDLE_PING_AFTER_S)
    return engine


PREPARE_OPTION = "prepared_statements"
_TRUE = ("true", "on", "yes", "1")
_FALSE = ("false", "off", "no", "0")


def split_prepare_option(url: str) -> tuple[str, bool]:
    """Take ``prepared_statements=true|false`` out of ``url`` (default true). Say false behind a pooler in
    transaction mode that does not keep prepared statements (Supabase's Supavisor on port 6543)."""
    clean_url, options = _take_query_options(url, (PREPARE_OPTION,))
    value = options.get(PREPARE_OPTION)
    if value is None:
        return clean_url, True
    value = value.strip().lower()
    if value not in _TRUE + _FALSE:
        raise ConfigError("DATABASE_URL", f"{PREPARE_OPTION} must be true or false")
    return clean_url, value in _TRUE


def _take_query_options(url: str, names: tuple[str, ...]) -> tuple[str, dict[str, str]]:
    """``url`` without the query options ``names``, and their values (the last one where repeated)."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    options = {k: v for k, v in query if k in names}
    rest = [(k, v) for k, v in query if k not in names]
    return urlunsplit(parts._replace(query=urlencode(rest))), options


def _connect_with_fewer_waits(engine: Engine, *, prepare: bool) -> None:
    """New connections are ``db.driver.FewerWaitsConnection``: one wait per statement, recurring
    statements prepared (unless ``prepare`` is false)."""
    from loyal_companion.db import driver

    @event.listens_for(engine, "do_connect")
    def _do_connect(dialect: Any, record: ConnectionPoolEntry, cargs: Any, cparams: Any) -> Any:
        return driver.connect(*cargs, prepare=prepare, **cparams)


IDLE_PING_AFTER_S = 30.0

# Placeholder styles whose conversion depends on the statement's text alone: the values pass through.
_POSITIONAL_STYLES = frozenset({"format", "numeric", "qmark"})
CONVERSION_CACHE_SIZE = 512


def memoise_placeholder_conversion() -> Callable[..., Any] | None:
    """Make pg8000 convert each distinct statement's placeholders once per process, not on every execution.

    pg8000's DB-API cursor rewrites ``%s`` (the ``format`` style SQLAlchemy uses with it) into ``$1, $2…``
    with a character-by-character Python scan of the whole statement, on every execute; for a chat turn's
    large statements that was about 7 ms of a turn (``lc bench turn``). For the positional styles the
    rewritten text depends only on the statement's text and the values are passed through unchanged, so
    the result is kept in a bounded LRU cache keyed by (style, text); other styles, and statements the
    scan rejects, go to pg8000's own function every time. Idempotent; returns the installed function, or
    None where this pg8000 has no such hook (then nothing changes).
    """
    try:
        from pg8000 import legacy
    except ImportError:  # pragma: no cover - pg8000 is a dependency
        return None
    original = getattr(legacy, "convert_paramstyle", None)
    if original is None:
        logger.debug("pg8000 has no convert_paramstyle; placeholder conversion is not memoised")
        return None
    if getattr(original, "memoised", False):
        return original  # type: ignore[no-any-return]

    @lru_cache(maxsize=CONVERSION_CACHE_SIZE)
    def converted(style: str, statement: str) -> str:
        text, _ = original(style, statement, ())
        return str(text)

    def convert_paramstyle(style: str, statement: str, args: Any) -> tuple[str, Any]:
        if style in _POSITIONAL_STYLES:
            return converted(style, statement), args
        result: tuple[str, Any] = original(style, statement, args)
        return result

    convert_paramstyle.memoised = True  # type: ignore[attr-defined]
    convert_paramstyle.cache_info = converted.cache_info  # type: ignore[attr-defined]
    convert_paramstyle.original = original  # type: ignore[attr-defined]
    legacy.convert_paramstyle = convert_paramstyle
    return convert_paramstyle


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
    from loyal_companion.config import required

    url = required("DATABASE_URL").get()
    return create_db_engine(url)


@lru_cache(maxsize=1)
def get_session_factory() -> sessionmaker[Session]:
    return make_session_factory(get_engine())
