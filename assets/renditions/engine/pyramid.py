"""The order in which one image's sizes are made: a pyramid, each size shrunk from the
decode or from an earlier, larger size that covers its crop (render.py runs it).
"""

from dataclasses import dataclass

from PIL import Image

from assets.renditions.engine.plan import Plan

# The last resize shrinks by at most this factor after the integer reduce(); 1.0 is fastest
# and, after JPEG encoding, within a fraction of a dB of a full LANCZOS (performance-anchors.md).
REDUCING_GAP = 1.0


@dataclass
class Job:
    """One preset's resize, in stored orientation and decoded-pixel coordinates."""

    index: int
    plan: Plan
    box: tuple[float, ...]
    size: tuple[int, int]
    upright_box: tuple[float, ...]  # ``box`` in the upright frame: tiles are shrunk upright
    parent: int | None = None  # index of the job whose tile this one shrinks, None = the decode
    reduce_by: int | None = None  # the parent's tile exactly reduced by this, see _reduce_factor

    @property
    def density(self) -> float:
        return max(
            self.size[0] / (self.box[2] - self.box[0]), self.size[1] / (self.box[3] - self.box[1])
        )


def resample_filter(job: Job, kind: str) -> Image.Resampling:
    """Bicubic reads a third fewer pixels than LANCZOS. The portal's own previews use it (seen
    on its pages only; the 1600 px preview of a 24 MP photo is the largest shrink of all), and
    so do a photo's large platform sizes: in its grain, after JPEG encoding, they came out as
    close to a LANCZOS reference as with LANCZOS (within 0.02 dB, bench/renditions.py) for 5
    to 12% fewer instructions in all. A photo's profile sizes keep LANCZOS (small, so cheap,
    and 0.04 dB closer), and so does artwork: its hard edges lost up to 1 dB with bicubic.
    """
    if job.plan.preset.internal or (kind == "photo" and not job.plan.preset.shown_as_circle):
        return Image.Resampling.BICUBIC
    return Image.Resampling.LANCZOS


def pyramid_order(jobs: list[Job]) -> list[Job]:
    """Order the resizes as a pyramid: a preset shrinks an earlier, larger tile when that tile
    covers its crop at enough resolution and reading it is cheaper than reading the decode.

    Shrinking a 2560-wide tile to 1920 costs a fraction of shrinking the decode again, and
    after JPEG encoding the extra resampling step costs at most 0.4 dB (bench/renditions.py,
    "vs q85"). Requiring a bigger saving before using a tile halved that loss but cost 9 MB of
    peak memory and 5% more time on the 24 MP photo.

    A size that is a tile exactly reduced (_reduce_factor) costs only the reduce(): the X header
    halves the Mastodon header (8.5 -> 2 ms for a 24 MP photo), and on a fine-line photo it came
    out 0.9-1.2 dB closer to a LANCZOS reference than shrunk from the Facebook cover or the
    preview by bicubic, its e-mail signature (shrunk from it) 0.7-0.8 dB.
    """
    order = sorted(jobs, key=lambda job: job.density, reverse=True)
    for position, job in enumerate(order):
        best = _read_cost(job.box, job.size, 1.0)
        for earlier in order[:position]:
            if not _covers(earlier, job):
                continue
            scale = earlier.size[0] / (earlier.box[2] - earlier.box[0])
            factor = _reduce_factor(earlier, job)
            cost = _read_cost(job.box, job.size, scale, exact=factor is not None)
            if cost < best:
                best, job.parent, job.reduce_by = cost, earlier.index, factor
    # By density, so a parent always comes before its children.
    return order


def _reduce_factor(tile: Job, job: Job) -> int | None:
    """The whole number by which ``job`` is ``tile``'s tile reduced, when it is exactly that: its
    crop lies on the tile's grid and each of its pixels is one block of that many pixels square
    (the X header is the Mastodon header halved: same crop, 1500x500 of 3000x1000; 1 is a crop
    at the tile's own scale). Then reduce() alone makes it, no resample. None when it is not.
    """
    box = box_within(job.upright_box, tile.upright_box, tile.plan.size)
    factor = round((box[2] - box[0]) / job.plan.size[0])
    if factor < 1:
        return None
    blocks = (box[2] - box[0]) / factor, (box[3] - box[1]) / factor
    on_grid = all(abs(v / factor - round(v / factor)) < 1e-6 for v in box)
    if on_grid and all(abs(b - s) < 1e-6 for b, s in zip(blocks, job.plan.size, strict=True)):
        return factor
    return None


def _read_cost(
    box: tuple[float, ...], size: tuple[int, int], scale: float, *, exact: bool = False
) -> float:
    """Rough cost of resizing ``box`` (seen at ``scale``) to ``size``: pixels the filter reads.
    ``exact``: the size is the box reduced by a whole number (_reduce_factor), reduce() alone."""
    width, height = (box[2] - box[0]) * scale, (box[3] - box[1]) * scale
    # reduce() itself reads every pixel once, but far more cheaply than the LANCZOS passes.
    if exact:
        return width * height / 8
    reduce = max(1, int(min(width / size[0], height / size[1]) / REDUCING_GAP))
    return width * height / reduce**2 + (width * height / 8 if reduce > 1 else 0.0)


def _covers(tile: Job, job: Job) -> bool:
    # A crop that sticks out of the tile by under 1% (e.g. 1640x924 is not quite 16:9) is
    # trimmed to the tile; nobody can see that difference.
    slack_x = 0.01 * (job.box[2] - job.box[0])
    slack_y = 0.01 * (job.box[3] - job.box[1])
    return (
        job.box[0] >= tile.box[0] - slack_x
        and job.box[1] >= tile.box[1] - slack_y
        and job.box[2] <= tile.box[2] + slack_x
        and job.box[3] <= tile.box[3] + slack_y
        and tile.size[0] / (tile.box[2] - tile.box[0]) >= job.size[0] / (job.box[2] - job.box[0])
        and tile.size[1] / (tile.box[3] - tile.box[1]) >= job.size[1] / (job.box[3] - job.box[1])
    )


def box_within(
    box: tuple[float, ...], outer: tuple[float, ...], size: tuple[int, int]
) -> tuple[float, float, float, float]:
    """``box`` (decode coordinates) in the pixel coordinates of a tile made from ``outer``."""
    scale_x = size[0] / (outer[2] - outer[0])
    scale_y = size[1] / (outer[3] - outer[1])
    return (
        max(0.0, (box[0] - outer[0]) * scale_x),
        max(0.0, (box[1] - outer[1]) * scale_y),
        min(float(size[0]), (box[2] - outer[0]) * scale_x),
        min(float(size[1]), (box[3] - outer[1]) * scale_y),
    )
