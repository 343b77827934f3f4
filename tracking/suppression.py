"""The one suppression function: what leadership may see of one week's counts.

A week's release is a tree of sums: the week total, each asset's total, and each
(asset, preset) cell. Cells below k are hidden ("fewer than k"). Then, so that no
hidden number can be worked out from what is shown, more cells are hidden
("secondary" suppression) until every hidden number has at least two possible
values given everything published, including the bounds a reader knows: a
hidden small number is between 1 and k - 1 (rows exist only once counted) and
a secondary one is at least k.
"""

from collections.abc import Mapping
from dataclasses import dataclass

SHOWN, SMALL, SECONDARY = "", "small", "secondary"
_UNBOUNDED = 10**18


@dataclass(frozen=True)
class Shown:
    """One published number: `n` is None when hidden, and `hidden` says why."""

    n: int | None
    hidden: str = SHOWN


@dataclass(frozen=True)
class WeekRelease:
    total: Shown
    assets: dict[int, Shown]
    cells: dict[tuple[int, str], Shown]


def suppress(counts: Mapping[tuple[int, str], int], *, k: int) -> WeekRelease:
    """Publish one week of one kind: `counts` maps (asset id, preset) to a count >= 1."""
    keys: list = [None]
    values = [sum(counts.values())]
    parent = [-1]
    asset_node: dict[int, int] = {}
    for asset_id, preset in sorted(counts):
        if asset_id not in asset_node:
            asset_node[asset_id] = len(keys)
            keys.append(asset_id)
            values.append(0)
            parent.append(0)
        keys.append((asset_id, preset))
        values.append(counts[asset_id, preset])
        parent.append(asset_node[asset_id])
        values[asset_node[asset_id]] += counts[asset_id, preset]
    children: list[list[int]] = [[] for _ in values]
    for node, up in enumerate(parent[1:], start=1):
        children[up].append(node)

    hidden = [SMALL if value < k else SHOWN for value in values]
    while True:
        _hide_lone_unknowns(children, values, hidden)
        determined = _first_determined(children, values, hidden, k)
        if determined is None or not _hide_next_smallest(
            determined, parent, children, values, hidden
        ):
            break

    shown = [
        Shown(None, why) if why else Shown(value) for value, why in zip(values, hidden, strict=True)
    ]
    return WeekRelease(
        total=shown[0],
        assets={asset_id: shown[node] for asset_id, node in asset_node.items()},
        cells={key: shown[node] for node, key in enumerate(keys) if isinstance(key, tuple)},
    )


def _hide_lone_unknowns(children, values, hidden) -> None:
    """A sum with exactly one hidden term reveals it: hide the smallest other term."""
    changed = True
    while changed:
        changed = False
        for node, kids in enumerate(children):
            if not kids:
                continue
            group = [node, *kids]
            if sum(1 for member in group if hidden[member]) != 1:
                continue
            visible_kids = [kid for kid in kids if not hidden[kid]]
            pick = min(visible_kids, key=values.__getitem__) if visible_kids else node
            hidden[pick] = SECONDARY
            changed = True


def _first_determined(children, values, hidden, k) -> int | None:
    """The first hidden node whose value the published numbers pin down, if any.

    Exact for a tree of sums with interval bounds: each node's possible values
    form an interval, computed bottom-up from its subtree, then narrowed top-down
    by its parent's possible values minus its siblings' subtree intervals.
    """

    def bounds(node: int) -> tuple[int, int]:
        if hidden[node] == SMALL:
            return 0, k - 1
        if hidden[node] == SECONDARY:
            return k, _UNBOUNDED
        return values[node], values[node]

    subtree = [bounds(node) for node in range(len(values))]
    for node in reversed(range(len(values))):  # children always come after parents
        kids = children[node]
        if kids:
            low, high = subtree[node]
            subtree[node] = (
                max(low, sum(subtree[kid][0] for kid in kids)),
                min(high, sum(subtree[kid][1] for kid in kids)),
            )
    possible = list(subtree)
    for node, kids in enumerate(children):
        if not kids:
            continue
        kids_low = sum(subtree[kid][0] for kid in kids)
        kids_high = sum(subtree[kid][1] for kid in kids)
        low, high = possible[node]
        for kid in kids:
            others_low = kids_low - subtree[kid][0]
            others_high = kids_high - subtree[kid][1]
            possible[kid] = (
                max(subtree[kid][0], low - others_high),
                min(subtree[kid][1], high - others_low),
            )
    for node, (low, high) in enumerate(possible):
        if hidden[node] and low == high:
            return node
    return None


def _hide_next_smallest(node, parent, children, values, hidden) -> bool:
    """Widen what a pinned-down node could be: hide the nearest smallest visible number."""
    up = parent[node]
    near = [
        [kid for kid in children[up] if kid != node] if up >= 0 else [],
        children[node],
        [up] if up >= 0 else [],
        range(len(values)),
    ]
    for candidates in near:
        visible = [member for member in candidates if not hidden[member]]
        if visible:
            hidden[min(visible, key=values.__getitem__)] = SECONDARY
            return True
    return False
