"""`lc bench`: figures for the targets in the issues, printed, never asserted (the machine is shared).

Each benchmark prints its figures and, where a target exists, the target beside them; compare ratios
within one run rather than absolute numbers across runs.
"""

from __future__ import annotations

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

    from loyal_companion.discord.endpoint import handle_http_event
    from loyal_companion.discord.verify import SignatureVerifier
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
    chat = event(
        {
            "id": str((int(time.time() * 1000) - 1420070400000) << 22),
            "application_id": "1100000000000000001",
            "type": 2,
            "token": "t" * 80,
            "channel_id": "2",
            "user": {"id": "3", "username": "bench"},
            "data": {
                "name": "chat",
                "type": 1,
                "options": [{"type": 3, "name": "message", "value": "hello " * 20}],
            },
        }
    )
    figures: dict[str, Any] = {}
    # Lambda ships log lines asynchronously; printing thousands of them to a terminal would dominate.
    logging.getLogger("loyal_companion").setLevel(logging.WARNING)
    for name, ev in (("PING", ping), ("deferred /chat", chat)):
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
