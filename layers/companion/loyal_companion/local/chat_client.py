"""`lc chat`: a terminal conversation with the local stack, signed like Discord signs."""

from __future__ import annotations

import json
import secrets
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any

from nacl.signing import SigningKey

from loyal_companion.local.terminal import interaction_for, parse_line

PREVIEW_MARK = " …"  # what the worker appends to a reply that is still streaming


@dataclass
class ChatClient:
    endpoint: str
    discord_api: str
    key: SigningKey
    username: str
    reply_timeout: float = 120.0
    _seen: int = field(default=0, init=False)

    def __post_init__(self) -> None:
        self._seen = max((m["seq"] for m in self._messages(0)), default=0)

    def send(self, line: str) -> list[str]:
        """Send what was typed; return the reply (several parts when it was long)."""
        token = secrets.token_urlsafe(48)
        payload = interaction_for(parse_line(line), token=token, username=self.username)
        body = json.dumps(payload).encode()
        timestamp = str(int(time.time()))
        signature = self.key.sign(timestamp.encode() + body).signature.hex()
        request = urllib.request.Request(
            self.endpoint,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "X-Signature-Ed25519": signature,
                "X-Signature-Timestamp": timestamp,
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback
                answer = json.loads(response.read())
        except urllib.error.HTTPError as exc:
            return [f"(the endpoint answered HTTP {exc.code}: {exc.read().decode(errors='replace')})"]
        if answer.get("type") == 4:
            return [str(answer.get("data", {}).get("content", ""))]
        return self._wait_for_reply(token)

    def proactive(self) -> list[str]:
        """Messages the bot sent on its own (DMs and channel posts) since the last look."""
        messages = self._messages(self._seen)
        if messages:
            self._seen = max(m["seq"] for m in messages)
        return [m["content"] for m in messages if m["kind"] == "message"]

    def _wait_for_reply(self, token: str) -> list[str]:
        channel = f"webhook:{token}"
        deadline = time.monotonic() + self.reply_timeout
        settled_at: float | None = None
        last: tuple[Any, ...] = ()
        while time.monotonic() < deadline:
            mine = [m for m in self._messages(0) if m["channel"] == channel]
            original = next((m for m in mine if m["kind"] == "original"), None)
            state = tuple((m["id"], m["seq"]) for m in mine)
            if original is not None and not original["content"].endswith(PREVIEW_MARK):
                if state == last and settled_at is not None and time.monotonic() - settled_at > 0.3:
                    return [
                        _render(m) for m in sorted(mine, key=lambda m: (m["kind"] != "original", m["id"]))
                    ]
                if state != last:
                    settled_at = time.monotonic()
            last = state
            time.sleep(0.1)
        raise TimeoutError(
            "no reply arrived in time; the `lc dev` log (.lc/dev.log when lc chat started it) says why"
        )

    def _messages(self, after: int) -> list[dict[str, Any]]:
        url = self.discord_api.split("/api/")[0] + f"/_local/messages?after={after}"
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - loopback
            data = json.loads(response.read())
        return list(data) if isinstance(data, list) else []


def _render(message: dict[str, Any]) -> str:
    text = str(message["content"])
    for name in message.get("files", []):
        text += f"\n(attached file: {name})"
    return text
