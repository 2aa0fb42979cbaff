"""Discord interactions endpoint (Lambda Function URL): verify, answer or defer, hand off to the queue."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from loyal_companion import runtime
from loyal_companion.discord.endpoint import handle_http_event
from loyal_companion.observability import handler_logger

logger = handler_logger()


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return handle_http_event(
        event,
        verifier=runtime.signature_verifier(),
        queue=runtime.conversation_queue,
        now=runtime.utc_now,
    )
