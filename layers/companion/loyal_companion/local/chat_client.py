"""`lc chat`: a terminal conversation with the local stack, signed like Discord signs."""

from __future__ import annotations

import base64
import json
import secrets
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nacl.signing import SigningKey

from loyal_companion.discord import components as ui
from loyal_companion.local.terminal import (
    Choice,
    choices,
    interaction_for,
    modal_submit_data,
    parse_line,
    press_data,
)

PREVIEW_MARK = " …"  # what the worker appends to a reply that is still streaming


@dataclass
class Answer:
    """What came back: the reply's parts, what can be pressed under it, or a box (modal) to fill in."""

    parts: list[str]
    components: list[dict[str, Any]] = field(default_factory=list)
    modal: dict[str, Any] | None = None
    message_id: str | None = None

    @property
    def choices(self) -> list[Choice]:
        return choices(self.components)


@dataclass
class ChatClient:
    endpoint: str
    discord_api: str
    key: SigningKey
    username: str
    reply_timeout: float = 120.0
    downloads: Path = field(default_factory=lambda: Path.cwd() / ".lc" / "downloads")
    _seen: int = field(default=0, init=False)
    _seen_any: int = field(default=0, init=False)

    def __post_init__(self) -> None:
        self._seen = max((m["seq"] for m in self._messages(0)), default=0)
        self._seen_any = self._seen

    def send(self, line: str, on_progress: Callable[[str], None] | None = None) -> Answer:
        """Send what was typed; return the reply (several parts when it was long). ``on_progress`` sees
        the reply as it streams (the same edits Discord receives)."""
        return self.send_data(parse_line(line), on_progress)

    def send_data(self, data: dict[str, Any], on_progress: Callable[[str], None] | None = None) -> Answer:
        return self._interact(data, on_progress)

    def press(self, line: str, on: Answer, on_progress: Callable[[str], None] | None = None) -> Answer:
        """``#n`` (or ``#n k``) pressed under the message ``on``."""
        data, _ = press_data(line, on.choices)
        message = {"id": on.message_id or "0", "content": "", "components": on.components}
        return self._interact(data, on_progress, kind=3, message=message)

    def submit(
        self, modal: dict[str, Any], values: list[str], on_progress: Callable[[str], None] | None = None
    ) -> Answer:
        return self._interact(modal_submit_data(modal, values), on_progress, kind=5)

    def _interact(
        self,
        data: dict[str, Any],
        on_progress: Callable[[str], None] | None,
        *,
        kind: int = 2,
        message: dict[str, Any] | None = None,
    ) -> Answer:
        token = secrets.token_urlsafe(48)
        payload = interaction_for(data, token=token, username=self.username, kind=kind, message=message)
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
            return Answer([f"(the endpoint answered HTTP {exc.code}: {exc.read().decode(errors='replace')})"])
        kind_of_answer = answer.get("type")
        if kind_of_answer == ui.MODAL:
            return Answer([], modal=dict(answer.get("data") or {}))
        if kind_of_answer in (4, ui.UPDATE_MESSAGE):
            shown = answer.get("data") or {}
            return Answer([str(shown.get("content", ""))], components=list(shown.get("components") or []))
        return self._wait_for_reply(token, on_progress)

    def proactive(self) -> list[Answer]:
        """Messages the bot sent on its own (DMs and channel posts) since the last look."""
        messages = self._messages(self._seen)
        if messages:
            self._seen = max(m["seq"] for m in messages)
        return [
            Answer([m["content"]], components=list(m.get("components") or []), message_id=str(m["id"]))
            for m in messages
            if m["kind"] == "message"
        ]

    def _wait_for_reply(self, token: str, on_progress: Callable[[str], None] | None) -> Answer:
        channel = f"webhook:{token}"
        deadline = time.monotonic() + self.reply_timeout
        settled_at: float | None = None
        last: tuple[Any, ...] = ()
        since = self._seen_any
        replies: dict[str, dict[str, Any]] = {}  # this reply's messages by id, as last edited
        while time.monotonic() < deadline:
            changed = self._messages(since)
            if changed:
                since = max(m["seq"] for m in changed)
            replies.update((m["id"], m) for m in changed if m["channel"] == channel)
            mine = list(replies.values())
            original = next((m for m in mine if m["kind"] == "original"), None)
            state = tuple((m["id"], m["seq"]) for m in mine)
            if original is not None and original["content"].endswith(PREVIEW_MARK):
                if on_progress is not None and state != last:
                    on_progress(original["content"].removesuffix(PREVIEW_MARK))
            elif original is not None:
                if state == last and settled_at is not None and time.monotonic() - settled_at > 0.3:
                    self._seen_any = since
                    ordered = sorted(mine, key=lambda m: (m["kind"] != "original", m["id"]))
                    under = next((m for m in reversed(ordered) if m.get("components")), None)
                    return Answer(
                        [self._render(m) for m in ordered],
                        components=list(under["components"]) if under else [],
                        message_id=str(under["id"]) if under else None,
                    )
                if state != last:
                    settled_at = time.monotonic()
            last = state
            time.sleep(0.1)
        raise TimeoutError(
            "no reply arrived in time; the `lc dev` log (.lc/dev.log when lc chat started it) says why"
        )

    def _messages(self, after: int) -> list[dict[str, Any]]:
        data = self._get(f"/_local/messages?after={after}")
        return list(data) if isinstance(data, list) else []

    def _get(self, path: str) -> Any:
        url = self.discord_api.split("/api/")[0] + path
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - loopback
            return json.loads(response.read())

    def _render(self, message: dict[str, Any]) -> str:
        """The message's text; a file it carries is saved under ``downloads`` and its path shown."""
        text = str(message["content"])
        for name in message.get("files", []):
            text += "\n" + self._save(str(message["id"]), str(name))
        return text

    def _save(self, message_id: str, name: str) -> str:
        try:
            file = self._get(f"/_local/files/{message_id}/{urllib.parse.quote(name)}")
            data = base64.b64decode(file["base64"])
        except (OSError, ValueError, KeyError, TypeError) as exc:
            return f"(a file was attached, {name}, but it could not be fetched: {exc})"
        self.downloads.mkdir(parents=True, exist_ok=True)
        stem, dot, ext = Path(name).name.rpartition(".")
        path = self.downloads / f"{stem or ext}-{time.strftime('%Y%m%d-%H%M%S')}{dot}{ext if stem else ''}"
        path.write_bytes(data)
        return f"(saved {name} to {path})"
