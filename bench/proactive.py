"""`lc bench proactive`: due events sent by runner processes, killed at random, through a Discord stand-in."""

from __future__ import annotations

import logging
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.common import bench_database

Report = Callable[[str], None]


ROOT = str(Path(__file__).resolve().parent.parent)  # the checkout, where `python -m bench.…` finds bench
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
        local, url = bench_database(tmp)
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
                    command = [sys.executable, "-m", "bench.proactive_runner"]
                    args = [url, stub.base_url, str(lease_s), mode]

                    def start(argv: list[str] = [*command, *args]) -> subprocess.Popen[bytes]:  # noqa: B006
                        return subprocess.Popen(
                            argv, stdin=subprocess.DEVNULL, cwd=ROOT
                        )  # -m bench.… from here

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
