"""The built artifact, not the source tree: after `sam build`, a fresh interpreter with nothing on its path
but a built function folder and the built layer answers a signed PING and carries one queued turn to a
stored reply (SQS in moto over HTTP, the real PostgreSQL, the Discord stand-in on loopback).

The layer is built here for this machine's Python and architecture (LAMBDA_PYTHON, LAMBDA_PLATFORM), so
the built code can run on it; a file missing from the build, or a handler that resolves only from the
repository root, fails here before it reaches AWS. A build for python3.12 is checked to ship cp312 wheels.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from sqlalchemy import Engine, text

from loyal_companion.local.discord_stub import DiscordStub
from tests.support.interactions import APP_ID, Signer, command, opt
from tests.template.test_template import sam_build

ROOT = Path(__file__).resolve().parents[2]

# Run as `python -I -S driver.py FUNCTION_DIR LAYER_DIR EVENT_FILE`: no site-packages, no PYTHONPATH, no
# user site; only the standard library, the function folder (Lambda's /var/task) and the layer (/opt/python).
DRIVER = """
import json, sys
function_dir, layer_dir, event_file = sys.argv[1:4]
sys.path[:0] = [function_dir, layer_dir]
import app
import loyal_companion
assert loyal_companion.__file__.startswith(layer_dir), loyal_companion.__file__
leaks = [p for p in sys.path if "site-packages" in p or p.startswith(%(root)r)]
assert leaks == [], leaks

class Context:
    function_name = "artifact"
    function_version = "$LATEST"
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:artifact"
    memory_limit_in_mb = 512
    aws_request_id = "artifact-1"
    log_group_name = "/aws/lambda/artifact"
    log_stream_name = "artifact"

    def get_remaining_time_in_millis(self):
        return 30000

with open(event_file) as f:
    event = json.load(f)
result = app.lambda_handler(event, Context())
print("RESULT " + json.dumps(result))
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("artifact")
    machine = {"amd64": "x86_64", "arm64": "aarch64"}.get(platform.machine().lower(), platform.machine())
    result = sam_build(
        out,
        LAMBDA_PYTHON=f"{sys.version_info.major}.{sys.version_info.minor}",
        LAMBDA_PLATFORM=f"manylinux2014_{machine}",
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return out / "build"


@pytest.fixture
def sqs_endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


PRINTED: list[str] = []  # what the last _run printed: its log lines and metrics (EMF)


def _run(built: Path, function: str, event: dict[str, Any], env: dict[str, str], tmp: Path) -> Any:
    driver = tmp / "driver.py"
    driver.write_text(DRIVER % {"root": str(ROOT)})
    event_file = tmp / f"{function}-event.json"
    event_file.write_text(json.dumps(event))
    result = subprocess.run(
        [
            sys.executable,
            "-I",
            "-S",
            str(driver),
            str(built / function),
            str(built / "CompanionLayer" / "python"),
            str(event_file),
        ],
        capture_output=True,
        text=True,
        cwd=tmp,
        env=env,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    PRINTED[:] = result.stdout.splitlines()
    line = next(x for x in result.stdout.splitlines() if x.startswith("RESULT "))
    return json.loads(line.removeprefix("RESULT "))


def test_the_built_functions_answer_a_ping_and_carry_a_turn_to_a_stored_reply(
    built: Path, sqs_endpoint: str, database_url: str, engine: Engine, tmp_path: Path
) -> None:
    signer = Signer()
    aws = {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ENDPOINT_URL": sqs_endpoint,
    }
    sqs = boto3.client(
        "sqs",
        endpoint_url=sqs_endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    queue_url = sqs.create_queue(QueueName="conversation.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    with DiscordStub() as discord:
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            **aws,
            "DISCORD_PUBLIC_KEY": signer.public_key_hex,
            "DISCORD_APPLICATION_ID": APP_ID,
            "DISCORD_BOT_TOKEN": "bot-" + "t" * 40,
            "DISCORD_API_BASE": discord.base_url,
            "CONVERSATION_QUEUE_URL": queue_url,
            "DATABASE_URL": database_url,
            "POWERTOOLS_METRICS_NAMESPACE": "LoyalCompanion",
            "POWERTOOLS_SERVICE_NAME": "bartender-two",  # the template sets the stack's name
        }
        ping_body = {"type": 1, "id": "1", "application_id": APP_ID, "token": "t" * 60, "version": 1}
        ping = _run(built, "InteractionsFunction", signer.event(ping_body), env, tmp_path)
        assert ping["statusCode"] == 200 and json.loads(ping["body"]) == {"type": 1}

        turn = command("chat", [opt("message", "My dog Biscuit is poorly today.")], token="built-" + "x" * 60)
        deferred = _run(built, "InteractionsFunction", signer.event(turn), env, tmp_path)
        assert json.loads(deferred["body"])["type"] == 5
        received = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, AttributeNames=["All"])
        messages = received["Messages"]
        assert len(messages) == 1
        message = messages[0]
        record = {
            "messageId": message["MessageId"],
            "receiptHandle": message["ReceiptHandle"],
            "body": message["Body"],
            "attributes": {**message["Attributes"], "ApproximateReceiveCount": "1"},
            "messageAttributes": {},
            "md5OfBody": message["MD5OfBody"],
            "eventSource": "aws:sqs",
            "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:conversation.fifo",
            "awsRegion": "us-east-1",
        }
        answer = _run(built, "ConversationFunction", {"Records": [record]}, env, tmp_path)
        assert answer == {"batchItemFailures": []}
        # The worker's figures carry the stack's name, so two stacks in one account keep them apart.
        figures = [json.loads(x) for x in PRINTED if x.startswith("{") and '"_aws"' in x]
        assert figures and {f["service"] for f in figures} == {"bartender-two"}
        reply = discord.messages[f"original:{turn['token']}"].content
    assert "offline responder" in reply
    with engine.connect() as conn:
        stored = conn.execute(
            text("SELECT command FROM interaction_receipts WHERE interaction_id = :i"), {"i": int(turn["id"])}
        ).scalar()
        assert stored == "chat"
        assert conn.execute(text("SELECT count(*) FROM messages")).scalar() == 2


def test_a_build_for_python_3_12_ships_cp312_wheels(tmp_path: Path) -> None:
    result = sam_build(tmp_path, "CompanionLayer", LAMBDA_PYTHON="3.12")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    native = [p.name for p in (tmp_path / "build" / "CompanionLayer" / "python").rglob("*.so")]
    versioned = [n for n in native if "cpython-" in n]
    assert versioned and all("cpython-312-aarch64-linux-gnu" in n for n in versioned), versioned
