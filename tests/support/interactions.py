"""Signed interactions for tests: a key pair, payload builders, and Lambda v2 events."""

from __future__ import annotations

import base64
import importlib.util
import itertools
import json
import time
from pathlib import Path
from types import ModuleType
from typing import Any

from nacl.signing import SigningKey

from loyal_companion.discord.interaction import DISCORD_EPOCH_MS

ROOT = Path(__file__).resolve().parents[2]
APP_ID = "1100000000000000001"
_seq = itertools.count(1)


def snowflake(at_ms: float | None = None) -> int:
    """A Discord-style id minted at ``at_ms`` (now by default), unique within the run."""
    ms = int(at_ms if at_ms is not None else time.time() * 1000)
    return ((ms - DISCORD_EPOCH_MS) << 22) | (next(_seq) & 0x3FFFFF)


class Signer:
    def __init__(self) -> None:
        self.key = SigningKey.generate()

    @property
    def public_key_hex(self) -> str:
        return self.key.verify_key.encode().hex()

    def event(
        self, payload: dict[str, Any] | bytes, *, base64_body: bool = False, timestamp: str | None = None
    ) -> dict[str, Any]:
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        ts = timestamp or str(int(time.time()))
        signature = self.key.sign(ts.encode() + body).signature.hex()
        return lambda_event(
            body, {"x-signature-ed25519": signature, "x-signature-timestamp": ts}, base64_body=base64_body
        )


def lambda_event(body: bytes, headers: dict[str, str], *, base64_body: bool = False) -> dict[str, Any]:
    return {
        "version": "2.0",
        "rawPath": "/interactions",
        "headers": {"content-type": "application/json", **headers},
        "requestContext": {"http": {"method": "POST", "path": "/interactions"}},
        "body": base64.b64encode(body).decode() if base64_body else body.decode("utf-8"),
        "isBase64Encoded": base64_body,
    }


def command(
    name: str,
    options: list[dict[str, Any]] | None = None,
    *,
    user_id: str = "300000000000000001",
    guild_id: str | None = None,
    channel_id: str = "400000000000000001",
    interaction_id: int | None = None,
    token: str = "interaction-token-" + "x" * 60,
    kind: int = 1,
    **data: Any,
) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "id": str(interaction_id or snowflake()),
        "application_id": APP_ID,
        "type": 2,
        "token": token,
        "version": 1,
        "channel_id": channel_id,
        "data": {"id": "1", "name": name, "type": kind, **({"options": options} if options else {}), **data},
        "authorizing_integration_owners": {"0": guild_id} if guild_id else {"1": user_id},
        "context": 0 if guild_id else 1,
    }
    user = {"id": user_id, "username": "ana", "global_name": "Ana"}
    if guild_id:
        payload["guild_id"] = guild_id
        payload["member"] = {"user": user, "permissions": str(1 << 5), "nick": None}
    else:
        payload["user"] = user
    return payload


def sub(name: str, options: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    return [{"type": 1, "name": name, **({"options": options} if options else {})}]


def opt(name: str, value: Any, kind: int = 3) -> dict[str, Any]:
    return {"type": kind, "name": name, "value": value}


def load_handler(name: str) -> ModuleType:
    """Import functions/<name>/app.py under a unique module name, as Lambda would import it."""
    path = ROOT / "functions" / name / "app.py"
    spec = importlib.util.spec_from_file_location(f"lambda_{name}_app", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class FakeContext:
    function_name = "test"
    function_version = "$LATEST"
    invoked_function_arn = "arn:aws:lambda:eu-west-1:123456789012:function:test"
    memory_limit_in_mb = 512
    aws_request_id = "req-1"
    log_group_name = "/aws/lambda/test"
    log_stream_name = "test"
    remaining_ms = 30_000

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_ms
