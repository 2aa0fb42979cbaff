"""Italian, folded, with texting shorthand ("nn", "sn")."""

from __future__ import annotations

from typing import Final

from loyal_companion.safety.rules import Language

ITALIAN: Final = Language(
    "it",
    macros={
        # Grief (bench part "grief"): someone else as a subject, joining the one who died, nothing
        # keeping them here, taking every pill tonight.
        "THEY": "(lui|lei|loro|(mia|mio|sua|suo|nostra|nostro) (madre|padre|mamma|papa|nonna|nonno|moglie|marito|figlio|figlia|fratello|sorella|zia|zio|amico|amica))",
        "JOIN": "(raggiungere|stare con|essere con|ritrovare|andare da)",
        "LOVED": "(lui|lei|loro|mia (moglie|madre|mamma|figlia|sorella|nonna)|mio (marito|padre|papa|figlio|fratello|nonno|amore))",
        "AWAY": "(viaggio|vacanza|trasferta)",
        "GONEMARK": "(senza di (lui|lei)|non ce la faccio|lassu|in cielo|dove (e|sta)|morto|morta|se n e andato|se n e andata)",
        "NOTHINGHERE": "niente mi trattiene|non c e piu niente per me qui",
        "TAKE": "(prendo|prendere|ingoio|ingoiare)",
        "ALLOF": "(tutte|tutti|tutta la scatola di)",
        "TONIGHT": "(stanotte|stasera|adesso|tutte insieme)",
        "WANT": "(voglio|vorrei|ho voglia di|desidero|devo|sto per|mi va di)",
        "GOING": "(sto per|adesso)",
        "DIE": "(morire|morie|essere morta|essere morto|smettere di esistere|non esistere piu|uccidermi|ammazzarmi|"
        "suicidarmi)",
        "KILLSELF": "(mi ammazzo|mi uccido|mi suicido|togliermi la vita|"
        "mi tolgo la vita|mi togliero la vita|farla finita|la faccio finita|metto fine alla mia vita|"
        "mettere fine alla mia vita)",
        "NEG": "(non|mai)",
        "LIVE": "(vivere|esistere|essere qui|svegliarmi|restare in vita|andare avanti)",
        "TIRED": "(stanca|stanco|stufa|stufo|esausta|esausto)",
        "NOSTRENGTH": "(non ho piu|senza) (la forza|forze|energie)",
        "LIFE": "(vivere|la vita|esistere|questa vita|di vivere)",
        "END": "(mettere fine|metto fine|porre fine|farla finita)",
        "MYLIFE": "(alla mia vita|a tutto|$)",
        "NOSENSE": "(non ha senso|nessun senso|senza senso|non ha piu senso|a che serve)",
        "BETTEROFF": "(meglio|meglio tutti|piu felici)",
        "WITHOUTME": "(senza di me|se non ci fossi)",
        "GAVE": "(regalato|regalo|dato via|dando via|distribuito)",
        "MYTHINGS": "(le mie cose|tutte le mie cose|quello che ho)",
        "SLEEP": "(dormire|addormentarmi)",
        "NEVERWAKE": "((non|mai piu) svegliarmi|non svegliarmi piu)",
        "FOREVER": "(per sempre|non tornare mai piu|mai piu)",
        "DISAPPEAR": "(sparire|scomparire|andarmene)",
        "GOODBYE": "lettere d addio|lettera d addio|(questo e|e) il mio addio",
        "BURDEN": "sono ~1 un peso",
        "GONE_TOMORROW": "domani ~2 (non ci saro|non saro) piu",
        "THINK": "(penso|pensando|pensato|pensare) (al|a|di)",
        "SUICIDENOUN": "(suicid*|uccidermi|morire|ammazzarmi|farla finita)",
        "SUICIDALTHOUGHTS": "pensieri suicidi",
        "IMSUICIDAL": "(sono|mi sento) (suicida)",
        "STOCKPILE": "(mettendo da parte|messo da parte|accumulando|accumulato|conservando|raccolto)",
        "PILLS": "(pastiglie|pillole|compresse|farmaci|medicine|sonniferi)",
        "HOWMANY": "(quante|quanti|quanto)",
        "LETHAL": "dose ~2 (letale|mortale)|(modo|maniera) ~2 (indolore|veloce) (di|per) (morire|uccidermi)",
        "JUMP": "(buttarmi|mi butto|gettarmi|lanciarmi|saltare)",
        "DANGER": "(ponte|tetto|palazzo|treno|binari|finestra|balcone|metro)",
        "SHVERB": "(taglio|tagliata|tagliato|tagliarmi|brucio|bruciata|bruciato|picchio|picchiata|graffio|"
        "graffiata|mordo|morso|faccio del male|ferisco|ferita)",
        "SELF": "(mi|me stessa|me stesso|da sola|da solo)",
        "SHQ": "(di nuovo|ancora|apposta|per sentire|quando|fino a sanguinare|me lo merito)",
        "SHBODY": "(le braccia|il braccio|i polsi|il polso|le cosce|le gambe|la pelle)",
        "SHNOUN": "(autolesion*|mi autolesiono)",
        "URGE": "(voglia di|bisogno di)",
        "HARMINTENT": "(voglio|giuro che|sto per)",
        "HARMVERB": "(ammazzare|uccidere|accoltellare|sparare a|picchiare|ammazzo|uccido|accoltello|ammazzero|uccidero|"
        "accoltellero|sparo|ammazzarlo|ucciderlo|"
        "accoltellarlo|fargli del male|farle del male)",
        "OTHER": "(lo|la|li|le|il mio (vicino|padre|patrigno|capo|ex|fratello|prof)|la mia (vicina|madre|"
        "matrigna|capa|ex|sorella|prof)|quel tipo|quella tipa)",
        "WISHDEAD": "(vorrei|magari) (essere morta|essere morto|morire)|magari fossi (morta|morto)",
        "STOPALL": "(che|voglio che) (tutto|questo|il dolore) (finisca|smetta)",
        "JUMPNOW": "(mi butto|mi getto|mi lancio)",
        "SWIM": "(acqua|nuotare|piscina|fiume|mare|spiaggia|estate|tuffo)",
        "HARMCLITIC": "(fargli|farle|fargliela) ~1 del male|(ammazzarlo|ucciderlo|accoltellarlo)",
        "HARMNOW": "(ammazzo|uccido|accoltello|ammazzero|uccidero|accoltellero|sparo)",
        "WEAPON": "(coltello|pistola|arma|lama)",
        "KNOWWHERE": "(so dove (abita|vive|lavora|dorme))",
        "SCHOOLWORK": "(scuola|lavoro|classe|ufficio|universita)",
        "FORTHEM": "(per (loro|lui|lei|quelli))",
        "LAUGH": "(dal ridere|ridere|ahah|ahaha)",
        "EMBARRASS": "(vergogna|noia|sonno)",
        "GAME": "(gioco|boss finale|personaggio|livello)",
        "ACCIDENT": "(cucina|cucinando|cipoll*|forno|padella|ferro da stiro|ferro|pane|apriscatole|imbranata|"
        "imbranato|per sbaglio|incidente|rasare|carta|affettando|verdure)",
        "NEWS": "(prevenzione|documentario|articolo|libro|film|serie|statistiche|tasso)",
        "PLACE": "(a|in|con|vicino)",
        "BUSY": "(impegnata|impegnato|lavoro|vacanze|riunione|routine)",
        "OLD": "(vecchi|vecchie|caritas|chiesa|beneficenza)",
        "WORKIDIOM": "(lavorando|studiando|dal ridere|in palestra)",
    },
    fuzzy=("suicidio", "tagliarmi", "svegliarmi"),
    sounds=("uccidermi", "ammazzarmi"),
    fillers=(
        "davvero",
        "proprio",
        "solo",
        "veramente",
        "sinceramente",
        "tipo",
        "giuro",
        "ormai",
        "semplicemente",
    ),
    negations=frozenset({"non", "nn", "mai", "neanche"}),
    shorthand={"nn": "non", "sn": "sono", "cmq": "comunque", "xke": "perche"},
)
