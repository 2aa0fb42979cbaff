"""Buttons, selects and modals: what they carry, and reading a press or a submit back.

Pure data and pure functions, imported by the interactions endpoint (no SQLAlchemy, openai or boto3).

Every ``custom_id`` is ``lc1:<action>:<owner>:<argument>`` — the action, the Discord id of the person the
message belongs to, and what the press needs (a fact's id, a page, an expiry). A custom_id comes back
from Discord inside a signed request, but anyone can craft a message with any custom_id: so a press acts
only when the person pressing is the owner it names, and whatever it acts on (a fact, a page) is looked
up among that person's own rows in the worker. A forged custom_id therefore acts for nobody but the one
who pressed it, on nothing but their own data.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

# Discord numbers (platform-notes.md; Components reference).
ACTION_ROW, BUTTON, STRING_SELECT, TEXT_INPUT = 1, 2, 3, 4
PRIMARY, SECONDARY, SUCCESS, DANGER = 1, 2, 3, 4
PARAGRAPH: Final = 2
MODAL: Final = 9  # interaction response: open a modal
DEFERRED_UPDATE_MESSAGE: Final = 6  # interaction response: acknowledge a press, edit the message later
UPDATE_MESSAGE: Final = 7  # interaction response: edit the message the component is on, now

MAX_MODAL_CHARS: Final = 4000  # a paragraph text input holds at most this (Discord's limit)
MAX_CUSTOM_ID: Final = 100
CONFIRM_FOR: Final = timedelta(minutes=5)  # a destructive confirmation button works this long

PREFIX: Final = "lc1"
_CUSTOM_ID = re.compile(r"lc1:([a-z-]{1,20}):([0-9]{1,20}):([0-9A-Za-z_-]{0,40})")
MESSAGE_INPUT: Final = "message"  # the text input of the chat modal
FACT_INPUT: Final = "fact"  # the text input of the edit-a-memory modal

NOT_YOURS: Final = "This one isn't yours — use `/chat` to talk with me yourself."
GONE: Final = "That button has nothing behind it any more."
EXPIRED: Final = "That confirmation has expired, so nothing was changed. Ask again if you still want it."
KEPT: Final = "Kept — nothing was changed."


@dataclass(frozen=True)
class Press:
    """A component press or modal submit, read from its custom_id and data."""

    action: str
    owner: int
    argument: str
    values: tuple[str, ...] = ()  # a select's chosen values
    text: str | None = None  # a modal's text input


def custom_id(action: str, owner: int, argument: str | int = "") -> str:
    value = f"{PREFIX}:{action}:{owner}:{argument}"
    if len(value) > MAX_CUSTOM_ID or not _CUSTOM_ID.fullmatch(value):
        raise ValueError(f"not a custom_id this bot makes: {value!r}")
    return value


def read_press(data: Any) -> Press | None:
    """The press or submit in ``interaction.data``, or None when its custom_id is not one this bot makes
    or its values are not what Discord sends."""
    if not isinstance(data, Mapping):
        return None
    raw = data.get("custom_id")
    if not isinstance(raw, str) or len(raw) > MAX_CUSTOM_ID:
        return None
    match = _CUSTOM_ID.fullmatch(raw)
    if match is None:
        return None
    values = data.get("values") or []
    if (
        not isinstance(values, list)
        or len(values) > 25
        or not all(isinstance(v, str) and len(v) <= 100 for v in values)
    ):
        return None
    ok, text = _modal_text(data.get("components"))
    if not ok:
        return None
    return Press(match.group(1), int(match.group(2)), match.group(3), tuple(values), text or None)


def _modal_text(rows: Any) -> tuple[bool, str | None]:
    """The first text input's value in a modal submit (action rows, or Components V2 labels), and
    whether the shape is Discord's."""
    if rows is None:
        return True, None
    if not isinstance(rows, list) or len(rows) > 5:
        return False, None
    for line in rows:
        if not isinstance(line, Mapping):
            return False, None
        single = line.get("component")
        inner = line.get("components") or ([single] if isinstance(single, Mapping) else [])
        if not isinstance(inner, list):
            return False, None
        for item in inner:
            if isinstance(item, Mapping) and item.get("type") == TEXT_INPUT:
                value = item.get("value")
                if not isinstance(value, str) or len(value) > MAX_MODAL_CHARS:
                    return False, None
                return True, value
    return True, None


def expiry(now: datetime) -> int:
    """The argument of a confirmation button: when it stops working (Unix seconds)."""
    return int((now + CONFIRM_FOR).timestamp())


def expired(press: Press, now: datetime) -> bool:
    return not press.argument.isdigit() or int(press.argument) < now.timestamp()


# -- what the bot builds ----------------------------------------------------------------------------


def button(label: str, custom: str, *, style: int = SECONDARY, disabled: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {"type": BUTTON, "style": style, "label": label[:80], "custom_id": custom}
    if disabled:
        out["disabled"] = True
    return out


def row(*items: dict[str, Any]) -> dict[str, Any]:
    return {"type": ACTION_ROW, "components": list(items)}


def select(custom: str, placeholder: str, options: Sequence[tuple[str, str]]) -> dict[str, Any]:
    """A string select of (value, label) pairs (at most 25)."""
    return {
        "type": STRING_SELECT,
        "custom_id": custom,
        "placeholder": placeholder[:150],
        "min_values": 1,
        "max_values": 1,
        "options": [{"label": _label(label), "value": value} for value, label in options[:25]],
    }


def _label(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 100 else text[:99] + "…"


def where_row(owner: int, language: str) -> dict[str, Any]:
    """The select a person shown a crisis line picks their country from (the endpoint answers it at once);
    its words and choices are safety's (imported here only when one is shown)."""
    from loyal_companion.safety.lines import choices
    from loyal_companion.safety.messages import text

    return row(select(custom_id("where", owner), text("where", language), choices()))


def reply_row(owner: int) -> dict[str, Any]:
    """The Reply button every chat reply carries: it opens the chat modal for its owner."""
    return row(button("Reply", custom_id("reply", owner), style=PRIMARY))


def _box(
    action: str,
    owner: int,
    argument: str | int,
    *,
    title: str,
    input_id: str,
    label: str,
    max_length: int,
    value: str = "",
    placeholder: str = "",
) -> dict[str, Any]:
    """A modal with one required paragraph box."""
    box: dict[str, Any] = {
        "type": TEXT_INPUT,
        "custom_id": input_id,
        "style": PARAGRAPH,
        "label": label,
        "min_length": 1,
        "max_length": max_length,
        "required": True,
    }
    if placeholder:
        box["placeholder"] = placeholder
    if value.strip():
        box["value"] = value.strip()[:max_length]
    return {"custom_id": custom_id(action, owner, argument), "title": title[:45], "components": [row(box)]}


def chat_modal(owner: int, *, title: str = "Talk with the Bartender") -> dict[str, Any]:
    return _box(
        "chat",
        owner,
        "",
        title=title,
        input_id=MESSAGE_INPUT,
        label="Your message",
        max_length=MAX_MODAL_CHARS,
        placeholder="Say what's on your mind…",
    )


def edit_fact_modal(owner: int, fact_id: int, current: str) -> dict[str, Any]:
    """The box to reword one memory, filled with its words as the person saw them (when known)."""
    return _box(
        "edit",
        owner,
        fact_id,
        title="Edit what I remember",
        input_id=FACT_INPUT,
        label="What I should remember instead",
        max_length=300,
        value=current,
    )


def confirm_rows(action: str, owner: int, now: datetime, *, label: str) -> list[dict[str, Any]]:
    """A destructive action's confirmation: the danger button works for ``CONFIRM_FOR``."""
    return [
        row(
            button(label, custom_id(action, owner, expiry(now)), style=DANGER),
            button("Keep it", custom_id("keep", owner), style=SECONDARY),
        )
    ]


_LIST_NUMBER = re.compile(r"\d+\.\s+")


def shown_text(label: str) -> str:
    """A select option's label without its place in the list ("3. ") or the mark of a cut ("…")."""
    return _LIST_NUMBER.sub("", label, count=1).removesuffix("…")


def option_label(message: Any, custom: str, value: str) -> str | None:
    """The label of option ``value`` in the select ``custom`` of a message (what the person saw)."""
    if not isinstance(message, Mapping):
        return None
    for line in message.get("components") or []:
        for item in (line.get("components") or []) if isinstance(line, Mapping) else []:
            if isinstance(item, Mapping) and item.get("custom_id") == custom:
                for option in item.get("options") or []:
                    if isinstance(option, Mapping) and option.get("value") == value:
                        label = option.get("label")
                        return label if isinstance(label, str) else None
    return None


# -- what a press asks the worker to do ---------------------------------------------------------------

# Commands that destroy something are confirmed by a button in a private message that expires: the
# command, the action of its "yes" button, the question and the button's label.
CONFIRMATIONS: Final = {
    "memory forget-all": (
        "forget-all-yes",
        "Forget everything I remember about you? This can't be undone.",
        "Yes, forget everything",
    ),
    "privacy delete": (
        "privacy-yes",
        "Delete everything I have stored about you — memories, conversations, reminders, all of it? "
        "This can't be undone.",
        "Yes, delete it all",
    ),
}
CONFIRMED: Final = frozenset(action for action, _, _ in CONFIRMATIONS.values())

# Presses answered by the worker: the action, the command it runs, and whether the answer is a new
# message (a chat turn) or an edit of the message the component is on.
QUEUED: Final = {
    "chat": ("chat", False),
    "mem-page": ("memory list", True),
    "mem-forget": ("memory forget", True),
    "edit": ("memory edit", True),
    **{action: (command, True) for command, (action, _, _) in CONFIRMATIONS.items()},
}


def command_for(press: Press) -> tuple[str, dict[str, Any]] | None:
    """The command a queued press runs and its options, or None when it is not queued or lacks what it
    needs (the endpoint and the worker read a press the same way)."""
    route = QUEUED.get(press.action)
    options = _queued_options(press)
    return None if route is None or options is None else (route[0], options)


def _queued_options(press: Press) -> dict[str, Any] | None:
    if press.action == "chat":
        return {"message": press.text} if press.text else None
    if press.action == "mem-page":
        return {"page": int(press.argument), "view": True} if press.argument.isdigit() else None
    if press.action == "mem-forget":
        if len(press.values) != 1 or not press.values[0].isdigit():
            return None
        page = int(press.argument) if press.argument.isdigit() else 0
        return {"id": int(press.values[0]), "page": page, "view": True}
    if press.action == "edit":
        if not press.argument.isdigit() or not press.text:
            return None
        return {"id": int(press.argument), "fact": press.text, "view": True}
    if press.action in CONFIRMED:
        return {"confirm": True, "view": True}
    return None
