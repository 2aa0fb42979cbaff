"""The migrate function: a CloudFormation custom resource that upgrades the schema on deploy."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy.exc import DBAPIError

from loyal_companion.db import migrate
from loyal_companion.errors import ConfigError
from loyal_companion.jobs.migrations import handle_migrate_event

EVENT = {
    "RequestType": "Create",
    "ResponseURL": "https://cloudformation-custom-resource-response.example/presigned",
    "StackId": "arn:aws:cloudformation:eu-west-1:1:stack/lc/1",
    "RequestId": "r-1",
    "LogicalResourceId": "Schema",
    "ResourceType": "Custom::DatabaseSchema",
}


def _responder() -> tuple[list[dict[str, Any]], Any]:
    sent: list[dict[str, Any]] = []
    return sent, lambda url, body: sent.append(json.loads(body))


def test_create_upgrades_to_head_and_reports_success(empty_database_url: str) -> None:
    sent, respond = _responder()
    handle_migrate_event(EVENT, database_url=lambda: empty_database_url, log_stream="s", respond=respond)
    assert migrate.current_revision(empty_database_url) == migrate.head_revision()
    assert sent[0]["Status"] == "SUCCESS" and sent[0]["Data"]["Revision"] == migrate.head_revision()
    # The stack's outputs say whether facts can be related by meaning on this server.
    assert sent[0]["Data"]["FactSimilarity"].startswith("ready (pgvector")


def test_delete_never_drops_anything(empty_database_url: str) -> None:
    sent, respond = _responder()
    handle_migrate_event(
        {**EVENT, "RequestType": "Delete"},
        database_url=lambda: empty_database_url,
        log_stream="s",
        respond=respond,
    )
    assert sent[0]["Status"] == "SUCCESS" and migrate.current_revision(empty_database_url) is None


def test_an_empty_secret_on_the_first_deploy_does_not_fail_the_stack() -> None:
    def missing() -> str:
        raise ConfigError("DATABASE_URL", "is not set")

    sent, respond = _responder()
    handle_migrate_event(EVENT, database_url=missing, log_stream="s", respond=respond)
    assert sent[0]["Status"] == "SUCCESS" and "invoke the migrate function" in sent[0]["Reason"]


def test_a_failed_migration_fails_the_deploy_with_a_reason() -> None:
    sent, respond = _responder()
    handle_migrate_event(
        EVENT,
        database_url=lambda: "postgresql+pg8000://nobody@127.0.0.1:9/none",
        log_stream="s",
        respond=respond,
    )
    assert sent[0]["Status"] == "FAILED" and sent[0]["Reason"]


def test_a_direct_invocation_raises_on_failure() -> None:
    with pytest.raises(DBAPIError):
        handle_migrate_event(
            {}, database_url=lambda: "postgresql+pg8000://nobody@127.0.0.1:9/none", log_stream="s"
        )


def test_a_rollback_leaves_the_schema_as_it_is_and_never_stops_on_it() -> None:
    """CloudFormation rolling back asks the Schema resource to update to the older code's version: migrations
    only go forward, so it succeeds at once without touching the database (`--resources-to-skip` is never
    needed)."""
    sent, respond = _responder()
    rollback = EVENT | {
        "RequestType": "Update",
        "ResourceProperties": {"CodeVersion": "arn:aws:lambda:eu-west-1:1:function:migrate:7"},
        "OldResourceProperties": {"CodeVersion": "arn:aws:lambda:eu-west-1:1:function:migrate:8"},
    }

    def no_database() -> str:
        raise AssertionError("a rollback must not touch the database")

    handle_migrate_event(rollback, database_url=no_database, log_stream="s", respond=respond)
    assert sent[0]["Status"] == "SUCCESS" and sent[0]["Data"] == {"Revision": "kept"}


def test_an_ordinary_update_still_migrates(empty_database_url: str) -> None:
    sent, respond = _responder()
    upgrade = EVENT | {
        "RequestType": "Update",
        "ResourceProperties": {"CodeVersion": "arn:aws:lambda:eu-west-1:1:function:migrate:9"},
        "OldResourceProperties": {"CodeVersion": "arn:aws:lambda:eu-west-1:1:function:migrate:8"},
    }
    handle_migrate_event(upgrade, database_url=lambda: empty_database_url, log_stream="s", respond=respond)
    assert sent[0]["Status"] == "SUCCESS" and sent[0]["Data"]["Revision"] == migrate.head_revision()
