"""The model call through the openai client, to OpenAI or any OpenAI-compatible server.

Timeouts and retries with backoff on 429/5xx are the openai client's own (``max_retries``), unless the
worker gives the call a budget (``ModelParams.timeout``: one attempt within it); what is still failing
becomes a ``ModelError`` that says whether a later retry could help, a body that is not JSON included.
A refused key is a clear, permanent error naming OPENAI_API_KEY. Streaming hands partial text to
``on_partial`` so the caller can edit the Discord message as the reply forms.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from typing import Any

import openai

from loyal_companion.llm.types import ChatMessage, Completion, ModelError, ModelParams, Prompt
from loyal_companion.observability import protect_client_loggers

logger = logging.getLogger(__name__)
protect_client_loggers()

LOCAL_SERVER_KEY = "not-needed"  # Ollama, LM Studio and vLLM accept any key


class OpenAIChatModel:
    offline = False

    def __init__(
        self,
        *,
        api_key: str | None,
        base_url: str | None,
        timeout: float = 25.0,
        max_retries: int = 1,
        stream: bool = True,
    ) -> None:
        self._client = openai.OpenAI(
            api_key=api_key or LOCAL_SERVER_KEY, base_url=base_url, timeout=timeout, max_retries=max_retries
        )
        self._stream = stream
        self._timeout = timeout

    def _client_for(self, params: ModelParams) -> openai.OpenAI:
        """The client, held to ``params.timeout`` in all when the worker gives a budget (one attempt: a
        retry is the queue's, which comes back in seconds)."""
        if params.timeout is None:
            return self._client
        return self._client.with_options(timeout=max(0.1, min(self._timeout, params.timeout)), max_retries=0)

    def complete(
        self,
        prompt: Prompt,
        params: ModelParams,
        *,
        on_partial: Callable[[str], None] | None = None,
    ) -> Completion:
        kwargs = _request_args(prompt.messages, params)
        try:
            if on_partial is not None and self._stream:
                return self._complete_streaming(kwargs, params, on_partial)
            response = self._client_for(params).chat.completions.create(**kwargs)
        except openai.APIError as exc:
            raise model_error(exc) from None
        except ValueError:  # a 200 whose body, or a streamed chunk, is not JSON: a server having a bad moment
            raise ModelError(
                "the model server answered with something that is not JSON", transient=True
            ) from None
        choice = response.choices[0] if response.choices else None
        text = (choice.message.content or "") if choice is not None else ""
        usage = response.usage
        return Completion(
            text=text.strip(),
            model=response.model or params.model,
            prompt_tokens=usage.prompt_tokens if usage else 0,
            completion_tokens=usage.completion_tokens if usage else 0,
        )

    def _complete_streaming(
        self, kwargs: dict[str, Any], params: ModelParams, on_partial: Callable[[str], None]
    ) -> Completion:
        stream = self._client_for(params).chat.completions.create(
            **kwargs, stream=True, stream_options={"include_usage": True}
        )
        parts: list[str] = []
        prompt_tokens = completion_tokens = 0
        model = params.model
        for chunk in stream:
            if chunk.model:
                model = chunk.model
            if chunk.usage is not None:
                prompt_tokens = chunk.usage.prompt_tokens
                completion_tokens = chunk.usage.completion_tokens
            for choice in chunk.choices:
                delta = choice.delta.content if choice.delta else None
                if delta:
                    parts.append(delta)
                    on_partial("".join(parts))
        if not parts:
            # A stream that carried no text (its chunks unreadable, or cut off): not an answer.
            raise ModelError("the model's stream ended without an answer", transient=True)
        return Completion(
            text="".join(parts).strip(),
            model=model,
            prompt_tokens=prompt_tokens,
            completion_tokens=completion_tokens,
        )

    def structured(
        self,
        messages: Sequence[ChatMessage],
        params: ModelParams,
        *,
        schema_name: str,
        schema: dict[str, Any],
    ) -> dict[str, Any]:
        """A JSON object that follows ``schema`` (the server's structured output), or a ModelError."""
        kwargs = _request_args(messages, params)
        kwargs["response_format"] = {
            "type": "json_schema",
            "json_schema": {"name": schema_name, "schema": schema, "strict": True},
        }
        try:
            response = self._client_for(params).chat.completions.create(**kwargs)
        except openai.APIError as exc:
            raise model_error(exc) from None
        except ValueError:
            raise ModelError(
                "the model server answered with something that is not JSON", transient=True
            ) from None
        content = response.choices[0].message.content if response.choices else None
        try:
            data = json.loads(content or "")
        except ValueError:
            raise ModelError("the model's structured output was not JSON", transient=False) from None
        if not isinstance(data, dict):
            raise ModelError("the model's structured output was not an object", transient=False)
        return data


def _request_args(messages: Sequence[ChatMessage], params: ModelParams) -> dict[str, Any]:
    kwargs: dict[str, Any] = {"model": params.model, "messages": [_wire(m, params.vision) for m in messages]}
    for name in ("temperature", "top_p", "max_tokens", "frequency_penalty", "presence_penalty"):
        value = getattr(params, name)
        if value is not None:
            kwargs[name] = value
    return kwargs


def _wire(message: ChatMessage, vision: bool) -> dict[str, Any]:
    if message.image_urls and vision:
        parts: list[dict[str, Any]] = [{"type": "text", "text": message.content}]
        parts += [{"type": "image_url", "image_url": {"url": url}} for url in message.image_urls]
        return {"role": message.role, "content": parts}
    return {"role": message.role, "content": message.content}


def not_json() -> ModelError:
    return ModelError("the model server answered with something that is not JSON", transient=True)


def model_error(exc: openai.APIError) -> ModelError:
    if isinstance(exc, openai.AuthenticationError):
        return ModelError(
            "the model server refused the key (check OPENAI_API_KEY and OPENAI_BASE_URL)",
            transient=False,
            status=401,
        )
    if isinstance(exc, openai.APITimeoutError):
        return ModelError("the model did not answer in time", transient=True)
    if isinstance(exc, openai.APIConnectionError):
        return ModelError("the model server could not be reached", transient=True)
    if isinstance(exc, openai.APIStatusError):
        status = exc.status_code
        transient = status == 429 or status >= 500
        return ModelError(f"the model server answered {status}", transient=transient, status=status)
    return ModelError(f"the model call failed ({type(exc).__name__})", transient=False)
