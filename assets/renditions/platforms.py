"""Where each file goes: platforms, their slots, and how to set each one, from ``platforms.json``.

Data beside the presets (``presets.json`` says how a file is made, this says where it is used),
so a changed setting page or step is an edit of data, not of templates. Pure Python, like
``presets.py``.
"""

import datetime
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from assets.renditions.presets import Preset, get_preset

PLATFORMS_FILE = Path(__file__).with_name("platforms.json")
# What an employee may make on their device for a slot, besides downloading the file.
PERSONAL_TOOLS = ("", "frame", "banner", "background", "signature")


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


def file_name(platform: Platform, slot: Slot, extension: str) -> str:
    """The name a person sees: ``LinkedIn - banner - 1584x396.jpg``."""
    preset = slot.preset
    return f"{platform.name} - {slot.name} - {preset.width}x{preset.height}.{extension}"


def name_for(preset_slug: str, extension: str, *, platform: str = "") -> str:
    """The person's file name for a preset, as offered for ``platform`` (or the first that
    takes it); empty when no platform slot takes the preset."""
    fallback = ""
    for candidate in load_platforms():
        for slot in candidate.slots:
            if slot.preset.slug == preset_slug:
                if candidate.slug == platform:
                    return file_name(candidate, slot, extension)
                fallback = fallback or file_name(candidate, slot, extension)
    return fallback
