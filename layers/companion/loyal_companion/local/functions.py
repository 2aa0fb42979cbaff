"""The project's Lambda functions run on this machine as Lambda runs them: loaded from the checkout by
file, given a context and the event shapes of a Function URL and of EventBridge Scheduler.
"""

from __future__ import annotations

import base64
import logging
from pathlib import Path
from types import ModuleType
from typing import Any

from loyal_companion.local.state import LocalStackError

logger = logging.getLogger(__name__)


def repo_root() -> Path:
    from loyal_companion.db.migrate import migrations_dir

    return migrations_dir().parent


def load_function(name: str) -> ModuleType:
    """Import functions/<name>/app.py exactly as Lambda does (by file, as module ``app``)."""
    import importlib.util

    path = repo_root() / "functions" / name / "app.py"
    if not path.is_file():
        raise LocalStackError(f"functions/{name}/app.py not found; run lc dev from a checkout of the project")
    spec = importlib.util.spec_from_file_location(f"local_{name}_app", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class LambdaContextStandIn:
    """What the handlers read from Lambda's context object."""

    def __init__(self, name: str) -> None:
        self.function_name = name
        self.function_version = "$LATEST"
        self.invoked_function_arn = f"arn:aws:lambda:local:000000000000:function:{name}"
        self.memory_limit_in_mb = 512
        self.aws_request_id = "local"
        self.log_group_name = f"/aws/lambda/{name}"
        self.log_stream_name = "local"

    def get_remaining_time_in_millis(self) -> int:
        return 60_000


def lambda_http_event(method: str, path: str, headers: dict[str, str], body: bytes) -> dict[str, Any]:
    """The Function URL (payload 2.0) event for a request, as Lambda builds it."""
    try:
        text, encoded = body.decode("utf-8"), False
    except UnicodeDecodeError:
        text, encoded = base64.b64encode(body).decode(), True
    raw_path, _, query = path.partition("?")
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": raw_path,
        "rawQueryString": query,
        "headers": {k.lower(): v for k, v in headers.items()},
        "requestContext": {"http": {"method": method, "path": raw_path, "sourceIp": "127.0.0.1"}},
        "body": text,
        "isBase64Encoded": encoded,
    }


def invoke_scheduled(module: ModuleType, name: str, context: LambdaContextStandIn) -> None:
    """One scheduled invocation of ``module``, as EventBridge Scheduler makes it; a failed run is logged as
    Lambda would log it, and the schedule goes on."""
    event = {"source": "aws.scheduler", "detail-type": "Scheduled Event", "detail": {}}
    try:
        module.lambda_handler(event, context)
    except Exception:
        logger.exception("scheduled %s failed", name)
