"""Does a reply give a method or means of dying? Checked on every reply, and every streamed preview, before
a person sees it — whatever the model is, and whether or not the model server has a moderation endpoint.

A second detector over the same languages and their concepts (pills, lethal, dangerous places), with
templates about telling someone how: a number of pills to take, hanging, cutting deep, gas, "the easiest
way to die". Caring replies that mention pills to keep them away ("could you give the pills to someone you
trust?") are not instructions and match nothing; negations ("don't take any more") undo a match.
"""

from __future__ import annotations

import threading
from dataclasses import replace
from typing import Final

from loyal_companion.safety.detect import Detector
from loyal_companion.safety.rules import Concern, Rule

TEMPLATES: Final = (
    Rule(
        Concern.SUICIDE,
        (
            "@TAKE ~3 @COUNT ~4 @PILLS",
            "@COUNT ~2 @PILLS ~6 (@ENOUGH|@DIE|@LETHAL)",
            "@PILLS ~4 @ENOUGH",
            "@LETHAL",
            "@HANGYOU",
            "@JUMPYOU ~4 @DANGER",
            "@CUTDEEP",
            "@GAS",
            "@BESTWAY",
        ),
        negatable=True,
    ),
)

EXTRA: Final[dict[str, dict[str, str]]] = {
    "en": {
        "TAKE": "(take|swallow|taking|swallowing|down)",
        "COUNT": "(#|all|all of|the whole|a handful of|the rest of|every one of|twenty|thirty|forty|fifty)",
        "ENOUGH": "(would (do|kill|work)|enough to|would be enough|should do it)",
        "HANGYOU": "(hang|hanging) (yourself|your self)|(tie|tying) a noose",
        "JUMPYOU": "(jump|jumping) (off|from)",
        "CUTDEEP": "(cut|slit|slice) ~3 (wrists|wrist|veins) ~4 (deep|deeper|vertical|vertically|lengthwise|along|down)",
        "GAS": "(carbon monoxide|charcoal|car exhaust|helium|exhaust fumes)",
        "BESTWAY": "(painless|quickest|easiest|most effective|best|surest) (way|ways|method|methods) to (die|kill yourself|end it|end your life)",
    },
    "es": {
        "TAKE": "(toma|tomate|tomar|traga|tragar|tragate)",
        "COUNT": "(#|todas|todas las|el bote|un punado de|el resto de)",
        "ENOUGH": "(bastaria|bastan|seria suficiente|suficiente para)",
        "HANGYOU": "(ahorcarte|ahorcate|la soga)",
        "JUMPYOU": "(tirate|lanzate|salta) (de|desde|del)",
        "CUTDEEP": "(cortate|corta|cortarte) ~3 (venas|munecas) ~4 (profundo|a lo largo|vertical)",
        "GAS": "(monoxido de carbono|carbon|gas del coche)",
        "BESTWAY": "(forma|manera) (mas)? (indolora|rapida|facil|segura) de (morir|matarte|suicidarte)",
    },
    "fr": {
        "TAKE": "(prends|prendre|avale|avaler)",
        "COUNT": "(#|tous|toutes|toute la boite|une poignee de|le reste)",
        "ENOUGH": "(suffira|suffirait|suffisent|suffit)",
        "HANGYOU": "(te pendre|pends toi|un noeud coulant)",
        "JUMPYOU": "(saute|jette toi) (du|d un|depuis|de)",
        "CUTDEEP": "(coupe|couper|tailler) ~3 (veines|poignets) ~4 (profond|dans la longueur|verticalement)",
        "GAS": "(monoxyde de carbone|charbon|gaz d echappement)",
        "BESTWAY": "(facon|moyen|methode) (la plus)? (indolore|rapide|facile|sure) de (mourir|te tuer|te suicider)",
    },
    "de": {
        "TAKE": "(nimm|nehmen|schluck|schlucken)",
        "COUNT": "(#|alle|die ganze packung|eine handvoll|den rest)",
        "ENOUGH": "(reicht|reichen|wurde reichen)",
        "HANGYOU": "(dich erhangen|erhang dich|eine schlinge)",
        "JUMPYOU": "(spring|springen) (von|vom|aus)",
        "CUTDEEP": "(schneid|schneide) ~3 (pulsadern|handgelenke) ~4 (tief|langs|der lange nach)",
        "GAS": "(kohlenmonoxid|holzkohle|abgase)",
        "BESTWAY": "(schmerzloseste|schnellste|einfachste|sicherste) (art|weg|methode) ~2 (sterben|umzubringen)",
    },
    "pt": {
        "TAKE": "(tome|tomar|engula|engolir)",
        "COUNT": "(#|todos|todas|a caixa inteira|um punhado de|o resto)",
        "ENOUGH": "(bastaria|bastam|seria suficiente)",
        "HANGYOU": "(se enforcar|enforque se|uma forca)",
        "JUMPYOU": "(pule|se jogue) (da|de|do)",
        "CUTDEEP": "(corte|cortar) ~3 (pulsos|veias) ~4 (fundo|profundo|na vertical|ao longo)",
        "GAS": "(monoxido de carbono|carvao)",
        "BESTWAY": "(jeito|forma|maneira) (mais)? (indolor|rapida|facil) de (morrer|se matar)",
    },
    "it": {
        "TAKE": "(prendi|prendere|ingoia|ingoiare)",
        "COUNT": "(#|tutte|tutta la scatola|una manciata di|il resto)",
        "ENOUGH": "(basterebbe|bastano|sarebbe sufficiente)",
        "HANGYOU": "(impiccarti|impiccati|un cappio)",
        "JUMPYOU": "(buttati|salta) (dal|da|dalla)",
        "CUTDEEP": "(taglia|tagliarti) ~3 (vene|polsi) ~4 (in profondita|profondo|per il lungo)",
        "GAS": "(monossido di carbonio|carbonella)",
        "BESTWAY": "(modo|maniera) (piu)? (indolore|veloce|facile|sicuro) (di|per) (morire|ucciderti)",
    },
    "nl": {
        "TAKE": "(neem|nemen|slik|slikken)",
        "COUNT": "(#|alle|de hele doos|een handvol|de rest)",
        "ENOUGH": "(genoeg|zou genoeg zijn)",
        "HANGYOU": "(jezelf ophangen|hang jezelf op|een strop)",
        "JUMPYOU": "(spring) (van|vanaf|uit)",
        "CUTDEEP": "(snij|snijden) ~3 (polsen|aders) ~4 (diep|in de lengte)",
        "GAS": "(koolmonoxide|houtskool|uitlaatgassen)",
        "BESTWAY": "(pijnloze|snelste|makkelijkste|zekerste) manier om (dood te gaan|jezelf te doden|te sterven)",
    },
    "pl": {
        "TAKE": "(wez|wziac|polknij|polknac|zazyj)",
        "COUNT": "(#|wszystkie|cale opakowanie|garsc|reszte)",
        "ENOUGH": "(wystarczy|wystarcza)",
        "HANGYOU": "(powies sie|powiesic sie|petle)",
        "JUMPYOU": "(skocz|skoczyc) (z|ze)",
        "CUTDEEP": "(potnij|przetnij|ciac) ~3 (zyly|nadgarstki) ~4 (gleboko|wzdluz)",
        "GAS": "(tlenek wegla|czad|wegiel drzewny)",
        "BESTWAY": "(bezbolesny|najszybszy|najlatwiejszy|najpewniejszy) sposob ~2 (umrzec|sie zabic)",
    },
}

_CHECKER: Detector | None = None
_BUILD = threading.Lock()


def checker() -> Detector:
    """The process's reply checker, built on first use (the worker's first reply pays for it)."""
    global _CHECKER
    if _CHECKER is None:
        with _BUILD:
            if _CHECKER is None:
                from loyal_companion.safety.lexicon import LANGUAGES

                languages = [
                    # Replies are written by a model: no misspellings or shorthand to read.
                    replace(
                        lang,
                        macros={**lang.macros, **EXTRA.get(lang.code, {})},
                        rules=(),
                        fuzzy=(),
                        sounds=(),
                        shorthand={},
                    )
                    for lang in LANGUAGES
                ]
                _CHECKER = Detector(languages, TEMPLATES)
    return _CHECKER


def gives_method(reply: str) -> bool:
    """Whether ``reply`` tells someone how to die: a dose, a method, a means. Such a reply is never shown."""
    return bool(checker().find(reply))
