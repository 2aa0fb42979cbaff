"""Embeddings through the openai client, for relating a person's facts to their message by meaning.

Short timeout and one retry: a turn waits for the message's embedding before it loads facts, and when
the embeddings server is slow or down the turn goes on with full-text ranking instead (the caller's
choice; here a failure is a ``ModelError``).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import openai

from loyal_companion.llm.client import LOCAL_SERVER_KEY, model_error
from loyal_companion.llm.types import ModelError
from loyal_companion.observability import protect_client_loggers

logger = logging.getLogger(__name__)
protect_client_loggers()

MAX_INPUT_CHARS = 2000  # a message or a fact; far below any embeddings model's input limit


class OpenAIEmbedder:
    def __init__(
        self,
        *,
        model: str,
        api_key: str | None,
        base_url: str | None,
        dimensions: int | None = None,
        timeout: float = 5.0,
        max_retries: int = 1,
    ) -> None:
        self._model = model
        self._dimensions = dimensions
        self._client = openai.OpenAI(
            api_key=api_key or LOCAL_SERVER_KEY, base_url=base_url, timeout=timeout, max_retries=max_retries
        )

    @property
    def model(self) -> str:
        return self._model

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """One vector per text, in order (one request, however many texts)."""
        if not texts:
            return []
        inputs = [text[:MAX_INPUT_CHARS] or " " for text in texts]
        try:
            if self._dimensions is not None:
                response = self._client.embeddings.create(
                    model=self._model, input=inputs, encoding_format="float", dimensions=self._dimensions
                )
            else:
                response = self._client.embeddings.create(
                    model=self._model, input=inputs, encoding_format="float"
                )
        except openai.APIError as exc:
            raise model_error(exc) from None
        ordered = sorted(response.data, key=lambda item: item.index)
        if len(ordered) != len(inputs):
            raise ModelError(
                f"the embeddings server returned {len(ordered)} vectors for {len(inputs)} texts",
                transient=False,
            )
        vectors = [list(map(float, item.embedding)) for item in ordered]
        if len({len(v) for v in vectors}) != 1 or not vectors[0]:
            raise ModelError("the embeddings server returned vectors of different sizes", transient=False)
        return vectors
