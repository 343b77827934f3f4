"""Geometry: what each preset takes from the upright source and where it goes on its canvas.

static/js/focal-point.js mirrors the photo (cover) branch of ``plan_preset`` to draw the crop
boxes on the asset page; change both together.
"""

import math
import re
from dataclasses import dataclass

from assets.presets import Preset

KINDS = ("photo", "logo", "illustration")

# Artwork on a circular avatar must fit inside the circle with a little air around it.
CIRCLE_MARGIN = 0.92

# The avatar frame's ring, as a fraction of the circle's radius.
FRAME_RING = 0.15


@dataclass(frozen=True)
class Plan:
    """What one preset takes from the source and where it goes on the canvas."""

    preset: Preset
    crop: tuple[float, float, float, float]  # upright, full-resolution source pixels
    size: tuple[int, int]  # upright size the crop is scaled to
    position: tuple[int, int]  # top-left corner of that on the canvas
    badge: bool  # avatar frame: the artwork sits in a small badge on a coloured ring


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
    preset: Preset, upright: tuple[int, int] | tuple[float, float], kind: str, fx: float, fy: float
) -> Plan:
    """Plan one preset for a source of ``upright`` size, focal point ``fx``/``fy`` (fractions)."""
    src_w, src_h = upright
    out_w, out_h = preset.size
    if preset.overlay and kind != "photo":
        return _badge_plan(preset, upright)
    if kind == "photo":
        # Cover: the largest box of the output's shape, centred on the focal point, kept inside.
        scale = max(out_w / src_w, out_h / src_h)
        crop_w, crop_h = min(src_w, out_w / scale), min(src_h, out_h / scale)
        left = min(max(fx * src_w - crop_w / 2, 0.0), src_w - crop_w)
        top = min(max(fy * src_h - crop_h / 2, 0.0), src_h - crop_h)
        return Plan(preset, (left, top, left + crop_w, top + crop_h), preset.size, (0, 0), False)
    zone = preset.safe_zone
    if zone.shape == "circle" or preset.shown_as_circle:
        cx, cy, r = (zone.cx, zone.cy, zone.r) if zone.shape == "circle" else (0.5, 0.5, 0.5)
        # The artwork's bounding box (its diagonal) must fit inside the visible circle.
        diameter = 2 * r * min(out_w, out_h) * CIRCLE_MARGIN
        scale = diameter / math.hypot(src_w, src_h)
        centre = (cx * out_w, cy * out_h)
    else:
        box_w, box_h = zone.w * out_w, zone.h * out_h
        scale = min(box_w / src_w, box_h / src_h)
        centre = ((zone.x + zone.w / 2) * out_w, (zone.y + zone.h / 2) * out_h)
    return _contain_plan(preset, upright, scale, centre, badge=False)


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
    upright: tuple[float, float],
    scale: float,
    centre: tuple[float, float],
    *,
    badge: bool,
) -> Plan:
    width = max(1, round(upright[0] * scale))
    height = max(1, round(upright[1] * scale))
    position = (round(centre[0] - width / 2), round(centre[1] - height / 2))
    return Plan(preset, (0.0, 0.0, *upright), (width, height), position, badge)


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
