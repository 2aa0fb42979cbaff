"""Personalities and personas: /personality list|use, /persona set|clear."""

from __future__ import annotations

from loyal_companion.service.chat import load_state
from loyal_companion.service.commands.common import not_to_keep, option
from loyal_companion.service.context import CommandContext, Reply
from loyal_companion.service.reply import model_params


def personality_list(ctx: CommandContext) -> Reply:
    state = load_state(ctx)
    config = state.config
    params = model_params(ctx, state)
    with ctx.transaction() as uow:
        ctx.person(uow)
        lines = ["Who's behind the bar:"]
        for p in uow.repos.personalities.all():
            marker = " ← you're talking to them" if p.id == config.personality_id else ""
            lines.append(f"• **{p.display_name or p.name}** (`{p.slug}`){marker}")
        lines.append(
            f"\n**{config.personality_name}** is yours because of {config.personality_source}. "
            f"Model `{params.model}` (from {config.model.source}), temperature "
            f"{config.temperature.value} (from {config.temperature.source}); system prompt from "
            f"{config.system_prompt.source}; persona from {config.persona.source}."
        )
        return ctx.finish(uow, Reply("\n".join(lines)))


def personality_use(ctx: CommandContext) -> Reply:
    with ctx.transaction() as uow:
        user = ctx.person(uow)
        found = uow.repos.personalities.find(str(option(ctx, "name")))
        if found is None:
            return ctx.finish(
                uow, Reply("I don't know that personality. `/personality list` shows who's here.")
            )
        uow.repos.preferences.set(user.id, "personality", found.slug, now=ctx.now)
        return ctx.finish(
            uow, Reply(f"From now on you'll be talking to **{found.display_name or found.name}**.")
        )


def persona_set(ctx: CommandContext) -> Reply:
    description = str(option(ctx, "description")).strip()
    unsafe = not_to_keep(ctx, description)
    if unsafe is not None:
        return unsafe
    with ctx.transaction() as uow:
        user = ctx.person(uow)
        uow.repos.personas.set_own(user, description, now=ctx.now)
        return ctx.finish(uow, Reply("Thank you. That's how I'll know you."))


def persona_clear(ctx: CommandContext) -> Reply:
    with ctx.transaction() as uow:
        user = ctx.person(uow)
        removed = uow.repos.personas.clear_own(user)
        return ctx.finish(uow, Reply("Cleared." if removed else "You hadn't described yourself yet."))
