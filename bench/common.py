"""What the benchmarks share: a database made for a benchmark, percentiles, counting round trips, a slow
link, the worker's services with the offline responder, and a turn's statements under EXPLAIN.

Not a benchmark: `lc bench NAME` runs the modules beside this one (``bench/__init__.py`` lists them).
"""

from __future__ import annotations

import functools
import json
import logging
import os
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

Report = Callable[[str], None]


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def ask_memory(
    session: Any, *, user_id: int, question: str, asked_on: datetime, limit: int, embedder: Any = None
) -> tuple[list[Any], float, int]:
    """Ask a person's memory as a turn does: recall (ranked by meaning too when ``embedder`` is given),
    then what may reach the prompt. The facts shown, recall's own time in seconds, and the memory
    section's tokens."""
    from loyal_companion.llm.tokens import count_tokens
    from loyal_companion.memory.recall import ByMeaning, Tuning, for_prompt, prompt_lines, recall

    by_meaning = None
    if embedder is not None:
        by_meaning = ByMeaning(model=embedder.model, query=embedder.embed([question])[0])
    started = time.perf_counter()
    recalled = recall(
        session,
        user_id=user_id,
        message=question,
        now=asked_on,
        tuning=Tuning(limit=limit),
        by_meaning=by_meaning,
    )
    seconds = time.perf_counter() - started
    shown = for_prompt(recalled, public=False, limit=limit, today=asked_on.date())
    section = "\n".join(f"- {line}" for line in prompt_lines(shown, today=asked_on.date()))
    return shown, seconds, count_tokens(section)


def bench_database(tmp: str) -> tuple[Any, str]:
    from loyal_companion.db import migrate
    from loyal_companion.local.database import start_local_database

    local = start_local_database(Path(tmp) / "pg")
    url = local.ensure_database("bench")
    migrate.upgrade(url)
    return local, url


class RoundTrips:
    """Counts PostgreSQL round trips: every exchange in which the driver waits for the server's answer
    (BEGIN, COMMIT, a prepare and each statement; pg8000's own connection waits three times for a
    statement with parameters, ``db.driver.FewerWaitsConnection`` once)."""

    def __init__(self) -> None:
        self.count = 0
        self._original: Any = None

    def __enter__(self) -> RoundTrips:
        from pg8000 import core

        original = self._original = core.CoreConnection.handle_messages
        trace = bool(os.environ.get("LC_BENCH_TRACE"))

        def counted(conn: Any, context: Any) -> Any:
            self.count += 1
            started = time.perf_counter()
            try:
                return original(conn, context)
            finally:
                if trace:
                    took = (time.perf_counter() - started) * 1000
                    text = str(getattr(context, "statement", "") or "")[:70].replace("\n", " ")
                    logging.getLogger(__name__).warning("round trip %.2f ms: %s", took, text)

        core.CoreConnection.handle_messages = counted
        return self

    def __exit__(self, *exc: object) -> None:
        from pg8000 import core

        core.CoreConnection.handle_messages = self._original


class LatencyLink:
    """A loopback TCP proxy to a Unix socket that delivers every byte ``one_way`` seconds after it
    arrives, in both directions, with no bandwidth limit (asyncio, in a thread of its own)."""

    def __init__(self, unix_socket: str, one_way: float) -> None:
        import asyncio

        self.unix_socket = unix_socket
        self.one_way = one_way
        self.port = 0
        self._loop = asyncio.new_event_loop()
        self._stop: asyncio.Event | None = None
        self._connections: set[asyncio.Task[None]] = set()
        self._thread: Any = None

    def __enter__(self) -> LatencyLink:
        import asyncio
        import threading

        ready = threading.Event()

        async def serve() -> None:
            self._stop = asyncio.Event()
            server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
            self.port = server.sockets[0].getsockname()[1]
            ready.set()
            await self._stop.wait()
            server.close()
            for task in self._connections:
                task.cancel()
            await asyncio.gather(*self._connections, return_exceptions=True)

        self._thread = threading.Thread(
            target=lambda: self._loop.run_until_complete(serve()), name="latency-link", daemon=True
        )
        self._thread.start()
        ready.wait(10)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(10)
        self._loop.close()

    async def _accept(self, reader: Any, writer: Any) -> None:
        import asyncio

        task = asyncio.current_task()
        if task is not None:
            self._connections.add(task)
        try:
            upstream_reader, upstream_writer = await asyncio.open_unix_connection(self.unix_socket)
            try:
                await asyncio.gather(self._pipe(reader, upstream_writer), self._pipe(upstream_reader, writer))
            finally:
                upstream_writer.close()
        except (asyncio.CancelledError, ConnectionError):
            pass
        finally:
            writer.close()
            if task is not None:
                self._connections.discard(task)

    async def _pipe(self, reader: Any, writer: Any) -> None:
        import asyncio

        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()

        async def deliver() -> None:
            while True:
                due, data = await queue.get()
                if not data:
                    writer.close()
                    return
                # The loop's timers have 1 ms granularity: what is due within it goes now, so a burst of
                # segments is not delayed once per segment.
                if (wait := due - loop.time()) > 0.0005:
                    await asyncio.sleep(wait)
                writer.write(data)
                await writer.drain()

        delivering = asyncio.create_task(deliver())
        try:
            while data := await reader.read(65536):
                queue.put_nowait((loop.time() + self.one_way, data))
            queue.put_nowait((0.0, b""))
            await delivering
        finally:
            delivering.cancel()
            await asyncio.gather(delivering, return_exceptions=True)


def turn_services(session_factory: Any, discord_base: str, embedder: Any = None) -> Any:
    """What the worker has in a container, with the offline responder and no rate limit on turns."""
    from datetime import UTC, datetime

    from loyal_companion.config import load_settings
    from loyal_companion.db.uow import UnitOfWork
    from loyal_companion.discord.rest import DiscordRest
    from loyal_companion.llm.offline import OfflineResponder
    from loyal_companion.service.context import Services

    return Services(
        unit_of_work=functools.partial(UnitOfWork, session_factory),
        discord=DiscordRest(api_base=discord_base),
        model=OfflineResponder(),
        settings=load_settings({"TURNS_PER_MINUTE": "0"}),
        clock=lambda: datetime.now(UTC),
        embedder=embedder,
    )


MEASURED = 900000000000000001  # the measured person's Discord id


MEASURED_GUILD = 700000000000000001


def chat_interaction(message: str, *, discord_id: int, guild_id: int, token: str) -> dict[str, Any]:
    from loyal_companion.local.terminal import new_snowflake

    user = {"id": str(discord_id), "username": "measured", "global_name": "Measured"}
    return {
        "id": str(new_snowflake()),
        "application_id": "1100000000000000001",
        "type": 2,
        "token": token,
        "version": 1,
        "guild_id": str(guild_id),
        "channel_id": str(guild_id + 10_000_000_000_000_000),
        "context": 0,
        "authorizing_integration_owners": {"0": str(guild_id)},
        "member": {"user": user, "permissions": "0", "nick": None},
        "data": {"name": "chat", "type": 1, "options": [{"type": 3, "name": "message", "value": message}]},
    }


def offline_services(url: str, discord_base: str, engine: Any = None) -> Any:
    from loyal_companion.config import load_settings
    from loyal_companion.db.engine import create_db_engine, make_session_factory
    from loyal_companion.db.uow import UnitOfWork
    from loyal_companion.discord.rest import DiscordRest
    from loyal_companion.llm.offline import OfflineResponder
    from loyal_companion.service.context import Services

    factory = make_session_factory(engine if engine is not None else create_db_engine(url))
    return Services(
        unit_of_work=functools.partial(UnitOfWork, factory),
        discord=DiscordRest(api_base=discord_base),
        model=OfflineResponder(),
        settings=load_settings(
            {"TURNS_PER_MINUTE": "0", "DAILY_TOKENS_PER_PERSON": "0", "DAILY_TOKENS_PER_SERVER": "0"}
        ),
        clock=lambda: datetime.now(UTC),
    )


def run_turns(
    services: Any, messages: list[str], *, discord_id: int, guild_id: int, label: str
) -> tuple[list[float], list[int]]:
    from bench.common import RoundTrips
    from loyal_companion.queue import Envelope
    from loyal_companion.service.worker import process_envelope

    samples: list[float] = []
    trips: list[int] = []
    for i, message in enumerate(messages):
        token = f"scale-{label}-{discord_id}-{i}-" + "x" * 40
        payload = chat_interaction(message, discord_id=discord_id, guild_id=guild_id, token=token)
        envelope = Envelope(interaction=payload, received_at=datetime.now(UTC))
        with RoundTrips() as counter:
            started = time.perf_counter()
            process_envelope(envelope, services)
            samples.append(time.perf_counter() - started)
        trips.append(counter.count)
    return samples, trips


def turn_plans(
    url: str, discord_base: str, message: str, embedder: Any = None
) -> list[tuple[str, int, float]]:
    """Each statement of one turn with the buffers it touched and its time: the turn is run once while
    its statements are recorded, then its rows are removed and every statement is run again under EXPLAIN
    (ANALYZE, BUFFERS) in one transaction that is rolled back. (first words, shared buffers, ms)."""
    from sqlalchemy import event

    from loyal_companion.db.engine import create_db_engine
    from loyal_companion.queue import Envelope
    from loyal_companion.service.worker import process_envelope

    engine = create_db_engine(url)
    services = offline_services(url, discord_base, engine)
    services.embedder = embedder
    recorded: list[tuple[str, Any]] = []

    def record(
        conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool
    ) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "WITH", "INSERT", "UPDATE", "DELETE")):
            recorded.append((statement, parameters))

    payload = chat_interaction(
        message, discord_id=MEASURED, guild_id=MEASURED_GUILD, token="plan-" + "x" * 60
    )
    event.listen(engine, "before_cursor_execute", record)
    process_envelope(Envelope(interaction=payload, received_at=datetime.now(UTC)), services)
    event.remove(engine, "before_cursor_execute", record)
    interaction = int(payload["id"])
    out = []
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("BEGIN")
        for undo in (
            "DELETE FROM interaction_receipts WHERE interaction_id = %s",
            "DELETE FROM messages WHERE interaction_id = %s",
            "DELETE FROM user_facts WHERE extracted_from_message_id = %s",
        ):
            cursor.execute(undo, (interaction,))
        for statement, parameters in recorded:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + statement, parameters)
            fetched: Any = cursor.fetchone()
            plan = fetched[0] if isinstance(fetched[0], list) else json.loads(fetched[0])
            top = plan[0]["Plan"]
            buffers = int(top.get("Shared Hit Blocks", 0)) + int(top.get("Shared Read Blocks", 0))
            out.append((statement_name(statement), buffers, float(plan[0].get("Execution Time", 0.0))))
        cursor.execute("ROLLBACK")
    finally:
        raw.close()
    engine.dispose()
    return out


def statement_name(statement: str) -> str:
    words = " ".join(statement.split())
    for marker, name in (
        ("FROM chosen", "load state"),
        ("m_q0", "window, facts and opinions"),
        ("INSERT INTO users (discord_id", "the person and the conversation"),
        ("INSERT INTO interaction_receipts", "messages and receipt"),
        ("m_incoming", "effects (mood, relationship, facts, …)"),
        ("FROM interaction_receipts", "receipt check"),
    ):
        if marker in words:
            return name
    return words[:60]
