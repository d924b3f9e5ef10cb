"""How many units each parent gets: communities per subdistrict, grids per community.

A parent of weight ``w`` (households) split into ``k`` parts, each within
``[low, high]``, needs ``ceil(w / high) <= k <= floor(w / low)``; these bounds are
necessary (not sufficient: contiguity and indivisible compounds may need more).
Within them, counts are either set from a target size (``round(w / target)``) or a
district total is apportioned: starting from the current counts (or the least
allowed), each further unit goes to the parent whose units are largest on average,
i.e. where the caps are most exceeded; surplus units are taken back from the parents
whose units are smallest. Ties go to the parent first in sorted order, so the result
is deterministic.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping
from typing import TypeVar

from jinfeng_grid.errors import InfeasibleSpecError

__all__ = ["count_range", "counts_for_target", "counts_for_total"]

K = TypeVar("K", bound=Hashable)


def count_range(weight: float, *, low: float, high: float) -> tuple[int, int]:
    """The counts of parts within ``[low, high]`` that a weight allows, as ``(least, most)``.

    ``least > most`` means no count works (e.g. 700 households with parts of 400-500).
    A weight of 0 allows 0 parts.
    """
    if weight <= 0:
        return (0, 0)
    least = max(1, math.ceil(weight / high - 1e-9))
    most = math.floor(weight / low + 1e-9) if low > 0 else math.inf
    return (least, int(most) if most != math.inf else 10**9)


def _ranges(
    weights: Mapping[K, float], *, low: float, high: float, unit: str
) -> dict[K, tuple[int, int]]:
    ranges = {
        key: count_range(weights[key], low=low, high=high) for key in sorted(weights, key=str)
    }
    impossible = [key for key, (least, most) in ranges.items() if least > most]
    if impossible:
        listed = "; ".join(
            f"{key}: {weights[key]:,.0f} households needs at least {ranges[key][0]} and at "
            f"most {ranges[key][1]} {unit}s"
            for key in impossible
        )
        raise InfeasibleSpecError(
            f"no number of {unit}s of {low:,.0f}-{high:,.0f} households fits: {listed}; "
            f"widen the {unit} bounds"
        )
    return ranges


def counts_for_target(
    weights: Mapping[K, float], *, target: float, low: float, high: float, unit: str = "unit"
) -> dict[K, int]:
    """Counts from a target size: ``round(w / target)`` clipped to what the bounds allow.

    Raises
    ------
    InfeasibleSpecError
        When some parent allows no count within the bounds (named, with its weight).
    """
    ranges = _ranges(weights, low=low, high=high, unit=unit)
    counts = {}
    for key, (least, most) in ranges.items():
        wanted = math.floor(weights[key] / target + 0.5) if weights[key] > 0 else 0
        counts[key] = min(max(wanted, least), most)
    return counts


def counts_for_total(
    weights: Mapping[K, float],
    total: int,
    *,
    low: float,
    high: float,
    current: Mapping[K, int] | None = None,
    unit: str = "unit",
) -> dict[K, int]:
    """Apportion exactly ``total`` units, adding them where units are largest on average.

    Parameters
    ----------
    weights
        Weight (households) of each parent.
    total
        The number of units to reach across all parents.
    low, high
        Bounds on a unit's weight.
    current
        Current counts to start from (the reform adds to them); parents missing here
        start from the least count allowed.
    unit
        The unit's name in messages (``community``, ``grid``).

    Raises
    ------
    InfeasibleSpecError
        When ``total`` lies outside the sum of the least and most counts allowed.
    """
    ranges = _ranges(weights, low=low, high=high, unit=unit)
    least_total = sum(least for least, _ in ranges.values())
    most_total = sum(most for _, most in ranges.values())
    if not least_total <= total <= most_total:
        raise InfeasibleSpecError(
            f"{total} {unit}s of {low:,.0f}-{high:,.0f} households cannot be apportioned: the "
            f"bounds allow between {least_total} and {most_total} in all; ask for a total in "
            "that range or widen the bounds"
        )
    current = current or {}
    counts = {
        key: min(max(int(current.get(key, least)), least), most)
        for key, (least, most) in ranges.items()
    }
    while sum(counts.values()) < total:
        growable = [key for key in counts if counts[key] < ranges[key][1]]
        key = max(growable, key=lambda k: (weights[k] / max(counts[k], 1), -_rank(counts, k)))
        counts[key] += 1
    while sum(counts.values()) > total:
        shrinkable = [key for key in counts if counts[key] > ranges[key][0]]
        key = min(shrinkable, key=lambda k: (weights[k] / max(counts[k] - 1, 1), _rank(counts, k)))
        counts[key] -= 1
    return counts


def _rank(counts: Mapping[K, int], key: K) -> int:
    return list(counts).index(key)
