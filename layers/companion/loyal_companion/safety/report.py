"""`lc safety report`: the crisis referrals an operator reports, from the daily counts (no personal data).

California (B&P § 22603, from 1 July 2027) asks operators for the number of crisis referral notifications
issued in the preceding calendar year; the counts hold day, kind, language and a number, and nothing else.
Pure: the rows come from ``db.repositories.SafetyCountRepository``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class DailyCount:
    day: date
    kind: str
    language: str
    referrals: int


def report(rows: Iterable[DailyCount], *, since: date, until: date) -> list[str]:
    """The lines of the report for the days from ``since`` to ``until`` (both included)."""
    chosen = [r for r in rows if since <= r.day <= until]
    total = sum(r.referrals for r in chosen)
    lines = [
        f"Crisis referrals from {since} to {until} (UTC days). Stored per day, kind and language only: "
        "no person, message or interaction is kept with them.",
        f"  total       {total}",
    ]
    if not chosen:
        return lines
    by_kind: Counter[str] = Counter()
    by_language: Counter[str] = Counter()
    by_month: Counter[str] = Counter()
    for r in chosen:
        by_kind[r.kind] += r.referrals
        by_language[r.language] += r.referrals
        by_month[f"{r.day:%Y-%m}"] += r.referrals
    lines.append("  by kind     " + ", ".join(f"{k} {n}" for k, n in by_kind.most_common()))
    lines.append("  by language " + ", ".join(f"{k} {n}" for k, n in by_language.most_common()))
    lines.append("  by month")
    lines.extend(f"    {month}  {n}" for month, n in sorted(by_month.items()))
    return lines
