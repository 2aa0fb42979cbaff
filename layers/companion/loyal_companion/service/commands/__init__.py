"""What each queued command does, keyed like ``discord.commands.ROUTES``.

Every handler opens its own transaction(s), does its work through repositories, and ends with
``ctx.finish(uow, reply)`` so that the effects and the stored reply commit together.


One module per family of commands: ``talk``, ``memory``, ``reminders``, ``personalities``, ``privacy``,
``server``; what they share in ``common``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Final

from loyal_companion.discord.commands import ASK_COMMAND_NAME, REMEMBER_COMMAND_NAME
from loyal_companion.service.commands.memory import (
    memory_edit,
    memory_forget,
    memory_forget_all,
    memory_list,
    memory_remember,
    remember_this,
)
from loyal_companion.service.commands.personalities import (
    persona_clear,
    persona_set,
    personality_list,
    personality_use,
)
from loyal_companion.service.commands.privacy import privacy_delete, privacy_export
from loyal_companion.service.commands.reminders import (
    birthday_clear,
    birthday_set,
    checkins_off,
    checkins_on,
    remind,
)
from loyal_companion.service.commands.server import (
    server_checkins_channel,
    server_features,
    server_minors,
    server_personality,
)
from loyal_companion.service.commands.talk import ask_about_message, chat, help_command, mood, relationship
from loyal_companion.service.context import CommandContext, Reply

Handler = Callable[[CommandContext], Reply]

HANDLERS: Final[Mapping[str, Handler]] = {
    "chat": chat,
    ASK_COMMAND_NAME: ask_about_message,
    REMEMBER_COMMAND_NAME: remember_this,
    "mood": mood,
    "relationship": relationship,
    "memory list": memory_list,
    "memory remember": memory_remember,
    "memory forget": memory_forget,
    "memory forget-all": memory_forget_all,
    "memory edit": memory_edit,
    "remind": remind,
    "birthday set": birthday_set,
    "birthday clear": birthday_clear,
    "checkins on": checkins_on,
    "checkins off": checkins_off,
    "personality list": personality_list,
    "personality use": personality_use,
    "persona set": persona_set,
    "persona clear": persona_clear,
    "privacy export": privacy_export,
    "privacy delete": privacy_delete,
    "server personality": server_personality,
    "server checkins-channel": server_checkins_channel,
    "server features": server_features,
    "server minors": server_minors,
    "help": help_command,
}
