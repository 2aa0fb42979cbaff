"""Scheduled proactive messages (EventBridge Scheduler: a one-time wake-up when something is due; daily)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from loyal_companion import runtime
from loyal_companion.jobs.proactive import run_proactive
from loyal_companion.observability import handler_logger, handler_metrics

logger = handler_logger()
metrics = handler_metrics()


@metrics.log_metrics
@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    result = run_proactive(runtime.proactive_deps())
    return {
        "claimed": result.claimed,
        "sent": result.sent,
        "retried": result.retried,
        "cancelled": result.cancelled,
    }
