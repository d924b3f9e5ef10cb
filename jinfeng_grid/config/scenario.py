"""Scenario configuration: unit bounds, solver, graph, objective, report and columns.

A scenario is a TOML file or a shipped preset (``standard``, ``reform2020``; see
:func:`preset_names`). Every table and key is optional; a key left out takes its
default from the shipped standards (:mod:`jinfeng_grid.standards`)::

    name = "cap 3500"

    [community]               # hard bounds and the size that sets the count
    min_households = 2000
    max_households = 3500
    target_households = 3000

    [grid]
    min_households = 300
    max_households = 500

    [solver]
    time_limit = 60           # seconds for the whole plan

    [columns]                 # compounds: canonical key = the user's column
    households = "户数"

    [columns.buildings]
    compound_id = "所属小区"

Unknown tables and keys are errors that list the known ones; values are checked by
the frozen dataclasses (:class:`UnitBounds`, :class:`SolverOptions`,
:class:`GraphOptions`, :class:`ObjectiveOptions`, :class:`ReportOptions`) in their
``__post_init__``. The README's "Scenario file reference" lists every key.

On the command line the column mapping is also ``--column households=户数``
(compounds) and ``--column buildings.households=户数`` (other layers); flags win over
the file.
"""

from __future__ import annotations

import difflib
import logging
import math
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields, replace
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

from jinfeng_grid.errors import ConfigError
from jinfeng_grid.standards import standard

__all__ = [
    "LAYER_KEYS",
    "LAYER_KINDS",
    "REQUIRED_KEYS",
    "SOLVERS",
    "TABLES",
    "ColumnMap",
    "GraphOptions",
    "LayerColumns",
    "LayerKind",
    "ObjectiveOptions",
    "ReportOptions",
    "Scenario",
    "SolverOptions",
    "UnitBounds",
    "load_scenario",
    "load_scenario_columns",
    "parse_column_flags",
    "preset_names",
]

logger = logging.getLogger(__name__)

LayerKind = Literal["compounds", "buildings", "roads", "facilities"]

LAYER_KINDS: tuple[LayerKind, ...] = ("compounds", "buildings", "roads", "facilities")

#: Canonical field keys of each layer, in the order they are reported.
LAYER_KEYS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "compounds": (
            "id",
            "name",
            "households",
            "population",
            "subdistrict",
            "community",
            "grid",
            "locked",
        ),
        "buildings": ("id", "compound_id", "households", "population", "grid"),
        "roads": ("name", "class"),
        "facilities": ("id", "kind", "name"),
    }
)

#: Keys a layer cannot do without; the others are optional.
REQUIRED_KEYS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "compounds": ("id", "households", "population"),
        "buildings": ("id", "compound_id", "households"),
        "roads": ("class",),
        "facilities": ("id", "kind"),
    }
)


def _check_kind(kind: str) -> None:
    if kind not in LAYER_KEYS:
        raise ConfigError(
            f"unknown layer {kind!r} in the column mapping: use one of {', '.join(LAYER_KINDS)}"
        )


@dataclass(frozen=True)
class LayerColumns:
    """Which user column holds each canonical key of one layer.

    Parameters
    ----------
    kind
        ``"compounds"``, ``"buildings"``, ``"roads"`` or ``"facilities"``.
    names
        Pairs ``(key, column)``; keys not given are looked up by their canonical
        name and common aliases when the layer is read.
    """

    kind: str
    names: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        _check_kind(self.kind)
        allowed = LAYER_KEYS[self.kind]
        seen: set[str] = set()
        for key, column in self.names:
            if key not in allowed:
                raise ConfigError(
                    f"unknown {self.kind} column key {key!r}: the keys are {', '.join(allowed)}"
                )
            if key in seen:
                raise ConfigError(f"{self.kind} column key {key!r} is mapped twice")
            if not isinstance(column, str) or not column.strip():
                raise ConfigError(
                    f"{self.kind} column key {key!r} must map to a column name, got {column!r}"
                )
            seen.add(key)
        # a canonical order makes equal mappings compare equal
        order = {key: i for i, key in enumerate(allowed)}
        object.__setattr__(self, "names", tuple(sorted(self.names, key=lambda kv: order[kv[0]])))

    @classmethod
    def from_mapping(cls, kind: str, mapping: Mapping[str, str] | None = None) -> LayerColumns:
        """Build from a ``{key: column}`` mapping (``None`` maps nothing)."""
        return cls(kind, tuple((mapping or {}).items()))

    def as_dict(self) -> dict[str, str]:
        """The mapping as a plain ``{key: column}`` dict."""
        return dict(self.names)

    def get(self, key: str) -> str | None:
        """The user's column for ``key``, or ``None`` when it is not mapped."""
        return self.as_dict().get(key)

    def merged(self, override: LayerColumns) -> LayerColumns:
        """A mapping where the keys of ``override`` win."""
        if override.kind != self.kind:
            raise ConfigError(f"cannot merge {override.kind} columns into {self.kind} columns")
        return LayerColumns.from_mapping(self.kind, self.as_dict() | override.as_dict())

    def __repr__(self) -> str:
        inner = ", ".join(f"{key}={column!r}" for key, column in self.names)
        return f"<LayerColumns {self.kind}: {inner or 'defaults'}>"


# LayerColumns is immutable, so one empty mapping per layer can be the shared default
_UNMAPPED_COMPOUNDS = LayerColumns("compounds")
_UNMAPPED_BUILDINGS = LayerColumns("buildings")
_UNMAPPED_ROADS = LayerColumns("roads")
_UNMAPPED_FACILITIES = LayerColumns("facilities")


@dataclass(frozen=True)
class ColumnMap:
    """The column mapping of every layer."""

    compounds: LayerColumns = _UNMAPPED_COMPOUNDS
    buildings: LayerColumns = _UNMAPPED_BUILDINGS
    roads: LayerColumns = _UNMAPPED_ROADS
    facilities: LayerColumns = _UNMAPPED_FACILITIES

    def __post_init__(self) -> None:
        for kind in LAYER_KINDS:
            value = getattr(self, kind)
            if not isinstance(value, LayerColumns) or value.kind != kind:
                raise ConfigError(f"ColumnMap.{kind} must be LayerColumns({kind!r}, ...)")

    def layer(self, kind: str) -> LayerColumns:
        """The mapping of one layer."""
        _check_kind(kind)
        return getattr(self, kind)

    def merged(self, override: ColumnMap) -> ColumnMap:
        """A mapping where every key given in ``override`` wins (flags over the file)."""
        return ColumnMap(
            **{kind: self.layer(kind).merged(override.layer(kind)) for kind in LAYER_KINDS}
        )

    @classmethod
    def from_table(cls, table: Mapping[str, Any], *, source: str = "[columns]") -> ColumnMap:
        """Build from a TOML ``[columns]`` table (sub-tables for the other layers).

        Raises
        ------
        ConfigError
            On an unknown key or sub-table, or a value that is not a column name.
        """
        if not isinstance(table, Mapping):
            raise ConfigError(f'{source} must be a table of key = "column name" pairs')
        layers: dict[str, dict[str, str]] = {kind: {} for kind in LAYER_KINDS}
        for key, value in table.items():
            if isinstance(value, Mapping):
                if key not in LAYER_KINDS or key == "compounds":
                    raise ConfigError(
                        f"unknown table {source[:-1]}.{key}]: the layer tables are "
                        "[columns.buildings], [columns.roads], [columns.facilities] "
                        "(compound columns go directly under [columns])"
                    )
                for sub_key, sub_value in value.items():
                    layers[key][sub_key] = _column_name(
                        sub_value, f"{source[:-1]}.{key}].{sub_key}"
                    )
            else:
                layers["compounds"][key] = _column_name(value, f"{source}.{key}")
        return cls(**{kind: LayerColumns.from_mapping(kind, layers[kind]) for kind in LAYER_KINDS})

    def __repr__(self) -> str:
        mapped = [
            f"{kind}: {', '.join(f'{k}={v!r}' for k, v in self.layer(kind).names)}"
            for kind in LAYER_KINDS
            if self.layer(kind).names
        ]
        return f"<ColumnMap {'; '.join(mapped) or 'defaults'}>"


def _column_name(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{where} must be a column name in quotes, got {value!r}")
    return value


def parse_column_flags(flags: Iterable[str]) -> ColumnMap:
    """Parse repeated ``--column KEY=NAME`` / ``--column LAYER.KEY=NAME`` flags.

    A bare key is a compounds key; ``buildings.households=户数`` maps a key of another
    layer. A later flag for the same key wins.

    Raises
    ------
    ConfigError
        On a flag without ``=``, an unknown layer or an unknown key.
    """
    layers: dict[str, dict[str, str]] = {kind: {} for kind in LAYER_KINDS}
    for flag in flags:
        key, sep, column = flag.partition("=")
        key, column = key.strip(), column.strip()
        if not sep or not key or not column:
            raise ConfigError(
                f"--column {flag!r} is not KEY=NAME: write e.g. --column households=户数 "
                "or --column buildings.households=户数"
            )
        kind, dot, sub_key = key.partition(".")
        if not dot:
            kind, sub_key = "compounds", key
        _check_kind(kind)
        layers[kind][sub_key] = column
    return ColumnMap(
        **{kind: LayerColumns.from_mapping(kind, layers[kind]) for kind in LAYER_KINDS}
    )


# --- planning tables --------------------------------------------------------------------

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


def _graph_default(name: str) -> Any:
    # imported late: jinfeng_grid.graph imports this module
    from jinfeng_grid.graph import adjacency as graph

    return getattr(graph, name)


@dataclass(frozen=True)
class GraphOptions:
    """How the compound adjacency graph is built (see :func:`jinfeng_grid.graph.build_adjacency`).

    Parameters
    ----------
    gap_tolerance_m
        Widest street, in metres, across which compounds are neighbours
        (default :data:`jinfeng_grid.graph.DEFAULT_GAP_TOLERANCE_M`).
    barrier_gap_m
        Widest gap, in metres, across an arterial road or other barrier; such
        neighbours are flagged ``barrier`` (default
        :data:`jinfeng_grid.graph.DEFAULT_BARRIER_GAP_M`).
    connect_islands
        Link each island or separate component to its nearest compound.
    """

    gap_tolerance_m: float = field(
        default_factory=lambda: _graph_default("DEFAULT_GAP_TOLERANCE_M")
    )
    barrier_gap_m: float = field(default_factory=lambda: _graph_default("DEFAULT_BARRIER_GAP_M"))
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


#: The tables of a scenario file and the dataclass of each.
_TABLES: Mapping[str, type] = MappingProxyType(
    {
        "community": UnitBounds,
        "grid": UnitBounds,
        "subdistrict": UnitBounds,
        "solver": SolverOptions,
        "graph": GraphOptions,
        "objective": ObjectiveOptions,
        "report": ReportOptions,
    }
)
TABLES: tuple[str, ...] = ("columns", *_TABLES)
"""Top-level tables of a scenario file, in the order of the README."""
TOP_LEVEL_KEYS: tuple[str, ...] = ("name",)
"""Top-level keys (outside any table) of a scenario file."""

_FLOAT_KEYS = frozenset({"time_limit", "gap_tolerance_m", "barrier_gap_m", "barrier_penalty"})


@dataclass(frozen=True)
class Scenario:
    """A planning scenario: unit bounds, solver, graph, objective, report and columns.

    Every field has a default (the ``standard`` preset). Build variants with
    :meth:`with_overrides` (tables as dicts, checked like a file) or
    :func:`dataclasses.replace` (dataclass values, checked by their constructors)::

        scenario = load_scenario("reform2020")
        tight = scenario.with_overrides(community={"max_households": 3500})
        quick = dataclasses.replace(scenario, solver=SolverOptions(time_limit=10))

    Attributes
    ----------
    community, grid
        Bounds of communities (2,000-4,000 households, target 3,000) and grids
        (300-500, target 400).
    subdistrict
        Bounds or count of subdistricts when they are re-drawn; ``None`` keeps the
        current subdistricts.
    solver, graph, objective, report
        See :class:`SolverOptions`, :class:`GraphOptions`, :class:`ObjectiveOptions`,
        :class:`ReportOptions`.
    columns
        The ``[columns]`` mapping of the input layers.
    source
        Where it came from: a preset name, a scenario file as given, or ``None``.
    name
        A short name for reports (the file's ``name`` key, else its stem or the
        preset name).
    extra
        The tables other than ``[columns]`` as written in the file, for the record
        (the checked values are in the fields above).
    """

    community: UnitBounds = DEFAULT_COMMUNITY_BOUNDS
    grid: UnitBounds = DEFAULT_GRID_BOUNDS
    subdistrict: UnitBounds | None = None
    solver: SolverOptions = field(default_factory=SolverOptions)
    graph: GraphOptions = field(default_factory=GraphOptions)
    objective: ObjectiveOptions = field(default_factory=ObjectiveOptions)
    report: ReportOptions = field(default_factory=ReportOptions)
    columns: ColumnMap = field(default_factory=ColumnMap)
    source: str | None = field(default=None, compare=False)
    name: str = "standard"
    extra: Mapping[str, Any] = field(
        default_factory=lambda: MappingProxyType({}), compare=False, repr=False
    )

    def __post_init__(self) -> None:
        if isinstance(self.source, Path):
            object.__setattr__(self, "source", str(self.source))
        expected: dict[str, type] = {
            "community": UnitBounds,
            "grid": UnitBounds,
            "solver": SolverOptions,
            "graph": GraphOptions,
            "objective": ObjectiveOptions,
            "report": ReportOptions,
            "columns": ColumnMap,
        }
        for key, kind in expected.items():
            if not isinstance(getattr(self, key), kind):
                raise ConfigError(
                    f"Scenario.{key} must be a {kind.__name__}, got {getattr(self, key)!r}"
                )
        if self.subdistrict is not None and not isinstance(self.subdistrict, UnitBounds):
            raise ConfigError(
                f"Scenario.subdistrict must be UnitBounds or None, got {self.subdistrict!r}"
            )
        if not isinstance(self.name, str) or not self.name.strip():
            raise ConfigError(f"the scenario name must be non-empty text, got {self.name!r}")

    @classmethod
    def from_dict(
        cls,
        data: Mapping[str, Any],
        *,
        source: str | Path | None = None,
        name: str | None = None,
        _from_file: bool = False,
    ) -> Scenario:
        """Build from the tables of a scenario file (as read by ``tomllib``).

        A key left out, or ``None``, takes its default. This is what
        :func:`load_scenario` does after reading the file; :meth:`to_dict` gives back
        such a dict (its ``source`` entry is ignored here).

        Raises
        ------
        ConfigError
            On an unknown table or key (the message lists the known ones) or a value
            out of range; the message names the table and key.
        """
        if isinstance(data, Mapping) and "source" in data and not _from_file:
            # the provenance that to_dict records; a scenario file cannot set it
            data = {key: value for key, value in data.items() if key != "source"}
        where = f"scenario {Path(source).name if source is not None else '(in code)'}"
        try:
            return cls._from_dict(data, source=source, name=name)
        except ConfigError as error:
            raise ConfigError(f"{where}: {error}") from error

    @classmethod
    def _from_dict(
        cls, data: Mapping[str, Any], *, source: str | Path | None, name: str | None
    ) -> Scenario:
        if not isinstance(data, Mapping):
            raise ConfigError(f"a scenario must be a table of tables, got {_kind_of(data)}")
        for key, value in data.items():
            if key in TABLES:
                if value is not None and not isinstance(value, Mapping):
                    raise ConfigError(
                        f"[{key}] must be a table, got {key} = {value!r}: write it as a "
                        f"[{key}] header followed by key = value lines"
                    )
            elif key not in TOP_LEVEL_KEYS:
                kind = "table" if isinstance(value, Mapping) else "top-level key"
                shown = f"[{key}]" if isinstance(value, Mapping) else repr(key)
                owners = [t for t, cls in _TABLES.items() if key in {f.name for f in fields(cls)}]
                hint = (
                    f" ({key} belongs in [{owners[0]}])"
                    if owners and not isinstance(value, Mapping)
                    else _did_you_mean(key, (*TABLES, *TOP_LEVEL_KEYS))
                )
                raise ConfigError(
                    f"unknown {kind} {shown}{hint}: "
                    f"the tables are {', '.join(f'[{t}]' for t in TABLES)} and the top-level "
                    f"keys are {', '.join(TOP_LEVEL_KEYS)}"
                )
        given_name = data.get("name")
        if given_name is not None and (not isinstance(given_name, str) or not given_name.strip()):
            raise ConfigError(f'name must be text in quotes, got {given_name!r}: name = "my plan"')
        tables = {key: dict(data.get(key) or {}) for key in _TABLES}
        kwargs: dict[str, Any] = {
            "community": _unit_bounds(tables["community"], "community"),
            "grid": _unit_bounds(tables["grid"], "grid"),
            "subdistrict": (
                _unit_bounds(tables["subdistrict"], "subdistrict")
                if data.get("subdistrict") is not None
                else None
            ),
        }
        for key in ("solver", "graph", "objective", "report"):
            kwargs[key] = _options(_TABLES[key], tables[key], key)
        kwargs["columns"] = ColumnMap.from_table(data.get("columns") or {})
        if source is not None and not isinstance(source, str):
            source = str(source)
        default_name = Path(source).stem if source else "standard"
        return cls(
            **kwargs,
            source=source,
            name=given_name or name or default_name,
            extra=MappingProxyType(
                {k: v for k, v in data.items() if k != "columns" and isinstance(v, Mapping)}
            ),
        )

    def to_dict(self) -> dict[str, Any]:
        """The scenario as plain JSON-able values, laid out like the file's tables.

        ``subdistrict`` is ``None`` when subdistricts are kept; an unset or infinite
        bound is ``None``. :meth:`from_dict` reads it back to an equal scenario.
        """
        columns: dict[str, Any] = self.columns.compounds.as_dict()
        for kind in LAYER_KINDS[1:]:
            mapped = self.columns.layer(kind).as_dict()
            if mapped:
                columns[kind] = mapped
        return {
            "name": self.name,
            "source": Path(self.source).name if self.source is not None else None,
            "community": self.community.to_dict(),
            "grid": self.grid.to_dict(),
            "subdistrict": self.subdistrict.to_dict() if self.subdistrict is not None else None,
            "solver": asdict(self.solver),
            "graph": asdict(self.graph),
            "objective": asdict(self.objective),
            "report": asdict(self.report),
            "columns": columns,
        }

    def with_overrides(self, **tables: Any) -> Scenario:
        """A copy with some tables changed, checked like a scenario file.

        Each keyword is a table name with a dict of the keys to change (the others keep
        their current values) or a whole dataclass value; ``name`` is a string and
        ``subdistrict=None`` keeps the current subdistricts::

            scenario.with_overrides(community={"max_households": 3500}, solver={"seed": 1})

        Raises
        ------
        ConfigError
            On an unknown table or key, or a value out of range (the same messages
            as for a file).
        """
        data = self.to_dict()
        for key, value in tables.items():
            if key in _TABLES and isinstance(value, UnitBounds | SolverOptions | GraphOptions):
                data[key] = value.to_dict() if isinstance(value, UnitBounds) else asdict(value)
            elif key in _TABLES and isinstance(value, ObjectiveOptions | ReportOptions):
                data[key] = asdict(value)
            elif key == "columns" and isinstance(value, ColumnMap):
                data[key] = replace(self, columns=value).to_dict()["columns"]
            elif key in TABLES and isinstance(value, Mapping):
                data[key] = {**(data.get(key) or {}), **value}
            else:
                data[key] = value
        return Scenario.from_dict(data, source=self.source, name=self.name)

    def __repr__(self) -> str:
        sub = f", subdistricts {self.subdistrict!r}" if self.subdistrict is not None else ""
        return (
            f"<Scenario {self.name}: communities {self.community!r}, grids {self.grid!r}{sub}, "
            f"{self.solver.solver} {self.solver.time_limit:g} s, seed {self.solver.seed}, "
            f"{self.columns!r}>"
        )


def _did_you_mean(key: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(key, list(known), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _check_keys(table: Mapping[str, Any], known: Sequence[str], name: str) -> None:
    for key in table:
        if key not in known:
            raise ConfigError(
                f"[{name}] has an unknown key {key!r}{_did_you_mean(key, known)}: "
                f"the keys of [{name}] are {', '.join(known)}"
            )


def _unit_bounds(table: dict[str, Any], level: str) -> UnitBounds:
    """UnitBounds of one level from its table; keys left out take the level's defaults.

    The target defaults to the standard when that lies within the bounds given, else
    to the middle of the bounds; subdistricts have no standard: no floor, no cap, and
    a target in the middle of the bounds when both are given.
    """
    _check_keys(table, _UNIT_KEYS, level)
    values = {key: value for key, value in table.items() if value is not None}
    for key, value in values.items():
        unit = "persons" if "population" in key else "households"
        if key in ("count", "total"):
            continue
        try:
            _require_number(key, value, unit)
        except ConfigError as error:
            raise ConfigError(f"[{level}].{error}") from None
    defaults: dict[str, Any] = {
        "community": {
            "min_households": COMMUNITY_MIN_HOUSEHOLDS,
            "max_households": COMMUNITY_MAX_HOUSEHOLDS,
        },
        "grid": {"min_households": GRID_MIN_HOUSEHOLDS, "max_households": GRID_MAX_HOUSEHOLDS},
        "subdistrict": {"min_households": 0, "max_households": math.inf},
    }[level]
    if level == "subdistrict" and not {"max_households", "count", "total"} & set(values):
        raise ConfigError(
            "[subdistrict] must say how subdistricts are re-drawn: give max_households "
            "(and min_households), count or total; leave the table out to keep the current "
            "subdistricts"
        )
    if level != "subdistrict" and math.isinf(values.get("max_households", 0)):
        raise ConfigError(f"[{level}].max_households must be finite: every {level} needs a cap")
    used_defaults = {key: value for key, value in defaults.items() if key not in values}
    merged = {**defaults, **values}
    if "target_households" not in merged:
        lo, hi = merged["min_households"], merged["max_households"]
        standard_target = {
            "community": COMMUNITY_TARGET_HOUSEHOLDS,
            "grid": GRID_TARGET_HOUSEHOLDS,
        }.get(level)
        if standard_target is not None and lo <= standard_target <= hi:
            target: float | None = standard_target
        elif math.isfinite(hi):
            target = _tidy((lo + hi) / 2)
        else:
            target = None
        merged["target_households"] = target
        if target is not None:
            used_defaults["target_households"] = target
    try:
        return UnitBounds(**merged)
    except ConfigError as error:
        shown = ", ".join(f"{key} = {_tidy(value)}" for key, value in used_defaults.items())
        hint = f" (defaults used: {shown})" if shown else ""
        raise ConfigError(f"[{level}] {error}{hint}") from None


def _options(cls: type, table: dict[str, Any], name: str) -> Any:
    known = [f.name for f in fields(cls)]
    _check_keys(table, known, name)
    values = {key: value for key, value in table.items() if value is not None}
    for key in _FLOAT_KEYS & set(values):
        # TOML writes 60 as an integer; these are measures, not counts
        if _is_number(values[key]):
            values[key] = float(values[key])
    try:
        return cls(**values)
    except ConfigError as error:
        raise ConfigError(f"[{name}] {error}") from None


# --- loading ----------------------------------------------------------------------------

_PRESET_PACKAGE = "jinfeng_grid"
_PRESET_DIR = ("data", "presets")


def _preset_root() -> Any:
    root = resources.files(_PRESET_PACKAGE)
    for part in _PRESET_DIR:
        root = root / part
    return root


def preset_names() -> tuple[str, ...]:
    """Names of the scenario presets shipped with the package, sorted."""
    return tuple(
        sorted(
            entry.name.removesuffix(".toml")
            for entry in _preset_root().iterdir()
            if entry.name.endswith(".toml")
        )
    )


def _is_preset_name(text: str) -> bool:
    return bool(text) and not any(sep in text for sep in ("/", "\\", ".")) and text == text.strip()


def load_scenario(path_or_preset: str | Path | None = None) -> Scenario:
    """Load a scenario: a shipped preset by name, or a TOML file.

    Parameters
    ----------
    path_or_preset
        ``None`` for the ``standard`` preset; a bare name such as ``"reform2020"`` for
        a shipped preset (see :func:`preset_names`); otherwise the path of a TOML file.
        A :class:`~pathlib.Path` is always a file.

    Raises
    ------
    ConfigError
        If the file is missing or not valid TOML, the preset is unknown, or a table
        is malformed: an unknown table or key (the message lists the known ones), a
        value of the wrong kind or out of range.
    """
    if path_or_preset is None:
        path_or_preset = "standard"
    if isinstance(path_or_preset, str) and _is_preset_name(path_or_preset):
        if path_or_preset in preset_names():
            text = (_preset_root() / f"{path_or_preset}.toml").read_text(encoding="utf-8")
            try:
                data = tomllib.loads(text)
            except tomllib.TOMLDecodeError as error:  # pragma: no cover - shipped files
                raise ConfigError(f"preset {path_or_preset} is not valid TOML: {error}") from error
            scenario = Scenario.from_dict(
                data, source=path_or_preset, name=path_or_preset, _from_file=True
            )
            logger.debug("scenario: preset %s", path_or_preset)
            return scenario
        if not Path(path_or_preset).is_file():
            raise ConfigError(
                f"{path_or_preset!r} is neither a shipped preset ({', '.join(preset_names())}) "
                "nor an existing file: check the name, or give the path of a .toml file"
            )
    path = Path(path_or_preset)
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError as error:
        raise ConfigError(f"scenario file {path} does not exist: check the path") from error
    except IsADirectoryError as error:
        raise ConfigError(f"scenario file {path} is a directory: give a .toml file") from error
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"scenario file {path} is not valid TOML: {error}") from error
    scenario = Scenario.from_dict(data, source=str(path), name=path.stem, _from_file=True)
    logger.info("scenario %s: %r", path.name, scenario)
    return scenario


def load_scenario_columns(path: str | Path) -> ColumnMap:
    """The ``[columns]`` mapping of a scenario TOML file (see :func:`load_scenario`)."""
    return load_scenario(path).columns
