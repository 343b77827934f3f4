"""Built-in platform presets, read from ``presets.json`` next to this module.

Pure Python (no Django) so the image engine and its benchmark can use it on their own.
"""

import dataclasses
import datetime
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

PRESETS_FILE = Path(__file__).with_name("presets.json")
FORMATS = ("JPEG", "PNG")
# A marketer's frame overlay is only ever made into the sizes that name it; artwork is made into
# every platform size.
ARTWORK_KINDS = ("photo", "logo", "illustration")
KINDS = (*ARTWORK_KINDS, "frame")


@dataclass(frozen=True)
class SafeZone:
    """Where the important content must sit, as fractions of the output size.

    ``shape`` is "rect" (x, y, w, h) or "circle" (cx, cy, r; r is a fraction of the shorter side).
    """

    shape: str
    x: float = 0.0
    y: float = 0.0
    w: float = 1.0
    h: float = 1.0
    cx: float = 0.5
    cy: float = 0.5
    r: float = 0.5

    def outline(self, width: int, height: int) -> dict[str, float]:
        """The zone in output pixels, as SVG attributes (cx, cy, r or x, y, width, height)."""
        if self.shape == "circle":
            return {"cx": self.cx * width, "cy": self.cy * height, "r": self.r * min(width, height)}
        return {
            "x": self.x * width,
            "y": self.y * height,
            "width": self.w * width,
            "height": self.h * height,
        }


@dataclass(frozen=True)
class Preset:
    slug: str
    platform: str
    slot: str
    width: int
    height: int
    format: str
    max_bytes: int
    safe_zone: SafeZone
    shown_as_circle: bool
    overlay: bool
    advice: str
    source: str
    checked: datetime.date
    version: int
    # The portal's own thumbnails and previews: made with the others, shown on its pages,
    # never offered to employees as a platform download nor counted.
    internal: bool = False
    kinds: tuple[str, ...] = ARTWORK_KINDS  # the asset kinds this size is made for
    # "cover" fills width x height exactly; "inside" keeps the source's shape within it
    # (the portal's previews, where the whole picture must show).
    fit: str = "cover"
    # A photo is saved in this format instead where the slot's platforms all take it: a photo
    # in 256 colours bands or blows the byte limit, and JPEG is what cameras make.
    photo_format: str | None = None

    @property
    def size(self) -> tuple[int, int]:
        return (self.width, self.height)

    def made_for(self, kind: str) -> "Preset":
        """This preset as made for artwork of ``kind``: its file format may differ."""
        if kind == "photo" and self.photo_format:
            return dataclasses.replace(self, format=self.photo_format)
        return self


def _parse(entry: dict[str, Any]) -> Preset:
    slug = entry.get("slug", "?")
    try:
        zone = SafeZone(**entry["safe_zone"])
        preset = Preset(
            **{
                **entry,
                "safe_zone": zone,
                "checked": datetime.date.fromisoformat(entry["checked"]),
                "kinds": tuple(entry.get("kinds", ARTWORK_KINDS)),
            }
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"preset {slug!r} is malformed: {exc}") from exc
    if preset.width <= 0 or preset.height <= 0 or preset.max_bytes <= 0 or preset.version <= 0:
        raise ValueError(f"preset {slug!r} needs positive width, height, max_bytes and version")
    for format in (preset.format, preset.photo_format or preset.format):
        if format not in FORMATS:
            raise ValueError(f"preset {slug!r} has unknown format {format!r}")
    if not preset.kinds or not set(preset.kinds) <= set(KINDS):
        raise ValueError(f"preset {slug!r} has unknown kinds {preset.kinds!r}")
    if preset.fit not in ("cover", "inside"):
        raise ValueError(f"preset {slug!r} has unknown fit {preset.fit!r}")
    if zone.shape not in ("rect", "circle"):
        raise ValueError(f"preset {slug!r} has unknown safe-zone shape {zone.shape!r}")
    return preset


def parse_presets(entries: list[dict[str, Any]]) -> tuple[Preset, ...]:
    """Validate raw preset entries; raise ValueError naming the offending slug."""
    presets = tuple(_parse(entry) for entry in entries)
    seen: set[str] = set()
    for preset in presets:
        if preset.slug in seen:
            raise ValueError(f"preset {preset.slug!r} is defined twice")
        seen.add(preset.slug)
    return presets


@cache
def load_presets() -> tuple[Preset, ...]:
    """The built-in presets, in file order (read once per process)."""
    return parse_presets(json.loads(PRESETS_FILE.read_text(encoding="utf-8")))


def platform_presets(kind: str | None = None) -> tuple[Preset, ...]:
    """The presets employees are offered, in file order: not internal, made for `kind` if given."""
    return tuple(
        preset
        for preset in load_presets()
        if not preset.internal and (kind is None or kind in preset.kinds)
    )


def presets_for(kind: str) -> tuple[Preset, ...]:
    """The presets an asset of this kind is made into, in file order."""
    return tuple(preset for preset in load_presets() if kind in preset.kinds)


def internal_presets() -> tuple[Preset, ...]:
    """The portal's own thumbnails and previews."""
    return tuple(preset for preset in load_presets() if preset.internal)


def get_preset(slug: str) -> Preset:
    """The built-in preset called ``slug``; KeyError if there is none."""
    for preset in load_presets():
        if preset.slug == slug:
            return preset
    raise KeyError(slug)
