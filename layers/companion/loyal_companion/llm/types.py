"""What the rest of the package knows of a model: messages in, a completion out. No openai import here."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from loyal_companion.errors import CompanionError

Role = Literal["system", "user", "assistant"]


@dataclass(frozen=True)
class ChatMessage:
    role: Role
    content: str
    image_urls: tuple[str, ...] = ()


@dataclass(frozen=True)
class ModelParams:
    model: str
    temperature: float | None = None
    top_p: float | None = None
    max_tokens: int | None = None
    frequency_penalty: float | None = None
    presence_penalty: float | None = None
    vision: bool = False
    # Seconds this call may take in all (the worker's budget); None: the client's own timeout.
    timeout: float | None = None


@dataclass(frozen=True)
class PromptState:
    """The facts a prompt was composed from, for responders that do not read prose (the offline one)."""

    person_name: str
    message: str
    mood_label: str = "neutral"
    relationship_level: str = "New Face"
    facts: tuple[str, ...] = ()
    about_message: str | None = None
    # Facts recall related to this message (the rest of ``facts`` are there because they matter generally).
    related_facts: tuple[str, ...] = ()
    # Among them, something painful (a loss, a way of coping): the reply is gentle even if the message is not.
    tender: bool = False
    # What the companion said earlier in this conversation (the window), oldest first.
    earlier_replies: tuple[str, ...] = ()
    # What the person said earlier in this conversation, oldest first (whom "she" means).
    earlier_messages: tuple[str, ...] = ()


@dataclass(frozen=True)
class Prompt:
    messages: tuple[ChatMessage, ...]
    state: PromptState
    token_count: int = 0
    dropped: tuple[str, ...] = ()


@dataclass(frozen=True)
class Completion:
    text: str
    model: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    offline: bool = False


class ModelError(CompanionError):
    """The model call failed. ``transient`` errors (timeouts, 429, 5xx) are worth retrying later."""

    def __init__(self, message: str, *, transient: bool, status: int | None = None) -> None:
        self.transient = transient
        self.status = status
        super().__init__(message)


class ChatModel(Protocol):
    @property
    def offline(self) -> bool: ...

    def complete(
        self,
        prompt: Prompt,
        params: ModelParams,
        *,
        on_partial: Callable[[str], None] | None = None,
    ) -> Completion: ...

    def structured(
        self,
        messages: Sequence[ChatMessage],
        params: ModelParams,
        *,
        schema_name: str,
        schema: dict[str, Any],
    ) -> dict[str, Any]: ...


class Embedder(Protocol):
    """Texts in, one vector each out (one request); a ModelError when the server fails."""

    @property
    def model(self) -> str: ...

    def embed(self, texts: Sequence[str]) -> list[list[float]]: ...


@dataclass
class UsageTotals:
    prompt_tokens: int = 0
    completion_tokens: int = 0
    calls: int = 0
    models: list[str] = field(default_factory=list)
