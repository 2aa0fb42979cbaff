"""Worker for queued interactions (SQS FIFO batch, partial failures that keep each group's order)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch import SqsFifoPartialProcessor, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from loyal_companion import runtime
from loyal_companion.observability import handler_logger, handler_metrics
from loyal_companion.service.worker import handle_queue_body

logger = handler_logger()
metrics = handler_metrics()
processor = SqsFifoPartialProcessor()


def handle_record(record: SQSRecord) -> None:
    handle_queue_body(record.body, runtime.services())


@metrics.log_metrics
@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(
        event=event, record_handler=handle_record, processor=processor, context=context
    )
