"""The Discord REST client against the loopback stand-in: retries, limits, and what it refuses to leak."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from loyal_companion.discord.commands import DEFINITIONS
from loyal_companion.discord.register import register_commands
from loyal_companion.discord.rest import (
    BOT_REQUESTS_PER_SECOND,
    Attachment,
    DiscordError,
    DiscordRest,
    RequestPacer,
    split_message,
)
from loyal_companion.local.discord_stub import DiscordStub

TOKEN = "interaction-token-" + "q" * 60


@pytest.fixture
def stub() -> Iterator[DiscordStub]:
    with DiscordStub() as running:
        yield running


@pytest.fixture
def slept() -> list[float]:
    return []


@pytest.fixture
def rest(stub: DiscordStub, slept: list[float]) -> DiscordRest:
    # Time moves only when the client sleeps, so waits are exact and the process's pacer is not shared.
    now = [0.0]

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    return DiscordRest(
        api_base=stub.base_url,
        bot_token="bot-" + "t" * 40,
        sleep=sleep,
        pacer=RequestPacer(BOT_REQUESTS_PER_SECOND, clock=lambda: now[0]),
    )


def test_429_waits_retry_after_then_succeeds(
    stub: DiscordStub, rest: DiscordRest, slept: list[float]
) -> None:
    stub.fail_next(
        r"PATCH .*@original", 429, body={"message": "slow down", "retry_after": 0.25, "global": False}
    )
    rest.edit_original(1, TOKEN, {"content": "hi"})
    assert slept == [0.25]
    assert stub.originals()[0].content == "hi"


def test_global_429_uses_the_header_when_the_body_has_no_retry_after(
    stub: DiscordStub, rest: DiscordRest, slept: list[float]
) -> None:
    stub.fail_next(
        r"POST /api/v10/channels",
        429,
        body={"message": "global", "global": True},
        headers={"Retry-After": "0.5"},
    )
    rest.create_message("123", "hello")
    assert slept == [0.5]


def test_5xx_is_retried_with_backoff(stub: DiscordStub, rest: DiscordRest, slept: list[float]) -> None:
    stub.fail_next(r"PATCH", 502, times=2)
    rest.edit_original(1, TOKEN, {"content": "ok"})
    assert slept == [0.5, 1.0]


def test_unknown_interaction_is_final_and_not_retried(
    stub: DiscordStub, rest: DiscordRest, slept: list[float]
) -> None:
    stub.fail_next(r"PATCH", 404, body={"message": "Unknown interaction", "code": 10062})
    with pytest.raises(DiscordError) as err:
        rest.edit_original(1, TOKEN, {"content": "too late"})
    assert err.value.unknown_interaction
    assert slept == []
    assert len(stub.calls) == 1


def test_errors_never_carry_the_token(stub: DiscordStub, rest: DiscordRest) -> None:
    stub.fail_next(r"PATCH", 500, times=10)
    with pytest.raises(DiscordError) as err:
        rest.edit_original(1, TOKEN, {"content": "x"})
    assert TOKEN not in str(err.value) and TOKEN not in repr(err.value)


def test_connection_failure_is_a_transient_error_without_the_url(slept: list[float]) -> None:
    rest = DiscordRest(api_base="http://127.0.0.1:9/api/v10", sleep=slept.append, max_attempts=2)
    with pytest.raises(DiscordError) as err:
        rest.edit_original(1, TOKEN, {"content": "x"})
    assert err.value.transient and TOKEN not in str(err.value)


def test_everything_sent_disables_mentions(stub: DiscordStub, rest: DiscordRest) -> None:
    rest.edit_original(1, TOKEN, {"content": "@everyone"})
    rest.followup(1, TOKEN, {"content": "@here"})
    rest.create_message("5", "<@&1>")
    assert all(c.json["allowed_mentions"] == {"parse": []} for c in stub.calls)


def test_files_go_as_multipart(stub: DiscordStub, rest: DiscordRest) -> None:
    rest.edit_original(
        1, TOKEN, {"content": "here"}, [Attachment("export.json", b'{"a": 1}', "application/json")]
    )
    assert stub.originals()[0].files == {"export.json": b'{"a": 1}'}


def test_nonce_keeps_a_retried_send_from_posting_twice(stub: DiscordStub, rest: DiscordRest) -> None:
    first = rest.create_message("77", "happy birthday", nonce="event-9-2026")
    again = rest.create_message("77", "happy birthday", nonce="event-9-2026")
    assert first["id"] == again["id"]
    assert len(stub.channel_messages()) == 1


def test_bot_calls_need_the_bot_token(stub: DiscordStub) -> None:
    with pytest.raises(DiscordError):
        DiscordRest(api_base=stub.base_url).create_dm(1)


def test_register_commands_overwrites_and_reports_changes(stub: DiscordStub, rest: DiscordRest) -> None:
    first = register_commands(rest, "1100000000000000001", guild_id="42")
    assert set(first.added) == {d["name"] for d in DEFINITIONS}
    second = register_commands(rest, "1100000000000000001", guild_id="42")
    assert second.added == () and second.changed == () and second.removed == ()
    assert len(second.unchanged) == len(DEFINITIONS)
    assert [c.method for c in stub.calls] == ["GET", "PUT", "GET", "PUT"]


def test_split_message_respects_the_limit_and_keeps_every_word() -> None:
    text = "\n\n".join(("word " * 150).strip() for _ in range(10))
    pieces = split_message(text)
    assert all(len(p) <= 2000 for p in pieces)
    assert " ".join(pieces).split() == text.split()
    assert split_message("x" * 4500) == ["x" * 2000, "x" * 2000, "x" * 500]


def test_the_pacer_spreads_requests_and_never_bursts_after_a_lull() -> None:
    now = [0.0]
    pacer = RequestPacer(10, clock=lambda: now[0])
    assert [round(pacer.reserve(), 3) for _ in range(5)] == [0.0, 0.1, 0.2, 0.3, 0.4]
    now[0] = 10.0  # a quiet spell does not bank slots for a burst later
    assert [round(pacer.reserve(), 3) for _ in range(3)] == [0.0, 0.1, 0.2]


def test_a_global_429_pauses_everyone_sharing_the_pacer() -> None:
    now = [0.0]
    pacer = RequestPacer(10, clock=lambda: now[0])
    pacer.pause(2.0)
    assert pacer.reserve() == 2.0
    assert round(pacer.reserve(), 3) == 2.1
    with pytest.raises(ValueError):
        RequestPacer(0)


def test_bot_calls_from_several_threads_stay_under_the_global_limit() -> None:
    """Against a stand-in that answers 429 past 20 requests in any second: three threads, one pacer at 18
    per second, 36 messages — every one delivered, not one 429 provoked."""
    with DiscordStub(rate_limit_per_second=20) as limited:
        pacer = RequestPacer(18)
        clients = [
            DiscordRest(api_base=limited.base_url, bot_token="bot-" + "t" * 40, pacer=pacer) for _ in range(3)
        ]
        errors: list[BaseException] = []

        def send(client: DiscordRest, n: int) -> None:
            try:
                for i in range(12):
                    client.create_message("123", f"message {n}-{i}")
            except BaseException as exc:  # collected and asserted below
                errors.append(exc)

        threads = [threading.Thread(target=send, args=(c, n)) for n, c in enumerate(clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert errors == []
        assert len(limited.channel_messages()) == 36
        assert limited.rate_limited == 0


def test_interaction_webhooks_are_not_paced(stub: DiscordStub, slept: list[float]) -> None:
    pacer = RequestPacer(1)
    pacer.pause(60)  # bot calls would wait a minute
    rest = DiscordRest(api_base=stub.base_url, sleep=slept.append, pacer=pacer)
    rest.edit_original(1, TOKEN, {"content": "hi"})
    assert slept == []


def test_a_global_429_longer_than_max_wait_is_not_waited(stub: DiscordStub, slept: list[float]) -> None:
    stub.fail_next(
        r"POST /api/v10/channels", 429, body={"message": "global", "global": True, "retry_after": 60}
    )
    rest = DiscordRest(api_base=stub.base_url, bot_token="bot-" + "t" * 40, sleep=slept.append, max_wait=30)
    with pytest.raises(DiscordError) as caught:
        rest.create_message("123", "hello")
    assert caught.value.status == 429 and caught.value.global_limit
    assert slept == []
