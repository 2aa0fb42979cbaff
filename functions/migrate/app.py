"""Database migrations as a deploy step (custom resource on every deploy, or invoked by an operator)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from loyal_companion.config import required
from loyal_companion.jobs.migrations import handle_migrate_event
from loyal_companion.observability import handler_logger

logger = handler_logger()


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return handle_migrate_event(
        event,
        database_url=lambda: str(required("DATABASE_URL").get()),
        log_stream=context.log_stream_name,
    )
