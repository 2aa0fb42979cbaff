"""The hand-off from the interactions endpoint to the worker: an SQS FIFO queue.

The envelope is versioned JSON around the verified interaction. The worker reads the same envelope
whether it arrived through SQS or the local in-process queue.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

ENVELOPE_VERSION = 1


class InteractionQueue(Protocol):
    def send(self, *, body: str, group_id: str, dedup_id: str) -> None: ...


@dataclass(frozen=True)
class Envelope:
    interaction: dict[str, Any]
    received_at: datetime

    def to_json(self) -> str:
        return json.dumps(
            {
                "v": ENVELOPE_VERSION,
                "received_at": self.received_at.isoformat(),
                "interaction": self.interaction,
            },
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, body: str) -> Envelope:
        data = json.loads(body)
        if not isinstance(data, dict) or data.get("v") != ENVELOPE_VERSION:
            raise ValueError("not an interaction envelope of a known version")
        interaction = data.get("interaction")
        if not isinstance(interaction, dict):
            raise ValueError("the envelope holds no interaction")
        return cls(interaction=interaction, received_at=datetime.fromisoformat(str(data["received_at"])))


class SqsQueue:
    """Sends to an SQS FIFO queue. The boto3 client is made on first send and kept for the container."""

    def __init__(self, queue_url: str, client: Any | None = None) -> None:
        self._url = queue_url
        self._client = client

    def send(self, *, body: str, group_id: str, dedup_id: str) -> None:
        if self._client is None:
            # Imported on first use: a PING or a /help never pays for boto3.
            import boto3

            from loyal_companion.observability import protect_client_loggers

            protect_client_loggers()  # botocore logs message bodies (and so tokens) at DEBUG
            self._client = boto3.client("sqs")
        self._client.send_message(
            QueueUrl=self._url, MessageBody=body, MessageGroupId=group_id, MessageDeduplicationId=dedup_id
        )
