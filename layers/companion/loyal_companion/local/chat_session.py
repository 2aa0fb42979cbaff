"""The `lc chat` session: find (or start) `lc dev`, then talk."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

from loyal_companion.local.chat_client import ChatClient
from loyal_companion.local.stack import LocalStackError, read_dev_info, signing_key, wait_until
from loyal_companion.local.terminal import (
    USAGE,
    YES,
    ConfirmationNeeded,
    TerminalCommandError,
    parse_line,
)

START_TIMEOUT_S = 120


def _state() -> Path:
    return Path(os.environ.get("LC_STATE_DIR") or Path.cwd() / ".lc").resolve()


def _start_dev(state: Path, *, fast: bool, port: int, discord_port: int) -> subprocess.Popen[bytes]:
    state.mkdir(parents=True, exist_ok=True)
    log = (state / "dev.log").open("ab")  # appended: what an earlier run logged stays
    command = [
        sys.executable,
        "-m",
        "loyal_companion.cli",
        "dev",
        "--port",
        str(port),
        "--discord-port",
        str(discord_port),
    ]
    if fast:
        command.append("--fast")
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    started = wait_until(
        lambda: process.poll() is not None or read_dev_info(state) is not None, START_TIMEOUT_S
    )
    if process.poll() is not None or not started:
        process.terminate()
        tail = (state / "dev.log").read_text(errors="replace").strip().splitlines()[-15:]
        raise LocalStackError("`lc dev` did not start:\n" + "\n".join(tail))
    return process


def run_chat(*, say: str | None, fast: bool, port: int, discord_port: int) -> int:
    state = _state()
    info = read_dev_info(state)
    process: subprocess.Popen[bytes] | None = None
    if info is None:
        print("starting the local stack (lc dev) …", file=sys.stderr, flush=True)
        process = _start_dev(state, fast=fast, port=port, discord_port=discord_port)
        info = read_dev_info(state)
        assert info is not None
    interactive = say is None and sys.stdin.isatty()
    client = ChatClient(
        endpoint=info["endpoint"],
        discord_api=info["discord_api"],
        key=signing_key(state),
        username=_name(state, ask=interactive),
        downloads=state / "downloads",
    )
    try:
        if say is not None:
            return _say(client, say)
        return _repl(client, info.get("model", ""), state, interactive=interactive)
    finally:
        if process is not None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def _name(state: Path, *, ask: bool) -> str:
    """What the Bartender calls the person: LC_CHAT_NAME, else the name given on the first run (asked
    once, kept in .lc/name), else "friend"."""
    if name := os.environ.get("LC_CHAT_NAME", "").strip():
        return name[:32]
    saved = state / "name"
    if saved.exists() and (name := saved.read_text(encoding="utf-8").strip()):
        return name[:32]
    if not ask:
        return "friend"
    try:
        name = input("What should the Bartender call you? ").strip()[:32]
    except EOFError:
        name = ""
    name = name or "friend"
    state.mkdir(parents=True, exist_ok=True)
    saved.write_text(name + "\n", encoding="utf-8")
    print(f"(kept in {saved}; set LC_CHAT_NAME to use another name)\n")
    return name


def _say(client: ChatClient, line: str) -> int:
    """`lc chat --say`: one line, its reply, and a one-line answer (never a traceback) for anything else."""
    if line.strip() in ("/quit", "/exit"):
        print("(--say sends one line; there is nothing to quit)")
        return 0
    if line.strip() == "/commands":
        print(USAGE)
        return 0
    try:
        parts = client.send(line)
    except TerminalCommandError as exc:
        print(f"lc: {exc}", file=sys.stderr)
        return 2
    except ConfirmationNeeded as exc:
        print(f"{exc.question} Nothing was done: type `{exc.hint}` to go ahead.")
        return 2
    except TimeoutError as exc:
        print(f"lc: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"lc: could not reach the local stack: {exc}", file=sys.stderr)
        return 1
    for part in parts:
        print(part, flush=True)
    return 0


class _Stream:
    """Shows a reply as it streams: the new part of each edit, after the thinking line."""

    def __init__(self) -> None:
        self.shown = ""

    def progress(self, text: str) -> None:
        if not self.shown:
            print("\rbartender> ", end="")
        if text.startswith(self.shown):
            print(text[len(self.shown) :], end="", flush=True)
            self.shown = text

    def finish(self, parts: list[str]) -> None:
        first, rest = (parts[0] if parts else ""), parts[1:]
        if self.shown and first.startswith(self.shown):
            print(first[len(self.shown) :], flush=True)
        else:
            if self.shown:
                print()
            print(f"bartender> {first}", flush=True)
        for part in rest:
            print(f"bartender> {part}", flush=True)
        print(flush=True)


def _history(state: Path) -> Callable[[], None]:
    """Line editing and history (the arrow keys) for input(), kept in .lc/history between runs."""
    try:
        import readline
    except ImportError:  # not on this platform: plain input
        return lambda: None
    path = state / "history"
    with contextlib.suppress(OSError):
        readline.read_history_file(path)
    readline.set_history_length(1000)
    return lambda: readline.write_history_file(path)


def _repl(client: ChatClient, model: str, state: Path, *, interactive: bool) -> int:
    save_history = _history(state) if interactive else (lambda: None)
    print(f"The Bartender is in. (model: {model})\nType /help for commands, /quit to leave.\n", flush=True)
    stop = threading.Event()

    def watch() -> None:
        while not stop.wait(1.0):
            try:
                for text in client.proactive():
                    print(f"\n[the Bartender reaches out] {text}\nyou> ", end="", flush=True)
            except OSError:
                continue

    threading.Thread(target=watch, daemon=True).start()
    try:
        while True:
            try:
                line = input("you> ").strip()
            except EOFError:
                break
            if not line:
                continue
            if line in ("/quit", "/exit"):
                break
            if line == "/commands":
                print(USAGE)
                continue
            stream = _Stream()
            try:
                try:
                    data = parse_line(line)
                except ConfirmationNeeded as exc:
                    answer = input(f"  {exc.question} Type yes to go ahead: ").strip().lower()
                    if answer not in YES:
                        print("  Nothing was changed.\n")
                        continue
                    data = exc.data
                print("  (the Bartender is thinking…)", end="", flush=True)
                parts = client.send_data(data, stream.progress)
            except TerminalCommandError as exc:
                print(f"  {exc}")
                continue
            except TimeoutError as exc:
                print(f"\n  ({exc})")
                continue
            except OSError as exc:
                print(f"\n  (could not reach the local stack: {exc})")
                continue
            print("\r" + " " * 32 + "\r", end="")
            stream.finish(parts)
    except (KeyboardInterrupt, EOFError):
        print()
    finally:
        stop.set()
        with contextlib.suppress(OSError):
            save_history()
    return 0
