"""Run worker commands directly (no HTTP, no queue) with an injected clock, for engine tests."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from loyal_companion.config import load_settings
from loyal_companion.db.uow import UnitOfWork
from loyal_companion.discord.rest import DiscordRest
from loyal_companion.llm.types import ChatModel, Embedder
from loyal_companion.local.discord_stub import DiscordStub
from loyal_companion.queue import Envelope
from loyal_companion.service.context import Services
from loyal_companion.service.worker import process_envelope
from tests.support.interactions import command, snowflake


@dataclass
class Clock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Worker:
    services: Services
    clock: Clock
    discord: DiscordStub
    sent: list[dict[str, Any]] = field(default_factory=list)

    def run(self, name: str, options: list[dict[str, Any]] | None = None, **kwargs: Any) -> str:
        """Handle one interaction at the clock's time; return the final reply text (without the quiet
        "-#" lines under it: the "I'm an AI" line is tested on its own)."""
        token = f"tok-{len(self.sent)}-" + "x" * 40
        payload = command(
            name, options, interaction_id=snowflake(self.clock.now.timestamp() * 1000), token=token, **kwargs
        )
        self.sent.append(payload)
        process_envelope(Envelope(interaction=payload, received_at=self.clock.now), self.services)
        original = self.discord.messages[f"original:{token}"]
        return original.said


def make_worker(
    session_factory: sessionmaker[Session],
    discord: DiscordStub,
    model: ChatModel,
    clock: Clock,
    env: dict[str, str] | None = None,
    embedder: Embedder | None = None,
) -> Worker:
    services = Services(
        unit_of_work=lambda: UnitOfWork(session_factory),
        discord=DiscordRest(api_base=discord.base_url, bot_token="bot-" + "t" * 40, sleep=lambda s: None),
        model=model,
        settings=load_settings(env or {}),
        clock=clock,
        stream_edit_interval=0.05,
        embedder=embedder,
    )
    return Worker(services=services, clock=clock, discord=discord)


Factory = Callable[..., Worker]
