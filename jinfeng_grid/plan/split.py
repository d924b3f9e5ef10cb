"""Split one community into several, with distinct alternatives.

Every other community keeps its compounds, its code and its grids; only the chosen
community is cut, exactly (the MIP of :mod:`jinfeng_grid.partition` with its lower
bound), into ``parts`` connected communities within the scenario's bounds, and its
buildings are drawn into new grids. Alternatives come from solving again with the
earlier plans excluded (``PartitionSpec.exclude``): each differs from every earlier
one in at least ``min_difference`` of the boundary segments (compound adjacencies)
it cuts, and is optimal among the plans that differ so (or carries its gap).
"""

from __future__ import annotations

import dataclasses
import difflib
import logging
import math
import time
import warnings
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import networkx as nx
import pandas as pd

from jinfeng_grid.config.load import load_scenario
from jinfeng_grid.config.scenario import Scenario
from jinfeng_grid.errors import InfeasibleSpecError, InputDataError, SolverError
from jinfeng_grid.graph.adjacency import build_adjacency
from jinfeng_grid.partition.core import partition_graph
from jinfeng_grid.partition.spec import PartitionResult, PartitionSpec
from jinfeng_grid.plan import tables as tables
from jinfeng_grid.plan.apportion import count_range, counts_for_target
from jinfeng_grid.plan.grid_graph import grid_graph_for
from jinfeng_grid.plan.levels import level_summary, plan_level
from jinfeng_grid.plan.pieces import bounds_of, locked_compounds
from jinfeng_grid.plan.records import PlanWarning, Subproblem
from jinfeng_grid.plan.value import Plan, planned

logger = logging.getLogger(__name__)

#: Share of the time limit given to the exact split; the rest is for the grids.
SPLIT_TIME_SHARE = 0.6


@dataclass(frozen=True)
class SplitResult:
    """The alternatives for splitting one community.

    Attributes
    ----------
    community
        The name of the community that was split.
    parts
        Into how many communities.
    alternatives
        One :class:`~jinfeng_grid.plan.Plan` per alternative, best first: the
        whole district, with every other community and its grids unchanged.
    results
        The partition result of each alternative (status, objective, bound, gap).
    comparison
        One row per alternative: sizes, boundary, barrier crossings, households
        moved, grids, status, gap and seconds (see :func:`split_community`).
    notes
        Why fewer alternatives than asked for were found, and other remarks.
    """

    community: str
    parts: int
    alternatives: tuple[Plan, ...]
    results: tuple[PartitionResult, ...]
    comparison: pd.DataFrame
    notes: tuple[str, ...] = ()

    def __repr__(self) -> str:
        return (
            f"<SplitResult {self.community} into {self.parts}: "
            f"{len(self.alternatives)} alternative(s)>"
        )


def _members(compounds: gpd.GeoDataFrame, community: str) -> pd.Series:
    if "community" not in compounds.columns:
        raise InputDataError(
            "splitting a community needs the compounds' current communities: map the column "
            "with --column community=NAME (or [columns] community = ...)"
        )
    names = compounds["community"].astype("string")
    mask = (names == community).fillna(False).to_numpy(dtype=bool)
    if not mask.any():
        known = sorted(set(names.dropna()))
        close = difflib.get_close_matches(community, known, n=3, cutoff=0.3)
        hint = f"did you mean {', '.join(close)}?" if close else f"it has {len(known)} communities"
        raise InputDataError(
            f"no compound belongs to a community named {community!r}: {hint} "
            "(names are matched exactly, as written in the compounds' community column)"
        )
    return pd.Series(mask, index=compounds.index)


def _parts(households: float, scenario: Scenario, parts: int | None, community: str) -> int:
    unit = scenario.community
    least, most = count_range(households, low=unit.min_households, high=unit.max_households)
    if parts is None:
        if unit.target_households is None:
            raise InfeasibleSpecError(
                f"{community}: the scenario has no community target_households, so the number "
                "of parts must be given (--parts N)"
            )
        return counts_for_target(
            {community: households},
            target=unit.target_households,
            low=unit.min_households,
            high=unit.max_households,
            unit="community",
        )[community]
    if not isinstance(parts, int) or isinstance(parts, bool) or parts < 2:
        raise InfeasibleSpecError(
            f"--parts must be a whole number of at least 2, got {parts!r}: a split makes two "
            "or more communities"
        )
    if not least <= parts <= most:
        fits = f"between {least} and {most} parts fit" if least <= most else "no count fits"
        raise InfeasibleSpecError(
            f"{community} holds {households:,.0f} households: {parts} communities of "
            f"{unit.min_households:,.0f}-{unit.max_households:,.0f} households cannot hold "
            f"them ({fits}); choose --parts accordingly or change [community] bounds"
        )
    return parts


def split_community(
    compounds: gpd.GeoDataFrame,
    *,
    community: str,
    buildings: gpd.GeoDataFrame | None = None,
    roads: gpd.GeoDataFrame | None = None,
    scenario: Scenario | None = None,
    parts: int | None = None,
    alternatives: int = 1,
    min_difference: int | None = None,
    workers: int | None = None,
) -> SplitResult:
    """Split one community into ``parts`` connected communities, with alternatives.

    Parameters
    ----------
    compounds
        Compounds as read by :func:`jinfeng_grid.io.read_compounds`, with the current
        ``subdistrict`` and ``community`` of each, in a metric CRS.
    community
        The current community to split, by name (e.g. ``"五里水乡"``).
    buildings
        Buildings (with their current ``grid`` where known): the new communities' grids
        are drawn from them; other communities keep their grids. Without buildings,
        the new communities get virtual grids and the notes say so.
    roads
        Roads; arterials are barriers that the new communities avoid spanning.
    scenario
        Community and grid bounds, target, objective weights, solver limits (the
        ``standard`` preset when None). ``solver.time_limit`` is shared among the
        alternatives.
    parts
        How many communities (default: from the scenario's target size).
    alternatives
        How many distinct alternatives (1-5). Fewer come back when no more exist or
        none is found in time; the notes say which.
    min_difference
        Each alternative differs from every earlier one in the cut status of at least
        this many compound adjacencies (boundary segments). Default: half the number
        the best split cuts (at least 2), so that an alternative re-draws a real part
        of the boundary rather than trading one compound (which already changes 3-4
        segments).
    workers
        Processes for the grid subproblems.

    Returns
    -------
    SplitResult
        Alternatives best first; the comparison table has per alternative:
        ``alternative``, ``status``, ``boundary_m`` (new boundary between the parts,
        in metres), ``barrier_spans`` (arterial crossings inside a new community),
        ``objective`` (boundary plus the barrier penalty per span) with its proven
        ``bound`` and ``gap``, the new ``communities``, their ``households`` and ``population``
        of the new communities (``/``-separated), ``households_moved`` (households
        no longer in the community that keeps the name), ``grids``, ``all_within_bounds``
        and ``seconds``.

    Raises
    ------
    InputDataError
        No current communities, or no community of that name (close names are
        suggested).
    InfeasibleSpecError
        The community cannot be cut into that many parts within the bounds, or its
        compounds are not connected in the adjacency graph (named).

    Examples
    --------
    >>> from jinfeng_grid import io, plan
    >>> path = io.sample_path()
    >>> compounds = io.read_compounds(path)
    >>> split = plan.split_community(compounds, community="五里水乡", alternatives=3)
    ... # doctest: +SKIP
    >>> split.comparison[["alternative", "status", "boundary_m"]]  # doctest: +SKIP
    """
    from jinfeng_grid.plan.solve import default_workers

    scenario = scenario if scenario is not None else load_scenario(None)
    if not isinstance(alternatives, int) or not 1 <= alternatives <= 5:
        raise InfeasibleSpecError(f"alternatives must be 1 to 5, got {alternatives!r}")
    workers = default_workers() if workers is None else workers
    start = time.perf_counter()
    mask = _members(compounds, community)
    compounds = compounds.copy()
    if "subdistrict" not in compounds.columns:
        compounds["subdistrict"] = scenario.report.district_name
    target = compounds.loc[mask.to_numpy()]
    households = float(target["households"].sum())
    k = _parts(households, scenario, parts, community)
    notes: tuple[str, ...] = ()

    graph = build_adjacency(
        compounds,
        gap_tolerance_m=scenario.graph.gap_tolerance_m,
        barrier_gap_m=scenario.graph.barrier_gap_m,
        barriers=roads,
        connect_islands=scenario.graph.connect_islands,
    )
    nodes = list(target["id"])
    sub = graph.subgraph(nodes).copy()
    if not nx.is_connected(sub):
        pieces = sorted(nx.connected_components(sub), key=len)
        named = "; ".join(
            ", ".join(str(v) for v in sorted(piece, key=str)) for piece in pieces[:-1]
        )
        raise InfeasibleSpecError(
            f"{community}'s compounds are not connected in the adjacency graph (cut off: "
            f"{named}): a split into connected communities needs them connected; check the "
            "gap tolerance or allow connect_islands"
        )
    locked = locked_compounds(target)
    spec = PartitionSpec(
        k=k,
        bounds=bounds_of(scenario.community),
        edge_cost="length",
        barrier_attr="barrier",
        barrier_penalty=scenario.objective.barrier_penalty,
        fixed={v: 0 for v in sorted(locked, key=str)},
    )
    budget = scenario.solver.time_limit * SPLIT_TIME_SHARE / alternatives
    results: list[PartitionResult] = []
    for _ in range(alternatives):
        if results and min_difference is None:
            best = results[0].assignment
            cut = sum(1 for u, v in sub.edges if best[u] != best[v])
            min_difference = max(2, math.ceil(cut / 2))
        attempt = spec if not results else _excluding(spec, results, min_difference or 1)
        try:
            result = partition_graph(
                sub,
                attempt,
                time_limit=budget,
                solver=scenario.solver.solver,
                seed=scenario.solver.seed,
                threads=scenario.solver.threads,
            )
        except SolverError:
            if not results:
                raise
            notes += (
                f"only {len(results)} alternative(s): no split that differs from the earlier "
                f"ones in at least {attempt.min_difference} boundary segment(s) was found in "
                f"{budget:.0f} s; allow more time (--time-limit) for more",
            )
            break
        except InfeasibleSpecError:
            if not results:
                raise
            notes += (
                f"only {len(results)} alternative(s): no other split exists that differs from "
                f"the earlier ones in at least {attempt.min_difference} boundary segment(s) "
                "(proven by the solver); lower --min-difference for more",
            )
            break
        if result.status in ("infeasible", "no_plan") or not result.assignment:
            if not results:
                raise InfeasibleSpecError(
                    f"{community} could not be split into {k} communities: {result.status}"
                    + (f" ({'; '.join(result.notes)})" if result.notes else "")
                )
            notes += (
                f"only {len(results)} alternative(s): no split that differs from the earlier "
                f"ones in at least {attempt.min_difference} boundary segment(s) was found in "
                f"{budget:.0f} s; allow more time (--time-limit) for more",
            )
            break
        results.append(result)

    grids_from = grid_graph_for(compounds, buildings, graph, scenario.grid)
    # each alternative gets the split's notes and its own (grids), not the others'
    plans = tuple(
        _with_notes_first(
            notes,
            _assemble_split(
                compounds,
                buildings,
                graph=graph,
                grids_from=grids_from,
                community=community,
                nodes=nodes,
                result=result,
                scenario=scenario,
                locked=locked,
                workers=workers,
                grid_budget=scenario.solver.time_limit * (1 - SPLIT_TIME_SHARE) / len(results),
            ),
        )
        for result in results
    )
    notes = tuple(dict.fromkeys(note for plan in plans for note in plan.notes)) or notes
    comparison = _comparison(plans, results, sub, community=community)
    for note in notes:
        warnings.warn(note, PlanWarning, stacklevel=2)
    split = SplitResult(community, k, plans, tuple(results), comparison, notes)
    logger.info(
        "split %s into %d: %d alternative(s) in %.1f s",
        community,
        k,
        len(plans),
        time.perf_counter() - start,
    )
    return split


def _excluding(
    spec: PartitionSpec, results: list[PartitionResult], min_difference: int
) -> PartitionSpec:
    return dataclasses.replace(
        spec, exclude=tuple(dict(r.assignment) for r in results), min_difference=min_difference
    )


def _assemble_split(
    compounds: gpd.GeoDataFrame,
    buildings: gpd.GeoDataFrame | None,
    *,
    graph: nx.Graph,
    grids_from: tuple[nx.Graph, dict[Hashable, Hashable], str],
    community: str,
    nodes: list[Hashable],
    result: PartitionResult,
    scenario: Scenario,
    locked: set[Hashable],
    workers: int,
    grid_budget: float,
) -> Plan:
    """The whole district with ``community`` replaced by the parts of ``result``.

    ``grids_from`` is :func:`grid_graph_for` of the district, built once for all the
    alternatives (it is the same graph each time). The plan's notes are this
    alternative's own (its grids); :func:`_with_notes_first` puts the split's before them.
    """
    start = time.perf_counter()
    subdistrict = dict(zip(compounds["id"], compounds["subdistrict"], strict=True))
    current = dict(zip(compounds["id"], compounds["community"], strict=True))
    community_key: dict[Hashable, Hashable] = {
        v: (subdistrict[v], "kept", str(current[v])) for v in compounds["id"]
    }
    for v in nodes:
        community_key[v] = (subdistrict[v], "split", result.assignment[v])
    new_keys = {community_key[v] for v in nodes}

    # grids: re-drawn inside the new communities, kept elsewhere where they are known
    grid_graph, owner, member = grids_from
    known = (
        dict(zip(buildings["id"], buildings["grid"], strict=True))
        if buildings is not None and "grid" in buildings.columns
        else {}
    )
    groups: dict[Hashable, list[Hashable]] = {}
    grid_key: dict[Hashable, Hashable] = {}
    redrawn_unchanged = set()
    for node in grid_graph.nodes:
        key = community_key[owner[node]]
        label = known.get(node)
        if key in new_keys or label is None or pd.isna(label):
            groups.setdefault(key, []).append(node)
            if key not in new_keys:
                redrawn_unchanged.add(key)
        else:
            grid_key[node] = (key, "kept", str(label))
    redrawn_notes = (
        (
            f"{len(redrawn_unchanged)} unchanged communities had {member}s without a current "
            "grid: their grids were drawn anew",
        )
        if redrawn_unchanged
        else ()
    )
    current_grid = {
        node: label
        for node, label in known.items()
        if node in grid_graph and owner[node] in set(nodes) and not pd.isna(label)
    }
    grids = plan_level(
        grid_graph,
        groups,
        scenario.grid,
        level="grid",
        member=member,
        scenario=scenario,
        current=current_grid,
        locked=set(),
        current_counts=None,
        edge_cost="cost",
        budget=grid_budget,
        workers=workers,
        progress=None,
        label=lambda key: f"{community}/part {key[2] + 1}" if key[1] == "split" else str(key),
    )
    grid_key.update(grids.key)
    assembled = tables.assemble(
        compounds,
        buildings,
        community_key=community_key,
        grid_key=grid_key,
        grid_owner=owner,
        grid_graph=grid_graph,
        oversize_communities=set(),
        oversize_grids=grids.oversize,
        scenario=scenario,
        keep_name={community: community_key[min(locked, key=str)]} if locked else None,
    )
    record = Subproblem.of(
        "community",
        community,
        len(nodes),
        compounds.loc[compounds["id"].isin(nodes), "households"].sum(),
        result,
    )
    levels = {
        "community": level_summary("community", [record], assembled.communities, result.seconds),
        "grid": level_summary("grid", grids.records, assembled.grids, grids.seconds),
    }
    return planned(
        assembled,
        levels=levels,
        scenario=scenario,
        notes=redrawn_notes + grids.notes,
        seconds=round(result.seconds + time.perf_counter() - start, 3),
    )


def _with_notes_first(notes: tuple[str, ...], plan: Plan) -> Plan:
    """``plan`` with ``notes`` (the split's) before its own."""
    return dataclasses.replace(plan, notes=notes + plan.notes)


def _comparison(
    plans: tuple[Plan, ...],
    results: list[PartitionResult],
    graph: nx.Graph,
    *,
    community: str,
) -> pd.DataFrame:
    rows: list[dict[str, Any]] = []
    for number, (plan, result) in enumerate(zip(plans, results, strict=True), start=1):
        part = result.assignment
        cut = [(u, v, d) for u, v, d in graph.edges(data=True) if part[u] != part[v]]
        spans = sum(
            1 for u, v, d in graph.edges(data=True) if part[u] == part[v] and d.get("barrier")
        )
        mine = plan.compounds[plan.compounds["community"].astype("string") == community]
        new = plan.communities[plan.communities["community_id"].isin(set(mine["community_id"]))]
        new = new.sort_values("households", ascending=False, kind="stable")
        kept = new[new["name"] == community]
        staying = (
            int(mine.loc[mine["community_id"].isin(set(kept["community_id"])), "households"].sum())
            if len(kept)
            else 0
        )
        rows.append(
            {
                "alternative": number,
                "status": result.status,
                "boundary_m": round(sum(float(d.get("length", 0.0)) for _, _, d in cut), 1),
                "barrier_spans": spans,
                "objective": None if result.objective is None else round(result.objective, 1),
                "bound": None if result.bound is None else round(float(result.bound), 1),
                "gap": None if result.gap is None else round(float(result.gap), 4),
                "communities": "/".join(str(n) for n in new["name"]),
                "households": "/".join(str(int(h)) for h in new["households"]),
                "population": "/".join(str(int(p)) for p in new["population"]),
                "households_moved": int(mine["households"].sum()) - staying,
                "grids": int(new["grids"].sum()),
                "all_within_bounds": bool(new["within_bounds"].all())
                and bool(
                    plan.grids.loc[
                        plan.grids["community_id"].isin(set(new["community_id"])), "within_bounds"
                    ].all()
                ),
                "seconds": round(result.seconds, 2),
            }
        )
    if not rows:
        return pd.DataFrame(columns=["alternative", "status", "boundary_m"])
    return pd.DataFrame(rows)
