"""The outline of a unit drawn from its members: the one closing rule of the project.

A unit (community, subdistrict, current community) is the union of its compounds;
the streets between neighbouring compounds are filled so that the unit reads as one
area. Compounds closer than the scenario's ``graph.gap_tolerance_m`` are neighbours
(:func:`jinfeng_grid.graph.build_adjacency`), so the street between neighbours is at
most that wide and is filled by a morphological closing (buffer out, then in, with
mitred corners) of half that distance: :func:`closing_distance`. The plan tables,
the maps and the 四至 all outline units with :func:`outline` and that distance.
"""

from __future__ import annotations

from collections.abc import Iterable

import shapely

from jinfeng_grid.config.options import GraphOptions
from jinfeng_grid.config.scenario import Scenario

__all__ = ["closing_distance", "outline"]


def closing_distance(scenario: Scenario | GraphOptions | float) -> float:
    """The closing distance of unit outlines: half the scenario's ``graph.gap_tolerance_m``.

    Compounds closer than the gap tolerance are neighbours, so the street between
    neighbours (at most the gap tolerance wide) is filled by a closing of half of it;
    wider gaps (arterial roads, rivers, parks) stay open.

    Parameters
    ----------
    scenario
        A scenario, its graph options, or the gap tolerance in metres.

    Returns
    -------
    float
        Metres (15 m for the default gap tolerance of 30 m).

    Examples
    --------
    >>> closing_distance(30.0)
    15.0
    """
    if isinstance(scenario, Scenario):
        scenario = scenario.graph
    gap = scenario.gap_tolerance_m if isinstance(scenario, GraphOptions) else scenario
    return float(gap) / 2


def outline(
    geometries: shapely.Geometry | Iterable[shapely.Geometry | None], *, closing_m: float
) -> shapely.Geometry:
    """The union of ``geometries`` with the streets narrower than ``2 * closing_m`` filled.

    A closing (buffer out by ``closing_m``, then in, mitred corners): the outer edge
    stays where the members end, so neighbouring units do not grow into each other.

    Parameters
    ----------
    geometries
        One geometry or the member geometries (``None`` members are skipped).
    closing_m
        Half the widest street filled: :func:`closing_distance` of the plan's scenario.
        ``0`` (or less) gives the plain union.

    Returns
    -------
    shapely.Geometry
        The outline; empty when there are no members.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> outline([box(0, 0, 10, 10), box(12, 0, 22, 10)], closing_m=1.5).area
    220.0
    """
    if isinstance(geometries, shapely.Geometry):
        geometries = [geometries]
    union = shapely.union_all([g for g in geometries if g is not None])
    if closing_m <= 0 or union.is_empty:
        return union
    return union.buffer(closing_m, join_style="mitre").buffer(-closing_m, join_style="mitre")
