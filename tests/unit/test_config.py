from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Mapping
from typing import Any

import boto3
import pytest
from moto import mock_aws

from loyal_companion.config import (
    DEFAULT_DISCORD_API_BASE,
    Secret,
    describe,
    load_settings,
    normalise_database_url,
)
from loyal_companion.errors import ConfigError

PUBLIC_KEY = "a" * 64
APP_ID = "123456789012345678"
URL = "postgresql+pg8000://lc:pw@db.example.com:5432/lc"


def test_environment_values_are_read_and_validated() -> None:
    settings = load_settings(
        {
            "DATABASE_URL": URL,
            "DISCORD_PUBLIC_KEY": PUBLIC_KEY.upper(),
            "DISCORD_APPLICATION_ID": APP_ID,
            "DISCORD_BOT_TOKEN": "bot-token-value",
            "OPENAI_MODEL": "gpt-4o-mini",
            "CONVERSATION_QUEUE_URL": "https://sqs.eu-west-1.amazonaws.com/1/q.fifo",
        }
    )
    assert settings.require("DATABASE_URL").get() == URL
    assert settings.discord_public_key == PUBLIC_KEY
    assert settings.discord_application_id == APP_ID
    assert settings.discord_api_base == DEFAULT_DISCORD_API_BASE
    assert settings.openai_model == "gpt-4o-mini"
    assert not settings.model_configured


def test_missing_setting_fails_naming_it() -> None:
    settings = load_settings({})
    with pytest.raises(ConfigError) as err:
        settings.require("discord_public_key")
    assert err.value.setting == "DISCORD_PUBLIC_KEY"
    assert "DISCORD_PUBLIC_KEY" in str(err.value)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DISCORD_PUBLIC_KEY", "not-hex"),
        ("DISCORD_PUBLIC_KEY", "ab" * 31),
        ("DISCORD_APPLICATION_ID", "my-app"),
        ("DISCORD_API_BASE", "discord.com/api"),
        ("OPENAI_BASE_URL", "ftp://models.local"),
        ("CONVERSATION_QUEUE_URL", "queue"),
        ("DATABASE_URL", "mysql://x@y/z"),
        ("DATABASE_URL", "postgresql+pg8000://x@y"),
        ("DATABASE_URL", "not a url"),
        ("OPENAI_API_KEY", "changeme"),
        ("EMBEDDINGS_MODEL", "text-embedding-3-small"),  # with no model server to ask
        ("EMBEDDINGS_DIMENSIONS", "many"),
    ],
)
def test_malformed_setting_fails_naming_it_without_its_value(name: str, value: str) -> None:
    with pytest.raises(ConfigError) as err:
        load_settings({name: value})
    assert err.value.setting == name
    assert value not in str(err.value)


def test_embeddings_settings_name_the_model_and_an_optional_size() -> None:
    settings = load_settings({"OPENAI_API_KEY": "k", "EMBEDDINGS_MODEL": "text-embedding-3-small"})
    assert (settings.embeddings_model, settings.embeddings_dimensions) == ("text-embedding-3-small", None)
    settings = load_settings(
        {
            "OPENAI_BASE_URL": "http://127.0.0.1:11434/v1",
            "EMBEDDINGS_MODEL": "nomic",
            "EMBEDDINGS_DIMENSIONS": "768",
        }
    )
    assert settings.embeddings_dimensions == 768
    with pytest.raises(ConfigError, match="EMBEDDINGS_MODEL is not"):
        load_settings({"OPENAI_API_KEY": "k", "EMBEDDINGS_DIMENSIONS": "768"})
    with pytest.raises(ConfigError, match="1 to 16000"):
        load_settings({"OPENAI_API_KEY": "k", "EMBEDDINGS_MODEL": "e", "EMBEDDINGS_DIMENSIONS": "0"})


def test_hosted_postgres_urls_are_normalised_to_pg8000() -> None:
    assert normalise_database_url("postgres://u:p@h/db").startswith("postgresql+pg8000://")
    assert normalise_database_url("postgresql://u:p@h/db?sslmode=require").endswith("?sslmode=require")


def test_secrets_never_show_in_repr_str_or_logs(caplog: pytest.LogCaptureFixture) -> None:
    settings = load_settings(
        {"DATABASE_URL": URL, "DISCORD_BOT_TOKEN": "very-secret-bot-token", "OPENAI_API_KEY": "sk-secret-key"}
    )
    logging.getLogger("test").warning("settings: %s %r", settings, settings)
    for text in (repr(settings), str(settings), caplog.text, json.dumps(describe(settings))):
        assert "very-secret-bot-token" not in text
        assert "sk-secret-key" not in text
        assert "pw@" not in text
    assert repr(Secret("x")) == "Secret('**********')"


def test_describe_says_where_each_setting_came_from() -> None:
    settings = load_settings(
        {"DISCORD_PUBLIC_KEY": PUBLIC_KEY, "SECRETS_ARN": "arn:x"},
        secret_loader=lambda arn: {"database_url": URL},
    )
    summary = describe(settings)
    assert summary["DISCORD_PUBLIC_KEY"] == "env"
    assert summary["DATABASE_URL"] == "secret"
    assert summary["DISCORD_API_BASE"] == "default"
    assert summary["OPENAI_API_KEY"] == "unset"


class _CountingLoader:
    def __init__(self, payload: Mapping[str, Any]) -> None:
        self.payload = payload
        self.calls = 0

    def __call__(self, arn: str) -> Mapping[str, Any]:
        self.calls += 1
        return self.payload


def test_environment_wins_over_the_secret() -> None:
    loader = _CountingLoader({"discord_public_key": "b" * 64, "discord_application_id": APP_ID})
    settings = load_settings({"DISCORD_PUBLIC_KEY": PUBLIC_KEY, "SECRETS_ARN": "arn:x"}, secret_loader=loader)
    assert settings.discord_public_key == PUBLIC_KEY
    assert settings.discord_application_id == APP_ID


def test_secret_is_not_read_when_the_environment_has_everything() -> None:
    env = {
        "DATABASE_URL": URL,
        "DISCORD_PUBLIC_KEY": PUBLIC_KEY,
        "DISCORD_APPLICATION_ID": APP_ID,
        "DISCORD_BOT_TOKEN": "t",
        "DISCORD_API_BASE": "http://127.0.0.1:9",
        "OPENAI_API_KEY": "k",
        "OPENAI_BASE_URL": "http://127.0.0.1:8",
        "OPENAI_MODEL": "m",
        "EMBEDDINGS_MODEL": "e",
        "EMBEDDINGS_DIMENSIONS": "256",
        "MODERATION_MODEL": "off",
        "CONVERSATION_QUEUE_URL": "http://127.0.0.1:7/q.fifo",
        "WAKE_SCHEDULE": "lc-wake",
        "SECRETS_ARN": "arn:x",
    }
    loader = _CountingLoader({})
    load_settings(env, secret_loader=loader)
    assert loader.calls == 0


def test_malformed_value_in_the_secret_names_the_setting() -> None:
    with pytest.raises(ConfigError) as err:
        load_settings({"SECRETS_ARN": "arn:x"}, secret_loader=lambda arn: {"discord_public_key": "nope"})
    assert err.value.setting == "DISCORD_PUBLIC_KEY"


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        yield


def test_secrets_manager_secret_fills_and_is_read_once_per_container(aws: None) -> None:
    client = boto3.client("secretsmanager")
    arn = client.create_secret(
        Name="lc/app", SecretString=json.dumps({"discord_public_key": PUBLIC_KEY, "database_url": URL})
    )["ARN"]
    first = load_settings({"SECRETS_ARN": arn})
    assert first.discord_public_key == PUBLIC_KEY
    assert first.require("DATABASE_URL").get() == URL

    # Powertools caches the secret: a change in Secrets Manager is not seen by the same container.
    client.put_secret_value(SecretId=arn, SecretString=json.dumps({"discord_public_key": "c" * 64}))
    assert load_settings({"SECRETS_ARN": arn}).discord_public_key == PUBLIC_KEY


def test_secret_that_is_not_json_is_a_clear_error(aws: None) -> None:
    client = boto3.client("secretsmanager")
    arn = client.create_secret(Name="lc/bad", SecretString="not json")["ARN"]
    with pytest.raises(ConfigError) as err:
        load_settings({"SECRETS_ARN": arn})
    assert err.value.setting == "SECRETS_ARN"


def test_unreadable_secret_is_a_clear_error(aws: None) -> None:
    with pytest.raises(ConfigError) as err:
        load_settings({"SECRETS_ARN": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:missing"})
    assert err.value.setting == "SECRETS_ARN"


def test_discord_pace_defaults_below_the_global_limit_and_can_be_set() -> None:
    assert load_settings({}).discord_requests_per_second == 45.0
    assert load_settings({"DISCORD_REQUESTS_PER_SECOND": "120.5"}).discord_requests_per_second == 120.5


@pytest.mark.parametrize("value", ["0", "-3", "fast", "nan", "1e9"])
def test_a_bad_discord_pace_fails_naming_it(value: str) -> None:
    with pytest.raises(ConfigError, match="DISCORD_REQUESTS_PER_SECOND"):
        load_settings({"DISCORD_REQUESTS_PER_SECOND": value})


def test_the_worker_paces_bot_calls_at_the_configured_rate(monkeypatch: pytest.MonkeyPatch) -> None:
    from loyal_companion import runtime
    from loyal_companion.config import clear_settings_cache
    from loyal_companion.discord.rest import BOT_REQUESTS_PER_SECOND, PROCESS_PACER

    monkeypatch.setenv("DISCORD_REQUESTS_PER_SECOND", "20")
    clear_settings_cache()
    runtime.reset()
    try:
        runtime.services()
        assert PROCESS_PACER.per_second == pytest.approx(20.0)
    finally:
        PROCESS_PACER.set_rate(BOT_REQUESTS_PER_SECOND)
        runtime.reset()
        clear_settings_cache()


def test_an_operators_secret_is_checked_by_the_functions_own_loader() -> None:
    from loyal_companion.config import check_secret_document

    good = {
        "database_url": "postgresql://app:pw@db.example.org/app?sslmode=require",
        "discord_public_key": "ab" * 32,
        "discord_application_id": "1100000000000000001",
        "discord_bot_token": "MTEw.Gabc.very-secret-token-value",
    }
    ok, lines = check_secret_document(good)
    assert ok and "discord_bot_token        set" in lines
    assert any("offline responder" in line for line in lines)
    assert not any("very-secret-token-value" in line or "pw@" in line for line in lines)  # never a value

    ok, lines = check_secret_document({k: v for k, v in good.items() if k != "discord_bot_token"})
    assert not ok and "discord_bot_token        MISSING (required)" in lines
    ok, lines = check_secret_document({**good, "discord_token": "x"})
    assert not ok and lines[0].startswith("unknown key 'discord_token'")
    ok, lines = check_secret_document({**good, "database_url": "mysql://x"})
    assert not ok and lines[-1].startswith("DATABASE_URL:")
    assert check_secret_document(["not", "an", "object"])[0] is False


def test_the_wake_up_schedule_is_a_schedule_name() -> None:
    assert load_settings({"WAKE_SCHEDULE": "my-stack-wake"}).wake_schedule == "my-stack-wake"
    with pytest.raises(ConfigError, match="WAKE_SCHEDULE"):
        load_settings({"WAKE_SCHEDULE": "arn:aws:scheduler:us-east-1:1:schedule/default/x"})


def test_a_setting_a_warm_container_read_before_the_secret_was_filled_is_read_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The operator fills the secret after the first deploy; a warm container that read it empty picks the
    new value up at the next call instead of failing until Lambda replaces it."""
    from loyal_companion import config

    documents = [{}, {"database_url": "postgresql://app:pw@db.example.org/app?sslmode=verify-full"}]
    monkeypatch.setenv("SECRETS_ARN", "arn:aws:secretsmanager:eu-west-1:123456789012:secret:lc-AbCdEf")
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setattr(config, "_read_secret", lambda arn: documents.pop(0))
    config.clear_settings_cache()
    assert config.get_settings().database_url is None  # read once, empty
    assert "db.example.org" in config.required("DATABASE_URL").get()  # read again, filled
    config.clear_settings_cache()
