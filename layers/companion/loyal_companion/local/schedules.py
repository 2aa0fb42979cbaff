"""The local stand-in for the one-time EventBridge schedule: the worker and the run arm it, and the stack's
schedule thread sleeps until the armed time, the safety net's, or a stop.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import UTC, datetime

from loyal_companion.wake import keeps

logger = logging.getLogger(__name__)


class LocalWaker:
    """The local stand-in for the one-time EventBridge schedule (wake.py's ``Waker``): the worker and the
    run arm it; the stack's schedule thread waits on it. It fires at the armed time, to the second."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._armed: datetime | None = None

    def arm(self, at: datetime, *, now: datetime, replacing: datetime | None = None) -> datetime | None:
        with self._changed:
            if keeps(self._armed, at, now=now, replacing=replacing):
                return None
            self._armed = at
            self._changed.notify_all()
        return at

    def interrupt(self) -> None:
        with self._changed:
            self._changed.notify_all()

    def wait_until_due(self, *, longest: float, stop: threading.Event) -> bool:
        """Block until the armed time comes or ``longest`` seconds pass (True), or ``stop`` is set."""
        deadline = time.monotonic() + longest
        with self._changed:
            while not stop.is_set():
                now = datetime.now(UTC)
                if self._armed is not None and self._armed <= now:
                    self._armed = None  # fired, as a one-time schedule does
                    return True
                left = deadline - time.monotonic()
                if left <= 0:
                    return True
                if self._armed is not None:
                    left = min(left, (self._armed - now).total_seconds())
                self._changed.wait(max(0.01, left))
        return False
