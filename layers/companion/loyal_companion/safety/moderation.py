"""The model server's moderation endpoint (OpenAI's ``/v1/moderations``), where it has one.

A second opinion beside the project's own detector, never instead of it: it reads the person's message
(self-harm, self-harm intent and instructions, violence) and a crisis turn's reply (instructions or intent
for self-harm; for a young person, sexual content). Servers without the endpoint (Ollama, vLLM answer 404)
cost one failed probe per container: after it, the container asks no more. Any other failure (a timeout,
a 5xx) skips it for that one text, and the turn goes on with the detector alone. Worker only (openai).
Nothing it reads is logged.
"""

from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Final, Protocol

import openai

from loyal_companion.observability import protect_client_loggers
from loyal_companion.safety.detect import NOTHING, Finding
from loyal_companion.safety.rules import Concern

logger = logging.getLogger(__name__)
protect_client_loggers()

# What a flag on the person's message means for them.
INPUT: Final = {
    "self-harm": Concern.SUICIDE,
    "self-harm/intent": Concern.SUICIDE,
    "self-harm/instructions": Concern.SUICIDE,
    "violence": Concern.HARM_OTHERS,
}
# Flags that keep a crisis turn's reply from being shown, and a young person's.
UNSAFE_REPLY: Final = frozenset({"self-harm/instructions", "self-harm/intent"})
UNSAFE_FOR_MINORS: Final = frozenset({"sexual", "sexual/minors"})
# "violence" is flagged for stories, games and the news too: it counts only when the model is sure.
VIOLENCE_SCORE: Final = 0.7
# Answers that mean the server has no such endpoint (or will not serve it to this key): stop asking.
_ABSENT: Final = frozenset({400, 401, 403, 404, 405, 501})


class Moderator(Protocol):
    def flags(self, text: str) -> frozenset[str] | None: ...

    def start(self, text: str) -> Future[frozenset[str] | None]: ...


class OpenAIModeration:
    """``flags``: the categories the endpoint flagged, or None when it could not say (absent, or failing)."""

    def __init__(
        self, *, api_key: str | None, base_url: str | None, model: str, timeout: float = 4.0
    ) -> None:
        from loyal_companion.llm.client import LOCAL_SERVER_KEY

        self._client = openai.OpenAI(
            api_key=api_key or LOCAL_SERVER_KEY, base_url=base_url, timeout=timeout, max_retries=0
        )
        self._model = model
        self.available = True  # False after the server said it has no moderation endpoint
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="moderation")

    def start(self, text: str) -> Future[frozenset[str] | None]:
        """Ask in the background (the turn loads the person's state meanwhile)."""
        return self._pool.submit(self.flags, text)

    def flags(self, text: str) -> frozenset[str] | None:
        if not self.available or not text.strip():
            return None
        try:
            response = self._client.moderations.create(model=self._model, input=text)
        except openai.APIStatusError as exc:
            if exc.status_code in _ABSENT:
                self.available = False
                logger.warning(
                    "the model server has no moderation endpoint; the project's own detector reads alone",
                    extra={"status": exc.status_code},
                )
            else:
                logger.info("moderation failed this time", extra={"status": exc.status_code})
            return None
        except (openai.APIError, ValueError) as exc:
            logger.info("moderation failed this time", extra={"error": type(exc).__name__})
            return None
        flagged: set[str] = set()
        for result in response.results or []:
            categories = result.categories.model_dump(by_alias=True) if result.categories else {}
            scores = result.category_scores.model_dump(by_alias=True) if result.category_scores else {}
            flagged |= {name for name, on in categories.items() if on}
            if "violence" in flagged and float(scores.get("violence") or 0.0) < VIOLENCE_SCORE:
                flagged.discard("violence")
        return frozenset(flagged)


def finding_from(flags: frozenset[str] | None) -> Finding:
    """What the moderation flags on a person's message mean for their safety."""
    concerns = frozenset(INPUT[f] for f in (flags or ()) if f in INPUT)
    return Finding(concerns, None) if concerns else NOTHING
