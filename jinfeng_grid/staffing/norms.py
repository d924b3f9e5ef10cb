"""Staff each unit needs under the norms, the staff it has, and the shortfall.

The norms come from :mod:`jinfeng_grid.standards` (each with its source) and may be
overridden per scenario through :class:`StaffingNorms`:

========================  =============================================  ==================
role                      requirement                                    basis
========================  =============================================  ==================
``grid_worker``           one per grid; without grids, households        ``per grid`` /
                          / 500 .. households / 300                      ``per households``
``community_worker``      at least 18 per 10,000 residents               ``per 10,000``
``police``                2-3 per 10,000 residents (incl. auxiliaries)   ``per 10,000``
``medical``               8-10 per 10,000 residents                      ``per 10,000``
``cdc``                   1.75 per 10,000 residents                      ``per 10,000``
========================  =============================================  ==================

Counts of people are whole: the lower requirement is rounded up (a unit of 12,640
households needs 26 grid workers at 500 each, not 25.28), the upper one is rounded
down for the household rule (no more workers than keep each at 300 households) and
up for per-10,000 ratios. For Jinfeng's 258,000 households this gives the published
516-860 grid workers.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, fields

import numpy as np
import pandas as pd

from jinfeng_grid.errors import ConfigError, InputDataError
from jinfeng_grid.standards import standard

__all__ = [
    "ROLES",
    "StaffingNorms",
    "required_staff",
    "staffing_table",
]

logger = logging.getLogger(__name__)

ROLES: tuple[str, ...] = ("grid_worker", "community_worker", "police", "medical", "cdc")
"""The roles staffed, in report order."""

LEVELS: tuple[str, ...] = ("grid", "community", "subdistrict", "district")

STAFFING_COLUMNS: tuple[str, ...] = (
    "level",
    "unit_id",
    "unit_name",
    "households",
    "population",
    "role",
    "basis",
    "required_min",
    "required_max",
    "actual",
    "shortfall",
    "actual_per_10k",
)


def _range(key: str) -> tuple[float, float]:
    norm = standard(key)
    return (norm.minimum, norm.maximum)


@dataclass(frozen=True)
class StaffingNorms:
    """Staffing norms; every field defaults to the shipped standard.

    Ranges are ``(low, high)``; per-10,000 ratios are per 10,000 residents.
    """

    grid_households: tuple[float, float] = _range("grid_households")
    community_workers_per_10k: tuple[float, float] = _range("community_workers_per_10k")
    police_per_10k: tuple[float, float] = _range("police_per_10k")
    medical_per_10k: tuple[float, float] = _range("medical_per_10k")
    cdc_per_10k: tuple[float, float] = _range("cdc_per_10k")

    def __post_init__(self) -> None:
        for field in fields(self):
            low, high = getattr(self, field.name)
            if not (0 < low <= high) or not (math.isfinite(low) and math.isfinite(high)):
                raise ConfigError(
                    f"staffing norm {field.name} must be a range 0 < low <= high, got "
                    f"({low}, {high}): fix it in the scenario's [staffing] table"
                )

    def per_10k(self, role: str) -> tuple[float, float]:
        """The per-10,000-residents range of a role other than ``grid_worker``."""
        return {
            "community_worker": self.community_workers_per_10k,
            "police": self.police_per_10k,
            "medical": self.medical_per_10k,
            "cdc": self.cdc_per_10k,
        }[role]


def required_staff(
    households: int,
    population: int,
    *,
    grids: int | None = None,
    norms: StaffingNorms | None = None,
) -> dict[str, tuple[int, int, str]]:
    """Staff one unit needs, by role.

    Parameters
    ----------
    households, population
        The unit's counts.
    grids
        Number of grids in the unit when a plan fixes them (one worker each); ``None``
        uses the household rule (households / high .. households / low).
    norms
        The norms; the shipped standards when ``None``.

    Returns
    -------
    dict
        ``role -> (required_min, required_max, basis)``.

    Examples
    --------
    >>> required_staff(258_000, 567_000)["grid_worker"]
    (516, 860, 'per households')
    >>> required_staff(3_000, 8_000)["police"]
    (2, 3, 'per 10,000')
    """
    norms = norms if norms is not None else StaffingNorms()
    if households < 0 or population < 0:
        raise InputDataError(
            f"households ({households}) and population ({population}) must not be negative"
        )
    required: dict[str, tuple[int, int, str]] = {}
    if grids is not None:
        required["grid_worker"] = (int(grids), int(grids), "per grid")
    else:
        low, high = norms.grid_households
        at_least = math.ceil(households / high - 1e-9)
        at_most = max(at_least, math.floor(households / low + 1e-9))
        required["grid_worker"] = (at_least, at_most, "per households")
    for role in ROLES[1:]:
        low, high = norms.per_10k(role)
        required[role] = (
            math.ceil(population * low / 10_000 - 1e-9),
            math.ceil(population * high / 10_000 - 1e-9),
            "per 10,000",
        )
    return required


def staffing_table(
    units: pd.DataFrame,
    *,
    actual: pd.DataFrame | None = None,
    norms: StaffingNorms | None = None,
) -> pd.DataFrame:
    """Requirements, actual staff and shortfall of every unit, in long form.

    Parameters
    ----------
    units
        One row per unit with columns ``level`` (``grid``, ``community``,
        ``subdistrict`` or ``district``), ``unit_id``, ``unit_name``, ``households``,
        ``population`` and optionally ``grids`` (number of grids in the unit; a unit
        at level ``grid`` counts as one grid).
    actual
        Actual staff in long form: ``level``, ``unit_id``, ``role``, ``actual``.
        Units or roles without a row get an empty ``actual`` (unknown), not zero.
    norms
        The norms; the shipped standards when ``None``.

    Returns
    -------
    pandas.DataFrame
        Columns ``level, unit_id, unit_name, households, population, role, basis,
        required_min, required_max, actual, shortfall, actual_per_10k``; one row per
        unit and role, ordered as ``units`` and :data:`ROLES` (a grid has only the
        ``grid_worker`` row). ``shortfall`` is ``max(0, required_min - actual)``.

    Raises
    ------
    InputDataError
        For a missing column, an unknown level or role, duplicate units, or actual
        staff for a unit that is not in ``units``.
    """
    _check_units(units)
    norms = norms if norms is not None else StaffingNorms()
    rows = []
    for unit in units.itertuples(index=False):
        grids = getattr(unit, "grids", None)
        if unit.level == "grid":
            grids = 1
        elif grids is not None and pd.isna(grids):
            grids = None
        needs = required_staff(int(unit.households), int(unit.population), grids=grids, norms=norms)
        if unit.level == "grid":
            # the per-10,000 norms are set for communities and up; rounded up per grid
            # they would ask for a police officer and a CDC worker in every grid
            needs = {"grid_worker": needs["grid_worker"]}
        for role, (low, high, basis) in needs.items():
            rows.append(
                {
                    "level": unit.level,
                    "unit_id": unit.unit_id,
                    "unit_name": unit.unit_name,
                    "households": int(unit.households),
                    "population": int(unit.population),
                    "role": role,
                    "basis": basis,
                    "required_min": low,
                    "required_max": high,
                }
            )
    table = pd.DataFrame(rows, columns=list(STAFFING_COLUMNS[:9]))
    table["actual"] = _actual_column(table, actual)
    table["shortfall"] = (table["required_min"] - table["actual"]).clip(lower=0)
    population = table["population"].where(table["population"] > 0)
    table["actual_per_10k"] = (table["actual"] / population * 10_000).round(2)
    logger.info(
        "staffing: %d units, %d roles, shortfall %s people where actual staff is known",
        len(units),
        len(ROLES),
        f"{int(table['shortfall'].sum(skipna=True)):,}",
    )
    return table.loc[:, list(STAFFING_COLUMNS)]


def _check_units(units: pd.DataFrame) -> None:
    required = ("level", "unit_id", "unit_name", "households", "population")
    missing = [column for column in required if column not in units.columns]
    if missing:
        raise InputDataError(
            f"staffing needs unit column(s) {', '.join(missing)}; "
            f"the table has: {', '.join(map(str, units.columns))}"
        )
    unknown = sorted(set(units["level"]) - set(LEVELS))
    if unknown:
        raise InputDataError(
            f"unknown unit level(s) {', '.join(map(str, unknown))}: use one of {', '.join(LEVELS)}"
        )
    duplicated = units.duplicated(["level", "unit_id"], keep=False)
    if duplicated.any():
        pairs = units.loc[duplicated, ["level", "unit_id"]].drop_duplicates()
        listed = ", ".join(f"{row.level} {row.unit_id}" for row in pairs.itertuples())
        raise InputDataError(f"units listed more than once: {listed}; give each unit one row")


def _actual_column(table: pd.DataFrame, actual: pd.DataFrame | None) -> pd.Series:
    if actual is None:
        return pd.Series(np.nan, index=table.index, dtype="float64")
    missing = [c for c in ("level", "unit_id", "role", "actual") if c not in actual.columns]
    if missing:
        raise InputDataError(
            f"actual staff needs column(s) {', '.join(missing)}; "
            f"the table has: {', '.join(map(str, actual.columns))}"
        )
    unknown_roles = sorted(set(actual["role"]) - set(ROLES))
    if unknown_roles:
        raise InputDataError(
            f"actual staff has unknown role(s) {', '.join(map(str, unknown_roles))}: "
            f"use one of {', '.join(ROLES)}"
        )
    counts = pd.to_numeric(actual["actual"], errors="coerce")
    bad = actual.index[counts.isna() | (counts < 0)]
    if len(bad):
        raise InputDataError(
            "actual staff counts must be whole numbers >= 0; rows "
            f"{', '.join(map(str, bad[:10]))} are not"
        )
    keyed = actual.assign(actual=counts).groupby(["level", "unit_id", "role"])["actual"].sum()
    known_units = set(zip(table["level"], table["unit_id"], strict=True))
    strays = sorted({(level, unit) for level, unit, _ in keyed.index} - known_units, key=str)
    if strays:
        listed = ", ".join(f"{level} {unit}" for level, unit in strays[:10])
        raise InputDataError(
            f"actual staff given for unit(s) not in the plan: {listed}; "
            "check the unit ids of the staff table"
        )
    index = pd.MultiIndex.from_frame(table[["level", "unit_id", "role"]])
    return pd.Series(keyed.reindex(index).to_numpy(dtype="float64"), index=table.index)
