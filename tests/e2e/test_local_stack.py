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
from typing import Any

import pytest

from loyal_companion.local.state import wait_until

LC = [sys.executable, "-m", "loyal_companion.cli"]


@pytest.fixture
def dev(tmp_path: Path) -> Iterator[dict[str, str]]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_MODEL", "SECRETS_ARN")
    }
    env["LC_STATE_DIR"] = str(tmp_path / "state")
    env["LC_NO_LOCAL_MODEL"] = "1"  # the offline responder, whatever model server this machine runs
    log = (tmp_path / "dev.log").open("wb")
    process = subprocess.Popen(
        # Not --fast: a reminder arrives at its time because the schedule wakes when something is due.
        [*LC, "dev", "--port", "0", "--discord-port", "0"],
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


def _run_say(env: dict[str, str], text: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*LC, "chat", "--say", text], env=env, capture_output=True, text=True, timeout=120)


def _say(env: dict[str, str], text: str) -> str:
    result = _run_say(env, text)
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


def test_typed_lines_that_are_not_commands_or_not_confirmed_get_one_line_and_change_nothing(
    dev: dict[str, str],
) -> None:
    assert "Noted" in _say(dev, "/memory remember I keep bees on the allotment")
    for line in ("/privacy delete", "/memory forget-all"):
        result = _run_say(dev, line)
        assert result.returncode == 2 and "nothing was done" in result.stdout and "#1 Yes" in result.stdout
    assert "bees" in _say(dev, "/memory list")  # nothing was deleted
    for line in ("/foo", "/memory", "/remind tomorrow"):
        result = _run_say(dev, line)
        assert result.returncode == 2 and "Traceback" not in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    for line in ("/quit", "/commands"):
        assert _run_say(dev, line).returncode == 0


def test_an_export_is_saved_to_a_file_whose_path_is_shown(dev: dict[str, str]) -> None:
    _say(dev, "/memory remember My sister is called Inês")
    out = _say(dev, "/privacy export")
    saved = Path(out.split("saved loyal-companion-export.json to ")[1].split(")")[0])
    assert saved.parent == Path(dev["LC_STATE_DIR"]) / "downloads"
    assert "Inês" in json.loads(saved.read_text(encoding="utf-8"))["user_facts"][0]["fact_content"]


def test_a_conversation_in_a_real_terminal(dev: dict[str, str]) -> None:
    """`lc chat` in a pseudo-terminal, typed into as a person types: their name asked once, a thinking line
    at once and the reply after it, the up arrow, a deletion that asks first (its buttons as choices), the
    box /chat opens, a typo, a memory edited through its box."""
    pexpect = pytest.importorskip("pexpect")
    env = {k: v for k, v in dev.items() if k != "LC_CHAT_NAME"}
    chat = pexpect.spawn(
        sys.executable, ["-m", "loyal_companion.cli", "chat"], env=env, encoding="utf-8", timeout=60
    )
    try:
        chat.expect("What should the Bartender call you?")
        chat.sendline("Ottoline")
        chat.expect("you> ")
        chat.sendline("/memory remember I keep bees on the allotment")
        chat.expect("thinking")
        chat.expect("bartender> .*Noted")
        chat.expect("you> ")
        chat.sendline("Hello there, it was a long day.")
        chat.expect("thinking")
        chat.expect("bartender> ")
        chat.expect("offline responder")
        chat.expect("you> ")
        chat.send("\x1b[A")  # the up arrow brings the last line back
        chat.expect("Hello there, it was a long day.")
        chat.send("\x15")  # and Ctrl-U clears it
        chat.sendline("/privacy delete")
        chat.expect("#1 Yes, delete it all   #2 Keep it")  # the confirmation's buttons, as choices
        chat.expect("you> ")
        chat.sendline("#2")
        chat.expect("Kept — nothing was changed")
        chat.expect("you> ")
        chat.sendline("/chat")  # nothing to say: the larger box opens
        chat.expect("Your message: ")
        chat.sendline("Typed into the box.")
        chat.expect("bartender> ")
        chat.expect("you> ")
        chat.sendline("/foo")
        chat.expect("There is no /foo")
        chat.expect("you> ")
        chat.sendline("/memory list")
        chat.expect("bees")  # still there
        chat.expect("#1 Forget one…   #2 Edit one…")
        chat.expect("you> ")
        chat.sendline("#2 1")  # edit the first: its box opens with what is remembered now
        chat.expect("now: They keep bees on the allotment  ")
        chat.expect("What I should remember instead: ")
        chat.sendline("I keep bees and hens on the allotment")
        chat.expect("Changed to: I keep bees and hens")
        chat.expect("you> ")
        chat.sendline("/remind in 10 seconds | stretch your legs")
        chat.expect(r"in \d+ seconds, at \d\d:\d\d")  # a local time, not Discord's <t:…:R> markup
        sent = time.monotonic()
        chat.expect(r"reaches out\] .*stretch your legs", timeout=20)
        assert time.monotonic() - sent < 15
        chat.expect("you> ")
        chat.sendline("/quit")
        chat.expect(pexpect.EOF)
    finally:
        chat.close(force=True)
    assert (Path(dev["LC_STATE_DIR"]) / "name").read_text().strip() == "Ottoline"
    assert "Hello there" in (Path(dev["LC_STATE_DIR"]) / "history").read_text()


def test_a_second_lc_chat_joins_the_running_stack_and_outlives_the_first(tmp_path: Path) -> None:
    pexpect = pytest.importorskip("pexpect")
    env = {**_env(tmp_path), "LC_CHAT_NAME": "Ottoline"}
    log = tmp_path / "state" / "dev.log"
    log.parent.mkdir(parents=True)
    log.write_text("a line from an earlier run\n")

    def chat() -> Any:
        return pexpect.spawn(
            sys.executable,
            ["-m", "loyal_companion.cli", "chat", "--port", "0", "--discord-port", "0"],
            env=env,
            encoding="utf-8",
            timeout=120,
        )

    first = chat()
    second = None
    try:
        first.expect("The Bartender is in")
        second = chat()
        second.expect("The Bartender is in")
        first.sendline("Hello from the first terminal.")
        first.expect("offline responder")
        first.sendline("/quit")
        first.expect("keeps running for the other lc chat")
        first.expect(pexpect.EOF)
        second.sendline("Hello from the second terminal.")
        second.expect("offline responder")
        second.sendline("/quit")
        second.expect(pexpect.EOF)
    finally:
        first.close(force=True)
        if second is not None:
            second.close(force=True)
    assert wait_until(lambda: not (tmp_path / "state" / "dev.json").exists(), 30)  # the last one stopped it
    lines = log.read_text().splitlines()
    assert lines[0] == "a line from an earlier run"  # appended, never truncated
    queued = [line for line in lines if "interaction queued" in line]
    assert len(queued) == 2 and all(len(line) < 200 for line in queued)  # short lines a person can read
    assert not any(line.startswith("{") for line in lines)


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "OPENAI_API_KEY", "OPENAI_BASE_URL")
    }
    env["LC_STATE_DIR"] = str(tmp_path / "state")
    env["LC_NO_LOCAL_MODEL"] = "1"
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
    assert f"port {port} (the interactions endpoint) is in use" in result.stderr and "--port" in result.stderr
    assert not (tmp_path / "state" / "pgdata").exists()  # found before a database was created


def test_a_second_checkout_takes_free_ports_when_the_defaults_are_another_stacks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import socket

    from loyal_companion.local import stack

    with socket.socket() as taken, socket.socket() as also_taken:
        for held in (taken, also_taken):
            held.bind(("127.0.0.1", 0))
            held.listen()
        monkeypatch.setattr(stack, "DEFAULT_PORT", taken.getsockname()[1])
        monkeypatch.setattr(stack, "DEFAULT_DISCORD_PORT", also_taken.getsockname()[1])
        local = stack.LocalStack(stack.DevOptions(), state=tmp_path)
        local._check_ports()
        assert (local.options.port, local.options.discord_port) == (0, 0)  # free ones, chosen when bound
        assert len(local.port_notes) == 2 and "another checkout" in local.port_notes[0]
        asked = stack.LocalStack(stack.DevOptions(port=taken.getsockname()[1]), state=tmp_path)
        with pytest.raises(stack.LocalStackError, match="pass --port"):
            asked._check_ports()  # a port asked for by name is never swapped silently


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
