"""What every command handler receives, and what it gives back."""

from __future__ import annotations

import base64
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from loyal_companion.config import Settings
from loyal_companion.db.models import User
from loyal_companion.db.uow import UnitOfWork
from loyal_companion.discord.commands import Invocation
from loyal_companion.discord.interaction import InteractionInfo
from loyal_companion.discord.rest import Attachment, DiscordRest
from loyal_companion.llm.types import ChatModel, Embedder
from loyal_companion.memory.vectors import usable_embedder
from loyal_companion.wake import NoWaker, Waker

if TYPE_CHECKING:
    from loyal_companion.safety.moderation import Moderator

RESERVE_S = 8.0  # of the time left for a record, kept for storing the turn and delivering the reply
MIN_MODEL_S = 3.0  # a model call with less time than this is not started (the record is retried)


@dataclass(frozen=True)
class Reply:
    content: str
    ephemeral: bool = True
    files: tuple[Attachment, ...] = ()
    # Work the reply does not wait for (reading a window of the conversation into memory): the worker
    # runs it after the reply is delivered. Not part of the stored receipt.
    after: Callable[[], object] | None = field(default=None, compare=False, repr=False)
    # False: the receipt keeps no copy of the files (an export of everything about the person).
    keep_files: bool = field(default=True, compare=False)
    # The earliest time something this command wrote is due (a reminder, a birthday, a follow-up, a
    # check-in): the worker makes sure the proactive run wakes by then. Not part of the receipt.
    due: datetime | None = field(default=None, compare=False)
    # Buttons and selects under the reply (None leaves a message's own as they are; () removes them).
    components: tuple[dict[str, Any], ...] | None = None
    # Delivered as a private follow-up instead of in the original message (a crisis the endpoint could not
    # see in a server channel: the original is public and says only that the answer is private).
    followup: bool = False

    def to_json(self) -> dict[str, Any]:
        """What the receipt keeps (a redelivered record re-sends it)."""
        shown: dict[str, Any] = {}
        if self.components is not None:
            shown["components"] = list(self.components)
        if self.followup:
            shown["followup"] = True
        if self.files and not self.keep_files:
            return {
                "content": self.content + "\n\n(The file went with the first delivery of this reply.)",
                "ephemeral": self.ephemeral,
                "files": [],
                **shown,
            }
        return {
            **shown,
            "content": self.content,
            "ephemeral": self.ephemeral,
            "files": [
                {
                    "filename": f.filename,
                    "content_type": f.content_type,
                    "data": base64.b64encode(f.data).decode(),
                }
                for f in self.files
            ],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Reply:
        files = tuple(
            Attachment(
                f["filename"], base64.b64decode(f["data"]), f.get("content_type", "application/octet-stream")
            )
            for f in data.get("files", [])
        )
        shown = data.get("components")
        return cls(
            content=str(data.get("content", "")),
            ephemeral=bool(data.get("ephemeral", True)),
            files=files,
            components=tuple(shown) if isinstance(shown, list) else None,
            followup=data.get("followup") is True,
        )


@dataclass
class Services:
    """The container's collaborators, wired once (``runtime.services``) or by a test."""

    unit_of_work: Callable[[], UnitOfWork]
    discord: DiscordRest
    model: ChatModel
    settings: Settings
    clock: Callable[[], datetime]
    stream_edit_interval: float = 1.5
    # Relating facts to a message by meaning; None unless EMBEDDINGS_MODEL is set.
    embedder: Embedder | None = None
    # Wakes the proactive run by the time something this worker wrote is due (wake.py).
    waker: Waker = field(default_factory=NoWaker)
    # The model server's moderation endpoint, a second opinion beside safety.detect (None: none).
    moderation: Moderator | None = None
    # Whether the database keeps vectors (pgvector's table is there), asked once per container.
    _vectors_ready: bool | None = field(default=None, repr=False)

    def memory_embedder(self) -> Embedder | None:
        """The embedder, when the database can keep what it makes: with no pgvector nothing is embedded
        (said once, in the log), rather than a model call whose vector is thrown away."""
        if self.embedder is None:
            return None
        if self._vectors_ready is None:
            with self.unit_of_work().reading() as uow:
                self._vectors_ready = uow.repos.facts.vectors_ready()
        return usable_embedder(self.embedder, database_ready=self._vectors_ready)


@dataclass
class CommandContext:
    info: InteractionInfo
    invocation: Invocation
    interaction: dict[str, Any]
    services: Services
    now: datetime
    user_id: int | None = field(default=None)
    # When this record's work must be over (time.monotonic()), from the Lambda's remaining time; None
    # outside Lambda (the local stack, tests).
    deadline: float | None = field(default=None)
    # The endpoint deferred this interaction privately (a crisis it saw in a server channel).
    deferred_privately: bool = field(default=False)

    def time_left(self) -> float | None:
        return None if self.deadline is None else self.deadline - time.monotonic()

    def model_budget(self) -> float | None:
        """Seconds a model call may take: what is left, less what storing and delivering need."""
        left = self.time_left()
        return None if left is None else left - RESERVE_S

    @contextmanager
    def transaction(self) -> Iterator[UnitOfWork]:
        with self.services.unit_of_work() as uow:
            yield uow

    @contextmanager
    def reading(self) -> Iterator[UnitOfWork]:
        """Reads outside a transaction: one round trip per statement, nothing to commit or roll back."""
        with self.services.unit_of_work().reading() as uow:
            yield uow

    def person(self, uow: UnitOfWork) -> User:
        """The invoking person's row, created or refreshed (names, last seen)."""
        user = uow.repos.users.upsert_seen(
            discord_id=self.info.person.discord_id,
            username=self.info.person.username,
            display_name=self.info.person.display_name,
            now=self.now,
        )
        self.user_id = user.id
        return user

    def finish(self, uow: UnitOfWork, reply: Reply, *, anonymous: bool = False) -> Reply:
        """Store the reply as this interaction's receipt and commit, together with the command's effects.

        ``anonymous`` keeps the receipt from pointing at the person (after they asked to be deleted).
        """
        uow.repos.receipts.add(
            interaction_id=self.info.id,
            user_id=None if anonymous else self.user_id,
            command=self.invocation.key,
            reply=reply.to_json(),
            now=self.now,
        )
        uow.commit()
        return reply
