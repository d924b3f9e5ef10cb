"""Staffing of a plan's units and of the district as it is now, and the two compared.

Builds the unit table (grids, communities, subdistricts, district) of a plan or of the
current division, attributes the actual staff (:mod:`jinfeng_grid.staffing.actual`) and
prices it with the norms (:func:`jinfeng_grid.staffing.norms.staffing_table`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from jinfeng_grid.config.options import DEFAULT_DISTRICT_CODE, DEFAULT_DISTRICT_NAME
from jinfeng_grid.errors import InputDataError, PlanCheckError
from jinfeng_grid.staffing.actual import _known_actual, _same_members, staff_by_unit
from jinfeng_grid.staffing.norms import LEVELS, ROLES, StaffingNorms, staffing_table

if TYPE_CHECKING:
    from jinfeng_grid.plan.value import Plan

__all__ = [
    "PlanStaffing",
    "plan_staffing",
    "staffing_before_plan",
    "staffing_comparison",
    "staffing_current",
    "staffing_for_plan",
]


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
    plan: Plan,
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
        A plan directory read by :func:`jinfeng_grid.plan.read_plan`.
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
    >>> table = staffing_for_plan(read_plan("plan/"))  # doctest: +SKIP
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
    plan: Plan,
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


@dataclass(frozen=True)
class PlanStaffing:
    """The staff a plan's units need and have, computed once for every output.

    Attributes
    ----------
    units
        :func:`staffing_for_plan`: every grid, community, subdistrict and the district
        of the plan.
    current
        :func:`staffing_before_plan`: the current units, or None when the plan's
        compounds carry no current community.
    """

    units: pd.DataFrame
    current: pd.DataFrame | None


def plan_staffing(plan: Plan) -> PlanStaffing:
    """The staffing of a plan and of its current units, under the plan's district.

    The district's code and name come from the plan's scenario (``[report]``). This is
    what the maps, the atlas and the workbook show; they take it as data.

    Raises
    ------
    InputDataError
        If the plan's staff table cannot be attributed to its units.
    """
    keys = {
        "district_id": plan.scenario.report.district_code,
        "district_name": plan.scenario.report.district_name,
    }
    return PlanStaffing(
        units=staffing_for_plan(plan, **keys), current=staffing_before_plan(plan, **keys)
    )
