import re
from dataclasses import asdict, dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from assets.models import Asset, Collection, content_languages
from policies.models import Change
from policies.text import diff_lines, render_markdown

_HEX = re.compile(r"^#?([0-9a-fA-F]{6})$")
_PERCENT = re.compile(r"^\d{1,3}$")


@dataclass(frozen=True)
class Swatch:
    """One brand colour as marketing states it. RGB follows from HEX, so it cannot disagree."""

    name: str
    hex: str
    cmyk: tuple[int, int, int, int]
    pantone: str = ""

    @property
    def rgb(self) -> tuple[int, int, int]:
        return tuple(int(self.hex[i : i + 2], 16) for i in (1, 3, 5))

    @property
    def rgb_text(self) -> str:
        return "rgb({}, {}, {})".format(*self.rgb)

    @property
    def cmyk_text(self) -> str:
        return "C{} M{} Y{} K{}".format(*self.cmyk)

    @property
    def is_light(self) -> bool:
        """Light colours get a dark outline, so a white swatch still shows on white paper."""
        red, green, blue = self.rgb
        return 0.299 * red + 0.587 * green + 0.114 * blue > 200

    def as_line(self) -> str:
        """The line marketing writes, and the change log compares."""
        parts = [self.name, self.hex, " ".join(str(part) for part in self.cmyk)]
        return " | ".join([*parts, self.pantone] if self.pantone else parts)


def parse_swatches(text: str) -> list[Swatch]:
    """Read one swatch a line: `Name | #RRGGBB | C M Y K | Pantone (optional)`.

    Raises ValidationError naming every line that could not be read and why.
    """
    swatches, problems = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            swatches.append(_parse_swatch(line))
        except ValueError as error:
            problems.append(_("Line %(number)s: %(error)s") % {"number": number, "error": error})
    if problems:
        raise ValidationError(problems)
    return swatches


def _parse_swatch(line: str) -> Swatch:
    parts = [part.strip() for part in line.split("|")]
    if len(parts) not in (3, 4) or not parts[0]:
        raise ValueError(
            _(
                "write a name, a HEX colour and four CMYK numbers separated by |, for example "
                "“Sky | #1A4FD8 | 90 65 0 0 | Pantone 2728 C”"
            )
        )
    name, hex_text, cmyk_text, *pantone = parts
    if not (match := _HEX.match(hex_text)):
        raise ValueError(
            _("“%(hex)s” is not a HEX colour; write six digits like #1A4FD8") % {"hex": hex_text}
        )
    cmyk = cmyk_text.replace(",", " ").replace("/", " ").split()
    if len(cmyk) != 4 or not all(_PERCENT.match(part) and int(part) <= 100 for part in cmyk):
        raise ValueError(
            _("“%(cmyk)s” is not CMYK; write four numbers from 0 to 100") % {"cmyk": cmyk_text}
        )
    return Swatch(
        name=name[:60],
        hex=f"#{match.group(1).upper()}",
        cmyk=tuple(int(part) for part in cmyk),
        pantone=(pantone[0] if pantone else "")[:60],
    )


class Guideline(models.Model):
    """A collection's brand guidelines: Markdown prose, colour swatches and "don't" examples."""

    collection = models.OneToOneField(
        Collection, on_delete=models.CASCADE, related_name="guideline"
    )
    body = models.TextField(
        _("guidelines"),
        blank=True,
        help_text=_("Markdown: ## for headings, - for lists, [text](url)."),
    )
    # A list of Swatch fields; read it through swatch_list().
    swatches = models.JSONField(default=list, blank=True)
    dont_examples = models.ManyToManyField(
        Asset,
        blank=True,
        related_name="+",
        help_text=_(
            "Images of the collection showing what not to do. Keep them as drafts or "
            "archived, so they are shown here and never offered as artwork."
        ),
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("guidelines:page", args=[self.collection.slug])

    @property
    def title(self) -> str:
        return _("Brand guidelines: %(name)s") % {"name": self.collection.name}

    def swatch_list(self) -> list[Swatch]:
        return [Swatch(**{**data, "cmyk": tuple(data["cmyk"])}) for data in self.swatches]

    def set_swatches(self, swatches: list[Swatch]) -> None:
        self.swatches = [asdict(swatch) for swatch in swatches]

    def html(self) -> SafeString:
        return render_markdown(self.body)

    def as_text(self) -> str:
        """Everything a reader sees, as text: what a version keeps and the change log compares.
        The English text, then each translation under its language's name."""
        colours = "\n".join(f"- {swatch.as_line()}" for swatch in self.swatch_list())
        donts = "\n".join(f"- {asset.title}" for asset in self.dont_examples.order_by("title"))
        translations = "".join(
            f"\n## {name}\n{text.strip()}\n"
            for code, name in content_languages()[1:]
            if (text := getattr(self, f"body_{code}", None))
        )
        return (
            f"{(self.body_en or '').strip()}\n\n## Colours\n{colours}\n\n## Don't\n{donts}\n"
            f"{translations}"
        )

    @property
    def first_saved_at(self) -> datetime:
        return self.created_at

    def changes(self) -> list[Change]:
        """Newest first: each save, with the lines it removed and added."""
        texts = [(self.updated_at, self.as_text())] + [
            (version.saved_at, version.text) for version in self.versions.all()
        ]
        return [
            Change(date, self.title, self.title, diff_lines(old_text, text))
            for (date, text), (_, old_text) in zip(texts, texts[1:], strict=False)
        ]


class GuidelineVersion(models.Model):
    """What a guideline said, as text, before a save replaced it."""

    guideline = models.ForeignKey(Guideline, on_delete=models.CASCADE, related_name="versions")
    text = models.TextField()
    saved_at = models.DateTimeField(help_text=_("When this text was saved."))

    class Meta:
        ordering = ["-saved_at", "-id"]

    def __str__(self) -> str:
        return f"{self.guideline} ({self.saved_at:%Y-%m-%d})"
