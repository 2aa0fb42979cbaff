"""What the local stack keeps in .lc/ and who is connected to it: its signing key, the stack's address
(dev.json), the `lc chat` clients, and waiting for one of them.
"""

from __future__ import annotations

import json
import logging
import os
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

from nacl.signing import SigningKey

from loyal_companion.errors import CompanionError

logger = logging.getLogger(__name__)


class LocalStackError(CompanionError):
    """Something a newcomer can fix: the message says what and how."""


def signing_key(state: Path) -> SigningKey:
    """The local "Discord" signing key, created once and kept (private: mode 600)."""
    path = state / "signing.key"
    if path.exists():
        try:
            return SigningKey(bytes.fromhex(path.read_text().strip()))
        except ValueError:
            raise LocalStackError(
                f"{path} is not a valid key; delete it and a new one will be made"
            ) from None
    key = SigningKey.generate()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key.encode().hex())
    return key


def live_clients(folder: Path) -> list[int]:
    """The `lc chat` processes registered in ``folder`` that are still running (stale files removed)."""
    alive = []
    for entry in folder.glob("*"):
        try:
            pid = int(entry.name)
            os.kill(pid, 0)
        except (ValueError, ProcessLookupError):
            entry.unlink(missing_ok=True)
            continue
        except PermissionError:
            pass
        alive.append(pid)
    return alive


def read_dev_info(state: Path) -> dict[str, Any] | None:
    path = state / "dev.json"
    try:
        info = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    try:
        with urllib.request.urlopen(str(info["endpoint"]).replace("/interactions", "/health"), timeout=2):
            return dict(info)
    except (urllib.error.URLError, OSError, KeyError):
        return None


def wait_until(predicate: Callable[[], bool], timeout: float, interval: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()
