"""The level machinery of a plan: pieces, minimal change, counts and solving.

A *level* (communities within subdistricts, grids within communities) is planned by
cutting each parent into connected pieces, keeping the current units that are valid
(minimal change), choosing how many units each piece gets, and solving the pieces as
independent partition subproblems (:mod:`jinfeng_grid.plan.solve`). Used by
:mod:`jinfeng_grid.plan`; nothing here reads or writes files.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import time
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import networkx as nx
import pandas as pd
import shapely

from jinfeng_grid.config.scenario import Scenario, UnitBounds
from jinfeng_grid.errors import InfeasibleSpecError, SolverError
from jinfeng_grid.graph.adjacency import build_building_contiguity
from jinfeng_grid.partition.core import partition_graph
from jinfeng_grid.partition.spec import PartitionResult, PartitionSpec
from jinfeng_grid.plan.apportion import count_range, counts_for_target, counts_for_total
from jinfeng_grid.plan.solve import Outcome, Task, run_tasks

logger = logging.getLogger(__name__)

#: Cost of cutting between two buildings of one compound, relative to 1 between
#: buildings of neighbouring compounds: grids follow compound boundaries where they can.
SAME_COMPOUND_CUT_COST = 2.0

#: Largest subproblem (nodes × parts) solved by the exact MIP within a plan; larger
#: ones get the heuristic alone, which the exact solver could not improve on in the
#: seconds a district plan affords (measured on the sample), and a lower bound from
#: the parts' least boundaries (:func:`~jinfeng_grid.partition.boundary_bound`).
EXACT_SIZE = 240

#: Virtual pieces per grid floor when compounds are cut without buildings.
VIRTUAL_PIECES_PER_FLOOR = 3

#: Least wall-clock seconds given to one subproblem, whatever the budget.
MIN_TASK_SECONDS = 0.5

#: Least seconds of a subproblem's share for the exact MIP to be worth building: the
#: solver is given at least a second, so shorter tasks overran their share (on the
#: sample, 22 grid pieces of 0.5 s took 1.3 s each and never beat the heuristic,
#: which with the boundary bound took 0.5 s and drew equal or shorter boundaries).
MIN_EXACT_SECONDS = 2.0

#: Shares of the plan's time limit spent on communities and on grids; the rest is
#: left for reading, building graphs, assembling and writing.
COMMUNITY_TIME_SHARE = 0.35
GRID_TIME_SHARE = 0.5


_PLURAL = {"community": "communities", "grid": "grids", "subdistrict": "subdistricts"}


@dataclass(frozen=True)
class Subproblem:
    """How one partition subproblem of a level was solved."""

    level: str
    parent: str
    nodes: int
    parts: int
    households: int
    status: str
    objective: float | None
    bound: float | None
    gap: float | None
    seconds: float
    method: str

    def to_dict(self) -> dict[str, Any]:
        """Plain values for ``summary.json``."""
        return {name: getattr(self, name) for name in self.__dataclass_fields__}

    @classmethod
    def of(
        cls, level: str, parent: str, nodes: int, households: float, result: PartitionResult
    ) -> Subproblem:
        """The record of a solved subproblem from its partition result."""
        return cls(
            level,
            parent,
            nodes,
            len(set(result.assignment.values())),
            int(households),
            result.status,
            result.objective,
            result.bound,
            result.gap,
            round(result.seconds, 3),
            result.method,
        )


@dataclass(frozen=True)
class LevelSummary:
    """The units of one level, whether they meet the bounds, and how well they were solved.

    ``objective`` and ``bound`` add up the subproblems' objectives and proven lower
    bounds (the bound is None when some subproblem has none); ``gap`` is the relative
    gap of the sums; ``status`` is ``optimal`` only when every subproblem is.
    """

    level: str
    units: int
    within_bounds: int
    objective: float
    bound: float | None
    gap: float | None
    status: str
    seconds: float
    subproblems: tuple[Subproblem, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Plain values for ``summary.json``."""
        out = {name: getattr(self, name) for name in self.__dataclass_fields__}
        out["subproblems"] = [sub.to_dict() for sub in self.subproblems]
        return out

    def __repr__(self) -> str:
        gap = "no bound" if self.gap is None else f"gap {100 * self.gap:.1f}%"
        return (
            f"<LevelSummary {self.level}: {self.units} units, {self.within_bounds} within "
            f"bounds, {self.status} ({gap}), {self.seconds:.1f} s>"
        )


class PlanWarning(UserWarning):
    """A plan was made, but something in it needs a person's attention."""


@dataclass(frozen=True)
class DistrictPlan:
    """A plan of a district: every compound and building with its new units.

    Attributes
    ----------
    compounds
        The input compounds (every row, in input order) with ``subdistrict_id``,
        ``community_id``, ``community_name`` and, when no buildings were given,
        ``grid_ids`` (``;``-separated: a compound may hold several virtual grids).
    buildings
        The input buildings with ``grid_id``, or None.
    subdistricts, communities, grids
        One row per unit: id, name, parent ids, ``households``, ``population``,
        member counts, ``within_bounds``, ``oversize`` and dissolved geometry.
    levels
        ``community`` and ``grid`` :class:`LevelSummary`.
    notes
        Warnings for a person (oversize units, virtual grids, ...).
    scenario
        The scenario the plan was made with.
    """

    compounds: gpd.GeoDataFrame
    buildings: gpd.GeoDataFrame | None
    subdistricts: gpd.GeoDataFrame
    communities: gpd.GeoDataFrame
    grids: gpd.GeoDataFrame
    levels: Mapping[str, LevelSummary]
    scenario: Scenario
    notes: tuple[str, ...] = ()
    seconds: float = 0.0

    @property
    def status(self) -> str:
        """``optimal`` when every level is proven optimal, else ``feasible``."""
        ok = all(level.status == "optimal" for level in self.levels.values())
        return "optimal" if ok else "feasible"

    def __repr__(self) -> str:
        gaps = [level.gap for level in self.levels.values()]
        gap = (
            "no bound"
            if any(g is None for g in gaps)
            else f"gap {100 * max(g for g in gaps if g is not None):.1f}%"
        )
        return (
            f"<DistrictPlan {len(self.subdistricts)} subdistricts, {len(self.communities)} "
            f"communities, {len(self.grids)} grids, {len(self.compounds)} compounds, "
            f"{self.status} ({gap})>"
        )


def locked_compounds(compounds: gpd.GeoDataFrame) -> set[Hashable]:
    """Ids of the compounds whose ``locked`` column says yes (1, true, yes, 是, 锁定)."""
    if "locked" not in compounds.columns:
        return set()
    values = compounds["locked"].map(
        lambda v: str(v).strip().lower() in ("1", "true", "yes", "y", "是", "锁定")
    )
    return set(compounds.loc[values.to_numpy(dtype=bool), "id"])


@dataclass
class _Piece:
    """A subproblem before solving: nodes of one parent's connected piece."""

    parent: Hashable
    label: str
    nodes: list[Hashable]
    households: float
    count: int = 0
    oversize: bool = False
    flexible: bool = False
    kept: bool = False
    current: dict[Hashable, Hashable] = field(default_factory=dict)
    locked: frozenset[Hashable] = frozenset()
    joined: tuple[Hashable, ...] = ()


def bounds_of(unit: UnitBounds) -> dict[str, tuple[float, float]]:
    bounds = {"households": (float(unit.min_households), float(unit.max_households))}
    if unit.min_population is not None or unit.max_population is not None:
        low = 0.0 if unit.min_population is None else float(unit.min_population)
        high = math.inf if unit.max_population is None else float(unit.max_population)
        if math.isfinite(high):
            bounds["population"] = (low, high)
    return bounds


def node_name(graph: nx.Graph, node: Hashable) -> str:
    name = graph.nodes[node].get("name")
    return f"{name} ({node})" if name else str(node)


def _pieces(
    graph: nx.Graph,
    groups: Mapping[Hashable, list[Hashable]],
    unit: UnitBounds,
    *,
    level: str,
    member: str,
) -> tuple[list[_Piece], list[str]]:
    """Split each parent's nodes into connected pieces; oversize nodes become their own.

    Returns the pieces and the problems (pieces that fit no count of units).
    """
    pieces: list[_Piece] = []
    problems: list[str] = []
    cap = unit.max_households
    for parent in sorted(groups, key=str):
        nodes = groups[parent]
        big = [v for v in nodes if graph.nodes[v].get("households", 0) > cap]
        oversize: dict[Hashable, _Piece] = {}
        for v in sorted(big, key=str):
            oversize[v] = _Piece(
                parent, f"{parent}", [v], graph.nodes[v]["households"], 1, oversize=True
            )
            pieces.append(oversize[v])
        rest = graph.subgraph([v for v in nodes if v not in set(big)])
        components = sorted(
            (sorted(c, key=str) for c in nx.connected_components(rest)),
            key=lambda c: (-len(c), str(c[0])),
        )
        for component in components:
            weight = sum(graph.nodes[v].get("households", 0) for v in component)
            piece = _Piece(parent, f"{parent}", component, weight)
            least, most = count_range(weight, low=unit.min_households, high=unit.max_households)
            touching = sorted(
                {u for v in component for u in graph.neighbors(v) if u in oversize}, key=str
            )
            if weight > 0 and least > most and touching:
                # cut off only by an oversize compound: it joins that (already oversize)
                # unit rather than make the plan impossible
                host = oversize[touching[0]]
                host.nodes.extend(component)
                host.households += weight
                host.joined = (*host.joined, *component)
                continue
            if weight > 0 and least > most:
                named = ", ".join(node_name(graph, v) for v in component[:6])
                more = f" and {len(component) - 6} more" if len(component) > 6 else ""
                advice = (
                    f"a {level} of {weight:,.0f} households would need the lower bound at "
                    f"most {weight:,.0f}"
                    if weight < unit.min_households
                    else f"{least} {_PLURAL[level]} would need bounds of about "
                    f"{weight / least:,.0f}-{weight / most if most else weight:,.0f}"
                )
                problems.append(
                    f"{member}s {named}{more} of {parent} form a connected piece of "
                    f"{weight:,.0f} households, cut off from the rest of {parent} in the "
                    f"adjacency graph: no number of {_PLURAL[level]} of {unit.min_households:,}-"
                    f"{unit.max_households:,} households fits it ({advice}); join it to its "
                    "neighbours (check the gap tolerance, or allow connect_islands) or "
                    "change the bounds"
                )
            pieces.append(piece)
    return pieces, problems


def link_pieces(
    graph: nx.Graph,
    groups: Mapping[Hashable, list[Hashable]],
    geometries: Mapping[Hashable, shapely.Geometry],
) -> list[str]:
    """Join the disconnected pieces of each parent by their closest pair of members.

    Each smaller piece is linked to the nearest member of the rest of its parent by
    an edge flagged ``island_link`` (no frontage), until every parent is connected.
    Returns one line per link, for the plan's notes.
    """
    links = []
    for parent in sorted(groups, key=str):
        nodes = groups[parent]
        while True:
            components = sorted(
                (sorted(c, key=str) for c in nx.connected_components(graph.subgraph(nodes))),
                key=lambda c: (len(c), str(c[0])),
            )
            if len(components) <= 1:
                break
            piece, rest = components[0], [v for c in components[1:] for v in c]
            tree = shapely.STRtree([geometries[v] for v in rest])
            best = None
            for v in piece:
                j = int(tree.query_nearest(geometries[v])[0])
                d = float(shapely.distance(geometries[v], geometries[rest[j]]))
                if best is None or d < best[0]:
                    best = (d, v, rest[j])
            assert best is not None
            distance, a, b = best
            graph.add_edge(
                a,
                b,
                length=0.0,
                gap=round(distance, 3),
                touching=False,
                barrier=False,
                island_link=True,
            )
            links.append(
                f"{node_name(graph, a)} was linked to {node_name(graph, b)} ({distance:,.0f} m) so "
                f"that {parent} is connected"
            )
    return links


def _keep_valid_units(
    graph: nx.Graph,
    groups: Mapping[Hashable, list[Hashable]],
    current: Mapping[Hashable, Hashable],
    unit: UnitBounds,
) -> tuple[list[_Piece], dict[Hashable, list[Hashable]]]:
    """Keep every current unit that is within bounds and connected; the rest is re-drawn.

    A stretch to re-draw that fits no number of units takes in its smallest kept
    neighbour, again and again, until it fits (or no neighbour is left, which the
    diagnosis then reports). Returns the kept units (as one-part pieces) and, per
    parent, the nodes to re-draw.
    """
    bounds = bounds_of(unit)
    members: dict[Hashable, list[Hashable]] = {}
    for nodes in groups.values():
        for v in nodes:
            if v in current and current[v] is not None and not pd.isna(current[v]):
                members.setdefault(current[v], []).append(v)
    kept: dict[tuple[Hashable, Hashable], list[Hashable]] = {}
    redraw: dict[Hashable, set[Hashable]] = {}
    for parent in sorted(groups, key=str):
        labels: dict[Hashable, list[Hashable]] = {}
        for v in groups[parent]:
            label = current.get(v)
            if label is None or pd.isna(label):
                redraw.setdefault(parent, set()).add(v)
                continue
            labels.setdefault(label, []).append(v)
        for label, nodes in labels.items():
            totals = {a: sum(graph.nodes[v].get(a, 0) for v in nodes) for a in bounds}
            ok = (
                len(nodes) == len(members[label])
                and all(lo <= totals[a] <= hi for a, (lo, hi) in bounds.items())
                and nx.is_connected(graph.subgraph(nodes))
            )
            if ok:
                kept[(parent, label)] = nodes
            else:
                redraw.setdefault(parent, set()).update(nodes)
    changed = True
    while changed:
        changed = False
        for parent, nodes in redraw.items():
            for component in nx.connected_components(graph.subgraph(nodes)):
                weight = sum(graph.nodes[v].get("households", 0) for v in component)
                least, most = count_range(weight, low=unit.min_households, high=unit.max_households)
                if least <= most:
                    continue
                touching = {
                    key
                    for key, unit_nodes in kept.items()
                    if key[0] == parent
                    and any(graph.has_edge(u, w) for u in component for w in unit_nodes)
                }
                if touching:
                    smallest = min(
                        touching,
                        key=lambda k: (
                            sum(graph.nodes[v].get("households", 0) for v in kept[k]),
                            str(k),
                        ),
                    )
                    nodes.update(kept.pop(smallest))
                    changed = True
                    break
            if changed:
                break
    pieces = [
        _Piece(
            parent,
            f"{parent}/{label}",
            sorted(nodes, key=str),
            sum(graph.nodes[v].get("households", 0) for v in nodes),
            1,
            kept=True,
        )
        for (parent, label), nodes in sorted(kept.items(), key=lambda item: str(item[0]))
    ]
    return pieces, {parent: sorted(nodes, key=str) for parent, nodes in redraw.items() if nodes}


def _with_current(
    pieces: list[_Piece], current: Mapping[Hashable, Hashable], locked: set[Hashable]
) -> None:
    """Attach each re-drawn piece's current labels (and locked nodes) for minimal change."""
    for piece in pieces:
        if piece.kept or piece.oversize:
            continue
        piece.current = {
            v: current[v]
            for v in piece.nodes
            if v in current and current[v] is not None and not pd.isna(current[v])
        }
        piece.locked = frozenset(v for v in piece.nodes if v in locked and v in piece.current)


def _assign_counts(
    pieces: list[_Piece],
    unit: UnitBounds,
    *,
    current_counts: Mapping[Hashable, int] | None,
    level: str,
) -> None:
    """Set ``count`` of every non-oversize piece from the target, a count or a total."""
    free = [p for p in pieces if not (p.oversize or p.kept)]
    if unit.total is not None:
        fixed = sum(1 for p in pieces if p.oversize or p.kept)
        by_parent: dict[Hashable, float] = {}
        for piece in free:
            by_parent[piece.parent] = by_parent.get(piece.parent, 0.0) + piece.households
        per_parent = counts_for_total(
            by_parent,
            unit.total - fixed,
            low=unit.min_households,
            high=unit.max_households,
            current=current_counts,
            unit=level,
        )
        for parent, count in per_parent.items():
            mine = [p for p in free if p.parent == parent]
            split = counts_for_total(
                {i: p.households for i, p in enumerate(mine)},
                count,
                low=unit.min_households,
                high=unit.max_households,
                unit=level,
            )
            for i, piece in enumerate(mine):
                piece.count = split[i]
    elif unit.count is not None:
        for piece in free:
            least, most = count_range(
                piece.households, low=unit.min_households, high=unit.max_households
            )
            if not least <= unit.count <= most:
                raise InfeasibleSpecError(
                    f"{piece.label}: {piece.households:,.0f} households cannot make exactly "
                    f"{unit.count} {level}s of {unit.min_households:,}-{unit.max_households:,} "
                    f"households (between {least} and {most} fit)"
                )
            piece.count = unit.count
    else:
        counts = counts_for_target(
            {i: p.households for i, p in enumerate(free)},
            target=unit.target_households,
            low=unit.min_households,
            high=unit.max_households,
            unit=level,
        )
        for i, piece in enumerate(free):
            piece.count = counts[i]
            piece.flexible = True


def _time_limits(pieces: Sequence[_Piece], budget: float, workers: int) -> list[float]:
    """Share a level's wall-clock budget among its pieces by size (nodes × parts)."""
    sizes = [len(p.nodes) * max(p.count, 1) if p.count > 1 else 0 for p in pieces]
    total = sum(sizes) or 1
    capacity = budget * max(workers, 1)
    return [max(MIN_TASK_SECONDS, min(budget, capacity * s / total)) for s in sizes]


def _solve_level(
    graph: nx.Graph,
    pieces: list[_Piece],
    unit: UnitBounds,
    *,
    level: str,
    scenario: Scenario,
    edge_cost: str,
    budget: float,
    workers: int,
    progress: Callable[[Outcome], None] | None,
) -> tuple[dict[Hashable, tuple[int, int]], list[Subproblem], list[str]]:
    """Solve every piece; return node → (piece index, part) and the subproblem records."""
    bounds = bounds_of(unit)
    limits = _time_limits(pieces, budget, workers)
    tasks, owners = [], []
    assignment: dict[Hashable, tuple[int, int]] = {}
    records: list[Subproblem] = []
    for index, piece in enumerate(pieces):
        if piece.kept or piece.oversize or piece.count <= 1 or piece.households == 0:
            for v in piece.nodes:
                assignment[v] = (index, 0)
            records.append(
                Subproblem(
                    level,
                    piece.label,
                    len(piece.nodes),
                    1,
                    int(piece.households),
                    "optimal",
                    0.0,
                    0.0,
                    0.0,
                    0.0,
                    "kept" if piece.kept else "single",
                )
            )
            continue
        sub = graph.subgraph(piece.nodes).copy()
        least, most = count_range(
            piece.households, low=unit.min_households, high=unit.max_households
        )
        change: dict[str, Any] = {}
        labels = sorted(set(piece.current.values()), key=str)
        if piece.current and len(labels) <= min(
            piece.count, least if piece.flexible else piece.count
        ):
            # minimal change: households moved out of their current unit are paid for,
            # and locked compounds stay in theirs
            part_of = {label: i for i, label in enumerate(labels)}
            change = {
                "current": piece.current,
                "move_weight": "households",
                "move_penalty": scenario.objective.move_penalty,
                "fixed": {v: part_of[piece.current[v]] for v in piece.locked},
            }
        spec = PartitionSpec(
            k=piece.count,
            bounds=bounds,
            edge_cost=edge_cost,
            barrier_attr="barrier",
            barrier_penalty=scenario.objective.barrier_penalty,
            **change,
        )
        fallback = None
        if piece.flexible and (least, most) != (piece.count, piece.count):
            fallback = dataclasses.replace(spec, k=(least, most))
        tasks.append(
            Task(
                level,
                piece.label,
                sub,
                spec,
                limits[index],
                scenario.solver.seed,
                scenario.solver.solver,
                fallback,
                exact=len(piece.nodes) * piece.count <= EXACT_SIZE
                and limits[index] >= MIN_EXACT_SECONDS,
            )
        )
        owners.append(index)
    outcomes = run_tasks(tasks, workers=workers, progress=progress)
    failures = []
    for index, outcome in zip(owners, outcomes, strict=True):
        piece = pieces[index]
        if outcome.result is None:
            failures.append(f"{piece.label} ({len(piece.nodes)} nodes): {outcome.error}")
            continue
        result = outcome.result
        for v, part in result.assignment.items():
            assignment[v] = (index, part)
        records.append(
            Subproblem.of(level, piece.label, len(piece.nodes), piece.households, result)
        )
    return assignment, records, failures


@dataclass(frozen=True)
class _LevelRun:
    """A level's units: node → (parent, piece index, part), oversize units, records."""

    key: dict[Hashable, tuple[Hashable, int, int]]
    oversize: set[tuple[Hashable, int, int]]
    records: list[Subproblem]
    seconds: float


def plan_level(
    graph: nx.Graph,
    groups: Mapping[Hashable, list[Hashable]],
    unit: UnitBounds,
    *,
    level: str,
    member: str,
    scenario: Scenario,
    current: Mapping[Hashable, Hashable],
    locked: set[Hashable],
    current_counts: Mapping[Hashable, int] | None,
    edge_cost: str,
    budget: float,
    workers: int,
    progress: Callable[[str, Outcome], None] | None,
    notes: list[str],
    label: Callable[[Hashable], str] | None = None,
) -> _LevelRun:
    """One level of a plan: keep valid current units (when ``current`` is given), cut
    the rest of each parent into pieces, count and solve them, and note oversize units."""
    start = time.perf_counter()
    kept: list[_Piece] = []
    redraw = groups
    if current:
        kept, redraw = _keep_valid_units(graph, groups, current, unit)
    pieces, problems = _pieces(graph, redraw, unit, level=level, member=member)
    _with_current(pieces, current, locked)
    pieces = kept + pieces
    if label is not None:
        for piece in pieces:
            piece.label = label(piece.parent)
    if problems:
        raise InfeasibleSpecError(
            f"{len(problems)} piece(s) cannot be cut into {_PLURAL[level]}: " + "; ".join(problems)
        )
    _assign_counts(pieces, unit, current_counts=current_counts, level=level)
    for piece in pieces:
        if piece.oversize:
            first = piece.nodes[0]
            notes.append(
                f"{member} {node_name(graph, first)} holds "
                f"{graph.nodes[first].get('households', 0):,.0f} households, above the "
                f"{level} cap {unit.max_households:,}: it is a {level} of its own, flagged "
                "oversize"
                + (
                    f"; {', '.join(node_name(graph, v) for v in piece.joined)}, cut off from "
                    f"the rest of {piece.parent} by it, join(s) it "
                    f"({piece.households:,.0f} households in all)"
                    if piece.joined
                    else ""
                )
            )
    assignment, records, failures = _solve_level(
        graph,
        pieces,
        unit,
        level=level,
        scenario=scenario,
        edge_cost=edge_cost,
        budget=budget,
        workers=workers,
        progress=None if progress is None else (lambda outcome: progress(level, outcome)),
    )
    if failures:
        raise SolverError(f"{_PLURAL[level]} could not be planned: " + "; ".join(failures))
    return _LevelRun(
        key={v: (pieces[i].parent, i, part) for v, (i, part) in assignment.items()},
        oversize={(piece.parent, i, 0) for i, piece in enumerate(pieces) if piece.oversize},
        records=records,
        seconds=time.perf_counter() - start,
    )


def level_summary(
    level: str, records: list[Subproblem], units: pd.DataFrame, seconds: float
) -> LevelSummary:
    objective = float(sum(r.objective or 0.0 for r in records))
    bounds = [r.bound for r in records]
    bound = (
        None if any(b is None for b in bounds) else float(sum(b for b in bounds if b is not None))
    )
    gap = None
    if bound is not None:
        gap = 0.0 if objective - bound <= 1e-9 else (objective - bound) / abs(objective)
    status = "optimal" if all(r.status == "optimal" for r in records) else "feasible"
    return LevelSummary(
        level=level,
        units=len(units),
        within_bounds=int(units["within_bounds"].sum()),
        objective=round(objective, 3),
        bound=None if bound is None else round(bound, 3),
        gap=None if gap is None else round(gap, 6),
        status=status,
        seconds=round(seconds, 3),
        subproblems=tuple(records),
    )


def grid_graph_for(
    compounds: gpd.GeoDataFrame,
    buildings: gpd.GeoDataFrame | None,
    compound_graph: nx.Graph,
    unit: UnitBounds,
) -> tuple[nx.Graph, dict[Hashable, Hashable], str]:
    """The graph grids are drawn from, each node's compound, and what a node is called:
    buildings when given, else equal virtual pieces of each compound."""
    if buildings is not None:
        graph = grid_graph_from_buildings(buildings, compound_graph)
        owner = dict(zip(buildings["id"], buildings["compound_id"], strict=True))
        return graph, owner, "building"
    frame = compounds.loc[
        :, [c for c in ("id", "name", "households", "population") if c in compounds.columns]
    ]
    graph, owner = grid_graph_from_compounds(frame, compound_graph, unit)
    return graph, owner, "virtual piece"


def grid_graph_from_buildings(buildings: gpd.GeoDataFrame, compound_graph: nx.Graph) -> nx.Graph:
    graph = build_building_contiguity(buildings, compound_graph=compound_graph)
    for _, _, data in graph.edges(data=True):
        data["cost"] = SAME_COMPOUND_CUT_COST if data.get("same_compound") else 1.0
    return graph


def grid_graph_from_compounds(
    compounds: gpd.GeoDataFrame, compound_graph: nx.Graph, unit: UnitBounds
) -> tuple[nx.Graph, dict[Hashable, Hashable]]:
    """Cut each compound into equal virtual pieces of about a third of the grid floor.

    Pieces that small let grids of any size within the bounds be put together (pieces
    near the grid size leave leftovers that fit nowhere). Returns the graph of pieces
    and piece → compound. Pieces of one compound form a path, like strips across it
    (cost 1 per cut); a neighbouring compound meets the strips at either end.
    """
    graph = nx.Graph()
    owner: dict[Hashable, Hashable] = {}
    pieces_of: dict[Hashable, list[Hashable]] = {}
    piece_size = max(1.0, unit.min_households / VIRTUAL_PIECES_PER_FLOOR)
    for row in compounds.itertuples(index=False):
        households, population = int(row.households), int(row.population)
        m = max(1, math.ceil(households / piece_size - 1e-9))
        shares_h = _equal_split(households, m)
        shares_p = _equal_split(population, m)
        names = [(row.id, i) for i in range(m)]
        for name, h, p in zip(names, shares_h, shares_p, strict=True):
            graph.add_node(
                name,
                households=h,
                population=p,
                compound_id=row.id,
                name=f"{getattr(row, 'name', row.id)}#{name[1] + 1}",
            )
            owner[name] = row.id
        nx.add_path(graph, names, cost=1.0, barrier=False)
        pieces_of[row.id] = names
    for u, v, data in compound_graph.edges(data=True):
        # neighbours meet the strips at either end of a compound, not its middle
        for a in {pieces_of[u][0], pieces_of[u][-1]} if u in pieces_of else ():
            for b in {pieces_of[v][0], pieces_of[v][-1]} if v in pieces_of else ():
                graph.add_edge(a, b, cost=1.0, barrier=bool(data.get("barrier", False)))
    return graph, owner


def _equal_split(total: int, parts: int) -> list[int]:
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


#: Share of the plan's time limit spent on re-drawing subdistricts (when asked for).
SUBDISTRICT_TIME_SHARE = 0.1

#: Name of a new subdistrict until a person names it: 新设街道1, 新设街道2, ...
NEW_SUBDISTRICT_NAME = "新设街道{}"


@dataclass(frozen=True)
class SubdistrictRun:
    """Re-drawn subdistricts: compound → new subdistrict name, and the record."""

    of_compound: dict[Hashable, str]
    provisional: frozenset[str]
    record: Subproblem
    seconds: float


def plan_subdistricts(
    graph: nx.Graph,
    community_key: Mapping[Hashable, Hashable],
    current: Mapping[Hashable, Hashable],
    unit: UnitBounds,
    *,
    scenario: Scenario,
    budget: float,
    notes: list[str],
) -> SubdistrictRun:
    """Group the new communities into subdistricts within ``unit``'s bounds.

    Communities stay whole. The graph of communities (two are neighbours when some of
    their compounds are; the edge costs their shared frontage) is partitioned into
    the number of subdistricts that ``unit`` asks for (``total`` or ``count``, else
    the target size, else as few as the bounds allow), minimising the new boundary
    plus ``move_penalty`` per household whose subdistrict changes, so that the
    subdistricts that need no change keep their communities. The new subdistrict
    holding most of a current one's households keeps its name; the others are named
    新设街道1, 2, ... (provisional: a person names them).
    """
    start = time.perf_counter()
    cgraph = nx.Graph()
    for v, key in community_key.items():
        data = graph.nodes[v]
        if key not in cgraph:
            cgraph.add_node(key, households=0, population=0, parents={})
        node = cgraph.nodes[key]
        node["households"] += data.get("households", 0)
        node["population"] += data.get("population", 0)
        parent = current[v]
        node["parents"][parent] = node["parents"].get(parent, 0) + data.get("households", 0)
    for u, v, data in graph.edges(data=True):
        a, b = community_key[u], community_key[v]
        if a == b:
            continue
        length = float(data.get("length", 0.0)) or 1.0
        if cgraph.has_edge(a, b):
            cgraph[a][b]["length"] += length
        else:
            cgraph.add_edge(a, b, length=length)
    for key in cgraph.nodes:
        parents = cgraph.nodes[key]["parents"]
        cgraph.nodes[key]["current"] = max(sorted(parents, key=str), key=lambda p: parents[p])
    total = sum(cgraph.nodes[key]["households"] for key in cgraph.nodes)
    low, high = unit.min_households, unit.max_households
    high = high if math.isfinite(high) else total
    k: int
    if unit.total is not None:
        k = unit.total
    elif unit.count is not None:
        k = unit.count
    elif unit.target_households is not None:
        k = counts_for_target(
            {"district": total},
            target=unit.target_households,
            low=low,
            high=high,
            unit="subdistrict",
        )["district"]
    else:
        least, most = count_range(total, low=low, high=high)
        if least > most:
            raise InfeasibleSpecError(
                f"the district's {total:,.0f} households fit no number of subdistricts of "
                f"{low:,.0f}-{high:,.0f} households: change [subdistrict]"
            )
        k = least
    bounds = {"households": (float(low), float(high))}
    if unit.max_population is not None or unit.min_population is not None:
        bounds["population"] = (
            float(unit.min_population or 0),
            float(unit.max_population if unit.max_population is not None else math.inf),
        )
        if not math.isfinite(bounds["population"][1]):
            bounds["population"] = (bounds["population"][0], float(total * 100))
    labels = sorted({cgraph.nodes[key]["current"] for key in cgraph.nodes}, key=str)
    change: dict[str, Any] = {}
    if len(labels) <= k:
        # minimal change: households whose subdistrict changes are paid for
        change = {
            "current": {key: cgraph.nodes[key]["current"] for key in cgraph.nodes},
            "move_weight": "households",
            "move_penalty": scenario.objective.move_penalty,
        }
    spec = PartitionSpec(k=k, bounds=bounds, edge_cost="length", **change)
    try:
        result = partition_graph(
            cgraph,
            spec,
            time_limit=max(budget, MIN_TASK_SECONDS),
            solver=scenario.solver.solver,
            seed=scenario.solver.seed,
            threads=scenario.solver.threads,
        )
    except InfeasibleSpecError as error:
        raise InfeasibleSpecError(
            f"the {cgraph.number_of_nodes()} new communities cannot be grouped into {k} "
            f"subdistricts of {low:,.0f}-{high:,.0f} households ({error}): change "
            "[subdistrict], or make smaller communities"
        ) from None
    # names: the part with most of a current subdistrict's households keeps its name
    share: dict[int, dict[Hashable, float]] = {}
    for key, part in result.assignment.items():
        for parent, households in cgraph.nodes[key]["parents"].items():
            share.setdefault(part, {})[parent] = share.get(part, {}).get(parent, 0) + households
    name_of: dict[int, str] = {}
    for parent in labels:
        holders = sorted(share, key=lambda p: (-share[p].get(parent, 0), p))
        best = holders[0] if holders and share[holders[0]].get(parent, 0) > 0 else None
        if best is not None and best not in name_of:
            name_of[best] = str(parent)
    provisional = set()
    for number, part in enumerate(sorted(set(result.assignment.values()) - set(name_of)), 1):
        name_of[part] = NEW_SUBDISTRICT_NAME.format(number)
        provisional.add(name_of[part])
    if provisional:
        notes.append(
            f"{len(provisional)} new subdistrict(s) were drawn and provisionally named "
            f"{', '.join(sorted(provisional))}: name them before submission"
        )
    of_compound = {v: name_of[result.assignment[key]] for v, key in community_key.items()}
    record = Subproblem.of(
        "subdistrict", scenario.report.district_name, cgraph.number_of_nodes(), total, result
    )
    return SubdistrictRun(of_compound, frozenset(provisional), record, time.perf_counter() - start)
