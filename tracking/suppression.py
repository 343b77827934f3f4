"""The one suppression function: what leadership may see of one closed week.

One person adds at most `bound` counts a week, each to one finest cell (an
artwork's size for downloads, an artwork for "in use"). Every number of each kind's
hierarchy is measured: each finest cell, each artwork's total and the week's total,
all in one vector with discrete Laplace noise from OpenDP. A download count moves
three numbers of that vector by one and an "in use" count two, so one person moves
it by at most LEVELS * bound in L1, wherever they put their counts; the scale is the
smallest for which OpenDP's own privacy map gives epsilon at that distance.

What follows is post-processing, which costs no privacy: least squares over each
hierarchy (as the US Census TopDown algorithm does), so that every total is the sum
of its parts; whole numbers of at least zero that still add up exactly; and last
the threshold k. A number below k is hidden, and since no part is below zero, the
parts of a hidden total are hidden too. A shown total minus its shown parts is the
sum of its hidden parts.
"""

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache

LEVELS = 3  # a download adds one to its size, its artwork's total and the week's total
YEAR = 52  # weeks composed for the privacy loss of a year


def _laplace(scale: float):
    # Imported here: only the release and the policy page need OpenDP, not every page.
    import opendp.prelude as dp

    dp.enable_features("contrib")
    space = dp.vector_domain(dp.atom_domain(T=int)), dp.l1_distance(T=int)
    return space >> dp.m.then_laplace(scale=scale)


def person_epsilon(*, bound: int, scale: float, weeks: int = 1) -> float:
    """OpenDP's privacy loss of a person who adds `bound` counts in each of `weeks` releases."""
    import opendp.prelude as dp

    week = _laplace(scale)
    measurement = week if weeks == 1 else dp.c.make_composition([week] * weeks)
    return measurement.map(LEVELS * bound)


def noise_sd(scale: float) -> float:
    """The standard deviation of discrete Laplace noise of this scale."""
    decay = math.exp(-1 / scale)
    return math.sqrt(2 * decay) / (1 - decay)


@dataclass(frozen=True)
class Calibration:
    bound: int  # counts one person may add a week
    scale: float  # of the noise on every measured number
    epsilon: float  # a person who adds all `bound` counts in one week, from OpenDP
    count_epsilon: float  # one count, from OpenDP

    @property
    def noise_sd(self) -> float:
        return noise_sd(self.scale)

    @property
    def year_epsilon(self) -> float:
        return person_epsilon(bound=self.bound, scale=self.scale, weeks=YEAR)


@cache
def calibration(*, bound: int, epsilon: float) -> Calibration:
    """The least noise for which a person's `bound` counts a week cost at most `epsilon`."""
    import opendp.prelude as dp

    scale = dp.binary_search_param(_laplace, d_in=LEVELS * bound, d_out=epsilon)
    return Calibration(
        bound=bound,
        scale=scale,
        epsilon=person_epsilon(bound=bound, scale=scale),
        count_epsilon=person_epsilon(bound=1, scale=scale),
    )


def noisy(values: list[int], *, scale: float) -> list[int]:
    """Each value plus independent discrete Laplace noise: one measurement."""
    return list(_laplace(scale)(values)) if values else []


@dataclass
class _Node:
    noisy: int
    children: list["_Node"] = field(default_factory=list)
    estimate: float = 0.0  # from this node's own number and its subtree's
    variance: float = 1.0  # of `estimate`, in units of the noise's variance
    value: int = 0  # as published, before the threshold

    def fit(self) -> None:
        """Bottom-up: weigh this node's number against the sum of its children's."""
        if not self.children:
            self.estimate = self.noisy
            return
        for child in self.children:
            child.fit()
        parts = sum(child.estimate for child in self.children)
        spread = sum(child.variance for child in self.children)
        self.estimate = (self.noisy * spread + parts) / (spread + 1)
        self.variance = spread / (spread + 1)

    def settle(self, value: int) -> None:
        """Top-down: share `value` among the children, each by how unsure its estimate is."""
        self.value = value
        if not self.children:
            return
        gap = value - sum(child.estimate for child in self.children)
        spread = sum(child.variance for child in self.children)
        targets = [child.estimate + gap * child.variance / spread for child in self.children]
        for child, part in zip(self.children, _apportion(value, targets), strict=True):
            child.settle(part)


def _apportion(total: int, targets: list[float]) -> list[int]:
    """Whole numbers of at least zero that add up to `total`, as near to `targets` as can be."""
    if total == 0:
        return [0] * len(targets)
    # The nearest point with no part below zero: lower every target by one amount,
    # clipping at zero (projection onto the simplex, Duchi et al. 2008).
    running, shift = 0.0, 0.0
    for rank, target in enumerate(sorted(targets, reverse=True), start=1):
        running += target
        if target > (running - total) / rank:
            shift = (running - total) / rank
    shares = [max(target - shift, 0.0) for target in targets]
    # Then round down, and round up the largest fractions until the parts add up.
    whole = [math.floor(share) for share in shares]
    largest_fractions = sorted(range(len(shares)), key=lambda i: whole[i] - shares[i])
    for i in largest_fractions[: total - sum(whole)]:
        whole[i] += 1
    return whole


@dataclass(frozen=True)
class KindRelease:
    week: int | None
    assets: dict[int, int]
    sizes: dict[int, dict[str, int]]


def measured_numbers(
    counts: Mapping[tuple[str, int, str], int],
    *,
    assets: list[int],
    sizes: Mapping[str, list[str]],
) -> list[int]:
    """The true numbers one release measures, in order: per kind, the week's total,
    each artwork's total, then (unless the kind's sizes are only [""]) each cell."""
    numbers = []
    for kind, domain in sizes.items():
        cells = [[counts.get((kind, asset_id, size), 0) for size in domain] for asset_id in assets]
        per_asset = [sum(row) for row in cells]
        numbers += [sum(per_asset), *per_asset]
        if domain != [""]:
            numbers += [n for row in cells for n in row]
    return numbers


def release_week(
    counts: Mapping[tuple[str, int, str], int],
    *,
    assets: Iterable[int],
    sizes: Mapping[str, Iterable[str]],
    scale: float,
    k: int,
) -> dict[str, KindRelease]:
    """Publish one week of every kind in one measurement.

    `counts` maps (kind, asset id, size) to a true count. `assets` and each kind's
    `sizes` are the whole domain, fixed before looking at the counts, so that which
    numbers exist in the release does not depend on who counted; counts outside it
    are dropped. A kind whose sizes are only [""] is counted per artwork.
    """
    assets = sorted(set(assets))
    domains = {kind: sorted(set(kind_sizes)) for kind, kind_sizes in sizes.items()}
    true = measured_numbers(counts, assets=assets, sizes=domains)
    measured = iter(noisy(true, scale=scale))
    released = {}
    for kind, domain in domains.items():
        week = _Node(next(measured))
        week.children = [_Node(next(measured)) for _ in assets]
        if domain != [""]:
            for artwork in week.children:
                artwork.children = [_Node(next(measured)) for _ in domain]
        week.fit()
        week.settle(max(0, round(week.estimate)))
        released[kind] = KindRelease(
            week=week.value if week.value >= k else None,
            assets={
                asset_id: artwork.value
                for asset_id, artwork in zip(assets, week.children, strict=True)
                if artwork.value >= k
            },
            sizes=_shown_sizes(assets, domain, week, k) if domain != [""] else {},
        )
    return released


def _shown_sizes(assets: list[int], domain: list[str], week: _Node, k: int):
    sizes = {}
    for asset_id, artwork in zip(assets, week.children, strict=True):
        cells = zip(domain, artwork.children, strict=True)
        if shown := {size: cell.value for size, cell in cells if cell.value >= k}:
            sizes[asset_id] = shown
    return sizes
