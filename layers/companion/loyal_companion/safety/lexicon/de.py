"""German, folded (ä → a, ß → ss): verbs come last in subordinate clauses, so templates take both orders."""

from __future__ import annotations

from typing import Final

from loyal_companion.safety.rules import Concern, Language, Rule

GERMAN: Final = Language(
    "de",
    macros={
        # Grief (bench part "grief"): someone else as a subject, joining the one who died, nothing
        # keeping them here, taking every pill tonight.
        "THEY": "(er|sie|(meine|mein|seine|sein|ihre|ihr|unsere|unser) (mutter|vater|mama|papa|oma|opa|frau|mann|sohn|tochter|bruder|schwester|tante|onkel|freund|freundin))",
        "JOIN": "(zu|bei)",
        "LOVED": "(ihm|ihr|ihnen|meiner (frau|mutter|mama|tochter|oma|schwester|freundin)|meinem (mann|vater|papa|sohn|opa|bruder|freund))",
        "AWAY": "(reise|geschaftsreise|dienstreise|urlaub|montage)",
        "GONEMARK": "(ohne (sie|ihn)|nichts mehr sinn|im himmel|da oben|wo (er|sie) (ist|jetzt ist)|tot|gestorben)",
        "NOTHINGHERE": "nichts halt mich ~1 hier|nichts halt mich mehr",
        "TAKE": "(nehme|nehmen|schlucke|schlucken)",
        "ALLOF": "(alle|die ganzen|die ganze packung)",
        "TONIGHT": "(heute nacht|heute abend|jetzt|auf einmal)",
        "WANT": "(will|mochte|wurde gern|wurde gerne|wunsche|wunschte|lust|bereit|wollte|mochte gern)",
        "GOING": "(werde|gehe)",
        "DIE": "(sterben|sterbn|tot sein|nicht mehr existieren|nicht mehr sein)",
        "KILLSELF": "(mich ~2 (umbringen|umbrigen|toten|wegmachen|erhangen|vergiften)|bring mich um|bringe mich um|"
        "mir ~1 das leben (nehmen|zu nehmen)|selbstmord begehen|meinem leben ein ende setzen|setze meinem "
        "leben ein ende|mein leben beenden|suizid begehen)",
        "NEG": "(nicht|nich|nie|kein|keine|keinen)",
        "LIVE": "(leben|existieren|da sein|hier sein|aufwachen|weiterleben|sein)",
        "TIRED": "(mude|satt|erschopft|lebensmude|keinen bock|keine lust)",
        "NOSTRENGTH": "(keine kraft|keine energie) (mehr)?",
        "LIFE": "(leben|vom leben|des lebens|zu leben|existieren|dieses leben|mehr zu leben|weiterzuleben|weiterleben|"
        "weiterzumachen)",
        "END": "(ende|beenden|schluss)",
        "MYLIFE": "(meinem leben|mein leben|mit allem)",
        "NOSENSE": "(keinen sinn|kein sinn|sinnlos|keinen grund|hat keinen sinn)",
        "BETTEROFF": "(besser dran|besser|glucklicher)",
        "WITHOUTME": "(ohne mich|wenn ich weg ware|wenn ich nicht mehr da bin)",
        "GAVE": "(verschenkt|verschenke|weggegeben|gebe ~1 weg|verteilt)",
        "MYTHINGS": "(meine sachen|all meine sachen|mein zeug|meine habseligkeiten|was ich habe)",
        "SLEEP": "(schlafen|einschlafen)",
        "NEVERWAKE": "(nie (wieder|mehr) aufwachen|nicht mehr aufwachen)",
        "FOREVER": "(fur immer|nie wieder zuruck|endgultig)",
        "DISAPPEAR": "(verschwinden|weg sein|weggehen)",
        "GOODBYE": "abschiedsbrief*",
        "BURDEN": "(bin|sein) ~2 (eine last|ein klotz am bein) ~3 (fur alle|fur euch|fur meine familie)?",
        "GONE_TOMORROW": "morgen ~3 (nicht mehr da|nicht mehr hier)|dann habt ihr ruhe",
        "THINK": "(denke|denk|gedanken|nachgedacht) ~1 (an|uber|ueber|daran|dran)",
        "SUICIDENOUN": "(selbstmord|suizid|den tod|sterben|umbringen)",
        "SUICIDALTHOUGHTS": "(suizidgedanken|selbstmordgedanken|suizidale gedanken)",
        "IMSUICIDAL": "(bin|fuhle mich) suizidal",
        "STOCKPILE": "(sammle|gesammelt|gehortet|horte|beiseite gelegt|aufgespart)",
        "PILLS": "(tabletten|pillen|medikamente|schlaftabletten)",
        "HOWMANY": "(wie viele|wie viel)",
        "LETHAL": "(todliche|todlich) (dosis|menge)|(schmerzlos|schnellste|einfachste) ~2 (sterben|umbringen)",
        "JUMP": "(springen|springe|spring|werfen|werfe|stursten|sturze)",
        "DANGER": "(brucke|dach|hochhaus|zug|gleise|fenster|balkon|klippe)",
        "SHVERB": "(schneide|geschnitten|ritze|geritzt|ritzen|verbrenne|verbrannt|schlage|geschlagen|kratze|"
        "gekratzt|blutig|beisse|gebissen|verletze|verletzt|aufgeschnitten|aufschneiden)",
        "SELF": "(mich|mir|mich selbst)",
        "SHQ": "(wieder|absichtlich|mit absicht|um (was|etwas) zu spuren|wenn|blutig|bis es blutet|verdient)",
        "SHBODY": "(die arme|den arm|arme|handgelenke|handgelenk|oberschenkel|beine|die haut)",
        "SHNOUN": "(selbstverletz*|ritz*)",
        "URGE": "(drang|lust|bedurfnis)",
        "HARMINTENT": "(werde|will|bringe|bring|schwore)",
        "HARMVERB": "(umbringen|um|abstechen|erstechen|erschiessen|abknallen|fertigmachen|wehtun|weh tun)",
        "OTHER": "(ihn|sie|ihm|ihr|ihnen|meinen (nachbarn|vater|stiefvater|chef|ex|bruder|lehrer)|meine "
        "(nachbarin|mutter|stiefmutter|chefin|ex|schwester|lehrerin)|den typen|die alle)",
        "WISHDEAD": "(wunschte|wunsche|ware) ~2 (ich ware tot|ware ich tot|tot)|ware ich doch tot",
        "STOPALL": "(dass|das) (alles|es|der schmerz) ~2 (aufhort|endet|vorbei ist)",
        "JUMPNOW": "(spring|springe|sturze mich|werfe mich)",
        "SWIM": "(wasser|schwimmen|see|fluss|meer|freibad|sommer)",
        "HARMCLITIC": "(ihm|ihr|ihnen) ~2 (wehtun|weh tun)",
        "HARMNOW": "(steche ~1 ab|bringe ~2 um|knall ~1 ab)",
        "WEAPON": "(messer|waffe|pistole|knarre|klinge)",
        "KNOWWHERE": "((weiss|weis) wo (er|sie) (wohnt|wohnen|arbeitet|schlaft))",
        "SCHOOLWORK": "(schule|arbeit|klasse|buro|uni)",
        "FORTHEM": "(fur (die|ihn|sie|die alle)|gegen (die|ihn|sie))",
        "LAUGH": "(lachen|totgelacht|lach mich)",
        "EMBARRASS": "(peinlich|langeweile)",
        "GAME": "(spiel|endboss|charakter|level|runde)",
        "ACCIDENT": "(kochen|kuche|zwiebel*|ofen|pfanne|bugeleisen|brot*|dosenoffner|ungeschickt|aus versehen|"
        "unfall|rasieren|papier|gemuse|finger)",
        "NEWS": "(pravention|doku|dokumentation|artikel|buch|film|serie|statistik|rate)",
        "PLACE": "(in|bei|mit|zur|zu)",
        "BUSY": "(stress|arbeit|urlaub|meeting|alltag)",
        "OLD": "(alte|alten|altes|gespendet|spende|kleiderkammer|verein)",
        "WORKIDIOM": "(arbeit|chef|lachen)",
    },
    fuzzy=("umbringen", "selbstmord", "sterben", "suizid", "geritzt", "aufwachen", "abschiedsbrief"),
    fillers=(
        "einfach",
        "nur",
        "noch",
        "echt",
        "wirklich",
        "halt",
        "eben",
        "irgendwie",
        "ehrlich",
        "total",
        "langsam",
        "bald",
        "jetzt",
        "endlich",
        "doch",
        "mal",
        "gerade",
        "grad",
        "ganz",
        "so",
        "seit",
        "wochen",
    ),  # fmt: skip
    negations=frozenset({"nicht", "nich", "nie", "niemals", "kein", "keine", "keinen"}),
    rules=(
        Rule(
            Concern.SUICIDE, ("(will|mag) (nicht|nich) mehr $", "kann nicht mehr . ~2 will (nicht|nich) mehr")
        ),
    ),
    shorthand={"wida": "wieder", "hab": "habe", "nen": "einen"},
)
