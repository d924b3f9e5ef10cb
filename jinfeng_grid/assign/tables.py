"""The tables of an assignment: rows per person, coverage layers, workload, hires.

Private to :mod:`jinfeng_grid.assign`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd

from jinfeng_grid.assign.model import CoverSolution

if TYPE_CHECKING:
    from jinfeng_grid.assign.options import AssignOptions
    from jinfeng_grid.plan.value import Plan

__all__ = [
    "assignment_rows",
    "coverage_layer",
    "hires_table",
    "requirements",
    "uncovered_table",
    "workload_table",
]


def assignment_rows(
    people: pd.DataFrame,
    served: Mapping[str, tuple[str, ...]],
    keep: Mapping[str, str | None],
    had_unit: Mapping[str, bool],
    grids: pd.DataFrame,
    communities: pd.DataFrame,
) -> pd.DataFrame:
    rows: list[dict[str, Any]] = []
    for person in people.itertuples(index=False):
        units = served.get(person.staff_id, ())
        table, level = (
            (grids, "grid") if person.role == "grid_worker" else (communities, "community")
        )
        kept = keep.get(person.staff_id) in units
        base = {
            "staff_id": person.staff_id,
            "role": person.role,
            "employment": person.employment,
            "current_community": person.community,
            "current_grid": person.grid,
            "current_police_room": person.police_room,
            "successor": keep.get(person.staff_id),
        }
        reassigned = bool(had_unit.get(person.staff_id)) and not kept
        if not units:
            rows.append({**base, "level": level, "status": "unassigned", "reassigned": reassigned})
            continue
        ordered = sorted(units, key=lambda u: (u != keep.get(person.staff_id), u))
        for k, unit in enumerate(ordered):
            unit_row = table.loc[unit]
            if unit == keep.get(person.staff_id):
                status = "kept"
            elif k > 0:
                status = "added"
            elif had_unit.get(person.staff_id):
                status = "reassigned"
            else:
                status = "new"
            rows.append(
                {
                    **base,
                    "level": level,
                    "unit_id": unit,
                    "unit_name": str(unit_row["name"]),
                    "community_id": str(unit_row.get("community_id", unit)),
                    "subdistrict_id": str(unit_row["subdistrict_id"]),
                    "households": int(unit_row["households"]),
                    "population": int(unit_row["population"]),
                    "status": status,
                    "reassigned": reassigned,
                }
            )
    columns = [
        "staff_id",
        "role",
        "employment",
        "current_community",
        "current_grid",
        "current_police_room",
        "successor",
        "level",
        "unit_id",
        "unit_name",
        "community_id",
        "subdistrict_id",
        "households",
        "population",
        "status",
        "reassigned",
    ]
    frame = pd.DataFrame(rows, columns=columns)
    frame["households"] = frame["households"].astype("Int64")
    frame["population"] = frame["population"].astype("Int64")
    return frame


def coverage_layer(
    layer: gpd.GeoDataFrame, key: str, solution: CoverSolution, people: pd.DataFrame
) -> gpd.GeoDataFrame:
    out = layer.copy()
    by_unit = {u: p for p, units in solution.served.items() for u in units}
    employment = dict(zip(people["staff_id"], people["employment"], strict=True))
    ids = out[key].astype(str)
    out["covered"] = ids.isin(list(by_unit))
    out["staff_id"] = ids.map(by_unit)
    out["employment"] = out["staff_id"].map(employment)
    out["person_units"] = (
        out["staff_id"].map({p: len(units) for p, units in solution.served.items()}).astype("Int64")
    )
    return out


def workload_table(
    people: pd.DataFrame,
    served: Mapping[str, tuple[str, ...]],
    grids: pd.DataFrame,
    communities: pd.DataFrame,
    options: AssignOptions,
) -> pd.DataFrame:
    from jinfeng_grid.standards import standard

    grid_norm = int(standard("grid_households").maximum)
    rows = []
    for person in people.itertuples(index=False):
        units = served.get(person.staff_id, ())
        table = grids if person.role == "grid_worker" else communities
        households = int(table.loc[list(units), "households"].sum()) if units else 0
        population = int(table.loc[list(units), "population"].sum()) if units else 0
        limit = grid_norm if person.role == "grid_worker" else None
        rows.append(
            {
                "staff_id": person.staff_id,
                "role": person.role,
                "employment": person.employment,
                "units": len(units),
                "unit_ids": ";".join(units),
                "households": households,
                "population": population,
                "above_norm": households > limit
                if limit is not None
                else population > options.residents_per_officer,
            }
        )
    return pd.DataFrame(rows)


def uncovered_table(grids: gpd.GeoDataFrame, communities: gpd.GeoDataFrame) -> pd.DataFrame:
    frames = []
    for layer, key, level, hire in (
        (grids, "grid_id", "grid", "grid_worker"),
        (communities, "community_id", "community", "police"),
    ):
        left = pd.DataFrame(layer.loc[~layer["covered"]]).drop(columns="geometry")
        left = left.sort_values(["households", key], ascending=[False, True], kind="stable")
        frames.append(
            pd.DataFrame(
                {
                    "level": level,
                    "rank": np.arange(1, len(left) + 1),
                    "unit_id": left[key].astype(str).to_numpy(),
                    "unit_name": left["name"].astype(str).to_numpy(),
                    "community_id": left["community_id"].astype(str).to_numpy(),
                    "subdistrict_id": left["subdistrict_id"].astype(str).to_numpy(),
                    "households": left["households"].astype(int).to_numpy(),
                    "population": left["population"].astype(int).to_numpy(),
                    "hire": hire,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def hires_table(
    grids: gpd.GeoDataFrame, communities: gpd.GeoDataFrame, *, full_time_grids: int
) -> pd.DataFrame:
    """Per subdistrict and role, the units nobody covers and the hires that close them.

    A grid left uncovered needs a part-time worker, and every ``full_time_grids`` of
    them a full-time one; a community left uncovered needs a police officer.
    """
    rows = []
    for role, units in (("grid_worker", grids), ("police", communities)):
        for subdistrict, group in units.groupby(units["subdistrict_id"].astype(str), sort=True):
            left = int((~group["covered"]).sum())
            grid = role == "grid_worker"
            rows.append(
                {
                    "role": role,
                    "subdistrict_id": subdistrict,
                    "uncovered": left,
                    "households": int(group.loc[~group["covered"], "households"].sum()),
                    "part_time_hires": left if grid else 0,
                    "full_time_hires": math.ceil(left / full_time_grids) if grid else 0,
                    "police_hires": 0 if grid else left,
                }
            )
    return pd.DataFrame(rows)


def requirements(
    plan: Plan, workers: pd.DataFrame, officers: pd.DataFrame
) -> dict[str, dict[str, Any]]:
    """The plan's staffing norm at district level beside the roster (see ``staffing``)."""
    from jinfeng_grid.staffing.norms import required_staff

    need = required_staff(
        int(plan.compounds["households"].sum()),
        int(plan.compounds["population"].sum()),
        grids=len(plan.grids),
    )
    out: dict[str, dict[str, Any]] = {}
    for role, people in (("grid_worker", workers), ("police", officers)):
        low, high, basis = need[role]
        out[role] = {
            "required_min": low,
            "required_max": high,
            "basis": basis,
            "roster": len(people),
            "norm_shortfall": max(0, low - len(people)),
        }
    out["police"]["communities"] = len(plan.communities)
    return out
