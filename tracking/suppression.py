"""The one suppression function: what leadership may see of one closed week.

Every published number is a true count plus calibrated discrete Laplace noise
from OpenDP, and then only noisy numbers at or above k are shown. Per kind there
are two measurements, each with half of the privacy budget: every artwork's
total, and (for downloads) every artwork's number per size. One count moves each
by exactly one, so adding or removing one count changes the probability of any
release by at most a factor e^epsilon, whatever anyone else adds. The week's total
is the sum of the noisy artwork totals, which costs nothing more.

Padding (sending many counts yourself to lift a hidden cell over k) no longer
tells anything: the noise, not the threshold, hides one person's count.
"""

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

MEASUREMENTS = 2  # artwork totals and sizes: each count is seen by both


@functools.cache
def _measurement(scale: float):
    # Imported here: only the weekly release needs OpenDP, not every process that shows pages.
    import opendp.prelude as dp

    dp.enable_features("contrib")
    space = dp.vector_domain(dp.atom_domain(T=int)), dp.l1_distance(T=int)
    return space >> dp.m.then_laplace(scale=scale)


def noise_scale(epsilon: float) -> float:
    """The noise of each measurement so that one count costs `epsilon` in all."""
    return MEASUREMENTS / epsilon


def noisy(values: list[int], *, epsilon: float) -> list[int]:
    """Each value plus independent discrete Laplace noise, for one measurement."""
    if not values:
        return []
    measurement = _measurement(noise_scale(epsilon))
    # OpenDP's own accounting: one count moves the vector by one in L1.
    if measurement.map(1) > epsilon / MEASUREMENTS * (1 + 1e-9):
        raise RuntimeError("the noise is too small for the privacy budget")
    return list(measurement(values))


@dataclass(frozen=True)
class KindRelease:
    week: int | None
    assets: dict[int, int]
    sizes: dict[int, dict[str, int]]


def release_kind(
    counts: Mapping[tuple[int, str], int],
    *,
    assets: Iterable[int],
    sizes: Iterable[str],
    epsilon: float,
    k: int,
) -> KindRelease:
    """Publish one kind of one week.

    `counts` maps (asset id, size) to a true count; `assets` and `sizes` are the
    whole domain, fixed before looking at the counts, so that which numbers exist
    in the release does not depend on who counted. Counts outside it are dropped.
    """
    assets, sizes = sorted(set(assets)), sorted(set(sizes))
    totals = {asset_id: 0 for asset_id in assets}
    for (asset_id, _), n in counts.items():
        if asset_id in totals:
            totals[asset_id] += n
    noisy_totals = noisy(list(totals.values()), epsilon=epsilon)
    week = max(0, sum(noisy_totals))
    shown_sizes: dict[int, dict[str, int]] = {}
    if sizes != [""]:
        cells = [(asset_id, size) for asset_id in assets for size in sizes]
        values = noisy([counts.get(cell, 0) for cell in cells], epsilon=epsilon)
        for (asset_id, size), value in zip(cells, values, strict=True):
            if value >= k:
                shown_sizes.setdefault(asset_id, {})[size] = value
    return KindRelease(
        week=week if week >= k else None,
        assets={
            asset_id: value
            for asset_id, value in zip(totals, noisy_totals, strict=True)
            if value >= k
        },
        sizes=shown_sizes,
    )
