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
from typing import NamedTuple

SHOWN, SMALL, SECONDARY = "", "small", "secondary"
_UNBOUNDED = 10**18


class Shown(NamedTuple):
    """One published number: `n` is None when hidden, and `hidden` says why."""

    n: int | None
    hidden: str = SHOWN


_CODES = {SMALL: -1, SECONDARY: -2}
_FROM_CODE = {code: Shown(None, why) for why, code in _CODES.items()}
NEVER_COUNTED = Shown(None, SMALL)  # reads like a small number: tables never show which


@dataclass(frozen=True)
class WeekRelease:
    """One week of one kind as published. Plain ints inside (a hidden number is a
    negative code) so that a cached release loads fast."""

    week_total: int
    asset_totals: dict[int, int]
    preset_counts: dict[int, dict[str, int]]

    @property
    def total(self) -> Shown:
        return _shown(self.week_total)

    def asset(self, asset_id: int) -> Shown:
        code = self.asset_totals.get(asset_id)
        return NEVER_COUNTED if code is None else _shown(code)

    def cell(self, asset_id: int, preset: str) -> Shown:
        code = self.preset_counts.get(asset_id, {}).get(preset)
        return NEVER_COUNTED if code is None else _shown(code)


def _shown(code: int) -> Shown:
    return Shown(code) if code >= 0 else _FROM_CODE[code]


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
        _hide_lone_unknowns(parent, children, values, hidden)
        widened = set()
        for node in _pinned(parent, children, values, hidden, k):
            # One more hidden number per sum and pass: it may free its neighbours too.
            if parent[node] not in widened:
                widened.add(parent[node])
                if not _hide_next_smallest(node, parent, children, values, hidden):
                    widened.discard(parent[node])
        if not widened:
            break

    codes = [_CODES[why] if why else value for value, why in zip(values, hidden, strict=True)]
    preset_counts: dict[int, dict[str, int]] = {}
    for node, key in enumerate(keys):
        if isinstance(key, tuple):
            preset_counts.setdefault(key[0], {})[key[1]] = codes[node]
    return WeekRelease(
        week_total=codes[0],
        asset_totals={asset_id: codes[node] for asset_id, node in asset_node.items()},
        preset_counts=preset_counts,
    )


def _hide_lone_unknowns(parent, children, values, hidden) -> None:
    """A sum with exactly one hidden term reveals it: hide the smallest other term."""
    groups = {parent[node] for node, why in enumerate(hidden) if why and parent[node] >= 0}
    groups |= {node for node, why in enumerate(hidden) if why and children[node]}
    while groups:
        node = groups.pop()
        kids = children[node]
        if (hidden[node] != SHOWN) + sum(1 for kid in kids if hidden[kid]) != 1:
            continue
        visible_kids = [kid for kid in kids if not hidden[kid]]
        pick = min(visible_kids, key=values.__getitem__) if visible_kids else node
        hidden[pick] = SECONDARY
        groups.add(node)
        if children[pick]:
            groups.add(pick)
        if parent[pick] >= 0:
            groups.add(parent[pick])


def _pinned(parent, children, values, hidden, k) -> list[int]:
    """The hidden nodes whose value the published numbers pin down.

    Exact for a tree of sums with interval bounds: each node's possible values
    form an interval, computed bottom-up from its subtree, then narrowed top-down
    by its parent's possible values minus its siblings' subtree intervals. Only
    hidden nodes are visited; a shown node's interval is its value.
    """
    hidden_nodes = [node for node, why in enumerate(hidden) if why]
    hidden_kids: dict[int, list[int]] = {}
    for node in hidden_nodes:
        if parent[node] >= 0:
            hidden_kids.setdefault(parent[node], []).append(node)

    def kids_range(node: int) -> tuple[int, int]:
        # A parent's value is the sum of its children's, so the shown children add
        # up to the parent's value minus the hidden children's values.
        kids = hidden_kids.get(node, ())
        shown = values[node] - sum(values[kid] for kid in kids)
        return shown + sum(low[kid] for kid in kids), shown + sum(high[kid] for kid in kids)

    low: dict[int, int] = {}
    high: dict[int, int] = {}
    for node in reversed(hidden_nodes):  # children come after their parents
        low[node], high[node] = (0, k - 1) if hidden[node] == SMALL else (k, _UNBOUNDED)
        if children[node]:
            kids_low, kids_high = kids_range(node)
            low[node], high[node] = max(low[node], kids_low), min(high[node], kids_high)

    possible = {0: (low[0], high[0])} if hidden[0] else {}
    for node in sorted(hidden_kids):
        top_low, top_high = possible.get(node, (values[node], values[node]))
        kids_low, kids_high = kids_range(node)
        for kid in hidden_kids[node]:
            possible[kid] = (
                max(low[kid], top_low - (kids_high - high[kid])),
                min(high[kid], top_high - (kids_low - low[kid])),
            )
    return [node for node in hidden_nodes if possible[node][0] == possible[node][1]]


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
