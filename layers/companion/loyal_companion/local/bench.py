"""`lc bench`: figures for the targets in the issues, printed, never asserted (the machine is shared).

Each benchmark prints its figures and, where a target exists, the target beside them; compare ratios
within one run rather than absolute numbers across runs.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from nacl.signing import SigningKey

Report = Callable[[str], None]


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def _cold_import(code: str, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        out = subprocess.run(
            [
                sys.executable,
                "-c",
                f"import time; t = time.perf_counter()\n{code}\nprint(time.perf_counter() - t)",
            ],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        )
        times.append(float(out.stdout.strip().splitlines()[-1]))
    return times


def _cold_import_against(ref: str, *, runs: int) -> tuple[float, float]:
    """Median cold imports of this tree's interactions handler and of ``ref``'s, run alternately so that
    the machine's noise falls on both alike."""
    import tempfile

    from loyal_companion.local.stack import repo_root

    root = repo_root()
    with tempfile.TemporaryDirectory() as tmp:
        other = Path(tmp) / "before"
        subprocess.run(
            ["git", "-C", str(root), "worktree", "add", "--detach", "-q", str(other), ref], check=True
        )
        try:
            samples: dict[Path, list[float]] = {root: [], other: []}
            for _ in range(runs):
                for tree in samples:
                    code = (
                        f"import sys; sys.path.insert(0, {str(tree / 'layers' / 'companion')!r})\n"
                        "import importlib.util\n"
                        f"spec = importlib.util.spec_from_file_location('app', {str(tree / 'functions' / 'interactions' / 'app.py')!r})\n"
                        "module = importlib.util.module_from_spec(spec); spec.loader.exec_module(module)"
                    )
                    samples[tree].extend(_cold_import(code, 1))
        finally:
            subprocess.run(["git", "-C", str(root), "worktree", "remove", "--force", str(other)], check=False)
    return statistics.median(samples[root]), statistics.median(samples[other])


def _import_share(code: str, module: str, runs: int) -> float:
    """The median time ``module`` itself took to import (``-X importtime``, cumulative) in cold runs."""
    times = []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", code],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        )
        for line in out.stderr.splitlines():
            fields = [f.strip() for f in line.removeprefix("import time:").split("|")]
            if len(fields) == 3 and fields[2] == module:
                times.append(int(fields[1]) / 1e6)
    return statistics.median(times) if times else 0.0


def bench_interactions(report: Report, *, runs: int = 7, iterations: int = 3000) -> dict[str, Any]:
    """Cold import of the interactions handler (vs. importing everything) and warm handler times."""
    from loyal_companion.local.stack import repo_root

    app = repo_root() / "functions" / "interactions" / "app.py"
    load = (
        "import importlib.util\n"
        f"spec = importlib.util.spec_from_file_location('app', {str(app)!r})\n"
        "module = importlib.util.module_from_spec(spec); spec.loader.exec_module(module)"
    )
    handler_cold = _cold_import(load, runs)
    everything = _cold_import(
        load
        + "\nimport sqlalchemy, sqlalchemy.orm, openai, boto3; boto3.client('sqs', region_name='eu-west-1')",
        runs,
    )
    report(
        f"interactions handler cold import: median {statistics.median(handler_cold) * 1000:.0f} ms "
        f"(target ≤ 300 ms); importing everything: median {statistics.median(everything) * 1000:.0f} ms "
        f"(ratio {statistics.median(everything) / statistics.median(handler_cold):.1f}×), {runs} runs each"
    )
    before_ref = os.environ.get("LC_BENCH_BEFORE")
    if before_ref:
        now_s, before_s = _cold_import_against(before_ref, runs=11)
        report(
            f"  beside {before_ref} (a git worktree of it, cold imports interleaved with this tree's): "
            f"{before_s * 1000:.1f} ms then, {now_s * 1000:.1f} ms now = {now_s / before_s:.2f}× (target ≤ 1.10×)"
        )
    # What the buttons and modals added to that import, measured inside the same cold imports.
    own = _import_share(load, "loyal_companion.discord.components", runs)
    report(
        f"  of which buttons and modals (discord/components.py, imported cold): median {own * 1000:.1f} ms "
        f"= {own / statistics.median(handler_cold):.1%} of the handler's import (target: the import within "
        "10 % of what it was before them)"
    )

    from loyal_companion.discord.endpoint import handle_http_event
    from loyal_companion.discord.verify import SignatureVerifier
    from loyal_companion.local.terminal import LOCAL_USER_ID, interaction_for
    from loyal_companion.runtime import utc_now

    key = SigningKey.generate()
    verifier = SignatureVerifier(key.verify_key.encode().hex())

    class NullQueue:
        def send(self, *, body: str, group_id: str, dedup_id: str) -> None:
            return None

    queue = NullQueue()

    def event(payload: dict[str, Any]) -> dict[str, Any]:
        body = json.dumps(payload).encode()
        ts = str(int(time.time()))
        signature = key.sign(ts.encode() + body).signature.hex()
        return {
            "headers": {"x-signature-ed25519": signature, "x-signature-timestamp": ts},
            "body": body.decode(),
            "isBase64Encoded": False,
            "requestContext": {"http": {"method": "POST"}},
        }

    ping = event({"type": 1})
    owner = LOCAL_USER_ID
    view = {"id": "5", "content": "", "components": []}

    def pressed(kind: int, data: dict[str, Any]) -> dict[str, Any]:
        """An interaction as `lc chat` sends it (a command, a press on ``view``, a modal submit)."""
        message = view if kind == 3 else None
        return event(interaction_for(data, token="t" * 80, username="bench", kind=kind, message=message))

    chat = pressed(
        2, {"name": "chat", "type": 1, "options": [{"type": 3, "name": "message", "value": "hello " * 20}]}
    )
    reply_press = pressed(3, {"custom_id": f"lc1:reply:{owner}:", "component_type": 2})
    forget_select = pressed(
        3, {"custom_id": f"lc1:mem-forget:{owner}:0", "component_type": 3, "values": ["42"]}
    )
    # The same /chat in a server channel: the endpoint reads it for a crisis (a private deferral if so).
    in_server = interaction_for(
        {"name": "chat", "type": 1, "options": [{"type": 3, "name": "message", "value": "hello " * 20}]},
        token="t" * 80,
        username="bench",
    )
    in_server["member"] = {"user": in_server.pop("user"), "permissions": "0"}
    in_server |= {"guild_id": "600000000000000001", "context": 0}
    server_chat = event(in_server)
    crisis_chat = event(
        in_server
        | {"data": in_server["data"] | {"options": [{"type": 3, "name": "message", "value": "kms fr"}]}}
    )
    build = _cold_import("from loyal_companion.safety.detect import find\nfind('hello')", runs)
    report(
        f"the crisis detector's build, once per container on its first /chat in a server: median "
        f"{statistics.median(build) * 1000:.0f} ms ({runs} cold processes; DMs and presses never pay it)"
    )
    modal_submit = pressed(
        5,
        {
            "custom_id": f"lc1:chat:{owner}:",
            "components": [
                {"type": 1, "components": [{"type": 4, "custom_id": "message", "value": "hi " * 300}]}
            ],
        },
    )
    figures: dict[str, Any] = {}
    # Lambda ships log lines asynchronously; printing thousands of them to a terminal would dominate.
    logging.getLogger("loyal_companion").setLevel(logging.WARNING)
    for name, ev in (
        ("PING", ping),
        ("deferred /chat", chat),
        ("deferred /chat in a server, read for a crisis", server_chat),
        ("a crisis in a server → private deferral", crisis_chat),
        ("Reply button → modal", reply_press),
        ("select → deferred update, queued", forget_select),
        ("modal submit → deferred, queued", modal_submit),
    ):
        samples = []
        for _ in range(iterations):
            start = time.perf_counter()
            response = handle_http_event(ev, verifier=verifier, queue=lambda: queue, now=utc_now)
            samples.append(time.perf_counter() - start)
            assert response["statusCode"] == 200
        p50, p99 = _percentile(samples, 0.5) * 1000, _percentile(samples, 0.99) * 1000
        figures[name] = (p50, p99)
        report(f"warm handler, {name}: p50 {p50:.3f} ms, p99 {p99:.3f} ms (target p99 ≤ 5 ms, no queue call)")
    return {
        "cold_import_s": statistics.median(handler_cold),
        "everything_s": statistics.median(everything),
        **figures,
    }


BENCHMARKS: dict[str, Callable[[Report], dict[str, Any]]] = {"interactions": bench_interactions}


def run(only: list[str] | None, report: Report) -> int:
    names = only or list(BENCHMARKS)
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        report(f"unknown benchmark(s): {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}")
        return 2
    report(f"lc bench on {os.cpu_count()} cores, Python {sys.version.split()[0]}, {Path.cwd()}")
    for name in names:
        report(f"\n== {name} ==")
        BENCHMARKS[name](report)
    return 0


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


class _HashEmbedder:
    """A deterministic in-process embedder for the benchmark (no model time, like the offline responder)."""

    model = "bench-hash"

    def __init__(self, dimensions: int) -> None:
        self.dimensions = dimensions
        self.calls = 0

    def embed(self, texts: Any) -> list[list[float]]:
        import hashlib

        self.calls += 1
        out = []
        for text in texts:
            seed = hashlib.sha256(str(text).encode()).digest()
            out.append([((seed[i % 32] + i) % 17 - 8) / 8.0 for i in range(self.dimensions)])
        return out


def bench_turn(
    report: Report, *, messages: int = 5000, facts: int = 500, turns: int = 60, dimensions: int = 1536
) -> dict[str, Any]:
    """SQL round trips and time per chat turn without the model, for a person with a long history; then
    the same turns with facts related by meaning (every fact embedded, ``dimensions`` each)."""
    import tempfile
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import text

    from loyal_companion.db import migrate
    from loyal_companion.db.engine import create_db_engine, make_session_factory
    from loyal_companion.db.vector import to_literal
    from loyal_companion.discord.rest import DiscordRest
    from loyal_companion.local.database import start_local_database
    from loyal_companion.local.discord_stub import DiscordStub

    logging.getLogger("loyal_companion").setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory() as tmp:
        local = start_local_database(Path(tmp) / "pg")
        try:
            url = local.ensure_database("bench")
            migrate.upgrade(url)
            engine = create_db_engine(url)
            now = datetime.now(UTC)
            with engine.begin() as conn:
                user_id = conn.execute(
                    text(
                        "INSERT INTO users (discord_id, discord_username) "
                        "VALUES (100000000000000001, 'bench') RETURNING id"
                    )
                ).scalar_one()
                conv_id = conn.execute(
                    text(
                        "INSERT INTO conversations "
                        "(user_id, channel_id, started_at, last_message_at, message_count) VALUES (:u, "
                        "200000000000000001, :t, :t, :n) RETURNING id"
                    ),
                    {"u": user_id, "t": now - timedelta(minutes=1), "n": messages},
                ).scalar_one()
                conn.execute(
                    text(
                        "INSERT INTO messages (conversation_id, user_id, role, content, created_at) "
                        "SELECT :c, :u, CASE WHEN mod(g, 2) = 0 THEN 'user' ELSE 'assistant' END, "
                        "'message number ' || g || ' about the day, the weather and the people in it', "
                        "CAST(:t AS timestamptz) - make_interval(secs => :n - g) FROM generate_series(1, :n) "
                        "g"
                    ),
                    {"c": conv_id, "u": user_id, "t": now - timedelta(minutes=1), "n": messages},
                )
                conn.execute(
                    text(
                        "INSERT INTO user_facts (user_id, fact_type, fact_content, importance, learned_at) "
                        "SELECT :u, 'general', 'remembered thing ' || g || ' about music, work and family', "
                        "mod(g, 10) / 10.0, CAST(:t AS timestamptz) - make_interval(days => mod(g, 300)) "
                        "FROM "
                        "generate_series(1, :n) g"
                    ),
                    {"u": user_id, "t": now, "n": facts},
                )
                embedder = _HashEmbedder(dimensions)
                vectors_sql = text(
                    "INSERT INTO user_fact_embeddings (fact_id, user_id, model, dimensions, embedding) "
                    "SELECT id, user_id, :m, :d, CAST(:v AS vector) FROM user_facts WHERE user_id = :u"
                )
                conn.execute(
                    vectors_sql,
                    {
                        "m": embedder.model,
                        "u": user_id,
                        "d": dimensions,
                        "v": to_literal(embedder.embed(["x"])[0]),
                    },
                )
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                # What autovacuum does within a minute of such a load; without it the planner, still
                # believing the new tables empty, loops over them (a planner artefact, not a steady state).
                conn.execute(text("ANALYZE"))
            figures: dict[str, Any] = {}
            # One session factory per engine, as a container has (runtime.get_session_factory).
            factory = make_session_factory(engine)
            with DiscordStub() as stub:
                patch = _stand_in_patch(DiscordRest(api_base=stub.base_url), turns)
                report(
                    f"the loopback Discord stand-in's own PATCH (part of every turn below): p50 {patch:.2f} ms"
                )
                for label, with_embedder in (("plain", None), ("by meaning", embedder)):
                    services = _turn_services(factory, stub.base_url, with_embedder)
                    samples, trips = _turns(services, turns, label)
                    p50, p95 = statistics.median(samples) * 1000, _percentile(samples, 0.95) * 1000
                    figures[label] = {"round_trips": max(trips), "p50_ms": p50, "p95_ms": p95}
                    what = (
                        "offline responder (no model time)"
                        if with_embedder is None
                        else f"facts also ranked by meaning ({facts} embedded facts, {dimensions} dimensions, "
                        "in-process embedder: no model time)"
                    )
                    report(
                        f"chat turn with {messages} messages and {facts} facts, {what}, {turns} turns: "
                        f"SQL round trips per turn {min(trips)}–{max(trips)} (target ≤ 8); "
                        f"time per turn p50 {p50:.1f} ms, p95 {p95:.1f} ms (target p50 ≤ 30 ms; includes "
                        "the loopback Discord PATCH)"
                    )
                engine.dispose()
                figures["over a link"] = _turns_over_a_link(
                    report, local.socket_path, stub.base_url, turns=max(10, turns // 2)
                )
        finally:
            local.stop()
    ratio = figures["by meaning"]["p50_ms"] / figures["plain"]["p50_ms"]
    report(f"ranking by meaning costs {ratio:.2f}× the plain turn's p50 (same run, same data)")
    return {**figures["plain"], "by_meaning": figures["by meaning"], "over_a_link": figures["over a link"]}


LINK_ONE_WAY_S = 0.001


def _turns_over_a_link(report: Report, socket_path: str, discord_base: str, *, turns: int) -> dict[str, Any]:
    """The plain turn again, through a loopback proxy that delays every byte by ``LINK_ONE_WAY_S`` each
    way (what the network between Lambda and a hosted Postgres adds to each wait), with pg8000's own
    connection (three waits per statement), one wait per statement, and recurring statements prepared."""

    from sqlalchemy import text

    from loyal_companion.db import driver
    from loyal_companion.db.engine import create_db_engine, make_session_factory

    figures: dict[str, Any] = {}
    with LatencyLink(socket_path, LINK_ONE_WAY_S) as link:
        url = f"postgresql+pg8000://postgres@127.0.0.1:{link.port}/bench"
        modes = (
            ("pg8000's own connection", False, "true"),
            ("one wait per statement", True, "false"),
            ("recurring statements prepared", True, "true"),
        )
        for label, fewer_waits, prepared in modes:
            saved, driver.SUPPORTED = driver.SUPPORTED, fewer_waits and driver.SUPPORTED
            try:
                engine = create_db_engine(f"{url}?prepared_statements={prepared}")
                with engine.connect() as conn:
                    rtt = []
                    for _ in range(20):
                        started = time.perf_counter()
                        conn.execute(text("SELECT 1"))
                        rtt.append(time.perf_counter() - started)
                services = _turn_services(make_session_factory(engine), discord_base)
                samples, trips = _turns(services, turns, f"link {label}")
                engine.dispose()
            finally:
                driver.SUPPORTED = saved
            p50 = statistics.median(samples) * 1000
            figures[label] = {"round_trips": max(trips), "p50_ms": p50}
            report(
                f"chat turn over a link of {statistics.median(rtt) * 1000:.1f} ms per round trip (loopback "
                f"proxy), {label}: {max(trips)} round trips per turn, p50 {p50:.1f} ms ({turns} turns)"
            )
    return figures


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


def _stand_in_patch(rest: Any, calls: int) -> float:
    """Median milliseconds of one reply delivery to the stand-in, alone (a turn's fixed part)."""
    samples = []
    for i in range(calls + 5):
        started = time.perf_counter()
        rest.deliver_reply("1", f"bench-patch-{i}-" + "x" * 40, "a reply of ordinary length", ephemeral=False)
        if i >= 5:
            samples.append(time.perf_counter() - started)
    return statistics.median(samples) * 1000


def _turn_services(session_factory: Any, discord_base: str, embedder: Any = None) -> Any:
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


def _turns(services: Any, turns: int, label: str) -> tuple[list[float], list[int]]:
    from datetime import UTC, datetime

    from loyal_companion.local.terminal import interaction_for
    from loyal_companion.queue import Envelope
    from loyal_companion.service.worker import process_envelope

    data = {"name": "chat", "type": 1, "options": [{"type": 3, "name": "message", "value": "how was work?"}]}
    samples: list[float] = []
    trips: list[int] = []
    for i in range(turns + 5):
        token = f"bench-{label.replace(' ', '-')}-{i}-" + "x" * 40
        payload = interaction_for(data, token=token, username="bench")
        envelope = Envelope(interaction=payload, received_at=datetime.now(UTC))
        with RoundTrips() as counter:
            start = time.perf_counter()
            process_envelope(envelope, services)
            elapsed = time.perf_counter() - start
        if i >= 5:  # the first turns warm the pool and the statement caches
            samples.append(elapsed)
            trips.append(counter.count)
    return samples, trips


BENCHMARKS["turn"] = bench_turn


def _bench_database(tmp: str) -> tuple[Any, str]:
    from loyal_companion.db import migrate
    from loyal_companion.local.database import start_local_database

    local = start_local_database(Path(tmp) / "pg")
    url = local.ensure_database("bench")
    migrate.upgrade(url)
    return local, url


PROACTIVE_MODES = {
    "overlap-own-pace": "baseline: every runner at once, each process pacing itself (before the shared pace)",
    "overlap": "every runner at once, one pace shared through the database",
    "deployed": "as deployed: a run lease (one run at a time, the others end at once), the shared pace",
}


def bench_proactive(
    report: Report,
    *,
    events: int = 2_000,
    runners: int = 4,
    rate: float = 50.0,
    lease_s: float = 5.0,
    kill_every_s: tuple[float, float] = (2.0, 5.0),
) -> dict[str, Any]:
    """Due events sent by runner *processes* (killed at random and started again, as Lambda would) through a
    Discord stand-in that answers 429 past ``rate`` requests a second and injects 2 % 429s and 2 % 500s.
    Three ways of running, each on its own ``events``, in one run: the old per-process pace (baseline),
    the shared pace with every run overlapping, and as deployed."""
    import random
    import subprocess
    import sys
    import tempfile
    from datetime import UTC, datetime

    from sqlalchemy import text

    from loyal_companion.db.engine import create_db_engine
    from loyal_companion.local.discord_stub import DiscordStub

    logging.getLogger("loyal_companion").setLevel(logging.ERROR)
    figures: dict[str, Any] = {}
    chooser = random.Random(20)
    report(
        f"proactive: {events:,} due events per mode (1 in 10 by DM), {runners} runner processes, a Discord "
        f"stand-in answering 429 past {rate:.0f} requests/s, injecting 2 % 429s and 2 % 500s and answering a "
        f"message in 50 ms; a runner "
        f"killed every {kill_every_s[0]:.0f}–{kill_every_s[1]:.0f} s and started again; event lease {lease_s:.0f} s"
    )
    with tempfile.TemporaryDirectory() as tmp:
        local, url = _bench_database(tmp)
        try:
            engine = create_db_engine(url, pool_size=2, max_overflow=2)
            for round_no, (mode, label) in enumerate(PROACTIVE_MODES.items()):
                now = datetime.now(UTC)
                with engine.connect() as conn:
                    conn.execute(text("BEGIN"))
                    conn.execute(text("TRUNCATE scheduled_events, job_leases, discord_pace"))
                    conn.execute(
                        text(
                            "INSERT INTO users (discord_id, discord_username) "
                            "SELECT 100000000000000000 + g, 'u' || g FROM generate_series(1, :n) g "
                            "ON CONFLICT DO NOTHING"
                        ),
                        {"n": max(1, events // 10)},
                    )
                    conn.execute(
                        text(
                            "INSERT INTO scheduled_events (user_id, channel_id, event_type, trigger_at, due_at, "
                            "title, context) "
                            "SELECT u.id, CASE WHEN mod(g, 10) = 0 THEN NULL ELSE 500000000000000000 + mod(g, 20) END, "
                            "'reminder', CAST(:t AS timestamptz), CAST(:t AS timestamptz), 'reminder ' || g, "
                            "jsonb_build_object('text', :mode || ' reminder ' || g) "
                            "FROM generate_series(1, :n) g "
                            "JOIN users u ON u.discord_id = 100000000000000000 + 1 + mod(g, :users)"
                        ),
                        {"t": now, "n": events, "users": max(1, events // 10), "mode": mode},
                    )
                    conn.execute(text("UPDATE users SET dm_channel_id = NULL"))
                    conn.execute(text("COMMIT"))
                with DiscordStub(
                    rate_limit_per_second=rate,
                    inject_429=0.02,
                    inject_500=0.02,
                    seed=round_no,
                    latency_s=0.05,
                ) as stub:
                    command = [sys.executable, "-m", "loyal_companion.local.proactive_runner"]
                    args = [url, stub.base_url, str(lease_s), mode]

                    def start(argv: list[str] = [*command, *args]) -> subprocess.Popen[bytes]:  # noqa: B006
                        return subprocess.Popen(argv, stdin=subprocess.DEVNULL)

                    procs = [start() for _ in range(runners)]
                    started = time.perf_counter()
                    kills = 0
                    next_kill = started + chooser.uniform(*kill_every_s)
                    left = events
                    try:
                        while time.perf_counter() - started < 600:
                            time.sleep(0.25)
                            with engine.connect() as conn:
                                left = int(
                                    conn.execute(
                                        text(
                                            "SELECT count(*) FROM scheduled_events "
                                            "WHERE status IN ('pending', 'sending')"
                                        )
                                    ).scalar_one()
                                )
                            if left == 0:
                                break
                            if time.perf_counter() >= next_kill:
                                victim = chooser.randrange(runners)
                                procs[victim].kill()
                                procs[victim].wait()
                                procs[victim] = start()
                                kills += 1
                                next_kill = time.perf_counter() + chooser.uniform(*kill_every_s)
                        elapsed = time.perf_counter() - started
                    finally:
                        for proc in procs:
                            proc.kill()
                            proc.wait()
                    posted = stub.channel_messages()  # a new stand-in for each mode
                    arrivals = sorted(stub.arrivals)
                    limited, injected, repeats = (
                        stub.rate_limited,
                        dict(stub.injected),
                        list(stub.nonce_repeats),
                    )
                    opened = sum(1 for c in stub.calls if c.path.endswith("/users/@me/channels"))
                with engine.connect() as conn:
                    rows = conn.execute(
                        text("SELECT status, count(*) FROM scheduled_events GROUP BY status")
                    ).all()
                    statuses: dict[str, int] = {str(r[0]): int(r[1]) for r in rows}
                contents = [m.content for m in posted]
                duplicates = len(contents) - len(set(contents))
                lost = events - statuses.get("triggered", 0)
                peak = _peak_per_second(arrivals)
                throughput = len(set(contents)) / elapsed
                report(
                    f"  {label}:\n"
                    f"    sent {len(set(contents)):,} of {events:,} in {elapsed:.1f} s = {throughput:.1f} msg/s; peak "
                    f"{peak} requests in one second (limit {rate:.0f}); {limited} 429s from the limit; injected "
                    f"{injected[429]} 429s and {injected[500]} 500s; {kills} runners killed; duplicates "
                    f"{duplicates}, lost {lost}; repeats after a kill absorbed by the nonce {len(repeats)}"
                    + (f" (at most {max(repeats):.1f} s after the first send)" if repeats else "")
                    + f"; DM channels opened {opened}; final states {statuses}"
                )
                figures[mode] = {
                    "throughput": throughput,
                    "peak": peak,
                    "limited": limited,
                    "duplicates": duplicates,
                    "lost": lost,
                    "kills": kills,
                    "repeats": len(repeats),
                    "repeat_max_s": max(repeats) if repeats else 0.0,
                }
            engine.dispose()
        finally:
            local.stop()
    return figures


def _peak_per_second(arrivals: list[float]) -> int:
    """The most requests that arrived within any one second (a sliding window)."""
    peak, first = 0, 0
    for last, at in enumerate(arrivals):
        while at - arrivals[first] >= 1.0:
            first += 1
        peak = max(peak, last - first + 1)
    return peak


BENCHMARKS["proactive"] = bench_proactive


def _bench_memory(report: Report) -> dict[str, Any]:
    from loyal_companion.local.bench_memory import bench_memory

    return bench_memory(report)


BENCHMARKS["memory"] = _bench_memory


def _bench_scale(report: Report) -> dict[str, Any]:
    from loyal_companion.local.bench_scale import bench_scale

    return bench_scale(report)


BENCHMARKS["scale"] = _bench_scale


def _bench_tokens(report: Report) -> dict[str, Any]:
    from loyal_companion.local.bench_tokens import bench_tokens

    return bench_tokens(report)


BENCHMARKS["tokens"] = _bench_tokens


def _bench_safety(report: Report) -> dict[str, Any]:
    from loyal_companion.local.bench_safety import bench_safety

    return bench_safety(report)


BENCHMARKS["safety"] = _bench_safety
