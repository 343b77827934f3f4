"""Geometry: what each preset takes from the upright source and where it goes on its canvas.

Layout rules per kind (``plan_preset``):

- photo: cover-crop around the focal point.
- illustration: cover-crop too when that crop keeps the focal point and the marketer's keep
  box; otherwise the keep box is fitted into the slot and the rest is filled from the artwork
  itself (``Plan.backdrop``: compose draws a blurred copy), never a flat band.
- logo: the visible mark (transparent or flat margin trimmed, ``mark``) is sized to the slot:
  in a round avatar its box spans 60-85% of the width, inside the circle with air; elsewhere
  it is contained in the platform's safe zone on the background.
- a per-size crop override (``crop``) replaces all of that with a cover crop of the drawn box.
- an "inside" preset (the portal's own previews) keeps the whole source in its own shape.

static/js/focal-point.js mirrors the cover branch and the crop override to draw the boxes on
the edit page; change both together.
"""

import math
import re
from dataclasses import dataclass

from assets.renditions.presets import Preset

KINDS = ("photo", "logo", "illustration")

# Artwork on a circular avatar must fit inside the circle with a little air around it.
CIRCLE_MARGIN = 0.92

# The avatar frame's ring, as a fraction of the circle's radius.
FRAME_RING = 0.15

# A logo's mark in a round avatar: its longer side at most this share of the width.
AVATAR_MARK_MAX = 0.85

Box = tuple[float, float, float, float]  # left, top, right, bottom
Fractions = tuple[float, float, float, float]  # x, y, w, h as fractions of the upright source


@dataclass(frozen=True)
class Plan:
    """What one preset takes from the source and where it goes on the canvas."""

    preset: Preset
    crop: tuple[float, float, float, float]  # upright, full-resolution source pixels
    size: tuple[int, int]  # upright size the crop is scaled to
    position: tuple[int, int]  # top-left corner of that on the canvas
    badge: bool  # avatar frame: the artwork sits in a small badge on a coloured ring
    backdrop: bool = False  # fill the canvas around the tile from the artwork itself
    canvas: tuple[int, int] | None = None  # the output's size when not the preset's


def check_arguments(kind: str, focal_x: float, focal_y: float) -> None:
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    if not (0.0 <= focal_x <= 1.0 and 0.0 <= focal_y <= 1.0):
        raise ValueError("focal point must be fractions between 0 and 1")


def parse_colour(value: str | None) -> tuple[int, int, int] | None:
    if value is None:
        return None
    if not re.fullmatch(r"#[0-9a-fA-F]{6}", value):
        raise ValueError(f"background must look like #rrggbb, not {value!r}")
    return (int(value[1:3], 16), int(value[3:5], 16), int(value[5:7], 16))


def plan_preset(
    preset: Preset,
    upright: tuple[int, int] | tuple[float, float],
    kind: str,
    fx: float,
    fy: float,
    *,
    keep: Fractions | None = None,
    crop: Fractions | None = None,
    mark: Box | None = None,
) -> Plan:
    """Plan one preset for a source of ``upright`` size, focal point ``fx``/``fy`` (fractions).

    ``keep`` is the illustration's keep box and ``crop`` this preset's crop override (both
    fractions x, y, w, h); ``mark`` is a logo's visible box in upright source pixels.
    """
    src_w, src_h = upright
    out_w, out_h = preset.size
    if preset.fit == "inside":
        scale = min(out_w / src_w, out_h / src_h, 1.0)
        size = (max(1, round(src_w * scale)), max(1, round(src_h * scale)))
        return Plan(preset, (0.0, 0.0, src_w, src_h), size, (0, 0), False, canvas=size)
    if crop is not None:
        return _cover(preset, _slot_shaped(_pixels(crop, upright), preset, upright))
    if preset.overlay and kind != "photo":
        return _badge_plan(preset, upright)
    if kind == "photo":
        return _cover(preset, cover_box(preset, upright, fx, fy))
    if kind == "illustration":
        wanted = _pixels(keep, upright) if keep else None
        for centre in ((fx, fy), _centre_fraction(wanted, upright) if wanted else None):
            if centre is None:
                continue
            box = cover_box(preset, upright, *centre)
            if wanted is None or _contains(box, wanted):
                return _cover(preset, box)
        return _fill_plan(preset, upright, wanted)
    mark = mark or (0.0, 0.0, src_w, src_h)
    mark_w, mark_h = mark[2] - mark[0], mark[3] - mark[1]
    zone = preset.safe_zone
    if zone.shape == "circle" or preset.shown_as_circle:
        cx, cy = (zone.cx, zone.cy) if zone.shape == "circle" else (0.5, 0.5)
        side = min(out_w, out_h)
        # The mark's box (its diagonal) stays inside the visible circle with air, and its
        # longer side is never more than AVATAR_MARK_MAX of the width.
        scale = min(
            side * CIRCLE_MARGIN / math.hypot(mark_w, mark_h),
            side * AVATAR_MARK_MAX / max(mark_w, mark_h),
        )
        centre = (cx * out_w, cy * out_h)
    else:
        box_w, box_h = zone.w * out_w, zone.h * out_h
        scale = min(box_w / mark_w, box_h / mark_h)
        centre = ((zone.x + zone.w / 2) * out_w, (zone.y + zone.h / 2) * out_h)
    return _contain_plan(preset, mark, scale, centre, badge=False)


def cover_box(preset: Preset, upright: tuple[float, float], fx: float, fy: float) -> Box:
    """The largest box of the output's shape, centred on the focal point, kept inside."""
    src_w, src_h = upright
    out_w, out_h = preset.size
    scale = max(out_w / src_w, out_h / src_h)
    crop_w, crop_h = min(src_w, out_w / scale), min(src_h, out_h / scale)
    left = min(max(fx * src_w - crop_w / 2, 0.0), src_w - crop_w)
    top = min(max(fy * src_h - crop_h / 2, 0.0), src_h - crop_h)
    return (left, top, left + crop_w, top + crop_h)


def _cover(preset: Preset, box: Box) -> Plan:
    return Plan(preset, box, preset.size, (0, 0), False)


def _pixels(fractions: Fractions, upright: tuple[float, float]) -> Box:
    x, y, w, h = fractions
    src_w, src_h = upright
    left, top = min(max(x, 0.0), 1.0) * src_w, min(max(y, 0.0), 1.0) * src_h
    right = min(max(x + w, 0.0), 1.0) * src_w
    bottom = min(max(y + h, 0.0), 1.0) * src_h
    return (left, top, max(right, left + 1.0), max(bottom, top + 1.0))


def _centre_fraction(box: Box, upright: tuple[float, float]) -> tuple[float, float]:
    return ((box[0] + box[2]) / 2 / upright[0], (box[1] + box[3]) / 2 / upright[1])


def _contains(outer: Box, inner: Box) -> bool:
    slack = 0.5  # half a source pixel of rounding
    return (
        inner[0] >= outer[0] - slack
        and inner[1] >= outer[1] - slack
        and inner[2] <= outer[2] + slack
        and inner[3] <= outer[3] + slack
    )


def _slot_shaped(box: Box, preset: Preset, upright: tuple[float, float]) -> Box:
    """The drawn box grown to the output's shape around its centre, kept inside the source."""
    src_w, src_h = upright
    aspect = preset.width / preset.height
    width, height = box[2] - box[0], box[3] - box[1]
    if width / height > aspect:
        height = width / aspect
    else:
        width = height * aspect
    if width > src_w:
        width, height = src_w, src_w / aspect
    if height > src_h:
        width, height = src_h * aspect, src_h
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    left = min(max(cx - width / 2, 0.0), src_w - width)
    top = min(max(cy - height / 2, 0.0), src_h - height)
    return (left, top, left + width, top + height)


def _fill_plan(preset: Preset, upright: tuple[float, float], wanted: Box) -> Plan:
    """Fit the keep box into the slot, showing as much artwork around it as fits; compose
    fills whatever the artwork cannot cover from a blurred copy of it."""
    src_w, src_h = upright
    out_w, out_h = preset.size
    want_w, want_h = wanted[2] - wanted[0], wanted[3] - wanted[1]
    scale = min(out_w / want_w, out_h / want_h)
    # The slot seen in source pixels, centred on the keep box, then clipped to the artwork.
    view_w, view_h = out_w / scale, out_h / scale
    view_left = (wanted[0] + wanted[2]) / 2 - view_w / 2
    view_top = (wanted[1] + wanted[3]) / 2 - view_h / 2
    crop = (
        max(view_left, 0.0),
        max(view_top, 0.0),
        min(view_left + view_w, src_w),
        min(view_top + view_h, src_h),
    )
    size = (
        max(1, round((crop[2] - crop[0]) * scale)),
        max(1, round((crop[3] - crop[1]) * scale)),
    )
    position = (round((crop[0] - view_left) * scale), round((crop[1] - view_top) * scale))
    return Plan(preset, crop, size, position, False, backdrop=True)


def _badge_plan(preset: Preset, upright: tuple[float, float]) -> Plan:
    radius = min(preset.size) / 2
    pill_h, pill_w, pill_centre = badge_geometry(preset)
    # Leave padding inside the pill so the artwork never touches its rounded ends.
    scale = min((pill_w - pill_h * 0.6) / upright[0], pill_h * 0.72 / upright[1])
    centre = (preset.width / 2, preset.height / 2 - radius + pill_centre)
    return _contain_plan(preset, upright, scale, centre, badge=True)


def badge_geometry(preset: Preset) -> tuple[float, float, float]:
    """Height, width and centre offset (from the top of the circle) of the frame's badge."""
    radius = min(preset.size) / 2
    band = radius * FRAME_RING
    pill_h = band * 0.8
    middle = radius - band / 2  # distance from the centre to the middle of the ring
    # The pill's outer corners must stay inside the circle.
    half_w = math.sqrt(max(radius**2 - (middle + pill_h / 2) ** 2, 1.0))
    return pill_h, 2 * half_w + pill_h * 0.5, radius + middle


def _contain_plan(
    preset: Preset,
    box: tuple[float, float] | Box,
    scale: float,
    centre: tuple[float, float],
    *,
    badge: bool,
) -> Plan:
    """Show ``box`` (a source size, i.e. all of it, or a left/top/right/bottom box) whole,
    scaled by ``scale`` and centred on ``centre``."""
    crop = (0.0, 0.0, *box) if len(box) == 2 else tuple(box)
    width = max(1, round((crop[2] - crop[0]) * scale))
    height = max(1, round((crop[3] - crop[1]) * scale))
    position = (round(centre[0] - width / 2), round(centre[1] - height / 2))
    return Plan(preset, crop, (width, height), position, badge)


def plan_scale(plan: Plan) -> float:
    """How much the plan enlarges (>1) or shrinks (<1) the source."""
    left, top, right, bottom = plan.crop
    return max(plan.size[0] / (right - left), plan.size[1] / (bottom - top))


def to_stored(
    box: tuple[float, float, float, float], orientation: int, stored: tuple[int, int]
) -> tuple[float, float, float, float]:
    """Map an upright box back into the stored (pre-EXIF-rotation) frame."""
    w, h = stored

    def point(u: float, v: float) -> tuple[float, float]:
        return {
            1: (u, v),
            2: (w - u, v),
            3: (w - u, h - v),
            4: (u, h - v),
            5: (v, u),
            6: (v, h - u),
            7: (w - v, h - u),
            8: (w - v, u),
        }[orientation]

    (x0, y0), (x1, y1) = point(box[0], box[1]), point(box[2], box[3])
    return (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))
