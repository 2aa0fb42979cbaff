"""The command set: each command's Discord definition and how the endpoint routes it, in one registry.

Pure data and pure functions: the interactions endpoint imports this, so it must stay free of
SQLAlchemy, openai and boto3. The worker-side behaviour of each command lives in
``loyal_companion.service.commands``, keyed by the same ``CommandSpec.key``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

# Discord numbers (platform-notes.md).
CHAT_INPUT: Final = 1
MESSAGE_COMMAND: Final = 3
SUB_COMMAND: Final = 1
STRING: Final = 3
INTEGER: Final = 4
BOOLEAN: Final = 5
CHANNEL: Final = 7
ATTACHMENT: Final = 11
GUILD_INSTALL, USER_INSTALL = 0, 1
CTX_GUILD, CTX_BOT_DM, CTX_PRIVATE_CHANNEL = 0, 1, 2
MANAGE_GUILD: Final = 1 << 5
GUILD_TEXT, GUILD_ANNOUNCEMENT = 0, 5

EVERYWHERE: Final = {
    "integration_types": [GUILD_INSTALL, USER_INSTALL],
    "contexts": [CTX_GUILD, CTX_BOT_DM, CTX_PRIVATE_CHANNEL],
}
SERVER_ONLY: Final = {"integration_types": [GUILD_INSTALL], "contexts": [CTX_GUILD]}

MAX_CHAT_CHARS: Final = 1500  # the /chat option; the Reply box (a modal) takes up to MAX_MODAL_CHARS
MAX_MODAL_CHARS: Final = 4000
MAX_FACT_CHARS: Final = 300
MAX_PERSONA_CHARS: Final = 1000
MAX_REMINDER_CHARS: Final = 200
ASK_COMMAND_NAME: Final = "Ask the Bartender"
REMEMBER_COMMAND_NAME: Final = "Remember this"
FEATURES: Final = ("opinions", "fact_memory", "proactive")


@dataclass(frozen=True)
class CommandSpec:
    """How one command (or subcommand) is handled.

    ``key`` names the worker handler ("memory list", "chat", "Ask the Bartender"). ``deferred`` commands
    go through the queue; the others are answered by the endpoint itself. ``ephemeral`` replies are seen
    only by the person who asked: everything that shows private data is ephemeral.
    """

    key: str
    deferred: bool = True
    ephemeral: bool = True


def _opt(kind: int, name: str, description: str, *, required: bool = False, **extra: Any) -> dict[str, Any]:
    option: dict[str, Any] = {"type": kind, "name": name, "description": description}
    if required:
        option["required"] = True
    option.update(extra)
    return option


def _sub(name: str, description: str, options: Sequence[dict[str, Any]] = ()) -> dict[str, Any]:
    sub: dict[str, Any] = {"type": SUB_COMMAND, "name": name, "description": description}
    if options:
        sub["options"] = list(options)
    return sub


_PERSONALITY_OPT = _opt(STRING, "personality", "Who answers (see /personality list)", max_length=64)
_TIMEZONE_OPT = _opt(STRING, "timezone", "Your time zone, e.g. Europe/Lisbon (remembered)", max_length=64)

DEFINITIONS: Final[list[dict[str, Any]]] = [
    {
        "name": "chat",
        "description": "Talk with the Bartender",
        "options": [
            _opt(
                STRING,
                "message",
                "What you want to say (leave it out for a larger box)",
                max_length=MAX_CHAT_CHARS,
            ),
            _PERSONALITY_OPT,
            _opt(ATTACHMENT, "image", "An image to show (if the model can see images)"),
        ],
        **EVERYWHERE,
    },
    {"name": "mood", "description": "How the Bartender is feeling", **EVERYWHERE},
    {
        "name": "relationship",
        "description": "How well the Bartender knows you (only you see this)",
        **EVERYWHERE,
    },
    {
        "name": "memory",
        "description": "What the Bartender remembers about you (only you see this)",
        "options": [
            _sub("list", "Everything remembered about you, with ids"),
            _sub(
                "remember",
                "Tell the Bartender something to remember",
                [_opt(STRING, "fact", "The thing to remember", required=True, max_length=MAX_FACT_CHARS)],
            ),
            _sub(
                "forget",
                "Forget one thing",
                [
                    _opt(
                        INTEGER,
                        "number",
                        "Its number in /memory list",
                        required=True,
                        min_value=1,
                    )
                ],
            ),
            _sub("forget-all", "Forget everything remembered about you (asks you to confirm)"),
        ],
        **EVERYWHERE,
    },
    {
        "name": "remind",
        "description": "Ask for a reminder",
        "options": [
            _opt(
                STRING,
                "when",
                "e.g. in 20 minutes, tomorrow 9am, 2026-12-24 18:00",
                required=True,
                max_length=64,
            ),
            _opt(STRING, "what", "What to remind you of", required=True, max_length=MAX_REMINDER_CHARS),
            _TIMEZONE_OPT,
        ],
        **EVERYWHERE,
    },
    {
        "name": "birthday",
        "description": "Your birthday, so the Bartender can mark it",
        "options": [
            _sub(
                "set",
                "Set your birthday",
                [
                    _opt(STRING, "date", "e.g. 29 February, 02-29, 1990-02-29", required=True, max_length=32),
                    _TIMEZONE_OPT,
                ],
            ),
            _sub("clear", "Forget your birthday"),
        ],
        **EVERYWHERE,
    },
    {
        "name": "checkins",
        "description": "Gentle check-ins when you have been quiet for a while",
        "options": [_sub("on", "Allow check-ins"), _sub("off", "No check-ins; cancels any pending")],
        **EVERYWHERE,
    },
    {
        "name": "personality",
        "description": "Who you talk to",
        "options": [
            _sub("list", "The personalities you can talk to"),
            _sub(
                "use",
                "Talk to this personality from now on",
                [_opt(STRING, "name", "Its name", required=True, max_length=64)],
            ),
        ],
        **EVERYWHERE,
    },
    {
        "name": "persona",
        "description": "How you would like to be known",
        "options": [
            _sub(
                "set",
                "Describe yourself in your own words",
                [
                    _opt(
                        STRING,
                        "description",
                        "A few lines about you",
                        required=True,
                        max_length=MAX_PERSONA_CHARS,
                    )
                ],
            ),
            _sub("clear", "Remove your description"),
        ],
        **EVERYWHERE,
    },
    {
        "name": "privacy",
        "description": "Your data",
        "options": [
            _sub("export", "Everything stored about you, as a file only you see"),
            _sub("delete", "Delete everything stored about you (asks you to confirm)"),
        ],
        **EVERYWHERE,
    },
    {"name": "help", "description": "What the Bartender can do", **EVERYWHERE},
    {
        "name": "server",
        "description": "Server settings for the Bartender",
        "default_member_permissions": MANAGE_GUILD,  # a number, as Discord's request schema has it
        "options": [
            _sub(
                "personality",
                "This server's default personality",
                [_opt(STRING, "name", "Its name", required=True, max_length=64)],
            ),
            _sub(
                "checkins-channel",
                "Where check-ins for this server go",
                [
                    _opt(
                        CHANNEL,
                        "channel",
                        "A text channel",
                        required=True,
                        channel_types=[GUILD_TEXT, GUILD_ANNOUNCEMENT],
                    )
                ],
            ),
            _sub(
                "minors",
                "Say whether people under 18 may be here (shorter reminders, no adult content)",
                [_opt(BOOLEAN, "enabled", "On: treat everyone here as possibly under 18", required=True)],
            ),
            _sub(
                "features",
                "Switch a feature on or off for this server",
                [
                    _opt(
                        STRING,
                        "feature",
                        "Which feature",
                        required=True,
                        choices=[{"name": n.replace("_", " "), "value": n} for n in FEATURES],
                    ),
                    _opt(BOOLEAN, "enabled", "On or off", required=True),
                ],
            ),
        ],
        **SERVER_ONLY,
    },
    {"name": ASK_COMMAND_NAME, "type": MESSAGE_COMMAND, **EVERYWHERE},
    {"name": REMEMBER_COMMAND_NAME, "type": MESSAGE_COMMAND, **EVERYWHERE},
]

ROUTES: Final[Mapping[str, CommandSpec]] = {
    spec.key: spec
    for spec in (
        CommandSpec("chat", ephemeral=False),
        CommandSpec("mood", ephemeral=False),
        CommandSpec("relationship"),
        CommandSpec("memory list"),
        CommandSpec("memory remember"),
        CommandSpec("memory forget"),
        CommandSpec("memory forget-all"),
        CommandSpec("remind"),
        CommandSpec("birthday set"),
        CommandSpec("birthday clear"),
        CommandSpec("checkins on"),
        CommandSpec("checkins off"),
        CommandSpec("personality list"),
        CommandSpec("personality use"),
        CommandSpec("persona set"),
        CommandSpec("persona clear"),
        CommandSpec("privacy export"),
        CommandSpec("privacy delete"),
        CommandSpec("help", deferred=False),
        CommandSpec("server personality"),
        CommandSpec("server checkins-channel"),
        CommandSpec("server features"),
        CommandSpec("server minors"),
        CommandSpec(ASK_COMMAND_NAME),
        CommandSpec(REMEMBER_COMMAND_NAME),
    )
}


@dataclass(frozen=True)
class Invocation:
    """A command invocation flattened: its key ("memory forget") and its options by name."""

    key: str
    options: Mapping[str, Any] = field(default_factory=dict)


def target_message(data: Mapping[str, Any]) -> Mapping[str, Any]:
    """The message a message command was used on (``data.resolved.messages[target_id]``)."""
    resolved = data.get("resolved")
    messages = resolved.get("messages") if isinstance(resolved, Mapping) else None
    target = messages.get(str(data.get("target_id"))) if isinstance(messages, Mapping) else None
    return target if isinstance(target, Mapping) else {}


def not_your_message(data: Mapping[str, Any], person: int) -> str | None:
    """Why "Remember this" refuses a message: it remembers only what the person said themselves."""
    target = target_message(data)
    author = target.get("author")
    if not isinstance(author, Mapping) or str(author.get("id")) != str(person):
        return "I can only remember what you said yourself — that message is someone else's."
    content = target.get("content")
    if not isinstance(content, str) or not content.strip():
        return "There are no words in that message for me to remember."
    return None


def invocation_for(payload: Mapping[str, Any]) -> Invocation:
    """What an interaction asks for: a command's invocation, or the command a button press or a modal
    submit runs (``components.QUEUED``); an unknown press is the empty invocation."""
    from loyal_companion.discord import components

    data = payload.get("data") or {}
    if payload.get("type") in (3, 5):
        press = components.read_press(data)
        command = components.command_for(press) if press is not None else None
        return Invocation(*command) if command is not None else Invocation("")
    return invocation_of(data)


def invocation_of(data: Mapping[str, Any]) -> Invocation:
    """Flatten ``interaction.data`` (command, subcommand group, subcommand) into an Invocation."""
    parts = [str(data.get("name", ""))]
    options: Sequence[Mapping[str, Any]] = data.get("options") or []
    while options and options[0].get("type") in (SUB_COMMAND, 2):
        parts.append(str(options[0].get("name", "")))
        options = options[0].get("options") or []
    values = {str(o.get("name")): o.get("value") for o in options if isinstance(o, Mapping)}
    return Invocation(" ".join(parts), values)


# Options that are text a person typed: what to say when it is empty, its limit, what to say when longer.
_TEXT_OPTIONS: Final[Mapping[str, tuple[str, str, int, str]]] = {
    "chat": (
        "message",
        "Say something first — the message was empty.",
        MAX_MODAL_CHARS,
        f"That is a lot to take in at once. Could you keep it under {MAX_MODAL_CHARS} characters?",
    ),
    "memory remember": (
        "fact",
        "Tell me what to remember — the fact was empty.",
        MAX_FACT_CHARS,
        f"Keep it to {MAX_FACT_CHARS} characters, and I will hold on to it.",
    ),
    "memory edit": (
        "fact",
        "Tell me what to remember instead — it was empty.",
        MAX_FACT_CHARS,
        f"Keep it to {MAX_FACT_CHARS} characters, and I will hold on to it.",
    ),
    "remind": (
        "what",
        "What should I remind you of?",
        MAX_REMINDER_CHARS,
        f"Keep the reminder under {MAX_REMINDER_CHARS} characters.",
    ),
    "persona set": (
        "description",
        "Tell me a little about yourself first — the description was empty.",
        MAX_PERSONA_CHARS,
        f"Keep it under {MAX_PERSONA_CHARS} characters.",
    ),
}


def validate(invocation: Invocation) -> str | None:
    """A friendly message when the options are unusable before any work is done; None when fine.

    Discord enforces the definitions' limits itself, but requests can be hand-made, so the endpoint
    checks again. Checks that need the person's data (a date in their time zone) happen in the worker.
    """
    opts = invocation.options
    if invocation.key in _TEXT_OPTIONS:
        name, empty, limit, too_long = _TEXT_OPTIONS[invocation.key]
        value = opts.get(name)
        if not isinstance(value, str) or not value.strip():
            return empty
        if len(value) > limit:
            return too_long
    if invocation.key == "memory forget":
        # A number from /memory list, or (from the list's own choices) the fact's id.
        chosen = opts.get("number", opts.get("id"))
        if not isinstance(chosen, int) or isinstance(chosen, bool) or chosen < 1:
            return (
                "That number does not look right. `/memory list` numbers what I remember; use one of those."
            )
    if invocation.key == "server features" and opts.get("feature") not in FEATURES:
        return f"I only know these features: {', '.join(FEATURES)}."
    return None


HELP_TEXT: Final = (
    "**The Bartender** — a steady place to talk. I remember what you tell me, I have moods of my own, "
    "and I get to know you over time.\n"
    "• `/chat` — talk to me; every reply has a **Reply** button, so the conversation just goes on\n"
    "• on a message: Apps → *Ask the Bartender* (talk about it) · *Remember this* (one of yours)\n"
    "• `/mood` — how I'm doing · `/relationship` — how well I know you\n"
    "• `/memory list` — what I remember about you, to forget or edit · `/memory forget` by its number · "
    "`/memory remember`\n"
    "• `/remind` · `/birthday` · `/checkins on|off` — I can reach out, only if you ask\n"
    "• `/personality` · `/persona` — who you talk to, and how you'd like to be known\n"
    "• `/privacy export|delete` — your data, yours to take or erase\n"
    "Private things (memories, relationship, privacy) are only ever shown to you.\n\n"
    "I'm an AI, not a person — and not a therapist or an emergency service. If you tell me you're "
    "thinking of ending your life, hurting yourself or someone else, I'll show you a crisis line (only you "
    "see it); if you're in danger, call your local emergency number. Companion chatbots like me may not be "
    "suitable for some minors."
)
