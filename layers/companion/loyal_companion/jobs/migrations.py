"""Migrations as a deploy step: the migrate function runs them when CloudFormation asks (a custom
resource on every deploy), or when an operator invokes it. Never at cold start of the other functions.
"""

from __future__ import annotations

import json
import logging
import urllib.request
from collections.abc import Callable, Mapping
from typing import Any

from loyal_companion.db import migrate
from loyal_companion.errors import ConfigError

logger = logging.getLogger(__name__)

Responder = Callable[[str, bytes], None]


def _put(url: str, body: bytes) -> None:
    request = urllib.request.Request(url, data=body, method="PUT", headers={"Content-Type": ""})
    with urllib.request.urlopen(request, timeout=30):  # noqa: S310 - CloudFormation's pre-signed S3 URL
        return


def handle_migrate_event(
    event: Mapping[str, Any],
    *,
    database_url: Callable[[], str],
    log_stream: str,
    respond: Responder = _put,
) -> dict[str, Any]:
    """Upgrade to head. As a custom resource, tell CloudFormation how it went (a failure fails the deploy)."""
    custom = "RequestType" in event and "ResponseURL" in event
    request_type = event.get("RequestType", "Direct")
    status, reason, data = "SUCCESS", "", {}
    if request_type == "Update" and _rolling_back(event):
        # Migrations only go forward (older code runs on the newer schema): a rollback changes nothing here,
        # so it can never stop on this resource.
        logger.info("deploy rolling back: the schema stays as it is")
        reason, data = (
            "Rolling back: the schema stays as it is (migrations only go forward).",
            {"Revision": "kept"},
        )
        if custom:
            respond(str(event["ResponseURL"]), json.dumps(_body(event, "SUCCESS", reason, data)).encode())
        return {"status": "SUCCESS", **data}
    try:
        if request_type in ("Create", "Update", "Direct"):
            try:
                url = database_url()
            except ConfigError as exc:
                if not custom:
                    raise
                # The first deploy creates the secret empty: let it finish, and say what to do next.
                logger.warning("migrations skipped: %s", exc)
                reason = f"Skipped: {exc}. Fill the secret, then invoke the migrate function."
                data = {"Revision": "skipped"}
                respond(str(event["ResponseURL"]), json.dumps(_body(event, "SUCCESS", reason, data)).encode())
                return {"status": "SUCCESS", **data}
            migrate.upgrade(url)
            data = {
                "Revision": migrate.current_revision(url) or "base",
                "FactSimilarity": migrate.fact_similarity(url),
            }
            logger.info("database migrated", extra=data)
        # Delete: a stack deletion never drops tables; the data outlives the stack.
    except Exception as exc:  # report any failure to CloudFormation instead of leaving it waiting an hour
        status, reason = "FAILED", f"{type(exc).__name__}: {str(exc)[:300]}"
        logger.exception("migration failed")
        if not custom:
            raise
    if custom:
        body = _body(event, status, reason or f"See CloudWatch log stream {log_stream}", data)
        respond(str(event["ResponseURL"]), json.dumps(body).encode())
    return {"status": status, **data}


def _rolling_back(event: Mapping[str, Any]) -> bool:
    """CloudFormation asks for the older code's version: the deploy is rolling back (Lambda versions only
    grow, and the Schema resource names the migrate function's version it was deployed with)."""
    try:
        asked = int(str((event.get("ResourceProperties") or {}).get("CodeVersion", "")).rsplit(":", 1)[-1])
        before = int(
            str((event.get("OldResourceProperties") or {}).get("CodeVersion", "")).rsplit(":", 1)[-1]
        )
    except ValueError:
        return False
    return asked < before


def _body(event: Mapping[str, Any], status: str, reason: str, data: dict[str, str]) -> dict[str, Any]:
    return {
        "Status": status,
        "Reason": reason,
        "PhysicalResourceId": event.get("PhysicalResourceId") or "loyal-companion-schema",
        "StackId": event["StackId"],
        "RequestId": event["RequestId"],
        "LogicalResourceId": event["LogicalResourceId"],
        "Data": data,
    }
