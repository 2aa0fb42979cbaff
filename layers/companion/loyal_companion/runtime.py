"""Per-container wiring: the real collaborators, each created once and reused across invocations.

Kept import-light: every factory imports what it builds when first called, so the interactions function
never loads the database or model stacks.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from typing import TYPE_CHECKING

from loyal_companion.config import get_settings, required
from loyal_companion.discord.verify import SignatureVerifier
from loyal_companion.queue import InteractionQueue, SqsQueue, SqsRetry

if TYPE_CHECKING:
    from loyal_companion.db.uow import UnitOfWork
    from loyal_companion.discord.rest import DiscordRest
    from loyal_companion.jobs.proactive import ProactiveDeps
    from loyal_companion.service.context import Services
    from loyal_companion.wake import Waker


def utc_now() -> datetime:
    return datetime.now(UTC)


@lru_cache(maxsize=1)
def signature_verifier() -> SignatureVerifier:
    return SignatureVerifier(required("DISCORD_PUBLIC_KEY"))


_local_queue: InteractionQueue | None = None


@lru_cache(maxsize=1)
def conversation_queue() -> InteractionQueue:
    """The queue the endpoint hands interactions to: the local stack's, or SQS. On Lambda (credentials in
    the environment) SendMessage goes over SQS's JSON protocol, signed by awscrt, without importing boto3
    (loyal_companion/sqs.py says why); elsewhere boto3, which reads profiles."""
    if _local_queue is not None:
        return _local_queue
    url = required("CONVERSATION_QUEUE_URL")
    from loyal_companion.sqs import SqsJsonQueue, has_environment_credentials

    return SqsJsonQueue(url) if has_environment_credentials() else SqsQueue(url)


@lru_cache(maxsize=1)
def sqs_retry() -> SqsRetry:
    return SqsRetry()


def use_local_queue(queue: InteractionQueue | None) -> None:
    """Send interactions to ``queue`` instead of SQS (the local stack's in-process FIFO queue)."""
    global _local_queue
    _local_queue = queue
    conversation_queue.cache_clear()


_local_waker: Waker | None = None


def use_local_waker(waker: Waker | None) -> None:
    """Arm ``waker`` instead of EventBridge Scheduler (the local stack's in-process scheduler)."""
    global _local_waker
    _local_waker = waker
    waker_for_container.cache_clear()


@lru_cache(maxsize=1)
def waker_for_container() -> Waker:
    """What wakes the proactive run when something is due: the template's one-time schedule on AWS, the
    local stack's scheduler locally, nothing otherwise (tools and tests; the run is invoked directly)."""
    from loyal_companion.wake import NoWaker, ScheduleWaker

    if _local_waker is not None:
        return _local_waker
    name = get_settings().wake_schedule
    return ScheduleWaker(name) if name else NoWaker()


def unit_of_work() -> UnitOfWork:
    """A new unit of work on the container's engine (created on first use)."""
    from loyal_companion.db.engine import get_session_factory
    from loyal_companion.db.uow import UnitOfWork

    return UnitOfWork(get_session_factory())


def reset() -> None:
    """Forget every cached collaborator (tests; the local stack after changing settings)."""
    signature_verifier.cache_clear()
    conversation_queue.cache_clear()
    sqs_retry.cache_clear()
    services.cache_clear()
    proactive_discord.cache_clear()
    waker_for_container.cache_clear()
    from loyal_companion.db import engine

    if engine.get_engine.cache_info().currsize:
        engine.get_engine().dispose()
    engine.get_engine.cache_clear()
    engine.get_session_factory.cache_clear()


@lru_cache(maxsize=1)
def services() -> Services:
    """The worker's collaborators: database, Discord REST, the model (or the labelled offline responder)."""
    from loyal_companion.discord.rest import PROCESS_PACER, DiscordRest
    from loyal_companion.llm.types import ChatModel, Embedder
    from loyal_companion.service.context import Services

    settings = get_settings()
    model: ChatModel
    if settings.model_configured:
        from loyal_companion.llm.client import OpenAIChatModel

        model = OpenAIChatModel(
            api_key=settings.openai_api_key.get() if settings.openai_api_key else None,
            base_url=settings.openai_base_url,
        )
    else:
        from loyal_companion.llm.offline import OfflineResponder

        model = OfflineResponder()
    embedder: Embedder | None = None
    if settings.embeddings_model:
        from loyal_companion.llm.embeddings import OpenAIEmbedder

        embedder = OpenAIEmbedder(
            model=settings.embeddings_model,
            api_key=settings.openai_api_key.get() if settings.openai_api_key else None,
            base_url=settings.openai_base_url,
            dimensions=settings.embeddings_dimensions,
        )
    moderation = None
    if settings.moderation:
        from loyal_companion.safety.moderation import OpenAIModeration

        moderation = OpenAIModeration(
            api_key=settings.openai_api_key.get() if settings.openai_api_key else None,
            base_url=settings.openai_base_url,
            model=settings.moderation,
        )
    token = settings.discord_bot_token.get() if settings.discord_bot_token else None
    PROCESS_PACER.set_rate(settings.discord_requests_per_second)
    return Services(
        unit_of_work=unit_of_work,
        discord=DiscordRest(api_base=settings.discord_api_base, bot_token=token),
        model=model,
        settings=settings,
        clock=utc_now,
        embedder=embedder,
        waker=waker_for_container(),
        moderation=moderation,
    )


@lru_cache(maxsize=1)
def proactive_discord() -> DiscordRest:
    """The proactive runs' Discord client, kept for the container's life as the worker's is. Runs may
    overlap (a retry, a slow run): their sends share one pace, kept in the database."""
    from loyal_companion.db.engine import get_engine
    from loyal_companion.db.pacing import SharedPacer
    from loyal_companion.discord.rest import DiscordRest

    settings = get_settings()
    token = settings.discord_bot_token.get() if settings.discord_bot_token else None
    return DiscordRest(
        api_base=settings.discord_api_base,
        bot_token=token,
        pacer=SharedPacer(get_engine(), settings.discord_requests_per_second),
    )


def proactive_deps() -> ProactiveDeps:
    from loyal_companion.jobs.proactive import ProactiveDeps

    wired = services()
    return ProactiveDeps(
        unit_of_work=unit_of_work,
        discord=proactive_discord(),
        model=wired.model,
        clock=utc_now,
        model_name=wired.settings.openai_model or "gpt-4o-mini",
        embedder=wired.embedder,
        waker=waker_for_container(),
    )
