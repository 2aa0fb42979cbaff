"""The offline responder: the Bartender's voice from the same state, when no language model is configured.

It keeps the whole pipeline running on a fresh machine (no key, no model server) and never pretends to
be a model: every reply it gives ends with a plain label saying no language model is configured. It
answers what was said as well as rules can: an opening that fits the message (condolences only where a
loss is named), the remembered facts that relate to this message told back in the second person, and a
question that fits, without repeating itself within a conversation.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from typing import Any, Final

from loyal_companion.living.assessment import heavy, lexical_assessment, names_loss
from loyal_companion.llm.answers import answer, memory_question
from loyal_companion.llm.types import ChatMessage, Completion, ModelParams, Prompt, PromptState
from loyal_companion.words import second_person

OFFLINE_LABEL: Final = "_(offline responder — no language model is configured)_"
OFFLINE_MODEL: Final = "offline-responder"
GETTING_TO_KNOW: Final = "I don't know you well yet, but I'd like to."

_OPENERS: Final = {
    # A death or a loss named: no silver linings, no hurry; just presence (the grief-aware voice).
    "loss": (
        "I'm so sorry, {name}. That's a heavy thing to carry, and you don't have to carry it tidily.",
        "I'm here, {name}. There's no right way to feel about this, and no timetable for it.",
        "I'm sorry, {name}. Sit as long as you like; I'm not going anywhere.",
    ),
    "low": (
        "That sounds really hard, {name}.",
        "I'm here, {name}. Take your time.",
        "That's a lot to be holding, {name}.",
    ),
    # Not a loss in the message, but a painful memory close to it.
    "tender": (
        "I'm glad you came in, {name}.",
        "I'm here, {name}.",
        "Take your time, {name}.",
    ),
    "glad": (
        "That's good to hear, {name}.",
        "Now that's worth raising a glass to, {name}.",
        "That put a smile on my face, {name}.",
    ),
    "thanks": (
        "Any time, {name}.",
        "You're welcome here whenever you like, {name}.",
        "Always, {name}.",
    ),
    "greeting": (
        "Evening, {name}. Pull up a stool.",
        "Good to see you, {name}.",
        "There you are, {name}. The usual seat's free.",
    ),
    "question": (
        "Let me think, {name}.",
        "Good question, {name}.",
        "Here's what I've got, {name}.",
    ),
    "plain": (
        "I hear you, {name}.",
        "Thanks for telling me, {name}.",
        "Go on, {name}. I'm listening.",
        "Pull up a stool, {name}.",
    ),
}
_CLOSERS: Final = {
    "loss": ("Would you like to tell me about {them}?", "What do you miss most?"),
    "low": ("What would help most right now?", "Do you want to talk it through, or just have company?"),
    "tender": ("How are you holding up?", "Do you want to talk about it?"),
    "glad": ("How are you going to celebrate?", "Tell me more about it."),
    "thanks": ("I'm here when you want me.", "Look after yourself tonight."),
    "greeting": ("What's on your mind tonight?", "How's the day been?"),
    "question": ("", "Is that what you were after?"),
    "plain": ("How are you feeling about it?", "", "Tell me more.", ""),
}
_MOOD_LINES: Final = {
    "excited": "Something in the air tonight has me in good spirits.",
    "happy": "It's a good evening behind the bar.",
    "curious": "You've got me curious.",
    "calm": "It's quiet in here tonight, the good kind of quiet.",
    "bored": "It's been a slow night; I'm glad you came in.",
    "annoyed": "It's been a long shift, but I've always got time for you.",
    "neutral": "",
}
# "Are you human?" — answered truthfully, whatever else the message says (NY GBL § 1702, CA B&P § 22602).
_ARE_YOU_HUMAN: Final = re.compile(
    r"\b(are|r)\s+(you|u)\s+(a\s+)?(real|human|person|real\s+person|bot|robot|ai|machine|an\s+ai|alive)\b|"
    r"\b(am\s+i|i'?m)\s+(talking|speaking|chatting)\s+(to|with)\s+(a\s+)?(real|human|person|bot|robot|ai|machine)|"
    r"\bis\s+this\s+(a\s+)?(real\s+person|human|bot|ai)\b|\b(eres|es)\s+(una?\s+)?(humano|humana|persona|"
    r"robot|ia|bot)\b|\b(es-tu|t'es|tu es)\s+(un\s+|une\s+)?(humain|humaine|robot|ia|bot)\b|"
    r"\bbist\s+du\s+(ein\s+|eine\s+)?(mensch|roboter|ki|bot)\b|\b(voce|vc)\s+e\s+(uma?\s+)?(humano|humana|"
    r"pessoa|robo|ia|bot)\b|\bsei\s+(un\s+|una\s+)?(umano|umana|persona|robot|ia|bot)\b|"
    r"\bben\s+je\s+(een\s+)?(mens|robot|ai|bot)\b|\bjestes\s+(czlowiekiem|robotem|botem|ai)\b",
    re.I,
)
NOT_TOLD: Final = "I don't think you've told me that yet"
NOT_HUMAN: Final = "I'm an AI, {name}, not a person. But I'm listening, and I remember what you tell me."
_GREETING: Final = re.compile(
    r"^\W*(hi|hello|hey|hiya|evening|good (?:evening|morning|afternoon)|howdy|yo)\b", re.I
)
_THANKS: Final = re.compile(r"^\W*(?:thanks|thank you|thank u|cheers|ta)\b", re.I)
_GOOD_NEWS: Final = re.compile(
    r"\b(engaged|promoted|got the job|passed|good news|great news|finally|won|we did it|accepted|"
    r"celebrat\w*|excited|so happy|proud|getting married|wedding|new baby|expecting)\b",
    re.I,
)


def kind_of(message: str, *, tender: bool = False) -> str:
    """What the message calls for: loss, low, tender, glad, greeting, question or plain."""
    if names_loss(message):
        return "loss"
    if heavy(message):
        return "low"
    if tender:
        return "tender"
    text = message.strip()
    if _GREETING.match(text) and len(text.split()) <= 6:
        return "greeting"
    if _THANKS.match(text) and not text.endswith("?"):
        return "thanks"
    if text.endswith("?"):
        return "question"
    if _GOOD_NEWS.search(text) or lexical_assessment(text).sentiment > 0.3:
        return "glad"
    return "plain"


def offline_reply(state: PromptState) -> str:
    """A short, steady reply built from what the Bartender knows; the same for the same state."""
    if _ARE_YOU_HUMAN.search(_folded(state.message)):
        return NOT_HUMAN.format(name=state.person_name) + "\n\n" + OFFLINE_LABEL
    kind = kind_of(state.message, tender=state.tender)
    turn = len(state.earlier_replies)
    said = " ".join(state.earlier_replies)
    opener = _pick(_OPENERS[kind], turn, said).format(name=state.person_name)
    # A question about their own life is answered first, from memory, or plainly not known.
    question = memory_question(state.message) if not state.about_message else None
    found = answer(question, state.facts, context=state.earlier_messages) if question else None
    answered = ""
    if question:
        answered = found.text[:1].upper() + found.text[1:] if found else NOT_TOLD
    if answered and kind == "question":
        lines = [opener, answered]
    elif answered:
        lines = [answered, opener]
    else:
        lines = [opener]
    if kind in ("plain", "greeting") and turn == 0:
        mood_line = _MOOD_LINES.get(state.mood_label, "")
        if mood_line:
            lines.append(mood_line)
    if state.about_message:
        lines.append(f"About that message, “{_shorten(state.about_message)}”: what stays with you most?")
    else:
        used = second_person(found.fact) if found else None
        remembered = [
            f for f in (second_person(f) for f in state.related_facts) if f not in said and f != used
        ][: 0 if question and not found else 1 if answered else 2]
        if remembered:
            lines.append(_remembering(remembered, kind))
        if state.relationship_level in ("Good Friend", "Close Friend") and kind in ("low", "loss", "tender"):
            lines.append("You know you can tell me anything.")
        elif (
            state.relationship_level == "New Face"
            and kind in ("plain", "greeting", "glad")
            and (GETTING_TO_KNOW not in said)
        ):
            lines.append(GETTING_TO_KNOW)
        closer = _pick(_CLOSERS[kind], turn, said)
        if closer:
            lines.append(closer.replace("{them}", _them(state.message)))
    return " ".join(_sentence(line) for line in lines if line) + "\n\n" + OFFLINE_LABEL


_HER: Final = frozenset(
    "mum mom mam mama mother wife sister daughter gran nan nana granny grandma grandmother aunt auntie "
    "girlfriend niece she her".split()
)
_HIM: Final = frozenset(
    "dad father papa husband brother son grandad granddad grandpa grandfather uncle boyfriend nephew he "
    "him his".split()
)


def _them(message: str) -> str:
    """Who was lost, as a pronoun: "her" for a mum, "him" for a grandad, "them" when unclear (or both)."""
    said = set(re.findall(r"[a-z]+", _folded(message).lower()))
    her, him = bool(said & _HER), bool(said & _HIM)
    return "her" if her and not him else "him" if him and not her else "them"


def _folded(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _pick(options: Sequence[str], turn: int, said: str) -> str:
    """The option for this turn of the conversation, skipping any said already."""
    for offset in range(len(options)):
        option = options[(turn + offset) % len(options)]
        if not option or option.split(",")[0] not in said:
            return option
    return options[turn % len(options)]


def _remembering(facts: Sequence[str], kind: str) -> str:
    joined = facts[0] if len(facts) == 1 else f"{facts[0]}, and that {facts[1]}"
    if kind == "question":
        return f"You told me {joined}"
    return f"I remember you told me {joined}"


def _sentence(text: str) -> str:
    """One clean sentence: no doubled stops, no stop after a question or exclamation."""
    text = text.strip()
    text = re.sub(r"([.!?])\.+$", r"\1", text)
    return text if text.endswith((".", "!", "?", "…", "”", ")")) else text + "."


def _shorten(text: str, limit: int = 140) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class OfflineResponder:
    offline = True

    def complete(
        self,
        prompt: Prompt,
        params: ModelParams,
        *,
        on_partial: Callable[[str], None] | None = None,
    ) -> Completion:
        return Completion(text=offline_reply(prompt.state), model=OFFLINE_MODEL, offline=True)

    def structured(
        self,
        messages: Sequence[ChatMessage],
        params: ModelParams,
        *,
        schema_name: str,
        schema: dict[str, Any],
    ) -> dict[str, Any]:
        # Callers check ``offline`` and use their lexical fallbacks; asking anyway is a programming error.
        raise NotImplementedError("the offline responder has no structured output; use the offline rules")
