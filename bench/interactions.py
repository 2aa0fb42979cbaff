"""`lc bench interactions`: the endpoint's cold import and warm handler times, per kind of interaction."""

from __future__ import annotations

import json
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from nacl.signing import SigningKey

from bench.common import percentile

Report = Callable[[str], None]


def _cold_import(code: str, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        out = subprocess.run(
            [
                sys.executable,
                "-c",
                f"import time; t = time.perf_counter()\n{code}\nprint(time.perf_counter() - t)",
            ],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        )
        times.append(float(out.stdout.strip().splitlines()[-1]))
    return times


def _cold_import_against(ref: str, *, runs: int) -> tuple[float, float]:
    """Median cold imports of this tree's interactions handler and of ``ref``'s, run alternately so that
    the machine's noise falls on both alike."""

    from loyal_companion.local.functions import repo_root

    root = repo_root()
    with tempfile.TemporaryDirectory() as tmp:
        other = Path(tmp) / "before"
        subprocess.run(
            ["git", "-C", str(root), "worktree", "add", "--detach", "-q", str(other), ref], check=True
        )
        try:
            samples: dict[Path, list[float]] = {root: [], other: []}
            for _ in range(runs):
                for tree in samples:
                    code = (
                        f"import sys; sys.path.insert(0, {str(tree / 'layers' / 'companion')!r})\n"
                        "import importlib.util\n"
                        f"spec = importlib.util.spec_from_file_location('app', {str(tree / 'functions' / 'interactions' / 'app.py')!r})\n"
                        "module = importlib.util.module_from_spec(spec); spec.loader.exec_module(module)"
                    )
                    samples[tree].extend(_cold_import(code, 1))
        finally:
            subprocess.run(["git", "-C", str(root), "worktree", "remove", "--force", str(other)], check=False)
    return statistics.median(samples[root]), statistics.median(samples[other])


def _import_share(code: str, module: str, runs: int) -> float:
    """The median time ``module`` itself took to import (``-X importtime``, cumulative) in cold runs."""
    times = []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", code],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        )
        for line in out.stderr.splitlines():
            fields = [f.strip() for f in line.removeprefix("import time:").split("|")]
            if len(fields) == 3 and fields[2] == module:
                times.append(int(fields[1]) / 1e6)
    return statistics.median(times) if times else 0.0


_FIRST_ACK = """
import json, sys, time
event = json.load(open(sys.argv[1]))
start = time.perf_counter()
import importlib.util
spec = importlib.util.spec_from_file_location("app", sys.argv[2])
module = importlib.util.module_from_spec(spec); spec.loader.exec_module(module)
imported = time.perf_counter()
from loyal_companion import runtime
from loyal_companion.discord.endpoint import handle_http_event
if sys.argv[3] == "boto3":
    from loyal_companion.queue import SqsQueue
    queue = lambda: SqsQueue(runtime.required("CONVERSATION_QUEUE_URL"))
else:
    queue = runtime.conversation_queue
answer = handle_http_event(event, verifier=runtime.signature_verifier(), queue=queue, now=runtime.utc_now)
done = time.perf_counter()
assert json.loads(answer["body"])["type"] == 5, answer
print(imported - start, done - start, "boto3" in sys.modules)
"""


def _cold_first_acks(report: Report, *, starts: int = 11) -> dict[str, float]:
    """A cold container's import and first deferred /chat, queued to SQS (moto on loopback): boto3's client
    (the path before issue 31) beside SendMessage over the JSON protocol signed by awscrt, interleaved."""
    import boto3
    from moto.server import ThreadedMotoServer

    from loyal_companion.local.functions import repo_root

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request would bury the figures
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    keys = {"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench", "AWS_REGION": "eu-west-1"}
    try:
        sqs = boto3.client(
            "sqs",
            endpoint_url=endpoint,
            region_name="eu-west-1",
            aws_access_key_id="bench",
            aws_secret_access_key="bench",
        )
        url = sqs.create_queue(QueueName="bench.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
        sqs.send_message(QueueUrl=url, MessageBody="warm", MessageGroupId="g", MessageDeduplicationId="w")
        key = SigningKey.generate()
        root = repo_root()
        env = {
            **os.environ,
            **keys,
            "AWS_DEFAULT_REGION": "eu-west-1",
            "AWS_ENDPOINT_URL_SQS": endpoint,
            "CONVERSATION_QUEUE_URL": url,
            "DISCORD_PUBLIC_KEY": key.verify_key.encode().hex(),
            "PYTHONPATH": str(root / "layers" / "companion"),
            "PYTHONDONTWRITEBYTECODE": "1",
        }
        samples: dict[str, list[tuple[float, float]]] = {"boto3": [], "json": []}
        with tempfile.TemporaryDirectory() as tmp:
            for n in range(starts):
                for path in samples:
                    body = json.dumps(_chat_payload(f"{n}{len(samples[path])}{path}")).encode()
                    ts = str(int(time.time()))
                    event = {
                        "headers": {
                            "x-signature-ed25519": key.sign(ts.encode() + body).signature.hex(),
                            "x-signature-timestamp": ts,
                        },
                        "body": body.decode(),
                        "isBase64Encoded": False,
                        "requestContext": {"http": {"method": "POST"}},
                    }
                    event_file = Path(tmp) / "event.json"
                    event_file.write_text(json.dumps(event))
                    app = root / "functions" / "interactions" / "app.py"
                    out = subprocess.run(
                        [sys.executable, "-c", _FIRST_ACK, str(event_file), str(app), path],
                        capture_output=True,
                        text=True,
                        check=True,
                        env=env,
                    )
                    imported, acked, with_boto = out.stdout.split()[-3:]
                    assert (with_boto == "True") == (path == "boto3"), path
                    samples[path].append((float(imported), float(acked)))
    finally:
        server.stop()
    medians = {
        path: (statistics.median(i for i, _ in got), statistics.median(a for _, a in got))
        for path, got in samples.items()
    }
    (bi, ba), (ji, ja) = medians["boto3"], medians["json"]
    report(
        f"cold import + first deferred /chat queued to SQS (moto on loopback), {starts} cold starts each, "
        f"interleaved: boto3's client {ba * 1000:.0f} ms (of which the handler's import {bi * 1000:.0f} ms); "
        f"SendMessage over the JSON protocol signed by awscrt {ja * 1000:.0f} ms (import {ji * 1000:.0f} ms) "
        f"= {ja / ba:.2f}× (target ≤ 0.60×); after the import: {(ba - bi) * 1000:.0f} ms → "
        f"{(ja - ji) * 1000:.0f} ms"
    )
    return {"first_ack_boto3_s": ba, "first_ack_json_s": ja}


def _chat_payload(interaction_id: str) -> dict[str, Any]:
    return {
        "type": 2,
        "id": str(abs(hash(interaction_id)) % 10**17),
        "application_id": "1",
        "token": "t" * 70,
        "version": 1,
        "channel_id": "5",
        "user": {"id": "9", "username": "bench"},
        "data": {"name": "chat", "type": 1, "options": [{"type": 3, "name": "message", "value": "hello"}]},
    }


def bench_interactions(report: Report, *, runs: int = 7, iterations: int = 3000) -> dict[str, Any]:
    """Cold import of the interactions handler (vs. importing everything) and warm handler times."""
    from loyal_companion.local.functions import repo_root

    app = repo_root() / "functions" / "interactions" / "app.py"
    load = (
        "import importlib.util\n"
        f"spec = importlib.util.spec_from_file_location('app', {str(app)!r})\n"
        "module = importlib.util.module_from_spec(spec); spec.loader.exec_module(module)"
    )
    handler_cold = _cold_import(load, runs)
    everything = _cold_import(
        load
        + "\nimport sqlalchemy, sqlalchemy.orm, openai, boto3; boto3.client('sqs', region_name='eu-west-1')",
        runs,
    )
    report(
        f"interactions handler cold import: median {statistics.median(handler_cold) * 1000:.0f} ms "
        f"(target ≤ 300 ms); importing everything: median {statistics.median(everything) * 1000:.0f} ms "
        f"(ratio {statistics.median(everything) / statistics.median(handler_cold):.1f}×), {runs} runs each"
    )
    before_ref = os.environ.get("LC_BENCH_BEFORE")
    if before_ref:
        now_s, before_s = _cold_import_against(before_ref, runs=11)
        report(
            f"  beside {before_ref} (a git worktree of it, cold imports interleaved with this tree's): "
            f"{before_s * 1000:.1f} ms then, {now_s * 1000:.1f} ms now = {now_s / before_s:.2f}× (target ≤ 1.10×)"
        )
    first_ack = _cold_first_acks(report)
    # What the buttons and modals added to that import, measured inside the same cold imports.
    own = _import_share(load, "loyal_companion.discord.components", runs)
    report(
        f"  of which buttons and modals (discord/components.py, imported cold): median {own * 1000:.1f} ms "
        f"= {own / statistics.median(handler_cold):.1%} of the handler's import (target: the import within "
        "10 % of what it was before them)"
    )

    from loyal_companion.discord.endpoint import handle_http_event
    from loyal_companion.discord.verify import SignatureVerifier
    from loyal_companion.local.terminal import LOCAL_USER_ID, interaction_for
    from loyal_companion.runtime import utc_now

    key = SigningKey.generate()
    verifier = SignatureVerifier(key.verify_key.encode().hex())

    class NullQueue:
        def send(self, *, body: str, group_id: str, dedup_id: str) -> None:
            return None

    queue = NullQueue()

    def event(payload: dict[str, Any]) -> dict[str, Any]:
        body = json.dumps(payload).encode()
        ts = str(int(time.time()))
        signature = key.sign(ts.encode() + body).signature.hex()
        return {
            "headers": {"x-signature-ed25519": signature, "x-signature-timestamp": ts},
            "body": body.decode(),
            "isBase64Encoded": False,
            "requestContext": {"http": {"method": "POST"}},
        }

    ping = event({"type": 1})
    owner = LOCAL_USER_ID
    view = {"id": "5", "content": "", "components": []}

    def pressed(kind: int, data: dict[str, Any]) -> dict[str, Any]:
        """An interaction as `lc chat` sends it (a command, a press on ``view``, a modal submit)."""
        message = view if kind == 3 else None
        return event(interaction_for(data, token="t" * 80, username="bench", kind=kind, message=message))

    chat = pressed(
        2, {"name": "chat", "type": 1, "options": [{"type": 3, "name": "message", "value": "hello " * 20}]}
    )
    reply_press = pressed(3, {"custom_id": f"lc1:reply:{owner}:", "component_type": 2})
    forget_select = pressed(
        3, {"custom_id": f"lc1:mem-forget:{owner}:0", "component_type": 3, "values": ["42"]}
    )
    # The same /chat in a server channel: the endpoint reads it for a crisis (a private deferral if so).
    in_server = interaction_for(
        {"name": "chat", "type": 1, "options": [{"type": 3, "name": "message", "value": "hello " * 20}]},
        token="t" * 80,
        username="bench",
    )
    in_server["member"] = {"user": in_server.pop("user"), "permissions": "0"}
    in_server |= {"guild_id": "600000000000000001", "context": 0}
    server_chat = event(in_server)
    crisis_chat = event(
        in_server
        | {"data": in_server["data"] | {"options": [{"type": 3, "name": "message", "value": "kms fr"}]}}
    )
    build = _cold_import("from loyal_companion.safety.detect import find\nfind('hello')", runs)
    report(
        f"the crisis detector's build, once per container on its first /chat in a server: median "
        f"{statistics.median(build) * 1000:.0f} ms ({runs} cold processes; DMs and presses never pay it)"
    )
    modal_submit = pressed(
        5,
        {
            "custom_id": f"lc1:chat:{owner}:",
            "components": [
                {"type": 1, "components": [{"type": 4, "custom_id": "message", "value": "hi " * 300}]}
            ],
        },
    )
    figures: dict[str, Any] = {}
    # Lambda ships log lines asynchronously; printing thousands of them to a terminal would dominate.
    logging.getLogger("loyal_companion").setLevel(logging.WARNING)
    for name, ev in (
        ("PING", ping),
        ("deferred /chat", chat),
        ("deferred /chat in a server, read for a crisis", server_chat),
        ("a crisis in a server → private deferral", crisis_chat),
        ("Reply button → modal", reply_press),
        ("select → deferred update, queued", forget_select),
        ("modal submit → deferred, queued", modal_submit),
    ):
        samples = []
        for _ in range(iterations):
            start = time.perf_counter()
            response = handle_http_event(ev, verifier=verifier, queue=lambda: queue, now=utc_now)
            samples.append(time.perf_counter() - start)
            assert response["statusCode"] == 200
        p50, p99 = percentile(samples, 0.5) * 1000, percentile(samples, 0.99) * 1000
        figures[name] = (p50, p99)
        report(f"warm handler, {name}: p50 {p50:.3f} ms, p99 {p99:.3f} ms (target p99 ≤ 5 ms, no queue call)")
    return {
        "cold_import_s": statistics.median(handler_cold),
        "everything_s": statistics.median(everything),
        **first_ack,
        **figures,
    }
