"""A conversation turn: load the person's state, compose, ask the model, store the turn, reply.

Round trips (the budget is 8): a read-only load of two statements (state with the resolved configuration;
window and facts), then a write of three (the person, the conversation, the messages with the receipt)
and the commit. No transaction is held open while the model thinks.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from loyal_companion.db.conversations import conversation_timeout, store_turn, touch_conversation
from loyal_companion.db.living import apply_turn_effects, reinforce_opinions
from loyal_companion.db.turns import TurnState, load_turn_state
from loyal_companion.db.window import WindowAndFacts, load_window_and_facts
from loyal_companion.discord.components import reply_row
from loyal_companion.living.assessment import heavy, lexical_assessment
from loyal_companion.living.mood import Mood
from loyal_companion.living.opinions import band
from loyal_companion.living.relationship import level_for
from loyal_companion.living.timeparse import TimeParseError, zone
from loyal_companion.llm.prompt import FactLine, PromptInput, Turn, compose
from loyal_companion.llm.resolution import DEFAULT
from loyal_companion.llm.tokens import count_tokens
from loyal_companion.memory.learn import learn_window
from loyal_companion.memory.recall import (
    BACKFILL_PER_TURN,
    DEFAULT_LIMIT,
    DEFAULT_SIMILARITY_WEIGHT,
    ByMeaning,
    Tuning,
    for_prompt,
    prompt_lines,
)
from loyal_companion.memory.vectors import embed_after, embed_or_none, usable_embedder
from loyal_companion.observability import record_metric
from loyal_companion.safety import disclosure
from loyal_companion.service import safety as turn_safety
from loyal_companion.service.context import CommandContext, Reply
from loyal_companion.service.mind import (
    Reading,
    feature_on,
    learning_on,
    read_turn,
    topics_to_reinforce,
    turn_effects,
    window_turns,
)
from loyal_companion.service.reply import answer, model_params
from loyal_companion.wake import SOONEST, earliest

logger = logging.getLogger(__name__)

DEFAULT_SLUG = "bartender"
MOOD_PROMPT_MIN_INTENSITY = 0.2
TENDER_TYPES = frozenset({"grief_context", "coping_mechanism", "attachment_pattern"})
# When the person is grieving or low, the companion's own mood stays out of the way.
STEADY = (
    "They are carrying something heavy right now. Whatever your own mood, keep it out of the way: be "
    "steady, unhurried and with them."
)

RATE_LIMITED = "Easy there — let's take it one sip at a time. Give me a minute and tell me more."
BUDGET_SPENT = (
    "I've done a lot of talking today and need to rest my voice until tomorrow. "
    "I'll be right here when you come back."
)
COMMON_GROUND = (
    "Some people in this server share an interest or a place with them. If it fits, you may say so in "
    "general terms; never name anyone, and never repeat anything another person told you."
)
UNKNOWN_PERSONALITY = "I don't know a personality called “{name}”. `/personality list` shows who's here."


@dataclass(frozen=True)
class ChatRequest:
    message: str
    personality: str | None = None
    about_message: str | None = None
    image_url: str | None = None
    ephemeral: bool = False


def _section(settings: dict[str, object], name: str) -> dict[str, Any]:
    value = settings.get(name)
    return value if isinstance(value, dict) else {}


def load_state(ctx: CommandContext, requested: str | None = None) -> TurnState:
    """The person's turn state with the resolved configuration (one statement)."""
    now = ctx.now
    with ctx.reading() as uow:
        return load_turn_state(
            uow.session,
            discord_id=ctx.info.person.discord_id,
            guild_id=ctx.info.guild_id,
            channel_id=ctx.info.channel_id,
            requested=requested,
            now=now,
            minute_ago=now - timedelta(minutes=1),
            day_start=now.replace(hour=0, minute=0, second=0, microsecond=0),
            default_slug=DEFAULT_SLUG,
        )


def refusal_for(ctx: CommandContext, state: TurnState) -> str | None:
    """The guards: turns per minute, and the daily model-token budgets per person, per server and for
    everyone together."""
    limits = ctx.services.settings
    if limits.turns_per_minute and state.turns_last_minute >= limits.turns_per_minute:
        return RATE_LIMITED
    if limits.daily_tokens_per_person and state.tokens_today_person >= limits.daily_tokens_per_person:
        return BUDGET_SPENT
    if ctx.info.guild_id is not None and limits.daily_tokens_per_server:
        if state.tokens_today_server >= limits.daily_tokens_per_server:
            return BUDGET_SPENT
    if limits.daily_tokens_all and state.tokens_today_all >= limits.daily_tokens_all:
        return BUDGET_SPENT
    return None


def chat_turn(ctx: CommandContext, request: ChatRequest) -> Reply:
    services = ctx.services
    now = ctx.now
    said = request.message if request.about_message is None else f"{request.message}\n{request.about_message}"
    pending = turn_safety.start_moderation(ctx, said)  # read meanwhile by the moderation endpoint
    state = load_state(ctx, request.personality)
    config = state.config
    person_name = ctx.info.person.display_name or ctx.info.person.username or "friend"
    safety = turn_safety.read(ctx, said, name=person_name, minor=state.minor, pending=pending)
    if safety.crisis:
        turn_safety.refer(ctx, safety)  # first, whatever happens next
    refusal = refusal_for(ctx, state)
    if refusal is None and state.requested_missing:
        refusal = UNKNOWN_PERSONALITY.format(name=request.personality)
    if refusal is not None and not safety.crisis:  # in a crisis, a prepared reply instead of a refusal
        with ctx.transaction() as uow:
            ctx.person(uow)
            return ctx.finish(uow, Reply(refusal, ephemeral=True))

    timeout = conversation_timeout(config.settings)
    ongoing = (
        state.conversation_id if state.last_message_at and now - state.last_message_at < timeout else None
    )
    public = ctx.info.guild_id is not None and not (request.ephemeral or safety.private)
    memory_on = bool(config.settings.get("memory_enabled", True))
    embedder = (
        usable_embedder(services.embedder, database_ready=state.embeddings_ready) if memory_on else None
    )
    fact_settings = _section(config.settings, "facts")
    max_facts = fact_settings.get("max_in_prompt", DEFAULT_LIMIT)
    limit = int(max_facts) if isinstance(max_facts, int) and max_facts >= 0 else DEFAULT_LIMIT
    loaded = WindowAndFacts(turns=[], facts=[], opinions=[], entities=[], unembedded=[])
    if state.user_id is not None:
        by_meaning = None
        if embedder is not None:
            query = embed_or_none(embedder, [request.message], purpose="message")
            weight = fact_settings.get("similarity_weight", DEFAULT_SIMILARITY_WEIGHT)
            by_meaning = ByMeaning(
                model=embedder.model,
                query=query[0] if query else None,
                weight=float(weight) if isinstance(weight, int | float) else DEFAULT_SIMILARITY_WEIGHT,
                backfill=BACKFILL_PER_TURN,
            )
        with ctx.reading() as uow:
            loaded = load_window_and_facts(
                uow.session,
                user_id=state.user_id,
                conversation_id=ongoing,
                window=config.context_window_size,
                message=request.message,
                now=now,
                guild_id=ctx.info.guild_id,
                tuning=Tuning(limit=limit),
                by_meaning=by_meaning,
                public=public,
            )
    opinions = [
        line
        for o in loaded.opinions
        if (line := band(o.topic, o.sentiment, o.discussions)) is not None
        and feature_on(state, "opinions", "opinions")
    ]
    window = [
        Turn("user" if t.role == "user" else "assistant", t.content)
        for t in loaded.turns
        if t.role != "system"
    ]
    today = _local_today(state, now)
    shown = for_prompt(loaded.facts, public=public, limit=limit, today=today) if memory_on else []
    lines = prompt_lines(shown, today=today)
    # Best first: the composer drops from the end when over budget.
    facts = [FactLine(line, 1.0 - i / (len(lines) + 1)) for i, line in enumerate(lines)]

    mood = Mood(state.mood_valence, state.mood_arousal)
    level = level_for(state.relationship_score)
    known = bool(shown) or level.name != "New Face"
    params = model_params(ctx, state)
    prompt = compose(
        PromptInput(
            system_prompt=config.system_prompt.value,
            person_name=person_name,
            message=request.message,
            # The personality's default line about people is for strangers; once known, what is known
            # speaks for them.
            persona=config.persona.value if config.persona.source == DEFAULT and not known else None,
            own_description=config.persona.value if config.persona.source != DEFAULT else None,
            mood_line=STEADY if safety.crisis else _mood_line(mood, request.message),
            mood_label=mood.label,
            relationship_level=level.name,
            relationship_guidance=level.guidance,
            facts=facts,
            opinions=opinions,
            style_hints=state.style_hints,
            window=window,
            about_message=request.about_message,
            public_channel=public,
            image_urls=(request.image_url,) if request.image_url and params.vision else (),
            extra_notes=(
                *turn_safety.instructions(safety),
                *((COMMON_GROUND,) if state.has_common_ground and public else ()),
            ),
            related_facts=tuple(f.content for f in shown if f.related),
            tender=any(f.related and f.fact_type in TENDER_TYPES for f in shown),
        ),
        budget=config.context_budget.value,
    )
    completion = answer(ctx, safety, prompt, params, refused=refusal is not None)
    text, replaced = turn_safety.checked(ctx, safety, completion.text or "…")
    notices = disclosure.notices(
        new_conversation=ongoing is None,
        started_at=state.conversation_started_at,
        disclosed_at=state.disclosed_at,
        break_reminded_at=state.break_reminded_at,
        minor=safety.minor,
        now=now,
    )
    # A Reply button: the conversation goes on without typing the command again (a modal opens).
    reply = Reply(
        text + turn_safety.footer(safety, notices),
        ephemeral=request.ephemeral or safety.private,
        components=(reply_row(ctx.info.person.discord_id),),
        followup=safety.followup,
    )
    # What was said in a crisis is not learned as an ordinary fact (nor read later by memory).
    learning = memory_on and learning_on(state) and not safety.crisis
    reading = (
        read_turn(
            state,
            request.message,
            offline=services.model.offline,
            context=[t.content for t in window if t.role == "user"],
            entities=loaded.entities,
            now=now,
        )
        if not safety.crisis
        else Reading(lexical_assessment(request.message), [])
    )

    with ctx.transaction() as uow:
        person = ctx.info.person
        touched = touch_conversation(
            uow.session,
            discord_id=person.discord_id,
            username=person.username,
            display_name=person.display_name,
            guild_id=ctx.info.guild_id,
            channel_id=ctx.info.channel_id,
            now=now,
            since=now - timeout,
            added=2,
            # With a model, memory reads this turn later, in a window of turns.
            unread=1 if learning and not services.model.offline else 0,
            disclosed=notices.disclose,
            break_reminded=notices.take_a_break,
        )
        store_turn(
            uow.session,
            conversation_id=touched.conversation_id,
            user_id=touched.user_id,
            personality_id=config.personality_id,
            interaction_id=ctx.info.id,
            discord_message_id=_target_message_id(ctx),
            user_content=request.message
            if request.about_message is None
            else f"{request.message}\n\n> {request.about_message}",
            has_images=request.image_url is not None,
            image_urls=json.dumps([request.image_url] if request.image_url else []),
            user_tokens=count_tokens(request.message),
            reply=text,
            reply_tokens=completion.completion_tokens or count_tokens(text),
            prompt_tokens=completion.prompt_tokens,
            completion_tokens=completion.completion_tokens,
            command=ctx.invocation.key,
            receipt=json.dumps(reply.to_json()),
            now=now,
            safety_concern=safety.finding.primary,
            referral_kind=safety.finding.primary,
            referral_language=safety.language if safety.crisis else None,
        )
        if safety.said_minor:
            uow.repos.preferences.set(touched.user_id, "minor", "yes", now=now)
        wanted = turn_effects(
            state=state,
            reading=reading,
            user_id=touched.user_id,
            message=request.message,
            guild_id=ctx.info.guild_id,
            channel_id=ctx.info.channel_id,
            interaction_id=ctx.info.id,
            conversation_depth=len(window) + 2,
            now=now,
            tokens=completion.prompt_tokens + completion.completion_tokens,
            crisis=safety.crisis,
        )
        effects = apply_turn_effects(uow.session, wanted)
        uow.commit()
    # When the proactive run has work from this turn: its follow-up, and memory reading what is left of
    # the conversation once it has ended.
    reply = replace(
        reply,
        due=earliest(
            min((datetime.fromisoformat(f["ask_at"]) for f in wanted.followups), default=None)
            if effects.followups_added
            else None,
            now + timeout + SOONEST if touched.memory_unread or touched.episode_pending else None,
        ),
    )
    # Work the reply does not wait for; the worker runs it once the reply is delivered.
    later: list[Callable[[], object]] = []
    topics = topics_to_reinforce(state, reading, guild_id=ctx.info.guild_id)
    if topics:
        later.append(
            functools.partial(
                reinforce_opinions,
                services.unit_of_work,
                guild_id=ctx.info.guild_id,
                topics=topics,
                sentiment=reading.assessment.sentiment,
                now=now,
            )
        )
    if embedder is not None and (reading.facts or loaded.unembedded):
        later.append(
            functools.partial(
                embed_after,
                services.unit_of_work,
                embedder,
                user_id=touched.user_id,
                new_facts=reading.facts,
                unembedded=loaded.unembedded,
                now=now,
            )
        )
    if learning and not services.model.offline and touched.memory_unread >= window_turns(state):
        later.append(
            functools.partial(
                learn_window,
                unit_of_work=services.unit_of_work,
                model=services.model,
                model_name=params.model,
                conversation_id=touched.conversation_id,
                now=now,
                embedder=embedder,
                person=person_name,
            )
        )
    if later:
        reply = replace(reply, after=functools.partial(_one_after_another, later))
    # Input and output apart: the dashboard prices them at their own rates.
    record_metric("ModelInputTokens", completion.prompt_tokens)
    record_metric("ModelOutputTokens", completion.completion_tokens)
    logger.info(
        "chat turn",
        extra={
            "personality": config.personality_slug,
            "sources": config.sources(),
            "model": completion.model,
            "offline": completion.offline,
            "prompt_tokens": completion.prompt_tokens,
            "completion_tokens": completion.completion_tokens,
            "prompt_estimate": prompt.token_count,
            "dropped": len(prompt.dropped),
            "facts_shown": len(shown),
            "facts_added": effects.facts_added,
            "facts_superseded": effects.facts_superseded,
            "followups_added": effects.followups_added,
            "facts_by_meaning": embedder is not None,
            "memory_unread": touched.memory_unread,
            "crisis": safety.finding.primary,
            "reply_replaced": replaced,
            "disclosed": notices.disclose,
        },
    )
    return reply


def _one_after_another(work: list[Callable[[], object]]) -> None:
    """Each piece of later work, the next running even if one fails (each is picked up later anyway)."""
    for piece in work:
        try:
            piece()
        except Exception:
            logger.exception("work after the reply failed; it will be picked up later")


def _local_today(state: TurnState, now: datetime) -> date:
    try:
        tz = zone(state.timezone)
    except TimeParseError:
        tz = zone(None)
    return now.astimezone(tz).date()


def _target_message_id(ctx: CommandContext) -> int | None:
    target = (ctx.interaction.get("data") or {}).get("target_id")
    try:
        return int(target) if target is not None else None
    except (TypeError, ValueError):
        return None


def _mood_line(mood: Mood, message: str) -> str | None:
    if heavy(message):
        return STEADY
    if mood.intensity < MOOD_PROMPT_MIN_INTENSITY:
        return None
    return f"Your own mood right now is {mood.label}; let it colour your tone lightly, never your care."
