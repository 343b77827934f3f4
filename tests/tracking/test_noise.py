"""The release's guarantee, checked statistically with the padding attack applied.

A leader pads a cell with PAD counts of their own so that one honest count would
lift it over the threshold. Over many releases, the chance of every outcome may
differ between "with the honest count" and "without it" by at most e^epsilon.

Many releases at once: each artwork's numbers get independent noise, so a release
of SAMPLES identical artworks is SAMPLES independent draws of what one artwork
shows. (The week's total is the sum of the noisy artwork totals, so it tells
nothing more.) OpenDP draws from the system's secure randomness, which cannot be
seeded; the tolerance is six standard errors of each log ratio, so a correct
mechanism fails this test with a probability below one in ten million.
"""

import math
from collections import Counter

from tracking.suppression import noise_scale, noisy, release_kind

EPSILON, K, PAD, SAMPLES, MIN_BUCKET = 1.0, 5, 4, 40_000, 400
SIZE = "linkedin-banner"


def _outcomes(honest: int) -> Counter:
    counts = {(asset_id, SIZE): PAD + honest for asset_id in range(SAMPLES)}
    release = release_kind(counts, assets=range(SAMPLES), sizes=["", SIZE], epsilon=EPSILON, k=K)
    return Counter(
        (release.assets.get(asset_id), release.sizes.get(asset_id, {}).get(SIZE))
        for asset_id in range(SAMPLES)
    )


def test_one_honest_count_changes_any_outcome_by_at_most_e_to_the_epsilon_despite_padding():
    without, with_count = _outcomes(0), _outcomes(1)
    ratios = []
    for outcome in without.keys() & with_count.keys():
        a, b = without[outcome], with_count[outcome]
        if min(a, b) < MIN_BUCKET:
            continue
        log_ratio = abs(math.log(b / a))
        tolerance = 6 * math.sqrt(1 / a + 1 / b)
        assert log_ratio <= EPSILON + tolerance, (outcome, a, b)
        ratios.append(log_ratio)
    assert len(ratios) >= 10, "too few outcomes to judge"
    # And the noise is not larger than it needs to be: some outcome comes close to the bound.
    assert max(ratios) > EPSILON - 0.25


def test_opendp_accounts_one_count_as_half_the_budget_per_measurement():
    assert noise_scale(EPSILON) == 2.0
    values = noisy([100] * 2000, epsilon=EPSILON)
    assert all(isinstance(value, int) for value in values)  # discrete noise, no floats
    assert len(set(values)) > 5 and abs(sum(values) / len(values) - 100) < 1


def test_only_the_fixed_domain_is_released_and_only_at_or_above_k():
    counts = {(1, ""): 500, (2, ""): 1, (99, ""): 500}
    release = release_kind(counts, assets=[1, 2, 3], sizes=[""], epsilon=EPSILON, k=K)
    assert set(release.assets) <= {1, 2, 3} and 99 not in release.assets
    assert all(value >= K for value in release.assets.values())
    assert 1 in release.assets and release.sizes == {}
    assert release.week is None or release.week >= K
