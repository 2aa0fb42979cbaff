"""`lc register-commands`: put the registry's command set on Discord, saying what changed."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from loyal_companion.discord.commands import DEFINITIONS
from loyal_companion.discord.rest import DiscordRest

# Fields Discord adds to stored commands that are not part of what we send.
_SERVER_FIELDS = frozenset(
    {
        "id",
        "application_id",
        "version",
        "guild_id",
        "dm_permission",
        "nsfw",
        "name_localizations",
        "description_localizations",
        "handler",
    }
)


@dataclass(frozen=True)
class CommandChanges:
    added: tuple[str, ...]
    changed: tuple[str, ...]
    removed: tuple[str, ...]
    unchanged: tuple[str, ...]

    def describe(self) -> str:
        lines = []
        for label, names in (("added", self.added), ("changed", self.changed), ("removed", self.removed)):
            if names:
                lines.append(f"{label}: {', '.join(names)}")
        lines.append(f"unchanged: {len(self.unchanged)}")
        return "\n".join(lines)


def _key(command: Mapping[str, Any]) -> str:
    return f"{command.get('type', 1)}:{command['name']}"


def _comparable(command: Mapping[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in command.items() if k not in _SERVER_FIELDS and v not in (None, [], False)}
    out.setdefault("type", 1)
    if "default_member_permissions" in out:  # sent as a number (the schema's type), read back as a string
        out["default_member_permissions"] = str(out["default_member_permissions"])
    if out.get("type") != 1:
        out.pop("description", None)  # context-menu commands have an empty description on Discord's side
    return out


def diff(current: Sequence[Mapping[str, Any]], wanted: Sequence[Mapping[str, Any]]) -> CommandChanges:
    have = {_key(c): _comparable(c) for c in current}
    want = {_key(c): _comparable(c) for c in wanted}
    name = {_key(c): str(c["name"]) for c in [*current, *wanted]}
    return CommandChanges(
        added=tuple(sorted(name[k] for k in want.keys() - have.keys())),
        changed=tuple(sorted(name[k] for k in want.keys() & have.keys() if want[k] != have[k])),
        removed=tuple(sorted(name[k] for k in have.keys() - want.keys())),
        unchanged=tuple(sorted(name[k] for k in want.keys() & have.keys() if want[k] == have[k])),
    )


def register_commands(rest: DiscordRest, application_id: str, guild_id: str | None = None) -> CommandChanges:
    """Bulk-overwrite the global (or one server's) command set with the registry; return the changes."""
    current = rest.get_commands(application_id, guild_id)
    changes = diff(current, DEFINITIONS)
    rest.put_commands(application_id, DEFINITIONS, guild_id)
    return changes
