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


def fifo_group(*, channel_id: int | None, person_id: int) -> str:
    """The FIFO group an interaction is queued in: one person in one channel keeps their order (a turn
    waits for the one before it); other people, and the same person elsewhere, run in parallel."""
    return f"{channel_id or 'dm'}:{person_id}"


@dataclass(frozen=True)
class Envelope:
    interaction: dict[str, Any]
    received_at: datetime
    # The endpoint deferred privately (flags 64) because the message showed a crisis in a server channel.
    private: bool = False
    # A webhook event Discord sent about the app instead of an interaction ({"type": …, "user_id": …}).
    event: dict[str, Any] | None = None

    def to_json(self) -> str:
        data: dict[str, Any] = {
            "v": ENVELOPE_VERSION,
            "received_at": self.received_at.isoformat(),
            "interaction": self.interaction,
        }
        if self.private:
            data["private"] = True
        if self.event is not None:
            data["event"] = self.event
        return json.dumps(data, separators=(",", ":"))

    @classmethod
    def from_json(cls, body: str) -> Envelope:
        data = json.loads(body)
        if not isinstance(data, dict) or data.get("v") != ENVELOPE_VERSION:
            raise ValueError("not an interaction envelope of a known version")
        interaction = data.get("interaction")
        event = data.get("event")
        if not isinstance(interaction, dict) and not isinstance(event, dict):
            raise ValueError("the envelope holds no interaction and no event")
        return cls(
            interaction=interaction if isinstance(interaction, dict) else {},
            received_at=datetime.fromisoformat(str(data["received_at"])),
            private=data.get("private") is True,
            event=event if isinstance(event, dict) else None,
        )


class SqsQueue:
    """Sends to an SQS FIFO queue with boto3, where the environment holds no credentials (a profile): on
    Lambda the endpoint uses ``sqs.SqsJsonQueue``. The client is made on first send and kept."""

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


def queue_url_of(arn: str) -> str:
    """The URL of the SQS queue named by ``arn`` (arn:aws:sqs:<region>:<account>:<name>)."""
    parts = arn.split(":")
    if len(parts) != 6 or parts[2] != "sqs":
        raise ValueError(f"not an SQS queue ARN: {arn}")
    region, account, name = parts[3], parts[4], parts[5]
    return f"https://sqs.{region}.amazonaws.com/{account}/{name}"


class SqsRetry:
    """Brings a failed record back after a few seconds instead of the queue's visibility timeout (the
    person was told "in a moment"). The boto3 client is made on first use and kept for the container."""

    def __init__(self, client: Any | None = None) -> None:
        self._client = client

    def retry_in(self, *, event_source_arn: str, receipt_handle: str, seconds: int) -> None:
        if self._client is None:
            import boto3

            from loyal_companion.observability import protect_client_loggers

            protect_client_loggers()
            self._client = boto3.client("sqs")
        self._client.change_message_visibility(
            QueueUrl=queue_url_of(event_source_arn), ReceiptHandle=receipt_handle, VisibilityTimeout=seconds
        )
