"""Text helpers for policies, announcements and guidelines: safe Markdown, diffs, pressure."""

import difflib
import re
from dataclasses import dataclass

import markdown
import nh3
from django.utils.html import escape, linebreaks
from django.utils.safestring import SafeString, mark_safe

# Words and phrases that turn an offer into pressure, per language. The check warns the
# writer and never blocks: add a phrase here and it is flagged everywhere. Matching is
# case-insensitive and whole-word, so "must" is flagged and "mustard" is not; list each
# form you want caught ("reminder" and "reminders").
PRESSURE_PHRASES = {
    "en": (
        "required",
        "requirement",
        "mandatory",
        "compulsory",
        "obligatory",
        "must",
        "deadline",
        "deadlines",
        "remind",
        "reminder",
        "reminders",
        "everyone should",
        "all staff should",
        "we expect",
        "expected to",
        "don't forget",
        "do not forget",
        "make sure you",
        "no excuses",
        "last chance",
        "asap",
        "participation rate",
        "we will check",
        "we'll check",
        "show your support",
        # Being watched or compared.
        "your manager",
        "your boss",
        "your team lead",
        "will be looking",
        "will be watching",
        "will be checking",
        "we noticed",
        "we've noticed",
        "we have noticed",
        "we can see",
        "we are tracking",
        "we're tracking",
        "everyone else has",
        "everyone else is",
        "everyone else",
        "still haven't",
        "still have not",
        "who hasn't",
        "who has not",
        "not yet joined",
        "no later than",
        # Scarcity and guilt: an offer that can be lost, or a person letting others down.
        "don't miss out",
        "do not miss out",
        "miss out",
        "last call",
        "final call",
        "hurry",
        "act now",
        "limited time",
        "while stocks last",
        "before it's too late",
        "time is running out",
        "running out",
        "now or never",
        "we're counting on you",
        "we are counting on you",
        "counting on you",
        "don't let the team down",
        "don't be the last",
        "be the last",
    ),
    "de": (
        "Pflicht",
        "verpflichtend",
        "obligatorisch",
        "verbindlich",
        "zwingend",
        "erforderlich",
        "muss",
        "müssen",
        "müsst",
        "Frist",
        "Fristen",
        "spätestens",
        "Erinnerung",
        "Erinnerungen",
        "erinnern",
        "bitte alle",
        "alle sollten",
        "alle müssen",
        "wir erwarten",
        "wird erwartet",
        "von Ihnen erwartet",
        "nicht vergessen",
        "vergessen Sie nicht",
        "denken Sie daran",
        "keine Ausreden",
        "ausnahmslos",
        "letzte Chance",
        "umgehend",
        "schnellstmöglich",
        "so schnell wie möglich",
        "Teilnahmequote",
        "wir prüfen",
        "wir werden prüfen",
        "wir kontrollieren",
        "zeigen Sie Ihre Unterstützung",
        "im Voraus",
        # Being watched or compared.
        "Ihre Führungskraft",
        "Ihr Vorgesetzter",
        "Ihre Vorgesetzte",
        "Ihr Chef",
        "Ihre Chefin",
        "wir können sehen",
        "wir sehen, wer",
        "wir haben bemerkt",
        "uns ist aufgefallen",
        "alle anderen",
        "noch nicht",
        "immer noch nicht",
        # Scarcity and guilt.
        "nicht verpassen",
        "verpassen Sie nicht",
        "beeilen Sie sich",
        "nur für kurze Zeit",
        "begrenzte Zeit",
        "solange der Vorrat reicht",
        "jetzt oder nie",
        "die Zeit läuft",
        "wir zählen auf Sie",
        "lassen Sie das Team nicht im Stich",
        "seien Sie nicht der Letzte",
        "nur noch wenige",
    ),
    "fr": (
        "obligatoire",
        "obligatoirement",
        "requis",
        "exigé",
        "impératif",
        "impérativement",
        "doit",
        "devez",
        "doivent",
        "il faut",
        "date limite",
        "échéance",
        "délai",
        "rappel",
        "rappels",
        "nous vous rappelons",
        "merci à tous",
        "merci à toutes",
        "merci d'avance",
        "par avance",
        "tout le monde doit",
        "nous attendons",
        "est attendu",
        "vous êtes attendus",
        "n'oubliez pas",
        "pas d'excuses",
        "sans exception",
        "dernière chance",
        "au plus tard",
        "dès que possible",
        "au plus vite",
        "taux de participation",
        "nous vérifierons",
        "nous allons vérifier",
        "nous contrôlerons",
        "montrez votre soutien",
        # Being watched or compared.
        "votre manager",
        "votre responsable",
        "votre chef",
        "votre supérieur",
        "nous avons remarqué",
        "nous avons constaté",
        "nous pouvons voir",
        "nous voyons qui",
        "tous les autres",
        "pas encore",
        "toujours pas",
        # Scarcity and guilt.
        "ne manquez pas",
        "ne ratez pas",
        "dépêchez-vous",
        "temps limité",
        "durée limitée",
        "dans la limite des stocks",
        "maintenant ou jamais",
        "le temps presse",
        "nous comptons sur vous",
        "on compte sur vous",
        "ne soyez pas le dernier",
    ),
}

# Deadlines and shares of people, which no list of words covers: "by Friday",
# "by end of day", "100% of the team". Each is a regular expression.
_COUNTS = {
    "en": r"\d+|one|two|three|four|five|six|seven|eight|nine|ten|a\s+few",
    "de": r"\d+|ein|eine|einen|zwei|drei|vier|fünf|sechs|sieben|acht|neun|zehn|wenige",
    "fr": r"\d+|un|une|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|quelques",
}
_DAYS = {
    "en": "monday|tuesday|wednesday|thursday|friday|saturday|sunday|tomorrow|tonight|today",
    "de": "montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag|morgen|heute",
    "fr": r"lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|demain|ce\s+soir",
}
_SHARE = r"\d{1,3}\s?%"
PRESSURE_PATTERNS = {
    "en": (
        rf"(?:by|before|until)\s+(?:this\s+|next\s+)?(?:{_DAYS['en']}|noon|midnight|eod|eow)",
        r"(?:by|before)\s+(?:the\s+)?end\s+of\s+(?:the\s+|this\s+)?(?:day|week|month|quarter)",
        rf"{_SHARE}(?:\s+of\s+(?:the\s+|our\s+|your\s+)?\w+)?",
        # "only 3 left", "only 10 spots left", "only two days left"
        rf"only\s+(?:{_COUNTS['en']})\s+(?:\w+\s+){{0,2}}left",
    ),
    "de": (
        # "bis Freitag", "vor nächstem Montag", "bis heute Abend"
        rf"(?:bis|vor)\s+(?:(?:diesem|diesen|nächstem|nächsten|kommendem|kommenden)\s+)?"
        rf"(?:{_DAYS['de']}|mittag|mitternacht|feierabend)",
        r"(?:bis|vor)\s+(?:zum\s+)?ende\s+(?:der|dieser|des|dieses)\s+"
        r"(?:woche|tages|monats|quartals)",
        r"bis\s+(?:wochen|monats|quartals)ende",
        rf"{_SHARE}(?:\s+(?:der|des|aller|unserer|ihrer|ihres)\s+\w+)?",
        # "nur noch 3 übrig", "nur noch zwei Plätze frei"
        rf"nur\s+noch\s+(?:{_COUNTS['de']})\s+(?:\w+\s+){{0,2}}(?:übrig|frei|verfügbar)",
    ),
    "fr": (
        # "avant vendredi", "d'ici lundi prochain", "avant ce soir"
        rf"(?:avant|d['’]ici)\s+(?:(?:ce|le)\s+)?(?:{_DAYS['fr']}|midi|minuit)(?:\s+prochain)?",
        r"(?:avant|d['’]ici)\s+la\s+fin\s+(?:de\s+la\s+(?:journée|semaine)|du\s+(?:mois|trimestre))",
        rf"{_SHARE}(?:\s+(?:de\s+l['’]|des\s+|de\s+la\s+|du\s+)\w+)?",
        # "plus que 3 jours", "il ne reste que deux places"
        rf"(?:plus|il\s+ne\s+reste(?:\s+plus)?)\s+que\s+(?:{_COUNTS['fr']})(?:\s+\w+)?",
    ),
}

# Policy pages are prose: headings, lists, links and emphasis, nothing else.
ALLOWED_TAGS = {
    "h2", "h3", "h4", "p", "br", "hr", "ul", "ol", "li", "blockquote",
    "strong", "em", "code", "pre", "a",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}


def _no_raw_html(md: markdown.Markdown) -> None:
    # Python-Markdown passes raw HTML through; without these two steps it is
    # shown as text instead. nh3 below is the second, independent layer.
    md.preprocessors.deregister("html_block")
    md.inlinePatterns.deregister("html")


def render_markdown(text: str) -> SafeString:
    """Markdown to HTML that is safe to show: no raw HTML, scripts or javascript: links."""
    md = markdown.Markdown(extensions=["sane_lists"])
    _no_raw_html(md)
    html = nh3.clean(
        md.convert(text),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
    )
    return mark_safe(html)  # noqa: S308 - sanitized by nh3 on the line above


def diff_lines(old: str, new: str) -> list[str]:
    """The lines one save removed (-) and added (+), with one line of context."""
    lines = difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=1)
    # The first two lines are the "---"/"+++" file headers; they say nothing here.
    return list(lines)[2:]


def _phrase_pattern(phrase: str) -> str:
    words = [re.escape(word).replace("'", "['’]") for word in phrase.split()]
    return r"\s+".join(words)


def _pressure_pattern(language: str) -> re.Pattern:
    # German and French office writing borrows English words ("Deadline", "ASAP",
    # "Reminder"), so their texts are checked against the English list too.
    # The text's own language first: of two patterns that match at one place, the first wins.
    languages = list(dict.fromkeys([language, "en"]))
    patterns = [p for code in languages for p in PRESSURE_PATTERNS[code]]
    phrases = {p for code in languages for p in PRESSURE_PHRASES[code]}
    # Longest first, so "reminders" wins over "remind" where both could match.
    return re.compile(
        r"(?<!\w)(?:"
        + "|".join(patterns + [_phrase_pattern(p) for p in sorted(phrases, key=len, reverse=True)])
        + r")(?!\w)",
        re.IGNORECASE,
    )


_PRESSURE = {language: _pressure_pattern(language) for language in PRESSURE_PHRASES}


@dataclass(frozen=True)
class PressureCheck:
    phrases: list[str]
    highlighted: SafeString


def check_pressure(text: str, *, language: str = "en") -> PressureCheck:
    """The pressure phrases in `text` (each once), and the text as HTML with every one marked.

    `language` is the text's; a language without a list of its own is checked in English.
    """
    found: list[str] = []
    parts: list[str] = []
    position = 0
    for match in _PRESSURE.get(language, _PRESSURE["en"]).finditer(text):
        if match.group(0).lower() not in (phrase.lower() for phrase in found):
            found.append(match.group(0))
        parts.append(escape(text[position : match.start()]))
        parts.append(f'<mark class="pressure">{escape(match.group(0))}</mark>')
        position = match.end()
    parts.append(escape(text[position:]))
    # linebreaks() escapes nothing further when autoescape is off: the parts are escaped above.
    return PressureCheck(found, mark_safe(linebreaks("".join(parts))))  # noqa: S308
