"""Plan communities within subdistricts and grids within communities.

The domain levels over the geometry-free core (:mod:`jinfeng_grid.partition`):

1. **Communities** are drawn from whole compounds, per current subdistrict and per
   connected piece of it, each within the scenario's household (and population)
   bounds, minimising the boundary they cut (shared or facing frontage in metres)
   plus a penalty for every arterial road a community spans.
2. **Grids** are drawn per new community from its buildings (a large compound holds
   several grids, a grid may join small neighbouring compounds); without buildings,
   each compound is cut into equal *virtual* pieces of about the target size and the
   output says so.

How many units a parent gets comes from the target size, or from a district total
apportioned where the caps are most exceeded (:mod:`jinfeng_grid.plan.apportion`).
Subproblems are independent and run in parallel processes; each is seeded.

3. **Subdistricts** are re-drawn only when the scenario has a ``[subdistrict]`` table:
   the new communities (whole) are grouped into the number of subdistricts it asks
   for, within its bounds, moving as few households as possible between
   subdistricts; a new subdistrict is named 新设街道1, 2, ... until a person names it.

:func:`split_community` cuts one community only, with distinct alternatives.

What cannot be planned is said before solving, naming the compounds: a piece of a
subdistrict whose households fit no count of communities within the bounds, and the
bounds that would fit it. A compound above the community cap becomes a community of
its own, and a building above the grid cap a grid of its own, flagged ``oversize``
and warned.
"""

from __future__ import annotations

import logging
import time
import warnings
from collections.abc import Callable, Hashable

import geopandas as gpd
import pandas as pd

from jinfeng_grid.config.load import load_scenario
from jinfeng_grid.config.scenario import Scenario
from jinfeng_grid.errors import InputDataError
from jinfeng_grid.graph.adjacency import build_adjacency
from jinfeng_grid.plan import tables as tables
from jinfeng_grid.plan.grid_graph import grid_graph_for
from jinfeng_grid.plan.levels import (
    COMMUNITY_TIME_SHARE,
    GRID_TIME_SHARE,
    level_summary,
    plan_level,
)
from jinfeng_grid.plan.pieces import link_pieces, locked_compounds, node_name
from jinfeng_grid.plan.records import PlanWarning
from jinfeng_grid.plan.solve import Outcome
from jinfeng_grid.plan.subdistricts import SUBDISTRICT_TIME_SHARE, plan_subdistricts
from jinfeng_grid.plan.value import Plan, planned

__all__ = [
    "plan_district",
]

logger = logging.getLogger(__name__)


def plan_district(
    compounds: gpd.GeoDataFrame,
    *,
    buildings: gpd.GeoDataFrame | None = None,
    roads: gpd.GeoDataFrame | None = None,
    scenario: Scenario | None = None,
    keep_current: bool = False,
    workers: int | None = None,
    progress: Callable[[str, Outcome], None] | None = None,
) -> Plan:
    """Plan communities within each current subdistrict, then grids within each community.

    Parameters
    ----------
    compounds
        Compounds as read by :func:`jinfeng_grid.io.read_compounds` (canonical
        columns ``id``, ``households``, ``population``; ``subdistrict`` and
        ``community`` when known) in a metric CRS.
    buildings
        Buildings as read by :func:`jinfeng_grid.io.read_buildings`, or None (then
        compounds are cut into virtual grids).
    roads
        Roads; arterials are barriers that communities and grids avoid spanning.
    scenario
        Bounds, counts, solver limits; the ``standard`` preset when None. With a
        ``[subdistrict]`` table the subdistricts are re-drawn from the new
        communities (see the module docs); the compounds then carry their current
        ``subdistrict`` and the new ``subdistrict_name``.
    keep_current
        Minimal change: current communities (and grids) that are within bounds and
        connected stay exactly as they are; only the others are re-drawn, paying
        ``scenario.objective.move_penalty`` per household moved out of its current
        unit, with ``locked`` compounds kept in their current community. An already
        valid plan comes back unchanged.
    workers
        Processes for independent subproblems (default: the CPUs available).
    progress
        Called with the level and each finished subproblem (for a progress bar).

    Returns
    -------
    Plan

    Raises
    ------
    InputDataError
        A required column is missing.
    InfeasibleSpecError
        Some piece fits no count of units (all such pieces are listed, with the
        compounds and bounds that would work).
    SolverError
        A subproblem found no plan within its time.
    """
    from jinfeng_grid.plan.solve import default_workers

    scenario = scenario if scenario is not None else load_scenario(None)
    workers = default_workers() if workers is None else workers
    start = time.perf_counter()
    _check_compounds(compounds)
    notes: tuple[str, ...] = ()
    compounds = compounds.copy()
    if "subdistrict" not in compounds.columns:
        compounds["subdistrict"] = scenario.report.district_name
        notes += ("no current subdistricts given: the district is planned as one",)

    graph = build_adjacency(
        compounds,
        gap_tolerance_m=scenario.graph.gap_tolerance_m,
        barrier_gap_m=scenario.graph.barrier_gap_m,
        barriers=roads,
        connect_islands=scenario.graph.connect_islands,
    )
    groups: dict[Hashable, list[Hashable]] = {}
    for node, parent in zip(compounds["id"], compounds["subdistrict"], strict=True):
        groups.setdefault(parent, []).append(node)
    if scenario.graph.connect_islands:
        notes += tuple(
            f"{node_name(graph, u)} was linked to {node_name(graph, v)} ({data['gap']:,.0f} m), "
            "the nearest compound outside its island"
            for u, v, data in graph.edges(data=True)
            if data.get("island_link")
        )
        geometries = dict(zip(compounds["id"], compounds.geometry, strict=True))
        notes += tuple(link_pieces(graph, groups, geometries))
    locked = locked_compounds(compounds)
    current_community: dict[Hashable, Hashable] = {}
    if keep_current:
        if "community" not in compounds.columns:
            raise InputDataError(
                "keeping the current plan needs the compounds' current communities: map "
                "the column with --column community=NAME (or [columns] community = ...)"
            )
        current_community = dict(zip(compounds["id"], compounds["community"], strict=True))
    elif locked:
        notes += (
            f"{len(locked)} locked compounds are kept in their community only when the "
            "current plan is kept (--keep-current); this full re-plan ignored the locks",
        )
    current_counts = None
    if "community" in compounds.columns:
        current_counts = compounds.groupby("subdistrict")["community"].nunique().to_dict()
    budget = scenario.solver.time_limit
    communities = plan_level(
        graph,
        groups,
        scenario.community,
        level="community",
        member="compound",
        scenario=scenario,
        current=current_community,
        locked=locked,
        current_counts=current_counts,
        edge_cost="length",
        budget=budget * COMMUNITY_TIME_SHARE,
        workers=workers,
        progress=progress,
    )
    notes += communities.notes
    community_key = communities.key
    subdistricts = None
    if scenario.subdistrict is not None:
        subdistricts = plan_subdistricts(
            graph,
            community_key,
            dict(zip(compounds["id"], compounds["subdistrict"], strict=True)),
            scenario.subdistrict,
            scenario=scenario,
            budget=budget * SUBDISTRICT_TIME_SHARE,
        )
        notes += subdistricts.notes

    # grids, per new community
    grid_graph, owner, member_word = grid_graph_for(compounds, buildings, graph, scenario.grid)
    if buildings is None:
        notes += (
            "no buildings given: each compound was cut into equal virtual pieces and grids "
            "were drawn from them (virtual grids); draw real grids from buildings",
        )
    by_community: dict[Hashable, list[Hashable]] = {}
    for node in grid_graph.nodes:
        by_community.setdefault(community_key[owner[node]], []).append(node)
    current_grid: dict[Hashable, Hashable] = {}
    if keep_current and buildings is not None and "grid" in buildings.columns:
        current_grid = dict(zip(buildings["id"], buildings["grid"], strict=True))
    grids = plan_level(
        grid_graph,
        by_community,
        scenario.grid,
        level="grid",
        member=member_word,
        scenario=scenario,
        current=current_grid,
        locked=set(),
        current_counts=None,
        edge_cost="cost",
        budget=budget * GRID_TIME_SHARE,
        workers=workers,
        progress=progress,
        label=_community_label,
    )
    notes += grids.notes

    assembled = tables.assemble(
        compounds,
        buildings,
        community_key=community_key,
        grid_key=grids.key,
        grid_owner=owner,
        grid_graph=grid_graph,
        oversize_communities=communities.oversize,
        oversize_grids=grids.oversize,
        scenario=scenario,
        subdistrict_of=None if subdistricts is None else subdistricts.of_compound,
        new_subdistricts=frozenset() if subdistricts is None else subdistricts.provisional,
    )
    levels = {
        "community": level_summary(
            "community", communities.records, assembled.communities, communities.seconds
        ),
        "grid": level_summary("grid", grids.records, assembled.grids, grids.seconds),
    }
    if subdistricts is not None:
        levels = {
            "subdistrict": level_summary(
                "subdistrict", [subdistricts.record], assembled.subdistricts, subdistricts.seconds
            ),
            **levels,
        }
    for note in notes:
        warnings.warn(note, PlanWarning, stacklevel=2)
    plan = planned(
        assembled,
        levels=levels,
        scenario=scenario,
        notes=notes,
        seconds=round(time.perf_counter() - start, 3),
    )
    logger.info("plan: %r in %.1f s", plan, plan.seconds)
    return plan


def _community_label(key: Hashable) -> str:
    parent, index, part = key  # type: ignore[misc]
    return f"{parent}/community {index}.{part}"


def _check_compounds(compounds: gpd.GeoDataFrame) -> None:
    missing = [c for c in ("id", "households", "population") if c not in compounds.columns]
    if missing:
        raise InputDataError(
            f"compounds need column(s) {', '.join(missing)} (read them with "
            f"io.read_compounds and a column mapping); they have: "
            f"{', '.join(map(str, compounds.columns))}"
        )
    for column in ("households", "population"):
        values = pd.to_numeric(compounds[column], errors="coerce")
        if values.isna().any() or (values < 0).any() or (values % 1 != 0).any():
            raise InputDataError(
                f"compound {column} must be whole numbers >= 0: run `jinfeng-grid validate` "
                "and fix the rows it lists"
            )
