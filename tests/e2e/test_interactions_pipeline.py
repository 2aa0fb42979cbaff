"""Signed interactions through the handlers, the queue, the worker, the database and back to Discord."""

from __future__ import annotations

import json
import logging
import time

import pytest
from sqlalchemy import create_engine, text

from loyal_companion.discord.interaction import DISCORD_EPOCH_MS
from loyal_companion.service.worker import APOLOGY, BUSY_APOLOGY
from tests.e2e.conftest import Stack
from tests.support.interactions import FakeContext, command, lambda_event, opt, snowflake, sub
from tests.support.openai_stub import Scripted


def _count(stack: Stack, sql: str) -> int:
    engine = create_engine(stack.database_url.replace("postgresql+pg8000", "postgresql+pg8000"))
    try:
        with engine.connect() as conn:
            return int(conn.execute(text(sql)).scalar_one())
    finally:
        engine.dispose()


def _queue_depth(stack: Stack) -> int:
    attrs = stack.sqs.get_queue_attributes(
        QueueUrl=stack.queue_url, AttributeNames=["ApproximateNumberOfMessages"]
    )
    return int(attrs["Attributes"]["ApproximateNumberOfMessages"])


def test_bad_signature_is_401_and_queues_nothing(stack: Stack) -> None:
    event = stack.signer.event(command("chat", [opt("message", "hello there")]))
    event["body"] = event["body"].replace("hello there", "hello THERE")  # tampered after signing
    response = stack.interactions.lambda_handler(event, FakeContext())
    assert response["statusCode"] == 401
    assert _queue_depth(stack) == 0
    assert stack.discord.calls == []


def test_missing_signature_headers_is_401(stack: Stack) -> None:
    response = stack.interactions.lambda_handler(lambda_event(b'{"type":1}', {}), FakeContext())
    assert response["statusCode"] == 401


def test_ping_is_answered_with_pong(stack: Stack) -> None:
    assert stack.post({"type": 1, "id": "1", "application_id": "1"})["json"] == {"type": 1}


def test_base64_bodies_are_verified_on_the_decoded_bytes(stack: Stack) -> None:
    event = stack.signer.event({"type": 1}, base64_body=True)
    assert json.loads(stack.interactions.lambda_handler(event, FakeContext())["body"]) == {"type": 1}


def test_malformed_json_and_unknown_types_are_400(stack: Stack) -> None:
    bad_json = stack.interactions.lambda_handler(stack.signer.event(b"{not json"), FakeContext())
    assert bad_json["statusCode"] == 400
    unknown = stack.interactions.lambda_handler(stack.signer.event({"type": 99}), FakeContext())
    assert unknown["statusCode"] == 400


def test_help_is_answered_at_once_without_the_queue(stack: Stack) -> None:
    response = stack.post(command("help"))
    assert response["json"]["type"] == 4
    assert response["json"]["data"]["flags"] == 64
    assert response["json"]["data"]["allowed_mentions"] == {"parse": []}
    assert "/memory" in response["json"]["data"]["content"]
    assert _queue_depth(stack) == 0


def test_invalid_options_get_a_friendly_error_at_once(stack: Stack) -> None:
    response = stack.post(command("chat", [opt("message", "x" * 4001)]))
    assert response["json"]["type"] == 4
    assert "4000" in response["json"]["data"]["content"]
    assert _queue_depth(stack) == 0


def test_chat_is_deferred_queued_answered_and_stored(stack: Stack) -> None:
    payload = command("chat", [opt("message", "Long day. My sister's surgery went well though.")])
    response = stack.post(payload)
    assert response["json"] == {"type": 5}  # public reply in the channel
    attrs = stack.sqs.receive_message(QueueUrl=stack.queue_url, AttributeNames=["All"], VisibilityTimeout=0)
    message = attrs["Messages"][0]
    assert message["Attributes"]["MessageGroupId"] == "400000000000000001:300000000000000001"
    assert message["Attributes"]["MessageDeduplicationId"] == payload["id"]

    result = stack.work()
    assert result == {"batchItemFailures": []}
    originals = stack.discord.originals()
    assert [m.said for m in originals] == ["Here's to you. I'm listening."]
    patch = [c for c in stack.discord.calls if c.method == "PATCH"][-1]
    assert patch.json["allowed_mentions"] == {"parse": []}
    assert stack.model.completions == 1
    assert stack.model.last_chat["model"] == "stub-model"
    system = stack.model.last_chat["messages"][0]["content"]
    assert "Bartender" in system
    assert _count(stack, f"SELECT count(*) FROM messages WHERE interaction_id = {payload['id']}") == 2


def test_the_same_record_twice_stores_one_reply_and_calls_the_model_once(stack: Stack) -> None:
    payload = command("chat", [opt("message", "I got the job!")])
    stack.post(payload)
    records = stack.queued()
    assert len(records) == 1
    stack.work(records)
    stack.work(records)  # SQS delivered it again
    assert stack.model.completions == 1
    assert _count(stack, "SELECT count(*) FROM messages WHERE role = 'assistant'") == 1
    assert _count(stack, "SELECT count(*) FROM interaction_receipts") == 1
    # Streaming previews end in " …"; the final edits are the complete reply, once per delivery.
    finals = [
        c.json["content"].split("\n-# ")[0]
        for c in stack.discord.calls
        if c.method == "PATCH" and not c.json["content"].endswith(" …")
    ]
    assert finals == ["Here's to you. I'm listening."] * 2


def test_a_model_failure_edits_in_an_apology_and_the_retry_answers(stack: Stack) -> None:
    stack.model.then(Scripted(status=500))
    payload = command("chat", [opt("message", "Are you there?")])
    stack.post(payload)
    records = stack.queued()
    first = stack.work(records)
    assert first["batchItemFailures"] == [{"itemIdentifier": records[0]["messageId"]}]
    assert stack.discord.originals()[0].content == BUSY_APOLOGY
    assert _count(stack, "SELECT count(*) FROM messages") == 0
    # The retry (the model is back) replaces the apology with the answer.
    assert stack.work(records) == {"batchItemFailures": []}
    assert stack.discord.originals()[0].said == "Here's to you. I'm listening."


def test_a_refused_model_key_apologises_and_does_not_retry(stack: Stack) -> None:
    stack.model.then(
        Scripted(status=401, body={"error": {"message": "bad key", "type": "invalid_request_error"}})
    )
    stack.post(command("chat", [opt("message", "hello?")]))
    result = stack.work()
    assert result == {"batchItemFailures": []}
    assert stack.discord.originals()[0].content == APOLOGY


def test_an_expired_interaction_is_not_answered_there_but_the_person_hears_in_a_dm(stack: Stack) -> None:
    old = snowflake(time.time() * 1000 - 16 * 60 * 1000)
    stack.post(command("chat", [opt("message", "hello from the past")], interaction_id=old))
    assert stack.work() == {"batchItemFailures": []}
    assert stack.model.completions == 0  # nothing is done that nobody could see
    paths = [(c.method, c.path.split("/api/v10", 1)[-1]) for c in stack.discord.calls]
    assert paths[0] == ("POST", "/users/@me/channels") and paths[1][0] == "POST"
    assert not any("@original" in path for _, path in paths)
    dm = [m for m in stack.discord.messages.values() if m.kind == "message"]
    assert (
        len(dm) == 1 and "reached me too late" in dm[0].content and "hello from the past" not in dm[0].content
    )
    assert old > DISCORD_EPOCH_MS


def test_the_missed_turn_dm_goes_to_a_remembered_dm_channel_without_opening_it(stack: Stack) -> None:
    stack.send(command("mood", token="m-" + "x" * 60))
    engine = create_engine(stack.database_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE users SET dm_channel_id = 900000000000000001"))
    engine.dispose()
    old = snowflake(time.time() * 1000 - 16 * 60 * 1000)
    stack.post(command("chat", [opt("message", "hello from the past")], interaction_id=old))
    assert stack.work() == {"batchItemFailures": []}
    assert not any(c.path.endswith("/users/@me/channels") for c in stack.discord.calls)
    [dm] = [m for m in stack.discord.messages.values() if m.kind == "message"]
    assert dm.channel == "900000000000000001" and "reached me too late" in dm.content


def test_long_replies_continue_in_followups(stack: Stack) -> None:
    stack.model.then(Scripted(text=("word " * 900).strip()))
    stack.send(command("chat", [opt("message", "tell me everything")]))
    followups = [m for m in stack.discord.messages.values() if m.kind == "followup"]
    assert len(stack.discord.originals()[0].content) <= 2000
    assert followups and all(len(m.content) <= 2000 for m in followups)
    total = stack.discord.originals()[0].said + " " + " ".join(m.said for m in followups)
    assert total.split() == ["word"] * 900


def test_replies_never_ping_anyone(stack: Stack) -> None:
    stack.model.then(Scripted(text="@everyone look! <@&123> <@456>"))
    stack.send(command("chat", [opt("message", "say hi to everyone")]))
    for call in stack.discord.calls:
        if call.method in ("PATCH", "POST"):
            assert call.json["allowed_mentions"] == {"parse": []}


def test_the_token_never_reaches_the_logs(stack: Stack, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    token = "secret-interaction-token-" + "z" * 50
    stack.model.then(Scripted(status=500))
    stack.post(command("chat", [opt("message", "hi")], token=token))
    stack.work()
    assert token not in caplog.text
    assert "bot-token-" not in caplog.text


def test_memory_commands_work_on_real_rows(stack: Stack) -> None:
    stack.send(command("memory", sub("remember", [opt("fact", "My dog is called Biscuit")])))
    assert "Biscuit" in stack.discord.originals()[-1].content
    stack.send(command("memory", sub("list"), token="t2-" + "x" * 60))
    listing = [m for m in stack.discord.originals() if "remember about you" in m.content]
    assert listing and "Biscuit" in listing[0].content
    assert "1. " in listing[0].content  # the number /memory forget takes
    stack.send(command("memory", sub("forget", [opt("number", 2, 4)]), token="t3-" + "x" * 60))
    assert "no number 2" in stack.discord.originals()[-1].content  # the list has one line
    stack.send(command("memory", sub("forget", [opt("number", 1, 4)]), token="t4-" + "x" * 60))
    assert "Forgotten: ~~" in stack.discord.originals()[-1].content
    assert _count(stack, "SELECT count(*) FROM user_facts WHERE is_active") == 0


def test_memory_commands_are_ephemeral(stack: Stack) -> None:
    response = stack.post(command("memory", sub("list")))
    assert response["json"] == {"type": 5, "data": {"flags": 64}}


def test_a_reminder_in_the_past_gets_a_friendly_answer(stack: Stack) -> None:
    stack.send(command("remind", [opt("when", "2001-01-01 10:00"), opt("what", "call mum")]))
    assert "already passed" in stack.discord.originals()[0].content
    assert _count(stack, "SELECT count(*) FROM scheduled_events") == 0


def test_a_reminder_is_scheduled(stack: Stack) -> None:
    stack.send(
        command(
            "remind", [opt("when", "in 20 minutes"), opt("what", "stretch"), opt("timezone", "Europe/Lisbon")]
        )
    )
    assert "remind you" in stack.discord.originals()[0].content
    assert _count(stack, "SELECT count(*) FROM scheduled_events WHERE event_type = 'reminder'") == 1
    assert _count(stack, "SELECT count(*) FROM users WHERE timezone = 'Europe/Lisbon'") == 1


def test_privacy_export_sends_a_file_and_delete_removes_the_person(stack: Stack) -> None:
    stack.send(command("memory", sub("remember", [opt("fact", "I live in Porto")])))
    stack.send(command("privacy", sub("export"), token="t2-" + "x" * 60))
    export_message = stack.discord.originals()[-1]
    data = json.loads(export_message.files["loyal-companion-export.json"])
    assert data["user_facts"][0]["fact_content"] == "They live in Porto"
    asked = stack.post(command("privacy", sub("delete"), token="t3-" + "x" * 60))["json"]
    assert _count(stack, "SELECT count(*) FROM users") == 1  # asked first, with a button
    press = command("unused", token="t4-" + "x" * 60)
    press["type"] = 3
    press["data"] = {
        "custom_id": asked["data"]["components"][0]["components"][0]["custom_id"],
        "component_type": 2,
    }
    press["message"] = {"id": "1", "components": asked["data"]["components"]}
    assert stack.post(press)["json"] == {"type": 6}
    stack.work()
    assert _count(stack, "SELECT count(*) FROM users") == 0
    assert _count(stack, "SELECT count(*) FROM user_facts") == 0


def test_turns_per_minute_are_limited_with_a_friendly_word(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    from loyal_companion import runtime

    runtime.services().settings = runtime.services().settings.__class__(
        **{**runtime.services().settings.__dict__, "turns_per_minute": 2}
    )
    for i in range(3):
        stack.send(command("chat", [opt("message", f"message number {i}")], token=f"t{i}-" + "x" * 60))
    assert stack.model.completions == 2
    assert "one sip at a time" in stack.discord.originals()[-1].content


def test_server_settings_are_stored(stack: Stack) -> None:
    stack.send(
        command(
            "server",
            sub("features", [opt("feature", "opinions"), opt("enabled", False, 5)]),
            guild_id="500000000000000001",
        )
    )
    assert "off" in stack.discord.originals()[0].content
    assert _count(stack, "SELECT count(*) FROM guilds WHERE settings->'features'->>'opinions' = 'false'") == 1


def test_a_spent_daily_budget_gets_a_friendly_word_instead_of_a_model_call(stack: Stack) -> None:
    from loyal_companion import runtime

    settings = runtime.services().settings
    runtime.services().settings = settings.__class__(**{**settings.__dict__, "daily_tokens_per_person": 100})
    stack.send(command("chat", [opt("message", "first")]))  # the stub reports 62 tokens
    stack.send(command("chat", [opt("message", "second")], token="t2-" + "x" * 60))  # 124 > 100 after this
    stack.send(command("chat", [opt("message", "third")], token="t3-" + "x" * 60))
    assert stack.model.completions == 2
    assert "rest my voice" in stack.discord.originals()[-1].content


def test_ask_the_bartender_talks_about_the_chosen_message(stack: Stack) -> None:
    payload = command(
        "Ask the Bartender",
        kind=3,
        target_id="900",
        resolved={"messages": {"900": {"id": "900", "content": "I can't stop thinking about him."}}},
    )
    stack.send(payload)
    user_turn = stack.model.last_chat["messages"][-1]["content"]
    assert "I can't stop thinking about him." in user_turn
