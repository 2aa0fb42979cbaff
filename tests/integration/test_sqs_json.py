"""The endpoint's SendMessage without boto3: SQS's JSON protocol, signed by awscrt, against moto."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import boto3
import pytest

from loyal_companion.sqs import SqsError, SqsJsonQueue

ROOT = Path(__file__).resolve().parents[2]
KEYS = {
    "AWS_ACCESS_KEY_ID": "AKIDTESTING",
    "AWS_SECRET_ACCESS_KEY": "secret-testing",
    "AWS_REGION": "eu-west-1",
}


@pytest.fixture
def sqs_endpoint(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    for name, value in {**KEYS, "AWS_ENDPOINT_URL_SQS": endpoint}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    try:
        yield endpoint
    finally:
        server.stop()


def _sqs(endpoint: str) -> Any:
    return boto3.client(
        "sqs",
        endpoint_url=endpoint,
        region_name=KEYS["AWS_REGION"],
        aws_access_key_id=KEYS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=KEYS["AWS_SECRET_ACCESS_KEY"],
    )


def test_a_message_arrives_in_its_group_once_per_deduplication_id(sqs_endpoint: str) -> None:
    sqs = _sqs(sqs_endpoint)
    url = sqs.create_queue(QueueName="turns.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    queue = SqsJsonQueue(url)
    words = '{"interaction": "Ma fille est née aujourd\'hui — 🎉"}'
    queue.send(body=words, group_id="dm:42", dedup_id="1001")
    queue.send(body=words, group_id="dm:42", dedup_id="1001")  # Discord's retry of the same interaction
    queue.send(body="second", group_id="dm:42", dedup_id="1002")
    got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, AttributeNames=["All"])["Messages"]
    assert [m["Body"] for m in got] == [words, "second"]
    assert {m["Attributes"]["MessageGroupId"] for m in got} == {"dm:42"}
    assert [m["Attributes"]["MessageDeduplicationId"] for m in got] == ["1001", "1002"]


def test_a_queue_that_does_not_exist_is_a_clear_error_without_the_words(sqs_endpoint: str) -> None:
    queue = SqsJsonQueue(f"{sqs_endpoint}/123456789012/nowhere.fifo")
    with pytest.raises(SqsError) as raised:
        queue.send(body="my private words", group_id="dm:1", dedup_id="7")
    message = str(raised.value)
    assert "HTTP 400" in message and "QueueDoesNotExist" in message, message
    assert "my private words" not in message


def test_an_unreachable_queue_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {**KEYS, "AWS_ENDPOINT_URL_SQS": "http://127.0.0.1:9"}.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SqsError, match="could not be reached"):
        SqsJsonQueue("https://sqs.eu-west-1.amazonaws.com/1/q.fifo").send(
            body="x", group_id="g", dedup_id="1"
        )


class _SqsStandIn(BaseHTTPRequestHandler):
    """Answers SendMessage as SQS does; subclasses say what to answer."""

    def answer(self, headers: dict[str, str], body: bytes) -> tuple[int, bytes]:
        return 200, b'{"MessageId":"m-1","MD5OfMessageBody":"x"}'

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        status, answer = self.answer({k.lower(): v for k, v in self.headers.items()}, body)
        self.send_response(status)
        self.send_header("Content-Type", "application/x-amz-json-1.0")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args: object) -> None:
        return None


class _Capture(_SqsStandIn):
    seen: list[tuple[dict[str, str], bytes]] = []

    def answer(self, headers: dict[str, str], body: bytes) -> tuple[int, bytes]:
        self.seen.append((headers, body))
        return super().answer(headers, body)


class _Throttling(_SqsStandIn):
    """SQS answering the first ``throttle`` requests as it does when throttling: a 400 named in the body."""

    throttle = 0
    dates: list[str] = []

    def answer(self, headers: dict[str, str], body: bytes) -> tuple[int, bytes]:
        self.dates.append(headers["x-amz-date"])
        if len(self.dates) <= self.throttle:
            return 400, b'{"__type":"com.amazonaws.sqs#ThrottlingException","message":"Rate exceeded"}'
        return super().answer(headers, body)


@pytest.mark.parametrize(("throttle", "sent"), [(2, True), (3, False)])
def test_throttling_is_tried_again_twice_then_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, throttle: int, sent: bool
) -> None:
    _Throttling.throttle, _Throttling.dates = throttle, []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Throttling)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    for name, value in {**KEYS, "AWS_ENDPOINT_URL_SQS": f"http://127.0.0.1:{server.server_port}"}.items():
        monkeypatch.setenv(name, value)
    waits: list[float] = []
    queue = SqsJsonQueue("https://sqs.eu-west-1.amazonaws.com/1/q.fifo", sleep=waits.append)
    try:
        if sent:
            queue.send(body="my private words", group_id="dm:1", dedup_id="7")
        else:
            with pytest.raises(SqsError) as raised:
                queue.send(body="my private words", group_id="dm:1", dedup_id="7")
            assert "ThrottlingException" in str(raised.value) and "my private words" not in str(raised.value)
    finally:
        server.shutdown()
        server.server_close()
    assert len(_Throttling.dates) == 3  # the first try and two more, each signed afresh
    assert len(waits) == 2 and all(0 <= w <= 0.1 for w in waits)


def test_the_signature_is_the_one_botocore_computes(monkeypatch: pytest.MonkeyPatch) -> None:
    """awscrt signs; botocore, from the captured request, must arrive at the same SigV4 signature."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    server = ThreadingHTTPServer(("127.0.0.1", 0), _Capture)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    endpoint = f"http://127.0.0.1:{server.server_address[1]}"
    for name, value in {**KEYS, "AWS_ENDPOINT_URL_SQS": endpoint, "AWS_SESSION_TOKEN": "session-t"}.items():
        monkeypatch.setenv(name, value)
    _Capture.seen.clear()
    try:
        SqsJsonQueue("https://sqs.eu-west-1.amazonaws.com/1/q.fifo").send(
            body="hello", group_id="dm:1", dedup_id="9"
        )
    finally:
        server.shutdown()
    (headers, body), *_ = _Capture.seen
    assert headers["x-amz-target"] == "AmazonSQS.SendMessage"
    assert headers["content-type"] == "application/x-amz-json-1.0"
    assert json.loads(body) == {
        "QueueUrl": "https://sqs.eu-west-1.amazonaws.com/1/q.fifo",
        "MessageBody": "hello",
        "MessageGroupId": "dm:1",
        "MessageDeduplicationId": "9",
    }
    assert headers["x-amz-security-token"] == "session-t"
    authorization = headers["authorization"]
    scope = authorization.split("Credential=")[1].split(",")[0]
    assert scope.split("/")[0] == "AKIDTESTING" and scope.split("/")[2:] == [
        "eu-west-1",
        "sqs",
        "aws4_request",
    ]
    signed = authorization.split("SignedHeaders=")[1].split(",")[0].split(";")
    assert {"host", "x-amz-date", "x-amz-target", "content-type"} <= set(signed)

    request = AWSRequest(
        method="POST", url=endpoint + "/", data=body, headers={h: headers[h] for h in signed}
    )
    request.context["timestamp"] = headers["x-amz-date"]
    auth = SigV4Auth(Credentials("AKIDTESTING", "secret-testing", "session-t"), "sqs", "eu-west-1")
    canonical = auth.canonical_request(request)
    expected = auth.signature(auth.string_to_sign(request, canonical), request)
    assert authorization.endswith("Signature=" + expected)


def test_a_cold_endpoint_queues_a_turn_without_importing_boto3(sqs_endpoint: str) -> None:
    """The whole endpoint in a fresh process, as on a cold Lambda: verify, defer, queue; no boto3 loaded."""
    url = _sqs(sqs_endpoint).create_queue(QueueName="cold.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    script = """
import json, sys, time
from nacl.signing import SigningKey
key = SigningKey.generate()
import os
os.environ["DISCORD_PUBLIC_KEY"] = key.verify_key.encode().hex()
from loyal_companion import runtime
from loyal_companion.discord.endpoint import handle_http_event
body = json.dumps({"type": 2, "id": "77", "application_id": "1", "token": "t" * 70, "version": 1,
    "channel_id": "5", "user": {"id": "9", "username": "ana"},
    "data": {"name": "chat", "type": 1, "options": [{"type": 3, "name": "message", "value": "hello"}]}})
ts = str(int(time.time()))
event = {"headers": {"x-signature-ed25519": key.sign(ts.encode() + body.encode()).signature.hex(),
                     "x-signature-timestamp": ts}, "body": body, "isBase64Encoded": False,
         "requestContext": {"http": {"method": "POST"}}}
answer = handle_http_event(event, verifier=runtime.signature_verifier(), queue=runtime.conversation_queue,
                           now=runtime.utc_now)
print(json.dumps({"answer": json.loads(answer["body"])["type"],
                  "boto": sorted(m for m in sys.modules if m.split(".")[0] in ("boto3", "botocore"))}))
"""
    env = {
        **os.environ,
        "CONVERSATION_QUEUE_URL": url,
        "PYTHONPATH": str(ROOT / "layers" / "companion"),
    }
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, check=False, timeout=60
    )
    assert out.returncode == 0, out.stderr[-3000:]
    said = json.loads(out.stdout.strip().splitlines()[-1])
    assert said == {"answer": 5, "boto": []}  # deferred, and neither boto3 nor botocore imported
    got = _sqs(sqs_endpoint).receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert len(got) == 1 and json.loads(got[0]["Body"])["interaction"]["id"] == "77"
