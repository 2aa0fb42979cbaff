"""What the people of bench/data/memory/dataset.json are made of: names, pets, places, jobs, hobbies, tastes
and the ways they cope (``generate.py`` draws from these with a fixed seed)."""

from __future__ import annotations

from typing import Any

FEMALE = (
    "Maya Ines Priya Hannah Zoe Leila Grace Fatima Chloe Rosa Niamh Yara Elena Sofia Tamsin Aisha Clara "
    "Bethan Lucia Martha Imogen Nadia Freya Amara"
).split()
MALE = (
    "Tom Sam Jonah Arjun Dev Luca Owen Kwame Felix Rory Mateo Callum Idris Hugo Theo Ravi Ewan Marco Jude "
    "Ibrahim Finn Declan Oscar Kofi"
).split()
PET_NAMES = "Biscuit Pepper Mochi Rufus Luna Bramble Pickle Juniper Nutmeg Ziggy Waffles Hazel Otis".split()
DOG_BREEDS = (
    "a scruffy little terrier",
    "a retired racing greyhound",
    "a black labrador",
    "a border collie",
    "a wire-haired dachshund",
    "a beagle with one floppy ear",
)
CAT_BREEDS = ("a ginger tabby", "a black cat with one white paw", "a grey Maine Coon", "a Siamese")
CITIES = "Leeds Bristol Glasgow Cardiff Norwich York Brighton Belfast Sheffield Exeter Dundee Swansea".split()
ABROAD = "Lisbon Porto Kraków Seville Copenhagen Naples Tallinn Bruges Ljubljana Valencia".split()

JOBS: tuple[dict[str, Any], ...] = (
    {
        "line": "They work as a nurse on the children's ward at St Mary's hospital",
        "schedule": "They are working night shifts on the ward this month",
        "q": "What do I do for a living?",
        "qs": "What hours am I working at the moment?",
        "daily": (
            "A shift on the ward ran two hours over",
            "A little boy on the ward drew them a picture of a dinosaur",
            "The ward was short-staffed again because of a flu outbreak",
        ),
    },
    {
        "line": "They teach year four at Oakfield Primary School",
        "schedule": "They run the after-school chess club on Wednesdays",
        "q": "What's my job again?",
        "qs": "What do I run after lessons on Wednesdays?",
        "daily": (
            "The class put on an assembly about the Romans",
            "Marking piled up over the weekend",
            "A parents' evening went on until nine",
        ),
    },
    {
        "line": "They are a developer at a small studio that makes puzzle games",
        "schedule": "They work from home on Mondays and Fridays",
        "q": "Remind me what I do for work?",
        "qs": "Which days am I not in the office?",
        "daily": (
            "A release at the studio slipped by a week",
            "They fixed a bug that had crashed the game on older phones",
            "The studio had a pizza night to celebrate a launch",
        ),
    },
    {
        "line": "They cook at an Italian restaurant called Nonna's",
        "schedule": "They do split shifts at the restaurant from Thursday to Sunday",
        "q": "Where am I a chef?",
        "qs": "Which days are my busy days at the restaurant?",
        "daily": (
            "Service was chaos because the dishwasher broke",
            "A food critic came in and liked the risotto",
            "They burned their wrist on the pizza oven",
        ),
    },
    {
        "line": "They drive the number 42 bus across the city",
        "schedule": "They start at five in the morning on the early rota",
        "q": "What's my job?",
        "qs": "What time do I start in the mornings?",
        "daily": (
            "A passenger left a violin on the bus and came back crying with relief",
            "Roadworks made every journey on the route late",
            "They got a thank-you card from a regular passenger",
        ),
    },
    {
        "line": "They are an accountant at a firm near the station",
        "schedule": "They work long hours every January because of tax returns",
        "q": "What is my profession?",
        "qs": "Which month is the worst for my working hours?",
        "daily": (
            "The accounts software crashed an hour before a deadline",
            "A client paid their invoice with a box of chocolates",
            "The firm's Christmas party was at a bowling alley",
        ),
    },
    {
        "line": "They are a librarian at the central library",
        "schedule": "They run a toddler story time on Saturday mornings",
        "q": "What do I do for work?",
        "qs": "What do I do on Saturday mornings at work?",
        "daily": (
            "Someone returned a book forty years overdue",
            "The library's boiler broke in the cold snap",
            "A reading group at the library argued about a crime novel",
        ),
    },
    {
        "line": "They are a vet nurse at a practice on the high street",
        "schedule": "They are on call one weekend a month",
        "q": "Remind me where I work?",
        "qs": "How often am I on call?",
        "daily": (
            "A tortoise came into the practice with a cracked shell",
            "They held a frightened puppy during its first injections",
            "The practice was overrun with hedgehogs in autumn",
        ),
    },
)

HOBBIES: tuple[dict[str, Any], ...] = (
    {
        "line": "They play the cello in a community orchestra",
        "q": "What instrument do I play?",
        "daily": ("Orchestra rehearsal ran late", "They practised scales for an hour before the concert"),
    },
    {
        "line": "They run with a club on Sunday mornings",
        "q": "What do I do with a club on Sundays?",
        "daily": ("They ran ten kilometres in the rain", "Their knee ached after the long run"),
    },
    {
        "line": "They go bouldering at a climbing wall twice a week",
        "q": "What sport am I into?",
        "daily": ("They finally topped a hard route at the wall", "They tore a fingernail on a hold"),
    },
    {
        "line": "They knit jumpers for the whole family",
        "q": "What do I make for my family?",
        "daily": (
            "They started knitting a cable-knit scarf",
            "They unpicked a whole sleeve and started again",
        ),
    },
    {
        "line": "They grow tomatoes and beans on an allotment",
        "q": "What do I grow?",
        "daily": ("Slugs ate half the lettuces", "The first tomatoes of the year were ripe"),
    },
    {
        "line": "They paint watercolours of the coast",
        "q": "What kind of art do I do?",
        "daily": ("They painted the harbour at dusk", "They bought a new set of brushes"),
    },
    {
        "line": "They sing alto in a choir at the community centre",
        "q": "What part do I sing?",
        "daily": ("The choir learned a new carol", "They had a sore throat before the choir's concert"),
    },
    {
        "line": "They play five-a-side football on Thursday evenings",
        "q": "What do I play on Thursday evenings?",
        "daily": ("Their five-a-side team lost nine-nil", "They scored a header at five-a-side"),
    },
    {
        "line": "They bake sourdough bread every weekend",
        "q": "What do I bake?",
        "daily": ("Their sourdough starter went mouldy", "The loaf came out flat as a pancake"),
    },
    {
        "line": "They are learning Japanese with an app and a weekly tutor",
        "q": "Which language am I learning?",
        "daily": ("They passed a vocabulary test in Japanese", "Their tutor cancelled the weekly lesson"),
    },
)

FOODS = (
    ("Their favourite food is their grandmother's lamb stew", "What dish do I love most?"),
    ("They can't stand coriander", "Which herb do I hate?"),
    ("They are vegetarian and have been since university", "Do I eat meat?"),
    ("They are allergic to peanuts", "What am I allergic to?"),
    ("Their favourite drink is a peaty whisky", "What do I like to drink?"),
    ("They love spicy ramen", "What's my comfort food?"),
)
MUSIC = (
    ("They listen to old soul records, Nina Simone above all", "Who's my favourite singer?"),
    ("They love loud punk from the eighties", "What music am I into?"),
    ("Their favourite band is Radiohead", "Which band do I like best?"),
    ("They listen to film soundtracks while they work", "What do I listen to while I work?"),
)
COPING = (
    ("When they feel low, they walk along the canal until their head clears", "What helps me when I'm down?"),
    ("Swimming early in the morning helps them with anxiety", "What do I do to calm my anxiety?"),
    ("They write in a journal every night when things are hard", "How do I get through rough days?"),
    ("Baking calms them down when they are stressed", "What do I do when I'm stressed?"),
)
ATTACHMENT = (
    "They get anxious when people don't reply to their messages",
    "They worry that friends will drift away if they don't keep in touch",
)
