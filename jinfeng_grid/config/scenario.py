"""The scenario: the tables of a scenario file checked into one value.

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
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

from jinfeng_grid.config.columns import LAYER_KINDS, ColumnMap
from jinfeng_grid.config.options import (
    _UNIT_KEYS,
    COMMUNITY_MAX_HOUSEHOLDS,
    COMMUNITY_MIN_HOUSEHOLDS,
    COMMUNITY_TARGET_HOUSEHOLDS,
    DEFAULT_COMMUNITY_BOUNDS,
    DEFAULT_GRID_BOUNDS,
    GRID_MAX_HOUSEHOLDS,
    GRID_MIN_HOUSEHOLDS,
    GRID_TARGET_HOUSEHOLDS,
    GraphOptions,
    ObjectiveOptions,
    ReportOptions,
    SolverOptions,
    UnitBounds,
    _is_number,
    _kind_of,
    _require_number,
    _tidy,
)
from jinfeng_grid.errors import ConfigError

__all__ = ["TABLES", "Scenario"]

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
