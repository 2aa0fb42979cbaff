"""Worker for queued interactions (SQS FIFO batch, partial failures that keep each group's order)."""

from __future__ import annotations

import functools
import time
from typing import Any

from aws_lambda_powertools.utilities.batch import SqsFifoPartialProcessor, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from loyal_companion import runtime
from loyal_companion.observability import handler_logger, handler_metrics
from loyal_companion.service.worker import RetryLater, handle_queue_body, retry_soon

logger = handler_logger()
metrics = handler_metrics()
# One person's failure holds back only their own later records (their group), never anyone else's.
processor = SqsFifoPartialProcessor(skip_group_on_error=True)


def handle_record(record: SQSRecord, *, deadline: float) -> None:
    try:
        handle_queue_body(record.body, runtime.services(), deadline=deadline)
    except RetryLater as retry:
        retry_soon(runtime.sqs_retry(), record.raw_event, retry)
        raise


@metrics.log_metrics
@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    deadline = time.monotonic() + context.get_remaining_time_in_millis() / 1000
    return process_partial_response(
        event=event,
        record_handler=functools.partial(handle_record, deadline=deadline),
        processor=processor,
        context=context,
    )
