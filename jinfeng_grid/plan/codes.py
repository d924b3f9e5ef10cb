"""Hierarchical unit codes, numbered west to east and north to south.

Chinese practice codes a grid as district + subdistrict + community + sequence
(e.g. ``640106`` + ``001`` + ``003`` + ``012``). Units are numbered in reading order
on the map: rows from north to south, and within a row from west to east. Rows are
bands of equal height, about as many bands as units per band, so that a roughly
square area is read like a page. A unit that did not change keeps its code; new
units take the next free numbers.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping
from typing import TypeVar

from jinfeng_grid.errors import InputDataError

__all__ = ["number_units", "reading_order"]

K = TypeVar("K", bound=Hashable)


def reading_order(centroids: Mapping[K, tuple[float, float]]) -> list[K]:
    """Units ordered north to south in bands, west to east within a band.

    ``centroids`` holds ``(x, y)`` in a projected CRS with y growing northwards.
    Ties are broken by the key, so the order is deterministic.
    """
    if not centroids:
        return []
    keys = sorted(centroids, key=str)
    ys = [centroids[key][1] for key in keys]
    top, bottom = max(ys), min(ys)
    bands = max(1, round(math.sqrt(len(keys))))
    height = (top - bottom) / bands or 1.0

    def band(key: K) -> int:
        return min(bands - 1, int((top - centroids[key][1]) / height))

    return sorted(keys, key=lambda key: (band(key), centroids[key][0], str(key)))


def number_units(
    centroids: Mapping[K, tuple[float, float]],
    *,
    prefix: str,
    width: int = 3,
    keep: Mapping[K, str] | None = None,
) -> dict[K, str]:
    """Give each unit a code ``prefix`` + a ``width``-digit sequence number.

    Parameters
    ----------
    centroids
        ``(x, y)`` of each unit in a projected CRS.
    prefix
        The parent's code (e.g. district + subdistrict for communities).
    width
        Digits of the sequence number.
    keep
        Codes that must be kept (units that did not change); they must start with
        ``prefix`` and be distinct. Other units get the free numbers in reading order.

    Raises
    ------
    InputDataError
        If kept codes repeat, do not start with ``prefix``, or the units outnumber
        the ``width``-digit sequence.
    """
    keep = dict(keep or {})
    stray = {key: code for key, code in keep.items() if key not in centroids}
    if stray:
        raise InputDataError(
            f"codes kept for units that are not numbered: {sorted(stray, key=str)}"
        )
    bad = sorted(
        (
            code
            for code in keep.values()
            if not (code.startswith(prefix) and len(code) == len(prefix) + width)
        ),
    )
    if bad:
        raise InputDataError(
            f"kept codes {', '.join(bad)} do not have the form {prefix} + {width} digits"
        )
    if len(set(keep.values())) != len(keep):
        raise InputDataError(f"kept codes repeat: {sorted(keep.values())}")
    capacity = 10**width - 1
    if len(centroids) > capacity:
        raise InputDataError(
            f"{len(centroids)} units under {prefix} do not fit {width}-digit codes "
            f"(at most {capacity})"
        )
    used = {int(code[len(prefix) :]) for code in keep.values()}
    free = (number for number in range(1, capacity + 1) if number not in used)
    codes = dict(keep)
    for key in reading_order(centroids):
        if key not in codes:
            codes[key] = f"{prefix}{next(free):0{width}d}"
    return {key: codes[key] for key in sorted(centroids, key=str)}
