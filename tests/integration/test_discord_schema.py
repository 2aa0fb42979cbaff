"""Everything the bot sends Discord validates against Discord's published OpenAPI schema.

The endpoint's answers are checked against the interaction callback's request schema (the same body);
every request the worker, the proactive run and command registration make is recorded by the loopback
Discord stand-in and checked against its route's schema (``tests/fixtures/discord_openapi``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from sqlalchemy.orm import Session, sessionmaker

from loyal_companion.db.models import ScheduledEvent
from loyal_companion.db.uow import UnitOfWork
from loyal_companion.discord.components import reply_row
from loyal_companion.discord.endpoint import handle_http_event
from loyal_companion.discord.register import register_commands
from loyal_companion.discord.rest import DiscordRest
from loyal_companion.discord.verify import SignatureVerifier
from loyal_companion.jobs.proactive import ProactiveDeps, run_proactive
from loyal_companion.llm.offline import OfflineResponder
from loyal_companion.local.discord_stub import DiscordStub
from tests.support.interactions import Signer, command, opt, sub
from tests.support.worker import Clock, make_worker

SUBSET = json.loads(
    (Path(__file__).parents[1] / "fixtures" / "discord_openapi" / "subset.json").read_text(encoding="utf-8")
)
ANA = "300000000000000001"
# The stand-in's routes, as the specification names them.
ROUTES = (
    (re.compile(r"POST /api/v10/channels/\d+/messages"), "POST /channels/{channel_id}/messages"),
    (
        re.compile(r"PATCH /api/v10/webhooks/\d+/[^/]+/messages/@original"),
        "PATCH /webhooks/{webhook_id}/{webhook_token}/messages/@original",
    ),
    (re.compile(r"POST /api/v10/webhooks/\d+/[^/]+"), "POST /webhooks/{webhook_id}/{webhook_token}"),
    (re.compile(r"POST /api/v10/users/@me/channels"), "POST /users/@me/channels"),
    (re.compile(r"PUT /api/v10/applications/\d+/commands"), "PUT /applications/{application_id}/commands"),
    (
        re.compile(r"PUT /api/v10/applications/\d+/guilds/\d+/commands"),
        "PUT /applications/{application_id}/guilds/{guild_id}/commands",
    ),
)
CALLBACK = "POST /interactions/{interaction_id}/{interaction_token}/callback"


def _validator(request: str) -> Draft202012Validator:
    schema = {**SUBSET["requests"][request], "components": SUBSET["components"]}
    return Draft202012Validator(schema)


def _problems(request: str, body: Any) -> list[str]:
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message[:300]}"
        for e in _validator(request).iter_errors(body)
    ]


def test_the_schema_refuses_what_discord_would_refuse() -> None:
    # The check can fail: a button without a style, a modal without a title, a select with 26 options.
    assert _problems(CALLBACK, {"type": 9, "data": {"custom_id": "x", "components": []}})
    bad_button = {"type": 1, "components": [{"type": 2, "label": "x", "custom_id": "y"}]}
    assert _problems("POST /channels/{channel_id}/messages", {"content": "x", "components": [bad_button]})
    options = [{"label": str(n), "value": str(n)} for n in range(26)]
    select = {"type": 1, "components": [{"type": 3, "custom_id": "s", "options": options}]}
    assert _problems("POST /channels/{channel_id}/messages", {"content": "x", "components": [select]})


class _NoQueue:
    def send(self, *, body: str, group_id: str, dedup_id: str) -> None:
        return None


def _answers() -> Iterator[tuple[str, dict[str, Any]]]:
    """The endpoint's answer to each kind of interaction it handles."""
    signer = Signer()
    verifier = SignatureVerifier(signer.public_key_hex)
    later = int((datetime.now(UTC) + timedelta(minutes=3)).timestamp())
    view = {
        "id": "1",
        "components": [
            {
                "type": 1,
                "components": [
                    {
                        "type": 3,
                        "custom_id": f"lc1:mem-edit:{ANA}:",
                        "options": [{"label": "1. Their dog is called Biscuit", "value": "7"}],
                    }
                ],
            }
        ],
    }

    def press(custom_id: str, **data: Any) -> dict[str, Any]:
        payload = command("unused")
        payload.update(type=3, data={"custom_id": custom_id, "component_type": 2, **data}, message=view)
        return payload

    submit = command("unused")
    submit.update(
        type=5,
        data={
            "custom_id": f"lc1:chat:{ANA}:",
            "components": [{"type": 1, "components": [{"type": 4, "custom_id": "message", "value": "hi"}]}],
        },
    )
    cases = {
        "PING": {"type": 1},
        "/help": command("help"),
        "/chat": command("chat", [opt("message", "hello")]),
        "/chat with nothing": command("chat"),
        "/memory list": command("memory", sub("list")),
        "/privacy delete": command("privacy", sub("delete")),
        "/memory forget-all": command("memory", sub("forget-all")),
        "Reply": press(f"lc1:reply:{ANA}:"),
        "Edit one…": press(f"lc1:mem-edit:{ANA}:", component_type=3, values=["7"]),
        "Forget one…": press(f"lc1:mem-forget:{ANA}:0", component_type=3, values=["7"]),
        "Keep it": press(f"lc1:keep:{ANA}:"),
        "an expired yes": press(f"lc1:privacy-yes:{ANA}:1"),
        "a yes": press(f"lc1:privacy-yes:{ANA}:{later}"),
        "someone else's": press("lc1:reply:300000000000000009:"),
        "a forged one": press("not-ours"),
        "the box submitted": submit,
        "autocomplete": {**command("personality", sub("use")), "type": 4},
    }
    for name, payload in cases.items():
        response = handle_http_event(
            signer.event(payload), verifier=verifier, queue=_NoQueue, now=lambda: datetime.now(UTC)
        )
        assert response["statusCode"] == 200, (name, response)
        yield name, json.loads(response["body"])


def test_every_answer_of_the_endpoint_validates() -> None:
    answers = dict(_answers())
    assert {a["type"] for a in answers.values()} == {1, 4, 5, 6, 7, 8, 9}
    for name, body in answers.items():
        assert _problems(CALLBACK, body) == [], name


def test_every_request_the_bot_makes_validates(
    session_factory: sessionmaker[Session], discord: DiscordStub
) -> None:
    clock = Clock(datetime(2026, 12, 1, 18, 0, tzinfo=UTC))
    worker = make_worker(session_factory, discord, OfflineResponder(), clock)
    worker.run("chat", [opt("message", "Evening. My dog Biscuit is poorly. " + "A long thought. " * 150)])
    worker.run("memory", sub("remember", [opt("fact", "I keep bees")]))
    worker.run("memory", sub("list"))
    worker.run("privacy", sub("export"))
    worker.run("remind", [opt("when", "in 1 minute"), opt("what", "stretch")], guild_id="600000000000000001")
    worker.run("remind", [opt("when", "in 1 minute"), opt("what", "water the plants")])
    with session_factory() as s:
        assert len(s.query(ScheduledEvent).all()) == 2
    clock.now += timedelta(minutes=2)
    run_proactive(
        ProactiveDeps(
            unit_of_work=lambda: UnitOfWork(session_factory),
            discord=DiscordRest(api_base=discord.base_url, bot_token="bot-" + "t" * 40, sleep=lambda s: None),
            model=OfflineResponder(),
            clock=clock,
        )
    )
    rest = DiscordRest(api_base=discord.base_url, bot_token="bot-" + "t" * 40)
    # A reply longer than one message goes on in follow-ups, its Reply button under the last.
    rest.deliver_reply(
        "1100000000000000001", "t" * 60, "A long reply. " * 400, ephemeral=True, components=[reply_row(1)]
    )
    register_commands(rest, "1100000000000000001")
    register_commands(rest, "1100000000000000001", "600000000000000001")

    checked: dict[str, int] = {}
    for call in discord.calls:
        if call.method == "GET":
            continue
        route = next(
            (name for pattern, name in ROUTES if pattern.fullmatch(f"{call.method} {call.path}")), None
        )
        assert route is not None, f"{call.method} {call.path}"
        assert _problems(route, call.json) == [], (route, call.json)
        checked[route] = checked.get(route, 0) + 1
    assert set(checked) == {name for _, name in ROUTES}, checked  # every kind of request was seen
    channel_posts = [c.json for c in discord.calls if c.path.endswith("/messages") and c.method == "POST"]
    assert all(p.get("components") for p in channel_posts)  # each with its Reply button
