"""English: the concepts' words, shorthand ("kms"), and what only English says."""

from __future__ import annotations

from typing import Final

from loyal_companion.safety.rules import Concern, Language, Rule

_SELF = "(myself|my self)"

ENGLISH: Final = Language(
    "en",
    macros={
        # Grief (bench part "grief"): someone else as a subject, joining the one who died, nothing
        # keeping them here, taking every pill tonight.
        "THEY": "(he|she|they|hed|shed|theyd|hes|shes|(my|our|his|her|their|the)? (mum|mom|mother|dad|father|grandad|granddad|grandpa|grandfather|grandma|grandmother|gran|nan|nana|granny|husband|wife|son|daughter|brother|sister|uncle|aunt|auntie|friend|partner|patient|neighbour|neighbor)) (was|were|is|had|has|always|once|often|still|said|says)?",
        "JOIN": "(join|be with|go to|go be with|be back with|be together with|go and be with)",
        "LOVED": "(him|her|them|my (wife|husband|partner|mum|mom|mother|dad|father|son|daughter|boy|girl|baby|brother|sister|gran|nan|grandad|grandma|love|darling|best friend))",
        "AWAY": "(deployment|deployed|trip|holiday|vacation|abroad|tour|business)",
        "GONEMARK": "(wherever|where (he|she|they) (is|are|went)|in heaven|up there|on the other side|"
        "(shes|hes|theyre|is|are|been) gone (a|one|two|three|four|five|six|seven|eight|nine|ten|twelve|since|"
        "now|forever|for good|and|$)|died|dead|passed|without (him|her|them))",
        "GOWHERE": "go where (she|he|they) (went|has gone|have gone|is now|are now) $",
        "NOTHINGHERE": "(nothing|nobody|no one) (keeping|keeps|holding|holds|left for) me (here|anymore|now)|no reason to stay|nothing (left )?to stay for|nothing left for me here",
        "HERE_VETO": "(moving|move|moved|relocate|town|city|job|country|abroad|flat|house|uni|college)",
        "TAKE": "(take|taking|took|swallow|swallowing|swallowed|down|neck)",
        "ALLOF": "(all|every|the whole|a handful of|handful of|the rest of|all of)",
        "TONIGHT": "(tonight|at once|in one go|right now|see if|and never|and sleep forever)",
        "PILLVETO": "(prescribed|prescription|doctor|gp|pharmacist|routine|usual|morning|food|vitamins|antibiotics|course|remember|organiser|organizer|box)",
        "WANT": "(want|wants|wanted|wish|wishing|ready|planning|plan|need|decided|deciding|tempted|trying|"
        "tried|hope|would like|d like|like to|mind is set on|rather|d rather|prefer)",
        "GOING": "(going to|will|ill|about to)",
        "DIE": "(die|be dead|not exist|not be alive|dying|stop existing|stop breathing)",
        "KILLSELF": f"((kill|killing|killed|off|offing|hang|hanging|hung|shoot|shooting|drown|drowning|"
        f"poison|poisoning|overdose on) {_SELF}|(end|ending|take|taking|took) my (own)? life|"
        f"(commit|committing|commited) suicid*|unaliv* ({_SELF}|$)|{_SELF} off (a|the) (bridge|building|"
        f"roof|cliff|balcony|ledge)|(tie|tying|tied) a noose|(end|ending) it (all|tonight|today|now|for good)|"
        f"(ready|going|planning|decided|about) to end it $|(end|ending) (it|things) ~2 (tonight|today)|"
        f"(tonight|today) ~4 (end|ending) (it|things))",
        "NEG": "(dont|do not|no longer|not|never|cant|cannot)",
        "LIVE": "(live|be alive|exist|be here|wake up|be around|go on|keep going|keep living|stay alive)",
        "TIRED": "(tired|sick|exhausted|done|fed up|weary)",
        "NOSTRENGTH": "(no strength|no energy|nothing left) (left)?",
        "LIFE": "(living|being alive|life|existing|being here|waking up|this life|going on|carrying on|go on)",
        "END": "(end|ending|ended|finish|finishing)",
        "MYLIFE": "(my life|my own life|it all|everything for good)",
        "NOSENSE": "(no point|whats the point|what s the point|pointless|no reason|no sense|point of|point in)",
        "BETTEROFF": "(better off|better|happier|easier)",
        "WITHOUTME": "(without me|if i was gone|if i were gone|if i died|if i wasnt here|with me gone)",
        "GAVE": "(giving|gave|give|given) ~1 (away)?",
        "MYTHINGS": "((my|all my) (things|stuff|belongings|possessions)|everything i own)",
        "SLEEP": "(sleep|asleep|go to sleep|fall asleep)",
        "NEVERWAKE": "((never|not) wake up|(never|not) waking up|wake up never)",
        "FOREVER": "(forever|for good|permanently|for ever|and never come back|never come back)",
        "DISAPPEAR": "(disappear|disappearing|disappeared|vanish|be gone|log off|logging off)",
        "GOODBYE": "(goodbye|suicide|last) (letters|letter|notes|note)|(written|wrote|writing) ~3 "
        "(letters|letter|notes|note) ~4 (just in case|before i go|when im gone|after im gone)|this is "
        "(goodbye|my goodbye|my last message)|rehearsing how ~2 (say )?goodbye|tell ~3 (im sorry|i love them) "
        "~4 (cant keep going|cant go on|cant do this)",
        "BURDEN": "((im|i am) ~2 burden (to|on) (everyone|everybody|them|you|my family|all)|(wont|will not|not) "
        "be a burden ~5 (longer|long|soon|anymore)|doing everyone a favour ~3 (disappearing|gone|dying|dead))",
        "GONE_TOMORROW": "((wont|will not|not going to|dont plan on|not planning on) (be|being) (here|around) "
        "~3 (tomorrow|christmas|next week|much longer|long|anymore)|(dont|do not) think (ill|i will) be "
        "(around|here|alive) ~1 (longer|long|tomorrow)|(after tonight|tomorrow) ~4 (wont|will not) ~3 (here|"
        "around|my problem|matter))",
        "THINK": "(thinking|think|thought|thoughts) (about|of)",
        "SUICIDENOUN": "(suicid*|ending (it|my life)|not being here|not existing|dying)",
        "SUICIDALTHOUGHTS": "suicid* (thoughts|thought|feelings|again|ideation|urges|urge)|suicid* ~3 "
        "(crossing|on|in) my (mind|head)|(suicid*|sewer slide|not existing) ~3 (looking|sounds|seems|feels) "
        "~2 (good|nice|better|tempting|appealing|peaceful)|(considering|planning|plan) suicid*",
        "IMSUICIDAL": "(im|i am|feel|feeling|felt|been|getting|get|so) ~1 suicid*",
        "STOCKPILE": "(stockpiling|stockpiled|saving up|saved up|hoarding|collecting|lined up|counting|"
        "counted out)",
        "PILLS": "(pills|tablets|meds|medication|paracetamol|tylenol|ibuprofen|insulin|xanax|painkillers)",
        "HOWMANY": "(how many|how much)",
        "LETHAL": "(lethal|fatal|deadly) (dose|amount|dosage)|(painless|easiest|quickest|quick|easy|best) "
        f"(way|ways|method|methods) to (die|kill {_SELF}|end it|end my life|commit suicide)|how (to|do i|can i) "
        f"(kill {_SELF}|end my life|commit suicide)|(tallest|highest) (bridge|building|cliff) ~4 (near|around|"
        f"jump|reasons)|(rope|noose) ~6 (know what for|for {_SELF}|hang|neck|tonight)|how long ~4 (to be "
        "found|before (someone|anyone) finds)",
        "JUMP": "(jump|jumping|throw myself|walk into|walking into|step in front of|lie down on)",
        "DANGER": "(bridge|roof|building|train|traffic|tracks|cliff|window|balcony|the road)",
        "SHVERB": "(cut|cuts|cutting|slit|slice|slicing|burn|burned|burnt|burning|scratch|scratched|scratching|"
        "carve|carved|carving|hit|hitting|punch|punching|bite|biting|pick|picking|hurt|hurting|harm|harming|"
        "bang|banging|starve|starving)",
        "SELF": _SELF,
        "SHQ": "(again|on purpose|purposely|deliberately|to feel|when|until|till|because i deserve|i deserve it|"
        "so bad|every night|relapsed|relapse|bleed|bleeds|bled|hide|hiding|nobody knows)",
        "SHBODY": "my (wrist|wrists|arm|arms|thigh|thighs|leg|legs|skin|stomach|hips|head)",
        "SHNOUN": "(self harm|self harming|fresh cuts|hiding my (wrists|arms|scars|cuts))",
        "URGE": "(urge|urges|need|want|craving|cravings) to?",
        "HARMINTENT": "(going to|will|ill|want to|plan to|planning to|planning how to|about to|ready to|"
        "i swear|swear|fantasize about|fantasizing about|thinking about|think about|thought about|dream about)",
        "HARMVERB": "(kill|murder|stab|stabbing|shoot|shooting|strangle|hurt|hurting|beat|attack|poison|choke|"
        "killing|murdering)",
        "OTHER": "(him|her|them|em|someone|somebody|everyone|everybody|people|anyone|my (boss|dad|stepdad|mum|"
        "mom|mother|father|brother|sister|wife|husband|girlfriend|boyfriend|ex|teacher|neighbour|neighbor|"
        "coworker|roommate|family|stepmom|stepmum|bully|bullies)|the (boss|teacher|bully|bullies|kids|people|"
        "guys|girls|students)|those (kids|people|guys|girls))",
        "WISHDEAD": "(wish|wished) ~1 (i|id) (was|were|be|had) (dead|never been born|died)|(wish|hope) i ~1 "
        "(dont|never|wouldnt) wake up",
        "STOPALL": "(it all|everything|the pain|this pain|it|all of this) to (stop|end)",
        "JUMPNOW": "(im jumping|i jump|jumping)",
        "SWIM": "(water|swim|swimming|lake|river|sea|pool|summer|bungee|parachute)",
        "HARMCLITIC": "(hurt|kill|stab) (him|her|them) (so bad|badly|for real)|put (him|her|them) in the ground|"
        "make (him|her|them) suffer|make (them|him|her|em|everyone|you) (all)? pay",
        "HARMNOW": "(stab|kill|shoot) (him|her|them) (tonight|tomorrow|when)",
        "WEAPON": "(gun|knife|blade|weapon|rifle|pistol|machete)",
        "KNOWWHERE": "(know where (he|she|they) (lives|live|works|work|sleeps))",
        "SCHOOLWORK": "(school|work|class|office|campus)",
        "FORTHEM": "(for (them|him|her|those)|to (get|hurt|kill) (them|him|her))",
        "LAUGH": "(laughing|laughter)",
        "EMBARRASS": "(embarrassment|embarrassed|cringe|boredom|bored|cuteness|rather ~2 die ~1 than)",
        "GAME": "(game|games|gaming|cod|fortnite|minecraft|grenade|grenades|respawn|respawned|level|lvl|pvp|"
        "warzone|valorant|roblox|gta|raid|character|final boss|boss fight|creeper|npc)",
        "ACCIDENT": "(chopping|chop|cooking|cook|kitchen|onion|onions|garlic|slipped|accident|accidentally|"
        "shaving|shave|paper|oven|tray|pan|stove|kettle|iron|ironing|bread|veg|vegetables|gardening|glass|"
        "surgery|stitches|healing|playing|football|gym|fell|mandoline|can opener|clumsy|toe|stubbed)",
        "NEWS": "(prevention|documentary|hotline|helpline|awareness|article|essay|book|film|movie|series|"
        "podcast|statistics|rate|rates|research|squad|brother|sister|friend|dad|mum|mom|father|mother|"
        "volunteer|volunteers|news|deaths)",
        "PLACE": "(in|at|near|with|there|here in)",
        "BUSY": "(busy|boring|hectic|stressful|routine|holiday|vacation|meeting|team|project|tax|work)",
        "OLD": "(old|charity|donate|donated|church|shop)",
        "WORKIDIOM": "(work|working|gym|workout|training|job|studying|deadline)",
    },
    fuzzy=("suicide", "suicidal", "myself", "anymore", "overdose", "paracetamol", "killing", "cutting"),
    fillers=(
        "just",
        "really",
        "relly",
        "honestly",
        "literally",
        "actually",
        "seriously",
        "kinda",
        "lowkey",
        "highkey",
        "totally",
        "truly",
        "simply",
        "basically",
        "fr",
        "ngl",
        "tbh",
        "genuinely",
        "probably",
        "maybe",
        "even",
        "definitely",
        "fucking",
        "freaking",
        "bloody",
        "damn",
        "pretty",
        "quite",
        "lately",
        "sometimes",
        "still",
    ),  # fmt: skip
    negations=frozenset(
        {"not", "dont", "never", "no", "wouldnt", "didnt", "doesnt", "isnt", "cannot", "nor"}
    ),
    shorthand={
        "kms": "kill myself",
        "kys": "kill yourself",
        "ctb": "kill myself",
        "sewerslide": "suicide",
        "wanna": "want to",
        "gonna": "going to",
        "gona": "going to",
        "gunna": "going to",
        "ima": "i am going to",
        "imma": "i am going to",
        "2": "to",
        "u": "you",
        "ur": "your",
        "rn": "right now",
        "tmrw": "tomorrow",
        "tmr": "tomorrow",
        "thinkin": "thinking",
        "cuttin": "cutting",
        "kil": "kill",
        "wnat": "want",
        "agian": "again",
        "anymoar": "anymore",
        "abt": "about",
        "bout": "about",
        "sh": "self harm",
        "selfharm": "self harm",
        "od": "overdose",
        "cnt": "cant",
        "dnt": "dont",
        "tonights": "tonight",
    },
    rules=(
        Rule(
            Concern.HARM_OTHERS,
            (
                "(bringing|bring|take|taking) (a|my) (knife|gun|blade|weapon) ~4 (school|work|class|office) ~3 "
                "(for (them|him|her|those)|to (get|hurt|kill))",
                "(got|have|bought|own|ive got) a (gun|knife|weapon|rifle|pistol) ~4 (know where|for (him|her|them))",
                "(they|he|she|you) (wont|will not) be laughing (after|when|for long|tomorrow)",
                "(beat|hit|choke|strangle|punch) ~1 (him|her|them) ~2 (until|till|til) ~3 (breathing|dead|die|dies)",
                "(shoot|shooting) up (the|a|my)? (place|school|office|mall|party|class|church)",
                "make sure (nobody|no one) (else)? (gets|has|can have) (her|him)",
            ),
            veto=("(game|games|gta|fortnite|cod|knife skills|cooking)",),
        ),
        Rule(
            Concern.SUICIDE,
            (
                "(insurance|life insurance) (money|payout|policy) ~8 (be fine|taken care of|better off|all that matters)",
            ),
        ),
        Rule(
            Concern.SUICIDE,
            (
                "(end|ending) it ~1 (after|before) the (funeral|anniversary|service|burial|memorial)",
                "(dont|do not|not) (plan on|planning on|intend on|intend to|expect to|going to) (seeing|see|"
                "making it to|make it to|be here for|being here for) ~1 (tomorrow|monday|tuesday|wednesday|thursday|"
                "friday|saturday|sunday|christmas|next week|next year|the weekend|another year|my birthday)",
                "(should|shouldve) (have|ve)? (died|been the one) ~8 (still can|still could|can still|could still|"
                "not too late)",
                "rather (be)? (in the ground|buried|in the grave|dead|in a box) ~4 than (here|this|alive|living|be here)",
                "(could|should|want to|going to|ready to|thinking) ~2 follow (her|him|them) $",
                "@SLEEP (and|to) @JOIN @LOVED",
            ),
            of_others=True,
        ),
        Rule(
            Concern.HARM_OTHERS,
            ("@HARMVERB @OTHER ~6 (i mean it|i know where|im serious|im not joking|not joking)",),
            veto=("@GAME",),
        ),
        Rule(
            Concern.SELF_HARM,
            (
                "(started|start|been|keep|kept|began|back to) (cutting|burning myself|hurting myself|self harming)",
                "cutting again",
                "relapsed ~3 (self harm|cutting)",
                "self harm (again|urges|urge|relapse)",
                "(want|need|urge|urges) to? cut ~1 (so bad|right now|tonight|again|deep|deeper|$)",
                "(punching|punch|hitting) (walls|wall|the wall) ~6 (on purpose|bleed|bleeds|bled|blood)",
            ),
        ),
    ),
)
