"""The records of a plan: the district plan, each level's summary and subproblems.

Plain values, built by :mod:`jinfeng_grid.plan.levels` and
:mod:`jinfeng_grid.plan.district` and read by the tables, reports and the CLI.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import geopandas as gpd

from jinfeng_grid.config.scenario import Scenario
from jinfeng_grid.partition.spec import PartitionResult

__all__ = [
    "DistrictPlan",
    "LevelSummary",
    "PlanWarning",
    "Subproblem",
]


@dataclass(frozen=True)
class Subproblem:
    """How one partition subproblem of a level was solved."""

    level: str
    parent: str
    nodes: int
    parts: int
    households: int
    status: str
    objective: float | None
    bound: float | None
    gap: float | None
    seconds: float
    method: str

    def to_dict(self) -> dict[str, Any]:
        """Plain values for ``summary.json``."""
        return {name: getattr(self, name) for name in self.__dataclass_fields__}

    @classmethod
    def of(
        cls, level: str, parent: str, nodes: int, households: float, result: PartitionResult
    ) -> Subproblem:
        """The record of a solved subproblem from its partition result."""
        return cls(
            level,
            parent,
            nodes,
            len(set(result.assignment.values())),
            int(households),
            result.status,
            result.objective,
            result.bound,
            result.gap,
            round(result.seconds, 3),
            result.method,
        )


@dataclass(frozen=True)
class LevelSummary:
    """The units of one level, whether they meet the bounds, and how well they were solved.

    ``objective`` and ``bound`` add up the subproblems' objectives and proven lower
    bounds (the bound is None when some subproblem has none); ``gap`` is the relative
    gap of the sums; ``status`` is ``optimal`` only when every subproblem is.
    """

    level: str
    units: int
    within_bounds: int
    objective: float
    bound: float | None
    gap: float | None
    status: str
    seconds: float
    subproblems: tuple[Subproblem, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Plain values for ``summary.json``."""
        out = {name: getattr(self, name) for name in self.__dataclass_fields__}
        out["subproblems"] = [sub.to_dict() for sub in self.subproblems]
        return out

    def __repr__(self) -> str:
        gap = "no bound" if self.gap is None else f"gap {100 * self.gap:.1f}%"
        return (
            f"<LevelSummary {self.level}: {self.units} units, {self.within_bounds} within "
            f"bounds, {self.status} ({gap}), {self.seconds:.1f} s>"
        )


class PlanWarning(UserWarning):
    """A plan was made, but something in it needs a person's attention."""


@dataclass(frozen=True)
class DistrictPlan:
    """A plan of a district: every compound and building with its new units.

    Attributes
    ----------
    compounds
        The input compounds (every row, in input order) with ``subdistrict_id``,
        ``community_id``, ``community_name`` and, when no buildings were given,
        ``grid_ids`` (``;``-separated: a compound may hold several virtual grids).
    buildings
        The input buildings with ``grid_id``, or None.
    subdistricts, communities, grids
        One row per unit: id, name, parent ids, ``households``, ``population``,
        member counts, ``within_bounds``, ``oversize`` and dissolved geometry.
    levels
        ``community`` and ``grid`` :class:`LevelSummary`.
    notes
        Warnings for a person (oversize units, virtual grids, ...).
    scenario
        The scenario the plan was made with.
    """

    compounds: gpd.GeoDataFrame
    buildings: gpd.GeoDataFrame | None
    subdistricts: gpd.GeoDataFrame
    communities: gpd.GeoDataFrame
    grids: gpd.GeoDataFrame
    levels: Mapping[str, LevelSummary]
    scenario: Scenario
    notes: tuple[str, ...] = ()
    seconds: float = 0.0

    @property
    def status(self) -> str:
        """``optimal`` when every level is proven optimal, else ``feasible``."""
        ok = all(level.status == "optimal" for level in self.levels.values())
        return "optimal" if ok else "feasible"

    def __repr__(self) -> str:
        gaps = [level.gap for level in self.levels.values()]
        gap = (
            "no bound"
            if any(g is None for g in gaps)
            else f"gap {100 * max(g for g in gaps if g is not None):.1f}%"
        )
        return (
            f"<DistrictPlan {len(self.subdistricts)} subdistricts, {len(self.communities)} "
            f"communities, {len(self.grids)} grids, {len(self.compounds)} compounds, "
            f"{self.status} ({gap})>"
        )
