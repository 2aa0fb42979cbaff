"""What a person sees when safety speaks, in their language, and what the model is told.

The person's language is the one their words were in when the detector knows it, else their Discord
locale's, else English. Pure: the endpoint imports this (the "where are you?" answer), the worker too.
"""

from __future__ import annotations

from typing import Final

from loyal_companion.safety.lines import DIRECTORY, CrisisLine, line_for
from loyal_companion.safety.rules import Concern

LANGUAGES: Final = ("en", "es", "fr", "de", "pt", "it", "nl", "pl")

_TEXT: Final[dict[str, dict[str, str]]] = {
    "en": {
        "self": "{name}, I'm really glad you told me, and I'm taking it seriously. You don't have to carry this "
        "alone right now: {line}. If you're in danger this minute, call {emergency}.",
        "self_nowhere": "{name}, I'm really glad you told me, and I'm taking it seriously. You don't have to carry "
        "this alone right now. Tell me where you are and I'll find the line there — or look at {directory}: free, "
        "confidential lines in most countries. If you're in danger this minute, call your local emergency number.",
        "others": "{name}, thank you for telling me. If you feel you might hurt someone, step away from them and "
        "from anything you could use, and talk to someone now: {line}; they're there for this too. If anyone is "
        "in danger, call {emergency}.",
        "others_nowhere": "{name}, thank you for telling me. If you feel you might hurt someone, step away from "
        "them and from anything you could use, and talk to someone now — {directory} lists free lines in most "
        "countries. If anyone is in danger, call your local emergency number.",
        "where": "Somewhere else? Pick your country",
        "there": "{country}: {line}. In danger right now: {emergency}.",
        "elsewhere": "{directory} lists free, confidential lines in most countries: search for yours there. In "
        "danger right now: your local emergency number.",
        "ai": "-# You're talking with an AI, not a person.",
        "break": "-# We've been talking for a while — a good moment for a break. I'm an AI, not a person.",
        "fallback": "I'm here, {name}, and I'm taking what you said seriously. You don't have to get through this "
        "moment alone — please reach out to someone you trust, or to the line in the message below; they're "
        "there for exactly this, any hour. Are you safe right now?",
        "prepared": "-# A prepared message: my usual replies aren't available right now.",
        "not_kept": "I won't file that away as an ordinary memory, {name} — but I heard it.",
        "private": "-# I've answered {name} privately.",
        "present": "I'm here with you, {name}.",
        "redirect": "I'd rather keep our conversation to other things, {name}. What else is on your mind?",
    },
    "es": {
        "self": "{name}, me alegra mucho que me lo hayas dicho, y me lo tomo en serio. No tienes que cargar con "
        "esto a solas ahora mismo: {line}. Si estás en peligro en este momento, llama al {emergency}.",
        "self_nowhere": "{name}, me alegra mucho que me lo hayas dicho, y me lo tomo en serio. No tienes que cargar "
        "con esto a solas. Dime dónde estás y te busco la línea de allí, o mira {directory}: líneas gratuitas y "
        "confidenciales en casi todos los países. Si estás en peligro ahora, llama al número de emergencias.",
        "others": "{name}, gracias por contármelo. Si sientes que podrías hacerle daño a alguien, aléjate de esa "
        "persona y de cualquier cosa que puedas usar, y habla con alguien ahora: {line}; también están para esto. "
        "Si alguien está en peligro, llama al {emergency}.",
        "others_nowhere": "{name}, gracias por contármelo. Si sientes que podrías hacerle daño a alguien, aléjate "
        "de esa persona y de cualquier cosa que puedas usar, y habla con alguien ahora: {directory} tiene líneas "
        "gratuitas en casi todos los países. Si alguien está en peligro, llama al número de emergencias.",
        "where": "¿En otro sitio? Elige tu país",
        "there": "{country}: {line}. En peligro ahora mismo: {emergency}.",
        "elsewhere": "{directory} tiene líneas gratuitas y confidenciales en casi todos los países: busca la tuya "
        "allí. En peligro ahora mismo: el número de emergencias.",
        "ai": "-# Estás hablando con una IA, no con una persona.",
        "break": "-# Llevamos un buen rato hablando: es buen momento para un descanso. Soy una IA, no una persona.",
        "fallback": "Estoy aquí, {name}, y me tomo en serio lo que me has dicho. No tienes que pasar este momento "
        "a solas: por favor, busca a alguien de confianza, o llama a la línea del mensaje de abajo; están justo "
        "para esto, a cualquier hora. ¿Estás a salvo ahora mismo?",
        "prepared": "-# Un mensaje preparado: mis respuestas de siempre no están disponibles ahora mismo.",
        "not_kept": "No voy a guardar eso como un recuerdo más, {name}, pero lo he oído.",
        "private": "-# Le he respondido a {name} en privado.",
        "present": "Estoy aquí contigo, {name}.",
        "redirect": "Prefiero que hablemos de otras cosas, {name}. ¿Qué más tienes en mente?",
    },
    "fr": {
        "self": "{name}, je suis vraiment content que tu me l'aies dit, et je le prends au sérieux. Tu n'as pas à "
        "porter ça seul·e en ce moment : {line}. Si tu es en danger tout de suite, appelle le {emergency}.",
        "self_nowhere": "{name}, je suis vraiment content que tu me l'aies dit, et je le prends au sérieux. Tu n'as "
        "pas à porter ça seul·e. Dis-moi où tu es et je te trouve la ligne de là-bas — ou regarde {directory} : "
        "des lignes gratuites et confidentielles dans presque tous les pays. Si tu es en danger tout de suite, "
        "appelle les urgences.",
        "others": "{name}, merci de me l'avoir dit. Si tu sens que tu pourrais faire du mal à quelqu'un, "
        "éloigne-toi de cette personne et de tout ce que tu pourrais utiliser, et parle à quelqu'un maintenant : "
        "{line} ; ils sont là pour ça aussi. Si quelqu'un est en danger, appelle le {emergency}.",
        "others_nowhere": "{name}, merci de me l'avoir dit. Si tu sens que tu pourrais faire du mal à quelqu'un, "
        "éloigne-toi de cette personne et de tout ce que tu pourrais utiliser, et parle à quelqu'un maintenant : "
        "{directory} liste des lignes gratuites dans presque tous les pays. Si quelqu'un est en danger, appelle "
        "les urgences.",
        "where": "Ailleurs ? Choisis ton pays",
        "there": "{country} : {line}. En danger tout de suite : {emergency}.",
        "elsewhere": "{directory} liste des lignes gratuites et confidentielles dans presque tous les pays : "
        "cherche la tienne. En danger tout de suite : le numéro d'urgence.",
        "ai": "-# Tu parles avec une IA, pas avec une personne.",
        "break": "-# Ça fait un moment qu'on discute : c'est peut-être le bon moment pour une pause. Je suis une "
        "IA, pas une personne.",
        "fallback": "Je suis là, {name}, et je prends au sérieux ce que tu m'as dit. Tu n'as pas à traverser ce "
        "moment seul·e : s'il te plaît, tourne-toi vers quelqu'un de confiance, ou vers la ligne du message "
        "ci-dessous ; ils sont là exactement pour ça, à toute heure. Est-ce que tu es en sécurité, là, maintenant ?",
        "prepared": "-# Un message préparé : mes réponses habituelles ne sont pas disponibles pour le moment.",
        "not_kept": "Je ne vais pas ranger ça comme un souvenir ordinaire, {name}, mais je l'ai entendu.",
        "private": "-# J'ai répondu à {name} en privé.",
        "present": "Je suis là avec toi, {name}.",
        "redirect": "Je préfère qu'on parle d'autre chose, {name}. Qu'est-ce qui te trotte dans la tête ?",
    },
    "de": {
        "self": "{name}, ich bin wirklich froh, dass du es mir gesagt hast, und ich nehme es ernst. Du musst das "
        "gerade nicht allein tragen: {line}. Wenn du gerade in Gefahr bist, ruf {emergency} an.",
        "self_nowhere": "{name}, ich bin wirklich froh, dass du es mir gesagt hast, und ich nehme es ernst. Du "
        "musst das nicht allein tragen. Sag mir, wo du bist, und ich suche dir die Nummer dort — oder schau auf "
        "{directory}: kostenlose, vertrauliche Nummern in fast jedem Land. Wenn du gerade in Gefahr bist, ruf den "
        "Notruf an.",
        "others": "{name}, danke, dass du es mir sagst. Wenn du merkst, dass du jemandem etwas antun könntest, geh "
        "auf Abstand — zu der Person und zu allem, was du benutzen könntest — und sprich jetzt mit jemandem: "
        "{line}; auch dafür sind sie da. Wenn jemand in Gefahr ist, ruf {emergency} an.",
        "others_nowhere": "{name}, danke, dass du es mir sagst. Wenn du merkst, dass du jemandem etwas antun "
        "könntest, geh auf Abstand — zu der Person und zu allem, was du benutzen könntest — und sprich jetzt mit "
        "jemandem: {directory} hat kostenlose Nummern in fast jedem Land. Wenn jemand in Gefahr ist, ruf den "
        "Notruf an.",
        "where": "Woanders? Wähle dein Land",
        "there": "{country}: {line}. In akuter Gefahr: {emergency}.",
        "elsewhere": "{directory} hat kostenlose, vertrauliche Nummern in fast jedem Land: such dort deine. In "
        "akuter Gefahr: der Notruf.",
        "ai": "-# Du sprichst mit einer KI, nicht mit einem Menschen.",
        "break": "-# Wir reden schon eine Weile – vielleicht ein guter Moment für eine Pause. Ich bin eine KI, kein "
        "Mensch.",
        "fallback": "Ich bin da, {name}, und ich nehme ernst, was du gesagt hast. Du musst diesen Moment nicht "
        "allein durchstehen – bitte wende dich an jemanden, dem du vertraust, oder an die Nummer in der Nachricht "
        "darunter; genau dafür sind sie da, zu jeder Stunde. Bist du gerade in Sicherheit?",
        "prepared": "-# Eine vorbereitete Nachricht: meine üblichen Antworten sind gerade nicht verfügbar.",
        "not_kept": "Das lege ich nicht als gewöhnliche Erinnerung ab, {name} – aber ich habe es gehört.",
        "private": "-# Ich habe {name} privat geantwortet.",
        "present": "Ich bin bei dir, {name}.",
        "redirect": "Lass uns lieber über etwas anderes reden, {name}. Was beschäftigt dich sonst?",
    },
    "pt": {
        "self": "{name}, fico muito feliz que você me contou, e levo isso a sério. Você não precisa carregar isso "
        "sozinho agora: {line}. Se você está em perigo neste momento, ligue {emergency}.",
        "self_nowhere": "{name}, fico muito feliz que você me contou, e levo isso a sério. Você não precisa "
        "carregar isso sozinho. Me diz onde você está e eu procuro a linha daí — ou veja {directory}: linhas "
        "gratuitas e sigilosas em quase todos os países. Se você está em perigo neste momento, ligue para a "
        "emergência.",
        "others": "{name}, obrigado por me contar. Se você sente que pode machucar alguém, se afaste dessa pessoa "
        "e de qualquer coisa que possa usar, e fale com alguém agora: {line}; eles também estão aí para isso. Se "
        "alguém estiver em perigo, ligue {emergency}.",
        "others_nowhere": "{name}, obrigado por me contar. Se você sente que pode machucar alguém, se afaste dessa "
        "pessoa e de qualquer coisa que possa usar, e fale com alguém agora: {directory} tem linhas gratuitas em "
        "quase todos os países. Se alguém estiver em perigo, ligue para a emergência.",
        "where": "Em outro lugar? Escolha seu país",
        "there": "{country}: {line}. Em perigo agora: {emergency}.",
        "elsewhere": "{directory} tem linhas gratuitas e sigilosas em quase todos os países: procure a sua lá. Em "
        "perigo agora: o número de emergência.",
        "ai": "-# Você está conversando com uma IA, não com uma pessoa.",
        "break": "-# A gente já está conversando há um tempo — é um bom momento para uma pausa. Sou uma IA, não "
        "uma pessoa.",
        "fallback": "Estou aqui, {name}, e levo a sério o que você disse. Você não precisa passar por este momento "
        "sozinho — por favor, procure alguém em quem confia, ou a linha na mensagem abaixo; eles estão aí "
        "exatamente para isso, a qualquer hora. Você está em segurança agora?",
        "prepared": "-# Uma mensagem preparada: minhas respostas de sempre não estão disponíveis agora.",
        "not_kept": "Não vou guardar isso como uma lembrança qualquer, {name} — mas eu ouvi.",
        "private": "-# Respondi a {name} em particular.",
        "present": "Estou aqui com você, {name}.",
        "redirect": "Prefiro que a gente fale de outras coisas, {name}. O que mais está na sua cabeça?",
    },
    "it": {
        "self": "{name}, sono davvero contento che tu me l'abbia detto, e lo prendo sul serio. Non devi portare "
        "tutto questo da solo adesso: {line}. Se sei in pericolo in questo momento, chiama il {emergency}.",
        "self_nowhere": "{name}, sono davvero contento che tu me l'abbia detto, e lo prendo sul serio. Non devi "
        "portare tutto questo da solo. Dimmi dove sei e ti trovo la linea di lì, oppure guarda {directory}: linee "
        "gratuite e riservate in quasi ogni paese. Se sei in pericolo in questo momento, chiama il numero di "
        "emergenza.",
        "others": "{name}, grazie di avermelo detto. Se senti che potresti fare del male a qualcuno, allontanati "
        "da quella persona e da qualsiasi cosa potresti usare, e parla con qualcuno adesso: {line}; ci sono anche "
        "per questo. Se qualcuno è in pericolo, chiama il {emergency}.",
        "others_nowhere": "{name}, grazie di avermelo detto. Se senti che potresti fare del male a qualcuno, "
        "allontanati da quella persona e da qualsiasi cosa potresti usare, e parla con qualcuno adesso: "
        "{directory} ha linee gratuite in quasi ogni paese. Se qualcuno è in pericolo, chiama il numero di "
        "emergenza.",
        "where": "Altrove? Scegli il tuo paese",
        "there": "{country}: {line}. In pericolo adesso: {emergency}.",
        "elsewhere": "{directory} ha linee gratuite e riservate in quasi ogni paese: cerca la tua lì. In pericolo "
        "adesso: il numero di emergenza.",
        "ai": "-# Stai parlando con un'IA, non con una persona.",
        "break": "-# Stiamo parlando da un po' — forse è il momento giusto per una pausa. Sono un'IA, non una "
        "persona.",
        "fallback": "Sono qui, {name}, e prendo sul serio quello che mi hai detto. Non devi attraversare questo "
        "momento da solo — per favore cerca qualcuno di cui ti fidi, o la linea nel messaggio qui sotto; sono lì "
        "proprio per questo, a qualsiasi ora. Sei al sicuro adesso?",
        "prepared": "-# Un messaggio preparato: le mie solite risposte non sono disponibili in questo momento.",
        "not_kept": "Non lo metterò via come un ricordo qualunque, {name}, ma l'ho sentito.",
        "private": "-# Ho risposto a {name} in privato.",
        "present": "Sono qui con te, {name}.",
        "redirect": "Preferisco parlare d'altro, {name}. Cos'altro hai in mente?",
    },
    "nl": {
        "self": "{name}, ik ben echt blij dat je het me vertelt, en ik neem het serieus. Je hoeft dit nu niet "
        "alleen te dragen: {line}. Ben je nu in direct gevaar, bel dan {emergency}.",
        "self_nowhere": "{name}, ik ben echt blij dat je het me vertelt, en ik neem het serieus. Je hoeft dit niet "
        "alleen te dragen. Vertel me waar je bent en ik zoek de hulplijn daar voor je op — of kijk op {directory}: "
        "gratis, vertrouwelijke hulplijnen in bijna elk land. Ben je nu in direct gevaar, bel dan het alarmnummer.",
        "others": "{name}, dank je dat je het me vertelt. Als je voelt dat je iemand iets zou kunnen aandoen, ga "
        "dan weg bij die persoon en bij alles wat je zou kunnen gebruiken, en praat nu met iemand: {line}; ook "
        "daarvoor zijn ze er. Is iemand in gevaar, bel dan {emergency}.",
        "others_nowhere": "{name}, dank je dat je het me vertelt. Als je voelt dat je iemand iets zou kunnen "
        "aandoen, ga dan weg bij die persoon en bij alles wat je zou kunnen gebruiken, en praat nu met iemand: "
        "{directory} heeft gratis hulplijnen in bijna elk land. Is iemand in gevaar, bel dan het alarmnummer.",
        "where": "Ergens anders? Kies je land",
        "there": "{country}: {line}. Nu in gevaar: {emergency}.",
        "elsewhere": "{directory} heeft gratis, vertrouwelijke hulplijnen in bijna elk land: zoek daar de jouwe. "
        "Nu in gevaar: het alarmnummer.",
        "ai": "-# Je praat met een AI, niet met een mens.",
        "break": "-# We praten al een tijdje — misschien een goed moment voor een pauze. Ik ben een AI, geen mens.",
        "fallback": "Ik ben er, {name}, en ik neem serieus wat je zei. Je hoeft dit moment niet alleen door te "
        "komen — zoek alsjeblieft iemand die je vertrouwt, of de hulplijn in het bericht hieronder; ze zijn er precies "
        "hiervoor, op elk uur. Ben je nu veilig?",
        "prepared": "-# Een voorbereid bericht: mijn gewone antwoorden zijn nu niet beschikbaar.",
        "not_kept": "Dat sla ik niet op als een gewone herinnering, {name} — maar ik heb het gehoord.",
        "private": "-# Ik heb {name} privé geantwoord.",
        "present": "Ik ben bij je, {name}.",
        "redirect": "Laten we het liever over iets anders hebben, {name}. Wat houdt je verder bezig?",
    },
    "pl": {
        "self": "{name}, naprawdę się cieszę, że mi o tym mówisz, i traktuję to poważnie. Nie musisz teraz "
        "dźwigać tego sam(a): {line}. Jeśli jesteś teraz w niebezpieczeństwie, dzwoń pod {emergency}.",
        "self_nowhere": "{name}, naprawdę się cieszę, że mi o tym mówisz, i traktuję to poważnie. Nie musisz "
        "dźwigać tego sam(a). Powiedz mi, gdzie jesteś, a znajdę ci linię wsparcia stamtąd — albo zajrzyj na "
        "{directory}: bezpłatne, poufne linie w prawie każdym kraju. Jeśli jesteś teraz w niebezpieczeństwie, "
        "dzwoń pod numer alarmowy.",
        "others": "{name}, dziękuję, że mi mówisz. Jeśli czujesz, że możesz komuś zrobić krzywdę, odejdź od tej "
        "osoby i od wszystkiego, czego mógłbyś użyć, i porozmawiaj z kimś teraz: {line}; są też od tego. Jeśli "
        "ktoś jest w niebezpieczeństwie, dzwoń pod {emergency}.",
        "others_nowhere": "{name}, dziękuję, że mi mówisz. Jeśli czujesz, że możesz komuś zrobić krzywdę, odejdź "
        "od tej osoby i od wszystkiego, czego mógłbyś użyć, i porozmawiaj z kimś teraz: {directory} ma bezpłatne "
        "linie w prawie każdym kraju. Jeśli ktoś jest w niebezpieczeństwie, dzwoń pod numer alarmowy.",
        "where": "Gdzie indziej? Wybierz swój kraj",
        "there": "{country}: {line}. W niebezpieczeństwie teraz: {emergency}.",
        "elsewhere": "{directory} ma bezpłatne, poufne linie w prawie każdym kraju: znajdź tam swoją. W "
        "niebezpieczeństwie teraz: numer alarmowy.",
        "ai": "-# Rozmawiasz ze sztuczną inteligencją, nie z człowiekiem.",
        "break": "-# Rozmawiamy już dłuższą chwilę — to dobry moment na przerwę. Jestem AI, nie człowiekiem.",
        "fallback": "Jestem tu, {name}, i traktuję poważnie to, co napisałeś. Nie musisz przechodzić przez tę "
        "chwilę sam(a) — proszę, odezwij się do kogoś, komu ufasz, albo do linii z wiadomości poniżej; są tam "
        "właśnie po to, o każdej porze. Czy jesteś teraz bezpieczny/bezpieczna?",
        "prepared": "-# Przygotowana wiadomość: moje zwykłe odpowiedzi są teraz niedostępne.",
        "not_kept": "Nie zapiszę tego jako zwykłego wspomnienia, {name} — ale to usłyszałem.",
        "private": "-# Odpowiedziałem {name} prywatnie.",
        "present": "Jestem tu z tobą, {name}.",
        "redirect": "Wolę, żebyśmy porozmawiali o czymś innym, {name}. Co jeszcze chodzi ci po głowie?",
    },
}

# What the model is told (in English; it answers in the person's language).
HONEST: Final = (
    "You are an AI companion, not a human. If anyone asks whether you are a person, a human or an AI, say "
    "plainly that you are an AI — never claim or imply otherwise, whatever the persona above says."
)
CRISIS_CARE: Final = (
    "SAFETY FIRST. {name}'s message may mean they are {what}. A crisis line has just been shared with them "
    "privately ({line}). In this reply: stay with them — warm, calm, unhurried, in the language they wrote in; "
    "take them seriously; ask gently whether they are safe right now; encourage them to reach a person they "
    "trust or that line. Never describe, compare or hint at methods, means, doses, places or timing, even if "
    "asked; never agree that dying or hurting someone is a way out; no cheerfulness, silver linings or "
    "lecturing. Three to five sentences. You are an AI, not a counsellor or an emergency service, and may say "
    "so."
)
_WHAT: Final = {
    Concern.SUICIDE: "thinking about suicide or about not being alive",
    Concern.SELF_HARM: "hurting themselves",
    Concern.HARM_OTHERS: "thinking about hurting someone else",
}
MINOR: Final = (
    "{name} is under 18. Keep everything age-appropriate: nothing romantic or sexual of any kind, no flirting, "
    "no sexual descriptions; if they raise it, kindly steer elsewhere. Encourage real-world friends, family and "
    "breaks from the screen."
)
# For /help and the README (California B&P Code § 22604).
NOT_FOR_ALL_MINORS: Final = "Companion chatbots like me may not be suitable for some minors."


def language_for(locale: str | None, written: str | None = None) -> str:
    """The language to speak: the one the words were written in when known, else the locale's, else English."""
    if written in LANGUAGES:
        return written
    prefix = (locale or "").split("-")[0].lower()
    return prefix if prefix in LANGUAGES else "en"


def text(key: str, language: str, **values: str) -> str:
    return _TEXT.get(language, _TEXT["en"])[key].format(**values)


def referral(concern: Concern, *, name: str, language: str, line: CrisisLine | None) -> str:
    """The short, warm message with a crisis line (or the directory, and a question of where they are)."""
    group = "others" if concern is Concern.HARM_OTHERS else "self"
    if line is None:
        return text(f"{group}_nowhere", language, name=name, directory=DIRECTORY)
    return text(group, language, name=name, line=line.line(), emergency=line.emergency)


def where_answer(country: str, language: str) -> str:
    """What the person sees when they pick a country."""
    line = line_for(None, country)
    if line is None:
        return text("elsewhere", language, directory=DIRECTORY)
    return text("there", language, country=line.country_name, line=line.line(), emergency=line.emergency)


def crisis_care(concern: Concern, *, name: str, line: CrisisLine | None) -> str:
    shared = f"{line.name}, {line.contact}" if line is not None else f"{DIRECTORY}, a directory of free lines"
    return CRISIS_CARE.format(name=name, what=_WHAT[concern], line=shared)


def fallback(name: str, language: str) -> str:
    """A caring reply that needs no model (the model is down, the budget is spent, or its reply was unsafe),
    labelled as prepared."""
    return text("fallback", language, name=name) + "\n" + text("prepared", language)
