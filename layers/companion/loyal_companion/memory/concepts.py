"""Everyday concepts: the words people use for the same part of a life, so a question finds a line told in
other words ("What does she do for work?" finds "twelve hours on shift"; "her pet" finds "my cat").

Each group is one concept for recall: a question's word that is in a group brings the group's other words
along, and a fact that says any of them matches the concept once, by its best word (``memory.recall``).
A group with head words ("pet pets: dog cat …") is a kind and its kinds: "pet" brings "dog" and "cat",
"dog" brings "pet" but not "cat".
Written for the parts of life people tell a companion about — work, study, health, loss, love, family,
home, travel, pastimes, music, food, animals, money, feelings — from general English, not from any data
set's questions. A word may be in several groups; a group is kept small enough that its words are close.
"""

from __future__ import annotations

from typing import Final

GROUPS: Final = (
    # work and study
    "work job jobs career profession occupation living employer employed shift shifts workplace office "
    "colleague colleagues boss",
    "job role position promotion promoted hired interview application applied vacancy",
    "unemployed redundant redundancy laid fired sacked quit resigned resign",
    "retire retired retirement pension",
    "study studies student students degree university uni college course thesis dissertation phd "
    "doctorate postgraduate lecture lectures",
    "exam exams test grade grades marks passed fail failed results",
    "school pupils class classroom teacher teaching teach lesson lessons",
    "research researcher lab laboratory scientist science experiment data",
    "business company shop stall customers clients venture startup",
    # health
    "ill illness sick sickness disease condition diagnosis diagnosed unwell poorly",
    "hospital ward clinic doctor doctors nurse nurses consultant gp a&e ambulance paramedic",
    "surgery operation op operated procedure",
    "cancer chemo chemotherapy tumour tumor lump oncology radiotherapy",
    "stroke parkinson's parkinsons dementia alzheimer's alzheimers",
    "injury injured broken fracture fractured sprain accident",
    "pregnant pregnancy expecting baby due ivf fertility",
    "therapy therapist counselling counseling counsellor counselor mental anxiety depression",
    "sober sobriety drinking alcohol drink drunk",
    "fit fitness exercise gym workout training",
    # loss
    "died death dead loss funeral grief grieving bereavement",
    "memory memorial remember remembering grave anniversary honour honor tribute",
    # love and family
    "dating girlfriend boyfriend partner relationship romance",
    "engaged engagement proposed proposal propose fiance fiancee ring",
    "wedding married marry marriage bride groom husband wife",
    "split broke divorce divorced separated ex breakup",
    "born birth baby newborn daughter son",
    "christening baptism godmother godfather godparent",
    "birthday party celebrate celebration celebrated cake",
    # home
    "house home flat apartment",
    "move moving moved relocate relocating relocated emigrate emigrating",
    "buy bought buying purchase sell sold selling sale",
    "kitchen renovation renovate renovating decorating diy",
    "garden gardening allotment vegetables veg grow growing plants",
    # travel
    "travel travelling traveling trip holiday holidays vacation abroad journey visit visited",
    "flight flights fly flying flew plane aeroplane airplane airport",
    "train trains railway rail station",
    "car cars drive driving drove vehicle",
    # pastimes
    "hobby hobbies pastime: craft crafts pottery painting knitting gardening",
    "sport sports: running run marathon race climbing bouldering swimming swim swam cycling football "
    "cricket rugby tennis",
    "pottery ceramics clay wheel glaze kiln mug mugs bowl",
    "paint painting painted watercolour watercolor art artist drawing sketch exhibition",
    "sail sailing boat boats dinghy yacht",
    "bike bikes bicycle bicycles cycling cyclist",
    "book books read reading novel author publish published publisher",
    "write writing wrote blog post posts writer",
    "film films movie movies cinema",
    "photo photos photograph photographs photography photographer camera",
    # music
    "music musician musical song songs sing singing sang singer choir band gig gigs concert",
    "instrument instruments: piano guitar bass drums drum violin cello keyboard",
    # food
    "food eat eating ate meal meals dinner lunch breakfast",
    "cook cooking cooked chef recipe recipes kitchen bake baking",
    "restaurant restaurants cafe café taqueria takeaway menu",
    "vegetarian vegan meat veggie plant-based",
    # animals
    "pet pets animal animals: dog dogs cat cats puppy pup kitten greyhound collie terrier",
    # money
    "money pay paid salary wage wages afford debt rent raised fundraising donate donated charity",
    # feelings
    "scared afraid fear frightened terrified nervous anxious panic",
    "happy glad joy delighted thrilled excited",
    "sad upset cry cried crying tears",
    "proud pride achievement accomplished",
    "tired exhausted sleep slept",
)


def _split(group: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """A group's head words (before a colon: "pet", "sport") and its other words."""
    head, _, rest = group.rpartition(":")
    return tuple(head.split()), tuple(rest.split())


def _index() -> dict[str, tuple[str, ...]]:
    """Each word → the groups it brings along: all of a group for an equal word or a head word ("pet"
    brings "dog" and "cat"), the heads alone for a word under a head ("dog" brings "pet", not "cat")."""
    index: dict[str, list[str]] = {}
    for group in GROUPS:
        heads, words = _split(group)
        everything = " ".join(heads + words)
        for word in heads or words:
            index.setdefault(word, []).append(everything)
        if heads:
            for word in words:
                index.setdefault(word, []).append(" ".join((*heads, word)))
    return {word: tuple(groups) for word, groups in index.items()}


_INDEX: Final = _index()


def groups_of(word: str) -> tuple[str, ...]:
    """The groups of words ``word`` (lower case) brings along, each as space-separated words."""
    return _INDEX.get(word) or _INDEX.get(word.removesuffix("'s")) or _INDEX.get(word.removesuffix("s")) or ()
