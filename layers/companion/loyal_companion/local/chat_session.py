"""The `lc chat` session: find (or start) `lc dev`, then talk."""

from __future__ import annotations

import contextlib
import fcntl
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from loyal_companion.local.chat_client import Answer, ChatClient
from loyal_companion.local.render import render
from loyal_companion.local.state import LocalStackError, live_clients, read_dev_info, signing_key, wait_until
from loyal_companion.local.terminal import (
    LOCAL_USER_ID,
    USAGE,
    TerminalCommandError,
    describe_choices,
)

START_TIMEOUT_S = 120


def _state() -> Path:
    return Path(os.environ.get("LC_STATE_DIR") or Path.cwd() / ".lc").resolve()


def _start_dev(
    state: Path, *, fast: bool, port: int | None, discord_port: int | None, model: str | None = None
) -> subprocess.Popen[bytes]:
    state.mkdir(parents=True, exist_ok=True)
    log = (state / "dev.log").open("ab")  # appended: what an earlier run logged stays
    command = [sys.executable, "-m", "loyal_companion.cli", "dev"]
    if port is not None:
        command += ["--port", str(port)]
    if discord_port is not None:
        command += ["--discord-port", str(discord_port)]
    if model:
        command += ["--model", model]
    if fast:
        command.append("--fast")
    # Its own session: it outlives this `lc chat` while another one is connected, and stops by itself
    # when the last one leaves (--with-clients).
    command.append("--with-clients")
    process = subprocess.Popen(
        command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    started = wait_until(
        lambda: process.poll() is not None or read_dev_info(state) is not None, START_TIMEOUT_S
    )
    if process.poll() is not None or not started:
        process.terminate()
        tail = (state / "dev.log").read_text(errors="replace").strip().splitlines()[-15:]
        raise LocalStackError("`lc dev` did not start:\n" + "\n".join(tail))
    return process


def _starting_elsewhere(state: Path) -> bool:
    """Whether another process holds the stack's lock (an `lc dev` starting, or running)."""
    try:
        with (state / "dev.lock").open("a+") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            fcntl.flock(handle, fcntl.LOCK_UN)
    except BlockingIOError:
        return True
    except OSError:
        return False
    return False


def run_chat(
    *, say: str | None, fast: bool, port: int | None, discord_port: int | None, model: str | None = None
) -> int:
    state = _state()
    state.mkdir(parents=True, exist_ok=True)
    me = state / "clients" / str(os.getpid())
    me.parent.mkdir(exist_ok=True)
    me.touch()  # registered before a stack is started: it runs while any `lc chat` is here
    try:
        return _chat(state, say=say, fast=fast, port=port, discord_port=discord_port, model=model)
    finally:
        me.unlink(missing_ok=True)


def _chat(
    state: Path,
    *,
    say: str | None,
    fast: bool,
    port: int | None,
    discord_port: int | None,
    model: str | None = None,
) -> int:
    info = read_dev_info(state)
    process: subprocess.Popen[bytes] | None = None
    if info is None and _starting_elsewhere(state):
        print("the local stack is starting in another terminal; joining it …", file=sys.stderr, flush=True)
        joined = lambda: read_dev_info(state) is not None or not _starting_elsewhere(state)  # noqa: E731
        wait_until(joined, START_TIMEOUT_S)
        info = read_dev_info(state)
    if info is None:
        print("starting the local stack (lc dev) …", file=sys.stderr, flush=True)
        process = _start_dev(state, fast=fast, port=port, discord_port=discord_port, model=model)
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
            (state / "clients" / str(os.getpid())).unlink(missing_ok=True)
            if live_clients(state / "clients"):
                print("(the local stack keeps running for the other lc chat)", file=sys.stderr, flush=True)
            else:
                _stop_dev(process)


def _stop_dev(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=30)
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
    if line.strip() in ("/commands", "/help"):
        print(USAGE)
        return 0
    if line.strip().startswith("#"):
        print("lc: --say sends one line; there is nothing here to press", file=sys.stderr)
        return 2
    try:
        answer = client.send(line)
    except TerminalCommandError as exc:
        print(f"lc: {exc}", file=sys.stderr)
        return 2
    except TimeoutError as exc:
        print(f"lc: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"lc: could not reach the local stack: {exc}", file=sys.stderr)
        return 1
    screen = _screen(client)
    for part in answer.parts:
        print(screen.show(part), flush=True)
    if answer.modal is not None:
        print("(a box to type in would open here; with --say, give the text on the line: /chat <message>)")
        return 2
    if answer.choices:
        print(describe_choices(answer.choices))
        if any(c.confirms for c in answer.choices):
            print("(--say cannot press a button: nothing was done. In `lc chat`, type #1 to go ahead.)")
            return 2
    return 0


@dataclass
class _Screen:
    """How replies look here: Discord's markup rendered (styles on a terminal, plain when piped),
    timestamps in this machine's time zone, mentions as names."""

    names: dict[str, str]
    styled: bool

    def show(self, text: str, *, styled: bool | None = None) -> str:
        now = datetime.now(UTC)
        return render(
            text,
            now=now,
            zone=now.astimezone().tzinfo or UTC,
            names=self.names,
            styled=self.styled if styled is None else styled,
        )

    def clear_line(self) -> str:
        return "\r\033[K" if self.styled else "\r" + " " * 32 + "\r"


class _Stream:
    """Shows a reply as it streams: the new part of each edit (plain while it streams), after the
    thinking line; the whole reply, styled, when nothing streamed."""

    def __init__(self, screen: _Screen) -> None:
        self.screen = screen
        self.shown = ""

    def progress(self, text: str) -> None:
        plain = self.screen.show(text, styled=False)
        if not self.shown:
            print(self.screen.clear_line() + "bartender> ", end="")
        if plain.startswith(self.shown):
            print(plain[len(self.shown) :], end="", flush=True)
            self.shown = plain

    def finish(self, answer: Answer) -> None:
        parts = answer.parts
        first, rest = (parts[0] if parts else ""), parts[1:]
        plain = self.screen.show(first, styled=False)
        if self.shown and plain.startswith(self.shown):
            print(plain[len(self.shown) :], flush=True)
        else:
            print("\n" if self.shown else self.screen.clear_line(), end="")
            print(f"bartender> {self.screen.show(first)}", flush=True)
        for part in rest:
            print(f"bartender> {self.screen.show(part)}", flush=True)
        if answer.choices:
            print(describe_choices(answer.choices), flush=True)
        print(flush=True)


def _fill_in(modal: dict[str, object]) -> list[str] | None:
    """Ask for each box of a modal, as Discord would show it; None when the person leaves it empty."""
    print(f"  [{modal.get('title', 'A box to fill in')}]")
    values: list[str] = []
    rows = modal.get("components")
    for line in rows if isinstance(rows, list) else []:
        for item in line.get("components", []) if isinstance(line, dict) else []:
            current = str(item.get("value") or "")
            if current:
                print(f"  now: {current}  (Enter keeps it)")
            typed = input(f"  {item.get('label', 'Text')}: ").strip()
            if not typed and not current:
                return None
            values.append(typed or current)
    return values


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


def _screen(client: ChatClient) -> _Screen:
    return _Screen(names={LOCAL_USER_ID: client.username}, styled=sys.stdout.isatty())


def _repl(client: ChatClient, model: str, state: Path, *, interactive: bool) -> int:
    save_history = _history(state) if interactive else (lambda: None)
    screen = _screen(client)
    print(f"The Bartender is in. (model: {model})\nType /help for commands, /quit to leave.\n", flush=True)
    stop = threading.Event()
    last: Answer | None = None  # the last reply with something to press under it

    def watch() -> None:
        while not stop.wait(1.0):
            try:
                for message in client.proactive():
                    shown = screen.show(message.parts[0])
                    print(f"\n[the Bartender reaches out] {shown}\nyou> ", end="", flush=True)
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
            if line in ("/commands", "/help"):
                print(USAGE + "\n")
                continue
            stream = _Stream(screen)
            try:
                if line.startswith("#"):
                    if last is None:
                        raise TerminalCommandError("There is nothing to press.")
                    print("  (the Bartender is thinking…)", end="", flush=True)
                    answer = client.press(line, last, stream.progress)
                else:
                    print("  (the Bartender is thinking…)", end="", flush=True)
                    answer = client.send(line, stream.progress)
                while answer.modal is not None:
                    print(screen.clear_line(), end="")
                    values = _fill_in(answer.modal)
                    if values is None:
                        print("  (nothing was sent)\n")
                        break
                    print("  (the Bartender is thinking…)", end="", flush=True)
                    answer = client.submit(answer.modal, values, stream.progress)
                if answer.modal is not None:
                    continue
            except TerminalCommandError as exc:
                print(f"{screen.clear_line()}  {exc}")
                continue
            except TimeoutError as exc:
                print(f"\n  ({exc})")
                continue
            except OSError as exc:
                print(f"\n  (could not reach the local stack: {exc})")
                continue
            stream.finish(answer)
            if answer.choices:
                last = answer
    except (KeyboardInterrupt, EOFError):
        print()
    finally:
        stop.set()
        with contextlib.suppress(OSError):
            save_history()
    return 0
