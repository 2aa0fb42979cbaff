"""Safety through the real handlers: signed interactions, the queue, the worker, PostgreSQL, the model server
stand-in (with and without a moderation endpoint) and the Discord stand-in (which, like Discord, turns the
first follow-up of a deferred interaction into its original)."""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from loyal_companion import runtime
from loyal_companion.local.discord_stub import PostedMessage
from loyal_companion.safety import messages
from tests.e2e.conftest import Stack
from tests.support.interactions import command, opt, snowflake, sub
from tests.support.openai_stub import Scripted

CRISIS = "I don't want to be here anymore"
GUILD = "500000000000000001"


def _rows(stack: Stack, sql: str) -> list[Any]:
    engine = create_engine(stack.database_url)
    try:
        with engine.connect() as conn:
            return list(conn.execute(text(sql)).all())
    finally:
        engine.dispose()


def _of(stack: Stack, token: str) -> list[PostedMessage]:
    """Every message the interaction with ``token`` left, oldest first."""
    return sorted(
        (m for m in stack.discord.messages.values() if m.channel == f"webhook:{token}"),
        key=lambda m: int(m.id),
    )


def _chat(message: str, **kwargs: Any) -> dict[str, Any]:
    return command("chat", [opt("message", message)], **kwargs)


def _with_locale(payload: dict[str, Any], locale: str) -> dict[str, Any]:
    return payload | {"locale": locale}


def test_a_crisis_in_a_dm_gets_a_line_at_once_and_a_caring_reply(stack: Stack) -> None:
    token = "crisis-dm-" + "x" * 50
    stack.send(_with_locale(_chat(CRISIS, token=token), "en-US"))
    original, referral = _of(stack, token)
    # The original was touched first; the referral is a follow-up of its own, not swallowed by the original.
    assert original.kind == "original" and referral.kind == "followup"
    assert "988" in referral.content and "Ana" in referral.content
    select = referral.components[0]["components"][0]
    assert select["custom_id"].startswith("lc1:where:300000000000000001")
    assert {"label": "United Kingdom", "value": "GB"} in select["options"]
    # The reply: the model's, after the line; no streaming previews in a crisis; the AI line under it.
    assert original.content.startswith("Here's to you. I'm listening.")
    assert original.content.endswith(messages.text("ai", "en"))
    chat = stack.model.last_chat
    assert not chat.get("stream")
    system = chat["messages"][0]["content"]
    assert "SAFETY FIRST" in system and "988 Suicide & Crisis Lifeline" in system
    assert messages.HONEST in system
    # Marked, counted by day, kind and language only, and nothing learned from it.
    assert _rows(stack, "SELECT role, safety_concern FROM messages ORDER BY id") == [
        ("user", "suicide"),
        ("assistant", "suicide"),
    ]
    [(day, kind, language, count)] = _rows(
        stack, "SELECT day, kind, language, referrals FROM safety_referral_counts"
    )
    assert (kind, language, count) == ("suicide", "en", 1) and day == datetime.now(UTC).date()
    assert _rows(stack, "SELECT memory_unread FROM conversations") == [(0,)]


def test_in_a_server_nobody_else_sees_the_crisis_turn(stack: Stack) -> None:
    token = "crisis-guild-" + "x" * 48
    response = stack.post(_chat("kms fr", guild_id=GUILD, token=token))
    assert response["json"] == {"type": 5, "data": {"flags": 64}}  # deferred privately by the endpoint
    assert stack.work() == {"batchItemFailures": []}
    left = _of(stack, token)
    assert len(left) == 2 and all(m.ephemeral for m in left)
    assert any("findahelpline.com" in m.content for m in left)  # no locale: the directory, and a choice


def test_a_crisis_the_endpoint_could_not_see_is_still_answered_privately(stack: Stack) -> None:
    # Only the moderation endpoint flags this one: the endpoint deferred publicly.
    stack.model.moderation = lambda said: {"self-harm/intent"} if "tonight is the night" in said else set()
    token = "mod-guild-" + "x" * 50
    response = stack.post(_chat("tonight is the night, nobody will stop me", guild_id=GUILD, token=token))
    assert response["json"] == {"type": 5}
    assert stack.work() == {"batchItemFailures": []}
    public = [m for m in _of(stack, token) if not m.ephemeral]
    private = [m for m in _of(stack, token) if m.ephemeral]
    assert [m.content for m in public] == [messages.text("private", "en", name="Ana")]
    assert len(private) == 2  # the line, and the reply
    assert any("findahelpline.com" in m.content for m in private)
    assert any(m.content.startswith("Here's to you") for m in private)
    # The message, then the reply (a crisis turn's reply is checked there too).
    assert stack.model.moderation_calls == [
        "tonight is the night, nobody will stop me",
        "Here's to you. I'm listening.",
    ]


def test_with_the_model_down_the_person_still_gets_the_line_and_a_prepared_reply(stack: Stack) -> None:
    stack.model.then(Scripted(status=500))
    token = "crisis-down-" + "x" * 48
    assert stack.send(_chat("quiero morirme", token=token)) == {"batchItemFailures": []}  # no retry needed
    original, referral = _of(stack, token)
    assert "024" not in referral.content  # no locale: the directory
    assert "findahelpline.com" in referral.content and referral.content.startswith("Ana, me alegra")
    assert original.content.startswith("Estoy aquí, Ana")
    assert messages.text("prepared", "es") in original.content
    assert _rows(stack, "SELECT count(*) FROM messages WHERE safety_concern = 'suicide'") == [(2,)]


def test_with_the_budget_spent_a_crisis_gets_a_prepared_reply_not_a_refusal(stack: Stack) -> None:
    services = runtime.services()
    services.settings = replace(services.settings, turns_per_minute=1)
    stack.send(_chat("Evening. Long day.", token="first-" + "x" * 54))
    token = "crisis-limited-" + "x" * 45
    stack.send(_with_locale(_chat("i cut myself again last night", token=token), "en-GB"))
    original, referral = _of(stack, token)
    assert "Samaritans" in referral.content and "116 123" in referral.content
    assert original.content.startswith("I'm here, Ana") and "one sip at a time" not in original.content
    assert stack.model.completions == 1  # only the first turn asked the model


@pytest.mark.parametrize("crisis", [True, False])
def test_a_reply_that_gives_a_method_is_never_shown_not_even_as_a_preview(stack: Stack, crisis: bool) -> None:
    runtime.services().stream_edit_interval = 0.0  # every streamed piece is a preview edit
    stack.model.reply = lambda request: "You could take 40 of your pills at once, that would be enough."
    token = "method-" + "x" * 53
    stack.send(_chat(CRISIS if crisis else "what a week it has been", token=token))
    sent = [str((c.json or {}).get("content", "")) for c in stack.discord.calls if c.json]
    assert sent and not any("pills" in s for s in sent)
    final = _of(stack, token)[0].content
    assert final.startswith("I'm here, Ana") and messages.text("prepared", "en") in final
    if not crisis:  # previews were shown until one gave a method; none after it
        assert any(s.endswith(" …") and s.startswith("You could") for s in sent)


def test_without_a_moderation_endpoint_the_container_asks_once(stack: Stack) -> None:
    for n in range(3):
        stack.send(_chat(CRISIS, token=f"probe-{n}-" + "x" * 50))
    assert len(stack.model.moderation_calls) == 1  # the 404, then never again
    assert len([c for c in stack.discord.calls if c.method == "POST" and "/webhooks/" in c.path]) == 3


def test_the_ai_line_opens_a_conversation_and_comes_back_after_three_hours(stack: Stack) -> None:
    start = datetime.now(UTC) - timedelta(hours=4)
    services = runtime.services()
    shown: list[bool] = []
    for minutes in (0, 50, 100, 150, 200, 245):
        at = start + timedelta(minutes=minutes)
        services.clock = lambda at=at: at
        token = f"t{minutes}-" + "x" * 55
        interaction = snowflake(at.timestamp() * 1000)
        stack.send(_chat(f"still here, minute {minutes}", token=token, interaction_id=interaction))
        shown.append(messages.text("ai", "en") in _of(stack, token)[0].content)
    assert shown == [True, False, False, False, True, False]


def test_a_young_person_is_reminded_to_take_a_break_every_three_hours(stack: Stack) -> None:
    start = datetime.now(UTC) - timedelta(hours=4)
    services = runtime.services()
    breaks: list[bool] = []
    for minutes in (0, 55, 110, 165, 185, 200):
        at = start + timedelta(minutes=minutes)
        services.clock = lambda at=at: at
        token = f"m{minutes}-" + "x" * 55
        said = "hi, I'm 15 and bored" if minutes == 0 else f"minute {minutes}"
        stack.send(_chat(said, token=token, interaction_id=snowflake(at.timestamp() * 1000)))
        breaks.append(messages.text("break", "en") in _of(stack, token)[0].content)
    assert breaks == [False, False, False, False, True, False]
    assert _rows(stack, "SELECT preference_value FROM user_preferences WHERE preference_key = 'minor'") == [
        ("yes",)
    ]
    assert "under 18" in stack.model.last_chat["messages"][0]["content"]


def test_a_server_marked_for_minors_treats_its_people_as_young(stack: Stack) -> None:
    stack.send(
        command("server", sub("minors", [opt("enabled", True, 5)]), guild_id=GUILD, token="admin-" + "x" * 54)
    )
    stack.send(_chat("hello there", guild_id=GUILD, token="young-" + "x" * 54))
    assert "under 18" in stack.model.last_chat["messages"][0]["content"]


def test_a_crisis_is_not_kept_as_a_memory(stack: Stack) -> None:
    token = "remember-" + "x" * 51
    stack.send(
        _with_locale(command("memory", sub("remember", [opt("fact", "I want to die")]), token=token), "de")
    )
    [reply] = _of(stack, token)
    # Spoken in the words' language (English), with the line of the person's locale (German).
    assert reply.content.startswith("I won't file that away") and "TelefonSeelsorge" in reply.content
    assert _rows(stack, "SELECT count(*) FROM user_facts") == [(0,)]
    assert _rows(stack, "SELECT kind, language FROM safety_referral_counts") == [("suicide", "en")]


def test_picking_a_country_shows_its_line_at_once(stack: Stack) -> None:
    press = {
        "id": str(snowflake()),
        "application_id": "1100000000000000001",
        "type": 3,
        "token": "press-" + "x" * 54,
        "version": 1,
        "channel_id": "400000000000000001",
        "locale": "de",
        "user": {"id": "300000000000000001", "username": "ana", "global_name": "Ana"},
        "data": {"custom_id": "lc1:where:300000000000000001:", "component_type": 3, "values": ["DE"]},
        "message": {"id": "1", "content": "", "components": []},
    }
    answer = stack.post(press)["json"]
    assert answer["type"] == 7 and "0800 111 0 111" in answer["data"]["content"]
    assert "Notruf" not in answer["data"]["content"] and "112" in answer["data"]["content"]
    elsewhere = stack.post(press | {"id": str(snowflake()), "data": press["data"] | {"values": ["XX"]}})
    assert "findahelpline.com" in elsewhere["json"]["data"]["content"]


def test_no_crisis_text_reaches_a_log_line(stack: Stack, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    stack.model.moderation = lambda said: {"self-harm"}
    stack.send(_chat("I don't want to be here anymore, I've written the letters", guild_id=GUILD))
    stack.send(command("memory", sub("remember", [opt("fact", "I cut myself again tonight")])))
    logged = "\n".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)
    for words in ("be here anymore", "written the letters", "cut myself"):
        assert words not in logged
    assert "crisis referral shown" in logged  # counted and logged — by kind and language only


def test_a_referral_is_a_metric_by_kind_and_language_only(
    stack: Stack, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    stack.send(_with_locale(_chat("quiero morirme", token="metric-" + "x" * 53), "es-ES"))
    emitted = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"_aws"' in line]
    [referral] = [m for m in emitted if "CrisisReferrals" in m]
    assert referral["CrisisReferrals"] in (1, 1.0, [1.0])
    assert (referral["Kind"], referral["Language"]) == ("suicide", "es")
    [dimensions] = referral["_aws"]["CloudWatchMetrics"][0]["Dimensions"]
    assert set(dimensions) == {"service", "Kind", "Language"}  # nothing that points at a person
    assert "quiero" not in json.dumps(referral)
