"""What Discord tells the app about itself (Event Webhooks): a person who removes the app
(APPLICATION_DEAUTHORIZED) leaves nothing behind — everything stored about them is deleted, as
/privacy delete does, and counted (``PeopleDeleted``, How = app removed; no id in any log line).
"""

from __future__ import annotations

import logging
from typing import Any

from loyal_companion.observability import record_metric
from loyal_companion.service.context import Services

logger = logging.getLogger(__name__)

DEAUTHORIZED = "APPLICATION_DEAUTHORIZED"


def handle_event(event: dict[str, Any], services: Services) -> None:
    """One queued webhook event. A repeat (Discord may send an event twice) finds nothing left to delete."""
    if event.get("type") != DEAUTHORIZED:
        logger.warning("dropping a queued webhook event of an unknown type")
        return
    user_id = str(event.get("user_id", ""))
    if not user_id.isdigit():
        logger.error("dropping a removal event with no person in it")
        return
    with services.unit_of_work() as uow:
        user = uow.repos.users.by_discord_id(int(user_id))
        if user is not None:
            uow.repos.users.delete(user.id)
        uow.commit()
    if user is None:
        logger.info("a person removed the app; nothing was stored about them (or it is gone already)")
        return
    record_metric("PeopleDeleted", 1, dimensions={"How": "app removed"})
    logger.info("a person removed the app; everything stored about them was deleted")
