"""The offline responder: the Bartender's voice from the same state, when no language model is configured.

It keeps the whole pipeline running on a fresh machine (no key, no model server) and never pretends to
be a model: every reply it gives ends with a plain label saying no language model is configured.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from typing import Any, Final

from loyal_companion.living.assessment import lexical_assessment
from loyal_companion.llm.types import ChatMessage, Completion, ModelParams, Prompt, PromptState

OFFLINE_LABEL: Final = "_(offline responder — no language model is configured)_"
OFFLINE_MODEL: Final = "offline-responder"

_OPENERS: Final = (
    "I hear you, {name}.",
    "Pull up a stool, {name}. I'm listening.",
    "That sounds like a lot to carry, {name}.",
    "Thanks for telling me, {name}.",
    "Take your time, {name}. I'm not going anywhere.",
)
# For loss and pain: no silver linings, no hurry; just presence (the Bartender's grief-aware voice).
_GENTLE_OPENERS: Final = (
    "I'm so sorry, {name}. That's a heavy thing to carry, and you don't have to carry it tidily.",
    "I'm here, {name}. There's no right way to feel about this, and no timetable for it.",
    "That sounds really hard, {name}. Sit as long as you like; I'm not going anywhere.",
)
_LOSS: Final = re.compile(
    r"\b(passed away|died|funeral|lost (?:my|our)|grief|grieving|miss (?:him|her|them))\b", re.I
)
_MOOD_LINES: Final = {
    "excited": "Something in the air tonight has me in good spirits.",
    "happy": "It's a good evening behind the bar.",
    "curious": "You've got me curious.",
    "calm": "It's quiet in here tonight, the good kind of quiet.",
    "bored": "It's been a slow night; I'm glad you came in.",
    "annoyed": "It's been a long shift, but I've always got time for you.",
    "neutral": "",
}


def offline_reply(state: PromptState) -> str:
    """A short, steady reply built from what the Bartender knows; deterministic for the same input."""
    digest = int(hashlib.sha256(f"{state.person_name}|{state.message}".encode()).hexdigest(), 16)
    heavy = lexical_assessment(state.message).sentiment < -0.3 or _LOSS.search(state.message) is not None
    openers = _GENTLE_OPENERS if heavy else _OPENERS
    lines = [openers[digest % len(openers)].format(name=state.person_name)]
    mood_line = "" if heavy else _MOOD_LINES.get(state.mood_label, "")
    if mood_line:
        lines.append(mood_line)
    if state.about_message:
        lines.append(f"About that message — “{_shorten(state.about_message)}” — what stays with you most?")
    elif state.facts:
        lines.append(f"I remember you told me: {_shorten(state.facts[0])}.")
    if state.relationship_level in ("Good Friend", "Close Friend"):
        lines.append("You know you can tell me anything.")
    elif state.relationship_level == "New Face":
        lines.append("I don't know you well yet, but I'd like to.")
    if not state.about_message:
        lines.append("What's on your mind?")
    return " ".join(lines) + "\n\n" + OFFLINE_LABEL


def _shorten(text: str, limit: int = 140) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class OfflineResponder:
    offline = True

    def complete(
        self,
        prompt: Prompt,
        params: ModelParams,
        *,
        on_partial: Callable[[str], None] | None = None,
    ) -> Completion:
        return Completion(text=offline_reply(prompt.state), model=OFFLINE_MODEL, offline=True)

    def structured(
        self,
        messages: Sequence[ChatMessage],
        params: ModelParams,
        *,
        schema_name: str,
        schema: dict[str, Any],
    ) -> dict[str, Any]:
        # Callers check ``offline`` and use their lexical fallbacks; asking anyway is a programming error.
        raise NotImplementedError("the offline responder has no structured output; use the offline rules")
