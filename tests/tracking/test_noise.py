"""The release's guarantee per person, checked with OpenDP and statistically, padding applied.

A person adds all B of their week's counts to one cell, which a leader has padded
with PAD counts of their own so that the person's counts would lift it over the
threshold. Over many draws, the chance of every outcome may differ between "with
the person" and "without them" by at most e^epsilon.

OpenDP draws from the system's secure randomness, which cannot be seeded; each
tolerance is six standard errors of a log ratio, so a correct mechanism fails
these tests with a probability below one in ten million.
"""

import io
import math
import random
from collections import Counter

import opendp.prelude as dp
from django.conf import settings
from django.core.management import call_command

from tracking.suppression import (
    LEVELS,
    calibration,
    measured_numbers,
    noisy,
    release_week,
)

EPSILON, K, SAMPLES, MIN_BUCKET = 1.0, 5, 40_000, 400
B = 6
PAD = K - 1
SIZE = "linkedin-banner"
SIZES = {"download": ["", SIZE, "x-header"], "using": [""]}
NOISE = calibration(bound=B, epsilon=EPSILON)


def _person_moves(cells: list[tuple[str, int, str]], assets: list[int]) -> int:
    """How far, in L1, one person's counts in `cells` move the numbers a release measures."""
    padded = {(kind, asset_id, size): PAD for kind, asset_id, size in cells}
    with_person = Counter(padded)
    with_person.update(cells)
    before = measured_numbers(padded, assets=assets, sizes=SIZES)
    after = measured_numbers(with_person, assets=assets, sizes=SIZES)
    return sum(abs(a - b) for a, b in zip(before, after, strict=True))


def test_opendp_gives_at_most_epsilon_for_a_person_who_spends_every_count_anywhere():
    space = dp.vector_domain(dp.atom_domain(T=int)), dp.l1_distance(T=int)
    measurement = space >> dp.m.then_laplace(scale=NOISE.scale)
    cells = [
        (kind, asset_id, size)
        for kind, sizes in SIZES.items()
        for asset_id in (1, 2)
        for size in sizes
    ]
    for _ in range(200):
        spent = random.choices(cells, k=B)  # any cells, the same one several times too
        assert measurement.map(_person_moves(spent, assets=[1, 2])) <= EPSILON
    worst = _person_moves([("download", 1, SIZE)] * B, assets=[1, 2])
    assert worst == LEVELS * B
    assert measurement.map(worst) <= EPSILON < measurement.map(worst + 1)
    assert NOISE.epsilon == measurement.map(worst)


def test_the_settings_calibration_costs_a_person_at_most_one_a_week_by_opendp():
    noise = calibration(bound=settings.TRACKING_WEEKLY_TOKENS, epsilon=settings.TRACKING_EPSILON)
    space = dp.vector_domain(dp.atom_domain(T=int)), dp.l1_distance(T=int)
    measurement = space >> dp.m.then_laplace(scale=noise.scale)
    assert measurement.map(LEVELS * settings.TRACKING_WEEKLY_TOKENS) <= 1.0
    year = dp.c.make_composition([measurement] * 52)
    assert noise.year_epsilon == year.map(LEVELS * settings.TRACKING_WEEKLY_TOKENS)


def test_the_three_numbers_a_person_moves_differ_by_e_to_the_epsilon_and_no_more_noise():
    # The outcome "each of the three numbers is at least PAD + B" has, for discrete
    # Laplace, exactly e^(B/scale) more chance per number with the person than without.
    def hits(person: int) -> int:
        values = noisy([PAD + person] * (3 * SAMPLES), scale=NOISE.scale)
        triples = zip(values[0::3], values[1::3], values[2::3], strict=True)
        return sum(all(value >= PAD + B for value in triple) for triple in triples)

    without, with_person = hits(0), hits(B)
    log_ratio = math.log(with_person / without)
    tolerance = 6 * math.sqrt(1 / without + 1 / with_person)
    assert abs(log_ratio - EPSILON) <= tolerance, (without, with_person)


def _outcomes(person: int) -> Counter:
    # Many artworks in one release: the week's total is measured far more precisely
    # than the sum of 40,000 artworks, so each artwork's numbers are its own draw.
    # Outcomes are what a reader sees of the artwork and its padded size, in steps of 5.
    artworks = range(SAMPLES)
    counts = {("download", asset_id, SIZE): PAD + person for asset_id in artworks}
    sizes = {"download": [SIZE]}
    released = release_week(counts, assets=artworks, sizes=sizes, scale=NOISE.scale, k=K)
    downloads = released["download"]
    return Counter(
        (
            downloads.assets.get(asset_id, -5) // 5,
            downloads.sizes.get(asset_id, {}).get(SIZE, -5) // 5,
        )
        for asset_id in artworks
    )


def test_a_person_changes_any_published_outcome_by_at_most_e_to_the_epsilon_despite_padding():
    without, with_person = _outcomes(0), _outcomes(B)
    compared = 0
    for outcome in without.keys() & with_person.keys():
        a, b = without[outcome], with_person[outcome]
        if min(a, b) < MIN_BUCKET:
            continue
        tolerance = 6 * math.sqrt(1 / a + 1 / b)
        assert abs(math.log(b / a)) <= EPSILON + tolerance, (outcome, a, b)
        compared += 1
    assert compared >= 5, "too few outcomes to judge"


def test_every_total_is_the_sum_of_its_parts_and_no_part_is_shown_under_a_hidden_total():
    assets = list(range(30))
    for _ in range(20):
        counts = {
            (kind, asset_id, size): random.choice([0, 0, 0, 1, 3, 8, 40, 200])
            for kind, sizes in SIZES.items()
            for asset_id in assets
            for size in sizes
        }
        released = release_week(counts, assets=assets, sizes=SIZES, scale=NOISE.scale, k=K)
        for kind, of_kind in released.items():
            shown = list(of_kind.assets.values())
            assert all(n >= K for n in shown)
            assert of_kind.week is not None or not shown
            assert sum(shown) <= (of_kind.week or 0)
            for asset_id, sizes in of_kind.sizes.items():
                assert kind == "download" and all(n >= K for n in sizes.values())
                assert sum(sizes.values()) <= of_kind.assets[asset_id], "hidden total, shown part"


def test_a_large_count_comes_back_within_its_noise_and_small_ones_are_hidden():
    counts = {("download", 1, ""): 500, ("download", 2, ""): 1, ("download", 99, ""): 500}
    released = release_week(counts, assets=[1, 2, 3], sizes=SIZES, scale=NOISE.scale, k=K)
    downloads = released["download"]
    assert set(downloads.assets) <= {1, 2, 3} and 99 not in downloads.assets
    assert abs(downloads.assets[1] - 500) < 6 * NOISE.noise_sd
    assert all(value >= K for value in downloads.assets.values())
    assert all(isinstance(value, int) for value in downloads.assets.values())


def test_the_tradeoff_command_prints_opendps_row_for_each_bound():
    out = io.StringIO()
    call_command("privacy_tradeoffs", "--bounds", "2,6", stdout=out)
    rows = [line for line in out.getvalue().splitlines() if line.startswith("| 6 |")]
    assert len(rows) == 4, "Laplace and Gaussian, on every level and on sizes only"
    used = next(row for row in rows if "(used)" in row)
    noise = calibration(bound=6, epsilon=settings.TRACKING_EPSILON)
    assert f"| {noise.noise_sd:.1f} |" in used
    assert used.endswith(f"| {noise.epsilon:.2f} | {noise.year_epsilon:.1f} |")
