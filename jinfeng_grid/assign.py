"""Put the actual staff on the new units: grid workers on grids, police on communities.

A plan is adopted when each new grid has a named grid worker and each community its
police officer. :func:`assign_staff` takes a plan (:func:`jinfeng_grid.io.read_plan`)
and a roster of people (:func:`check_roster`) and solves an integer program
(:mod:`jinfeng_grid._assign_model`) under these rules:

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
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd

from jinfeng_grid._assign_model import CoverProblem, CoverSolution, StageOutcome, solve_cover
from jinfeng_grid.errors import ConfigError, InputDataError
from jinfeng_grid.staffing import ROLES

if TYPE_CHECKING:
    from jinfeng_grid.io import PlanFiles

__all__ = [
    "ASSIGNED_ROLES",
    "ROSTER_COLUMNS",
    "AssignOptions",
    "StaffAssignment",
    "assign_staff",
    "check_roster",
]

logger = logging.getLogger(__name__)

ROSTER_COLUMNS: tuple[str, ...] = (
    "staff_id",
    "role",
    "employment",
    "subdistrict",
    "community",
    "grid",
    "police_room",
)
"""Columns of a roster; ``staff_id``, ``role`` and ``employment`` are required."""

ASSIGNED_ROLES: tuple[str, ...] = ("grid_worker", "police")
"""Roles that :func:`assign_staff` puts on units; the other roles of
:data:`jinfeng_grid.staffing.ROLES` may be in a roster and are left as they are."""

EMPLOYMENT: tuple[str, ...] = ("full_time", "part_time")


@dataclass(frozen=True)
class AssignOptions:
    """The rules' numbers and the solver settings.

    Attributes
    ----------
    full_time_grids
        Most grids of one subdistrict a full-time grid worker serves (2).
    residents_per_officer
        Most residents of the communities one officer serves together (5,000).
    police_reach_m
        Farthest a community's boundary may be from the place an officer works from
        (1,000 m).
    solver, time_limit, threads, seed
        Passed to the solver; ``time_limit`` is in seconds per stage.
    """

    full_time_grids: int = 2
    residents_per_officer: int = 5_000
    police_reach_m: float = 1_000.0
    solver: str = "highs"
    time_limit: float | None = 60.0
    threads: int | None = None
    seed: int = 0

    def __post_init__(self) -> None:
        if not isinstance(self.full_time_grids, int) or self.full_time_grids < 1:
            raise ConfigError(
                f"full_time_grids must be a whole number >= 1, got {self.full_time_grids!r}"
            )
        if not isinstance(self.residents_per_officer, int) or self.residents_per_officer < 1:
            raise ConfigError(
                "residents_per_officer must be a whole number >= 1 (the norm is "
                f"3,000-5,000), got {self.residents_per_officer!r}"
            )
        if not (self.police_reach_m >= 0 and math.isfinite(self.police_reach_m)):
            raise ConfigError(f"police_reach_m must be >= 0 metres, got {self.police_reach_m!r}")
        if self.time_limit is not None and not self.time_limit > 0:
            raise ConfigError(f"time_limit must be positive seconds, got {self.time_limit!r}")


# --- the roster ----------------------------------------------------------------------


def check_roster(roster: pd.DataFrame, plan: PlanFiles) -> pd.DataFrame:
    """Check a roster against a plan's current units and return it in canonical form.

    Parameters
    ----------
    roster
        One row per person: ``staff_id`` (unique), ``role`` (one of
        :data:`jinfeng_grid.staffing.ROLES`), ``employment`` (``full_time`` or
        ``part_time``), and where known the current ``subdistrict``, ``community``,
        ``grid`` and ``police_room`` (names/ids as in the plan's input).
    plan
        The plan; its compounds carry the current ``subdistrict``/``community``, its
        buildings (or compounds) the current ``grid``, its facilities the police rooms.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`ROSTER_COLUMNS` as text (``None`` where unknown), in roster
        order; ``subdistrict`` filled in from the community where missing.

    Raises
    ------
    InputDataError
        Listing every problem at once: missing columns, duplicate ``staff_id``, a role
        the standards do not know, an employment other than full/part time, a
        community, subdistrict, grid or police room that the plan does not have, a
        part-time grid worker without a community or grid.

    Examples
    --------
    >>> from jinfeng_grid import io
    >>> plan = io.read_plan("plan/")  # doctest: +SKIP
    >>> people = io.read_layer("district.gpkg", layer="roster")  # doctest: +SKIP
    >>> roster = check_roster(people, plan)  # doctest: +SKIP
    """
    table = pd.DataFrame(roster).drop(columns=["geometry"], errors="ignore")
    missing = [c for c in ("staff_id", "role", "employment") if c not in table.columns]
    if missing:
        raise InputDataError(
            f"the roster has no column {', '.join(missing)} (it has "
            f"{', '.join(map(str, table.columns)) or 'none'}): a roster needs staff_id, role "
            "and employment, and where known subdistrict, community, grid, police_room"
        )
    table = table.reset_index(drop=True)
    for column in ROSTER_COLUMNS:
        if column not in table.columns:
            table[column] = None
    table = table.loc[:, list(ROSTER_COLUMNS)].astype(object)
    table = table.where(
        table.notna() & (table.astype(str).apply(lambda s: s.str.strip()) != ""), None
    )
    table = table.map(lambda v: v if v is None else str(v).strip())
    problems: list[str] = []

    def rows(mask: pd.Series) -> str:
        listed = [f"row {i + 1} ({table.at[i, 'staff_id']})" for i in table.index[mask][:8]]
        more = int(mask.sum()) - len(listed)
        return ", ".join(listed) + (f" and {more} more" if more > 0 else "")

    if table["staff_id"].isna().any():
        problems.append(f"staff_id is empty in {rows(table['staff_id'].isna())}")
    duplicated = table["staff_id"].notna() & table["staff_id"].duplicated(keep=False)
    if duplicated.any():
        twice = sorted(set(table.loc[duplicated, "staff_id"]))
        problems.append(
            f"staff_id listed more than once: {', '.join(twice[:10])}: give each person one row"
        )
    unknown_role = ~table["role"].isin(ROLES)
    if unknown_role.any():
        roles = sorted(set(map(str, table.loc[unknown_role, "role"])))
        problems.append(
            f"role {', '.join(roles)} is not a role the standards know ({rows(unknown_role)}): "
            f"use one of {', '.join(ROLES)}"
        )
    bad_employment = ~table["employment"].isin(EMPLOYMENT)
    if bad_employment.any():
        problems.append(f"employment must be full_time or part_time ({rows(bad_employment)})")
    current = _current_units(plan)
    for column, known, what in (
        ("community", current.community_subdistrict, "current community of any compound"),
        ("subdistrict", set(current.subdistrict_id), "current subdistrict of any compound"),
        ("grid", current.grid_community, "current grid of the plan's buildings"),
        ("police_room", current.police_rooms, "police room of the plan's facilities"),
    ):
        unknown = table[column].notna() & ~table[column].isin(list(known))
        if unknown.any():
            names = sorted(set(table.loc[unknown, column]))
            problems.append(
                f"{column} {', '.join(names[:8])} is not a {what} ({rows(unknown)}); "
                "use the names of the plan's input"
            )
    part_time = (table["role"] == "grid_worker") & (table["employment"] == "part_time")
    homeless = part_time & table["community"].isna() & table["grid"].isna()
    if homeless.any():
        problems.append(
            "part-time grid workers serve only grids of their own community, but "
            f"{rows(homeless)} have neither a community nor a grid: give their community"
        )
    if problems:
        raise InputDataError("bad roster: " + "; ".join(problems))
    # what the roster leaves out, the plan knows
    from_grid = table["grid"].map(current.grid_community)
    table["community"] = table["community"].where(table["community"].notna(), from_grid)
    from_community = table["community"].map(current.community_subdistrict)
    table["subdistrict"] = table["subdistrict"].where(table["subdistrict"].notna(), from_community)
    table = table.astype(object).where(table.notna(), None)
    logger.info(
        "roster: %d people (%s)",
        len(table),
        ", ".join(f"{n} {role}" for role, n in table["role"].value_counts(sort=False).items()),
    )
    return table


@dataclass(frozen=True)
class _Current:
    """The plan's current units and their successors (new units holding > half)."""

    community_subdistrict: Mapping[str, str]
    subdistrict_id: Mapping[str, str]
    grid_community: Mapping[str, str]
    police_rooms: Mapping[str, Any]
    grid_successor: Mapping[str, str]
    community_successor: Mapping[str, str]
    grid_home: Mapping[str, str]
    community_home: Mapping[str, str]


def _successors(old: pd.Series, new: pd.Series, weight: pd.Series) -> tuple[dict, dict]:
    """Old unit → new unit with more than half its weight, and → the new unit with most."""
    frame = pd.DataFrame({"old": old.astype(str), "new": new.astype(str), "w": weight})
    frame = frame[old.notna().to_numpy()]
    shares = frame.groupby(["old", "new"], sort=True)["w"].sum().reset_index()
    shares = shares.sort_values(["old", "w", "new"], ascending=[True, False, True], kind="stable")
    top = shares.drop_duplicates("old").set_index("old")
    totals = frame.groupby("old")["w"].sum()
    successor = {
        k: str(row.new) for k, row in top.iterrows() if 2 * row.w > totals[k] and totals[k] > 0
    }
    return successor, {k: str(row.new) for k, row in top.iterrows()}


def _current_units(plan: PlanFiles) -> _Current:
    compounds = plan.compounds
    community_subdistrict: dict[str, str] = {}
    if "community" in compounds.columns and "subdistrict" in compounds.columns:
        pairs = compounds.dropna(subset=["community"]).drop_duplicates("community")
        community_subdistrict = dict(
            zip(pairs["community"].astype(str), pairs["subdistrict"].astype(str), strict=True)
        )
    subdistrict_id: dict[str, str] = {}
    if "subdistrict" in compounds.columns:
        subdistrict_id = _successors(
            compounds["subdistrict"], compounds["subdistrict_id"], compounds["households"]
        )[1]
    community_successor: dict[str, str] = {}
    community_home: dict[str, str] = {}
    if "community" in compounds.columns:
        community_successor, community_home = _successors(
            compounds["community"], compounds["community_id"], compounds["households"]
        )
    pieces = _grid_pieces(plan)
    grid_successor: dict[str, str] = {}
    grid_home: dict[str, str] = {}
    grid_community: dict[str, str] = {}
    if pieces is not None:
        grid_successor, _ = _successors(pieces["grid"], pieces["grid_id"], pieces["households"])
        _, grid_home = _successors(pieces["grid"], pieces["community_id"], pieces["households"])
        if "community" in compounds.columns:
            community_of = compounds.set_index(compounds["compound_id"].astype(str))["community"]
            _, grid_community = _successors(
                pieces["grid"],
                pieces["compound_id"].astype(str).map(community_of),
                pieces["households"],
            )
    police_rooms: dict[str, Any] = {}
    if plan.facilities is not None and len(plan.facilities):
        rooms = plan.facilities[plan.facilities["kind"] == "police_room"]
        police_rooms = dict(zip(rooms["id"].astype(str), rooms.geometry, strict=True))
    return _Current(
        community_subdistrict,
        subdistrict_id,
        grid_community,
        police_rooms,
        grid_successor,
        community_successor,
        grid_home,
        community_home,
    )


def _grid_pieces(plan: PlanFiles) -> pd.DataFrame | None:
    """Buildings (else compounds) with their current ``grid`` and new ``grid_id``."""
    for layer, key in ((plan.buildings, "compound_id"), (plan.compounds, "compound_id")):
        if layer is None or not {"grid", "grid_id"} <= set(layer.columns):
            continue
        frame = pd.DataFrame(layer).drop(columns="geometry", errors="ignore")
        if "community_id" not in frame.columns:
            owner = plan.compounds.set_index(plan.compounds["compound_id"].astype(str))
            frame["community_id"] = frame[key].astype(str).map(owner["community_id"])
        return frame
    return None


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
    plan: PlanFiles,
    roster: pd.DataFrame,
    *,
    options: AssignOptions | None = None,
) -> StaffAssignment:
    """Assign every grid a grid worker and every community a police officer.

    Parameters
    ----------
    plan
        A plan directory read by :func:`jinfeng_grid.io.read_plan`.
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
    >>> plan = io.read_plan("plan/")  # doctest: +SKIP
    >>> people = io.read_layer("district.gpkg", layer="roster")  # doctest: +SKIP
    >>> result = assign_staff(plan, people)  # doctest: +SKIP
    >>> result.uncovered.head()  # doctest: +SKIP
    """
    options = options if options is not None else AssignOptions()
    people = check_roster(roster, plan)
    current = _current_units(plan)
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
    assignments = _assignment_rows(assigned, served, keep, had_unit, grids, communities)
    grid_layer = _coverage_layer(plan.grids, "grid_id", grid_solution, workers)
    community_layer = _coverage_layer(plan.communities, "community_id", police_solution, officers)
    workload = _workload(assigned, served, grids, communities, options)
    uncovered = _uncovered(grid_layer, community_layer)
    hires = _hires(grid_layer, community_layer, full_time_grids=options.full_time_grids)
    result = StaffAssignment(
        assignments=assignments,
        uncovered=uncovered,
        workload=workload,
        hires=hires,
        grids=grid_layer,
        communities=community_layer,
        stages={"grid_worker": grid_solution.stages, "police": police_solution.stages},
        requirements=_requirements(plan, workers, officers),
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
    workers: pd.DataFrame, grids: pd.DataFrame, current: _Current, options: AssignOptions
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
    plan: PlanFiles,
    current: _Current,
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


def _assignment_rows(
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


def _coverage_layer(
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


def _workload(
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


def _uncovered(grids: gpd.GeoDataFrame, communities: gpd.GeoDataFrame) -> pd.DataFrame:
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


def _hires(
    grids: gpd.GeoDataFrame, communities: gpd.GeoDataFrame, *, full_time_grids: int
) -> pd.DataFrame:
    rows = []
    for subdistrict, group in grids.groupby(grids["subdistrict_id"].astype(str), sort=True):
        left = group.loc[~group["covered"]]
        rows.append(
            {
                "role": "grid_worker",
                "subdistrict_id": subdistrict,
                "uncovered": len(left),
                "households": int(left["households"].sum()),
                "part_time_hires": len(left),
                "full_time_hires": math.ceil(len(left) / full_time_grids),
                "police_hires": 0,
            }
        )
    for subdistrict, group in communities.groupby(
        communities["subdistrict_id"].astype(str), sort=True
    ):
        left = group.loc[~group["covered"]]
        rows.append(
            {
                "role": "police",
                "subdistrict_id": subdistrict,
                "uncovered": len(left),
                "households": int(left["households"].sum()),
                "part_time_hires": 0,
                "full_time_hires": 0,
                "police_hires": len(left),
            }
        )
    return pd.DataFrame(rows)


def _requirements(
    plan: PlanFiles, workers: pd.DataFrame, officers: pd.DataFrame
) -> dict[str, dict[str, Any]]:
    """The plan's staffing norm at district level beside the roster (see ``staffing``)."""
    from jinfeng_grid.staffing import required_staff

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
