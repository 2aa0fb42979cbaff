"""Write bench/data/memory/conversations.json: long conversations between two people, told to the companion line
by line, and questions about them.

The hard data set of ``lc bench memory`` (``dataset.json`` is the first, easier one). Each pair's talk is
written by hand in ``conversations/<pair>.txt``, session by session, as two friends would text each other
over many months (their own turns of phrase, typos, lower case, curly apostrophes, a bilingual pair who
switch languages); what makes such talk hard for a memory is kept on purpose:

- both names in almost every line: each line is told as "Mara: …", and friends name each other;
- the things that matter come back again and again in other lines (a pottery class mentioned in six
  sessions; the other friend's "your pottery sounds so relaxing"), so a word of the question is rarely
  evidence on its own;
- between the lines that matter, small talk from ``conversations/small-talk.txt`` (greetings, "how was
  your week", "work has been crazy"), drawn with a fixed seed: about half of every session;
- questions in other words than their evidence, of the four kinds of the public benchmarks of long
  conversations: ``single`` (one line answers it), ``when`` (answered by the day a line was said: "I went
  yesterday", told on 8 May), ``two`` (two lines from different sessions), ``infer`` (an inference from
  what was said: "Would Mara enjoy a ceramics workshop?").

Each session may carry ``= …`` lines: what happened in it, in a sentence, as the end-of-conversation
summary of a model would say it. ``lc bench memory`` measures recall with and without them.

The pairs marked ``held-out`` were written with the others, before any ranking change of issue 28, and
were not looked at while tuning: their figures are the honest ones.

``python bench/data/memory/conversations.py`` writes the same file every time (the seed is fixed).

File format (``#`` starts a comment)::

    pair Mara Jon                     # the two speakers
    start 2023-05-08 13:56            # the first session
    gaps 6 19                         # days between sessions, drawn between these
    held-out                          # optional
    @1                                # a session; its lines follow, in order
    [pot1] Mara: I went to my first pottery class yesterday!
    Jon: Ha, amazing. Did you make anything?
    = Mara went to her first pottery class          # an episode line of the session
    ?single [pot1] What did Mara try for the first time in spring?
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

SEED = 20261204
HERE = Path(__file__).parent
SOURCES = HERE / "conversations"
OUT = HERE / "conversations.json"
KINDS = ("single", "when", "two", "infer")
SMALL_TALK_SHARE = 0.6  # of a session's lines, about this share is small talk


@dataclass
class Session:
    number: int
    at: datetime
    lines: list[dict[str, str]] = field(default_factory=list)
    episodes: list[str] = field(default_factory=list)


@dataclass
class Pair:
    slug: str
    speakers: tuple[str, str]
    held_out: bool
    sessions: list[Session]
    questions: list[dict[str, Any]]


_LINE = re.compile(r"^(?:\[(?P<label>[\w-]+)\]\s*)?(?P<speaker>[^:\s]+):\s*(?P<text>.+)$")
_QUESTION = re.compile(r"^\?(?P<kind>\w+)\s+\[(?P<labels>[\w\s-]+)\]\s+(?P<text>.+)$")


def parse(path: Path, rng: random.Random) -> tuple[Pair, dict[str, int], list[tuple[int, str, str]]]:
    """A pair's file: its sessions (dated), the labels' line numbers and its raw question rows."""
    speakers: tuple[str, str] | None = None
    start: datetime | None = None
    gaps = (7, 14)
    held_out = False
    sessions: list[Session] = []
    labels: dict[str, int] = {}
    raw_questions: list[tuple[int, str, str]] = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.split("  #", 1)[0].strip() if not raw.lstrip().startswith("#") else ""
        if not line:
            continue
        where = f"{path.name}:{number}"
        if line.startswith("pair "):
            a, b = line.split()[1:3]
            speakers = (a, b)
        elif line.startswith("start "):
            start = datetime.strptime(line[6:].strip(), "%Y-%m-%d %H:%M")
        elif line.startswith("gaps "):
            low, high = (int(x) for x in line.split()[1:3])
            gaps = (low, high)
        elif line == "held-out":
            held_out = True
        elif line.startswith("@"):
            if start is None:
                raise SystemExit(f"{where}: a session before 'start'")
            at = start if not sessions else sessions[-1].at + timedelta(days=rng.randint(*gaps))
            at = at.replace(hour=rng.randint(9, 21), minute=rng.randint(0, 59)) if sessions else at
            sessions.append(Session(int(line[1:]), at))
        elif line.startswith("= "):
            sessions[-1].episodes.append(line[2:].strip())
        elif line.startswith("?"):
            match = _QUESTION.match(line)
            if match is None or match["kind"] not in KINDS:
                raise SystemExit(f"{where}: a question is '?kind [labels] text', kind one of {KINDS}")
            raw_questions.append((number, match["kind"], line))
        else:
            match = _LINE.match(line)
            if match is None or speakers is None or match["speaker"] not in speakers or not sessions:
                raise SystemExit(f"{where}: not 'Speaker: text' in a session of the pair: {line!r}")
            sessions[-1].lines.append({"speaker": match["speaker"], "text": match["text"].strip()})
            if match["label"]:
                if match["label"] in labels:
                    raise SystemExit(f"{where}: label {match['label']} used twice")
                labels[match["label"]] = len(sessions) - 1 << 16 | len(sessions[-1].lines) - 1
    if speakers is None or not sessions:
        raise SystemExit(f"{path.name}: no 'pair' line or no sessions")
    return Pair(path.stem, speakers, held_out, sessions, []), labels, raw_questions


def small_talk() -> list[str]:
    lines = (SOURCES / "small-talk.txt").read_text(encoding="utf-8").splitlines()
    return [x.strip() for x in lines if x.strip() and not x.lstrip().startswith("#")]


def build(path: Path, pool: list[str], rng: random.Random) -> dict[str, Any]:
    pair, labels, raw_questions = parse(path, rng)
    a, b = pair.speakers
    unused = pool[:]
    rng.shuffle(unused)
    out_sessions = []
    ids: dict[int, str] = {}
    for s_index, session in enumerate(pair.sessions):
        # Small talk goes at the start (greetings), between the written lines, and at the end.
        want = max(2, round(len(session.lines) * SMALL_TALK_SHARE / (1 - SMALL_TALK_SHARE)))
        chat: list[dict[str, str]] = []
        for i in range(want):
            if not unused:
                unused = pool[:]
                rng.shuffle(unused)
            me, you = (a, b) if (i + s_index) % 2 == 0 else (b, a)
            chat.append({"speaker": me, "text": unused.pop().replace("{you}", you).replace("{me}", me)})
        written = [(i, line) for i, line in enumerate(session.lines)]
        merged: list[tuple[int | None, dict[str, str]]] = [(None, chat[0])]
        for position, item in enumerate(written):
            merged.append(item)
            if position + 1 < len(written) and rng.random() < 0.5 and len(chat) > 2:
                merged.append((None, chat.pop(1)))
        merged += [(None, line) for line in chat[1:]]
        lines = []
        for n, (written_index, line) in enumerate(merged, start=1):
            line_id = f"{pair.slug}-s{session.number:02d}-{n:02d}"
            if written_index is not None:
                ids[s_index << 16 | written_index] = line_id
            lines.append({"id": line_id, "speaker": line["speaker"], "text": line["text"]})
        out_sessions.append(
            {
                "number": session.number,
                "at": session.at.isoformat(timespec="minutes"),
                "lines": lines,
                "episodes": session.episodes,
            }
        )
    questions = []
    for number, kind, line in raw_questions:
        match = _QUESTION.match(line)
        assert match is not None
        wanted = match["labels"].split()
        missing = [x for x in wanted if x not in labels]
        if missing:
            raise SystemExit(f"{path.name}:{number}: unknown labels {missing}")
        questions.append(
            {"q": match["text"].strip(), "answers": [ids[labels[x]] for x in wanted], "kind": kind}
        )
    return {
        "pair": pair.slug,
        "speakers": list(pair.speakers),
        "held_out": pair.held_out,
        "sessions": out_sessions,
        "questions": questions,
    }


def main() -> None:
    rng = random.Random(SEED)
    pool = small_talk()
    conversations = [
        build(path, pool, rng) for path in sorted(SOURCES.glob("*.txt")) if path.stem != "small-talk"
    ]
    OUT.write_text(
        json.dumps({"seed": SEED, "conversations": conversations}, indent=1, ensure_ascii=False) + "\n"
    )
    for c in conversations:
        lines = sum(len(s["lines"]) for s in c["sessions"])
        kinds = {k: sum(q["kind"] == k for q in c["questions"]) for k in KINDS}
        print(
            f"{c['pair']}: {len(c['sessions'])} sessions, {lines} lines, "
            f"{len(c['questions'])} questions {kinds}"
        )


if __name__ == "__main__":
    main()
