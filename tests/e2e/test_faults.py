"""Fault injection end to end: what the person sees, and database counts proving exactly-once effects."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import create_engine, text

from loyal_companion import runtime
from loyal_companion.db.engine import make_session_factory
from loyal_companion.db.uow import UnitOfWork
from loyal_companion.service.worker import APOLOGY, BUSY_APOLOGY
from tests.e2e.conftest import Stack
from tests.support.interactions import command, opt
from tests.support.openai_stub import Scripted


def _counts(stack: Stack) -> dict[str, int]:
    engine = create_engine(stack.database_url)
    try:
        with engine.connect() as conn:
            return {
                table: int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())
                for table in (
                    "messages",
                    "interaction_receipts",
                    "user_facts",
                    "mood_shards",
                    "mood_history",
                    "user_relationships",
                )
            }
    finally:
        engine.dispose()


def _mood_and_interactions(stack: Stack) -> tuple[float, int]:
    engine = create_engine(stack.database_url)
    try:
        with engine.connect() as conn:
            valence = conn.execute(text("SELECT valence_offset FROM mood_shards")).scalar_one()
            interactions = conn.execute(
                text("SELECT total_interactions FROM user_relationships")
            ).scalar_one()
            return float(valence), int(interactions)
    finally:
        engine.dispose()


def test_the_database_down_when_the_worker_starts(stack: Stack) -> None:
    stack.post(command("chat", [opt("message", "hello, anyone there?")]))
    records = stack.queued()
    good = runtime.services().unit_of_work
    from loyal_companion.db.engine import create_db_engine

    dead = create_db_engine("postgresql+pg8000://nobody@127.0.0.1:9/none")
    runtime.services().unit_of_work = lambda: UnitOfWork(make_session_factory(dead))
    try:
        failed = stack.work(records)
    finally:
        runtime.services().unit_of_work = good
    assert failed["batchItemFailures"]  # SQS will deliver it again
    assert stack.discord.originals()[0].content == BUSY_APOLOGY
    assert stack.model.completions == 0
    assert stack.work(records) == {"batchItemFailures": []}  # the database is back
    assert stack.discord.originals()[0].said == "Here's to you. I'm listening."
    assert _counts(stack)["messages"] == 2 and stack.model.completions == 1


@pytest.mark.parametrize("status", [429, 500])
def test_a_model_429_or_500_is_retried_later_and_answered_once(stack: Stack, status: int) -> None:
    stack.model.then(Scripted(status=status, body={"error": {"message": "busy"}}))
    stack.post(command("chat", [opt("message", "I got some news today, good news!")]))
    records = stack.queued()
    assert stack.work(records)["batchItemFailures"]
    assert stack.discord.originals()[0].content == BUSY_APOLOGY
    before = _counts(stack)
    assert before["messages"] == 0 and before["mood_shards"] == 0  # nothing half-done
    assert stack.work(records) == {"batchItemFailures": []}
    after = _counts(stack)
    assert after["messages"] == 2 and after["interaction_receipts"] == 1 and after["user_relationships"] == 1


def test_a_model_timeout_is_transient(stack: Stack) -> None:
    from loyal_companion.llm.client import OpenAIChatModel

    runtime.services().model = OpenAIChatModel(
        api_key="k", base_url=stack.model.base_url, max_retries=0, timeout=0.5
    )
    stack.model.then(Scripted(delay=1.5))
    stack.post(command("chat", [opt("message", "still there?")]))
    records = stack.queued()
    assert stack.work(records)["batchItemFailures"]
    assert stack.work(records) == {"batchItemFailures": []}
    assert _counts(stack)["messages"] == 2


def test_discord_5xx_on_delivery_redelivers_the_stored_reply_without_a_second_model_call(
    stack: Stack,
) -> None:
    stack.discord.fail_next(r"PATCH .*@original", 503, times=4)
    stack.post(command("chat", [opt("message", "tell me something kind")]))
    records = stack.queued()
    assert stack.work(records)["batchItemFailures"]
    assert _counts(stack)["interaction_receipts"] == 1  # the turn is stored even though delivery failed
    assert stack.work(records) == {"batchItemFailures": []}
    assert stack.model.completions == 1
    assert stack.discord.originals()[0].said == "Here's to you. I'm listening."
    counts = _counts(stack)
    assert counts["messages"] == 2 and counts["user_relationships"] == 1
    valence, interactions = _mood_and_interactions(stack)
    assert interactions == 1  # the mood and relationship moved once


def test_discord_429_on_delivery_waits_and_succeeds(stack: Stack) -> None:
    stack.discord.fail_next(r"PATCH .*@original", 429, body={"message": "slow", "retry_after": 0.1})
    assert stack.send(command("chat", [opt("message", "hi")])) == {"batchItemFailures": []}
    assert stack.discord.originals()[0].said == "Here's to you. I'm listening."


def test_unknown_interaction_on_delivery_is_not_retried(stack: Stack) -> None:
    stack.discord.fail_next(
        r"PATCH .*@original", 404, times=10, body={"message": "Unknown interaction", "code": 10062}
    )
    assert stack.send(command("chat", [opt("message", "hi")])) == {"batchItemFailures": []}
    assert _counts(stack)["interaction_receipts"] == 1


def test_a_duplicate_record_moves_nothing_twice(stack: Stack) -> None:
    payload = command("chat", [opt("message", "My dog is called Biscuit and I am so happy today!")])
    stack.post(payload)
    records = stack.queued()
    stack.work(records)
    first = (_counts(stack), _mood_and_interactions(stack))
    stack.work(records)
    stack.work(records)
    assert (_counts(stack), _mood_and_interactions(stack)) == first
    assert stack.model.completions == 1


def test_a_failed_command_apologises_in_character(stack: Stack) -> None:
    stack.model.then(Scripted(status=400, body={"error": {"message": "bad request"}}))
    stack.send(command("chat", [opt("message", "hello")]))
    assert stack.discord.originals()[0].content == APOLOGY


def test_an_unexpected_bug_still_answers_the_person_and_is_not_retried(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    from loyal_companion.service import commands

    def broken(ctx: object) -> object:
        raise KeyError("a bug")

    monkeypatch.setitem(commands.HANDLERS, "mood", broken)  # type: ignore[arg-type]
    assert stack.send(command("mood")) == {"batchItemFailures": []}
    assert stack.discord.originals()[0].content == APOLOGY


def test_database_errors_are_logged_without_the_values(
    stack: Stack, caplog: pytest.LogCaptureFixture
) -> None:
    secret_words = "my secret diary entry about Bo"
    good = runtime.services().unit_of_work
    from loyal_companion.db.engine import create_db_engine

    stack.post(command("chat", [opt("message", secret_words)]))
    records = stack.queued()
    runtime.services().unit_of_work = lambda: UnitOfWork(
        make_session_factory(create_db_engine("postgresql+pg8000://nobody@127.0.0.1:9/none"))
    )
    try:
        stack.work(records)
    finally:
        runtime.services().unit_of_work = good
    assert secret_words not in caplog.text


def test_a_pooler_losing_prepared_statements_mid_transaction_costs_one_retry(
    stack: Stack, caplog: pytest.LogCaptureFixture
) -> None:
    from sqlalchemy import event

    from loyal_companion.db.driver import FewerWaitsConnection
    from loyal_companion.db.engine import get_engine

    engine = get_engine()
    armed = [False]

    def lose_on_begin(conn: Any, cursor: Any, statement: str, *rest: Any) -> None:
        # The transaction lands on a pooled backend where this connection's statements were never prepared.
        if armed[0] and statement.strip().upper() == "BEGIN":
            armed[0] = False
            conn.connection.dbapi_connection.execute_simple("DEALLOCATE ALL")

    event.listen(engine, "after_cursor_execute", lose_on_begin)
    try:
        for n in range(2):  # the second turn prepares the turn's statements
            reply = stack.send(command("chat", [opt("message", f"evening number {n}")]))
            assert reply == {"batchItemFailures": []}
        armed[0] = True
        stack.post(command("chat", [opt("message", "third time lucky")]))
        records = stack.queued()
        assert stack.work(records)["batchItemFailures"]  # SQS will deliver it again
        assert stack.discord.originals()[-1].content == BUSY_APOLOGY
        assert _counts(stack)["messages"] == 4  # nothing of the third turn was half-stored
        assert stack.work(records) == {"batchItemFailures": []}
        assert FewerWaitsConnection.pooler_drops_prepared == "26000"
    finally:
        event.remove(engine, "after_cursor_execute", lose_on_begin)
        FewerWaitsConnection.pooler_drops_prepared = None
    assert stack.discord.originals()[-1].said == "Here's to you. I'm listening."
    counts = _counts(stack)
    assert counts["messages"] == 6 and counts["interaction_receipts"] == 3
    assert "prepared_statements=false" in caplog.text


# -- every failure sorted: retried soon, or answered once -----------------------------------------------


@pytest.mark.parametrize("streaming", [True, False])
def test_a_model_answering_200_with_something_not_json_is_retried(stack: Stack, streaming: bool) -> None:
    runtime.services().model._stream = streaming  # type: ignore[attr-defined]
    broken = (
        b'data: {"id": "x", "choices": [{"delta": {"content": "Hel' if streaming else b'{"id": "x", "choi'
    )
    stack.model.then(Scripted(raw=broken))
    stack.post(command("chat", [opt("message", "are you there?")]))
    records = stack.queued()
    assert stack.work(records)["batchItemFailures"]
    assert stack.discord.originals()[0].content == BUSY_APOLOGY  # "in a moment", and it will be
    assert _counts(stack)["messages"] == 0
    assert stack.work(records) == {"batchItemFailures": []}
    assert (
        _counts(stack)["messages"] == 2
        and stack.discord.originals()[0].said == "Here's to you. I'm listening."
    )


def test_a_connection_reset_raw_from_the_driver_is_retried(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    from loyal_companion.service import chat

    real = chat.store_turn
    calls = {"n": 0}

    def reset_once(*args: Any, **kwargs: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 1:
            raise ConnectionResetError(104, "Connection reset by peer")  # as pg8000's first read raises it
        real(*args, **kwargs)

    monkeypatch.setattr(chat, "store_turn", reset_once)
    stack.post(command("chat", [opt("message", "hello again")]))
    records = stack.queued()
    assert stack.work(records)["batchItemFailures"]
    assert stack.discord.originals()[0].content == BUSY_APOLOGY
    assert stack.work(records) == {"batchItemFailures": []}
    assert _counts(stack)["messages"] == 2 and _counts(stack)["interaction_receipts"] == 1


def test_a_slow_model_is_cut_off_within_the_lambdas_time(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    from loyal_companion.service import context, worker
    from tests.support.interactions import FakeContext

    # A Lambda with 5 s left: records start with 2 s or more, 1 s is kept for storing and delivering.
    monkeypatch.setattr(FakeContext, "remaining_ms", 5_000)
    monkeypatch.setattr(worker, "RECORD_START_MIN_S", 2.0)
    monkeypatch.setattr(context, "RESERVE_S", 1.0)
    monkeypatch.setattr(context, "MIN_MODEL_S", 1.0)
    stack.model.then(Scripted(delay=8.0))  # longer than the whole invocation
    stack.post(command("chat", [opt("message", "take your time")]))
    records = stack.queued()
    assert stack.work(records)["batchItemFailures"]  # cut off inside the budget, not by Lambda's timeout
    assert stack.discord.originals()[0].content == BUSY_APOLOGY
    monkeypatch.setattr(FakeContext, "remaining_ms", 1_500)  # too little left to start: back to the queue
    assert stack.work(records)["batchItemFailures"] and stack.model.completions == 1


def test_a_failed_turn_comes_back_in_seconds(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> None:
    from loyal_companion.service import worker

    monkeypatch.setattr(worker, "RETRY_DELAY_S", 1)
    stack.model.then(Scripted(status=503))
    stack.post(command("chat", [opt("message", "hello?")]))
    [message] = stack.sqs.receive_message(
        QueueUrl=stack.queue_url, AttributeNames=["All"], VisibilityTimeout=360
    )["Messages"]
    record = {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": message["Attributes"],
        "messageAttributes": {},
        "md5OfBody": message["MD5OfBody"],
        "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:eu-west-1:123456789012:conversation.fifo",
        "awsRegion": "eu-west-1",
    }
    assert stack.work([record])["batchItemFailures"]
    import time

    time.sleep(1.2)  # not the queue's 360 s
    again = stack.sqs.receive_message(QueueUrl=stack.queue_url, AttributeNames=["All"]).get("Messages", [])
    assert [m["MessageId"] for m in again] == [message["MessageId"]]


def test_one_persons_failure_never_holds_back_another(stack: Stack) -> None:
    stack.model.then(Scripted(status=503))  # the first model call fails: Ana's first turn
    for person, line in (
        ("300000000000000001", "one"),
        ("300000000000000002", "two"),
        ("300000000000000001", "three"),
    ):
        stack.post(
            command("chat", [opt("message", line)], user_id=person, token=f"tok-{person}-{line}-" + "x" * 40)
        )
    records = stack.queued()
    failed = {f["itemIdentifier"] for f in stack.work(records)["batchItemFailures"]}
    ana = [r["messageId"] for r in records if "300000000000000001" in r["body"]]
    ben = [r["messageId"] for r in records if "300000000000000002" in r["body"]]
    assert failed == set(ana)  # Ana's later turn waits behind her first (her order is kept)
    assert not failed & set(ben)  # Ben was answered in the same batch
    assert _counts(stack)["messages"] == 2


def test_a_record_delivered_twice_at_once_makes_one_model_call(stack: Stack) -> None:
    import threading

    from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

    from tests.support.interactions import FakeContext, load_handler

    stack.model.then(Scripted(delay=1.0))
    stack.post(command("chat", [opt("message", "just once, please")]))
    records = stack.queued()
    results: list[dict[str, Any]] = []
    # Two containers: two loads of the handler, each with its own batch processor.
    handlers = [stack.conversation, load_handler("conversation")]

    def container(handler: Any) -> None:
        try:
            results.append(dict(handler.lambda_handler({"Records": records}, FakeContext())))
        except BatchProcessingError:
            results.append({"batchItemFailures": [{"itemIdentifier": r["messageId"]} for r in records]})

    twins = [threading.Thread(target=container, args=(handler,)) for handler in handlers]
    for twin in twins:
        twin.start()
    for twin in twins:
        twin.join()
    assert sorted(bool(r["batchItemFailures"]) for r in results) == [False, True]  # one waits for the other
    assert stack.model.completions == 1
    assert stack.work(records) == {"batchItemFailures": []}  # it comes back and re-sends the stored reply
    assert stack.model.completions == 1 and _counts(stack)["messages"] == 2
    assert stack.discord.originals()[0].said == "Here's to you. I'm listening."
