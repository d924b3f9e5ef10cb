"""The checked tables of a scenario: unit bounds and solver, graph, objective, report options.

Each table of a scenario file is a frozen dataclass that checks its values in
``__post_init__`` (:class:`UnitBounds` for ``[community]``, ``[grid]`` and
``[subdistrict]``; :class:`SolverOptions`, :class:`GraphOptions`,
:class:`ObjectiveOptions`, :class:`ReportOptions`). The defaults come from the shipped
standards (:mod:`jinfeng_grid.standards`) or are project choices documented here,
including the defaults of the compound adjacency graph that :mod:`jinfeng_grid.graph`
uses.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from jinfeng_grid.errors import ConfigError
from jinfeng_grid.standards import standard

__all__ = [
    "DEFAULT_BARRIER_GAP_M",
    "DEFAULT_GAP_TOLERANCE_M",
    "SOLVERS",
    "GraphOptions",
    "ObjectiveOptions",
    "ReportOptions",
    "SolverOptions",
    "UnitBounds",
]

#: Solvers the planning core can run (see ``jinfeng_grid.partition.solver.SOLVERS``).
SOLVERS: tuple[str, ...] = ("highs", "cbc")

_COMMUNITY_STANDARD = standard("community_households")
_GRID_STANDARD = standard("grid_households")

#: Hard household bounds of a community: a project choice around the Ningxia norm of
#: about 3,000 households (宁党办〔2011〕31号 as cited by the 2020 Jinfeng report; the
#: text was not found). For comparison, Hebei asks for 1,500-3,000 (冀办发〔2011〕20号).
COMMUNITY_MIN_HOUSEHOLDS = 2000
COMMUNITY_MAX_HOUSEHOLDS = 4000
#: Target households of a community: the Ningxia norm.
COMMUNITY_TARGET_HOUSEHOLDS = int(_COMMUNITY_STANDARD.value)
#: Household bounds of a grid (one grid worker each): Ningxia three-year plan, Dec 2022.
GRID_MIN_HOUSEHOLDS = int(_GRID_STANDARD.minimum)
GRID_MAX_HOUSEHOLDS = int(_GRID_STANDARD.maximum)
#: Target households of a grid: the middle of the range.
GRID_TARGET_HOUSEHOLDS = int(_GRID_STANDARD.value)

#: Penalty, in metres of cut boundary, for each barrier edge (arterial road, river)
#: that a unit spans instead of cutting.
DEFAULT_BARRIER_PENALTY = 200.0
#: Penalty per household moved to another community when a current plan is kept in
#: view: the metres of boundary a moved household is worth.
DEFAULT_MOVE_PENALTY = 1.0

DEFAULT_DISTRICT_NAME = "金凤区"
#: Administrative division code of Jinfeng District (GB/T 2260).
DEFAULT_DISTRICT_CODE = "640106"

#: Default gap tolerance of the compound adjacency graph: a local street (支路) with its
#: verges, kerb to kerb of the compound fences. Chinese local streets have 15-30 m red
#: lines (GB 50220 / CJJ 37).
DEFAULT_GAP_TOLERANCE_M = 30.0
#: Widest gap across a barrier line: an arterial road (主干路, 40-60 m red line) with
#: the setbacks of the compounds on both sides.
DEFAULT_BARRIER_GAP_M = 80.0

_UNIT_KEYS = (
    "min_households",
    "max_households",
    "target_households",
    "min_population",
    "max_population",
    "count",
    "total",
)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _kind_of(value: Any) -> str:
    if isinstance(value, str):
        return "text"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, Mapping):
        return "a table"
    if isinstance(value, list | tuple):
        return "a list"
    return type(value).__name__


def _tidy(value: float) -> int | float:
    """2000.0 → 2000, so that messages and provenance show whole numbers as such."""
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    return value


@dataclass(frozen=True)
class UnitBounds:
    """Size bounds of the units of one level (subdistrict, community or grid).

    Parameters
    ----------
    min_households, max_households
        Hard bounds: every unit holds between these many households (inclusive).
        ``min_households`` may be 0 (no floor); ``max_households`` may be infinite
        (no cap, subdistricts only in a scenario file).
    target_households
        Size that sets how many units each parent gets (``round(households / target)``
        clipped to what the bounds allow). ``None`` only when ``count`` or ``total``
        fixes the number of units.
    min_population, max_population
        Optional population bounds, enforced together with the household bounds.
    count
        A fixed number of units per parent (e.g. split each community into 3).
    total
        A district-wide number of units, apportioned among the parents where the caps
        are most exceeded (:mod:`jinfeng_grid.plan.apportion`). Not together with ``count``.

    Raises
    ------
    ConfigError
        On a value that is not a number, a negative bound, ``min > max``, a target
        outside the bounds, a count or total that is not a positive whole number, or
        both ``count`` and ``total``.
    """

    min_households: float
    max_households: float
    target_households: float | None
    min_population: float | None = None
    max_population: float | None = None
    count: int | None = None
    total: int | None = None

    def __post_init__(self) -> None:
        for key in ("min_households", "max_households", "target_households"):
            value = getattr(self, key)
            if value is None and key == "target_households":
                continue
            _require_number(key, value, "households")
        for key in ("min_population", "max_population"):
            if getattr(self, key) is not None:
                _require_number(key, getattr(self, key), "persons")
        for key in ("count", "total"):
            value = getattr(self, key)
            if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
                raise ConfigError(
                    f"{key} must be a whole number of units, got {value!r} ({_kind_of(value)}): "
                    f"write e.g. {key} = 54"
                )
            if value is not None and value < 1:
                raise ConfigError(f"{key} must be at least 1, got {value}")
        if self.count is not None and self.total is not None:
            raise ConfigError(
                f"count ({self.count} per parent) and total ({self.total} in all) are both set: "
                "keep one of them"
            )
        lo, hi = self.min_households, self.max_households
        for key in ("min_households", "max_households", "target_households"):
            value = getattr(self, key)
            if value is not None and value < 0:
                raise ConfigError(f"{key} must not be negative, got {_tidy(value)}")
            if value is not None and key != "max_households" and not math.isfinite(value):
                raise ConfigError(f"{key} must be a finite number, got {value}")
        if hi <= 0:
            raise ConfigError(f"max_households must be positive, got {_tidy(hi)}")
        if lo > hi:
            raise ConfigError(
                f"min_households ({_tidy(lo):,}) is above max_households ({_tidy(hi):,}): "
                "lower min_households or raise max_households"
            )
        target = self.target_households
        if target is None:
            if self.count is None and self.total is None:
                raise ConfigError(
                    "target_households is not set and neither is count or total: say how many "
                    "units to make with target_households, count or total"
                )
        elif not lo <= target <= hi or target <= 0:
            raise ConfigError(
                f"target_households ({_tidy(target):,}) is outside min_households-max_households "
                f"({_tidy(lo):,}-{_tidy(hi):,}): choose a target within the bounds"
            )
        plo, phi = self.min_population, self.max_population
        for key, value in (("min_population", plo), ("max_population", phi)):
            if value is not None and value < 0:
                raise ConfigError(f"{key} must not be negative, got {_tidy(value)}")
        if plo is not None and phi is not None and plo > phi:
            raise ConfigError(
                f"min_population ({_tidy(plo):,}) is above max_population ({_tidy(phi):,}): "
                "lower min_population or raise max_population"
            )

    def to_dict(self) -> dict[str, Any]:
        """The bounds as plain values (an infinite bound becomes ``None``: no bound)."""
        return {
            key: (
                None
                if value is None or (isinstance(value, float) and math.isinf(value))
                else _tidy(value)
            )
            for key, value in ((key, getattr(self, key)) for key in _UNIT_KEYS)
        }

    def __repr__(self) -> str:
        hi = "∞" if math.isinf(self.max_households) else f"{_tidy(self.max_households):,}"
        parts = [f"{_tidy(self.min_households):,}-{hi} households"]
        if self.target_households is not None:
            parts.append(f"target {_tidy(self.target_households):,}")
        if self.min_population is not None or self.max_population is not None:
            plo = 0 if self.min_population is None else _tidy(self.min_population)
            phi = "∞" if self.max_population is None else f"{_tidy(self.max_population):,}"
            parts.append(f"{plo:,}-{phi} persons")
        if self.count is not None:
            parts.append(f"{self.count} per parent")
        if self.total is not None:
            parts.append(f"{self.total} in all")
        return f"<UnitBounds {', '.join(parts)}>"


def _require_number(key: str, value: Any, unit: str) -> None:
    if not _is_number(value) or (isinstance(value, float) and math.isnan(value)):
        raise ConfigError(
            f"{key} must be a number of {unit}, got {value!r} ({_kind_of(value)}): "
            f"write e.g. {key} = 3000, without quotes"
        )


#: Shared defaults (UnitBounds is immutable).
DEFAULT_COMMUNITY_BOUNDS = UnitBounds(
    COMMUNITY_MIN_HOUSEHOLDS, COMMUNITY_MAX_HOUSEHOLDS, COMMUNITY_TARGET_HOUSEHOLDS
)
DEFAULT_GRID_BOUNDS = UnitBounds(GRID_MIN_HOUSEHOLDS, GRID_MAX_HOUSEHOLDS, GRID_TARGET_HOUSEHOLDS)


@dataclass(frozen=True)
class SolverOptions:
    """How the plan is solved.

    Parameters
    ----------
    time_limit
        Wall-clock seconds for the whole plan (shared among its subproblems).
    solver
        ``"highs"`` (default) or ``"cbc"``.
    seed
        Seed of every random choice (heuristics, solver); the same seed, input and
        scenario give the same plan as long as no subproblem is stopped by its share
        of ``time_limit``. That limit is wall-clock time, so a subproblem stopped by it
        can end on another plan of about the same cost from run to run.
    threads
        Solver threads per subproblem; ``None`` lets the solver choose.
    """

    time_limit: float = 60.0
    solver: str = "highs"
    seed: int = 0
    threads: int | None = None

    def __post_init__(self) -> None:
        if not _is_number(self.time_limit) or not (
            math.isfinite(self.time_limit) and self.time_limit > 0
        ):
            raise ConfigError(
                f"time_limit must be a positive number of seconds, got {self.time_limit!r}: "
                "write e.g. time_limit = 60"
            )
        if self.solver not in SOLVERS:
            raise ConfigError(
                f"solver {self.solver!r} is unknown: use one of {', '.join(map(repr, SOLVERS))}"
            )
        if not isinstance(self.seed, int) or isinstance(self.seed, bool) or self.seed < 0:
            raise ConfigError(f"seed must be a whole number ≥ 0, got {self.seed!r}")
        if self.threads is not None and (
            not isinstance(self.threads, int) or isinstance(self.threads, bool) or self.threads < 1
        ):
            raise ConfigError(
                f"threads must be a whole number ≥ 1 (or left out), got {self.threads!r}"
            )


@dataclass(frozen=True)
class GraphOptions:
    """How the compound adjacency graph is built (see :func:`jinfeng_grid.graph.build_adjacency`).

    Parameters
    ----------
    gap_tolerance_m
        Widest street, in metres, across which compounds are neighbours
        (default :data:`DEFAULT_GAP_TOLERANCE_M`).
    barrier_gap_m
        Widest gap, in metres, across an arterial road or other barrier; such
        neighbours are flagged ``barrier`` (default
        :data:`DEFAULT_BARRIER_GAP_M`).
    connect_islands
        Link each island or separate component to its nearest compound.
    """

    gap_tolerance_m: float = DEFAULT_GAP_TOLERANCE_M
    barrier_gap_m: float = DEFAULT_BARRIER_GAP_M
    connect_islands: bool = False

    def __post_init__(self) -> None:
        for key in ("gap_tolerance_m", "barrier_gap_m"):
            value = getattr(self, key)
            if not _is_number(value) or not (math.isfinite(value) and value >= 0):
                raise ConfigError(
                    f"{key} must be a number of metres ≥ 0, got {value!r}: write e.g. {key} = 30"
                )
        if not isinstance(self.connect_islands, bool):
            raise ConfigError(
                f"connect_islands must be true or false, got {self.connect_islands!r}"
            )


@dataclass(frozen=True)
class ObjectiveOptions:
    """What a plan minimises besides the boundary it cuts (metres of frontage).

    Parameters
    ----------
    barrier_penalty
        Metres of boundary that each uncut barrier edge (a unit spanning an arterial
        road or a river) costs.
    move_penalty
        Metres of boundary a moved household is worth, when a current plan exists and
        is kept in view (each household put into another community costs this much).
    """

    barrier_penalty: float = DEFAULT_BARRIER_PENALTY
    move_penalty: float = DEFAULT_MOVE_PENALTY

    def __post_init__(self) -> None:
        for key in ("barrier_penalty", "move_penalty"):
            value = getattr(self, key)
            if not _is_number(value) or not (math.isfinite(value) and value >= 0):
                raise ConfigError(
                    f"{key} must be a number ≥ 0 (metres of boundary), got {value!r}: "
                    f"write e.g. {key} = {getattr(ObjectiveOptions, key)}"
                )


@dataclass(frozen=True)
class ReportOptions:
    """What maps and tables say about who made them and where.

    Parameters
    ----------
    producing_unit
        The office that produced the plan (printed on maps); empty by default.
    district_name
        The district's name.
    district_code
        The district's six-digit administrative division code (GB/T 2260), the first
        digits of every unit code.
    """

    producing_unit: str = ""
    district_name: str = DEFAULT_DISTRICT_NAME
    district_code: str = DEFAULT_DISTRICT_CODE

    def __post_init__(self) -> None:
        for key in ("producing_unit", "district_name", "district_code"):
            value = getattr(self, key)
            if not isinstance(value, str):
                raise ConfigError(
                    f"{key} must be text in quotes, got {value!r} ({_kind_of(value)}): write e.g. "
                    f'{key} = "{getattr(ReportOptions, key) or "某某区民政局"}"'
                )
        if not self.district_name.strip():
            raise ConfigError("district_name must not be empty")
        code = self.district_code
        if not (len(code) == 6 and code.isascii() and code.isdigit()):
            raise ConfigError(
                f"district_code must be six digits (GB/T 2260), got {code!r}: "
                'write e.g. district_code = "640106"'
            )
