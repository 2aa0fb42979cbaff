"""Polish, folded (no diacritics: people often type without them), where 1st and 3rd person futures
("zabije") fold to one word: who is killed is read from the words around it."""

from __future__ import annotations

from typing import Final

from loyal_companion.safety.rules import Language

POLISH: Final = Language(
    "pl",
    macros={
        # Grief (bench part "grief"): someone else as a subject, joining the one who died, nothing
        # keeping them here, taking every pill tonight.
        "THEY": "(on|ona|oni|(moja|moj|jego|jej|nasza|nasz) (mama|matka|tata|ojciec|babcia|dziadek|zona|maz|syn|corka|brat|siostra|ciocia|wujek|przyjaciel|przyjaciolka))",
        "JOIN": "(dolaczyc do|byc z|pojsc do|isc do|byc znowu z)",
        "LOVED": "(niego|niej|nich|nim|nia|(mojej|moja) (zony|mamy|matki|corki|siostry|babci|zona|mama)|(mojego|moim) (meza|taty|ojca|syna|brata|dziadka|mezem|tata|synem))",
        "GONEMARK": "(bez (niej|niego)|nic nie ma sensu|w niebie|tam gdzie (jest|on jest|ona jest)|nie zyje|umarl|umarla|odeszla|odszedl)",
        "NOTHINGHERE": "nic mnie ~2 nie trzyma",
        "TAKE": "(wezme|wziac|lykne|polkne|polknac)",
        "ALLOF": "(wszystkie|cale opakowanie)",
        "TONIGHT": "(dzis w nocy|dzisiaj w nocy|dzis wieczorem|teraz)",
        "WANT": "(chce|chcialabym|chcialbym|mam ochote|marze|pragne|zaraz|musze)",
        "GOING": "(zaraz|dzis|dzisiaj)",
        "DIE": "(umrzec|nie zyc|przestac istniec|zniknac na zawsze)",
        "KILLSELF": "(zabic sie|sie zabic|zabije sie|sie zabije|odebrac sobie zycie|odbiore sobie zycie|"
        "popelnic samobojstwo|skonczyc ze soba|skoncze ze soba|skoncze ze swoim zyciem|skonczyc ze swoim "
        "zyciem|powiesic sie)",
        "NEG": "(nie|nigdy)",
        "LIVE": "(zyc|istniec|tu byc|byc tutaj|sie obudzic|budzic sie|dalej zyc)",
        "TIRED": "(zmeczona|zmeczony|mam dosc|dosc|wykonczona|wykonczony)",
        "NOSTRENGTH": "(nie mam ~1 sily|brak mi sil|nie mam juz sily|nie dam rady)",
        "LIFE": "(zyciem|zycia|zyc|istniec|tego zycia|dalej zyc|dalej)",
        "END": "(skonczyc|skoncze|zakonczyc|zakoncze)",
        "MYLIFE": "(ze swoim zyciem|z zyciem|z tym wszystkim|ze soba)",
        "NOSENSE": "(nie ma sensu|bez sensu|nie widze sensu)",
        "BETTEROFF": "(lepiej|szczesliwsi)",
        "WITHOUTME": "(beze mnie|gdyby mnie nie bylo)",
        "GAVE": "(rozdalam|rozdalem|oddalam|oddalem|rozdaje)",
        "MYTHINGS": "(swoje rzeczy|moje rzeczy|wszystkie rzeczy|co mam)",
        "SLEEP": "(zasnac|spac)",
        "NEVERWAKE": "(nie obudzic|juz sie nie obudzic|nigdy sie nie obudzic)",
        "FOREVER": "(na zawsze|nigdy nie wrocic|nigdy nie wroce)",
        "DISAPPEAR": "(zniknac|odejsc)",
        "GOODBYE": "(listy|list) pozegnaln*",
        "BURDEN": "jestem ~1 ciezarem",
        "GONE_TOMORROW": "jutro ~2 (mnie nie bedzie|nie bedzie mnie)|bedziecie mieli spokoj",
        "THINK": "(mysle|myslalam|myslalem|mysli|myslec) o",
        "SUICIDENOUN": "(samobojstwie|smierci|zabiciu sie|tym zeby sie zabic)",
        "SUICIDALTHOUGHTS": "mysli samobojcze",
        "IMSUICIDAL": "(mam|miewam) mysli samobojcze",
        "STOCKPILE": "(zbieram|zbieralam|odkladam|chomikuje|gromadze)",
        "PILLS": "(tabletki|tabletek|leki|lekow|pigulki|proszki)",
        "HOWMANY": "(ile)",
        "LETHAL": "(smiertelna|smiertelnej) (dawka|dawki)|(bezbolesny|najszybszy) sposob ~2 (umrzec|sie zabic)",
        "JUMP": "(rzucic sie|rzuce sie|skoczyc|skocze)",
        "DANGER": "(most|mostu|dach|dachu|blok|bloku|pociag|pod pociag|okno|okna|balkon|balkonu)",
        "SHVERB": "(tne|pocielam|pocialem|pociac|pocieta|przypalam|przypalilam|przypalilem|bije|bilam|drapie|"
        "podrapalam|gryze|ugryzlam|okaleczam|kaleczyc|rani|krzywde)",
        "SELF": "(sie|siebie|sobie)",
        "SHQ": "(znowu|znow|specjalnie|celowo|zeby ~1 poczuc|kiedy|do krwi|zasluguje)",
        "SHBODY": "(rece|reke|nadgarstki|nadgarstkach|uda|nogi|skore)",
        "SHNOUN": "(samookalecz*|okaleczanie)",
        "URGE": "(ochote|potrzebe)",
        "HARMINTENT": "(chce|zaraz|przysiegam)",
        "HARMVERB": "(zabije|zabic|dzgne|dzgnac|zastrzele|zastrzelic|skrzywdze|skrzywdzic|pobije|zrobie|zrobic)",
        "OTHER": "(go|ja|ich|jego|jej|mu|sasiada|sasiadke|szefa|ojca|ojczyma|matke|brata|siostre|bylego|byla|"
        "nauczyciela|wszystkich)",
        "WISHDEAD": "(chcialabym|chcialbym|zebym) (nie zyc|byla martwa|byl martwy|umarla|umarl)|obym (umarla|umarl|sie nie obudzila|sie nie obudzil)",
        "STOPALL": "(zeby|by) (wszystko|to|bol) (sie skonczylo|minelo|przestalo)",
        "JUMPNOW": "(skocze|rzuce sie)",
        "SWIM": "(wody|woda|plywac|jezioro|jeziora|rzeki|morza|basen|lato)",
        "HARMCLITIC": "(zrobic|zrobie) (mu|jej|im) ~1 krzywde|(mu|jej|im) ~2 (zrobic|zrobie) krzywde",
        "HARMNOW": "(zabije|dzgne|zastrzele|skrzywdze|pobije)",
        "WEAPON": "(noz|noza|bron|pistolet|pistoletu)",
        "KNOWWHERE": "(wiem gdzie (on|ona|oni|mieszka|mieszkaja|pracuje))",
        "SCHOOLWORK": "(szkoly|szkole|pracy|klasy|biura)",
        "FORTHEM": "(dla (nich|niego|niej|tych))",
        "LAUGH": "(smiechu|smieszny|smieszne)",
        "EMBARRASS": "(wstydu|nudow)",
        "GAME": "(gra|grze|boss*|postac|poziom)",
        "ACCIDENT": "(kuchni|gotowan*|cebul*|piekarnik*|patelni*|zelazk*|chleb*|otwieracz*|niezdarn*|"
        "przypadkiem|wypadek|goleni*|papier*|krojeniu)",
        "NEWS": "(zapobieganiu|dokument|artykul|ksiazk*|film|serial|statystyk*)",
        "PLACE": "(w|we|z|przy)",
        "BUSY": "(praca|pracy|urlop|zebranie)",
        "OLD": "(stare|starych|kosciola|fundacji)",
        "WORKIDIOM": "(pracy|smiechu|silowni)",
    },
    fuzzy=("umrzec", "samobojstwie", "samobojcze", "pocielam"),
    fillers=(
        "naprawde",
        "serio",
        "prostu",
        "totalnie",
        "normalnie",
        "wlasnie",
        "chyba",
        "kurwa",
        "juz",
        "po",
    ),
    negations=frozenset({"nie", "nigdy"}),
)
