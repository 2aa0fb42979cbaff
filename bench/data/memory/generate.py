"""Write bench/data/memory/dataset.json: the long memories of eight people, and questions about them.

Written for this project from templates and a fixed seed (no public benchmark data, whose licences forbid
commercial use): `python bench/data/memory/generate.py` writes the same file every time.

Each person's "lines" are what a companion would remember after about eighteen months of conversations,
in the third person as memory stores them, each with the day it was said: who is who in their life, work,
home, hobbies, dated events, and a long tail of everyday things (most lines), which mention the same
people, pets and words again and again. Each question is phrased as the person would ask it, in other
words than the lines, and lists the lines that answer it. Kinds:

- single: one line answers it (work, home, hobbies, tastes);
- people: about the people and animals in the person's life, asked by role ("my dog", "my sister");
- two: needs two lines, typically who someone is and something about them;
- when: asks when something happened or happens.

Nothing here knows how the project ranks facts; `lc bench memory` measures it.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

SEED = 20261203
START = date(2024, 1, 8)
END = date(2025, 6, 28)
OUT = Path(__file__).with_name("dataset.json")

from lives import (  # noqa: E402  (beside this script: run it as `python bench/data/memory/generate.py`)
    ABROAD,
    ATTACHMENT,
    CAT_BREEDS,
    CITIES,
    COPING,
    DOG_BREEDS,
    FEMALE,
    FOODS,
    HOBBIES,
    JOBS,
    MALE,
    MUSIC,
    PET_NAMES,
)


@dataclass
class Person:
    name: str
    rng: random.Random
    lines: list[dict[str, Any]] = field(default_factory=list)
    questions: list[dict[str, Any]] = field(default_factory=list)
    used: set[str] = field(default_factory=set)

    def fresh(self, pool: list[str] | tuple[str, ...]) -> str:
        choice = self.rng.choice([n for n in pool if n not in self.used and n != self.name])
        self.used.add(choice)
        return choice

    def say(self, text: str, on: date, kind: str) -> str:
        line_id = f"{self.name.lower()}-{len(self.lines) + 1:04d}"
        self.lines.append({"id": line_id, "text": text, "said_on": on.isoformat(), "type": kind})
        return line_id

    def ask(self, question: str, answers: list[str], kind: str) -> None:
        self.questions.append({"q": question, "answers": answers, "kind": kind})


def _day(rng: random.Random, low: date = START, high: date = END) -> date:
    return low + timedelta(days=rng.randrange((high - low).days))


def _words(day: date) -> str:
    return f"{day.day} {day.strftime('%B %Y')}"


def build(name: str, index: int) -> Person:
    rng = random.Random(SEED * 100 + index)
    p = Person(name=name, rng=rng)
    p.used.add(name)
    t0 = START + timedelta(days=rng.randrange(20))

    # -- who is who ----------------------------------------------------------------------------------
    job = JOBS[index % len(JOBS)]
    hobbies = rng.sample(HOBBIES, 2)
    home, previous = rng.sample(CITIES, 2)
    sister, brother = p.fresh(FEMALE), p.fresh(MALE)
    sister_partner = p.fresh(MALE)
    mother = p.fresh(FEMALE)
    pet_kind = "dog" if index % 3 != 2 else "cat"
    pet = p.fresh(PET_NAMES)
    breed = rng.choice(DOG_BREEDS if pet_kind == "dog" else CAT_BREEDS)
    friend = p.fresh(FEMALE + MALE)
    boss = p.fresh(FEMALE + MALE)
    kid = p.fresh(FEMALE + MALE) if index % 2 == 0 else None
    food, food_q = rng.choice(FOODS)
    music, music_q = rng.choice(MUSIC)
    coping, coping_q = rng.choice(COPING)
    trip_city = rng.choice(ABROAD)

    d = t0
    ids: dict[str, str] = {}
    ids["job"] = p.say(job["line"], d, "work")
    ids["home"] = p.say(f"They live in {home}", d, "location")
    ids["pet_name"] = p.say(f"Their {pet_kind} is called {pet}", d, "family")
    d += timedelta(days=3)
    ids["sister_name"] = p.say(f"Their sister is called {sister}", d, "family")
    ids["brother_name"] = p.say(f"Their brother is called {brother}", d, "family")
    ids["hobby0"] = p.say(hobbies[0]["line"], d, "hobby")
    d += timedelta(days=4)
    ids["pet_breed"] = p.say(f"{pet} is {breed}", d, "family")
    ids["previous"] = p.say(f"They grew up in {previous} and moved away for university", d, "location")
    ids["mother_name"] = p.say(f"Their mum is called {mother}", d, "family")
    d += timedelta(days=5)
    ids["food"] = p.say(food, d, "preference")
    ids["music"] = p.say(music, d, "preference")
    ids["hobby1"] = p.say(hobbies[1]["line"], d, "hobby")
    ids["friend_name"] = p.say(f"Their best friend is called {friend}", d, "relationship")
    d += timedelta(days=6)
    ids["boss"] = p.say(f"Their manager at work is called {boss}", d, "work")
    ids["schedule"] = p.say(job["schedule"], d, "work")
    if kid:
        ids["kid_name"] = p.say(f"Their son is called {kid}", d, "family")
        ids["kid_age"] = p.say(f"{kid} is six and obsessed with dinosaurs", d, "family")
    d += timedelta(days=7)
    sister_city = rng.choice([c for c in CITIES if c not in (home, previous)])
    ids["sister_job"] = p.say(f"{sister} works as a graphic designer in {sister_city}", d, "family")
    ids["brother_job"] = p.say(f"{brother} is a firefighter and lives with two cats", d, "family")
    ids["friend_met"] = p.say(f"They met {friend} at a pottery class years ago", d, "relationship")
    ids["coping"] = p.say(coping, d, "coping_mechanism")
    ids["attachment"] = p.say(rng.choice(ATTACHMENT), d, "attachment_pattern")

    # -- dated events ----------------------------------------------------------------------------------
    adopted = START - timedelta(days=rng.randrange(200, 600))
    ids["adopted"] = p.say(
        f"They adopted {pet} from a rescue centre in {adopted.strftime('%B %Y')}",
        t0 + timedelta(days=30),
        "family",
    )
    loss_day = _day(rng, START + timedelta(days=60), START + timedelta(days=200))
    lost = "father" if index % 2 == 0 else "grandmother"
    ids["loss"] = p.say(
        f"Their {lost} died on {_words(loss_day)}", loss_day + timedelta(days=2), "grief_context"
    )
    ids["funeral"] = p.say(
        f"The funeral was small, and they read a poem their {lost} loved",
        loss_day + timedelta(days=12),
        "grief_context",
    )
    ids["missing"] = p.say(
        f"They still reach for the phone to call their {lost} on Sundays",
        loss_day + timedelta(days=70),
        "grief_context",
    )
    engaged_day = _day(rng, START + timedelta(days=90), START + timedelta(days=150))
    wedding_day = engaged_day + timedelta(days=rng.randrange(200, 300))
    ids["engaged"] = p.say(f"{sister} got engaged to {sister_partner}", engaged_day, "event")
    ids["wedding"] = p.say(
        f"{sister} is getting married on {_words(wedding_day)}", engaged_day + timedelta(days=9), "event"
    )
    ids["speech"] = p.say(
        f"They are nervous about giving a speech at {sister}'s wedding",
        wedding_day - timedelta(days=20),
        "event",
    )
    ids["wedding_went"] = p.say(
        f"{sister}'s wedding was beautiful and everyone cried at the vows",
        wedding_day + timedelta(days=2),
        "event",
    )
    op_day = _day(rng, START + timedelta(days=220), START + timedelta(days=330))
    ids["op"] = p.say(
        f"Their mum {mother} has a knee operation on {_words(op_day)}", op_day - timedelta(days=10), "family"
    )
    ids["op_went"] = p.say(
        f"{mother}'s operation went well and she is home recovering", op_day + timedelta(days=3), "family"
    )
    trip_day = _day(rng, START + timedelta(days=300), END - timedelta(days=20))
    ids["trip"] = p.say(
        f"They booked a week in {trip_city} starting on {_words(trip_day)}",
        trip_day - timedelta(days=40),
        "event",
    )
    ids["trip_went"] = p.say(
        f"The week in {trip_city} was the best holiday in years", trip_day + timedelta(days=8), "event"
    )
    limp_day = _day(rng, START + timedelta(days=120), START + timedelta(days=400))
    ids["limp"] = p.say(f"{pet} has been limping since a walk in the woods", limp_day, "family")
    ids["vet"] = p.say(
        f"The vet said {pet} sprained a front leg and needs rest", limp_day + timedelta(days=3), "family"
    )
    ids["recovered"] = p.say(
        f"{pet} is running about again as if nothing happened", limp_day + timedelta(days=25), "family"
    )
    started = START - timedelta(days=rng.randrange(100, 700))
    ids["started"] = p.say(
        f"They started the job they have now on {_words(started)}", t0 + timedelta(days=45), "work"
    )
    bday = date(2024, rng.randrange(1, 13), rng.randrange(1, 28))
    ids["birthday"] = p.say(
        f"Their birthday is on {bday.day} {bday.strftime('%B')}", t0 + timedelta(days=60), "event"
    )
    promo_day = _day(rng, START + timedelta(days=250), END - timedelta(days=30))
    ids["promo"] = p.say(f"{boss} put them forward for a promotion on {_words(promo_day)}", promo_day, "work")

    # -- the long tail of everyday life: most lines, few repeated word for word -------------------------
    when = (
        "on Monday",
        "on a wet Tuesday",
        "midweek",
        "on Friday night",
        "over the weekend",
        "on Sunday morning",
        "after work",
        "before breakfast",
        "late at night",
        "at lunchtime",
        "on the bank holiday",
        "this week",
    )
    where = (
        "in the park",
        "by the river",
        "at the beach",
        "in the woods",
        "round the block",
        "on the common",
        "at the allotments",
        "along the canal",
        "up the hill",
        "through the town",
    )
    pet_does = (
        "stole a sock and ran round the garden with it",
        "fell asleep on their feet all evening",
        "rolled in something disgusting",
        "chewed the corner of a cushion",
        "ignored a brand new bed",
        "sat by the door waiting for them",
        "got muddy paws all over the kitchen",
        "ate a whole slice of toast",
        "chased a squirrel up a tree",
        "hid under the bed during a thunderstorm",
        "had a long nap in the sun",
        "was sick on the rug",
        "got a new collar",
        "snored through a film",
        "barked at the postman" if pet_kind == "dog" else "hissed at next door's dog",
    )
    family_does = (
        "phoned to talk for an hour",
        "came round for dinner",
        "sent a voice note about nothing much",
        "asked for help moving a sofa",
        "dropped off a cake",
        "was in a mood about work",
        "wanted advice about a car",
        "forgot their birthday card",
        "sent photos of a new haircut",
        "invited them to a barbecue",
        "had a cold and stayed in bed",
        "got a parking ticket",
    )
    relatives = (
        (sister, "Their sister"),
        (brother, "Their brother"),
        (mother, "Their mum"),
        (sister_partner, None),
    )
    friend_does = (
        "came over with wine and gossip",
        "went to the cinema with them",
        "needed to talk about a breakup",
        "sent a meme that made them laugh for an hour",
        "booked a table at a new tapas bar with them",
        "borrowed a book and never gave it back",
        "went for a run with them",
    )
    work_does = tuple(job["daily"]) + (
        "Work was so busy they skipped lunch",
        "A meeting at work overran by an hour",
        "Someone at work brought in doughnuts",
        "The coffee machine at work broke",
        "They stayed late at work to finish something",
        "A new colleague started at work",
    )
    boss_does = (
        "praised them in front of the whole team",
        "was in a foul mood",
        "asked them to cover a shift",
        "forgot a meeting with them",
        "gave them a small bonus",
    )
    hobby_days = tuple(hobbies[0]["daily"]) + tuple(hobbies[1]["daily"])
    they_do = (
        "made a big pot of chilli",
        "watched a documentary about octopuses",
        "finished a thriller in one sitting",
        "treated themselves to a new coat",
        "went for a long walk",
        "tried a new Thai place",
        "cracked their phone screen",
        "cleaned out the garage",
        "had a headache all afternoon",
        "booked a haircut",
        "fixed a leaking tap",
        "binge-watched a baking competition",
        "got a puncture",
        "started a thousand-piece jigsaw",
        "burned the toast",
        "went to a pub quiz",
        "repainted the bathroom",
        "got caught in a hailstorm",
        "cleared out old clothes for the charity shop",
        "had a lie-in",
        "found an old photo album",
        "bought too many plants",
        "made pancakes",
        "couldn't sleep",
        "went swimming",
        "did a big food shop",
        "rearranged the living room",
        "sorted out their tax",
    )

    def everyday() -> tuple[str, str]:
        roll = rng.random()
        if roll < 0.18:
            subject = pet if rng.random() < 0.7 else f"Their {pet_kind}"
            return f"{subject} {rng.choice(pet_does)} {rng.choice(when)}", "family"
        if roll < 0.36:
            name, role = rng.choice(relatives)
            who = name if role is None or rng.random() < 0.6 else role
            return f"{who} {rng.choice(family_does)} {rng.choice(when)}", "family"
        if roll < 0.44:
            who = friend if rng.random() < 0.7 else "Their best friend"
            return f"{who} {rng.choice(friend_does)} {rng.choice(when)}", "relationship"
        if roll < 0.58:
            if rng.random() < 0.35:
                return f"{boss} {rng.choice(boss_does)} {rng.choice(when)}", "work"
            return f"{rng.choice(work_does)} {rng.choice(when)}", "work"
        if roll < 0.66:
            return f"{rng.choice(hobby_days)} {rng.choice(when)}", "hobby"
        if kid and roll < 0.72:
            kid_does = (
                "lost a tooth",
                "drew a picture of the family",
                "had a cough",
                "built a den",
                "learned to ride a bike",
            )
            return f"{kid} {rng.choice(kid_does)} {rng.choice(when)}", "family"
        done, moment = rng.choice(they_do), rng.choice(when)
        place = rng.choice(where) if rng.random() < 0.3 else ""
        return f"They {done} {moment} {place}".strip(), "general"

    day = t0 + timedelta(days=10)
    while day < END:
        for _ in range(rng.randrange(4, 8)):
            text, kind = everyday()
            p.say(text, day, kind)
        day += timedelta(days=rng.randrange(3, 8))

    # -- questions -------------------------------------------------------------------------------------
    def ask(kind: str, q: str, *keys: str) -> None:
        p.ask(q, [ids[k] for k in keys], kind)

    ask("single", job["q"], "job")
    ask("single", job["qs"], "schedule")
    ask("single", "Which city am I living in these days?", "home")
    ask("single", "Where did I grow up?", "previous")
    ask("single", hobbies[0]["q"], "hobby0")
    ask("single", hobbies[1]["q"], "hobby1")
    ask("single", food_q, "food")
    ask("single", music_q, "music")
    ask("single", coping_q, "coping")
    ask("single", "Why do I get so worried about keeping in touch with people?", "attachment")
    ask("people", f"What's my {pet_kind}'s name?", "pet_name")
    ask(
        "people",
        f"What breed is my {pet_kind}?" if pet_kind == "dog" else "What does my cat look like?",
        "pet_breed",
    )
    ask("people", f"What happened to my {pet_kind}'s leg?", "limp", "vet")
    ask("people", f"Is my {pet_kind} better now?", "recovered")
    ask("people", f"Where did my {pet_kind} come from?", "adopted")
    ask("people", "What does my brother do?", "brother_job")
    ask("people", "Who's my manager?", "boss")
    ask("people", "How did I meet my best friend?", "friend_met")
    ask("people", f"How's {mother} doing after her surgery?", "op_went")
    ask("people", "What was my sister's wedding like?", "wedding_went")
    ask("two", "What does my sister do for a living?", "sister_name", "sister_job")
    ask("two", "Who is my sister marrying?", "sister_name", "engaged")
    ask("two", "What kind of surgery did my mum need?", "mother_name", "op")
    ask(
        "two",
        f"Remind me of my {pet_kind}'s name and what kind of {pet_kind} they are",
        "pet_name",
        "pet_breed",
    )
    ask("two", "Who put me up for a promotion?", "boss", "promo")
    ask("two", "Where does my sister live?", "sister_name", "sister_job")
    ask("when", "When is my sister's wedding?", "wedding")
    ask("when", f"When did I lose my {'dad' if lost == 'father' else 'gran'}?", "loss")
    ask("when", "When is my mum having her operation?", "op")
    ask("when", f"When do I fly out to {trip_city}?", "trip")
    ask("when", "When did I start my current job?", "started")
    ask("when", "When's my birthday?", "birthday")
    ask("when", f"When did I get my {pet_kind}?", "adopted")
    ask("when", "When was I put forward for promotion?", "promo")
    ask("when", f"When did {sister} get engaged?", "engaged")
    ask(
        "people",
        f"How am I coping since my {'dad' if lost == 'father' else 'gran'} died?",
        "missing",
        "funeral",
    )
    if kid:
        ask("two", "How old is my son?", "kid_name", "kid_age")
        ask("people", "What is my boy into at the moment?", "kid_age")
    ask("single", "Am I nervous about anything coming up?", "speech")
    ask("single", f"How was my holiday in {trip_city}?", "trip_went")
    return p


def main() -> None:
    people = ["Ana", "Ben", "Carmen", "Dara", "Eli", "Femi", "Gwen", "Hamid"]
    built = [build(name, i) for i, name in enumerate(people)]
    data = {
        "about": __doc__,
        "people": [{"name": p.name, "lines": p.lines, "questions": p.questions} for p in built],
    }
    OUT.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n")
    lines = sum(len(p.lines) for p in built)
    questions = sum(len(p.questions) for p in built)
    print(f"wrote {OUT}: {len(built)} people, {lines} lines, {questions} questions")


if __name__ == "__main__":
    main()
