from __future__ import annotations

import pytest

from loyal_companion.discord import commands
from loyal_companion.discord import components as ui
from loyal_companion.local.terminal import (
    TerminalCommandError,
    choices,
    describe_choices,
    modal_submit_data,
    parse_line,
    press_data,
)
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
            assert d["default_member_permissions"] == 1 << 5
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
        "options": [{"type": 1, "name": "forget", "options": [{"type": 4, "name": "number", "value": 3}]}],
    }
    invocation = commands.invocation_of(data)
    assert invocation.key == "memory forget" and invocation.options == {"number": 3}


@pytest.mark.parametrize(
    ("key", "options", "expected"),
    [
        ("chat", {"message": "   "}, "empty"),
        ("chat", {"message": "x" * 4001}, "4000"),
        ("memory edit", {"id": 3, "fact": " "}, "empty"),
        ("memory remember", {"fact": ""}, "empty"),
        ("memory forget", {"number": 0}, "/memory list"),
        ("remind", {"when": "in 5 minutes", "what": "x" * 201}, "200"),
        ("server features", {"feature": "dancing", "enabled": True}, "features"),
    ],
)
def test_validation_gives_friendly_messages(key: str, options: dict[str, object], expected: str) -> None:
    message = commands.validate(commands.Invocation(key, options))
    assert message is not None and expected in message


def test_valid_options_pass() -> None:
    assert commands.validate(commands.Invocation("chat", {"message": "hello"})) is None
    assert (
        commands.validate(commands.Invocation("chat", {"message": "x" * 4000})) is None
    )  # the Reply box's size


def test_terminal_lines_become_interaction_data() -> None:
    assert parse_line("hello")["options"][0] == {"type": 3, "name": "message", "value": "hello"}
    remind = parse_line("/remind in 10 seconds | stretch")
    assert [o["value"] for o in remind["options"]] == ["in 10 seconds", "stretch"]
    forget = parse_line("/memory forget 4")
    assert forget["options"][0]["options"] == [{"type": 4, "name": "number", "value": 4}]
    with pytest.raises(TerminalCommandError):
        parse_line("/memory forget four")
    with pytest.raises(TerminalCommandError):
        parse_line("/nonsense")


def test_buttons_under_a_reply_are_numbered_choices_and_reply_is_just_typing() -> None:
    items = [("71", "9. Likes tea"), ("72", "10. Hates rain")]
    view = [
        ui.row(ui.select(ui.custom_id("mem-forget", 5, 1), "Forget one…", items)),
        ui.row(
            ui.button("Previous", ui.custom_id("mem-page", 5, 0)),
            ui.button("Next", ui.custom_id("mem-page", 5, 2), disabled=True),
        ),
        ui.reply_row(5),
    ]
    offered = choices(view)
    assert [c.label for c in offered] == ["Forget one…", "Previous"]  # not the disabled one, not Reply
    assert describe_choices(offered) == "  #1 Forget one…   #2 Previous"
    # "#1 10" picks the item shown as 10 (its number in the list).
    picked = press_data("#1 10", offered)[0]
    assert picked == {"custom_id": "lc1:mem-forget:5:1", "component_type": 3, "values": ["72"]}
    assert press_data("#2", offered)[0] == {"custom_id": "lc1:mem-page:5:0", "component_type": 2}
    for wrong in ("#3", "#0", "#x", "#1", "#1 11"):
        with pytest.raises(TerminalCommandError):
            press_data(wrong, offered)


def test_a_box_is_submitted_with_what_was_typed() -> None:
    modal = ui.chat_modal(5)
    assert modal_submit_data(modal, ["hello"]) == {
        "custom_id": "lc1:chat:5:",
        "components": [{"type": 1, "components": [{"type": 4, "custom_id": "message", "value": "hello"}]}],
    }
    press = ui.read_press(modal_submit_data(modal, ["hello"]))
    assert press is not None and (press.action, press.owner, press.text) == ("chat", 5, "hello")


def test_destructive_commands_carry_no_confirm_option_any_more() -> None:
    # Confirmed by a button (the endpoint asks), never by an option typed or ticked.
    for line in ("/privacy delete", "/memory forget-all"):
        assert not parse_line(line)["options"][0]["options"]
