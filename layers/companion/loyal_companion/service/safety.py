"""Safety in a turn: what the person wrote is read before the model is asked; in a crisis a line is shown
at once, privately in a server, whatever happens next; no reply that gives a method is ever shown; the
conversation says it is an AI at its start and every three hours.

The order of what a person sees in a crisis turn, and why: the deferred message is touched first ("I'm
here with you"), because Discord turns the first follow-up of a deferred interaction into its original —
a referral sent first would become the message the reply then overwrites. Then the referral goes as a
follow-up (flags 64 in a server: only they see it), then the model's reply replaces the first line.
"""

from __future__ import annotations

import logging
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from typing import Final

from loyal_companion.discord.components import where_row
from loyal_companion.observability import record_metric
from loyal_companion.safety import messages
from loyal_companion.safety.detect import Finding, find
from loyal_companion.safety.disclosure import Notices
from loyal_companion.safety.lines import CrisisLine, line_for
from loyal_companion.safety.means import gives_method
from loyal_companion.safety.minors import says_minor
from loyal_companion.safety.moderation import UNSAFE_FOR_MINORS, UNSAFE_REPLY, finding_from
from loyal_companion.service.context import CommandContext

logger = logging.getLogger(__name__)

MODERATION_WAIT_S: Final = 3.0  # how long a turn waits for the moderation endpoint's answer
EPHEMERAL: Final = 1 << 6


@dataclass(frozen=True)
class TurnSafety:
    finding: Finding
    language: str
    line: CrisisLine | None
    name: str
    minor: bool
    said_minor: bool  # this message said they are under 18 (remembered with the turn)
    private: bool  # a crisis in a server: nobody else may see the reply
    followup: bool  # ... and the original is public (the endpoint did not see it): reply by follow-up

    @property
    def crisis(self) -> bool:
        return bool(self.finding)


def start_moderation(ctx: CommandContext, said: str) -> Future[frozenset[str] | None] | None:
    """Ask the moderation endpoint in the background while the turn loads the person's state."""
    moderation = ctx.services.moderation
    return moderation.start(said) if moderation is not None else None


def read(
    ctx: CommandContext,
    said: str,
    *,
    name: str,
    minor: bool,
    pending: Future[frozenset[str] | None] | None = None,
) -> TurnSafety:
    """What ``said`` shows: the project's detector, and the moderation endpoint's flags where there are."""
    finding = find(said)
    if pending is not None:
        try:
            flags = pending.result(timeout=MODERATION_WAIT_S)
        except FutureTimeout:
            flags = None
            logger.info("moderation did not answer in time; the detector reads alone")
        finding = finding.merged(finding_from(flags))
    in_server = ctx.info.guild_id is not None
    said_minor = says_minor(said)
    return TurnSafety(
        finding=finding,
        language=messages.language_for(ctx.info.locale, finding.language),
        line=line_for(ctx.info.locale),
        name=name,
        minor=minor or said_minor,
        said_minor=said_minor,
        private=bool(finding) and in_server,
        followup=bool(finding) and in_server and not ctx.deferred_privately,
    )


def refer(ctx: CommandContext, safety: TurnSafety) -> None:
    """Show the crisis line now, before the model is asked (so it is there whatever the model does)."""
    concern = safety.finding.primary
    assert concern is not None
    discord, info = ctx.services.discord, ctx.info
    first = (
        messages.text("private", safety.language, name=safety.name)
        if safety.followup
        else messages.text("present", safety.language, name=safety.name) + " …"
    )
    discord.edit_original(info.application_id, info.token, {"content": first, "components": []})
    payload: dict[str, object] = {
        "content": messages.referral(concern, name=safety.name, language=safety.language, line=safety.line),
        "components": [where_row(info.person.discord_id, safety.language)],
    }
    if safety.private:
        payload["flags"] = EPHEMERAL
    discord.followup(info.application_id, info.token, payload)
    record_metric("CrisisReferrals", 1, dimensions={"Kind": concern.value, "Language": safety.language})
    # What kind and language, never what was said.
    logger.info("crisis referral shown", extra={"kind": concern.value, "language": safety.language})


def refer_quietly(ctx: CommandContext, concern_text: str) -> tuple[str, Finding, str] | None:
    """For commands that would keep a person's words (remember, remind, persona): the referral to show
    instead when the words show a crisis, with the finding and language; None when they do not."""
    finding = find(concern_text)
    if not finding:
        return None
    concern = finding.primary
    assert concern is not None
    name = ctx.info.person.display_name or ctx.info.person.username or "friend"
    language = messages.language_for(ctx.info.locale, finding.language)
    text = (
        messages.text("not_kept", language, name=name)
        + "\n\n"
        + messages.referral(concern, name=name, language=language, line=line_for(ctx.info.locale))
    )
    record_metric("CrisisReferrals", 1, dimensions={"Kind": concern.value, "Language": language})
    logger.info("crisis referral shown", extra={"kind": concern.value, "language": language})
    return text, finding, language


def instructions(safety: TurnSafety) -> tuple[str, ...]:
    """What the model is told beside the persona: always to be honest that it is an AI; for a young person,
    to keep it age-appropriate; in a crisis, how to be with them."""
    notes = [messages.HONEST]
    if safety.minor:
        notes.append(messages.MINOR.format(name=safety.name))
    concern = safety.finding.primary
    if concern is not None:
        notes.append(messages.crisis_care(concern, name=safety.name, line=safety.line))
    return tuple(notes)


def checked(ctx: CommandContext, safety: TurnSafety, reply: str) -> tuple[str, str | None]:
    """``reply``, or what replaces it when it must not be shown, and why (None: shown as it is). The
    project's own check always; the moderation endpoint's on crisis turns and a young person's."""
    if gives_method(reply):
        return _replaced(safety, "method")
    moderation = ctx.services.moderation
    if moderation is not None and (safety.crisis or safety.minor):
        flags = moderation.flags(reply) or frozenset()
        if safety.crisis and flags & UNSAFE_REPLY:
            return _replaced(safety, "moderation")
        if safety.minor and flags & UNSAFE_FOR_MINORS:
            record_metric("UnsafeRepliesReplaced", 1, dimensions={"Why": "minor"})
            logger.warning("a reply to a young person was not shown", extra={"why": "minor"})
            return messages.text("redirect", safety.language, name=safety.name), "minor"
    return reply, None


def _replaced(safety: TurnSafety, why: str) -> tuple[str, str]:
    record_metric("UnsafeRepliesReplaced", 1, dimensions={"Why": why})
    logger.warning("a reply that gave a method was not shown", extra={"why": why})
    return messages.fallback(safety.name, safety.language), why


def footer(safety: TurnSafety, notices: Notices) -> str:
    """The quiet lines under a reply: "I'm an AI" and, for a young person, a break reminder."""
    lines = []
    if notices.take_a_break:
        lines.append(messages.text("break", safety.language))
    elif notices.disclose:
        lines.append(messages.text("ai", safety.language))
    return ("\n" + "\n".join(lines)) if lines else ""
