"""Text helpers for policies, announcements and guidelines: safe Markdown, diffs, pressure."""

import difflib
import re
from dataclasses import dataclass

import markdown
import nh3
from django.utils.html import escape, linebreaks
from django.utils.safestring import SafeString, mark_safe

# Words and phrases that turn an offer into pressure. The check warns the writer
# and never blocks: add a phrase here and it is flagged everywhere. Matching is
# case-insensitive and whole-word, so "must" is flagged and "mustard" is not;
# list each form you want caught ("reminder" and "reminders").
PRESSURE_PHRASES = (
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
)

# Deadlines and shares of people, which no list of words covers: "by Friday",
# "by end of day", "100% of the team". Each is a regular expression.
_DAYS = "monday|tuesday|wednesday|thursday|friday|saturday|sunday|tomorrow|tonight|today"
PRESSURE_PATTERNS = (
    rf"(?:by|before|until)\s+(?:this\s+|next\s+)?(?:{_DAYS}|noon|midnight|eod|eow)",
    r"(?:by|before)\s+(?:the\s+)?end\s+of\s+(?:the\s+|this\s+)?(?:day|week|month|quarter)",
    r"\d{1,3}\s?%(?:\s+of\s+(?:the\s+|our\s+|your\s+)?\w+)?",
    # "only 3 left", "only 10 spots left", "only two days left"
    r"only\s+(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|a\s+few)\s+(?:\w+\s+){0,2}left",
)

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


# Longest first, so "reminders" wins over "remind" where both could match.
_PRESSURE = re.compile(
    r"(?<!\w)(?:"
    + "|".join(
        [*PRESSURE_PATTERNS]
        + [_phrase_pattern(p) for p in sorted(PRESSURE_PHRASES, key=len, reverse=True)]
    )
    + r")(?!\w)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class PressureCheck:
    phrases: list[str]
    highlighted: SafeString


def check_pressure(text: str) -> PressureCheck:
    """The pressure phrases in `text` (each once), and the text as HTML with every one marked."""
    found: list[str] = []
    parts: list[str] = []
    position = 0
    for match in _PRESSURE.finditer(text):
        if match.group(0).lower() not in (phrase.lower() for phrase in found):
            found.append(match.group(0))
        parts.append(escape(text[position : match.start()]))
        parts.append(f'<mark class="pressure">{escape(match.group(0))}</mark>')
        position = match.end()
    parts.append(escape(text[position:]))
    # linebreaks() escapes nothing further when autoescape is off: the parts are escaped above.
    return PressureCheck(found, mark_safe(linebreaks("".join(parts))))  # noqa: S308
