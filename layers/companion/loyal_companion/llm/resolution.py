"""Resolved configuration: each value carries where it came from (reference/003's resolution order).

Persona: the person's override for this personality → the person's own persona → the system default.
System prompt: the personality's → the default. LLM config, field by field: the person's override for
this personality → the personality's config → the default config.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")

# The LLM settings resolved field by field (the columns of llm_configs that a config may leave NULL).
LLM_FIELDS = (
    "model",
    "temperature",
    "top_p",
    "max_tokens",
    "frequency_penalty",
    "presence_penalty",
    "supports_vision",
    "context_budget",
)

YOUR_SETTING = "your setting for this personality"
YOUR_PERSONA = "your own persona"
PERSONALITY = "the personality"
DEFAULT = "the default"


@dataclass(frozen=True)
class Sourced(Generic[T]):
    value: T
    source: str


@dataclass(frozen=True)
class ResolvedConfig:
    personality_id: int
    personality_slug: str
    personality_name: str
    personality_source: str
    context_window_size: int
    settings: dict[str, object]
    persona: Sourced[str | None]
    system_prompt: Sourced[str]
    model: Sourced[str]
    temperature: Sourced[float | None]
    top_p: Sourced[float | None]
    max_tokens: Sourced[int | None]
    frequency_penalty: Sourced[float | None]
    presence_penalty: Sourced[float | None]
    supports_vision: Sourced[bool]
    context_budget: Sourced[int]

    def sources(self) -> dict[str, str]:
        """Where each setting came from (for logs and /personality)."""
        names = ("persona", "system_prompt", *LLM_FIELDS)
        return {name: getattr(self, name).source for name in names} | {"personality": self.personality_source}
