"""What a person types in `lc chat`, turned into the interaction Discord would send. Pure functions."""

from __future__ import annotations

import itertools
import time
from collections.abc import Mapping
from typing import Any, Final

from loyal_companion.discord import commands
from loyal_companion.discord.interaction import DISCORD_EPOCH_MS

LOCAL_USER_ID: Final = "100000000000000001"
LOCAL_CHANNEL_ID: Final = "200000000000000001"
LOCAL_APPLICATION_ID: Final = "1100000000000000001"
_seq = itertools.count(1)

USAGE: Final = """\
Type to talk; the Bartender answers as it would on Discord. Commands:
  /mood  /relationship                       how the Bartender feels; how well you know each other
  /memory list                               what it remembers about you
  /memory remember <fact>                    tell it something to remember
  /memory forget <id> | /memory forget-all   forget one thing (ids from /memory list), or everything
  /remind <when> | <what>                    e.g. /remind in 10 minutes | stretch
  /birthday set <date> | /birthday clear     e.g. /birthday set 14 June
  /checkins on | /checkins off               let it check in on you when you have been quiet
  /personality list | /personality use <name>
  /persona set <description> | /persona clear
  /privacy export                            everything stored about you, saved to a file
  /privacy delete                            delete everything about you (asks first)
  /help  /quit
Your name here is asked once and kept in .lc/name (LC_CHAT_NAME overrides it); what you type is kept
in .lc/history (the up arrow brings it back)."""


class TerminalCommandError(ValueError):
    """The typed command could not be understood; the message says how to type it."""


class ConfirmationNeeded(Exception):
    """A command that deletes something was typed without an explicit yes: nothing is sent until the
    person answers ``question`` with yes; ``data`` is the interaction to send then."""

    def __init__(self, question: str, data: dict[str, Any], hint: str) -> None:
        super().__init__(question)
        self.question = question
        self.data = data
        self.hint = hint


# What each destructive command asks before it runs (they carry a required boolean option "confirm").
QUESTIONS: Final = {
    "privacy delete": (
        "This deletes everything I have about you — memories, conversations, reminders — for good."
    ),
    "memory forget-all": "This forgets everything I remember about you, for good.",
}
YES: Final = frozenset(("yes", "y"))


def new_snowflake() -> int:
    return ((int(time.time() * 1000) - DISCORD_EPOCH_MS) << 22) | (next(_seq) & 0x3FFFFF)


def _definition(name: str) -> Mapping[str, Any]:
    for definition in commands.DEFINITIONS:
        if definition["name"] == name:
            return definition
    raise TerminalCommandError(f"There is no /{name}. Type /help.")


def _typed(option: Mapping[str, Any], raw: str) -> Any:
    if option["type"] == commands.INTEGER:
        if not raw.strip().isdigit():
            raise TerminalCommandError(f"{option['name']} should be a number.")
        return int(raw)
    if option["type"] == commands.BOOLEAN:
        word = raw.strip().lower()
        if word in ("true", "yes", "y", "1", "on"):
            return True
        if word in ("false", "no", "n", "0", "off"):
            return False
        if not word:
            return None  # not given: never read as yes
        raise TerminalCommandError(f"{option['name']} should be yes or no.")
    return raw


def parse_line(line: str) -> dict[str, Any]:
    """``interaction.data`` for what was typed: plain text is /chat; a slash starts a command."""
    text = line.strip()
    if not text.startswith("/"):
        return {
            "id": "1",
            "name": "chat",
            "type": 1,
            "options": [{"type": 3, "name": "message", "value": text}],
        }
    head, _, rest = text[1:].partition(" ")
    name = head.lower()
    definition = _definition(name)
    options: list[dict[str, Any]] = []
    declared = definition.get("options", [])
    if declared and declared[0]["type"] == commands.SUB_COMMAND:
        sub_name, _, rest = rest.strip().partition(" ")
        sub = next((o for o in declared if o["name"] == sub_name), None)
        if sub is None:
            names = " | ".join(o["name"] for o in declared)
            raise TerminalCommandError(f"Use /{name} {names}.")
        sub_options = _fill(sub.get("options", []), rest)
        options = [{"type": commands.SUB_COMMAND, "name": sub_name, "options": sub_options}]
        _check_confirmed(f"{name} {sub_name}", sub_options, options)
    elif declared:
        options = _fill(declared, rest)
    return {"id": "1", "name": name, "type": 1, **({"options": options} if options else {})}


def _check_confirmed(key: str, given: list[dict[str, Any]], options: list[dict[str, Any]]) -> None:
    """A destructive command goes only with an explicit yes; otherwise ask (and send nothing)."""
    confirm = next((o for o in given if o["name"] == "confirm"), None)
    if key not in QUESTIONS or (confirm is not None and confirm["value"] is True):
        return
    sub = options[0]
    confirmed = [o for o in given if o["name"] != "confirm"]
    confirmed.append({"type": commands.BOOLEAN, "name": "confirm", "value": True})
    data = {
        "id": "1",
        "name": key.split()[0],
        "type": 1,
        "options": [{**sub, "options": confirmed}],
    }
    raise ConfirmationNeeded(QUESTIONS[key], data, hint=f"/{key} yes")


def _fill(declared: list[dict[str, Any]], rest: str) -> list[dict[str, Any]]:
    """Values for the declared options: split on "|" when there are several, else the whole rest."""
    required = [o for o in declared if o.get("required")]
    if not required:
        return []
    if len(required) == 1:
        parts = [rest.strip()]
    else:
        parts = [p.strip() for p in rest.split("|")]
        if len(parts) != len(required):
            names = " | ".join(f"<{o['name']}>" for o in required)
            raise TerminalCommandError(f"Type it as: {names}")
    out = []
    for option, raw in zip(required, parts, strict=True):
        if option["type"] != commands.BOOLEAN and not raw:
            raise TerminalCommandError(f"{option['name']} is missing.")
        value = _typed(option, raw)
        if value is not None:
            out.append({"type": option["type"], "name": option["name"], "value": value})
    return out


def interaction_for(data: Mapping[str, Any], *, token: str, username: str) -> dict[str, Any]:
    """A DM interaction from the local person, shaped like Discord's."""
    return {
        "id": str(new_snowflake()),
        "application_id": LOCAL_APPLICATION_ID,
        "type": 2,
        "token": token,
        "version": 1,
        "channel_id": LOCAL_CHANNEL_ID,
        "channel": {"id": LOCAL_CHANNEL_ID, "type": 1},
        "context": 1,
        "authorizing_integration_owners": {"1": LOCAL_USER_ID},
        "user": {"id": LOCAL_USER_ID, "username": username, "global_name": username},
        "locale": "en-GB",
        "data": dict(data),
    }
