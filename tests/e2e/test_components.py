"""Buttons, selects and modals through the whole pipeline: signed press → endpoint → SQS (moto) → worker →
PostgreSQL → the model and Discord stand-ins over loopback."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import text

from loyal_companion.db.engine import create_db_engine
from loyal_companion.discord import components as ui
from tests.e2e.conftest import Stack
from tests.support.interactions import command, opt, snowflake, sub

ANA = "300000000000000001"
BEN = "300000000000000002"


def _press(
    custom_id: str,
    *,
    user_id: str = ANA,
    values: list[str] | None = None,
    message: dict[str, Any] | None = None,
    token: str | None = None,
) -> dict[str, Any]:
    """A button or select press, as Discord sends it (type 3)."""
    payload = command("unused", user_id=user_id, token=token or f"press-{snowflake()}-" + "x" * 40)
    payload["type"] = 3
    payload["data"] = {"custom_id": custom_id, "component_type": 3 if values else 2}
    if values is not None:
        payload["data"]["values"] = values
    payload["message"] = message or {"id": str(snowflake()), "content": "", "components": []}
    return payload


def _submit(custom_id: str, value: str, *, user_id: str = ANA, token: str | None = None) -> dict[str, Any]:
    """A modal submit (type 5): the text input's value in an action row."""
    payload = command("unused", user_id=user_id, token=token or f"modal-{snowflake()}-" + "x" * 40)
    payload["type"] = 5
    payload["data"] = {
        "custom_id": custom_id,
        "components": [{"type": 1, "components": [{"type": 4, "custom_id": "message", "value": value}]}],
    }
    return payload


def _custom_ids(message_components: list[dict[str, Any]]) -> list[str]:
    return [
        c["custom_id"] for row in message_components for c in row.get("components", []) if "custom_id" in c
    ]


def _rows(stack: Stack, sql: str, **params: Any) -> list[Any]:
    engine = create_db_engine(stack.database_url)
    try:
        with engine.connect() as conn:
            return list(conn.execute(text(sql), params).all())
    finally:
        engine.dispose()


def test_a_five_turn_conversation_through_reply_and_the_modal(stack: Stack) -> None:
    stack.model.reply = lambda request: "Reply to: " + request["messages"][-1]["content"][-20:]
    first = command("chat", [opt("message", "Evening. Long day.")], token="t0-" + "x" * 60)
    assert stack.send(first) == {"batchItemFailures": []}
    message = stack.discord.messages["original:" + first["token"]]
    assert _custom_ids(message.components) == [f"lc1:reply:{ANA}:"]

    for turn in range(1, 6):
        opened = stack.post(_press(f"lc1:reply:{ANA}:"))["json"]
        assert opened["type"] == ui.MODAL
        box = opened["data"]["components"][0]["components"][0]
        assert (box["style"], box["max_length"]) == (ui.PARAGRAPH, 4000)
        submit = _submit(opened["data"]["custom_id"], f"turn number {turn}", token=f"m{turn}-" + "x" * 60)
        answer = stack.post(submit)["json"]
        assert answer == {"type": 5}  # deferred within the 3 seconds; the reply is a new message
        records = stack.queued()
        assert len(records) == 1
        stack.work(records)
        stack.work(records)  # redelivered: answered from the receipt, stored once
        reply = stack.discord.messages["original:" + submit["token"]]
        assert reply.content.startswith("Reply to:") and f"turn number {turn}" in reply.content
        assert _custom_ids(reply.components) == [f"lc1:reply:{ANA}:"]

    said = _rows(
        stack,
        "SELECT content FROM messages WHERE role = 'user' ORDER BY created_at, id",
    )
    assert [r.content for r in said] == ["Evening. Long day."] + [f"turn number {n}" for n in range(1, 6)]
    assert stack.model.completions == 6  # one model call per turn, none for the redeliveries


def test_a_press_by_someone_else_or_a_forged_one_acts_for_nobody(stack: Stack) -> None:
    # Ben presses Ana's Reply button, or submits a box made out in her name: a private refusal.
    for payload in (
        _press(f"lc1:reply:{ANA}:", user_id=BEN),
        _submit(f"lc1:chat:{ANA}:", "speaking for Ana", user_id=BEN),
        _press(f"lc1:forget-all-yes:{ANA}:{2**40}", user_id=BEN),
    ):
        answer = stack.post(payload)["json"]
        assert answer["type"] == 4 and answer["data"]["flags"] == 64
        assert answer["data"]["content"] == ui.NOT_YOURS
    assert stack.queued() == []
    # Not one of ours at all.
    for forged in ("reply", "lc1:reply", f"lc2:reply:{ANA}:", f"lc1:reply:{ANA}:x:y", "lc1:reply:ana:"):
        answer = stack.post(_press(forged))["json"]
        assert answer["data"]["content"] == ui.GONE
    assert stack.queued() == []

    # Ana forges a "forget" naming Ben's memory: it can only ever touch her own.
    stack.send(
        command("memory", sub("remember", [opt("fact", "I keep bees")]), user_id=BEN, token="b-" + "x" * 60)
    )
    (bens,) = _rows(stack, "SELECT id FROM user_facts WHERE is_active")
    answer = stack.post(_press(f"lc1:mem-forget:{ANA}:0", values=[str(bens.id)]))["json"]
    assert answer == {"type": ui.DEFERRED_UPDATE_MESSAGE}
    stack.work()
    assert [r.id for r in _rows(stack, "SELECT id FROM user_facts WHERE is_active")] == [bens.id]


def _memory_view(stack: Stack, token: str) -> Any:
    stack.send(command("memory", sub("list"), token=token))
    return stack.discord.messages["original:" + token]


def test_forget_and_edit_through_the_memory_view(stack: Stack) -> None:
    for n, fact in enumerate(
        ("My dog is called Biscuit", "I work nights at the hospital", "I love sea swimming")
    ):
        stack.send(command("memory", sub("remember", [opt("fact", fact)]), token=f"r{n}-" + "x" * 60))
    view = _memory_view(stack, "v-" + "x" * 60)
    assert "Biscuit" in view.content and "(3)" in view.content
    ids = _custom_ids(view.components)
    forget_id, edit_id = ids[0], ids[1]
    assert forget_id == f"lc1:mem-forget:{ANA}:0" and edit_id == f"lc1:mem-edit:{ANA}:"
    options = view.components[0]["components"][0]["options"]
    swim = next(o for o in options if "swimming" in o["label"])

    # Forget one: the view is edited in place (a deferred update), without it.
    press = _press(forget_id, values=[swim["value"]], message={"id": "1", "components": view.components})
    assert stack.post(press)["json"] == {"type": ui.DEFERRED_UPDATE_MESSAGE}
    stack.work()
    after = stack.discord.messages["original:" + press["token"]]
    assert "Forgotten: ~~They love sea swimming~~" in after.content and "(2)" in after.content
    assert len(after.components) == 3

    # Edit one: the box opens with what I remember now; what is submitted replaces it.
    dog = next(o for o in after.components[1]["components"][0]["options"] if "Biscuit" in o["label"])
    press = _press(edit_id, values=[dog["value"]], message={"id": "1", "components": after.components})
    opened = stack.post(press)["json"]
    assert opened["type"] == ui.MODAL
    box = opened["data"]["components"][0]["components"][0]
    assert box["value"] == "Their dog is called Biscuit"  # as remembered, without its place in the list
    submit = _submit(opened["data"]["custom_id"], "My dog is called Biscuit and he is fourteen")
    assert stack.post(submit)["json"] == {"type": ui.DEFERRED_UPDATE_MESSAGE}
    stack.work()
    active = [r.fact_content for r in _rows(stack, "SELECT fact_content FROM user_facts WHERE is_active")]
    assert len(active) == 2 and any("fourteen" in f for f in active)
    assert not any(f.endswith("Biscuit") for f in active)
    assert "Changed to: My dog is called Biscuit and he is fourteen" in (
        stack.discord.messages["original:" + submit["token"]].content
    )


def test_forget_all_and_privacy_delete_need_the_button(stack: Stack) -> None:
    stack.send(command("memory", sub("remember", [opt("fact", "I keep bees")]), token="r-" + "x" * 60))

    # Asked for: a private question with a button; nothing queued, nothing forgotten.
    asked = stack.post(command("memory", sub("forget-all"), token="fa-" + "x" * 60))["json"]
    assert asked["type"] == 4 and asked["data"]["flags"] == 64
    yes, keep = _custom_ids(asked["data"]["components"])
    assert yes.startswith(f"lc1:forget-all-yes:{ANA}:") and keep == f"lc1:keep:{ANA}:"
    assert stack.queued() == [] and len(_rows(stack, "SELECT 1 FROM user_facts")) == 1
    # "Keep it", or a button past its time: nothing changes.
    assert stack.post(_press(keep))["json"]["data"]["content"] == ui.KEPT
    stale = int((datetime.now(UTC) - timedelta(minutes=1)).timestamp())
    answer = stack.post(_press(f"lc1:forget-all-yes:{ANA}:{stale}"))["json"]
    assert answer["type"] == ui.UPDATE_MESSAGE and answer["data"]["content"] == ui.EXPIRED
    assert stack.queued() == [] and len(_rows(stack, "SELECT 1 FROM user_facts")) == 1
    # The button: forgotten, and the question's buttons go.
    press = _press(yes)
    assert stack.post(press)["json"] == {"type": ui.DEFERRED_UPDATE_MESSAGE}
    stack.work()
    assert _rows(stack, "SELECT 1 FROM user_facts") == []
    done = stack.discord.messages["original:" + press["token"]]
    assert "let go of the one thing" in done.content and done.components == []

    # The same for deleting everything.
    asked = stack.post(command("privacy", sub("delete"), token="pd-" + "x" * 60))["json"]
    assert asked["data"]["flags"] == 64 and stack.queued() == []
    assert len(_rows(stack, "SELECT 1 FROM users")) == 1
    yes = _custom_ids(asked["data"]["components"])[0]
    assert stack.post(_press(yes))["json"] == {"type": ui.DEFERRED_UPDATE_MESSAGE}
    stack.work()
    assert _rows(stack, "SELECT 1 FROM users") == []


def test_chat_with_nothing_to_say_opens_the_box(stack: Stack) -> None:
    answer = stack.post(command("chat"))["json"]
    assert answer["type"] == ui.MODAL and answer["data"]["custom_id"] == f"lc1:chat:{ANA}:"
    assert stack.queued() == []
    assert json.dumps(answer["data"]).count('"type": 4') == 1


def _remember_this(author: str, content: str, *, user_id: str = ANA) -> dict[str, Any]:
    target = str(snowflake())
    message = {"id": target, "content": content, "author": {"id": author, "username": "someone"}}
    return command(
        "Remember this",
        user_id=user_id,
        kind=3,
        target_id=target,
        resolved={"messages": {target: message}},
        token=f"rt-{snowflake()}-" + "x" * 40,
    )


def test_remember_this_on_your_own_message_and_not_on_anyone_elses(stack: Stack) -> None:
    refused = stack.post(_remember_this(BEN, "Ana is afraid of spiders"))["json"]
    assert (
        refused["type"] == 4
        and refused["data"]["flags"] == 64
        and "someone else's" in refused["data"]["content"]
    )
    assert stack.queued() == []
    stack.send(_remember_this(ANA, "My sister Inês is moving to Lisbon in March"))
    facts = [r.fact_content for r in _rows(stack, "SELECT fact_content FROM user_facts WHERE is_active")]
    assert facts == ["Their sister Inês is moving to Lisbon in March"]
