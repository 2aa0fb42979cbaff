"""One proactive runner process for `lc bench proactive`: the deployed run, invoked again and again.

``python -m bench.proactive_runner DATABASE_URL DISCORD_API_BASE LEASE_S MODE`` runs
``run_proactive`` as the proactive Lambda does (its own engine, the pace shared through the database), one
invocation after another, until it is killed. MODE: ``deployed`` (the run's lease: one run at a time),
``overlap`` (no run lease: every runner sends at once, held to the pace shared through the database) or
``overlap-own-pace`` (the baseline: overlapping, each process pacing itself, as before the shared pace).
The benchmark kills runners at random and starts new ones, as Lambda would after a crash or a timeout.
"""

from __future__ import annotations

import logging
import sys
import time
from datetime import UTC, datetime, timedelta


def main(argv: list[str]) -> int:
    from loyal_companion.config import DEFAULT_DISCORD_REQUESTS_PER_SECOND
    from loyal_companion.db.engine import create_db_engine, make_session_factory
    from loyal_companion.db.pacing import SharedPacer
    from loyal_companion.db.uow import UnitOfWork
    from loyal_companion.discord.rest import PROCESS_PACER, DiscordRest
    from loyal_companion.jobs.proactive import ProactiveDeps, run_proactive
    from loyal_companion.llm.offline import OfflineResponder

    url, api_base, lease_s, mode = argv
    logging.basicConfig(level=logging.ERROR)
    engine = create_db_engine(url, pool_size=2, max_overflow=1)
    factory = make_session_factory(engine)
    lease = timedelta(seconds=float(lease_s))
    deps = ProactiveDeps(
        unit_of_work=lambda: UnitOfWork(factory),
        discord=DiscordRest(
            api_base=api_base,
            bot_token="bench-bot-token-" + "x" * 30,
            pacer=PROCESS_PACER
            if mode == "overlap-own-pace"
            else SharedPacer(engine, DEFAULT_DISCORD_REQUESTS_PER_SECOND),
        ),
        model=OfflineResponder(),
        clock=lambda: datetime.now(UTC),
        lease=lease,
        run_lease=lease,
        exclusive=mode == "deployed",
    )
    while True:
        result = run_proactive(deps, max_batches=10_000, deadline_s=3600)
        if not result.claimed:
            time.sleep(0.2)  # the next invocation


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
