"""Scheduled mood decay (EventBridge Scheduler, every 15 minutes)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from loyal_companion import runtime
from loyal_companion.jobs.decay import run_mood_decay
from loyal_companion.observability import handler_logger, handler_metrics

logger = handler_logger()
metrics = handler_metrics()


@metrics.log_metrics
@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    result = run_mood_decay(runtime.unit_of_work(), now=runtime.utc_now())
    return {"moved": result.moved, "logged": result.logged}
