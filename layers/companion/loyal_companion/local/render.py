"""Discord's markup as a terminal shows it: `lc chat` prints what Discord would render. Pure functions.

- ``<t:1764781200:R>`` → "in 10 minutes, at 18:40" (local time; other styles → "Thu 03 Dec, 18:40");
- ``<@id>`` → "@name" from the names it knows, ``<#id>`` → "#channel";
- ``**bold**``, ``*italic*`` / ``_italic_``, ``__underline__``, ```code``` and ``# headings`` → ANSI styles
  on a terminal, or plain text without the markers when ``styled`` is false.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta, tzinfo
from typing import Final

BOLD: Final = ("\033[1m", "\033[22m")
ITALIC: Final = ("\033[3m", "\033[23m")
UNDERLINE: Final = ("\033[4m", "\033[24m")
DIM: Final = ("\033[2m", "\033[22m")

_TIMESTAMP: Final = re.compile(r"<t:(-?\d{1,13})(?::([tTdDfFR]))?>")
_USER: Final = re.compile(r"<@!?(\d+)>")
_CHANNEL: Final = re.compile(r"<#(\d+)>")
_ROLE: Final = re.compile(r"<@&(\d+)>")
_STYLES: Final = (
    (re.compile(r"\*\*(.+?)\*\*", re.S), BOLD),
    (re.compile(r"__(.+?)__", re.S), UNDERLINE),
    (re.compile(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])", re.S), ITALIC),
    (re.compile(r"(?<![\w_])_(?!\s)(.+?)(?<!\s)_(?![\w_])", re.S), ITALIC),
    (re.compile(r"`([^`\n]+)`"), DIM),
)
_HEADING: Final = re.compile(r"^#{1,3} (.+)$", re.M)
_SUBTEXT: Final = re.compile(r"^-# (.+)$", re.MULTILINE)  # Discord's small grey line


def relative(moment: datetime, now: datetime) -> str:
    """ "in 10 minutes", "3 hours ago", "in 2 days" — the words Discord shows for the R style."""
    seconds = (moment - now).total_seconds()
    size = abs(seconds)
    unit, count = "second", max(1, round(size))
    for name, length in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if size >= length:
            unit, count = name, round(size / length)
            break
    words = f"{count} {unit}{'' if count == 1 else 's'}"
    return f"in {words}" if seconds >= 0 else f"{words} ago"


def _when(moment: datetime, now: datetime, style: str | None) -> str:
    same_day = moment.date() == now.date()
    clock = moment.strftime("%H:%M")
    if style == "R":
        near = abs(moment - now) < timedelta(hours=20)
        at = f"at {clock}" if near else moment.strftime("on %a %d %b, %H:%M")
        return f"{relative(moment, now)}, {at}"
    if style in ("t", "T"):
        return moment.strftime("%H:%M:%S" if style == "T" else "%H:%M")
    if style in ("d", "D"):
        return moment.strftime("%d %b %Y")
    return clock if same_day and style is None else moment.strftime("%a %d %b, %H:%M")


def render(
    text: str,
    *,
    now: datetime,
    zone: tzinfo,
    names: Mapping[str, str] | None = None,
    styled: bool = True,
) -> str:
    """``text`` as a terminal shows it: timestamps in ``zone`` relative to ``now``, mentions as names,
    Markdown as ANSI styles (or plain when not ``styled``)."""
    local_now = now.astimezone(zone)

    def timestamp(m: re.Match[str]) -> str:
        try:
            moment = datetime.fromtimestamp(int(m.group(1)), zone)
        except (OverflowError, OSError, ValueError):
            return m.group(0)
        return _when(moment, local_now, m.group(2))

    known = names or {}
    text = _TIMESTAMP.sub(timestamp, text)
    text = _USER.sub(lambda m: "@" + known.get(m.group(1), "someone"), text)
    text = _ROLE.sub("@role", text)
    text = _CHANNEL.sub(lambda m: "#" + known.get(m.group(1), "channel"), text)
    text = _HEADING.sub(lambda m: f"{BOLD[0]}{m.group(1)}{BOLD[1]}" if styled else m.group(1), text)
    text = _SUBTEXT.sub(lambda m: f"{DIM[0]}{m.group(1)}{DIM[1]}" if styled else f"({m.group(1)})", text)
    for pattern, (start, end) in _STYLES:
        text = pattern.sub(_styler(start, end) if styled else r"\1", text)
    return text


def _styler(start: str, end: str) -> Callable[[re.Match[str]], str]:
    return lambda m: f"{start}{m.group(1)}{end}"
