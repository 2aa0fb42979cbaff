"""The prompt composer: everything the model should know, within a token budget.

Sections, in order: the system prompt, the personality's persona line, the person's own description,
the mood line, the relationship guidance, what the Bartender remembers, its opinions, style hints, then
the conversation window and the new message. When over budget we drop, in this stated order: the oldest
turns of the window first, then the least important facts, then opinions and style hints. The system
prompt and the new message are never dropped. Only the invoking person's data is ever passed in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from loyal_companion.llm.tokens import message_tokens
from loyal_companion.llm.types import ChatMessage, Prompt, PromptState, Role


@dataclass(frozen=True)
class FactLine:
    text: str
    importance: float


@dataclass(frozen=True)
class Turn:
    role: Role
    content: str


@dataclass(frozen=True)
class PromptInput:
    system_prompt: str
    person_name: str
    message: str
    persona: str | None = None
    own_description: str | None = None
    mood_line: str | None = None
    relationship_level: str = "New Face"
    relationship_guidance: str | None = None
    mood_label: str = "neutral"
    facts: Sequence[FactLine] = ()
    opinions: Sequence[str] = ()
    style_hints: Sequence[str] = ()
    window: Sequence[Turn] = ()
    about_message: str | None = None
    public_channel: bool = False
    image_urls: tuple[str, ...] = ()
    extra_notes: Sequence[str] = field(default_factory=tuple)
    related_facts: Sequence[str] = ()
    tender: bool = False


def _system_text(
    data: PromptInput, facts: Sequence[FactLine], opinions: Sequence[str], hints: Sequence[str]
) -> str:
    parts = [data.system_prompt.strip()]
    parts.append(f"You are talking with {data.person_name}.")
    if data.persona:
        parts.append(f"About the person, as the personality sees them by default: {data.persona.strip()}")
    if data.own_description:
        parts.append(f"How {data.person_name} describes themselves: {data.own_description.strip()}")
    if data.mood_line:
        parts.append(data.mood_line)
    if data.relationship_guidance:
        parts.append(f"Relationship: {data.relationship_level}. {data.relationship_guidance}")
    if facts:
        lines = "\n".join(f"- {f.text}" for f in facts)
        parts.append(f"What you remember about {data.person_name} (use it gently, never recite it):\n{lines}")
    if opinions:
        parts.append("Your own leanings: " + "; ".join(opinions) + ".")
    if hints:
        parts.append("How they like to talk: " + "; ".join(hints) + ".")
    if data.public_channel:
        parts.append(
            "This conversation is in a public server channel: do not bring up private or painful things "
            "they told you elsewhere unless they raise them first."
        )
    parts.extend(data.extra_notes)
    return "\n\n".join(parts)


def _user_text(data: PromptInput) -> str:
    if data.about_message:
        quoted = f'"""\n{data.about_message}\n"""'
        return f"{data.person_name} wants to talk about this message:\n{quoted}\n\n{data.message}"
    return data.message


def compose(data: PromptInput, *, budget: int) -> Prompt:
    """The prompt for ``data`` within ``budget`` tokens (the system prompt and new message always stay)."""
    facts = sorted(data.facts, key=lambda f: f.importance, reverse=True)
    opinions = list(data.opinions)
    hints = list(data.style_hints)
    window = list(data.window)
    dropped: list[str] = []
    user_text = _user_text(data)

    def total() -> int:
        system = message_tokens(_system_text(data, facts, opinions, hints))
        return system + sum(message_tokens(t.content) for t in window) + message_tokens(user_text)

    while total() > budget:
        if window:
            window.pop(0)
            dropped.append("turn")
        elif facts:
            facts.pop()
            dropped.append("fact")
        elif opinions:
            opinions.pop()
            dropped.append("opinion")
        elif hints:
            hints.pop()
            dropped.append("style")
        else:
            break  # only what is never dropped is left

    messages = [ChatMessage("system", _system_text(data, facts, opinions, hints))]
    messages += [ChatMessage(t.role, t.content) for t in window]
    messages.append(ChatMessage("user", user_text, image_urls=data.image_urls))
    state = PromptState(
        person_name=data.person_name,
        message=data.message,
        mood_label=data.mood_label,
        relationship_level=data.relationship_level,
        facts=tuple(f.text for f in facts),
        about_message=data.about_message,
        related_facts=tuple(data.related_facts),
        tender=data.tender,
        earlier_replies=tuple(t.content for t in data.window if t.role == "assistant"),
        earlier_messages=tuple(t.content for t in data.window if t.role == "user"),
    )
    return Prompt(messages=tuple(messages), state=state, token_count=total(), dropped=tuple(dropped))
