"""`lc`: the developer's command line (local stack, migrations, commands, benchmarks)."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from loyal_companion.errors import CompanionError
from loyal_companion.observability import configure_cli_logging

logger = logging.getLogger("loyal_companion.cli")


@contextmanager
def database_url_for_cli() -> Iterator[str]:
    """DATABASE_URL when set; otherwise the embedded local Postgres, started for the command's life."""
    from loyal_companion.config import get_settings

    settings = get_settings()
    if settings.database_url is not None:
        yield settings.database_url.get()
        return
    from loyal_companion.local.database import start_local_database

    local = start_local_database()
    try:
        yield local.ensure_database()
    finally:
        local.stop()


def cmd_migrate(args: argparse.Namespace) -> int:
    from loyal_companion.db import migrate

    if args.sql:
        sys.stdout.write(migrate.upgrade_sql(args.revision))
        return 0
    with database_url_for_cli() as url:
        before = migrate.current_revision(url)
        if args.downgrade:
            migrate.downgrade(url, args.revision)
        else:
            migrate.upgrade(url, args.revision)
        after = migrate.current_revision(url)
        similarity = migrate.fact_similarity(url) if after and after >= "0008" else None
    print(f"database at revision {after or 'base'} (was {before or 'empty'})")
    if similarity:
        print(f"fact similarity: {similarity}")
    return 0


def cmd_db(args: argparse.Namespace) -> int:
    """Start the local database, migrate it, print its URL, and keep it up until Ctrl-C."""
    from loyal_companion.db import migrate
    from loyal_companion.local.database import start_local_database

    local = start_local_database()
    try:
        url = local.ensure_database()
        migrate.upgrade(url)
        print(f"PostgreSQL (embedded) ready at revision {migrate.current_revision(url)}")
        print(f"  data:         {local.data_dir}")
        print(f"  DATABASE_URL={url}")
        print("Press Ctrl-C to stop.", flush=True)
        _wait_for_interrupt()
    finally:
        local.stop()
        print("stopped.")
    return 0


def cmd_dev(args: argparse.Namespace) -> int:
    from loyal_companion.local.stack import DevOptions, LocalStack

    stack = LocalStack(
        DevOptions(
            port=args.port,
            discord_port=args.discord_port,
            fast=args.fast,
            check_model=not args.no_model_check,
            model=args.model,
            with_clients=args.with_clients,
        ),
        announce=lambda text: print(text, flush=True),
    )
    try:
        stack.start()
        _wait_for_interrupt()
    finally:
        stack.stop()
        print("local stack stopped.", flush=True)
    return 0


def cmd_chat(args: argparse.Namespace) -> int:
    from loyal_companion.local.chat_session import run_chat

    return run_chat(
        say=args.say, fast=args.fast, port=args.port, discord_port=args.discord_port, model=args.model
    )


def cmd_register_commands(args: argparse.Namespace) -> int:
    from loyal_companion.config import get_settings
    from loyal_companion.discord.register import register_commands
    from loyal_companion.discord.rest import DiscordError, DiscordRest

    settings = get_settings()
    rest = DiscordRest(
        api_base=settings.discord_api_base, bot_token=settings.require("DISCORD_BOT_TOKEN").get()
    )
    scope = f"server {args.guild}" if args.guild else "global (may take up to an hour to show everywhere)"
    try:
        changes = register_commands(rest, settings.require("DISCORD_APPLICATION_ID"), args.guild)
    except DiscordError as exc:
        print(f"lc: registering commands failed: {exc}", file=sys.stderr)
        return 1
    print(f"commands registered, {scope}:\n{changes.describe()}")
    return 0


def cmd_check_secret(args: argparse.Namespace) -> int:
    import json

    from loyal_companion.config import check_secret_document

    try:
        with open(args.file, encoding="utf-8") as handle:
            document = json.load(handle)
    except (OSError, ValueError) as exc:
        print(f"lc: cannot read {args.file} as JSON: {exc}", file=sys.stderr)
        return 2
    ok, lines = check_secret_document(document)
    for line in lines:
        print(line)
    print("the functions can run with this secret" if ok else "lc: fix the lines above before deploying")
    return 0 if ok else 2


def cmd_privacy(args: argparse.Namespace) -> int:
    """An operator answering a person's request: everything stored about them, or all of it deleted."""
    import json
    from pathlib import Path

    from loyal_companion.db.engine import create_db_engine, make_session_factory
    from loyal_companion.db.uow import UnitOfWork
    from loyal_companion.service.commands.privacy import export_of

    if not args.user.isdigit():
        print("lc: --user is the person's Discord id (a number)", file=sys.stderr)
        return 2
    with database_url_for_cli() as url:
        engine = create_db_engine(url, pooled=False)
        try:
            with UnitOfWork(make_session_factory(engine)) as uow:
                user = uow.repos.users.by_discord_id(int(args.user))
                if user is None:
                    print(f"nothing is stored about {args.user}")
                    return 0
                if args.action == "export":
                    out = Path(args.out or f"loyal-companion-export-{args.user}.json")
                    out.write_text(
                        json.dumps(export_of(uow, user), default=str, indent=2, ensure_ascii=False)
                    )
                    out.chmod(0o600)
                    print(f"everything stored about {args.user} is in {out} (readable by you only)")
                    return 0
                if not args.yes:
                    print(
                        "lc: deleting is final; add --yes to delete everything stored about them",
                        file=sys.stderr,
                    )
                    return 2
                uow.repos.users.delete(user.id)
                uow.commit()
                print(f"everything stored about {args.user} is deleted (messages, memories, reminders, all)")
                return 0
        finally:
            engine.dispose()


def cmd_safety_report(args: argparse.Namespace) -> int:
    from datetime import UTC, date, datetime

    from loyal_companion.db.engine import create_db_engine, make_session_factory
    from loyal_companion.db.uow import UnitOfWork
    from loyal_companion.safety.report import DailyCount, report

    today = datetime.now(UTC).date()
    try:
        since = date.fromisoformat(args.since) if args.since else date(today.year, 1, 1)
        until = date.fromisoformat(args.until) if args.until else today
    except ValueError:
        print("lc: dates are YYYY-MM-DD (e.g. --since 2026-01-01)", file=sys.stderr)
        return 2
    with database_url_for_cli() as url:
        engine = create_db_engine(url, pooled=False)
        try:
            with UnitOfWork(make_session_factory(engine)).reading() as uow:
                rows = [
                    DailyCount(r.day, r.kind, r.language, r.referrals) for r in uow.repos.safety.since(since)
                ]
        finally:
            engine.dispose()
    for line in report(rows, since=since, until=until):
        print(line)
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    """The benchmarks live in the checkout (``bench/``), not in the package: run them from there."""
    from loyal_companion.local.functions import repo_root

    root = str(repo_root())
    if root not in sys.path:
        sys.path.insert(0, root)
    try:
        import bench
    except ImportError:
        raise CompanionError("lc bench runs from a checkout of the project (bench/ is not here)") from None
    return bench.run(args.only, lambda line: print(line, flush=True))


def _wait_for_interrupt() -> None:
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    # Ctrl-C stops the stack even when it was started from a script in the background, where the shell
    # starts it with SIGINT ignored (and `lc chat` stops its own stack with SIGINT).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="lc", description="Loyal Companion developer tools.")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", required=True)

    migrate_p = sub.add_parser(
        "migrate",
        help="upgrade the database to the latest schema",
        description="Upgrade DATABASE_URL (or the local embedded database when unset) with alembic.",
    )
    migrate_p.add_argument("revision", nargs="?", default="head", help="target revision (default: head)")
    migrate_p.add_argument("--sql", action="store_true", help="print the SQL instead of running it")
    migrate_p.add_argument("--downgrade", action="store_true", help="downgrade to REVISION instead")
    migrate_p.set_defaults(func=cmd_migrate)

    db_p = sub.add_parser("db", help="run the local embedded PostgreSQL, migrated, until Ctrl-C")
    db_p.set_defaults(func=cmd_db)

    register_p = sub.add_parser(
        "register-commands",
        help="put the slash commands on Discord (bulk overwrite from the registry)",
        description="Needs DISCORD_APPLICATION_ID and DISCORD_BOT_TOKEN (environment or SECRETS_ARN).",
    )
    register_p.add_argument("--guild", help="one server's id: applies at once, handy while developing")
    register_p.set_defaults(func=cmd_register_commands)

    check_p = sub.add_parser(
        "check-secret",
        help="check the app secret's JSON before putting it in Secrets Manager (prints no values)",
        description="Reads FILE with the same loader the functions use; says what is set, missing or wrong.",
    )
    check_p.add_argument("file", help="the JSON you will put in the secret")
    check_p.set_defaults(func=cmd_check_secret)

    privacy_p = sub.add_parser(
        "privacy",
        help="a person's data on request: export it, or delete all of it (DATABASE_URL or SECRETS_ARN)",
    )
    privacy_p.add_argument("action", choices=["export", "delete"])
    privacy_p.add_argument("--user", required=True, help="the person's Discord id")
    privacy_p.add_argument("--out", help="export: the file to write (default loyal-companion-export-ID.json)")
    privacy_p.add_argument("--yes", action="store_true", help="delete: yes, delete everything about them")
    privacy_p.set_defaults(func=cmd_privacy)

    safety_p = sub.add_parser("safety", help="what the safety protocol did (figures an operator reports)")
    safety_sub = safety_p.add_subparsers(dest="safety_command", required=True)
    report_p = safety_sub.add_parser(
        "report",
        help="crisis referrals by kind, language and month (no personal data)",
        description="Reads the daily counts in DATABASE_URL (or the local database when unset).",
    )
    report_p.add_argument("--since", help="first day, YYYY-MM-DD (default: 1 January this year)")
    report_p.add_argument("--until", help="last day, YYYY-MM-DD (default: today)")
    report_p.set_defaults(func=cmd_safety_report)

    bench_p = sub.add_parser(
        "bench", help="print benchmark figures (cold start, handler time, SQL per turn, …)"
    )
    bench_p.add_argument("only", nargs="*", help="benchmarks to run (default: all)")
    bench_p.set_defaults(func=cmd_bench)

    for name, func, text in (
        (
            "dev",
            cmd_dev,
            "run the whole stack locally (database, endpoint, queue, schedules, Discord stand-in)",
        ),
        ("chat", cmd_chat, "talk to the local stack in the terminal (starts `lc dev` if it is not running)"),
    ):
        p = sub.add_parser(name, help=text, description=text)
        p.add_argument(
            "--port", type=int, help="interactions endpoint port (default 8787, or a free one if it is taken)"
        )
        p.add_argument(
            "--discord-port",
            type=int,
            help="Discord stand-in port (default 8790, or a free one if it is taken)",
        )
        p.add_argument(
            "--model",
            help="the chat model: another of a local model server's models, or of OPENAI_BASE_URL's",
        )
        p.add_argument(
            "--fast",
            action="store_true",
            help="run the proactive job every few seconds, not only when something is due",
        )
        if name == "dev":
            p.add_argument(
                "--no-model-check", action="store_true", help="do not probe the model server at start"
            )
            # `lc chat` starts the stack with this: it stops once no `lc chat` is connected any more.
            p.add_argument("--with-clients", action="store_true", help=argparse.SUPPRESS)
        else:
            p.add_argument("--say", help="send one message, print the reply and exit")
        p.set_defaults(func=func)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    configure_cli_logging(args.verbose or bool(os.environ.get("LC_DEBUG")))
    try:
        return int(args.func(args))
    except CompanionError as exc:
        print(f"lc: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
