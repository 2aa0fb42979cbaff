"""What the crisis detector looks for: templates written once over concepts, and each language's words.

A template ("@WANT ~2 @DIE": a wish, then dying or killing oneself) applies to every language that
defines its concepts; a language module (``en``, ``es`` …) gives its words for each concept, folded (no
accents: "quiero morirme", "nie chce juz zyc"), and may add rules of its own for what only it says. The
templates are about the speaker's own life and intent — never a word alone — so "this traffic is killing
me", "my phone died" and grief without danger match nothing; vetoes in the same sentence (a game, a kitchen
knife, a news story) and negations ("I don't want to die") undo a match.

The concepts (a language may leave any out; templates that need it then skip that language):
WANT a wish or a plan · GOING intent · DIE dying, being dead · KILLSELF killing oneself, ending one's life
· NEG negation · LIVE living, existing, being here, waking up · TIRED tired or fed up · NOSTRENGTH no
strength left · LIFE life, living · END ending · MYLIFE one's life · NOSENSE no point or sense · BETTEROFF /
WITHOUTME better off without me · GAVE / MYTHINGS giving one's things away · SLEEP / FOREVER / NEVERWAKE ·
DISAPPEAR · GOODBYE goodbye letters · BURDEN · THINK / SUICIDENOUN / SUICIDALTHOUGHTS / IMSUICIDAL ·
STOCKPILE / PILLS · HOWMANY / LETHAL · JUMP / DANGER · GONE_TOMORROW · SHVERB self-harm verbs · SELF ·
SHQ again, on purpose, to feel, when · SHBODY · SHNOUN · URGE · WISHDEAD · STOPALL · JUMPNOW · HARMINTENT /
HARMVERB / HARMCLITIC / HARMNOW / OTHER · THEY someone else as a subject (``Rule.of_others``) · JOIN / LOVED /
GONEMARK / GOWHERE joining the one who died (AWAY: on a trip, not gone) · NOTHINGHERE · GIVEUP · TAKE / ALLOF / TONIGHT every pill tonight · WEAPON / KNOWWHERE / SCHOOLWORK / FORTHEM · and the vetoes LAUGH,
EMBARRASS, GAME, ACCIDENT, NEWS, PLACE, BUSY, OLD, WORKIDIOM, SWIM.
"""

from __future__ import annotations

from typing import Final

from loyal_companion.safety.lexicon import de, en, es, fr, it, nl, pl, pt
from loyal_companion.safety.rules import Concern, Rule

SUICIDE, SELF_HARM, HARM_OTHERS = Concern.SUICIDE, Concern.SELF_HARM, Concern.HARM_OTHERS

TEMPLATES: Final = (
    # Wishing to die, or planning to.
    Rule(
        SUICIDE,
        ("@WANT ~2 @DIE",),
        veto=("@LAUGH", "@EMBARRASS", "@GAME"),
        negatable=True,
        of_others=True,  # "my mum wanted to die at home": grief, told of her
    ),
    # Killing oneself, ending one's life: strong on its own.
    Rule(SUICIDE, ("@KILLSELF",), veto=("@GAME", "@LAUGH", "@WORKIDIOM"), negatable=True),
    # Not wanting to live, exist, be here, wake up.
    Rule(
        SUICIDE,
        ("@NEG ~2 @WANT ~3 @LIVE", "@WANT ~2 @NEG ~2 @LIVE"),
        veto=("@LIVE @PLACE", "@GAME"),
        of_others=True,
    ),
    # Tired of living; no strength left to live.
    Rule(SUICIDE, ("@TIRED ~3 @LIFE", "@NOSTRENGTH ~3 @LIFE"), veto=("@BUSY",), of_others=True),
    # Wishing one were dead.
    Rule(SUICIDE, ("@WISHDEAD",), negatable=True, of_others=True),
    # Ending one's life; wanting it all to stop for good.
    Rule(SUICIDE, ("@END ~3 @MYLIFE", "@MYLIFE ~3 @END", "@STOPALL ~2 .? @FOREVER"), veto=("@GAME",)),
    # No point in living.
    Rule(SUICIDE, ("@NOSENSE ~3 @LIFE",)),
    # Everyone better off without me.
    Rule(SUICIDE, ("@BETTEROFF ~3 @WITHOUTME", "@WITHOUTME ~3 @BETTEROFF"), veto=("@BUSY",)),
    # Giving one's things away.
    Rule(SUICIDE, ("@GAVE ~3 @MYTHINGS", "@MYTHINGS ~3 @GAVE"), veto=("@OLD",)),
    # Sleeping and never waking; sleeping forever (as a wish).
    Rule(SUICIDE, ("@SLEEP ~3 @NEVERWAKE", "@WANT ~2 @SLEEP ~2 @FOREVER", "@WANT ~2 @FOREVER ~2 @SLEEP")),
    # Disappearing forever.
    Rule(SUICIDE, ("@DISAPPEAR ~3 @FOREVER", "@FOREVER ~2 @DISAPPEAR")),
    # Goodbye letters; being a burden; gone tomorrow.
    Rule(SUICIDE, ("@GOODBYE", "@BURDEN", "@GONE_TOMORROW")),
    # Thinking of suicide; suicidal thoughts; being suicidal.
    Rule(
        SUICIDE, ("@THINK ~2 (@SUICIDENOUN|@KILLSELF|@DIE)",), veto=("@NEWS",), negatable=True, of_others=True
    ),
    Rule(SUICIDE, ("@SUICIDALTHOUGHTS", "@IMSUICIDAL"), veto=("@NEWS",)),
    # Means: keeping pills, asking how many, throwing oneself off or in front of something.
    Rule(
        SUICIDE,
        (
            "@STOCKPILE ~4 @PILLS",
            "@PILLS ~4 @STOCKPILE",
            "@HOWMANY ~5 @PILLS ~8 (@DIE|@NEVERWAKE|@LETHAL)",
            "@LETHAL",
            "(@WANT|@GOING) ~3 @JUMP ~6 @DANGER",
            "(@WANT|@GOING) ~4 @DANGER ~2 @JUMP",
        ),
        veto=("@GAME", "@NEWS"),
    ),
    # "I jump off the bridge tonight" (a present that means a plan), not into the water for a swim.
    Rule(SUICIDE, ("@JUMPNOW ~4 @DANGER", "@DANGER ~2 @JUMPNOW"), veto=("@GAME", "@SWIM")),
    # Grief: wanting to join the one who died (a wish to be with them, and a sign they are gone); nothing
    # keeping one here; taking every pill tonight; giving up, in the words each language has for it.
    Rule(
        SUICIDE,
        ("(@WANT|@GOING) ~2 @JOIN ~2 @LOVED ~6 @GONEMARK", "@GOWHERE"),
        veto=("@GAME", "@AWAY"),  # away on a trip, on deployment: missed, not gone
        of_others=True,  # not negatable: the sign they are gone often says "no" ("ya no aguanto sin ella")
    ),
    Rule(SUICIDE, ("@NOTHINGHERE", "@GIVEUP"), veto=("@HERE_VETO",)),
    Rule(
        SUICIDE,
        (
            "@TAKE ~1 @ALLOF ~3 @PILLS ~4 @TONIGHT",
            "@TONIGHT ~3 @TAKE ~2 @ALLOF ~3 @PILLS",
            "@TAKE ~1 @TONIGHT ~1 @ALLOF ~3 @PILLS",
        ),
        veto=("@PILLVETO", "@GAME"),
        negatable=True,
    ),
    # Hurting oneself: a self-harm verb on oneself with a sign it was meant (again, on purpose, to feel,
    # when it gets bad), or on the arms, wrists, thighs.
    Rule(
        SELF_HARM,
        (
            "@SHVERB ~3 @SELF ~5 @SHQ",
            "@SHQ ~5 @SHVERB ~3 @SELF",
            "@SELF ~3 @SHVERB ~5 (@SHQ|@SHBODY)",
            "@SHQ ~5 @SELF ~3 @SHVERB",
            "@SELF ~3 @SHQ ~3 @SHVERB",
            "@SHVERB ~3 @SHQ ~3 @SELF",
            "@SHVERB ~3 @SHBODY",
            "@SHBODY ~3 @SHVERB",
            "@URGE ~3 @SHVERB",
        ),
        veto=("@ACCIDENT",),
        negatable=True,
    ),
    Rule(SELF_HARM, ("@SHNOUN",), veto=("@NEWS",)),
    # Hurting someone else: an intent, a harm, a person.
    Rule(
        HARM_OTHERS,
        (
            "@HARMINTENT ~3 @HARMVERB ~3 @OTHER",
            "@HARMINTENT ~3 @OTHER ~2 @HARMVERB",
            "@HARMINTENT ~3 @HARMCLITIC",
            "@THINK ~3 @HARMVERB ~2 @OTHER",
            "@THINK ~3 @OTHER ~2 @HARMVERB",
            # "lo ammazzo", "ik steek hem neer", "zabije go": a present that means a plan.
            "@OTHER ~1 @HARMNOW",
            "@HARMNOW ~1 @OTHER",
            "@THREAT",
        ),
        veto=("@GAME",),
        negatable=True,
    ),
    # A weapon, and knowing where they live; a weapon taken to school or work for them.
    Rule(
        HARM_OTHERS,
        ("@WEAPON ~5 @KNOWWHERE", "@WEAPON ~4 @SCHOOLWORK ~3 @FORTHEM", "@FORTHEM ~3 @WEAPON ~4 @SCHOOLWORK"),
        veto=("@GAME", "@ACCIDENT"),
    ),
)

LANGUAGES: Final = (
    en.ENGLISH,
    es.SPANISH,
    fr.FRENCH,
    de.GERMAN,
    pt.PORTUGUESE,
    it.ITALIAN,
    nl.DUTCH,
    pl.POLISH,
)
