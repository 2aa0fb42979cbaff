"""An in-process stand-in for the SQS FIFO queue and its Lambda event source mapping.

Same contract as SQS FIFO: per-group order (one record of a group in flight at a time), deduplication
by id for five minutes, a record that fails comes back after a visibility delay, and after
``max_receives`` it moves to the dead-letter list. Records are handed to the consumer in the exact
shape Lambda gives the conversation handler.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

logger = logging.getLogger(__name__)

DEDUP_WINDOW_S = 300.0


@dataclass
class _Item:
    message_id: str
    body: str
    group_id: str
    dedup_id: str
    receives: int = 0
    visible_at: float = 0.0


@dataclass
class LocalFifoQueue:
    consumer: Callable[[dict[str, Any]], dict[str, Any]]
    visibility_timeout: float = 5.0
    max_receives: int = 3
    dead_letters: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._groups: dict[str, deque[_Item]] = {}
        self._seen: dict[str, float] = {}
        self._cond = threading.Condition()
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="local-fifo", daemon=True)

    # -- producer side (the interactions handler) ----------------------------------------------
    def send(self, *, body: str, group_id: str, dedup_id: str) -> None:
        now = time.monotonic()
        with self._cond:
            self._seen = {k: t for k, t in self._seen.items() if now - t < DEDUP_WINDOW_S}
            if dedup_id in self._seen:
                return  # SQS accepts the send and drops the duplicate
            self._seen[dedup_id] = now
            item = _Item(str(uuid.uuid4()), body, group_id, dedup_id)
            self._groups.setdefault(group_id, deque()).append(item)
            self._cond.notify_all()

    # -- consumer side (the event source mapping) ----------------------------------------------
    def start(self) -> LocalFifoQueue:
        self._thread.start()
        return self

    def stop(self) -> None:
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        self._thread.join(timeout=10)

    def pending(self) -> int:
        with self._cond:
            return sum(len(q) for q in self._groups.values())

    def _next(self) -> _Item | None:
        now = time.monotonic()
        for queue in self._groups.values():
            if queue and queue[0].visible_at <= now:
                return queue[0]
        return None

    def _run(self) -> None:
        while True:
            with self._cond:
                item = self._next()
                while item is None and not self._stopping:
                    self._cond.wait(timeout=0.2)
                    item = self._next()
                if self._stopping:
                    return
                assert item is not None
                item.receives += 1
            record = _record(item)
            try:
                result = self.consumer(record)
                failed = {f["itemIdentifier"] for f in result.get("batchItemFailures", [])}
            except Exception:  # the handler raised: Lambda reports every record of the batch as failed
                logger.exception("local conversation handler raised")
                failed = {item.message_id}
            with self._cond:
                queue = self._groups[item.group_id]
                if item.message_id not in failed:
                    queue.popleft()
                elif item.receives >= self.max_receives:
                    queue.popleft()
                    self.dead_letters.append(record)
                    logger.error("record moved to the local dead-letter list", extra={"group": item.group_id})
                else:
                    item.visible_at = time.monotonic() + self.visibility_timeout
                self._cond.notify_all()


def _record(item: _Item) -> dict[str, Any]:
    return {
        "messageId": item.message_id,
        "receiptHandle": item.message_id,
        "body": item.body,
        "attributes": {
            "ApproximateReceiveCount": str(item.receives),
            "SentTimestamp": str(int(time.time() * 1000)),
            "MessageGroupId": item.group_id,
            "MessageDeduplicationId": item.dedup_id,
            "SequenceNumber": "1",
        },
        "messageAttributes": {},
        "md5OfBody": hashlib.md5(item.body.encode(), usedforsecurity=False).hexdigest(),
        "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:local:000000000000:conversation.fifo",
        "awsRegion": "local",
    }
