from __future__ import annotations

import pytest

from loyal_companion.discord import commands
from loyal_companion.local.terminal import ConfirmationNeeded, TerminalCommandError, parse_line
from loyal_companion.service.commands import HANDLERS


def test_every_route_has_a_definition_and_a_worker_handler() -> None:
    defined = set()
    for d in commands.DEFINITIONS:
        subs = [o["name"] for o in d.get("options", []) if o["type"] == commands.SUB_COMMAND]
        defined |= {f"{d['name']} {s}" for s in subs} if subs else {d["name"]}
    assert defined == set(commands.ROUTES)
    deferred = {k for k, spec in commands.ROUTES.items() if spec.deferred}
    assert deferred <= set(HANDLERS)


def test_every_command_works_in_servers_dms_and_as_a_user_install() -> None:
    for d in commands.DEFINITIONS:
        if d["name"] == "server":
            assert d["integration_types"] == [0] and d["contexts"] == [0]
            assert d["default_member_permissions"] == str(1 << 5)
        else:
            assert d["integration_types"] == [0, 1]
            assert d["contexts"] == [0, 1, 2]


def test_private_commands_are_ephemeral() -> None:
    for key in ("relationship", "memory list", "privacy export", "privacy delete", "persona set", "remind"):
        assert commands.ROUTES[key].ephemeral
    assert not commands.ROUTES["chat"].ephemeral


def test_descriptions_fit_discords_limits() -> None:
    def walk(options: list[dict]) -> None:  # type: ignore[type-arg]
        for o in options:
            assert 1 <= len(o["description"]) <= 100 and len(o["name"]) <= 32
            walk(o.get("options", []))

    for d in commands.DEFINITIONS:
        if d.get("type", 1) == 1:
            assert 1 <= len(d["description"]) <= 100
        walk(d.get("options", []))


def test_invocation_flattens_subcommands() -> None:
    data = {
        "name": "memory",
        "options": [{"type": 1, "name": "forget", "options": [{"type": 4, "name": "id", "value": 3}]}],
    }
    invocation = commands.invocation_of(data)
    assert invocation.key == "memory forget" and invocation.options == {"id": 3}


@pytest.mark.parametrize(
    ("key", "options", "expected"),
    [
        ("chat", {"message": "   "}, "empty"),
        ("chat", {"message": "x" * 1501}, "1500"),
        ("memory remember", {"fact": ""}, "empty"),
        ("memory forget", {"id": 0}, "id"),
        ("memory forget-all", {"confirm": False}, "confirm"),
        ("privacy delete", {}, "confirm"),
        ("remind", {"when": "in 5 minutes", "what": "x" * 201}, "200"),
        ("server features", {"feature": "dancing", "enabled": True}, "features"),
    ],
)
def test_validation_gives_friendly_messages(key: str, options: dict[str, object], expected: str) -> None:
    message = commands.validate(commands.Invocation(key, options))
    assert message is not None and expected in message


def test_valid_options_pass() -> None:
    assert commands.validate(commands.Invocation("chat", {"message": "hello"})) is None
    assert commands.validate(commands.Invocation("privacy delete", {"confirm": True})) is None


def test_terminal_lines_become_interaction_data() -> None:
    assert parse_line("hello")["options"][0] == {"type": 3, "name": "message", "value": "hello"}
    remind = parse_line("/remind in 10 seconds | stretch")
    assert [o["value"] for o in remind["options"]] == ["in 10 seconds", "stretch"]
    forget = parse_line("/memory forget 4")
    assert forget["options"][0]["options"] == [{"type": 4, "name": "id", "value": 4}]
    with pytest.raises(TerminalCommandError):
        parse_line("/memory forget four")
    with pytest.raises(TerminalCommandError):
        parse_line("/nonsense")


@pytest.mark.parametrize(
    "line", ["/privacy delete", "/privacy delete no", "/memory forget-all", "/memory forget-all  "]
)
def test_a_destructive_command_without_an_explicit_yes_asks_and_sends_nothing(line: str) -> None:
    with pytest.raises(ConfirmationNeeded) as asked:
        parse_line(line)
    assert "for good" in asked.value.question and asked.value.hint.endswith(" yes")
    # What is sent once the person says yes: the same command, confirmed.
    confirmed = asked.value.data["options"][0]["options"]
    assert confirmed == [{"type": commands.BOOLEAN, "name": "confirm", "value": True}]


def test_a_destructive_command_goes_with_an_explicit_yes_only() -> None:
    sub = parse_line("/privacy delete yes")["options"][0]
    assert sub["options"] == [{"type": commands.BOOLEAN, "name": "confirm", "value": True}]
    with pytest.raises(TerminalCommandError, match="yes or no"):
        parse_line("/privacy delete maybe")
