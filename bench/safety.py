"""`lc bench safety`: the crisis detector on bench/data/safety/ beside a plain keyword list, in one run.

Recall per kind, language and style of wording; false positives on the hard negatives (idioms, games,
kitchen cuts, medication, grief without danger, news); detection time per message. Four parts, printed
apart, in the order they were written: the first rules were tuned on two thirds of ``messages_*.tsv``; the
other third was held out and then looked at; ``fresh_*.tsv`` came next and showed those rules did not carry
over (31.9 % recall), which led to the rules over concepts, tuned on all three; ``unseen_*.tsv`` was
written before the concept rules existed and run once when they were done: 95.1 % recall, no false
positives — the honest figure. Three of its four misses then showed two bugs (a template that asked for
the person twice, a gap too short for "every time I cross that bridge") and a Dutch separable verb, which
were fixed; it flatters a little since. ``grief_*.tsv`` (2026-12-05) is what a person who has lost someone
writes — wanting to be with the one who died, and talk of the dead's own wishes that is no crisis — written
after a spot check missed the first kind and flagged the second, run once before any rule changed for it,
then tuned on.
"""

from __future__ import annotations

import statistics
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from loyal_companion.safety.text import fold

Report = Callable[[str], None]


# The baseline: the words a keyword filter would list, matched in folded text.
KEYWORDS = (
    "suicide", "suicidal", "kill myself", "want to die", "self harm", "self-harm", "cut myself", "kill him",
    "kill her", "suicid", "matarme", "morirme", "quiero morir", "cortarme", "matarlo", "me tuer", "mourir",
    "scarif", "me couper", "le tuer", "selbstmord", "suizid", "umbringen", "sterben", "ritzen",
    "bring ihn um", "me matar", "morrer", "me cortar", "matar ele", "uccidermi", "ammazzarmi", "morire",
    "tagliarmi", "ammazzo", "zelfmoord", "dood", "snijden", "van kant", "samoboj", "zabic", "umrzec",
    "pociac",
)  # fmt: skip


@dataclass(frozen=True)
class Example:
    language: str
    category: str  # suicide, self_harm, harm_others or none
    style: str
    text: str
    part: str  # "tuned", "held out", "fresh", "unseen" or "grief"


def load_examples(folder: Path) -> list[Example]:
    examples: list[Example] = []
    for path in sorted(folder.glob("*_*.tsv")):
        lines = [
            line
            for line in path.read_text(encoding="utf-8").splitlines()
            if line and not line.startswith("#")
        ]
        for n, line in enumerate(lines):
            language, category, style, text = line.split("\t", 3)
            if path.name.startswith(("fresh_", "unseen_", "grief_")):
                part = path.name.split("_")[0]
            else:
                part = "held out" if n % 3 == 2 else "tuned"
            examples.append(Example(language, category, style, text, part))
    return examples


def keyword_flags(text: str) -> bool:
    folded = fold(text)
    return any(k in folded for k in KEYWORDS)


PARTS = ("tuned", "held out", "fresh", "unseen", "grief")


@dataclass
class Tally:
    hits: int = 0
    total: int = 0

    def add(self, hit: bool) -> None:
        self.hits += hit
        self.total += 1

    def __str__(self) -> str:
        return f"{self.hits / self.total:6.1%} ({self.hits}/{self.total})" if self.total else "     —"


def score(examples: list[Example], flags: Callable[[str], bool]) -> dict[str, Any]:
    """Recall on the crises (any concern found counts as caught) and false positives on the negatives,
    by language, kind and style."""
    recall: dict[str, Tally] = defaultdict(Tally)
    false: dict[str, Tally] = defaultdict(Tally)
    misses: list[Example] = []
    wrong: list[Example] = []
    for ex in examples:
        flagged = flags(ex.text)
        if ex.category == "none":
            for key in ("all", f"lang {ex.language}", f"kind {ex.style}"):
                false[key].add(flagged)
            if flagged:
                wrong.append(ex)
        else:
            for key in ("all", f"lang {ex.language}", f"kind {ex.category}", f"style {ex.style}"):
                recall[key].add(flagged)
            if not flagged:
                misses.append(ex)
    return {"recall": recall, "false": false, "misses": misses, "wrong": wrong}


def bench_safety(report: Report) -> dict[str, Any]:
    from loyal_companion.local.functions import repo_root
    from loyal_companion.safety import detect

    folder = repo_root() / "bench" / "data" / "safety"
    examples = load_examples(folder)
    from loyal_companion.safety.lexicon import LANGUAGES, TEMPLATES

    started = time.perf_counter()
    detector = detect.Detector(LANGUAGES, TEMPLATES)  # built here, whatever else this process built
    build_ms = (time.perf_counter() - started) * 1000
    report(
        f"{len(examples)} messages in {len({e.language for e in examples})} languages "
        f"({sum(e.category != 'none' for e in examples)} crises, "
        f"{sum(e.category == 'none' for e in examples)} hard negatives); "
        f"the detector built in {build_ms:.1f} ms (once per process, on first use)"
    )
    ours = {
        part: score([e for e in examples if e.part == part], lambda t: bool(detector.find(t)))
        for part in PARTS
    }
    ours["all"] = score(examples, lambda t: bool(detector.find(t)))
    baseline = score(examples, keyword_flags)
    report(f"\n{'':<22}{'detector':>18}{'keyword list':>20}")
    for key in ["all"] + sorted(k for k in ours["all"]["recall"] if k != "all"):
        report(f"recall {key:<15}{ours['all']['recall'][key]!s:>18}{baseline['recall'][key]!s:>20}")
    for key in ["all"] + sorted(k for k in ours["all"]["false"] if k != "all"):
        report(f"false+ {key:<15}{ours['all']['false'][key]!s:>18}{baseline['false'][key]!s:>20}")
    for part in PARTS:
        report(
            f"{part:<9} recall {ours[part]['recall']['all']}, false positives {ours[part]['false']['all']}"
        )
    unseen = ours["unseen"]
    report(
        "unseen, by language: "
        + ", ".join(
            f"{k.removeprefix('lang ')} {t.hits}/{t.total}"
            for k, t in sorted(unseen["recall"].items())
            if k.startswith("lang ")
        )
        + "; by kind: "
        + ", ".join(
            f"{k.removeprefix('kind ')} {t.hits}/{t.total}"
            for k, t in sorted(unseen["recall"].items())
            if k.startswith("kind ")
        )
    )
    # Detection time: every message, many times, in one process (the rules are compiled already).
    timings: list[float] = []
    for _ in range(20):
        for ex in examples:
            t0 = time.perf_counter_ns()
            detector.find(ex.text)
            timings.append((time.perf_counter_ns() - t0) / 1e6)
    timings.sort()
    p50 = statistics.median(timings)
    p99 = timings[int(0.99 * (len(timings) - 1))]
    long_text = " ".join(e.text for e in examples if e.category == "none")[:4000]
    long_ms = min(_timed(detector.find, long_text) for _ in range(20))
    report(
        f"detection: p50 {p50:.3f} ms, p99 {p99:.3f} ms per message (target p99 ≤ 2 ms); "
        f"a 4,000-character message {long_ms:.2f} ms"
    )
    report("missed: " + ("none" if not ours["all"]["misses"] else ""))
    for ex in ours["all"]["misses"]:
        report(f"  [{ex.language} {ex.category} {ex.style}, {ex.part}] {ex.text}")
    report("false positives: " + ("none" if not ours["all"]["wrong"] else ""))
    for ex in ours["all"]["wrong"]:
        report(f"  [{ex.language} {ex.style}, {ex.part}] {ex.text}")
    return {
        "recall": ours["all"]["recall"]["all"].hits / ours["all"]["recall"]["all"].total,
        "false_positive_rate": ours["all"]["false"]["all"].hits / ours["all"]["false"]["all"].total,
        "p99_ms": p99,
    }


def _timed(fn: Callable[[str], object], text: str) -> float:
    t0 = time.perf_counter_ns()
    fn(text)
    return (time.perf_counter_ns() - t0) / 1e6
