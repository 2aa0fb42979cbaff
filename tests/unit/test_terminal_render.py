"""What `lc chat` shows for Discord's markup: local times, names, and styles (or plain text)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from loyal_companion.local.render import BOLD, ITALIC, relative, render

NOW = datetime(2026, 12, 3, 18, 30, tzinfo=UTC)
LISBON_WINTER = timezone(timedelta(0))
BERLIN_WINTER = timezone(timedelta(hours=1))


def _at(**delta: float) -> int:
    return int((NOW + timedelta(**delta)).timestamp())


def test_timestamps_read_as_local_times() -> None:
    text = f"I'll remind you <t:{_at(minutes=10)}:R> (Thu 03 Dec, 18:40 UTC): stretch"
    assert render(text, now=NOW, zone=BERLIN_WINTER, styled=False).startswith(
        "I'll remind you in 10 minutes, at 19:40 "
    )
    assert render(f"<t:{_at(days=3)}:R>", now=NOW, zone=LISBON_WINTER) == "in 3 days, on Sun 06 Dec, 18:30"
    assert render(f"<t:{_at(hours=-2)}:R>", now=NOW, zone=LISBON_WINTER) == "2 hours ago, at 16:30"
    assert render(f"<t:{_at(minutes=5)}:t>", now=NOW, zone=LISBON_WINTER) == "18:35"
    assert render("<t:99999999999999999:R>", now=NOW, zone=LISBON_WINTER) == "<t:99999999999999999:R>"


def test_relative_words() -> None:
    assert relative(NOW + timedelta(seconds=10), NOW) == "in 10 seconds"
    assert relative(NOW + timedelta(minutes=1), NOW) == "in 1 minute"
    assert relative(NOW - timedelta(days=1), NOW) == "1 day ago"


def test_mentions_read_as_names() -> None:
    names = {"100": "Ottoline"}
    out = render("<@100>, <@!100> and <@200> in <#300>; <@&5>", now=NOW, zone=UTC, names=names, styled=False)
    assert out == "@Ottoline, @Ottoline and @someone in #channel; @role"


def test_markdown_styled_on_a_terminal_and_plain_otherwise() -> None:
    text = "**Happy** — _(offline responder)_ and `mood  ` snake_case_name"
    assert (
        render(text, now=NOW, zone=UTC, styled=False)
        == "Happy — (offline responder) and mood   snake_case_name"
    )
    styled = render(text, now=NOW, zone=UTC)
    assert f"{BOLD[0]}Happy{BOLD[1]}" in styled and f"{ITALIC[0]}(offline responder){ITALIC[1]}" in styled
    assert "**" not in styled and "snake_case_name" in styled


def test_subtext_is_a_quiet_line() -> None:
    shown = render("Sure?\n-# This button works for 5 minutes.", now=NOW, zone=UTC, styled=False)
    assert shown == "Sure?\n(This button works for 5 minutes.)"
