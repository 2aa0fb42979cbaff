"""Loopback stand-ins shared by the integration tests: Discord's REST API and an OpenAI-compatible server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from loyal_companion.local.discord_stub import DiscordStub
from tests.support.openai_stub import OpenAIStub


@pytest.fixture
def discord() -> Iterator[DiscordStub]:
    with DiscordStub() as stub:
        yield stub


@pytest.fixture
def model_stub() -> Iterator[OpenAIStub]:
    stub = OpenAIStub().start()
    yield stub
    stub.stop()
