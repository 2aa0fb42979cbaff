"""Database errors classified by SQLSTATE, not by message text or by the driver's exception class.

pg8000 raises IntegrityError for unique violations but ProgrammingError for check violations; the
SQLSTATE code is the stable signal.
"""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError

UNIQUE_VIOLATION = "23505"
FOREIGN_KEY_VIOLATION = "23503"
CHECK_VIOLATION = "23514"
# A prepared statement lost to a pooler between transactions (db/driver.py stops preparing on the first):
# the work succeeds when tried again.
PREPARED_STATEMENT_MISSING = "26000"
PREPARED_STATEMENT_EXISTS = "42P05"
PREPARED_STATEMENT_LOST = frozenset({PREPARED_STATEMENT_MISSING, PREPARED_STATEMENT_EXISTS})
RETRYABLE = PREPARED_STATEMENT_LOST


def sqlstate(exc: BaseException) -> str | None:
    """The SQLSTATE of a database error raised through SQLAlchemy, if it carries one."""
    orig = exc.orig if isinstance(exc, DBAPIError) else exc
    args = getattr(orig, "args", ())
    if args and isinstance(args[0], dict):
        code = args[0].get("C")
        return str(code) if code else None
    return getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)


def is_integrity_violation(exc: BaseException) -> bool:
    """Unique, foreign key, check or not-null violation (SQLSTATE class 23)."""
    code = sqlstate(exc)
    return code is not None and code.startswith("23")


def is_retryable(exc: BaseException) -> bool:
    """A database error that says nothing about the work itself: trying again is expected to succeed."""
    return sqlstate(exc) in RETRYABLE
