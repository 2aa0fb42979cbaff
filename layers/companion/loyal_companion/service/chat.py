"""A conversation turn: load the person's state, compose, ask the model, store the turn, reply.

Two short transactions around the model call (none is held open while the model thinks): the first
loads everything and refreshes the person; the second stores both messages keyed by the interaction id,
moves mood and relationship, and stores the receipt.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from loyal_companion.db.models import LlmConfig, Message, Personality, SystemPrompt, User
from loyal_companion.db.uow import UnitOfWork
from loyal_companion.living.mood import Mood
from loyal_companion.living.relationship import level_for
from loyal_companion.llm.prompt import FactLine, PromptInput, Turn, compose
from loyal_companion.llm.tokens import count_tokens
from loyal_companion.llm.types import ModelParams
from loyal_companion.service.context import CommandContext, Reply

logger = logging.getLogger(__name__)

DEFAULT_SLUG = "bartender"
DEFAULT_MODEL = "gpt-4o-mini"
CONVERSATION_TIMEOUT = timedelta(minutes=60)
DEFAULT_BUDGET = 6000
MOOD_PROMPT_MIN_INTENSITY = 0.2
SENSITIVE_FACT_TYPES = frozenset(
    {"grief_context", "attachment_pattern", "coping_mechanism", "relationship", "family"}
)

RATE_LIMITED = "Easy there — let's take it one sip at a time. Give me a minute and tell me more."
BUDGET_SPENT = (
    "I've done a lot of talking today and need to rest my voice until tomorrow. "
    "I'll be right here when you come back."
)


@dataclass(frozen=True)
class ChatRequest:
    message: str
    personality: str | None = None
    about_message: str | None = None
    image_url: str | None = None
    ephemeral: bool = False


@dataclass
class _Loaded:
    user: User
    personality: Personality
    prompt_input: PromptInput
    params: ModelParams
    budget: int
    refusal: str | None


def chat_turn(ctx: CommandContext, request: ChatRequest) -> Reply:
    services = ctx.services
    with ctx.transaction() as uow:
        loaded = _load(ctx, uow, request)
        if loaded.refusal is not None:
            return ctx.finish(uow, Reply(loaded.refusal, ephemeral=True))
        uow.commit()

    prompt = compose(loaded.prompt_input, budget=loaded.budget)
    completion = services.model.complete(
        prompt,
        loaded.params,
        on_partial=None if services.model.offline else _streamer(ctx, request.ephemeral),
    )
    text = completion.text or "…"

    with ctx.transaction() as uow:
        user = ctx.person(uow)
        conversation = uow.repos.conversations.latest(user_id=user.id, channel_id=ctx.info.channel_id)
        if conversation is None or ctx.now - conversation.last_message_at >= CONVERSATION_TIMEOUT:
            conversation = uow.repos.conversations.start(
                user_id=user.id, guild_id=ctx.info.guild_id, channel_id=ctx.info.channel_id, now=ctx.now
            )
        personality_id = loaded.personality.id
        uow.repos.conversations.add_messages(
            conversation,
            [
                Message(
                    user_id=user.id,
                    personality_id=personality_id,
                    interaction_id=ctx.info.id,
                    role="user",
                    content=request.message,
                    has_images=request.image_url is not None,
                    image_urls=[request.image_url] if request.image_url else [],
                    token_count=count_tokens(request.message),
                    created_at=ctx.now,
                ),
                Message(
                    user_id=user.id,
                    personality_id=personality_id,
                    interaction_id=ctx.info.id,
                    role="assistant",
                    content=text,
                    token_count=completion.completion_tokens or count_tokens(text),
                    model_prompt_tokens=completion.prompt_tokens,
                    model_completion_tokens=completion.completion_tokens,
                    created_at=ctx.now,
                ),
            ],
            now=ctx.now,
        )
        logger.info(
            "chat turn",
            extra={
                "model": completion.model,
                "offline": completion.offline,
                "prompt_tokens": completion.prompt_tokens,
                "completion_tokens": completion.completion_tokens,
                "prompt_estimate": prompt.token_count,
                "dropped": len(prompt.dropped),
            },
        )
        return ctx.finish(uow, Reply(text, ephemeral=request.ephemeral))


def _load(ctx: CommandContext, uow: UnitOfWork, request: ChatRequest) -> _Loaded:
    repos = uow.repos
    settings = ctx.services.settings
    user = ctx.person(uow)
    refusal = _guard(ctx, uow, user)

    personality = _personality(uow, user, request.personality, ctx.info.guild_id)
    config = uow.session.get(LlmConfig, personality.llm_config_id) if personality.llm_config_id else None
    prompt_row = (
        uow.session.get(SystemPrompt, personality.system_prompt_id) if personality.system_prompt_id else None
    )
    params = ModelParams(
        model=settings.openai_model or (config.model if config else DEFAULT_MODEL),
        temperature=float(config.temperature) if config and config.temperature is not None else None,
        top_p=float(config.top_p) if config and config.top_p is not None else None,
        max_tokens=config.max_tokens if config else None,
        frequency_penalty=float(config.frequency_penalty)
        if config and config.frequency_penalty is not None
        else None,
        presence_penalty=float(config.presence_penalty)
        if config and config.presence_penalty is not None
        else None,
        vision=bool(personality.image_enabled),
    )
    system_prompt = prompt_row.content if prompt_row else ""
    own = repos.personas.get(user.global_persona_id)
    default_persona = repos.personas.system_default()

    conversation = repos.conversations.latest(user_id=user.id, channel_id=ctx.info.channel_id)
    window: list[Turn] = []
    if conversation is not None and ctx.now - conversation.last_message_at < CONVERSATION_TIMEOUT:
        window = [
            Turn("user" if m.role == "user" else "assistant", m.content)
            for m in repos.conversations.window(conversation.id, personality.context_window_size)
            if m.role in ("user", "assistant")
        ]

    public = ctx.info.guild_id is not None and not request.ephemeral
    facts = [
        FactLine(f.fact_content, f.importance)
        for f in repos.facts.active_for(user.id, limit=_setting(personality, "facts", "max_in_prompt", 12))
        if not (public and f.fact_type in SENSITIVE_FACT_TYPES)
    ]
    state = repos.moods.get(ctx.info.guild_id)
    mood = Mood(state.mood_valence, state.mood_arousal) if state else Mood(0.0, 0.0)
    relationship = repos.relationships.get(user.id, ctx.info.guild_id)
    level = level_for(relationship.relationship_score if relationship else 0.0)

    prompt_input = PromptInput(
        system_prompt=system_prompt,
        person_name=user.display_name,
        message=request.message,
        persona=default_persona.content if default_persona and own is None else None,
        own_description=own.content if own else None,
        mood_line=_mood_line(mood),
        mood_label=mood.label,
        relationship_level=level.name,
        relationship_guidance=level.guidance,
        facts=facts,
        window=window,
        about_message=request.about_message,
        public_channel=public,
        image_urls=(request.image_url,) if request.image_url and params.vision else (),
    )
    budget = max(1000, (config.max_tokens or 600) * 10) if config else DEFAULT_BUDGET
    return _Loaded(user, personality, prompt_input, params, budget, refusal)


def _guard(ctx: CommandContext, uow: UnitOfWork, user: User) -> str | None:
    settings = ctx.services.settings
    repos = uow.repos.conversations
    if (
        settings.turns_per_minute
        and repos.user_turns_since(user.id, ctx.now - timedelta(minutes=1)) >= settings.turns_per_minute
    ):
        return RATE_LIMITED
    day_start = ctx.now.replace(hour=0, minute=0, second=0, microsecond=0)
    if (
        settings.daily_tokens_per_person
        and repos.model_tokens_since(since=day_start, user_id=user.id) >= settings.daily_tokens_per_person
    ):
        return BUDGET_SPENT
    if (
        ctx.info.guild_id is not None
        and settings.daily_tokens_per_server
        and repos.model_tokens_since(since=day_start, guild_id=ctx.info.guild_id)
        >= settings.daily_tokens_per_server
    ):
        return BUDGET_SPENT
    return None


def _personality(uow: UnitOfWork, user: User, requested: str | None, guild_id: int | None) -> Personality:
    repos = uow.repos
    candidates: list[str] = []
    if requested:
        candidates.append(requested)
    chosen = repos.preferences.get(user.id, "personality")
    if chosen:
        candidates.append(chosen)
    if guild_id is not None:
        guild = repos.guilds.by_discord_id(guild_id)
        if guild is not None and isinstance(guild.settings.get("personality"), str):
            candidates.append(guild.settings["personality"])
    candidates.append(DEFAULT_SLUG)
    for name in candidates:
        found = repos.personalities.find(name)
        if found is not None:
            return found
    raise LookupError("no personality is seeded; run `lc migrate`")


def _setting(personality: Personality, section: str, key: str, default: int) -> int:
    value: Any = (personality.settings or {}).get(section, {}).get(key, default)
    return int(value) if isinstance(value, int | float) else default


def _mood_line(mood: Mood) -> str | None:
    if mood.intensity < MOOD_PROMPT_MIN_INTENSITY:
        return None
    return f"Your own mood right now is {mood.label}; let it colour your tone lightly, never your care."


def _streamer(ctx: CommandContext, ephemeral: bool) -> Callable[[str], None]:
    """Edit the deferred message as the reply forms, at most once per interval."""
    interval = ctx.services.stream_edit_interval
    last = [time.monotonic()]

    def on_partial(text: str) -> None:
        now = time.monotonic()
        if now - last[0] < interval or not text.strip():
            return
        last[0] = now
        preview = text if len(text) <= 1990 else text[:1990]
        try:
            ctx.services.discord.edit_original(
                ctx.info.application_id, ctx.info.token, {"content": preview + " …"}
            )
        except Exception as exc:  # a preview is best-effort; the final edit is what matters
            logger.warning("streaming preview edit failed", extra={"error": type(exc).__name__})

    return on_partial
