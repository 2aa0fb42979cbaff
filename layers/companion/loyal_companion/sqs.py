"""The endpoint's one call to AWS, SendMessage, without boto3.

A cold endpoint must acknowledge Discord within 3 seconds, and importing boto3 and making its first SQS
client was most of a cold acknowledgement (`lc bench interactions` measures both paths). The endpoint needs
one call, so it speaks SQS's JSON protocol (``X-Amz-Target: AmazonSQS.SendMessage``) over a urllib3 pool
kept for the container, and the request is signed with Signature Version 4 by awscrt, AWS's Common
Runtime, which imports in a fraction of botocore's time. Nothing here signs by hand.

Credentials come from the environment, where Lambda puts the function's role credentials; where the
environment has none (a profile on an operator's machine), ``runtime`` keeps the boto3 queue instead.
"""

from __future__ import annotations

import io
import json
import logging
import os
import random
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import urllib3

logger = logging.getLogger(__name__)

_TARGET = "AmazonSQS.SendMessage"
_CONTENT_TYPE = "application/x-amz-json-1.0"
# The endpoint has 3 seconds in all: a connection that takes longer than this will not make it anyway.
_TIMEOUT = urllib3.Timeout(connect=1.0, read=2.0)
# Connection failures and 5xx are tried again by the pool, throttling by ``send`` (SQS answers it with a 400
# that only its body tells apart), twice each, as boto3's default retry mode would; the FIFO deduplication
# id makes a repeat harmless.
_RETRIES = urllib3.Retry(
    total=2,
    backoff_factor=0.05,
    status_forcelist=(500, 502, 503, 504),
    allowed_methods=None,
    raise_on_status=False,
    respect_retry_after_header=False,
)


# The error types boto3's retry modes treat as throttling, as SQS may name them.
_THROTTLED = frozenset(
    (
        "ThrottlingException",
        "Throttling",
        "RequestThrottled",
        "RequestThrottledException",
        "TooManyRequestsException",
    )
)
_THROTTLE_TRIES = 3
_THROTTLE_BASE_S = 0.05  # full jitter under 0.05 s, then 0.1 s: well inside the endpoint's 3 seconds


class SqsError(RuntimeError):
    """SQS refused or could not be reached; the message names the error type, never the request."""


def has_environment_credentials() -> bool:
    """Whether the environment carries AWS credentials (Lambda always sets them for the function)."""
    return bool(os.environ.get("AWS_ACCESS_KEY_ID") and os.environ.get("AWS_SECRET_ACCESS_KEY"))


def _endpoint_for(queue_url: str) -> str:
    """Where SQS is asked: an endpoint named in the environment (as boto3 reads them), else the queue's."""
    named = os.environ.get("AWS_ENDPOINT_URL_SQS") or os.environ.get("AWS_ENDPOINT_URL")
    if named:
        return named.rstrip("/")
    parts = urlsplit(queue_url)
    return f"{parts.scheme}://{parts.netloc}"


def _region_for(queue_url: str) -> str:
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    if region:
        return region
    host = urlsplit(queue_url).hostname or ""
    labels = host.split(".")
    if len(labels) >= 4 and labels[0] == "sqs":  # sqs.<region>.amazonaws.com
        return labels[1]
    raise SqsError(f"no AWS region: set AWS_REGION, or use a regional queue URL (not {host!r})")


class SqsJsonQueue:
    """Sends to an SQS FIFO queue over the JSON protocol, signed by awscrt; one pool per container."""

    def __init__(
        self,
        queue_url: str,
        *,
        pool: urllib3.PoolManager | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._url = queue_url
        self._sleep = sleep
        self._endpoint = _endpoint_for(queue_url)
        self._region = _region_for(queue_url)
        self._pool = pool or urllib3.PoolManager(num_pools=1, maxsize=2, retries=_RETRIES, timeout=_TIMEOUT)
        self._credentials: Any = None

    def send(self, *, body: str, group_id: str, dedup_id: str) -> None:
        payload = json.dumps(
            {
                "QueueUrl": self._url,
                "MessageBody": body,
                "MessageGroupId": group_id,
                "MessageDeduplicationId": dedup_id,
            },
            separators=(",", ":"),
        ).encode()
        for attempt in range(_THROTTLE_TRIES):
            headers = self._signed_headers(payload)  # signed again each time: the signature carries its time
            try:
                response = self._pool.request("POST", self._endpoint + "/", body=payload, headers=headers)
            except urllib3.exceptions.HTTPError as exc:
                # urllib3's message names the host only; the body (a person's words) is never in it.
                raise SqsError(f"SQS could not be reached: {type(exc).__name__}") from None
            if response.status == 200:
                return
            kind, said = _error_type(response.data)
            throttled = kind in _THROTTLED or response.status == 429
            if not throttled or attempt == _THROTTLE_TRIES - 1:
                raise SqsError(_error_text(response.status, kind, said))
            logger.warning("SQS throttled SendMessage; trying again", extra={"attempt": attempt + 1})
            self._sleep(random.uniform(0, _THROTTLE_BASE_S * 2**attempt))  # noqa: S311 (jitter, not secrecy)

    def _signed_headers(self, payload: bytes) -> dict[str, str]:
        from awscrt.auth import AwsCredentialsProvider, AwsSigningConfig, aws_sign_request
        from awscrt.http import HttpHeaders, HttpRequest

        if self._credentials is None:
            self._credentials = AwsCredentialsProvider.new_environment()
        request = HttpRequest(
            method="POST",
            path="/",
            headers=HttpHeaders(
                [
                    ("host", urlsplit(self._endpoint).netloc),
                    ("content-type", _CONTENT_TYPE),
                    ("x-amz-target", _TARGET),
                ]
            ),
            body_stream=io.BytesIO(payload),
        )
        config = AwsSigningConfig(credentials_provider=self._credentials, region=self._region, service="sqs")
        signed = aws_sign_request(request, config).result(timeout=2.0)
        return dict(signed.headers)


def _error_type(data: bytes) -> tuple[str, str]:
    """SQS's error type (``com.amazonaws.sqs#QueueDoesNotExist`` → ``QueueDoesNotExist``) and its message."""
    try:
        answer = json.loads(data)
        kind = str(answer.get("__type", "")).rsplit("#", 1)[-1] or "unknown error"
        said = str(answer.get("message") or answer.get("Message") or "")
    except (ValueError, AttributeError):
        kind, said = "unknown error", ""
    return kind, said


def _error_text(status: int, kind: str, said: str) -> str:
    return f"SQS SendMessage failed: HTTP {status}, {kind}" + (f": {said[:200]}" if said else "")
