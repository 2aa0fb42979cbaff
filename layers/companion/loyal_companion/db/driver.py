"""pg8000 connections that wait for the server once per statement, and prepare the statements that recur.

pg8000 (1.31) runs a statement that has parameters in three exchanges, each waiting for the server's
answer: Parse; then Describe; then Bind and Execute. To a hosted Postgres every wait is a network round
trip, so a chat turn's eight statements cost about twenty. ``FewerWaitsConnection`` sends Parse, Bind,
Describe and Execute together and waits once. A statement met again on the same connection (the turn's
few large statements come back every turn) is prepared as a named statement, so the server neither
parses nor plans it again: one wait, and no Parse.

Poolers in transaction mode that do not carry prepared statements from one transaction to the next
(Supabase's Supavisor on port 6543; PgBouncer before 1.21 or without ``max_prepared_statements``) answer
SQLSTATE 26000 (no such statement) or 42P05 (already exists). On either, this process stops preparing,
logs a warning that names the ``prepared_statements=false`` DATABASE_URL option (which says so up front),
and, when no transaction was open, runs the statement again unprepared; inside a transaction the error
goes up (the transaction is lost) and the worker treats it as transient, so the work is retried.
"""

from __future__ import annotations

import logging
import secrets
import socket
from collections import OrderedDict
from typing import Any, ClassVar

from pg8000 import core, legacy
from pg8000.exceptions import DatabaseError

from loyal_companion.db.errors import PREPARED_STATEMENT_LOST, sqlstate

logger = logging.getLogger(__name__)

DEFAULT_PREPARE_THRESHOLD = 2  # prepare on a statement's second execution on a connection
DEFAULT_MAX_PREPARED = 64  # per connection; the least recently used is closed beyond it
_MAX_COUNTED = 512  # statements counted towards the threshold before the count starts again

# What this module uses of pg8000's protocol layer; when a pg8000 release lacks any of it, connections
# are plain pg8000 connections (correct, with pg8000's own three waits per statement).
_NEEDED = ("send_PARSE", "send_BIND", "send_EXECUTE", "_send_message", "handle_messages", "execute_named")
SUPPORTED = all(hasattr(core.CoreConnection, name) for name in _NEEDED) and all(
    hasattr(core, name) for name in ("Context", "make_params", "_write", "_flush", "SYNC_MSG")
)


def _no_delay(sock: Any) -> None:
    """TCP_NODELAY, as libpq sets it: a statement larger than a segment otherwise leaves its last, partial
    segment waiting for the server's delayed ACK (up to 40 ms on Linux) before it is sent."""
    if sock is not None and getattr(sock, "family", None) in (socket.AF_INET, socket.AF_INET6):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class FewerWaitsConnection(legacy.Connection):  # type: ignore[misc]
    """A pg8000 DB-API connection whose statements wait for the server once (see the module's text)."""

    # Set for the whole process once a pooler has been seen dropping prepared statements.
    pooler_drops_prepared: ClassVar[str | None] = None
    # A class-level default: pg8000's own __init__ talks to the server before ours runs.
    _prepare_threshold: int | None = None

    def __init__(
        self,
        *args: Any,
        prepare_threshold: int | None = DEFAULT_PREPARE_THRESHOLD,
        max_prepared: int = DEFAULT_MAX_PREPARED,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        _no_delay(getattr(self, "_usock", None))
        self._prepare_threshold = prepare_threshold
        self._max_prepared = max_prepared
        self._prepared: OrderedDict[str, tuple[bytes, Any, Any]] = OrderedDict()
        self._seen: dict[str, int] = {}
        self._name_prefix = f"lc_{secrets.token_hex(4)}_"
        self._names = 0

    # pg8000's cursors, commit and rollback all come through here.
    def execute_unnamed(self, statement: str, vals: Any = (), oids: Any = (), stream: Any = None) -> Any:
        if stream is None and vals and self._wants_prepared(statement):
            in_transaction = self._in_transaction
            try:
                return self._execute_prepared(statement, vals, oids)
            except DatabaseError as error:
                code = sqlstate(error)
                if code is None or code not in PREPARED_STATEMENT_LOST:
                    raise
                self._stop_preparing(code)
                if in_transaction:
                    raise
        return self._execute_pipelined(statement, vals, oids, stream)

    @property
    def prepared_count(self) -> int:
        return len(self._prepared)

    def _wants_prepared(self, statement: str) -> bool:
        if self._prepare_threshold is None:
            return False
        if FewerWaitsConnection.pooler_drops_prepared is not None:
            self._prepare_threshold = None
            self._prepared.clear()
            return False
        if statement in self._prepared:
            return True
        seen = self._seen.get(statement, 0) + 1
        if len(self._seen) >= _MAX_COUNTED:
            self._seen.clear()
        self._seen[statement] = seen
        return seen >= self._prepare_threshold

    def _execute_pipelined(self, statement: str, vals: Any, oids: Any, stream: Any) -> Any:
        context = core.Context(statement, stream=stream)
        self.send_PARSE(core.NULL_BYTE, statement, oids)
        self.send_BIND(core.NULL_BYTE, core.make_params(self.py_types, vals))
        self._send_message(core.DESCRIBE, core.PORTAL + core.NULL_BYTE)
        self.send_EXECUTE()
        core._write(self._sock, core.SYNC_MSG)
        core._flush(self._sock)
        self.handle_messages(context)
        return context

    def _execute_prepared(self, statement: str, vals: Any, oids: Any) -> Any:
        entry = self._prepared.get(statement)
        if entry is None:
            entry = self._prepare(statement, oids)
        else:
            self._prepared.move_to_end(statement)
        name, columns, input_funcs = entry
        return self.execute_named(
            name, core.make_params(self.py_types, vals), columns, input_funcs, statement
        )

    def _prepare(self, statement: str, oids: Any) -> tuple[bytes, Any, Any]:
        while len(self._prepared) >= self._max_prepared:
            _, (old_name, _, _) = self._prepared.popitem(last=False)
            self._close(old_name)
        self._names += 1
        name = (self._name_prefix + str(self._names)).encode("ascii") + core.NULL_BYTE
        context = core.Context(statement)
        self.send_PARSE(name, statement, oids)
        self._send_message(core.DESCRIBE, core.STATEMENT + name)
        core._write(self._sock, core.SYNC_MSG)
        core._flush(self._sock)
        self.handle_messages(context)
        entry = (name, context.columns, context.input_funcs)
        self._prepared[statement] = entry
        self._seen.pop(statement, None)
        return entry

    def _close(self, name: bytes) -> None:
        self._send_message(core.CLOSE, core.STATEMENT + name)
        core._write(self._sock, core.SYNC_MSG)
        core._flush(self._sock)
        self.handle_messages(core.Context(None))

    def _stop_preparing(self, code: str) -> None:
        if FewerWaitsConnection.pooler_drops_prepared is None:
            logger.warning(
                "the database (or a pooler in front of it) does not keep prepared statements; statements run "
                "unprepared from now on. Add prepared_statements=false to DATABASE_URL to say so up front",
                extra={"sqlstate": code},
            )
        FewerWaitsConnection.pooler_drops_prepared = code
        self._prepare_threshold = None
        self._prepared.clear()


def connect(*args: Any, prepare: bool = True, **kwargs: Any) -> Any:
    """A DB-API connection for SQLAlchemy's pg8000 dialect: ``FewerWaitsConnection`` where this pg8000
    supports it, pg8000's own otherwise. ``prepare=False`` never prepares (one wait per statement still)."""
    if not SUPPORTED:
        logger.debug("pg8000's protocol layer has changed; using pg8000's own connection")
        return legacy.Connection(*args, **kwargs)
    return FewerWaitsConnection(
        *args, prepare_threshold=DEFAULT_PREPARE_THRESHOLD if prepare else None, **kwargs
    )
