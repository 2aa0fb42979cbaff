"""A person who removes the app leaves nothing behind: Discord's APPLICATION_DEAUTHORIZED webhook event,
signed like an interaction and sent to the same URL, is answered 204 at once and deletes everything stored
about them through the queue, once (a repeat finds nothing); the webhook PING is 204, the interaction PING
PONG."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from tests.e2e.conftest import Stack
from tests.support.interactions import APP_ID, FakeContext, command, opt

PERSON = "380000000000000001"


def _removed(user_id: str = PERSON, stamp: str = "2026-12-04T22:00:00.000000+00:00") -> dict[str, Any]:
    return {
        "version": 1,
        "application_id": APP_ID,
        "type": 1,
        "event": {"type": "APPLICATION_DEAUTHORIZED", "timestamp": stamp, "data": {"user": {"id": user_id}}},
    }


def _post(stack: Stack, payload: dict[str, Any]) -> dict[str, Any]:
    """A signed webhook request, as Discord sends it (the answer may have no body)."""
    return dict(stack.interactions.lambda_handler(stack.signer.event(payload), FakeContext()))


def _rows(stack: Stack) -> dict[str, int]:
    engine = create_engine(stack.database_url)
    try:
        with engine.connect() as conn:
            return {
                table: int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())
                for table in ("users", "messages", "user_facts", "conversations")
            }
    finally:
        engine.dispose()


def test_removing_the_app_deletes_everything_about_the_person_once(
    stack: Stack, capsys: pytest.CaptureFixture[str]
) -> None:
    stack.send(
        command("chat", [opt("message", "my sister Maya is getting married on 14 June")], user_id=PERSON)
    )
    stack.send(
        command(
            "memory",
            [{"type": 1, "name": "remember", "options": [opt("fact", "I love the sea")]}],
            user_id=PERSON,
            token="t2-" + "x" * 60,
        )
    )
    assert _rows(stack)["users"] == 1 and _rows(stack)["user_facts"] >= 1
    capsys.readouterr()

    answer = _post(stack, _removed())
    assert answer["statusCode"] == 204 and answer["body"] == ""  # within Discord's 3 seconds, nothing to say
    assert stack.work() == {"batchItemFailures": []}
    assert _rows(stack) == {"users": 0, "messages": 0, "user_facts": 0, "conversations": 0}
    emitted = [json.loads(x) for x in capsys.readouterr().out.splitlines() if '"_aws"' in x]
    assert [m for m in emitted if "PeopleDeleted" in m]
    assert PERSON not in json.dumps(emitted)

    again = _post(stack, _removed(stamp="2026-12-04T22:05:00.000000+00:00"))  # Discord may send it twice
    assert again["statusCode"] == 204 and stack.work() == {"batchItemFailures": []}
    assert not [x for x in capsys.readouterr().out.splitlines() if "PeopleDeleted" in x]


def test_the_webhook_ping_is_204_and_the_interaction_ping_is_pong(stack: Stack) -> None:
    webhook_ping = _post(stack, {"version": 1, "application_id": APP_ID, "type": 0})
    assert webhook_ping["statusCode"] == 204
    interaction_ping = stack.post(
        {"type": 1, "id": "1", "application_id": APP_ID, "token": "t" * 60, "version": 1}
    )
    assert interaction_ping["json"] == {"type": 1}
    assert stack.queued() == []


def test_other_events_are_answered_and_ignored_and_a_forged_one_is_refused(stack: Stack) -> None:
    authorized = _removed() | {"event": {"type": "APPLICATION_AUTHORIZED", "data": {"user": {"id": PERSON}}}}
    assert _post(stack, authorized)["statusCode"] == 204
    assert stack.queued() == []
    forged = stack.signer.event(_removed())
    forged["body"] = forged["body"].replace(PERSON, "380000000000000002")  # signed for another person
    assert stack.interactions.lambda_handler(forged, FakeContext())["statusCode"] == 401
    assert _post(stack, _removed(user_id="not-a-number"))["statusCode"] == 400
