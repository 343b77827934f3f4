"""Print, from OpenDP, what each weekly bound per person costs in noise and in privacy.

Every figure is OpenDP's own: the noise scale is the least its binary search finds
for the weekly target, and each ε is its privacy map (composed over 52 weeks for the
year, and for the Gaussian turned from zCDP into (ε, δ) at DELTA).
"""

import math

from django.conf import settings
from django.core.management.base import BaseCommand

from tracking.services import preset_slugs
from tracking.suppression import LEVELS, YEAR, calibration, noise_sd

BOUNDS = "1,2,3,4,6,8,12,16,24"
DELTA = 1e-6
ARTWORKS = 50  # an example week's number of artworks, for the noise of its total


def _gaussian(scale: float, *, weeks: int = 1):
    import opendp.prelude as dp

    dp.enable_features("contrib")
    space = dp.vector_domain(dp.atom_domain(T=int)), dp.l2_distance(T=float)
    week = space >> dp.m.then_gaussian(scale=scale)
    zcdp = week if weeks == 1 else dp.c.make_composition([week] * weeks)
    return dp.c.make_fix_delta(dp.c.make_zCDP_to_approxDP(zcdp), delta=DELTA)


def _laplace(scale: float, *, weeks: int = 1):
    import opendp.prelude as dp

    dp.enable_features("contrib")
    space = dp.vector_domain(dp.atom_domain(T=int)), dp.l1_distance(T=int)
    week = space >> dp.m.then_laplace(scale=scale)
    return week if weeks == 1 else dp.c.make_composition([week] * weeks)


def _rows(bound: int, epsilon: float):
    """(mechanism, what one person moves, noise sd per number, ε a week, ε a year, measured
    every level), for each mechanism."""
    import opendp.prelude as dp

    chosen = calibration(bound=bound, epsilon=epsilon)
    yield (
        "**discrete Laplace, every level (used)**",
        f"L1 = {LEVELS}·B = {LEVELS * bound}",
        chosen.noise_sd,
        chosen.epsilon,
        chosen.year_epsilon,
        True,
    )
    # The same hierarchy with Gaussian noise: B counts in one cell move three numbers
    # by B each; and sizes alone, if every count went to a different cell.
    gaussians = [
        ("discrete Gaussian, every level", f"L2 = √{LEVELS}·B", math.sqrt(LEVELS) * bound),
        ("discrete Gaussian, sizes only, one count a cell", "L2 = √B", math.sqrt(bound)),
    ]
    for mechanism, moved, d_in in gaussians:
        scale = dp.binary_search_param(_gaussian, d_in=d_in, d_out=(epsilon, DELTA))
        week, year = _gaussian(scale).map(d_in), _gaussian(scale, weeks=YEAR).map(d_in)
        # A discrete Gaussian's standard deviation is its scale, to well under 1% from 1 up.
        yield mechanism, f"{moved} = {d_in:.2f}", scale, week[0], year[0], "every" in mechanism
    scale = dp.binary_search_param(_laplace, d_in=bound, d_out=epsilon)
    yield (
        "discrete Laplace, sizes only",
        f"L1 = B = {bound}",
        noise_sd(scale),
        _laplace(scale).map(bound),
        _laplace(scale, weeks=YEAR).map(bound),
        False,
    )


class Command(BaseCommand):
    help = "Print the trade-off between counts per person a week, noise and ε, from OpenDP."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--bounds", default=BOUNDS, help=f"Values of B (default: {BOUNDS}).")
        parser.add_argument(
            "--epsilon",
            type=float,
            default=settings.TRACKING_EPSILON,
            help="The target per person per week (default: TRACKING_EPSILON).",
        )

    def handle(self, *args, bounds: str, epsilon: float, **options) -> None:
        sizes = len(preset_slugs()) + 1  # and the original
        self.stdout.write(
            f"Weekly target ε = {epsilon} per person; Gaussian rows at δ = {DELTA:g} "
            f"(a week and a year). B in use: {settings.TRACKING_WEEKLY_TOKENS}. An artwork "
            f"has {sizes} sizes; the week's total is shown for {ARTWORKS} artworks.\n"
        )
        self.stdout.write(
            "| B | mechanism | one person moves | noise sd: a size | an artwork's total "
            f"| the week's total | ε per week | ε per year ({YEAR} weeks) |"
        )
        self.stdout.write("|---:|---|---|---:|---:|---:|---:|---:|")
        for bound in (int(value) for value in bounds.split(",")):
            for mechanism, moved, sd, week, year, every_level in _rows(bound, epsilon):
                # Measured at every level, each total has its own noise (least squares
                # only lowers it); from sizes alone, a total adds up its parts' noise.
                artwork = sd if every_level else sd * math.sqrt(sizes)
                total = sd if every_level else sd * math.sqrt(sizes * ARTWORKS)
                self.stdout.write(
                    f"| {bound} | {mechanism} | {moved} | {sd:.1f} | {artwork:.1f} | "
                    f"{total:.1f} | {week:.2f} | {year:.1f} |"
                )
