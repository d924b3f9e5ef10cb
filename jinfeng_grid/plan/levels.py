"""The level machinery of a plan: pieces, minimal change, counts and solving.

A *level* (communities within subdistricts, grids within communities) is planned by
cutting each parent into connected pieces, keeping the current units that are valid
(minimal change), choosing how many units each piece gets, and solving the pieces as
independent partition subproblems (:mod:`jinfeng_grid.plan.solve`). The pieces are
made in :mod:`jinfeng_grid.plan.pieces`; used by :mod:`jinfeng_grid.plan`; nothing
here reads or writes files.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import networkx as nx
import pandas as pd

from jinfeng_grid.config.options import UnitBounds
from jinfeng_grid.config.scenario import Scenario
from jinfeng_grid.errors import InfeasibleSpecError, SolverError
from jinfeng_grid.partition.spec import PartitionSpec
from jinfeng_grid.plan.apportion import count_range
from jinfeng_grid.plan.pieces import (
    _PLURAL,
    _assign_counts,
    _keep_valid_units,
    _Piece,
    _pieces,
    _with_current,
    bounds_of,
    node_name,
)
from jinfeng_grid.plan.records import LevelSummary, Subproblem
from jinfeng_grid.plan.solve import Outcome, Task, run_tasks

__all__ = [
    "COMMUNITY_TIME_SHARE",
    "GRID_TIME_SHARE",
    "level_summary",
    "plan_level",
]

#: Largest subproblem (nodes × parts) solved by the exact MIP within a plan; larger
#: ones get the heuristic alone, which the exact solver could not improve on in the
#: seconds a district plan affords (measured on the sample), and a lower bound from
#: the parts' least boundaries (:func:`~jinfeng_grid.partition.boundary_bound`).
EXACT_SIZE = 240


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
) -> tuple[dict[Hashable, tuple[int, int]], list[Subproblem], list[tuple[str, str | None]]]:
    """Solve every piece; return node → (piece index, part), the subproblem records and
    each failed piece's message with the kind of its error."""
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
            failures.append(
                (f"{piece.label} ({len(piece.nodes)} nodes): {outcome.error}", outcome.error_kind)
            )
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
    """A level's units: node → (parent, piece index, part), oversize units, records,
    and the notes for a person (one per oversize unit, in piece order)."""

    key: dict[Hashable, tuple[Hashable, int, int]]
    oversize: set[tuple[Hashable, int, int]]
    records: list[Subproblem]
    seconds: float
    notes: tuple[str, ...] = ()


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
    label: Callable[[Hashable], str] | None = None,
) -> _LevelRun:
    """One level of a plan: keep valid current units (when ``current`` is given), cut
    the rest of each parent into pieces, count and solve them, and note oversize units
    (in the run's ``notes``)."""
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
    oversize_notes = tuple(
        _oversize_note(graph, piece, member=member, level=level, unit=unit)
        for piece in pieces
        if piece.oversize
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
        # a piece proven infeasible makes the plan infeasible whatever the time limit
        proven = any(kind == InfeasibleSpecError.__name__ for _, kind in failures)
        kind = InfeasibleSpecError if proven else SolverError
        raise kind(f"{_PLURAL[level]} could not be planned: " + "; ".join(t for t, _ in failures))
    return _LevelRun(
        key={v: (pieces[i].parent, i, part) for v, (i, part) in assignment.items()},
        oversize={(piece.parent, i, 0) for i, piece in enumerate(pieces) if piece.oversize},
        records=records,
        seconds=time.perf_counter() - start,
        notes=oversize_notes,
    )


def _oversize_note(
    graph: nx.Graph, piece: _Piece, *, member: str, level: str, unit: UnitBounds
) -> str:
    """The note on an oversize unit: its member above the cap, and who joined it."""
    first = piece.nodes[0]
    return (
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
