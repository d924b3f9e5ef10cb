"""Put the actual staff on the new units: grid workers on grids, police on communities.

A plan is adopted when each new grid has a named grid worker and each community its
police officer. :func:`assign_staff` takes a plan (:func:`jinfeng_grid.plan.read_plan`)
and a roster of people (:func:`check_roster`) and solves an integer program
(:mod:`jinfeng_grid.assign.model`) under these rules:

- a **part-time** grid worker (a member of the community committee) serves at most
  one grid, and only a grid of their *own community*. After a re-plan their own
  community is the new community that holds most of the households of their current
  grid (if the roster names it), else of their current community;
- a **full-time** grid worker serves up to ``full_time_grids`` (2) grids, all in one
  subdistrict: the subdistrict they work in now (if the roster does not say, any one);
- a **police officer** serves communities within reach of the place they work from:
  their police room (the roster's ``police_room``) or, without one, their current
  community's residents' committee (the area of its compounds); reach is the
  distance from that place to the new community's boundary, ``police_reach_m``
  (default 1,000 m, the upper end of the 15-minute living circle of GB 50180-2018).
  The communities one officer serves hold at most ``residents_per_officer``
  residents together (default 5,000: the norm's 1 officer per 3,000-5,000 residents);
  a community above that is served by its officer alone;
- **a unit still exists** after a re-plan when one new unit holds more than half of
  its households (its *successor*); a person who serves the successor of their current
  unit is not reassigned.

The objective is lexicographic, solved in three stages each proven optimal before its
value is fixed: (1) the most households covered, (2) the largest households per
person as small as possible, (3) the fewest people moved off the successor of their
unit. Grid workers and police are independent problems and are solved apart.

When staff are short, :attr:`StaffAssignment.uncovered` lists the grids and
communities left without a person, largest first, and :attr:`StaffAssignment.hires`
says how many hires of which kind close the gap: a part-time worker per uncovered grid
(from that grid's community), or a full-time worker per two uncovered grids of a
subdistrict; a police officer per uncovered community.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import pandas as pd

from jinfeng_grid.assign.model import CoverProblem, StageOutcome, solve_cover
from jinfeng_grid.assign.options import AssignOptions
from jinfeng_grid.assign.roster import (
    CurrentUnits,
    check_roster,
    current_units,
)
from jinfeng_grid.assign.tables import (
    assignment_rows,
    coverage_layer,
    hires_table,
    requirements,
    uncovered_table,
    workload_table,
)

if TYPE_CHECKING:
    from jinfeng_grid.plan.value import Plan

__all__ = [
    "ASSIGNED_ROLES",
    "StaffAssignment",
    "assign_staff",
]

logger = logging.getLogger(__name__)

ASSIGNED_ROLES: tuple[str, ...] = ("grid_worker", "police")
"""Roles that :func:`assign_staff` puts on units; the other roles of
:data:`jinfeng_grid.staffing.ROLES` may be in a roster and are left as they are."""


# --- the assignment ------------------------------------------------------------------


@dataclass(frozen=True)
class StaffAssignment:
    """Who serves which unit, what is left uncovered, and how the model was solved.

    Attributes
    ----------
    assignments
        One row per person and unit served (a person serving nothing has one row
        with an empty unit): ``staff_id, role, employment, current_community,
        current_grid, current_police_room, level, unit_id, unit_name, community_id,
        subdistrict_id, households, population, status, reassigned``. ``status`` is
        ``kept`` (the successor of the person's current unit), ``reassigned`` (a
        person who had a unit serves another one), ``added`` (a second grid of a
        full-time worker), ``new`` (a person without a current unit) or
        ``unassigned``.
    uncovered
        Grids and communities without a person, largest first within each level, with
        ``rank`` and the ``hire`` that closes each.
    workload
        One row per person: units served, their households and residents, and whether
        that is above the norm (500 households per grid worker; the residents cap per
        officer).
    hires
        Per role and subdistrict: uncovered units and households, and the hires that
        close them (part-time or full-time grid workers; police officers).
    grids, communities
        The plan's layers with ``covered``, the ``staff_id`` and ``employment`` of the
        person serving the unit, and ``person_units`` (how many units that person
        serves), for maps coloured by coverage.
    stages
        Role → the three stage outcomes.
    """

    assignments: pd.DataFrame
    uncovered: pd.DataFrame
    workload: pd.DataFrame
    hires: pd.DataFrame
    grids: gpd.GeoDataFrame
    communities: gpd.GeoDataFrame
    stages: Mapping[str, tuple[StageOutcome, ...]] = field(default_factory=dict)
    requirements: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    @property
    def proven(self) -> bool:
        """Whether every stage of every role was proven optimal."""
        return all(s.status == "optimal" for stages in self.stages.values() for s in stages)

    def summary(self) -> dict[str, Any]:
        """Figures per role: units, covered, households, workload, moves, stages, hires."""
        out: dict[str, Any] = {}
        for role, layer in (("grid_worker", self.grids), ("police", self.communities)):
            people = self.workload[self.workload["role"] == role]
            rows = self.assignments[self.assignments["role"] == role]
            person_rows = rows.drop_duplicates("staff_id")
            out[role] = {
                "units": len(layer),
                "covered": int(layer["covered"].sum()),
                "uncovered": int((~layer["covered"]).sum()),
                "households": int(layer["households"].sum()),
                "covered_households": int(layer.loc[layer["covered"], "households"].sum()),
                "people": len(people),
                "serving": int((people["units"] > 0).sum()),
                "largest_households_per_person": int(people["households"].max())
                if len(people)
                else 0,
                "kept": int((rows["status"] == "kept").sum()),
                "reassigned": int(person_rows["reassigned"].sum()),
                "unit_gone": int(
                    (
                        person_rows[
                            "current_grid" if role == "grid_worker" else "current_community"
                        ].notna()
                        & person_rows["successor"].isna()
                    ).sum()
                ),
                "requirement": dict(self.requirements.get(role, {})),
                "hires": self.hires[self.hires["role"] == role]
                .drop(columns="role")
                .to_dict(orient="records"),
                "stages": [
                    {
                        "name": s.name,
                        "status": s.status,
                        "objective": s.objective,
                        "bound": s.bound,
                        "seconds": round(s.seconds, 3),
                    }
                    for s in self.stages.get(role, ())
                ],
            }
        return out

    def __repr__(self) -> str:
        grids, comms = self.grids, self.communities
        proof = "optimal" if self.proven else "not proven optimal"
        return (
            f"<StaffAssignment {int(grids['covered'].sum())} of {len(grids)} grids and "
            f"{int(comms['covered'].sum())} of {len(comms)} communities covered, {proof}>"
        )


def assign_staff(
    plan: Plan,
    roster: pd.DataFrame,
    *,
    options: AssignOptions | None = None,
) -> StaffAssignment:
    """Assign every grid a grid worker and every community a police officer.

    Parameters
    ----------
    plan
        A plan directory read by :func:`jinfeng_grid.plan.read_plan`.
    roster
        The people (see :func:`check_roster`; checked here).
    options
        The rules' numbers and solver settings; :class:`AssignOptions` defaults when
        ``None``.

    Returns
    -------
    StaffAssignment
        See the module docstring for the rules and the objective.

    Raises
    ------
    InputDataError
        For a bad roster.
    SolverError
        If a stage found no plan within its time limit.

    Examples
    --------
    >>> from jinfeng_grid import io
    >>> plan = read_plan("plan/")  # doctest: +SKIP
    >>> people = io.read_layer("district.gpkg", layer="roster")  # doctest: +SKIP
    >>> result = assign_staff(plan, people)  # doctest: +SKIP
    >>> result.uncovered.head()  # doctest: +SKIP
    """
    options = options if options is not None else AssignOptions()
    people = check_roster(roster, plan)
    current = current_units(plan)
    grids = _units(plan.grids, "grid_id")
    communities = _units(plan.communities, "community_id")
    solve = {
        "solver": options.solver,
        "time_limit": options.time_limit,
        "threads": options.threads,
        "seed": options.seed,
    }
    workers = people[people["role"] == "grid_worker"]
    officers = people[people["role"] == "police"]
    grid_solution = solve_cover(_grid_problem(workers, grids, current, options), **solve)
    police_solution = solve_cover(
        _police_problem(officers, communities, plan, current, options), **solve
    )
    keep = {
        **{
            p: current.grid_successor.get(g)
            for p, g in zip(workers["staff_id"], workers["grid"], strict=True)
        },
        **{
            p: current.community_successor.get(c)
            for p, c in zip(officers["staff_id"], officers["community"], strict=True)
        },
    }
    had_unit = {
        **{p: g is not None for p, g in zip(workers["staff_id"], workers["grid"], strict=True)},
        **{
            p: c is not None
            for p, c in zip(officers["staff_id"], officers["community"], strict=True)
        },
    }
    served = {**grid_solution.served, **police_solution.served}
    assigned = people[people["role"].isin(ASSIGNED_ROLES)]
    assignments = assignment_rows(assigned, served, keep, had_unit, grids, communities)
    grid_layer = coverage_layer(plan.grids, "grid_id", grid_solution, workers)
    community_layer = coverage_layer(plan.communities, "community_id", police_solution, officers)
    workload = workload_table(assigned, served, grids, communities, options)
    uncovered = uncovered_table(grid_layer, community_layer)
    hires = hires_table(grid_layer, community_layer, full_time_grids=options.full_time_grids)
    result = StaffAssignment(
        assignments=assignments,
        uncovered=uncovered,
        workload=workload,
        hires=hires,
        grids=grid_layer,
        communities=community_layer,
        stages={"grid_worker": grid_solution.stages, "police": police_solution.stages},
        requirements=requirements(plan, workers, officers),
    )
    logger.info("%r", result)
    return result


def _units(layer: pd.DataFrame, key: str) -> pd.DataFrame:
    frame = pd.DataFrame(layer).drop(columns="geometry", errors="ignore").copy()
    frame[key] = frame[key].astype(str)
    frame["subdistrict_id"] = frame["subdistrict_id"].astype(str)
    if "community_id" in frame.columns:
        frame["community_id"] = frame["community_id"].astype(str)
    return frame.set_index(key, drop=False)


def _grid_problem(
    workers: pd.DataFrame, grids: pd.DataFrame, current: CurrentUnits, options: AssignOptions
) -> CoverProblem:
    by_community = {c: list(g.index) for c, g in grids.groupby("community_id", sort=True)}
    by_subdistrict = {s: list(g.index) for s, g in grids.groupby("subdistrict_id", sort=True)}
    eligible: dict[str, list[str]] = {}
    capacity: dict[str, int] = {}
    one_group: set[str] = set()
    keep: dict[str, str] = {}
    for person in workers.itertuples(index=False):
        if person.employment == "part_time":
            home = current.grid_home.get(person.grid) if person.grid is not None else None
            if home is None:
                home = current.community_home.get(person.community)
            eligible[person.staff_id] = by_community.get(home, [])
            capacity[person.staff_id] = 1
        else:
            subdistrict = current.subdistrict_id.get(person.subdistrict)
            if subdistrict is None:
                eligible[person.staff_id] = list(grids.index)
                one_group.add(person.staff_id)
            else:
                eligible[person.staff_id] = by_subdistrict.get(subdistrict, [])
            capacity[person.staff_id] = options.full_time_grids
        successor = current.grid_successor.get(person.grid) if person.grid is not None else None
        if successor is not None:
            keep[person.staff_id] = successor
    return CoverProblem(
        households=grids["households"].astype(int).to_dict(),
        population=grids["population"].astype(int).to_dict(),
        eligible=eligible,
        capacity=capacity,
        group=grids["subdistrict_id"].to_dict(),
        one_group=frozenset(one_group),
        keep=keep,
    )


def _police_problem(
    officers: pd.DataFrame,
    communities: pd.DataFrame,
    plan: Plan,
    current: CurrentUnits,
    options: AssignOptions,
) -> CoverProblem:
    shapes = gpd.GeoSeries(
        plan.communities.geometry.to_numpy(),
        index=plan.communities["community_id"].astype(str),
        crs=plan.communities.crs,
    )
    compounds = plan.compounds
    eligible: dict[str, list[str]] = {}
    keep: dict[str, str] = {}
    for person in officers.itertuples(index=False):
        base = None
        if person.police_room is not None:
            base = current.police_rooms[person.police_room]
        elif person.community is not None and "community" in compounds.columns:
            base = compounds.loc[compounds["community"] == person.community].geometry.union_all()
        if base is not None:
            near = shapes.distance(base) <= options.police_reach_m + 1e-6
            eligible[person.staff_id] = list(shapes.index[near.to_numpy()])
        else:
            subdistrict = current.subdistrict_id.get(person.subdistrict)
            inside = communities["subdistrict_id"] == subdistrict
            eligible[person.staff_id] = list(
                communities.index[inside.to_numpy()]
                if subdistrict is not None
                else communities.index
            )
            logger.warning(
                "officer %s has no police room and no community: may serve any community%s",
                person.staff_id,
                "" if subdistrict is None else f" of subdistrict {person.subdistrict}",
            )
        if person.community is not None and person.community in current.community_successor:
            keep[person.staff_id] = current.community_successor[person.community]
    cap = options.residents_per_officer
    return CoverProblem(
        households=communities["households"].astype(int).to_dict(),
        population=communities["population"].astype(int).to_dict(),
        eligible=eligible,
        capacity={p: max(1, len(units)) for p, units in eligible.items()},
        residents_cap={p: cap for p in eligible},
        keep=keep,
    )
