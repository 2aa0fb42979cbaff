"""Fuzzing the interactions endpoint: whatever arrives, never a 5xx, never a queued message without a
valid signature, never a secret or token in the response or the log."""

from __future__ import annotations

import base64
import json
import logging
import time
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from nacl.signing import SigningKey

from loyal_companion.discord.endpoint import handle_http_event
from loyal_companion.discord.verify import SignatureVerifier

KEY = SigningKey.generate()
VERIFIER = SignatureVerifier(KEY.verify_key.encode().hex())
TOKEN = "fuzz-interaction-token-" + "t" * 50


class RecordingQueue:
    def __init__(self) -> None:
        self.sent: list[dict[str, str]] = []

    def send(self, *, body: str, group_id: str, dedup_id: str) -> None:
        self.sent.append({"body": body, "group_id": group_id, "dedup_id": dedup_id})


def _sign(body: bytes, ts: str) -> str:
    return KEY.sign(ts.encode() + body).signature.hex()


bodies = st.one_of(
    st.binary(max_size=2048),
    st.text(max_size=512).map(str.encode),
    st.recursive(
        st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=40)),
        lambda children: (
            st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
        ),
        max_leaves=20,
    ).map(lambda v: json.dumps(v).encode()),
    st.builds(
        lambda kind, name, extra: json.dumps(
            {
                "type": kind,
                "id": "1",
                "application_id": "2",
                "token": TOKEN,
                "data": {"name": name, **extra},
                "user": {"id": "3"},
                "channel_id": "4",
            }
        ).encode(),
        st.sampled_from([1, 2, 3, 4, 5, 6, 99, -1]),
        st.sampled_from(["chat", "help", "memory", "server", "nope", "Ask the Bartender", ""]),
        st.dictionaries(
            st.sampled_from(["options", "type", "resolved", "target_id"]), st.just([]), max_size=2
        ),
    ),
)
header_values = st.one_of(st.none(), st.text(max_size=140), st.just("zz" * 64), st.just(""))


@pytest.mark.slow
@settings(max_examples=10_000, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(
    body=bodies,
    sign=st.sampled_from(["valid", "other-body", "garbage", "missing", "truncated", "upper"]),
    encode=st.booleans(),
    break_base64=st.booleans(),
    timestamp=st.one_of(st.just(None), st.text(max_size=40), st.integers(0, 2**40).map(str)),
    extra_header=header_values,
    method=st.sampled_from(["POST", "POST", "POST", "GET", "PUT"]),
)
def test_the_endpoint_never_fails_open_or_leaks(
    body: bytes,
    sign: str,
    encode: bool,
    break_base64: bool,
    timestamp: str | None,
    extra_header: str | None,
    method: str,
) -> None:
    ts = timestamp if timestamp is not None else str(int(time.time()))
    headers: dict[str, Any] = {"x-signature-timestamp": ts}
    valid = False
    try:
        ts.encode("ascii")
        ascii_ts = True
    except UnicodeEncodeError:
        ascii_ts = False
    if sign == "valid" and ascii_ts:
        headers["x-signature-ed25519"] = _sign(body, ts)
        valid = len(ts) <= 32
    elif sign == "other-body" and ascii_ts:
        headers["x-signature-ed25519"] = _sign(body + b" ", ts)
    elif sign == "garbage":
        headers["x-signature-ed25519"] = extra_header
    elif sign == "truncated" and ascii_ts:
        headers["x-signature-ed25519"] = _sign(body, ts)[:-2]
    elif sign == "upper" and ascii_ts:
        headers["X-Signature-Ed25519".upper()] = _sign(body, ts).upper()
        valid = len(ts) <= 32
    if encode:
        text = base64.b64encode(body).decode()
        if break_base64:
            text = text[:-1] + "!"
            valid = False
    else:
        text = body.decode("utf-8", errors="surrogateescape")
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            valid = False
    event = {
        "headers": headers,
        "body": text,
        "isBase64Encoded": encode,
        "requestContext": {"http": {"method": method}},
    }
    if method != "POST":
        valid = False
    queue = RecordingQueue()
    logger = logging.getLogger("loyal_companion")
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append  # type: ignore[method-assign]
    logger.addHandler(handler)
    try:
        response = handle_http_event(
            event, verifier=VERIFIER, queue=lambda: queue, now=lambda: datetime.now(UTC)
        )
    finally:
        logger.removeHandler(handler)
    assert response["statusCode"] < 500
    if not valid:
        assert queue.sent == []
        assert response["statusCode"] in (401, 405)
    assert TOKEN not in response["body"]
    for record in records:
        assert TOKEN not in record.getMessage() and TOKEN not in json.dumps(record.__dict__, default=str)


def test_a_very_large_body_is_refused_without_work() -> None:
    body = b'{"type": 1, "pad": "' + b"x" * 2_000_000 + b'"}'
    ts = str(int(time.time()))
    event = {
        "headers": {"x-signature-ed25519": _sign(body, ts), "x-signature-timestamp": ts},
        "body": body.decode(),
    }
    queue = RecordingQueue()
    response = handle_http_event(event, verifier=VERIFIER, queue=lambda: queue, now=lambda: datetime.now(UTC))
    assert response["statusCode"] == 401 and queue.sent == []
