"""`lc bench tokens`: what one chat turn sends to the model and what it asks back, for the cost table.

A person with a long history (Ana of the memory data set: her 627 remembered lines, loaded as memory
writes them) talks for 60 turns in a server channel, alternating something new about herself and a
question about what she said before, through the real worker with a model in process that counts what
it is sent with the project's token estimate (which errs high). Memory windows are read by the model
every 5 turns, as deployed; the counted window answer is a two-fact answer in the window schema's shape.
"""

from __future__ import annotations

import json
import logging
import re
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from loyal_companion.llm.offline import OfflineResponder
from loyal_companion.llm.tokens import count_tokens, message_tokens
from loyal_companion.llm.types import ChatMessage, Completion, ModelParams, Prompt

Report = Callable[[str], None]


TURNS = 60


# What a window read answers when it finds two facts (its size is what is counted as output).
_TWO_FACTS = {
    "facts": [
        {
            "op": "add",
            "replaces": None,
            "fact_type": "family",
            "content": "Their sister Freya is getting married on 14 June",
            "subject": "Freya",
            "subject_role": "sister",
            "happens_on": "2026-06-14",
            "importance": 0.8,
            "confidence": 0.9,
            "temporal_relevance": "upcoming",
        },
        {
            "op": "add",
            "replaces": None,
            "fact_type": "work",
            "content": "They are working nights on the children's ward this month",
            "subject": None,
            "subject_role": None,
            "happens_on": None,
            "importance": 0.6,
            "confidence": 0.8,
            "temporal_relevance": "current",
        },
    ]
}


class CountingModel:
    """A model in process: the offline responder's words, but taken through the model path (the prompt
    is composed within its budget and windows are read by the model), counting every token sent."""

    offline = False

    def __init__(self) -> None:
        self._inner = OfflineResponder()
        self.prompts: list[int] = []
        self.replies: list[int] = []
        self.max_tokens: int | None = None
        self.window_inputs: list[int] = []
        self.window_output = count_tokens(json.dumps(_TWO_FACTS))

    def complete(
        self, prompt: Prompt, params: ModelParams, *, on_partial: Callable[[str], None] | None = None
    ) -> Completion:
        sent = sum(message_tokens(m.content) for m in prompt.messages)
        done = self._inner.complete(prompt, params, on_partial=on_partial)
        self.prompts.append(sent)
        self.replies.append(count_tokens(done.text))
        self.max_tokens = params.max_tokens
        return Completion(text=done.text, model="bench-counting", prompt_tokens=sent, completion_tokens=0)

    def structured(
        self,
        messages: Sequence[ChatMessage],
        params: ModelParams,
        *,
        schema_name: str,
        schema: dict[str, Any],
    ) -> dict[str, Any]:
        sent = sum(message_tokens(m.content) for m in messages) + count_tokens(json.dumps(schema))
        self.window_inputs.append(sent)
        return {"facts": []}


def first_person(line: str) -> str:
    """A remembered line as the person would have said it ("They live in York" → "I live in York")."""
    text = re.sub(r"^They're\b", "I'm", line)
    text = re.sub(r"^They\b", "I", text)
    text = re.sub(r"^Their\b", "My", text)
    text = re.sub(r"\btheir\b", "my", text)
    text = re.sub(r"\bthemselves\b", "myself", text)
    text = re.sub(r"\bthem\b", "me", text)
    return text


def bench_tokens(report: Report) -> dict[str, Any]:
    from bench.common import bench_database, percentile, run_turns, turn_services
    from bench.retrieval import load_dataset, load_person
    from loyal_companion.local.discord_stub import DiscordStub

    logging.getLogger("loyal_companion").setLevel(logging.ERROR)
    from loyal_companion.local.functions import repo_root

    ana = load_dataset(repo_root() / "bench" / "data" / "memory" / "dataset.json")[0]
    told = [first_person(line.text) + "." for line in ana.lines[-TURNS:]]
    asked = [q.text for q in ana.questions]
    messages = [told[i // 2] if i % 2 == 0 else asked[i // 2 % len(asked)] for i in range(TURNS)]
    with tempfile.TemporaryDirectory() as tmp, DiscordStub() as discord:
        local, url = bench_database(tmp)
        try:
            from loyal_companion.db.engine import create_db_engine, make_session_factory

            engine = create_db_engine(url)
            session = make_session_factory(engine)()
            with session.begin():
                load_person(session, ana, discord_id=900000000000000001)
            session.close()
            services = turn_services(make_session_factory(engine), discord.base_url)
            services.settings = replace(
                services.settings, daily_tokens_per_person=0, daily_tokens_per_server=0
            )
            model = CountingModel()
            services.model = model
            started = time.perf_counter()
            run_turns(
                services, messages, discord_id=900000000000000001, guild_id=700000000000000001, label="tokens"
            )
            took = time.perf_counter() - started
            engine.dispose()
        finally:
            local.stop()
    prompts, windows = model.prompts, model.window_inputs
    per_turn_in = (sum(prompts) + sum(windows)) / TURNS
    per_turn_out_windows = len(windows) * model.window_output / TURNS
    report(f"{TURNS} turns of a person with {len(ana.lines)} remembered lines, in {took:.1f} s")
    report(
        f"reply prompt: p50 {percentile([float(p) for p in prompts], 0.5):.0f} tokens, "
        f"p95 {percentile([float(p) for p in prompts], 0.95):.0f}, mean {statistics.mean(prompts):.0f}"
    )
    report(
        f"reply: max_tokens {model.max_tokens} (the offline responder's words: mean "
        f"{statistics.mean(model.replies):.0f} tokens)"
    )
    report(
        f"memory windows read by the model: {len(windows)} in {TURNS} turns, input mean "
        f"{statistics.mean(windows) if windows else 0:.0f} tokens, "
        f"a two-fact answer {model.window_output} tokens"
    )
    report(f"per turn in all: input {per_turn_in:.0f} tokens, output {per_turn_out_windows:.0f} + the reply")
    return {
        "prompt_p50": percentile([float(p) for p in prompts], 0.5),
        "prompt_mean": statistics.mean(prompts),
        "windows": len(windows),
        "window_input_mean": statistics.mean(windows) if windows else 0.0,
        "input_per_turn": per_turn_in,
        "max_tokens": model.max_tokens,
        "at": datetime.now(UTC).isoformat(),
    }
