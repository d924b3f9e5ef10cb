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
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from jinfeng_grid.config.options import DEFAULT_DISTRICT_CODE, DEFAULT_DISTRICT_NAME
from jinfeng_grid.errors import ConfigError, InputDataError, PlanCheckError
from jinfeng_grid.standards import standard

if TYPE_CHECKING:
    from jinfeng_grid.io.plan_dir import PlanFiles

__all__ = [
    "ROLES",
    "ROLE_COLUMNS",
    "StaffingNorms",
    "required_staff",
    "staff_by_unit",
    "staffing_before_plan",
    "staffing_comparison",
    "staffing_current",
    "staffing_for_plan",
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


# --- actual staff: the input's staff table, attributed to units ---

ROLE_COLUMNS: Mapping[str, str] = {
    "grid_workers_full_time": "grid_worker",
    "grid_workers_part_time": "grid_worker",
    "grid_workers": "grid_worker",
    "grid_worker": "grid_worker",
    "community_workers": "community_worker",
    "community_worker": "community_worker",
    "police": "police",
    "medical": "medical",
    "cdc": "cdc",
}
"""Columns of a staff table that count people, and the role each counts."""

_ID_COLUMNS = frozenset(
    {
        "level",
        "subdistrict",
        "subdistrict_id",
        "community",
        "community_id",
        "name",
        "unit_id",
        "unit_name",
        "fid",
        "note",
        "notes",
    }
)
_STAFF_LEVELS = ("district", "subdistrict", "community")


def staff_by_unit(staff: pd.DataFrame, compounds: pd.DataFrame) -> pd.DataFrame:
    """Check a staff table against the current communities and put it in long form.

    Parameters
    ----------
    staff
        One row per unit: ``level`` (``community``, ``subdistrict`` or ``district``;
        inferred from which of ``community``/``subdistrict`` is filled when absent),
        ``community`` and/or ``subdistrict`` names of the *current* units, and count
        columns named in :data:`ROLE_COLUMNS` (e.g. ``grid_workers_full_time``,
        ``grid_workers_part_time``, ``police``, ``medical``, ``cdc``).
    compounds
        Compounds with their current ``community`` and ``subdistrict`` names.

    Returns
    -------
    pandas.DataFrame
        Columns ``level, subdistrict, community, role, actual``; one row per staff row
        and role (full- and part-time grid workers are added up), the subdistrict of
        a community row taken from the compounds.

    Raises
    ------
    InputDataError
        For a column that is neither a role nor an id, a level the table cannot have,
        a count that is not a whole number >= 0, or a community/subdistrict that no
        compound belongs to; every offending row is named.
    """
    table = pd.DataFrame(staff).drop(columns=["geometry"], errors="ignore")
    unknown = [c for c in table.columns if c not in ROLE_COLUMNS and c not in _ID_COLUMNS]
    if unknown:
        raise InputDataError(
            f"staff table column(s) {', '.join(map(str, unknown))} are neither a role nor a "
            f"unit name: role columns are {', '.join(ROLE_COLUMNS)}; rename or drop them"
        )
    roles = [c for c in table.columns if c in ROLE_COLUMNS]
    if not roles:
        raise InputDataError(
            "staff table has no role column: give counts in columns such as "
            f"{', '.join(ROLE_COLUMNS)}"
        )
    table = table.reset_index(drop=True)
    for key in ("subdistrict", "community"):
        if key not in table.columns:
            table[key] = None
        table[key] = table[key].where(table[key].notna() & (table[key].astype(str) != ""), None)
    if "level" not in table.columns:
        table["level"] = np.where(
            table["community"].notna(),
            "community",
            np.where(table["subdistrict"].notna(), "subdistrict", "district"),
        )
    where = [_row_name(table, i) for i in table.index]
    problems: list[str] = []
    bad_level = [where[i] for i in table.index if table.at[i, "level"] not in _STAFF_LEVELS]
    if bad_level:
        problems.append(
            f"level must be one of {', '.join(_STAFF_LEVELS)} (rows {', '.join(bad_level)})"
        )
    for column in roles:
        counts = pd.to_numeric(table[column], errors="coerce")
        bad = counts.isna() | (counts < 0) | (counts != counts.round())
        if bad.any():
            rows = ", ".join(
                f"{where[i]}: {_shown(table.at[i, column])}" for i in table.index[bad][:10]
            )
            problems.append(f"{column} must be a whole number >= 0 ({rows})")
        table[column] = counts
    known = _current_membership(compounds)
    for i in table.index:
        level, community = table.at[i, "level"], table.at[i, "community"]
        subdistrict = table.at[i, "subdistrict"]
        if level == "community":
            if community is None or str(community) not in known:
                problems.append(
                    f"{where[i]}: community {community!r} is not the current community of any "
                    "compound; use the names of the compounds' community column "
                    f"({', '.join(sorted(known)[:8])}, ...)"
                )
                continue
            current_sd = known[str(community)]
            if subdistrict is not None and str(subdistrict) != current_sd:
                problems.append(
                    f"{where[i]}: community {community} lies in subdistrict {current_sd}, "
                    f"not {subdistrict}"
                )
            table.at[i, "subdistrict"] = current_sd
        elif level == "subdistrict" and str(subdistrict) not in set(known.values()):
            problems.append(
                f"{where[i]}: subdistrict {subdistrict!r} is not the current subdistrict of "
                "any compound"
            )
    duplicated = table.loc[table["level"] == "community", "community"]
    twice = sorted(set(duplicated[duplicated.duplicated()].astype(str)))
    if twice:
        problems.append(f"communities listed more than once: {', '.join(twice)}")
    if problems:
        raise InputDataError("bad staff table: " + "; ".join(problems))
    long = table.melt(
        id_vars=["level", "subdistrict", "community"], value_vars=roles, value_name="actual"
    )
    long["role"] = long["variable"].map(ROLE_COLUMNS)
    return (
        long.groupby(["level", "subdistrict", "community", "role"], dropna=False, sort=False)[
            "actual"
        ]
        .sum()
        .astype(int)
        .reset_index()
    )


def _shown(value: object) -> str:
    return repr(value) if isinstance(value, str) else str(value)


def _row_name(table: pd.DataFrame, i: int) -> str:
    for key in ("community", "subdistrict"):
        value = table.at[i, key]
        if value is not None:
            return f"row {i + 1} ({value})"
    return f"row {i + 1}"


def _current_membership(compounds: pd.DataFrame) -> dict[str, str]:
    """Current community name → its subdistrict name."""
    if "community" not in compounds.columns:
        return {}
    subdistrict = compounds["subdistrict"] if "subdistrict" in compounds.columns else None
    pairs = pd.DataFrame(
        {
            "community": compounds["community"],
            "subdistrict": subdistrict if subdistrict is not None else "",
        }
    ).dropna(subset=["community"])
    return {
        str(c): str(s)
        for c, s in pairs.drop_duplicates("community").itertuples(index=False, name=None)
    }


def _known_actual(
    long: pd.DataFrame,
    compounds: pd.DataFrame,
    *,
    subdistricts: Mapping[str, str],
    communities: Mapping[str, str],
    district_id: str,
) -> pd.DataFrame:
    """Actual staff of the units whose staff the table pins down (see ``staffing_for_plan``).

    ``subdistricts``/``communities`` map unit ids to the *current* subdistrict/community
    name that has exactly the same compounds; units not in them stay unknown.
    """
    membership = _current_membership(compounds)
    rows: list[dict[str, object]] = []
    has = {level: long[long["level"] == level] for level in _STAFF_LEVELS}
    community_rows = set(has["community"]["community"].astype(str))
    subdistrict_rows = set(has["subdistrict"]["subdistrict"].astype(str))
    covered = {
        c
        for c, s in membership.items()
        if c in community_rows or s in subdistrict_rows or len(has["district"])
    }
    for role in sorted(set(long["role"])):
        of_role = long[long["role"] == role]
        above = {
            level: of_role[of_role["level"] == level]
            for level in ("district", "subdistrict", "community")
        }
        district_total = int(above["district"]["actual"].sum())
        if covered == set(membership):
            rows.append(
                {
                    "level": "district",
                    "unit_id": district_id,
                    "role": role,
                    "actual": int(of_role["actual"].sum()),
                }
            )
        if district_total:
            continue  # staff held at district level belongs to no smaller unit
        for unit_id, name in subdistricts.items():
            members = {c for c, s in membership.items() if s == name}
            if not members or not all(
                c in community_rows or name in subdistrict_rows for c in members
            ):
                continue
            in_unit = of_role[of_role["subdistrict"].astype(str) == name]
            rows.append(
                {
                    "level": "subdistrict",
                    "unit_id": unit_id,
                    "role": role,
                    "actual": int(in_unit["actual"].sum()),
                }
            )
        held_above = set(
            above["subdistrict"].loc[above["subdistrict"]["actual"] > 0, "subdistrict"]
        )
        for unit_id, name in communities.items():
            if name not in community_rows or membership.get(name) in held_above:
                continue
            in_unit = above["community"][above["community"]["community"].astype(str) == name]
            rows.append(
                {
                    "level": "community",
                    "unit_id": unit_id,
                    "role": role,
                    "actual": int(in_unit["actual"].sum()),
                }
            )
    return pd.DataFrame(rows, columns=["level", "unit_id", "role", "actual"])


def _same_members(new: pd.Series, current: pd.Series) -> dict[str, str]:
    """New unit id → current unit name, for new units with exactly a current unit's compounds."""
    pairs = pd.DataFrame({"new": new.astype(str), "current": current}).dropna()
    if len(pairs) != len(new):
        return {}
    new_of_current = pairs.groupby("current")["new"].agg(lambda s: set(s))
    current_of_new = pairs.groupby("new")["current"].agg(lambda s: set(s))
    same: dict[str, str] = {}
    for unit, names in current_of_new.items():
        if len(names) == 1:
            name = next(iter(names))
            if new_of_current[name] == {unit}:
                same[str(unit)] = str(name)
    return same


def _district_row(frame: pd.DataFrame, district_id: str, district_name: str, grids: int | None):
    return {
        "level": "district",
        "unit_id": district_id,
        "unit_name": district_name,
        "households": int(frame["households"].sum()),
        "population": int(frame["population"].sum()),
        "grids": grids,
    }


def staffing_for_plan(
    plan: PlanFiles,
    *,
    norms: StaffingNorms | None = None,
    district_id: str = DEFAULT_DISTRICT_CODE,
    district_name: str = DEFAULT_DISTRICT_NAME,
) -> pd.DataFrame:
    """Staffing of every grid, community, subdistrict and the district of a plan.

    Requirements follow the norms (one grid worker per planned grid). Actual staff
    come from the plan's ``staff`` table, which counts people by *current* unit, and
    are shown only where they can be attributed without guessing:

    - a planned community or subdistrict gets the actual staff of the current one
      that has exactly the same compounds (an unchanged unit); every re-drawn unit's
      actual staff is unknown (empty), since who goes where is decided by
      :mod:`jinfeng_grid.assign`, not by arithmetic;
    - the district gets the table's totals when the table covers every current
      community (a ``district`` row covers them all);
    - staff that the table holds at district (or subdistrict) level, e.g. CDC staff,
      appear only at that level: the smaller units' actual for that role is unknown;
    - grids never have actual staff from the table (it has no grid rows).

    Parameters
    ----------
    plan
        A plan directory read by :func:`jinfeng_grid.io.read_plan`.
    norms
        The norms; the shipped standards when ``None``.
    district_id, district_name
        The district's code and name for the district row.

    Returns
    -------
    pandas.DataFrame
        The long form of :func:`staffing_table`, grids first, then communities,
        subdistricts and the district.

    Raises
    ------
    InputDataError
        For a staff table that does not fit the plan's current units (see
        :func:`staff_by_unit`).
    PlanCheckError
        If households or population differ between the plan's levels.

    Examples
    --------
    >>> from jinfeng_grid import io
    >>> table = staffing_for_plan(io.read_plan("plan/"))  # doctest: +SKIP
    >>> table.query("level == 'district'")[["role", "required_min", "actual"]]  # doctest: +SKIP
    """
    compounds, communities, grids = plan.compounds, plan.communities, plan.grids
    _check_conserved(compounds, communities, grids)
    units = [
        pd.DataFrame(
            {
                "level": "grid",
                "unit_id": grids["grid_id"].astype(str),
                "unit_name": grids["name"].astype(str),
                "households": grids["households"].astype(int),
                "population": grids["population"].astype(int),
                "grids": 1,
            }
        ),
        pd.DataFrame(
            {
                "level": "community",
                "unit_id": communities["community_id"].astype(str),
                "unit_name": communities["name"].astype(str),
                "households": communities["households"].astype(int),
                "population": communities["population"].astype(int),
                "grids": communities["community_id"]
                .astype(str)
                .map(grids["community_id"].astype(str).value_counts())
                .fillna(0)
                .astype(int),
            }
        ),
    ]
    by_subdistrict = compounds.groupby(compounds["subdistrict_id"].astype(str), sort=True).agg(
        households=("households", "sum"), population=("population", "sum")
    )
    name_column = next(
        (c for c in ("subdistrict_name", "subdistrict") if c in compounds.columns), None
    )
    if plan.subdistricts is not None and "name" in plan.subdistricts.columns:
        names = plan.subdistricts.set_index(plan.subdistricts["subdistrict_id"].astype(str))["name"]
    elif name_column is not None:
        # the new subdistrict's name (re-drawn plans), else the current one's
        names = compounds.groupby(compounds["subdistrict_id"].astype(str))[name_column].first()
    else:
        names = pd.Series(dtype=object)
    grid_counts = grids["subdistrict_id"].astype(str).value_counts()
    units.append(
        pd.DataFrame(
            {
                "level": "subdistrict",
                "unit_id": by_subdistrict.index,
                "unit_name": [str(names.get(i, i)) for i in by_subdistrict.index],
                "households": by_subdistrict["households"].astype(int).to_numpy(),
                "population": by_subdistrict["population"].astype(int).to_numpy(),
                "grids": [int(grid_counts.get(i, 0)) for i in by_subdistrict.index],
            }
        )
    )
    units.append(pd.DataFrame([_district_row(compounds, district_id, district_name, len(grids))]))
    actual = None
    if plan.staff is not None and len(plan.staff):
        long = staff_by_unit(plan.staff, compounds)
        actual = _known_actual(
            long,
            compounds,
            subdistricts=_same_members(compounds["subdistrict_id"], compounds.get("subdistrict")),
            communities=_same_members(compounds["community_id"], compounds.get("community")),
            district_id=district_id,
        )
    return staffing_table(pd.concat(units, ignore_index=True), actual=actual, norms=norms)


def _check_conserved(compounds: pd.DataFrame, *levels: pd.DataFrame) -> None:
    for key in ("households", "population"):
        total = int(compounds[key].sum())
        for level in levels:
            if int(level[key].sum()) != total:
                raise PlanCheckError(
                    f"the plan's {key} do not add up: compounds hold {total:,}, a level holds "
                    f"{int(level[key].sum()):,}; re-run jinfeng-grid plan"
                )


def staffing_current(
    compounds: pd.DataFrame,
    *,
    buildings: pd.DataFrame | None = None,
    staff: pd.DataFrame | None = None,
    norms: StaffingNorms | None = None,
    district_id: str = DEFAULT_DISTRICT_CODE,
    district_name: str = DEFAULT_DISTRICT_NAME,
) -> pd.DataFrame:
    """Staffing of a district as it is now: its current grids, communities, subdistricts.

    Parameters
    ----------
    compounds
        Compounds (``id``, ``households``, ``population``) with their current
        ``subdistrict`` and ``community`` names (optional ``community_id`` codes; a
        compound without a community is counted at district level only) and
        optionally their current ``grid``.
    buildings
        Buildings (``compound_id``, ``households``, optional ``population``) with their
        current ``grid``; when given they define the current grids, else the
        compounds' ``grid`` column does; without either, grid workers are required by
        the household rule (households/500 .. households/300).
    staff
        The actual staff table (see :func:`staff_by_unit`); every unit it names gets
        its actual staff, the district its totals.
    norms, district_id, district_name
        As for :func:`staffing_for_plan`.

    Returns
    -------
    pandas.DataFrame
        The long form of :func:`staffing_table`.

    Examples
    --------
    >>> from jinfeng_grid import io
    >>> path = io.sample_path()
    >>> table = staffing_current(
    ...     io.read_compounds(path),
    ...     buildings=io.read_buildings(path),
    ...     staff=io.read_layer(path, layer="staff"),
    ... )
    >>> district = table[table["level"] == "district"].set_index("role")
    >>> int(district.loc["grid_worker", "required_min"]), int(district.loc["police", "actual"])
    (400, 48)
    """
    frame = pd.DataFrame(compounds).drop(columns=["geometry"], errors="ignore").copy()
    has_community = "community" in frame.columns and frame["community"].notna().any()
    grid_of = _current_grids(frame, buildings)
    units: list[dict[str, object]] = []
    if grid_of is not None:
        for grid, group in grid_of.groupby("grid", sort=True):
            units.append(
                {
                    "level": "grid",
                    "unit_id": str(grid),
                    "unit_name": str(grid),
                    "households": int(group["households"].sum()),
                    "population": int(group["population"].sum()),
                    "grids": 1,
                }
            )
    community_ids: dict[str, str] = {}
    if has_community:
        if "community_id" in frame.columns:
            codes = frame.dropna(subset=["community"]).groupby("community")["community_id"]
            if (codes.nunique() == 1).all():
                community_ids = {str(k): str(v) for k, v in codes.first().items()}
        grid_community = (
            None
            if grid_of is None
            else grid_of.groupby("grid")["community"].agg(
                lambda s: s.mode().iloc[0] if s.notna().any() else None
            )
        )
        for name, group in frame.dropna(subset=["community"]).groupby("community", sort=True):
            grids = None if grid_community is None else int((grid_community == name).sum())
            units.append(
                {
                    "level": "community",
                    "unit_id": community_ids.get(str(name), str(name)),
                    "unit_name": str(name),
                    "households": int(group["households"].sum()),
                    "population": int(group["population"].sum()),
                    "grids": grids,
                }
            )
    if "subdistrict" in frame.columns and frame["subdistrict"].notna().any():
        for name, group in frame.dropna(subset=["subdistrict"]).groupby("subdistrict", sort=True):
            grids = None
            if grid_of is not None:
                sd_of_grid = grid_of.groupby("grid")["subdistrict"].first()
                grids = int((sd_of_grid == name).sum())
            units.append(
                {
                    "level": "subdistrict",
                    "unit_id": str(name),
                    "unit_name": str(name),
                    "households": int(group["households"].sum()),
                    "population": int(group["population"].sum()),
                    "grids": grids,
                }
            )
    units.append(
        _district_row(
            frame,
            district_id,
            district_name,
            None if grid_of is None else grid_of["grid"].nunique(),
        )
    )
    actual = None
    if staff is not None and len(staff):
        if not has_community:
            raise InputDataError(
                "a staff table needs the compounds' current community column to attribute "
                "staff to communities; map it with --column community=NAME"
            )
        long = staff_by_unit(staff, frame)
        names = sorted(set(frame["community"].dropna().astype(str)))
        subdistricts = sorted(set(frame["subdistrict"].dropna().astype(str)))
        actual = _known_actual(
            long,
            frame,
            subdistricts={s: s for s in subdistricts},
            communities={community_ids.get(n, n): n for n in names},
            district_id=district_id,
        )
    table = pd.DataFrame(units)
    return staffing_table(table, actual=actual, norms=norms)


def _current_grids(frame: pd.DataFrame, buildings: pd.DataFrame | None) -> pd.DataFrame | None:
    """Pieces (buildings or compounds) with their current ``grid``, community, subdistrict."""
    context = frame.set_index(frame["id"].astype(str))
    if buildings is not None and "grid" in buildings.columns and buildings["grid"].notna().any():
        pieces = pd.DataFrame(buildings).drop(columns=["geometry"], errors="ignore")
        missing = pieces["grid"].isna()
        if missing.any():
            raise InputDataError(
                f"{int(missing.sum())} buildings have no current grid (e.g. "
                f"{', '.join(map(str, pieces.loc[missing, 'id'].head(5)))}): give every "
                "building its grid or none"
            )
        compound = pieces["compound_id"].astype(str)
        if "population" not in pieces.columns:
            raise InputDataError("buildings need a population column for the grid staffing")
        return pd.DataFrame(
            {
                "grid": pieces["grid"].astype(str),
                "households": pieces["households"].astype(int),
                "population": pieces["population"].astype(int),
                "community": compound.map(context.get("community", pd.Series(dtype=object))),
                "subdistrict": compound.map(context.get("subdistrict", pd.Series(dtype=object))),
            }
        )
    if "grid" in frame.columns and frame["grid"].notna().all():
        return pd.DataFrame(
            {
                "grid": frame["grid"].astype(str),
                "households": frame["households"].astype(int),
                "population": frame["population"].astype(int),
                "community": frame.get("community"),
                "subdistrict": frame.get("subdistrict"),
            }
        )
    return None


def staffing_before_plan(
    plan: PlanFiles,
    *,
    norms: StaffingNorms | None = None,
    district_id: str = DEFAULT_DISTRICT_CODE,
    district_name: str = DEFAULT_DISTRICT_NAME,
) -> pd.DataFrame | None:
    """Staffing of the district before a plan, from the compounds' current units.

    ``None`` when the plan's compounds carry no current community.
    """
    compounds = pd.DataFrame(plan.compounds).drop(columns=["geometry"], errors="ignore")
    if "community" not in compounds.columns or compounds["community"].isna().all():
        return None
    current = compounds.drop(columns=["community_id", "community_name"], errors="ignore")
    current = current.rename(columns={"compound_id": "id"})
    if plan.staff is not None and {"community", "community_id"} <= set(plan.staff.columns):
        codes = plan.staff.dropna(subset=["community"]).set_index("community")["community_id"]
        current["community_id"] = current["community"].map(codes)
    buildings = None
    if plan.buildings is not None and "grid" in plan.buildings.columns:
        buildings = pd.DataFrame(plan.buildings).rename(columns={"building_id": "id"})
    return staffing_current(
        current,
        buildings=buildings,
        staff=plan.staff,
        norms=norms,
        district_id=district_id,
        district_name=district_name,
    )


COMPARISON_COLUMNS: tuple[str, ...] = (
    "level",
    "role",
    "units_before",
    "units_after",
    "required_min_before",
    "required_max_before",
    "required_min_after",
    "required_max_after",
    "actual_before",
    "actual_after",
    "shortfall_before",
    "shortfall_after",
)


def staffing_comparison(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """Before/after staffing by level and role, from two :func:`staffing_table` results.

    Requirements are summed over the units of a level. ``actual`` and ``shortfall``
    are summed only when every unit of the level has known actual staff (else
    empty): a shortfall is per unit, so a district total can hide one unit's gap.

    Parameters
    ----------
    before, after
        Long-form staffing tables, e.g. :func:`staffing_before_plan` and
        :func:`staffing_for_plan`.

    Returns
    -------
    pandas.DataFrame
        One row per level (grid, community, subdistrict, district) and role, columns
        :data:`COMPARISON_COLUMNS`.

    Examples
    --------
    >>> units = pd.DataFrame([{"level": "district", "unit_id": "640106",
    ...     "unit_name": "金凤区", "households": 3_000, "population": 8_000}])
    >>> staffing_comparison(staffing_table(units), staffing_table(units)).shape
    (5, 12)
    """
    sides = {}
    for label, table in (("before", before), ("after", after)):
        grouped = table.groupby(["level", "role"], sort=False)
        known = grouped["actual"].apply(lambda s: bool(s.notna().all()))
        summed = grouped.agg(
            units=("unit_id", "size"),
            required_min=("required_min", "sum"),
            required_max=("required_max", "sum"),
            actual=("actual", "sum"),
            shortfall=("shortfall", "sum"),
        )
        summed.loc[~known, ["actual", "shortfall"]] = np.nan
        sides[label] = summed.add_suffix(f"_{label}")
    merged = sides["before"].join(sides["after"], how="outer").reset_index()
    merged["_level"] = merged["level"].map({lv: i for i, lv in enumerate(LEVELS)})
    merged["_role"] = merged["role"].map({r: i for i, r in enumerate(ROLES)})
    merged = merged.sort_values(["_level", "_role"], kind="stable").reset_index(drop=True)
    for column in ("units_before", "units_after"):
        merged[column] = merged[column].fillna(0).astype(int)
    return merged.loc[:, list(COMPARISON_COLUMNS)]
