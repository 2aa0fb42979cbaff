"""`lc dev` and `lc chat` as a newcomer uses them: real processes, real ports, the embedded database."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

LC = [sys.executable, "-m", "loyal_companion.cli"]


@pytest.fixture
def dev(tmp_path: Path) -> Iterator[dict[str, str]]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_MODEL", "SECRETS_ARN")
    }
    env["LC_STATE_DIR"] = str(tmp_path / "state")
    log = (tmp_path / "dev.log").open("wb")
    process = subprocess.Popen(
        [*LC, "dev", "--port", "0", "--discord-port", "0", "--fast"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    info_path = tmp_path / "state" / "dev.json"
    deadline = time.monotonic() + 120
    while not info_path.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            pytest.fail("lc dev did not start:\n" + (tmp_path / "dev.log").read_text(errors="replace"))
        time.sleep(0.2)
    try:
        yield env
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
        assert not info_path.exists()  # a clean stop removes it


def _say(env: dict[str, str], text: str) -> str:
    result = subprocess.run(
        [*LC, "chat", "--say", text], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_a_reply_arrives(dev: dict[str, str]) -> None:
    reply = _say(dev, "Hello. Rough week — my grandmother died on Sunday.")
    assert "offline responder" in reply  # no model configured: the fallback says so


def test_a_reminder_due_in_a_few_seconds_arrives_as_a_proactive_message(dev: dict[str, str]) -> None:
    confirmation = _say(dev, "/remind in 3 seconds | stretch your legs")
    assert "remind you" in confirmation
    info = json.loads((Path(dev["LC_STATE_DIR"]) / "dev.json").read_text())
    base = info["discord_api"].split("/api/")[0]
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with urllib.request.urlopen(f"{base}/_local/messages?after=0", timeout=5) as response:
            messages = json.loads(response.read())
        if any(m["kind"] == "message" and "stretch your legs" in m["content"] for m in messages):
            return
        time.sleep(0.5)
    pytest.fail("the reminder never arrived")


def test_a_second_lc_dev_on_the_same_folder_is_refused_clearly(dev: dict[str, str]) -> None:
    result = subprocess.run(
        [*LC, "dev", "--port", "0", "--discord-port", "0"],
        env=dev,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "already using" in result.stderr


def test_a_fact_told_in_one_message_is_listed_by_memory_list(dev: dict[str, str]) -> None:
    _say(dev, "It's been a long day, but my dog is called Biscuit and he always cheers me up.")
    assert "Their dog is called Biscuit" in _say(dev, "/memory list")


def test_memory_round_trip_through_the_terminal(dev: dict[str, str]) -> None:
    assert "Noted" in _say(dev, "/memory remember My sister is called Inês")
    assert "Inês" in _say(dev, "/memory list")


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "OPENAI_API_KEY", "OPENAI_BASE_URL")
    }
    env["LC_STATE_DIR"] = str(tmp_path / "state")
    env.update(extra)
    return env


def test_a_port_in_use_is_a_clear_error(tmp_path: Path) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [*LC, "dev", "--port", str(port), "--discord-port", "0"],
            env=_env(tmp_path),
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert result.returncode == 2
    assert f"port {port} is in use" in result.stderr and "--port" in result.stderr


def test_a_model_server_that_does_not_answer_is_a_clear_error(tmp_path: Path) -> None:
    result = subprocess.run(
        [*LC, "dev", "--port", "0", "--discord-port", "0"],
        env=_env(tmp_path, OPENAI_BASE_URL="http://127.0.0.1:9/v1"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert "does not answer" in result.stderr and "offline responder" in result.stderr
