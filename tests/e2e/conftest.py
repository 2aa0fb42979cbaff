"""The whole pipeline with no network: signed request → interactions handler → SQS (moto's server on
loopback, reached over HTTP as Lambda reaches SQS) →
conversation handler → real PostgreSQL → OpenAI-compatible stub (loopback HTTP) → Discord stub
(loopback HTTP)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import boto3
import pytest
import urllib3
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

from loyal_companion import runtime
from loyal_companion.config import clear_settings_cache
from loyal_companion.llm.client import OpenAIChatModel
from loyal_companion.local.discord_stub import DiscordStub
from tests.support.interactions import APP_ID, FakeContext, Signer, load_handler
from tests.support.openai_stub import OpenAIStub


@dataclass
class Stack:
    signer: Signer
    discord: DiscordStub
    model: OpenAIStub
    queue_url: str
    sqs: Any
    interactions: ModuleType
    conversation: ModuleType
    database_url: str
    redeliver: list[dict[str, Any]] = field(default_factory=list)

    def post(self, payload: dict[str, Any]) -> dict[str, Any]:
        event = self.signer.event(payload)
        response = self.interactions.lambda_handler(event, FakeContext())
        response["json"] = json.loads(response["body"])
        self.discord.note_response(event["body"], response["body"])  # as Discord would know the deferral
        return response

    def queued(self) -> list[dict[str, Any]]:
        """Take every visible message off the queue, as Lambda's event source mapping would."""
        records: list[dict[str, Any]] = []
        while True:
            batch = self.sqs.receive_message(
                QueueUrl=self.queue_url, MaxNumberOfMessages=10, AttributeNames=["All"], VisibilityTimeout=0
            ).get("Messages", [])
            if not batch:
                return records
            for m in batch:
                self.sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=m["ReceiptHandle"])
                records.append(
                    {
                        "messageId": m["MessageId"],
                        "receiptHandle": m["ReceiptHandle"],
                        "body": m["Body"],
                        "attributes": m.get("Attributes", {}),
                        "messageAttributes": {},
                        "md5OfBody": m["MD5OfBody"],
                        "eventSource": "aws:sqs",
                        "eventSourceARN": "arn:aws:sqs:eu-west-1:123456789012:conversation.fifo",
                        "awsRegion": "eu-west-1",
                    }
                )

    def work(self, records: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        """Run the conversation handler on ``records`` (default: everything queued)."""
        batch = self.queued() if records is None else records
        try:
            return dict(self.conversation.lambda_handler({"Records": batch}, FakeContext()))
        except BatchProcessingError:
            # Powertools raises when every record failed; Lambda then returns the whole batch to the queue.
            return {"batchItemFailures": [{"itemIdentifier": r["messageId"]} for r in batch]}

    def send(self, payload: dict[str, Any]) -> dict[str, Any]:
        """Post, check it was deferred, run the worker; return the worker's batch response."""
        response = self.post(payload)
        assert response["json"]["type"] == 5, response
        return self.work()


@pytest.fixture(scope="session")
def sqs_server() -> Iterator[str]:
    """One moto server on loopback for the session: the endpoint's queue speaks HTTP to it, as to SQS."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture
def stack(database_url: str, sqs_server: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Stack]:
    signer = Signer()
    discord = DiscordStub().start()
    model = OpenAIStub().start()
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    urllib3.request("POST", f"{sqs_server}/moto-api/reset")  # each test starts with no queues
    monkeypatch.setenv("AWS_ENDPOINT_URL", sqs_server)
    monkeypatch.delenv("AWS_ENDPOINT_URL_SQS", raising=False)
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    monkeypatch.delenv("SECRETS_ARN", raising=False)
    sqs = boto3.client("sqs")
    queue_url = sqs.create_queue(
        QueueName="conversation.fifo",
        Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "false"},
    )["QueueUrl"]
    env = {
        "DATABASE_URL": database_url,
        "DISCORD_PUBLIC_KEY": signer.public_key_hex,
        "DISCORD_APPLICATION_ID": APP_ID,
        "DISCORD_BOT_TOKEN": "bot-token-" + "b" * 50,
        "DISCORD_API_BASE": discord.base_url,
        "OPENAI_API_KEY": "sk-test-" + "k" * 20,
        "OPENAI_BASE_URL": model.base_url,
        "OPENAI_MODEL": "stub-model",
        "CONVERSATION_QUEUE_URL": queue_url,
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    clear_settings_cache()
    runtime.reset()
    services = runtime.services()
    services.stream_edit_interval = 0.05
    # The client's own retries are exercised in the model tests; here one attempt keeps runs short.
    services.model = OpenAIChatModel(api_key=env["OPENAI_API_KEY"], base_url=model.base_url, max_retries=0)
    services.discord._sleep = lambda seconds: None  # retries happen, without the waiting
    try:
        yield Stack(
            signer=signer,
            discord=discord,
            model=model,
            queue_url=queue_url,
            sqs=sqs,
            interactions=load_handler("interactions"),
            conversation=load_handler("conversation"),
            database_url=database_url,
        )
    finally:
        runtime.reset()
        clear_settings_cache()
        discord.stop()
        model.stop()
