"""The `lc chat` session: find (or start) `lc dev`, then talk."""

from __future__ import annotations

import getpass
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

from loyal_companion.local.chat_client import ChatClient
from loyal_companion.local.stack import LocalStackError, read_dev_info, signing_key, wait_until
from loyal_companion.local.terminal import USAGE, TerminalCommandError

START_TIMEOUT_S = 120


def _state() -> Path:
    return Path(os.environ.get("LC_STATE_DIR") or Path.cwd() / ".lc").resolve()


def _start_dev(state: Path, *, fast: bool, port: int, discord_port: int) -> subprocess.Popen[bytes]:
    state.mkdir(parents=True, exist_ok=True)
    log = (state / "dev.log").open("wb")
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
    client = ChatClient(
        endpoint=info["endpoint"],
        discord_api=info["discord_api"],
        key=signing_key(state),
        username=os.environ.get("LC_CHAT_NAME") or getpass.getuser() or "friend",
    )
    try:
        if say is not None:
            try:
                parts = client.send(say)
            except TimeoutError as exc:
                print(f"lc: {exc}", file=sys.stderr)
                return 1
            for part in parts:
                print(part, flush=True)
            return 0
        return _repl(client, info.get("model", ""))
    finally:
        if process is not None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def _repl(client: ChatClient, model: str) -> int:
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
            try:
                parts = client.send(line)
            except TerminalCommandError as exc:
                print(f"  {exc}")
                continue
            except TimeoutError as exc:
                print(f"  ({exc})")
                continue
            except OSError as exc:
                print(f"  (could not reach the local stack: {exc})")
                continue
            for part in parts:
                print(f"bartender> {part}\n", flush=True)
    except KeyboardInterrupt:
        print()
    finally:
        stop.set()
    return 0
