"""What a person types in `lc chat`, turned into the interaction Discord would send. Pure functions."""

from __future__ import annotations

import itertools
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from loyal_companion.discord import commands
from loyal_companion.discord import components as ui
from loyal_companion.discord.interaction import DISCORD_EPOCH_MS

LOCAL_USER_ID: Final = "100000000000000001"
LOCAL_CHANNEL_ID: Final = "200000000000000001"
LOCAL_APPLICATION_ID: Final = "1100000000000000001"
_seq = itertools.count(1)

USAGE: Final = """\
Type to talk; the Bartender answers as it would on Discord. Commands:
  /mood  /relationship                       how the Bartender feels; how well you know each other
  /memory list                               what it remembers about you (choices to forget or edit)
  /memory forget 3                           forget the third thing /memory list shows
  /memory remember <fact>                    tell it something to remember
  /memory forget-all                         forget everything (asks first)
  /remind <when> | <what>                    e.g. /remind in 10 minutes | stretch
  /birthday set <date> | /birthday clear     e.g. /birthday set 14 June
  /checkins on | /checkins off               let it check in on you when you have been quiet
  /personality list | /personality use <name>
  /persona set <description> | /persona clear
  /privacy export                            everything stored about you, saved to a file
  /privacy delete                            delete everything about you (asks first)
  /help  /quit
Buttons under a reply are numbered choices: type #2 to press the second; #1 3 picks item 3 from a list.
Replying is just typing.
Your name here is asked once and kept in .lc/name (LC_CHAT_NAME overrides it); what you type is kept
in .lc/history (the up arrow brings it back).
The Bartender is an AI, not a person, and not a therapist or an emergency service: if you say you are
thinking of ending your life or hurting someone, it shows a crisis line (LC_LOCALE picks whose, e.g.
en-US or de); in danger, call your local emergency number. Companion chatbots may not be suitable for
some minors."""


class TerminalCommandError(ValueError):
    """The typed command could not be understood; the message says how to type it."""


def new_snowflake() -> int:
    """An id as Discord mints them: milliseconds, then this process (10 bits, as Discord's worker and
    process ids), then a count — so two processes never mint the same id in the same millisecond."""
    return (
        ((int(time.time() * 1000) - DISCORD_EPOCH_MS) << 22)
        | ((os.getpid() & 0x3FF) << 12)
        | (next(_seq) & 0xFFF)
    )


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
    elif declared:
        options = _fill(declared, rest)
    return {"id": "1", "name": name, "type": 1, **({"options": options} if options else {})}


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


@dataclass(frozen=True)
class Choice:
    """A button or a select under a message, as the terminal offers it (``#n``)."""

    label: str
    custom_id: str
    options: tuple[tuple[str, str], ...] = ()  # a select's (value, label) pairs

    @property
    def confirms(self) -> bool:
        """Whether pressing it carries out something destructive the person was asked about."""
        press = ui.read_press({"custom_id": self.custom_id})
        return press is not None and press.action in ui.CONFIRMED


def choices(components: Any) -> list[Choice]:
    """What can be pressed under a message: its buttons and selects, except Reply (replying is typing)
    and what is disabled."""
    out: list[Choice] = []
    for line in components if isinstance(components, list) else []:
        for item in line.get("components", []) if isinstance(line, Mapping) else []:
            if not isinstance(item, Mapping) or item.get("disabled") or "custom_id" not in item:
                continue
            press = ui.read_press({"custom_id": item["custom_id"]})
            if press is not None and press.action == "reply":
                continue
            if item.get("type") == ui.STRING_SELECT:
                options = tuple((str(o["value"]), str(o["label"])) for o in item.get("options", []))
                out.append(Choice(str(item.get("placeholder", "Choose…")), str(item["custom_id"]), options))
            elif item.get("type") == ui.BUTTON:
                out.append(Choice(str(item.get("label", "")), str(item["custom_id"])))
    return out


def describe_choices(offered: list[Choice]) -> str:
    return "  " + "   ".join(f"#{n} {c.label}" for n, c in enumerate(offered, start=1))


def press_data(line: str, offered: list[Choice]) -> tuple[dict[str, Any], Choice]:
    """``interaction.data`` for ``#n`` (a button) or ``#n k`` (item k of a list: its number as shown)."""
    head, _, rest = line.strip()[1:].partition(" ")
    if not head.isdigit() or not 1 <= int(head) <= len(offered):
        raise TerminalCommandError(
            "There is no such choice here." if offered else "There is nothing to press."
        )
    chosen = offered[int(head) - 1]
    if not chosen.options:
        return {"custom_id": chosen.custom_id, "component_type": ui.BUTTON}, chosen
    pick = rest.strip()
    value = next((v for v, label in chosen.options if label.split(".")[0] == pick), None)
    if value is None and pick.isdigit() and 1 <= int(pick) <= len(chosen.options):
        value = chosen.options[int(pick) - 1][0]
    if value is None:
        raise TerminalCommandError(f"Say which one: #{head} <number from the list>")
    return {"custom_id": chosen.custom_id, "component_type": ui.STRING_SELECT, "values": [value]}, chosen


def modal_submit_data(modal: Mapping[str, Any], values: list[str]) -> dict[str, Any]:
    """``interaction.data`` of a modal submit: each text input with what was typed for it."""
    inputs = [item for line in modal.get("components", []) for item in line.get("components", [])]
    rows = [
        {
            "type": ui.ACTION_ROW,
            "components": [{"type": ui.TEXT_INPUT, "custom_id": i["custom_id"], "value": v}],
        }
        for i, v in zip(inputs, values, strict=False)
    ]
    return {"custom_id": modal["custom_id"], "components": rows}


# Discord's locales (platform-notes.md) that name a region; the others are a language alone ("de", "fr").
_REGIONAL: Final = frozenset({"en-US", "en-GB", "es-ES", "es-419", "pt-BR", "sv-SE", "zh-CN", "zh-TW"})


def terminal_locale() -> str:
    """The Discord locale of the person at this terminal: LC_LOCALE, else what LANG says (de_DE.UTF-8 is
    "de", en_US is "en-US"), else en-GB. It chooses the crisis line a person is shown."""
    chosen = os.environ.get("LC_LOCALE", "").strip()
    if chosen:
        return chosen
    lang = os.environ.get("LANG", "").split(".")[0].replace("_", "-")
    if lang in _REGIONAL:
        return lang
    language = lang.split("-")[0]
    if len(language) == 2 and language.isalpha() and language not in ("en", "es", "pt", "sv", "zh"):
        return language.lower()
    return "en-GB"


def interaction_for(
    data: Mapping[str, Any],
    *,
    token: str,
    username: str,
    kind: int = 2,
    message: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """A DM interaction from the local person, shaped like Discord's: a command (2), a press (3, with the
    message the component is on) or a modal submit (5)."""
    extra = {"message": dict(message)} if message is not None else {}
    return {
        **extra,
        "id": str(new_snowflake()),
        "application_id": LOCAL_APPLICATION_ID,
        "type": kind,
        "token": token,
        "version": 1,
        "channel_id": LOCAL_CHANNEL_ID,
        "channel": {"id": LOCAL_CHANNEL_ID, "type": 1},
        "context": 1,
        "authorizing_integration_owners": {"1": LOCAL_USER_ID},
        "user": {"id": LOCAL_USER_ID, "username": username, "global_name": username},
        "locale": terminal_locale(),
        "data": dict(data),
    }
