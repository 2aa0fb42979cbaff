"""A small Discord REST client: webhook edits and follow-ups, DMs, channel messages, command sets.

Timeouts on every call; 429 waits ``retry_after`` (global or per-route) and tries again; 5xx and
connection failures retry with exponential backoff; 404 "unknown interaction" (10062) is final. Errors
never carry the URL (it holds the interaction token) or the bot token: ``DiscordError`` messages are
built here from status and Discord's error code only.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

import urllib3

from loyal_companion.config import DEFAULT_DISCORD_REQUESTS_PER_SECOND
from loyal_companion.observability import protect_client_loggers, redact

logger = logging.getLogger(__name__)
protect_client_loggers()

UNKNOWN_INTERACTION: Final = 10062
UNKNOWN_WEBHOOK: Final = 10015
CANNOT_MESSAGE_USER: Final = 50007
MAX_CONTENT: Final = 2000
NO_MENTIONS: Final[dict[str, list[str]]] = {"parse": []}
USER_AGENT: Final = "DiscordBot (https://github.com/loyal-companion, 0.1)"


class DiscordError(Exception):
    """A Discord REST call failed. ``status``/``code`` are Discord's; the text never holds tokens."""

    def __init__(
        self,
        status: int,
        code: int | None,
        message: str,
        *,
        retry_after: float | None = None,
        global_limit: bool = False,
    ) -> None:
        self.status = status
        self.code = code
        self.retry_after = retry_after
        self.global_limit = global_limit  # a 429 for the bot's global limit, not one route's
        super().__init__(
            f"Discord answered {status}" + (f" (code {code})" if code else "") + f": {redact(message)}"
        )

    @property
    def unknown_interaction(self) -> bool:
        return self.status == 404 and self.code in (UNKNOWN_INTERACTION, UNKNOWN_WEBHOOK)

    @property
    def cannot_message_user(self) -> bool:
        return self.code == CANNOT_MESSAGE_USER or self.status == 403

    @property
    def transient(self) -> bool:
        return self.status == 429 or self.status >= 500 or self.status == 0


@dataclass(frozen=True)
class Attachment:
    filename: str
    data: bytes
    content_type: str = "application/octet-stream"


def split_message(text: str, limit: int = MAX_CONTENT) -> list[str]:
    """Split ``text`` into pieces of at most ``limit`` characters, breaking at paragraphs, lines or words."""
    text = text.strip() or "…"
    pieces: list[str] = []
    while len(text) > limit:
        window = text[:limit]
        cut = max(window.rfind("\n\n"), window.rfind("\n"), window.rfind(" "))
        if cut < limit // 2:
            cut = limit
        pieces.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    pieces.append(text)
    return pieces


# Discord allows a bot 50 requests per second in all (the global limit), and an IP that makes 10,000
# invalid requests (429s among them) in 10 minutes is banned for an hour: pace below the limit rather
# than run into it (DISCORD_REQUESTS_PER_SECOND changes the pace). Interaction webhooks are not bound by
# the global limit and are not paced.
BOT_REQUESTS_PER_SECOND: Final = DEFAULT_DISCORD_REQUESTS_PER_SECOND


class RequestPacer:
    """Spreads one process's requests evenly at no more than ``per_second``; thread-safe. A global 429
    pauses every thread that shares the pacer until Discord's ``retry_after`` has passed."""

    def __init__(self, per_second: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._next = 0.0
        self._lock = threading.Lock()
        self.set_rate(per_second)

    def set_rate(self, per_second: float) -> None:
        if per_second <= 0:
            raise ValueError("per_second must be positive")
        with self._lock:
            self._interval = 1.0 / per_second

    @property
    def per_second(self) -> float:
        return 1.0 / self._interval

    def reserve(self) -> float:
        """Take the next slot; return how long to wait for it (0 when it is now)."""
        with self._lock:
            now = self._clock()
            slot = max(now, self._next)
            self._next = slot + self._interval
            return slot - now

    def pause(self, seconds: float) -> None:
        """Nobody sends for ``seconds`` (a global rate limit was hit)."""
        with self._lock:
            self._next = max(self._next, self._clock() + seconds)


# One per process: the function's threads and every client it makes share Discord's one global limit.
PROCESS_PACER = RequestPacer(BOT_REQUESTS_PER_SECOND)


class DiscordRest:
    def __init__(
        self,
        *,
        api_base: str,
        bot_token: str | None = None,
        timeout: float = 10.0,
        max_attempts: int = 4,
        max_wait: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
        pool: urllib3.PoolManager | None = None,
        pacer: RequestPacer | None = None,
    ) -> None:
        self._base = api_base.rstrip("/")
        self._bot_token = bot_token
        self._timeout = urllib3.Timeout(connect=min(timeout, 5.0), read=timeout)
        self._max_attempts = max_attempts
        self._max_wait = max_wait
        self._sleep = sleep
        self._pool = pool or urllib3.PoolManager(num_pools=4, maxsize=4, retries=False)
        self._pacer = pacer or PROCESS_PACER

    # -- interaction webhooks (no bot token needed) ----------------------------------------------
    def edit_original(
        self,
        application_id: int | str,
        token: str,
        payload: Mapping[str, Any],
        files: Sequence[Attachment] = (),
    ) -> dict[str, Any]:
        path = f"/webhooks/{application_id}/{token}/messages/@original"
        return _as_dict(self._request("PATCH", path, _with_no_mentions(payload), files))

    def followup(
        self,
        application_id: int | str,
        token: str,
        payload: Mapping[str, Any],
        files: Sequence[Attachment] = (),
    ) -> dict[str, Any]:
        path = f"/webhooks/{application_id}/{token}"
        return _as_dict(self._request("POST", path, _with_no_mentions(payload), files))

    def deliver_reply(
        self,
        application_id: int | str,
        token: str,
        content: str,
        *,
        ephemeral: bool,
        files: Sequence[Attachment] = (),
        components: Sequence[Mapping[str, Any]] | None = None,
    ) -> None:
        """Edit the deferred reply; what does not fit in 2000 characters continues in follow-ups. The
        components (buttons) go under the last piece; None leaves the message's own."""
        pieces = split_message(content)
        first: dict[str, Any] = {"content": pieces[0]}
        if components is not None:
            first["components"] = list(components) if len(pieces) == 1 else []
        self.edit_original(application_id, token, first, files)
        self._follow(application_id, token, pieces, start=2, ephemeral=ephemeral, components=components)

    def deliver_followup(
        self,
        application_id: int | str,
        token: str,
        content: str,
        *,
        ephemeral: bool,
        components: Sequence[Mapping[str, Any]] | None = None,
    ) -> None:
        """A reply as follow-up messages (private ones carry flags 64), the components under the last."""
        pieces = split_message(content)
        self._follow(application_id, token, pieces, start=1, ephemeral=ephemeral, components=components)

    def _follow(
        self,
        application_id: int | str,
        token: str,
        pieces: Sequence[str],
        *,
        start: int,
        ephemeral: bool,
        components: Sequence[Mapping[str, Any]] | None,
    ) -> None:
        """Pieces ``start``.. of a reply as follow-ups (1-based), the components under the last piece."""
        for number in range(start, len(pieces) + 1):
            payload: dict[str, Any] = {"content": pieces[number - 1]}
            if ephemeral:
                payload["flags"] = 1 << 6
            if components and number == len(pieces):
                payload["components"] = list(components)
            self.followup(application_id, token, payload)

    # -- bot calls (bot token) -------------------------------------------------------------------
    def create_dm(self, user_id: int | str) -> str:
        channel = self._request("POST", "/users/@me/channels", {"recipient_id": str(user_id)}, bot=True)
        return str(channel["id"])

    def create_message(
        self,
        channel_id: int | str,
        content: str,
        *,
        nonce: str | None = None,
        mention: int | None = None,
        components: Sequence[Mapping[str, Any]] = (),
    ) -> dict[str, Any]:
        """Post in a channel. ``mention``: the one person this message may notify (never roles or
        everyone); otherwise it notifies nobody."""
        allowed = {"parse": [], "users": [str(mention)]} if mention is not None else NO_MENTIONS
        payload: dict[str, Any] = {"content": content, "allowed_mentions": allowed}
        if components:
            payload["components"] = list(components)
        if nonce is not None:
            # Discord returns the existing message instead of posting twice when the nonce repeats.
            payload["nonce"] = nonce[:25]
            payload["enforce_nonce"] = True
        return _as_dict(self._request("POST", f"/channels/{channel_id}/messages", payload, bot=True))

    def get_commands(
        self, application_id: int | str, guild_id: int | str | None = None
    ) -> list[dict[str, Any]]:
        result = self._request("GET", _commands_path(application_id, guild_id), None, bot=True)
        return list(result) if isinstance(result, list) else []

    def put_commands(
        self,
        application_id: int | str,
        commands: Sequence[Mapping[str, Any]],
        guild_id: int | str | None = None,
    ) -> list[dict[str, Any]]:
        result = self._request("PUT", _commands_path(application_id, guild_id), list(commands), bot=True)
        return list(result) if isinstance(result, list) else []

    # -- transport -------------------------------------------------------------------------------
    def _request(
        self,
        method: str,
        path: str,
        payload: Any,
        files: Sequence[Attachment] = (),
        *,
        bot: bool = False,
    ) -> Any:
        headers = {"User-Agent": USER_AGENT}
        if bot:
            if not self._bot_token:
                raise DiscordError(0, None, "DISCORD_BOT_TOKEN is not set")
            headers["Authorization"] = f"Bot {self._bot_token}"
        body: bytes | None = None
        if files:
            fields: list[tuple[str, Any]] = [
                ("payload_json", (None, json.dumps(payload), "application/json"))
            ]
            fields += [(f"files[{i}]", (f.filename, f.data, f.content_type)) for i, f in enumerate(files)]
            body, content_type = urllib3.encode_multipart_formdata(fields)
            headers["Content-Type"] = content_type
        elif payload is not None:
            body = json.dumps(payload).encode()
            headers["Content-Type"] = "application/json"

        waited = 0.0
        last_error: DiscordError | None = None
        for attempt in range(1, self._max_attempts + 1):
            if bot and (pace := self._pacer.reserve()) > 0:
                self._sleep(pace)
            try:
                response = self._pool.request(
                    method,
                    self._base + path,
                    body=body,
                    headers=headers,
                    timeout=self._timeout,
                    redirect=False,
                )
            except urllib3.exceptions.HTTPError as exc:
                # urllib3's messages include the URL, and so the token: keep only the kind of failure.
                last_error = DiscordError(0, None, f"connection failed ({type(exc).__name__})")
                delay = min(2 ** (attempt - 1) * 0.5, 8.0)
            else:
                if 200 <= response.status < 300:
                    return response.json() if response.data else None
                last_error = _error_from(response)
                if response.status == 429:
                    delay = last_error.retry_after if last_error.retry_after is not None else 1.0
                elif response.status >= 500:
                    delay = min(2 ** (attempt - 1) * 0.5, 8.0)
                else:
                    raise last_error
            if attempt == self._max_attempts or waited + delay > self._max_wait:
                break
            logger.warning(
                "discord call will be retried",
                extra={"method": method, "status": last_error.status, "attempt": attempt, "delay_s": delay},
            )
            if bot and last_error.global_limit:
                self._pacer.pause(delay)  # this thread and every other sharing the pacer wait there
            else:
                self._sleep(delay)
            waited += delay
        assert last_error is not None
        raise last_error


def _as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _commands_path(application_id: int | str, guild_id: int | str | None) -> str:
    if guild_id is not None:
        return f"/applications/{application_id}/guilds/{guild_id}/commands"
    return f"/applications/{application_id}/commands"


def _with_no_mentions(payload: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(payload)
    out["allowed_mentions"] = NO_MENTIONS
    return out


def _error_from(response: urllib3.BaseHTTPResponse) -> DiscordError:
    code: int | None = None
    message = response.reason or ""
    retry_after: float | None = None
    try:
        data = json.loads(response.data or b"{}")
    except ValueError:
        data = {}
    if isinstance(data, dict):
        raw_code = data.get("code")
        code = raw_code if isinstance(raw_code, int) else None
        message = str(data.get("message") or message)
        if "retry_after" in data:
            try:
                retry_after = float(data["retry_after"])
            except (TypeError, ValueError):
                retry_after = None
    if retry_after is None and response.headers.get("Retry-After"):
        try:
            retry_after = float(response.headers["Retry-After"])
        except ValueError:
            retry_after = None
    global_limit = str(response.headers.get("X-RateLimit-Global", "")).lower() == "true" or (
        isinstance(data, dict) and data.get("global") is True
    )
    return DiscordError(
        response.status, code, message[:200], retry_after=retry_after, global_limit=global_limit
    )
