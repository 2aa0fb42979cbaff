"""Unit of work: one transaction, rolled back unless the caller commits.

Services own the transaction (reference/004): they open a unit of work, call repositories (which only
flush), and commit once. Leaving the block without ``commit()`` — by return or by exception — rolls back.

The engine's connections are in driver autocommit (db/engine.py), so the transaction is explicit: a
writing unit of work says BEGIN when it opens and the driver's COMMIT ends it; a reading one (``reading``)
sends no BEGIN at all, and each of its statements costs exactly one round trip.
"""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from loyal_companion.db.repositories import Repositories


class UnitOfWork:
    def __init__(self, session_factory: sessionmaker[Session], *, read_only: bool = False) -> None:
        self._session_factory = session_factory
        self._read_only = read_only
        self._session: Session | None = None
        self._repos: Repositories | None = None

    def __enter__(self) -> Self:
        self._session = self._session_factory()
        if not self._read_only:
            self._session.execute(text("BEGIN"))
        self._repos = Repositories(self._session)
        return self

    def reading(self) -> UnitOfWork:
        """A unit of work over the same sessions for reads only, outside any transaction."""
        return UnitOfWork(self._session_factory, read_only=True)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        session = self.session
        try:
            session.rollback()  # a no-op after commit(); undoes everything otherwise
        finally:
            session.close()
            self._session = None
            self._repos = None

    @property
    def session(self) -> Session:
        if self._session is None:
            raise RuntimeError("the unit of work is not open; use it as a context manager")
        return self._session

    @property
    def repos(self) -> Repositories:
        if self._repos is None:
            raise RuntimeError("the unit of work is not open; use it as a context manager")
        return self._repos

    def commit(self) -> None:
        self.session.commit()

    def rollback(self) -> None:
        self.session.rollback()
