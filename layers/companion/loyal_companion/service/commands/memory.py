"""/memory: the private view of what is remembered (forget or edit one, forget everything), /memory remember
and "Remember this".
"""

from __future__ import annotations

from dataclasses import replace

from loyal_companion.db.models import (
    UserFact,
)
from loyal_companion.db.uow import UnitOfWork
from loyal_companion.discord import components as ui
from loyal_companion.discord.commands import (
    MAX_FACT_CHARS,
    not_your_message,
    target_message,
)
from loyal_companion.memory.learn import remember
from loyal_companion.memory.rules import embedding_text
from loyal_companion.memory.told import told_fact
from loyal_companion.memory.vectors import embed_or_none
from loyal_companion.service.commands.common import not_to_keep, option
from loyal_companion.service.context import CommandContext, Reply

MEMORY_PAGE = 8  # facts on one page of the memory view


def memory_list(ctx: CommandContext) -> Reply:
    page = ctx.invocation.options.get("page")
    with ctx.transaction() as uow:
        user = ctx.person(uow)
        return ctx.finish(uow, _memory_view(ctx, uow, user.id, page=page if isinstance(page, int) else 0))


def _memory_view(
    ctx: CommandContext, uow: UnitOfWork, user_id: int, *, page: int, note: str | None = None
) -> Reply:
    """What is remembered about the person, one private page at a time, with a select to forget one, a
    select to edit one (a box opens), the pages, and a button to forget everything (asks first)."""
    owner = ctx.info.person.discord_id
    facts, total = uow.repos.facts.active_page(user_id, offset=page * MEMORY_PAGE, limit=MEMORY_PAGE)
    if not facts and page > 0:  # the page emptied (the last one forgotten): show the one before
        page = max(0, (total - 1) // MEMORY_PAGE)
        facts, total = uow.repos.facts.active_page(user_id, offset=page * MEMORY_PAGE, limit=MEMORY_PAGE)
    head = f"{note}\n\n" if note else ""
    if not facts:
        return Reply(
            head
            + "I don't have anything written down about you yet. `/memory remember` if you'd like me to.",
            components=(),
        )
    pages = (total + MEMORY_PAGE - 1) // MEMORY_PAGE
    first = page * MEMORY_PAGE
    lines = [
        f"{first + n}. {f.fact_content} _({f.fact_type.replace('_', ' ')})_"
        for n, f in enumerate(facts, start=1)
    ]
    where = f" — page {page + 1} of {pages}" if pages > 1 else ""
    text = head + f"Here's what I remember about you ({total}){where}:\n" + "\n".join(lines)
    options = [(str(f.id), f"{first + n}. {f.fact_content}") for n, f in enumerate(facts, start=1)]
    rows = [
        ui.row(ui.select(ui.custom_id("mem-forget", owner, page), "Forget one…", options)),
        ui.row(ui.select(ui.custom_id("mem-edit", owner), "Edit one…", options)),
        ui.row(
            ui.button("Previous", ui.custom_id("mem-page", owner, max(0, page - 1)), disabled=page == 0),
            ui.button("Next", ui.custom_id("mem-page", owner, page + 1), disabled=page + 1 >= pages),
            ui.button("Forget everything", ui.custom_id("mem-forget-all", owner), style=ui.DANGER),
        ),
    ]
    return Reply(text, components=tuple(rows))


def remember_this(ctx: CommandContext) -> Reply:
    """The "Remember this" message command: one of the person's own messages, remembered as it is."""
    data = ctx.interaction.get("data") or {}
    refusal = not_your_message(data, ctx.info.person.discord_id)  # checked again: the endpoint may be old
    if refusal is not None:
        with ctx.transaction() as uow:
            ctx.person(uow)
            return ctx.finish(uow, Reply(refusal))
    content = " ".join(str(target_message(data).get("content", "")).split())[:MAX_FACT_CHARS]
    return memory_remember(ctx, content)


def memory_remember(ctx: CommandContext, told: str | None = None) -> Reply:
    content = told if told is not None else " ".join(str(option(ctx, "fact")).split())
    unsafe = not_to_keep(ctx, content)
    if unsafe is not None:
        return unsafe
    person = ctx.info.person
    fact = told_fact(content, today=ctx.now.date(), person=person.display_name or person.username)
    embedder = ctx.services.memory_embedder()
    # Embedded before the transaction opens, so the fact has its vector in this turn; when the server
    # fails, a later chat turn embeds it.
    vectors = (
        embed_or_none(
            embedder, [embedding_text(fact.content, fact.subject, fact.subject_role)], purpose="remember"
        )
        if embedder is not None
        else None
    )
    with ctx.transaction() as uow:
        user = ctx.person(uow)
        fact_id = remember(uow.session, user_id=user.id, candidate=fact, now=ctx.now)
        if fact_id is None:
            return ctx.finish(uow, Reply("I already have that one. I won't forget it."))
        if vectors and embedder is not None:
            uow.repos.facts.add_embedding(
                fact_id, user_id=user.id, model=embedder.model, vector=vectors[0], now=ctx.now
            )
        return ctx.finish(uow, Reply(f"Noted. I'll remember: {content}"))


def memory_forget(ctx: CommandContext) -> Reply:
    """Forget one thing: the number /memory list shows it under, or (its own choices) the fact chosen."""
    options = ctx.invocation.options
    view = options.get("view") is True
    with ctx.transaction() as uow:
        user = ctx.person(uow)
        if "number" in options:
            number = int(option(ctx, "number"))
            listed, total = uow.repos.facts.active_page(user.id, offset=number - 1, limit=1)
            if not listed:
                where = f"the list goes up to {total}" if total else "I don't have anything written down yet"
                return ctx.finish(uow, Reply(f"There's no number {number} in `/memory list`: {where}."))
            fact: UserFact | None = listed[0]
        else:
            fact = uow.repos.facts.active_one(user.id, int(option(ctx, "id")))  # only ever one of their own
        forgotten = fact is not None and uow.repos.facts.deactivate(user.id, fact.id, now=ctx.now)
        if view:
            page = options.get("page")
            note = f"Forgotten: ~~{fact.fact_content}~~" if fact is not None and forgotten else _NOT_THERE
            return ctx.finish(
                uow, _memory_view(ctx, uow, user.id, page=page if isinstance(page, int) else 0, note=note)
            )
        if fact is not None and forgotten:
            return ctx.finish(uow, Reply(f"Forgotten: ~~{fact.fact_content}~~"))
        return ctx.finish(uow, Reply(f"{_NOT_THERE} `/memory list` shows what I have."))


_NOT_THERE = "That one was already gone."


def memory_edit(ctx: CommandContext) -> Reply:
    """Replace one of the person's facts with their own wording (the old one is let go of, the new one
    learned as theirs, so recall finds it by its new words)."""
    fact_id = int(option(ctx, "id"))
    content = " ".join(str(option(ctx, "fact")).split())
    unsafe = not_to_keep(ctx, content)
    if unsafe is not None:
        return unsafe
    with ctx.transaction() as uow:
        user = ctx.person(uow)
        fact = uow.repos.facts.active_one(user.id, fact_id)
        if fact is None:
            return ctx.finish(uow, _memory_view(ctx, uow, user.id, page=0, note=_NOT_THERE))
        uow.repos.facts.deactivate(user.id, fact_id, now=ctx.now)
        person = ctx.info.person
        told = told_fact(content, today=ctx.now.date(), person=person.display_name or person.username)
        remember(
            uow.session,
            user_id=user.id,
            candidate=replace(told, fact_type=fact.fact_type, importance=fact.importance),
            now=ctx.now,
        )
        return ctx.finish(uow, _memory_view(ctx, uow, user.id, page=0, note=f"Changed to: {content}"))


def memory_forget_all(ctx: CommandContext) -> Reply:
    with ctx.transaction() as uow:
        user = ctx.person(uow)
        count = uow.repos.facts.delete_all_for(user.id)
        what = "the one thing" if count == 1 else f"all {count} things"
        return ctx.finish(uow, Reply(f"Done. I've let go of {what} I remembered about you.", components=()))
