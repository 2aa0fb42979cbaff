"""What a proactive run is given and what it reports, and the leases and margins it keeps."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Final

from loyal_companion.db.conversations import DEFAULT_TIMEOUT_MINUTES
from loyal_companion.db.uow import UnitOfWork
from loyal_companion.discord.rest import DiscordRest
from loyal_companion.llm.types import ChatModel, Embedder
from loyal_companion.wake import NoWaker, Waker

logger = logging.getLogger(__name__)


LEASE = timedelta(minutes=2)


RUN_LEASE: Final = timedelta(seconds=90)  # renewed per batch; a run that dies frees it within this


GUARD_MARGIN = timedelta(seconds=30)  # the guard wake-up comes this long after the run's lease ends


AGAIN = timedelta(minutes=5)  # something due that this run could not finish (the model was away): retry


FAR = timedelta(days=365)  # nothing due: the daily run is the only wake-up


BATCH = 25


REGULAR_SCORE = 40.0  # above this, a person is at least a Regular


@dataclass
class ProactiveResult:
    claimed: int = 0
    sent: int = 0
    deferred: int = 0
    retried: int = 0
    cancelled: int = 0
    failed: int = 0
    checkins_created: int = 0
    memory_windows: int = 0
    episodes: int = 0
    receipts_dropped: int = 0
    leased_elsewhere: bool = False
    next_wake: datetime | None = None  # the wake-up this run armed, if it changed it
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ProactiveDeps:
    unit_of_work: Callable[[], UnitOfWork]
    discord: DiscordRest
    model: ChatModel
    clock: Callable[[], datetime]
    model_name: str = "gpt-4o-mini"
    embedder: Embedder | None = None
    # How long a conversation stays quiet before memory reads what is left of it.
    conversation_timeout: timedelta = timedelta(minutes=DEFAULT_TIMEOUT_MINUTES)
    waker: Waker = field(default_factory=NoWaker)
    lease: timedelta = LEASE  # an event's claim (a benchmark shortens it)
    run_lease: timedelta = RUN_LEASE  # the run's own lease, renewed per batch
    exclusive: bool = True  # False: overlap with other runs (a benchmark of the shared pace)
    senders: int = 8  # messages in flight at once within a run (all under the one pace)
