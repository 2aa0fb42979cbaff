"""The reply's model call: the parameters it is asked with, the reply streamed into the deferred message
as it forms (never a preview that gives a method), and in a crisis a prepared reply when the model cannot
give one (no model, no time, the budget spent, the model failing).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import replace

from loyal_companion.db.turns import TurnState
from loyal_companion.llm.types import Completion, ModelError, ModelParams, Prompt
from loyal_companion.safety import messages
from loyal_companion.safety.means import gives_method
from loyal_companion.service.context import MIN_MODEL_S, CommandContext
from loyal_companion.service.safety import TurnSafety

logger = logging.getLogger(__name__)


MODEL_TIMEOUT_S = 25.0  # a reply's model call, at most (the worker's budget may allow less)


PREPARED = "prepared-message"  # the "model" of a reply written ahead (a crisis with no model to ask)


def model_params(ctx: CommandContext, state: TurnState) -> ModelParams:
    config = state.config
    model = config.model.value
    # OPENAI_MODEL names the deployment's model: it replaces the default config's model, never one that
    # a personality's own config or the person's override names.
    if ctx.services.settings.openai_model and state.model_from_default_config:
        model = ctx.services.settings.openai_model
    return ModelParams(
        model=model,
        temperature=config.temperature.value,
        top_p=config.top_p.value,
        max_tokens=config.max_tokens.value,
        frequency_penalty=config.frequency_penalty.value,
        presence_penalty=config.presence_penalty.value,
        vision=config.supports_vision.value,
    )


def answer(
    ctx: CommandContext, safety: TurnSafety, prompt: Prompt, params: ModelParams, *, refused: bool
) -> Completion:
    """The model's reply; in a crisis, a prepared one when the model cannot give it (no model, no time, the
    budget spent, the model failing), so the person is never left with an error then."""
    services = ctx.services
    prepared = Completion(text=messages.fallback(safety.name, safety.language), model=PREPARED, offline=True)
    if safety.crisis and (refused or services.model.offline):
        return prepared
    budget = ctx.model_budget()
    if budget is not None and budget < MIN_MODEL_S:
        if safety.crisis:
            return prepared
        raise ModelError("no time left in this invocation for the model", transient=True)
    try:
        return services.model.complete(
            prompt,
            params if budget is None else replace(params, timeout=min(budget, MODEL_TIMEOUT_S)),
            # In a crisis nothing is shown before the whole reply has been checked.
            on_partial=None if services.model.offline or safety.crisis else streamer(ctx),
        )
    except ModelError as exc:
        if not safety.crisis:
            raise
        logger.warning(
            "the model failed in a crisis turn; a prepared reply instead", extra={"error": str(exc)}
        )
        return prepared


def streamer(ctx: CommandContext) -> Callable[[str], None]:
    """Edit the deferred message as the reply forms, at most once per interval; a preview that gives a
    method is never shown, and none after it (the whole reply is checked before it is delivered)."""
    interval = ctx.services.stream_edit_interval
    last = [time.monotonic()]
    stopped = [False]

    def on_partial(text: str) -> None:
        now = time.monotonic()
        if stopped[0] or now - last[0] < interval or not text.strip():
            return
        if gives_method(text):
            stopped[0] = True
            logger.warning("a streamed preview gave a method; previews stop and the reply is checked")
            return
        last[0] = now
        preview = text if len(text) <= 1990 else text[:1990]
        try:
            ctx.services.discord.edit_original(
                ctx.info.application_id, ctx.info.token, {"content": preview + " …"}
            )
        except Exception as exc:  # a preview is best-effort; the final edit is what matters
            logger.warning("streaming preview edit failed", extra={"error": type(exc).__name__})

    return on_partial
