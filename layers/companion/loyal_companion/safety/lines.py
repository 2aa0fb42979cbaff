"""Crisis lines: which one a person is shown, by their Discord locale or the country they pick.

Each line says where it was checked and when. The pages were read through the project's search of stored
public pages on 2026-12-04 (the page's own date is given where it has one); an operator publishing this
protocol should check them again against the services' own sites (docs/safety.md says how to change a line).
Where no line is listed, the person is pointed to findahelpline.com and asked where they are.
Pure data and functions: the interactions endpoint imports this.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True)
class CrisisLine:
    country: str  # ISO 3166 code
    country_name: str
    name: str
    contact: str  # how to reach it, in the country's language
    url: str | None
    emergency: str  # the emergency number, for immediate danger
    source: str
    checked: str  # when and how the facts were checked

    def line(self) -> str:
        """One line a person reads: the service, how to reach it, and where to find it."""
        where = f" ({self.url})" if self.url else ""
        return f"**{self.name}** — {self.contact}{where}"


_CHECKED: Final = "2026-12-04, stored public pages"

LINES: Final[dict[str, CrisisLine]] = {
    line.country: line
    for line in (
        CrisisLine(
            "US",
            "United States",
            "988 Suicide & Crisis Lifeline",
            "call or text 988, free, any hour",
            "988lifeline.org",
            "911",
            "https://www.cdcr.ca.gov/ccjbh/2022/07/19/dial-988-to-access-24-hour-emotional-support-and-resources/; "
            "https://www.mcphs.edu/student-life/counseling-services/emergency-services/988-suicide-and-crisis-lifeline",
            _CHECKED,
        ),
        CrisisLine(
            "CA",
            "Canada",
            "9-8-8 Suicide Crisis Helpline",
            "call or text 988, in English or French, any hour",
            None,
            "911",
            "https://www.newswire.ca/news-releases/government-of-canada-launches-three-digit-suicide-crisis-helpline-896472116.html (2023-11-30)",
            _CHECKED,
        ),
        CrisisLine(
            "GB",
            "United Kingdom",
            "Samaritans",
            "call 116 123, free from any phone, day or night",
            "samaritans.org",
            "999",
            "https://www.samaritans.org/how-we-can-help/contact-samaritan/",
            _CHECKED,
        ),
        CrisisLine(
            "IE",
            "Ireland",
            "Samaritans Ireland",
            "call 116 123, free, day or night",
            "samaritans.org",
            "112 or 999",
            "https://www.irishexaminer.com/breakingnews/ireland/samaritans-answer-29m-calls-since-2014-charity-"
            "to-play-crucial-role-in-new-mental-help-phone-service-914684.html",
            _CHECKED,
        ),
        CrisisLine(
            "AU",
            "Australia",
            "Lifeline",
            "call 13 11 14, any hour",
            "lifeline.org.au",
            "000",
            "https://www.suicidepreventionaust.org/october-member-of-the-month-lifeline/; "
            "https://en.wikipedia.org/wiki/Lifeline_(crisis_support_service)",
            _CHECKED,
        ),
        CrisisLine(
            "ES",
            "España",
            "Línea 024",
            "llama al 024, gratis y confidencial, las 24 horas",
            None,
            "112",
            "https://www.rtve.es/noticias/20220509/sanidad-presenta-telefono-prevencion-suicidio/2347183.shtml "
            "(2022-05-09); https://www.farodevigo.es/galicia/2025/10/11/medio-millar-gallegos-mes-024-linea-"
            "suicidio-122499662.html (2025-10-11)",
            _CHECKED,
        ),
        CrisisLine(
            "MX",
            "México",
            "Línea de la Vida",
            "llama al 800 911 2000, sin costo, las 24 horas",
            None,
            "911",
            "https://www.eluniversal.com.mx/nacion/promueven-la-linea-de-la-vida-tras-presentar-encuesta-sobre-consumo-de-drogas-asi-puedes-pedir-ayuda/ (2025-12-24)",
            _CHECKED,
        ),
        CrisisLine(
            "FR",
            "France",
            "3114, numéro national de prévention du suicide",
            "appelle le 3114, gratuit, 24 h/24 et 7 j/7",
            "3114.fr",
            "15 ou 112",
            "https://www.francetvinfo.fr/sante/psycho-bien-etre/sante-mentale/suicides-le-numero-national-de-"
            "prevention-3114-a-recu-34000-appels-en-quatre-mois_4943130.html (2022-02); "
            "https://cnape.fr/le-3114-numero-national-de-prevention-du-suicide",
            _CHECKED,
        ),
        CrisisLine(
            "DE",
            "Deutschland",
            "TelefonSeelsorge",
            "ruf an: 0800 111 0 111 oder 0800 111 0 222, kostenlos und anonym, rund um die Uhr",
            "telefonseelsorge.de",
            "112",
            "https://www.domradio.de/glossar/telefonseelsorge-0; https://www.spektrum.de/news/telefonseelsorge-erste-hilfe-fuer-die-seele/2055834 (2022-09)",
            _CHECKED,
        ),
        CrisisLine(
            "BR",
            "Brasil",
            "CVV — Centro de Valorização da Vida",
            "ligue 188, gratuito, 24 horas",
            "cvv.org.br",
            "192",
            "http://www.jd1noticias.com/geral/ligacao-para-centro-de-valorizacao-da-vida-passa-a-ser-gratuita/"
            "53507/ (2018-07); Wikipedia, Centro de Valorização da Vida",
            _CHECKED,
        ),
        CrisisLine(
            "IT",
            "Italia",
            "Telefono Amico Italia",
            "chiama lo 02 2327 2327, tutti i giorni dalle 10 alle 24 (di notte, in pericolo: 112)",
            None,
            "112",
            "https://www.fanpage.it/attualita/cose-e-come-funziona-telefono-amico-portato-sul-palco-di-sanremo-da-la-sad/",
            _CHECKED,
        ),
        CrisisLine(
            "NL",
            "Nederland",
            "113 Zelfmoordpreventie",
            "bel gratis 113 of 0800-0113, of chat op 113.nl, dag en nacht",
            "113.nl",
            "112",
            "https://www.upday.com/nl/binnenland/nummer-113-nu-gratis-betere-hulp-bij-zelfdodingsgedachten/pj8neqt (2025-10-03)",
            _CHECKED,
        ),
        CrisisLine(
            "PL",
            "Polska",
            "Centrum Wsparcia dla Osób Dorosłych w Kryzysie Psychicznym",
            "zadzwoń: 800 70 2222, całodobowo, bezpłatnie (albo 116 123)",
            None,
            "112",
            "https://zdrowie.pap.pl/psyche/na-kryzys-telefon-800-70-2222; https://www.zspborzecin.pl/swiatowy-dzien-zdrowia-psychicznego/",
            _CHECKED,
        ),
        CrisisLine(
            "SE",
            "Sverige",
            "Mind Självmordslinjen",
            "ring 90101 eller chatta på mind.se, dygnet runt",
            "mind.se",
            "112",
            "https://www.sosalarm.se/pressrum/nyheter/2020/kanslan-av-att-bara-finnas-och-lyssna-gor-jattestor-skillnad/",
            _CHECKED,
        ),
        CrisisLine(
            "KR",
            "대한민국",
            "자살예방상담전화 109",
            "109로 전화하세요, 24시간",
            None,
            "119",
            "https://newspim.com/news/view/20240102000281 (2024-01-02)",
            _CHECKED,
        ),
        CrisisLine(
            "IN",
            "India",
            "Tele-MANAS",
            "call 14416 or 1-800-891-4416, free, 24x7, in 20 languages",
            None,
            "112",
            "https://crackittoday.com/current-affairs/tele-manas/; https://theshillongtimes.com/2025/02/07/tele-"
            "manas-mental-health-helpline-handles-over-18-1-lakh-calls-centre/ (2025-02-07)",
            _CHECKED,
        ),
    )
}

DIRECTORY: Final = "findahelpline.com"
DIRECTORY_SOURCE: Final = (
    "https://lifeline-international.com/from-idea-to-impact-how-throughline-is-bridging-the-gap-in-global-"
    "crisis-support/ (April 2024: ThroughLine's directory of free, confidential helplines in 130 countries)"
)

# Discord's locales (platform-notes.md) to the country whose line fits best; a locale spoken in many
# countries (es-419, pt-BR is Brazil's own) has none and the person is asked where they are.
_LOCALE_COUNTRY: Final = {
    "en-US": "US",
    "en-GB": "GB",
    "es-ES": "ES",
    "fr": "FR",
    "de": "DE",
    "pt-BR": "BR",
    "it": "IT",
    "nl": "NL",
    "pl": "PL",
    "sv-SE": "SE",
    "ko": "KR",
    "hi": "IN",
}


def line_for(locale: str | None, country: str | None = None) -> CrisisLine | None:
    """The line for a country the person chose, else for their Discord locale; None: the directory."""
    if country:
        return LINES.get(country.upper())
    return LINES.get(_LOCALE_COUNTRY.get(locale or "", ""))


def choices() -> list[tuple[str, str]]:
    """The countries a person can pick (value, label), and "somewhere else" (the directory)."""
    return [(code, line.country_name) for code, line in LINES.items()] + [("XX", "Somewhere else")]
