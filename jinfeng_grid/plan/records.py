"""The records of a plan: each level's summary and subproblems, and the plan warning.

Plain values, built by :mod:`jinfeng_grid.plan.levels` and
:mod:`jinfeng_grid.plan.district` and read by the tables, reports and the CLI.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from jinfeng_grid.partition.spec import PartitionResult

__all__ = [
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
    def from_dict(cls, data: Mapping[str, Any]) -> Subproblem:
        """The record :meth:`to_dict` wrote (unknown keys are ignored)."""
        return cls(**{name: data.get(name) for name in cls.__dataclass_fields__})

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

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> LevelSummary:
        """The summary :meth:`to_dict` wrote (unknown keys are ignored)."""
        values = {name: data.get(name) for name in cls.__dataclass_fields__}
        values["subproblems"] = tuple(
            Subproblem.from_dict(sub) for sub in data.get("subproblems") or ()
        )
        return cls(**values)

    def __repr__(self) -> str:
        gap = "no bound" if self.gap is None else f"gap {100 * self.gap:.1f}%"
        return (
            f"<LevelSummary {self.level}: {self.units} units, {self.within_bounds} within "
            f"bounds, {self.status} ({gap}), {self.seconds:.1f} s>"
        )


class PlanWarning(UserWarning):
    """A plan was made, but something in it needs a person's attention."""
