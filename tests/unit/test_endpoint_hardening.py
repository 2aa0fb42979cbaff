"""Validly signed bodies of every wrong shape: the endpoint answers each with a response or a clear 4xx,
never an exception, and queues only well-formed, fresh, signed commands."""

from __future__ import annotations

import base64
import json
import logging
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from nacl.signing import SigningKey

from loyal_companion.discord.endpoint import MAX_CLOCK_SKEW_S, handle_http_event
from loyal_companion.discord.verify import SignatureVerifier

KEY = SigningKey.generate()
VERIFIER = SignatureVerifier(KEY.verify_key.encode().hex())
NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


class RecordingQueue:
    def __init__(self) -> None:
        self.sent: list[dict[str, str]] = []

    def send(self, *, body: str, group_id: str, dedup_id: str) -> None:
        self.sent.append({"body": body, "group_id": group_id, "dedup_id": dedup_id})


def _event(body: bytes, *, stamp: int) -> dict[str, Any]:
    timestamp = str(stamp)
    return {
        "headers": {
            "x-signature-ed25519": KEY.sign(timestamp.encode() + body).signature.hex(),
            "x-signature-timestamp": timestamp,
        },
        "body": base64.b64encode(body).decode(),  # as a Function URL passes bodies that are not UTF-8
        "isBase64Encoded": True,
        "requestContext": {"http": {"method": "POST"}},
    }


def _send(body: bytes, *, stamp: int | None = None) -> tuple[dict[str, Any], RecordingQueue]:
    queue = RecordingQueue()
    response = handle_http_event(
        _event(body, stamp=int(NOW.timestamp()) if stamp is None else stamp),
        verifier=VERIFIER,
        queue=lambda: queue,
        now=lambda: NOW,
    )
    return response, queue


def _chat(**changes: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "type": 2,
        "id": "1312345678901234567",
        "application_id": "1100000000000000001",
        "token": "t" * 80,
        "channel_id": "400000000000000001",
        "user": {"id": "300000000000000001", "username": "ana"},
        "data": {"name": "chat", "type": 1, "options": [{"type": 3, "name": "message", "value": "hello"}]},
    }
    payload.update(changes)
    return payload


def test_a_well_formed_fresh_command_is_queued() -> None:
    response, queue = _send(json.dumps(_chat()).encode())
    assert response["statusCode"] == 200 and json.loads(response["body"])["type"] == 5
    assert len(queue.sent) == 1


@pytest.mark.parametrize(
    "body",
    [
        json.dumps(_chat(data={"name": "chat", "options": ["x"]})),
        json.dumps(_chat(data={"name": "chat", "options": "2"})),
        json.dumps(
            _chat(data={"name": "memory", "options": [{"name": "list", "type": 1, "options": {"a": 1}}]})
        ),
        json.dumps(_chat(data={"name": "chat", "options": 1.5})),
        json.dumps(_chat(data={"name": "chat", "options": [{"name": "message", "type": 3, "value": ["x"]}]})),
        json.dumps(_chat(data={"name": "chat" * 20})),
        json.dumps(_chat(data={"name": "\ud800"})),
        json.dumps(_chat(user={"id": "3", "username": "\udfff"})),
        json.dumps(_chat(id=True)),
        json.dumps(_chat(id=1.5)),
        json.dumps(_chat(id="12e3")),
        json.dumps(_chat(id=str(2**70))),
        json.dumps(_chat(member=[1])),
        json.dumps(_chat(data=[])),
        '{"type": 2, "id": Infinity, "token": "t", "data": {"name": "chat"}}',
        '{"type": 2, "id": NaN}',
        "[" * 2000 + "]" * 2000,
        '{"a":' * 500 + "1" + "}" * 500,
    ],
)
def test_shapes_discord_never_sends_get_a_clear_400(body: str) -> None:
    response, queue = _send(body.encode("utf-8", errors="surrogatepass"))
    assert response["statusCode"] == 400 and "malformed interaction" in response["body"]
    assert queue.sent == []


@pytest.mark.parametrize("offset", [-400 * 86400, -(MAX_CLOCK_SKEW_S + 1), MAX_CLOCK_SKEW_S + 1, 10**9])
def test_a_signed_request_stamped_far_from_now_is_refused(offset: int) -> None:
    response, queue = _send(json.dumps(_chat()).encode(), stamp=int(NOW.timestamp()) + offset)
    assert response["statusCode"] == 401 and "stale" in response["body"]
    assert queue.sent == []


def test_a_request_within_the_allowed_skew_is_accepted() -> None:
    for offset in (-MAX_CLOCK_SKEW_S, MAX_CLOCK_SKEW_S):
        response, queue = _send(json.dumps(_chat()).encode(), stamp=int(NOW.timestamp()) + offset)
        assert response["statusCode"] == 200 and len(queue.sent) == 1


# -- generated: 10,000 signed requests ------------------------------------------------------------------

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(alphabet=st.characters(codec=None), max_size=12),
)
json_values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
option = st.fixed_dictionaries(
    {},
    optional={
        "name": st.one_of(
            st.sampled_from(["message", "fact", "id", "list", "forget", "confirm"]), json_values
        ),
        "type": st.one_of(st.integers(-2, 14), json_values),
        "value": json_values,
        "options": st.one_of(
            json_values, st.lists(st.dictionaries(st.text(max_size=6), json_values, max_size=3))
        ),
    },
)
data = st.fixed_dictionaries(
    {},
    optional={
        "name": st.one_of(
            st.sampled_from(["chat", "help", "memory", "remind", "privacy", "Ask the Bartender", "", "nope"]),
            st.text(alphabet=st.characters(codec=None), max_size=40),
            json_values,
        ),
        "type": st.one_of(st.integers(-1, 5), json_values),
        "options": st.one_of(json_values, st.lists(option, max_size=4)),
        "resolved": json_values,
        "target_id": json_values,
    },
)
interaction = st.fixed_dictionaries(
    {
        "type": st.one_of(st.sampled_from([1, 2, 2, 2, 3, 4, 5]), json_values),
        "data": st.one_of(data, data, json_values),
    },
    optional={
        "id": st.one_of(st.just("1312345678901234567"), json_values),
        "application_id": st.one_of(st.just("1100000000000000001"), json_values),
        "token": st.one_of(st.just("t" * 80), json_values),
        "channel_id": st.one_of(st.just("400000000000000001"), json_values),
        "guild_id": st.one_of(st.just("600000000000000001"), json_values),
        "user": st.one_of(st.just({"id": "300000000000000001", "username": "ana"}), json_values),
        "member": st.one_of(st.just({"user": {"id": "300000000000000002"}, "nick": "Nia"}), json_values),
        "locale": json_values,
    },
)


def _encode(value: Any) -> bytes:
    text = json.dumps(value, allow_nan=True)  # Infinity and NaN, as a hand-made body may carry them
    return text.encode("utf-8", errors="surrogatepass")


bodies = st.one_of(
    interaction.map(_encode),
    interaction.map(_encode),
    st.integers(1, 3000).map(lambda n: (b"[" * n) + (b"]" * n)),
    st.integers(1, 400).map(lambda n: b'{"a":' * n + b"1" + b"}" * n),
    st.binary(max_size=300),
)
stamps = st.one_of(
    st.just(0),
    st.just(0),
    st.integers(-MAX_CLOCK_SKEW_S, MAX_CLOCK_SKEW_S),
    st.integers(-(10**10), 10**10),
)


@pytest.mark.slow
@settings(max_examples=10_000, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(body=bodies, skew=stamps)
def test_ten_thousand_signed_bodies_never_raise_and_queue_only_what_is_sound(body: bytes, skew: int) -> None:
    stamp = int(NOW.timestamp()) + skew
    response, queue = _send(body, stamp=stamp)
    assert response["statusCode"] in (200, 204, 400, 401)
    if response["statusCode"] == 204:  # only a webhook PING (type 0, an integer) or a webhook event
        payload = json.loads(body)
        assert type(payload["type"]) is int and (payload["type"] == 0 or "event" in payload)
    if queue.sent:
        assert abs(skew) <= MAX_CLOCK_SKEW_S
        payload = json.loads(queue.sent[0]["body"])["interaction"]
        assert payload["type"] == 2 and isinstance(payload["data"]["name"], str)


def test_nothing_the_endpoint_logs_breaks_on_what_a_body_holds(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="loyal_companion"):
        for name in ("\ud800", "x" * 5000, "unknown"):
            _send(json.dumps(_chat(data={"name": name})).encode("utf-8", errors="surrogatepass"))
    for record in caplog.records:
        json.dumps(record.__dict__, default=str).encode("utf-8")  # every record can be written
