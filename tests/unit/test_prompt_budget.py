"""The prompt composer keeps within its budget and drops in the stated order."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from loyal_companion.llm.prompt import FactLine, PromptInput, Turn, compose
from loyal_companion.llm.tokens import count_tokens, message_tokens

texts = st.text(min_size=1, max_size=400)


@settings(max_examples=200, deadline=None)
@given(
    window=st.lists(st.tuples(st.sampled_from(["user", "assistant"]), texts), max_size=60),
    facts=st.lists(st.tuples(texts, st.floats(0, 1)), max_size=80),
    message=texts,
    budget=st.integers(200, 4000),
)
def test_budget_is_never_exceeded_and_essentials_stay(
    window: list[tuple[str, str]], facts: list[tuple[str, float]], message: str, budget: int
) -> None:
    data = PromptInput(
        system_prompt="You are the Bartender.",
        person_name="Ana",
        message=message,
        facts=[FactLine(t, i) for t, i in facts],
        window=[Turn("user" if r == "user" else "assistant", t) for r, t in window],
        opinions=["jazz is lovely"],
        style_hints=["short replies"],
    )
    prompt = compose(data, budget=budget)
    essentials = message_tokens(
        compose(PromptInput("You are the Bartender.", "Ana", message), budget=0).messages[0].content
    )
    essentials += message_tokens(message)
    assert prompt.messages[0].role == "system" and prompt.messages[0].content.startswith(
        "You are the Bartender."
    )
    assert prompt.messages[-1].content == message
    assert prompt.token_count <= max(budget, essentials)
    assert sum(message_tokens(m.content) for m in prompt.messages) == prompt.token_count


def test_oldest_turns_go_first_then_least_important_facts() -> None:
    window = [Turn("user", f"turn {i} " + "x" * 200) for i in range(10)]
    facts = [FactLine("minor " + "y" * 100, 0.1), FactLine("major " + "z" * 100, 0.9)]
    data = PromptInput("SYS", "Ana", "now", facts=facts, window=window)
    full = compose(data, budget=100_000)
    assert full.dropped == ()
    tight = compose(data, budget=full.token_count - 100)
    assert tight.dropped and set(tight.dropped) == {"turn"}
    assert tight.messages[1].content.startswith("turn 1 ") or tight.messages[1].content.startswith("turn 2 ")
    only_facts = compose(PromptInput("SYS", "Ana", "now", facts=facts), budget=message_tokens("now") + 60)
    system = only_facts.messages[0].content
    assert "major" in system or "minor" not in system


def test_token_estimate_errs_high_for_non_latin_text() -> None:
    assert count_tokens("héllo wörld") >= count_tokens("hello world")
    assert count_tokens("🍷🍷🍷") >= 3
