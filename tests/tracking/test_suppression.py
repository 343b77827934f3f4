"""The suppression function, checked against a brute-force reader of its output."""

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from tracking.suppression import SECONDARY, SMALL, Shown, suppress

K = 5


def test_a_count_below_k_is_hidden_as_small():
    release = suppress({(1, ""): 4, (2, ""): 9, (3, ""): 7}, k=K)
    assert release.cell(1, "") == Shown(None, SMALL)


def test_a_lone_hidden_cell_takes_the_next_smallest_with_it():
    release = suppress({(1, ""): 3, (2, ""): 9, (3, ""): 7, (4, ""): 12}, k=K)
    assert release.total == Shown(31)
    assert release.asset(3) == Shown(None, SECONDARY)
    assert release.asset(2) == Shown(9) and release.asset(4) == Shown(12)


def test_a_week_below_k_shows_no_number_at_all():
    release = suppress({(1, ""): 2, (1, "x-header"): 1}, k=K)
    assert release.total.n is None
    assert release.cell(1, "").n is None and release.cell(1, "x-header").n is None


def test_an_empty_week_reads_as_small():
    assert suppress({}, k=K).total == Shown(None, SMALL)


def _possible_values(counts, release, k):
    """Every value each hidden number can take, given all that the release shows.

    A reader knows the shown numbers, that sums add up, that a "fewer than k"
    number is 0..k-1 and that a "hidden" one is at least k. The true table is one
    answer; any other answer differs by at most one in each number (the sums form
    a network matrix), so trying true - 1 .. true + 1 for each hidden cell finds
    a second value whenever one exists.
    """

    def allowed(shown: Shown, value: int) -> bool:
        if shown.n is not None:
            return value == shown.n
        return 0 <= value < k if shown.hidden == SMALL else value >= k

    hidden_cells = [key for key in counts if release.cell(*key).n is None]
    choices = [range(counts[key] - 1, counts[key] + 2) for key in hidden_cells]
    seen: dict[object, set[int]] = {}
    for guess in itertools.product(*choices):
        table = counts | dict(zip(hidden_cells, guess, strict=True))
        if not all(allowed(release.cell(*key), value) for key, value in table.items()):
            continue
        assets: dict[int, int] = {}
        for (asset_id, _), value in table.items():
            assets[asset_id] = assets.get(asset_id, 0) + value
        total = sum(table.values())
        if not allowed(release.total, total) or not all(
            allowed(release.asset(asset_id), value) for asset_id, value in assets.items()
        ):
            continue
        for key, value in [*table.items(), *assets.items(), ("total", total)]:
            seen.setdefault(key, set()).add(value)
    return seen


tables = st.dictionaries(
    keys=st.tuples(st.integers(1, 3), st.sampled_from(["", "linkedin-banner", "x-header"])),
    values=st.integers(1, 14),
    min_size=1,
    max_size=7,
)


@settings(max_examples=150, deadline=None)
@given(counts=tables)
def test_no_hidden_number_can_be_worked_out_from_what_is_shown(counts):
    release = suppress(counts, k=K)
    possible = _possible_values(counts, release, K)
    published = [
        *[(key, release.cell(*key)) for key in counts],
        *[(asset_id, release.asset(asset_id)) for asset_id, _ in counts],
        ("total", release.total),
    ]
    for key, shown in published:
        if shown.n is None:
            assert len(possible[key]) >= 2, f"{key} is pinned to {possible[key]}"
        else:
            assert shown.n >= K and possible[key] == {shown.n}


@settings(max_examples=50, deadline=None)
@given(counts=tables)
def test_every_count_below_k_is_hidden_and_every_shown_number_is_true(counts):
    release = suppress(counts, k=K)
    for key, value in counts.items():
        assert release.cell(*key).n in (None, value)
        if value < K:
            assert release.cell(*key) == Shown(None, SMALL)
