"""Where each file goes: platforms, their slots, and how to set each one, from ``platforms.json``.

Data beside the presets (``presets.json`` says how a file is made, this says where it is used),
so a changed setting page or step is an edit of data, not of templates. Pure Python, like
``presets.py``.
"""

import dataclasses
import datetime
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from assets.renditions.presets import Preset, get_preset, load_presets

PLATFORMS_FILE = Path(__file__).with_name("platforms.json")
# What an employee may make on their device for a slot, besides downloading the file.
PERSONAL_TOOLS = ("", "frame", "banner", "background", "signature")
# Windows refuses these in a file name (and every system refuses "/" and NUL).
UNSAFE_IN_FILE_NAMES = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')


@dataclass(frozen=True)
class Link:
    label: str
    url: str


@dataclass(frozen=True)
class Slot:
    name: str  # lower case, as in a file name: "profile photo"
    preset: Preset
    steps: tuple[str, ...]
    personal: str = ""
    # Where the file goes, as a sentence says it; empty: "your <platform> <slot>".
    where: str = ""
    # A frame slot's plain file, the artwork itself as the photo, and how to set it: the ZIP
    # holds finished files, and the frame is made over the person's own photo on the page.
    plain: Preset | None = None
    plain_steps: tuple[str, ...] = ()

    @property
    def title(self) -> str:
        return self.name[:1].upper() + self.name[1:]


@dataclass(frozen=True)
class Platform:
    slug: str
    name: str
    link: Link | None
    source: str  # for marketing: where the steps and sizes were read
    checked: datetime.date
    slots: tuple[Slot, ...]


def _parse(entry: dict[str, Any]) -> Platform:
    slug = entry.get("slug", "?")
    try:
        slots = tuple(
            Slot(
                name=slot["slot"],
                preset=get_preset(slot["preset"]),
                steps=tuple(slot["steps"]),
                personal=slot.get("personal", ""),
                where=slot.get("where", ""),
                plain=get_preset(slot["plain"]["preset"]) if "plain" in slot else None,
                plain_steps=tuple(slot["plain"]["steps"]) if "plain" in slot else (),
            )
            for slot in entry["slots"]
        )
        link = Link(**entry["link"]) if entry["link"] else None
        platform = Platform(
            slug=slug,
            name=entry["name"],
            link=link,
            source=entry["source"],
            checked=datetime.date.fromisoformat(entry["checked"]),
            slots=slots,
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"platform {slug!r} is malformed: {exc}") from exc
    names = [slot.name for slot in slots]
    if len(set(names)) != len(names):
        raise ValueError(f"platform {slug!r} names a slot twice: one file per slot")
    for slot in slots:
        if slot.personal not in PERSONAL_TOOLS:
            raise ValueError(f"platform {slug!r} has unknown personal tool {slot.personal!r}")
        if not slot.steps:
            raise ValueError(f"platform {slug!r} slot {slot.name!r} needs steps")
    if link and not link.url.startswith("https://"):
        raise ValueError(f"platform {slug!r} links to a page that is not https")
    return platform


def parse_platforms(entries: list[dict[str, Any]]) -> tuple[Platform, ...]:
    """Validate raw platform entries; raise ValueError naming the offending slug."""
    platforms = tuple(_parse(entry) for entry in entries)
    slugs = [platform.slug for platform in platforms]
    if len(set(slugs)) != len(slugs):
        raise ValueError("a platform is defined twice")
    return platforms


@cache
def load_platforms() -> tuple[Platform, ...]:
    """The platforms, in the order the asset page shows them (read once per process)."""
    return parse_platforms(json.loads(PLATFORMS_FILE.read_text(encoding="utf-8")))


def get_platform(slug: str) -> Platform:
    """The platform called ``slug``; KeyError if there is none."""
    for platform in load_platforms():
        if platform.slug == slug:
            return platform
    raise KeyError(slug)


def texts() -> Iterator[tuple[str, str]]:
    """Every phrase of ``platforms.json`` and ``presets.json`` that a person reads, with a note
    for the translator: the English is the msgid (see assets/management/commands/makemessages.py).
    Sources are left out: they cite pages by their own titles, for marketing."""
    for platform in load_platforms():
        yield platform.name, "A platform's name."
        if platform.link:
            yield platform.link.label, "A link to the platform's own settings page."
        for slot in platform.slots:
            yield slot.name, "A slot's name, in lower case: also a part of file names."
            if slot.where:
                yield slot.where, "Where a file goes, in a sentence."
            for step in (*slot.steps, *slot.plain_steps):
                yield step, "One step of how to set a file on the platform."
    for preset in load_presets():
        yield preset.platform, "The platforms a size is for, for marketing."
        yield preset.slot, "A size's name, for marketing."
        yield preset.advice, "Advice on a size's design, for marketing."


def translated(platform: Platform, text: Callable[[str], str]) -> Platform:
    """``platform`` with every phrase a person reads passed through ``text`` (a translation);
    slugs, URLs and presets stay as they are."""
    link = platform.link and Link(label=text(platform.link.label), url=platform.link.url)
    slots = tuple(
        dataclasses.replace(
            slot,
            name=text(slot.name),
            where=text(slot.where) if slot.where else "",
            steps=tuple(map(text, slot.steps)),
            plain_steps=tuple(map(text, slot.plain_steps)),
        )
        for slot in platform.slots
    )
    return dataclasses.replace(platform, name=text(platform.name), link=link, slots=slots)


def safe_file_name(text: str) -> str:
    """``text`` without what Windows refuses in a file name, spaces collapsed, no trailing dot."""
    return " ".join(UNSAFE_IN_FILE_NAMES.sub("", text).split()).rstrip(". ")


def file_name(
    platform: Platform, slot: Slot, extension: str, *, title: str, preset: Preset | None = None
) -> str:
    """The name a person sees, led by the artwork's title so two artworks never collide:
    ``Spring sailings - LinkedIn - banner - 1584x396.jpg``. ``preset`` when the file is not
    the slot's own (a frame slot's plain photo)."""
    preset = preset or slot.preset
    size = f"{preset.width}x{preset.height}"
    return shared_file_name(title, f"{platform.name} - {slot.name}", size, extension)


def shared_file_name(title: str, what: str, size: str, extension: str) -> str:
    """``<title> - <what> - <size>.<extension>`` made safe; the title is left out if nothing of
    it is allowed in a file name."""
    parts = [safe_file_name(part) for part in (title, what, size)]
    return " - ".join(part for part in parts if part) + f".{extension}"


def name_for(
    preset_slug: str,
    extension: str,
    *,
    title: str,
    platforms: tuple[Platform, ...],
    platform: str = "",
) -> str:
    """The person's file name for a preset, as offered for ``platform`` (or the first of
    ``platforms`` that takes it); empty when no platform slot takes the preset."""
    fallback = ""
    for candidate in platforms:
        for slot in candidate.slots:
            if slot.preset.slug == preset_slug:
                name = file_name(candidate, slot, extension, title=title)
                if candidate.slug == platform:
                    return name
                fallback = fallback or name
    return fallback


def download_labels(
    platforms: tuple[Platform, ...] | None = None,
    *,
    label: str = "%(platforms)s: %(slot)s",
    between: str = "; ",
) -> dict[str, str]:
    """Each size an employee can download from an asset page, named as the page names it:
    ``{"linkedin-banner": "LinkedIn: banner"}``. A size several slots share names them all
    ("Instagram, Slack: profile photo; YouTube: profile picture"). Only platform slots offer a
    download, and a frame slot does not (the frame is made over the person's own photo on the
    page), so a preset that names a platform with no slot here is offered nowhere.

    In English unless given translated ``platforms`` and the language's ``label`` and
    ``between`` (French puts a space before ":" and ";")."""
    slots: dict[str, dict[str, list[str]]] = {}
    for platform in load_platforms() if platforms is None else platforms:
        for slot in platform.slots:
            if slot.personal != "frame":
                names = slots.setdefault(slot.preset.slug, {})
                names.setdefault(slot.name, []).append(platform.name)
    return {
        preset: between.join(
            label % {"platforms": ", ".join(apps), "slot": name} for name, apps in names.items()
        )
        for preset, names in slots.items()
    }
