"""A local stand-in for the Discord REST endpoints the bot calls, on loopback.

`lc dev` serves it so the whole pipeline runs with no Discord; the tests use it to see exactly what the
bot sent. It records every call, keeps the messages it was sent (edits replace, nonces deduplicate as
Discord's ``enforce_nonce`` does), can enforce a requests-per-second limit with real 429 answers, and
can be told to fail the next calls to a route.
"""

from __future__ import annotations

import base64
import email.parser
import email.policy
import itertools
import json
import random
import re
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

_ids = itertools.count(1_200_000_000_000_000_000)


@dataclass
class RecordedCall:
    method: str
    path: str
    headers: dict[str, str]
    json: Any
    files: dict[str, bytes] = field(default_factory=dict)
    status: int = 200


@dataclass
class PostedMessage:
    id: str
    channel: str  # "webhook:<token>" for interaction replies, else the channel id
    content: str
    kind: str  # "original", "followup" or "message"
    files: dict[str, bytes] = field(default_factory=dict)
    edits: int = 0
    seq: int = 0
    components: list[dict[str, Any]] = field(default_factory=list)  # buttons and selects under it
    flags: int = 0  # 64: ephemeral (only the person who invoked the interaction sees it)

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & 64)

    @property
    def said(self) -> str:
        """The message without its quiet subtext lines ("-# You're talking with an AI, not a person.")."""
        return "\n".join(line for line in self.content.split("\n") if not line.startswith("-# ")).rstrip()

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "channel": self.channel,
            "content": self.content,
            "kind": self.kind,
            "edits": self.edits,
            "seq": self.seq,
            "files": sorted(self.files),
            "components": self.components,
            "flags": self.flags,
        }


@dataclass
class _Failure:
    pattern: re.Pattern[str]
    status: int
    body: dict[str, Any]
    remaining: int
    headers: dict[str, str]


class DiscordStub:
    def __init__(
        self,
        *,
        rate_limit_per_second: float | None = None,
        port: int = 0,
        inject_429: float = 0.0,
        inject_500: float = 0.0,
        seed: int = 0,
        latency_s: float = 0.0,
    ) -> None:
        self.calls: list[RecordedCall] = []
        self.messages: dict[str, PostedMessage] = {}
        self.commands: dict[str, list[dict[str, Any]]] = {}
        self.dm_channels: dict[str, str] = {}  # recipient → the DM channel's id (stable, as Discord's)
        self._nonces: dict[tuple[str, str], str] = {}
        self._failures: list[_Failure] = []
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._rate = rate_limit_per_second
        self._window: deque[float] = deque()
        self.rate_limited = 0
        # Faults on channel messages at these rates (a benchmark's Discord having a bad minute).
        self._inject = (inject_429, inject_500)
        self.latency_s = latency_s
        self._random = random.Random(seed)
        self.injected = {429: 0, 500: 0}
        self.arrivals: list[float] = []  # when each bot-token request came (time.monotonic())
        self.nonce_repeats: list[float] = []  # a repeated nonce, absorbed: seconds since its first send
        self._nonce_first: dict[tuple[str, str], float] = {}
        self._seq = 0
        self._server = _QuietServer(("127.0.0.1", port), self._handler_class())
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None
        self.listeners: list[Callable[[PostedMessage], None]] = []
        # Interactions answered with a deferral and not yet edited: token → the deferral's flags. As on
        # Discord, the first follow-up of such an interaction becomes its original message, with the
        # deferral's visibility (whatever the follow-up asked for).
        self._deferred: dict[str, int] = {}

    # -- lifecycle -------------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/api/v10"

    def start(self) -> DiscordStub:
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), name="discord-stub", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> DiscordStub:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- test controls ---------------------------------------------------------------------------
    def fail_next(
        self,
        path_regex: str,
        status: int,
        *,
        times: int = 1,
        body: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        with self._lock:
            self._failures.append(
                _Failure(
                    re.compile(path_regex),
                    status,
                    body or {"message": "stub failure", "code": 0},
                    times,
                    headers or {},
                )
            )

    def wait_for(self, predicate: Callable[[DiscordStub], bool], timeout: float = 10.0) -> bool:
        deadline = time.monotonic() + timeout
        with self._changed:
            while not predicate(self):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._changed.wait(remaining)
        return True

    def note_response(self, request_body: bytes | str, response_body: bytes | str) -> None:
        """What the interactions endpoint answered a request (the stand-in cannot see it otherwise): a
        deferral (type 5) is remembered with its flags."""
        try:
            answer = json.loads(response_body)
            token = json.loads(request_body).get("token")
        except (ValueError, AttributeError):
            return
        if isinstance(answer, dict) and answer.get("type") == 5 and isinstance(token, str):
            data = answer.get("data") or {}
            with self._lock:
                self._deferred[token] = int(data.get("flags") or 0) if isinstance(data, dict) else 0

    def originals(self) -> list[PostedMessage]:
        return [m for m in self.messages.values() if m.kind == "original"]

    def channel_messages(self) -> list[PostedMessage]:
        return [m for m in self.messages.values() if m.kind == "message"]

    # -- the fake API ----------------------------------------------------------------------------
    def _handle(
        self, method: str, path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, Any, dict[str, str]]:
        payload, files = _decode(headers.get("content-type", ""), body)
        with self._changed:
            call = RecordedCall(method, path, headers, payload, files)
            self.calls.append(call)
            status, answer, extra = self._answer(method, path, headers, payload, files)
            call.status = status
            self._changed.notify_all()
        if self.latency_s and method == "POST" and path.endswith("/messages"):
            # Discord's time to answer: the message exists before the sender hears so (a sender that dies
            # now never learns it was sent).
            time.sleep(self.latency_s)
        return status, answer, extra

    def _answer(
        self, method: str, path: str, headers: dict[str, str], payload: Any, files: dict[str, bytes]
    ) -> tuple[int, Any, dict[str, str]]:
        if headers.get("authorization", "").startswith("Bot "):
            self.arrivals.append(time.monotonic())
        if self._rate is not None:
            now = time.monotonic()
            while self._window and now - self._window[0] >= 1.0:
                self._window.popleft()
            if len(self._window) >= self._rate:
                self.rate_limited += 1
                retry_after = max(0.001, 1.0 - (now - self._window[0]))
                return (
                    429,
                    {
                        "message": "You are being rate limited.",
                        "retry_after": round(retry_after, 3),
                        "global": True,
                    },
                    {"Retry-After": f"{retry_after:.3f}", "X-RateLimit-Global": "true"},
                )
            self._window.append(now)
        for failure in self._failures:
            if failure.remaining > 0 and failure.pattern.search(f"{method} {path}"):
                failure.remaining -= 1
                return failure.status, failure.body, failure.headers

        if path.startswith("/_local/messages") and method == "GET":
            # Not Discord: how `lc chat` (another process) sees what the bot sent.
            after = int(path.partition("after=")[2] or 0) if "after=" in path else 0
            changed = sorted((m for m in self.messages.values() if m.seq > after), key=lambda m: m.seq)
            return 200, [m.to_json() for m in changed], {}
        if (m := re.fullmatch(r"/_local/files/([^/]+)/([^/]+)", path)) and method == "GET":
            # Not Discord: a file the bot attached (an export), for `lc chat` to save where the person sees.
            for message in self.messages.values():
                if message.id == m.group(1) and m.group(2) in message.files:
                    data = message.files[m.group(2)]
                    return 200, {"name": m.group(2), "base64": base64.b64encode(data).decode()}, {}
            return 404, {"message": "404: Not Found", "code": 0}, {}
        route = path.removeprefix("/api/v10")
        if m := re.fullmatch(r"/webhooks/(\d+)/([^/]+)/messages/@original", route):
            if method != "PATCH":
                return 405, {"message": "405"}, {}
            key = f"original:{m.group(2)}"
            existing = self.messages.get(key)
            if existing is None:
                flags = self._deferred.pop(m.group(2), 0)
                existing = PostedMessage(next_id(), f"webhook:{m.group(2)}", "", "original", flags=flags)
                self.messages[key] = existing
            else:
                existing.edits += 1
            existing.content = str((payload or {}).get("content", existing.content))
            if isinstance((payload or {}).get("components"), list):
                existing.components = payload["components"]
            existing.files.update(files)
            self._notify(existing)
            return 200, {"id": existing.id, "content": existing.content}, {}
        if m := re.fullmatch(r"/webhooks/(\d+)/([^/?]+)", route):
            token = m.group(2)
            if token in self._deferred and f"original:{token}" not in self.messages:
                # Discord: the first follow-up of a deferred interaction replaces its "thinking" message,
                # keeping the deferral's visibility — it becomes the original.
                flags = self._deferred.pop(token)
                original = PostedMessage(
                    next_id(),
                    f"webhook:{token}",
                    str((payload or {}).get("content", "")),
                    "original",
                    files,
                    components=list((payload or {}).get("components") or []),
                    flags=flags,
                )
                self.messages[f"original:{token}"] = original
                self._notify(original)
                return 200, {"id": original.id}, {}
            message = PostedMessage(
                next_id(),
                f"webhook:{token}",
                str((payload or {}).get("content", "")),
                "followup",
                files,
                components=list((payload or {}).get("components") or []),
                flags=int((payload or {}).get("flags") or 0),
            )
            self.messages[message.id] = message
            self._notify(message)
            return 200, {"id": message.id}, {}
        if not headers.get("authorization", "").startswith("Bot "):
            return 401, {"message": "401: Unauthorized", "code": 0}, {}
        if route == "/users/@me/channels" and method == "POST":
            recipient = str((payload or {}).get("recipient_id"))
            channel = self.dm_channels.setdefault(recipient, next_id())
            return 200, {"id": channel, "type": 1}, {}
        if m := re.fullmatch(r"/channels/([^/]+)/messages", route):
            channel = m.group(1)
            roll = self._random.random()
            if roll < self._inject[0]:
                self.injected[429] += 1
                limited = {"message": "You are being rate limited.", "retry_after": 0.2, "global": False}
                return 429, limited, {}
            if roll < self._inject[0] + self._inject[1]:
                self.injected[500] += 1
                return 500, {"message": "500: Internal Server Error", "code": 0}, {}
            nonce = (payload or {}).get("nonce")
            if nonce and (payload or {}).get("enforce_nonce") and (channel, str(nonce)) in self._nonces:
                self.nonce_repeats.append(time.monotonic() - self._nonce_first[(channel, str(nonce))])
                return 200, {"id": self._nonces[(channel, str(nonce))]}, {}
            message = PostedMessage(
                next_id(),
                channel,
                str((payload or {}).get("content", "")),
                "message",
                components=list((payload or {}).get("components") or []),
            )
            self.messages[message.id] = message
            if nonce:
                self._nonces[(channel, str(nonce))] = message.id
                self._nonce_first[(channel, str(nonce))] = time.monotonic()
            self._notify(message)
            return 200, {"id": message.id, "channel_id": channel}, {}
        if m := re.fullmatch(r"/applications/(\d+)(?:/guilds/(\d+))?/commands", route):
            key = m.group(2) or "global"
            if method == "PUT":
                stored = [dict(c, id=next_id(), application_id=m.group(1)) for c in (payload or [])]
                self.commands[key] = stored
                return 200, stored, {}
            return 200, self.commands.get(key, []), {}
        return 404, {"message": "404: Not Found", "code": 0}, {}

    def _notify(self, message: PostedMessage) -> None:
        self._seq += 1
        message.seq = self._seq
        for listener in self.listeners:
            listener(message)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out in two writes; on a kept-alive connection Nagle would hold the body
            # until the client's delayed ACK (~40 ms on Linux loopback) without TCP_NODELAY.
            disable_nagle_algorithm = True

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                headers = {k.lower(): v for k, v in self.headers.items()}
                status, answer, extra = stub._handle(self.command, self.path, headers, body)
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for key, value in extra.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _serve

            def log_message(self, format: str, *args: Any) -> None:  # quiet: the stub records calls itself
                return

        return Handler


class _QuietServer(ThreadingHTTPServer):
    """A client that went away mid-answer (a killed runner) is no error of the stand-in's."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        import sys

        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


def next_id() -> str:
    return str(next(_ids))


def _decode(content_type: str, body: bytes) -> tuple[Any, dict[str, bytes]]:
    if not body:
        return None, {}
    if content_type.startswith("multipart/form-data"):
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            f"Content-Type: {content_type}\r\n\r\n".encode() + body
        )
        payload: Any = None
        files: dict[str, bytes] = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            raw = part.get_payload(decode=True)
            data = raw if isinstance(raw, bytes) else b""
            if name == "payload_json":
                payload = json.loads(data)
            else:
                files[str(part.get_filename() or name)] = data
        return payload, files
    try:
        return json.loads(body), {}
    except ValueError:
        return body.decode("utf-8", "replace"), {}
