"""Balanced, connected partitions of a graph, exact with proofs or heuristic.

The core is geometry-free: it partitions a :class:`networkx.Graph` whose nodes carry
numeric weights (``households``, ``population``) and whose edges may carry a cost
(``length``: shared frontage in metres) and a barrier flag. The pipeline is::

    diagnose_partition → heuristic warm start → build_partition_model
        → solve_partition_model → audits → PartitionResult

Status words (``PartitionResult.status``):

- ``optimal``: the plan is proven optimal (gap 0);
- ``feasible``: a plan meeting every constraint, with the proven lower bound and gap
  (a time limit was hit, or only the heuristic ran: then the bound comes from
  :func:`boundary_bound`; bound and gap are None only when no bound was asked for);
- ``infeasible``: the solver proved that no plan exists;
- ``no_plan``: nothing was found in the time allowed.

:func:`solve_partition_model` returns all four. :func:`partition_graph` returns only
audited plans: it raises :class:`~jinfeng_grid.errors.InfeasibleSpecError` when the
spec is impossible (diagnosed in words before solving, or proven by the solver) and
:class:`~jinfeng_grid.errors.SolverError` when no plan was found in time.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import time
from collections.abc import Hashable, Mapping
from types import MappingProxyType
from typing import Any, Literal

import networkx as nx
import numpy as np

from jinfeng_grid.errors import ConfigError, InfeasibleSpecError, SolverError
from jinfeng_grid.partition import audit as _audit
from jinfeng_grid.partition.audit import (
    every_node_assigned,
    objective_matches,
    parts_connected,
    plan_objective,
    within_bounds,
)
from jinfeng_grid.partition.bounds import boundary_bound
from jinfeng_grid.partition.contiguity import node_weights
from jinfeng_grid.partition.heuristic import HeuristicProblem, heuristic_partition
from jinfeng_grid.partition.model import PartitionModel, build_partition_model
from jinfeng_grid.partition.solver import known_highs_options, run_solver
from jinfeng_grid.partition.spec import PartitionResult, PartitionSpec, Status

__all__ = [
    "TREE_SEARCH_OPTIONS",
    "audit_plan",
    "diagnose_partition",
    "partition_graph",
    "solve_partition_model",
]

logger = logging.getLogger(__name__)

#: Least seconds spent on a lower bound for a plan the MIP did not bound, even when
#: the heuristic used up the time limit: a weak bound is still a proven one.
MIN_BOUND_SECONDS = 0.1

#: HiGHS options for the partition MIP's tree search: cuts separated at the root only,
#: pseudocosts trusted after 4 observations instead of 8. Measured with HiGHS 1.16 on
#: 2 cores, solve time after the same warm start, medians (ranges) over seeds: OK
#: county (k = 5, seeds 0–9) 34 s (30–59) where the defaults took 52–115 s (seeds
#: 0–5, two of the six over 100 s); WV county 16.5 s against 26.5 s, NE county 12.3 s
#: against 14.2 s, ME tract 24.0 s against 35.6 s (seeds 0–2). Cuts at every node cost
#: more simplex iterations than the nodes they saved. ``solver_options`` overrides them.
TREE_SEARCH_OPTIONS: Mapping[str, Any] = MappingProxyType(
    {"mip_allow_cut_separation_at_nodes": False, "mip_pscost_minreliable": 4}
)


def diagnose_partition(graph: nx.Graph, spec: PartitionSpec) -> list[str]:
    """Say in words, naming the nodes, every reason found before solving why no plan exists.

    Checks: a node heavier than a cap; the total against k·L and k·U; connected pieces
    whose weight fits no count of parts; contradictions among fixed, seeds and together.
    Returns an empty list when nothing is found (which does not prove feasibility).
    """
    _check_spec_nodes(graph, spec)
    return _audit.diagnose(graph, spec)


def audit_plan(
    graph: nx.Graph, spec: PartitionSpec, assignment: Mapping[Hashable, int], objective: float
) -> None:
    """Run every audit on a plan; raise PlanCheckError on the first failure."""
    every_node_assigned(graph, assignment)
    parts_connected(graph, assignment)
    within_bounds(graph, assignment, spec.bounds, spec.k_range)
    _audit.constraints_kept(graph, spec, assignment)
    objective_matches(graph, spec, assignment, objective)


def solve_partition_model(
    model: PartitionModel,
    *,
    solver: str = "highs",
    time_limit: float | None = 60.0,
    threads: int | None = None,
    warm_start: Mapping[Hashable, int] | None = None,
    seed: int = 0,
    primal_heuristics: bool | None = None,
    solver_options: Mapping[str, Any] | None = None,
) -> PartitionResult:
    """Solve a built model; never raises for infeasible or unsolved, see ``status``.

    ``primal_heuristics`` switches the solver's own search for plans (HiGHS only); by
    default it is off when a usable ``warm_start`` is given. Measured on OK county
    (k = 5, warm start 40 = optimum, one thread): proven optimal after 78 CPU s without
    them, bound 38 after 79 CPU s with them; WV and NE county searched identically.

    ``solver_options`` are HiGHS options by name for the tree search (CBC ignores
    them); None uses :data:`TREE_SEARCH_OPTIONS` (those this HiGHS release knows),
    ``{}`` HiGHS's own defaults; an option HiGHS rejects raises ConfigError.
    """
    start = time.perf_counter()
    values = model.start_values(warm_start) if warm_start else None
    if primal_heuristics is None:
        primal_heuristics = not values
    outcome = run_solver(
        model.problem,
        solver=solver,
        time_limit=time_limit,
        threads=threads,
        warm_start=values,
        seed=seed,
        integral_objective=model.integral_objective,
        primal_heuristics=primal_heuristics,
        highs_options=(
            known_highs_options(TREE_SEARCH_OPTIONS) if solver_options is None else solver_options
        ),
    )
    assignment: dict[Hashable, int] = {}
    objective = outcome.objective
    if outcome.status in ("optimal", "feasible"):
        assignment = model.read_assignment()
        objective = plan_objective(model.graph, model.spec, assignment)
    bound = outcome.bound
    if bound is not None and objective is not None:
        bound = min(bound, objective)
    return _result(
        model.graph,
        model.spec,
        assignment,
        outcome.status,
        objective,
        bound,
        time.perf_counter() - start,
        solver,
        "exact",
    )


def partition_graph(
    graph: nx.Graph,
    spec: PartitionSpec,
    *,
    time_limit: float = 60.0,
    solver: str = "highs",
    seed: int = 0,
    threads: int | None = None,
    heuristic_only: bool = False,
    heuristic_time: float | None = None,
    heuristic_runs: int = 5,
    lower_bound: bool = True,
    solver_options: Mapping[str, Any] | None = None,
) -> PartitionResult:
    """Partition ``graph`` under ``spec``: diagnose, warm start, solve exactly, audit.

    Parameters
    ----------
    graph
        Undirected graph; node weights and edge costs as named in ``spec``.
    spec
        The constraints and objective.
    time_limit
        Wall-clock seconds for the whole call (heuristic plus exact solve or lower
        bound; ``lower_bound`` says when the bound may run a little past it).
    solver
        ``"highs"`` (default) or ``"cbc"``.
    seed
        Seed of the heuristic and the solver; the same seed gives the same plan.
    threads
        Solver threads (None: the solver's default).
    heuristic_only
        Return the heuristic plan without solving the partition MIP; its lower bound
        then comes from :func:`boundary_bound` (see ``lower_bound``).
    heuristic_time
        Seconds for all heuristic runs together (default: a fifth of ``time_limit``, at
        most 5 s). A run after the first starts only while time remains; a 10 s default
        cost ME tract (358 nodes, whose first run already finds the optimum) 5 s more.
    heuristic_runs
        Heuristic runs with seeds ``seed, seed + 1, ...``; the best plan (the first
        among equals) is returned or warm-starts the solver. Five, because a warm start
        one cut edge above the optimum costs OK county (77 nodes, k = 5) about 20 s more
        proof: with three runs seed 7 started at 41 and was proven in 59.9 s, with five
        every seed 0–9 starts at the optimum, 40. The runs share ``heuristic_time``, so
        small graphs pay about a second more and large ones nothing.
    lower_bound
        Prove a lower bound for a plan the MIP did not bound: with ``heuristic_only``
        the time left after the heuristic (at least ``MIN_BOUND_SECONDS``, which may
        overrun ``time_limit`` by as much) goes to :func:`boundary_bound`; when the
        exact solver returned no bound, it gets ``max(0.5, time_limit / 10)`` more
        seconds. False returns such plans with bound and gap None. A bound that
        reaches the plan's objective proves it optimal. A single part (k = 1) is the
        only plan, hence optimal, without either.
    solver_options
        HiGHS options for the exact solve (see :func:`solve_partition_model`; None:
        :data:`TREE_SEARCH_OPTIONS`).

    Returns
    -------
    PartitionResult
        An audited plan with status ``optimal`` or ``feasible``.

    Raises
    ------
    InfeasibleSpecError
        The spec cannot be met (with every diagnosis in words), or the solver proved it.
    SolverError
        No plan was found within the time limit.
    """
    start = time.perf_counter()
    findings = diagnose_partition(graph, spec)
    if findings:
        raise InfeasibleSpecError("no plan can meet the spec: " + "; ".join(findings))
    if (
        isinstance(heuristic_runs, bool)
        or not isinstance(heuristic_runs, int)
        or heuristic_runs < 1
    ):
        raise ConfigError(f"heuristic_runs must be an integer ≥ 1, got {heuristic_runs!r}")
    budget = heuristic_time if heuristic_time is not None else min(5.0, time_limit / 5)
    incumbent = _best_heuristic_plan(graph, spec, seed=seed, runs=heuristic_runs, budget=budget)
    logger.info(
        "heuristic: %s in %.2f s",
        "no plan" if incumbent is None else f"objective {plan_objective(graph, spec, incumbent):g}",
        time.perf_counter() - start,
    )
    notes: tuple[str, ...] = ()
    if incumbent is None and spec.exclude:
        notes = (
            f"the heuristic found no plan that differs from the {len(spec.exclude)} excluded "
            f"plan(s) in at least {spec.min_difference} cut edges within {budget:.1f} s",
        )
    if heuristic_only:
        if incumbent is None:
            why = notes[0] if notes else f"the heuristic found no plan in {budget:.1f} s"
            raise SolverError(
                f"{why}: allow more time or run the exact solver (heuristic_only=False)"
            )
        result = _result(graph, spec, incumbent, "feasible", None, None, 0.0, "none", "heuristic")
        if lower_bound and spec.k_range != (1, 1):
            remaining = time_limit - (time.perf_counter() - start)
            result = _with_boundary_bound(graph, spec, result, remaining, solver, seed)
    else:
        model = build_partition_model(graph, spec)
        remaining = max(1.0, time_limit - (time.perf_counter() - start))
        result = solve_partition_model(
            model,
            solver=solver,
            time_limit=remaining,
            threads=threads,
            warm_start=incumbent,
            seed=seed,
            solver_options=solver_options,
        )
        result = _prefer_incumbent(graph, spec, result, incumbent, solver)
        if lower_bound and result.bound is None and result.assignment:
            extra = max(0.5, time_limit / 10)
            result = _with_boundary_bound(graph, spec, result, extra, solver, seed)
    if spec.k_range == (1, 1) and result.assignment:
        # one part: the plan is the only one there is
        result = dataclasses.replace(result, status="optimal", bound=result.objective, gap=0.0)
    result = PartitionResult(
        **{**result.__dict__, "seconds": time.perf_counter() - start, "notes": notes}
    )
    if result.status == "infeasible":
        excluded = (
            f" and differs from the {len(spec.exclude)} excluded plan(s) in at least "
            f"{spec.min_difference} cut edges"
            if spec.exclude
            else ""
        )
        raise InfeasibleSpecError(
            f"the solver proved that no connected plan meets the bounds {dict(spec.bounds)} "
            f"with {spec.k} parts and the given fixed/together/seed constraints{excluded}: "
            "widen the bounds or change the number of parts"
            + (" or ask for fewer alternatives" if spec.exclude else "")
        )
    if result.status == "no_plan":
        raise SolverError(
            f"no plan found within {time_limit:g} s ({solver}): allow more time, widen the "
            "bounds or try heuristic_only=True"
        )
    assert result.objective is not None
    audit_plan(graph, spec, result.assignment, result.objective)
    logger.info("partition: %r", result)
    return result


def _best_heuristic_plan(
    graph: nx.Graph, spec: PartitionSpec, *, seed: int, runs: int, budget: float
) -> dict[Hashable, int] | None:
    """The best plan of ``runs`` heuristic runs (seeds ``seed, seed + 1, ...``) in ``budget`` s.

    Seeds differ in which local optimum the chain ends in (on OK county, k = 5, seeds
    0–4 gave 41, 40, 43, 40, 40 cut edges), so the best of a few is a better warm start.
    Runs after the first start only while budget remains.
    """
    problem = HeuristicProblem.from_graph(graph, spec)
    deadline = time.perf_counter() + budget
    best: tuple[float, dict[Hashable, int]] | None = None
    for i in range(runs):
        remaining = deadline - time.perf_counter()
        if i > 0 and remaining <= 0:
            logger.info("heuristic: budget of %.1f s spent after %d of %d runs", budget, i, runs)
            break
        plan = heuristic_partition(problem, seed=seed + i, time_budget=max(remaining, 0.0))
        if plan is None:
            continue
        assignment = {problem.graph.nodes[v]: int(p) for v, p in enumerate(plan)}
        value = plan_objective(graph, spec, assignment)
        if best is None or value < best[0] - 1e-9:
            best = (value, assignment)
    return None if best is None else best[1]


def _with_boundary_bound(
    graph: nx.Graph,
    spec: PartitionSpec,
    result: PartitionResult,
    seconds: float,
    solver: str,
    seed: int,
) -> PartitionResult:
    """``result`` with the bound of :func:`boundary_bound` (optimal if it reaches the plan)."""
    if result.objective is None:
        return result
    seconds = max(seconds, MIN_BOUND_SECONDS)
    bound = boundary_bound(graph, spec, time_limit=seconds, solver=solver, seed=seed).value
    bound = min(bound, result.objective)
    objective = result.objective
    status: Status = (
        "optimal" if bound >= objective - 1e-6 * max(1.0, abs(objective)) else result.status
    )
    return _result(
        graph,
        spec,
        result.assignment,
        status,
        objective,
        bound,
        result.seconds,
        result.solver,
        result.method,
    )


def _prefer_incumbent(
    graph: nx.Graph,
    spec: PartitionSpec,
    result: PartitionResult,
    incumbent: dict[Hashable, int] | None,
    solver: str,
) -> PartitionResult:
    """Keep the heuristic plan when the solver returned nothing better."""
    if incumbent is None or result.status == "optimal":
        return result
    value = plan_objective(graph, spec, incumbent)
    if result.objective is not None and result.objective <= value + 1e-9:
        return result
    bound = result.bound
    if bound is not None and bound > value + 1e-6 * max(1.0, abs(value)):
        # a "bound" above a plan known to be feasible proves nothing (HiGHS reports
        # one when it stops before its root LP): report none rather than claim optimal
        logger.info(
            "solver bound %s is above the heuristic plan's %s: no bound reported", bound, value
        )
        bound = None
    status: Status = "optimal" if bound is not None and bound >= value - 1e-6 else "feasible"
    return _result(graph, spec, incumbent, status, value, bound, result.seconds, solver, "exact")


def _result(
    graph: nx.Graph,
    spec: PartitionSpec,
    assignment: dict[Hashable, int],
    status: Status,
    objective: float | None,
    bound: float | None,
    seconds: float,
    solver: str,
    method: Literal["exact", "heuristic"],
) -> PartitionResult:
    if assignment and objective is None:
        objective = plan_objective(graph, spec, assignment)
    gap = None
    if objective is not None and bound is not None:
        diff = max(0.0, objective - bound)
        gap = 0.0 if diff <= 1e-9 else (diff / abs(objective) if objective else math.inf)
    weights = node_weights(graph, list(spec.bounds))
    part_weights: dict[int, dict[str, float]] = {}
    for v, p in sorted(assignment.items(), key=lambda item: item[1]):
        entry = part_weights.setdefault(p, dict.fromkeys(spec.bounds, 0.0))
        for attr in spec.bounds:
            entry[attr] += weights[attr][v]
    return PartitionResult(
        assignment=dict(assignment),
        status=status,
        objective=objective,
        bound=bound,
        gap=gap,
        seconds=seconds,
        solver=solver,
        method=method,
        part_weights=part_weights,
    )


def _check_spec_nodes(graph: nx.Graph, spec: PartitionSpec) -> None:
    named = list(spec.fixed) + list(spec.seeds) + [v for g in spec.together for v in g]
    unknown = sorted({str(v) for v in named if v not in graph})
    if unknown:
        raise ConfigError(f"the spec names nodes that are not in the graph: {unknown[:10]}")
    for i, plan in enumerate(spec.exclude):
        missing = sorted((str(v) for v in graph.nodes if v not in plan), key=str)
        if missing:
            raise ConfigError(
                f"excluded plan {i} does not assign {len(missing)} nodes of the graph "
                f"({missing[:10]}): give every node's part, as partition_graph returns it"
            )
    problems = []
    for attr in spec.bounds:
        values = np.array([graph.nodes[v].get(attr, 0) or 0 for v in graph.nodes], dtype=float)
        if len(values) and (not np.all(np.isfinite(values)) or values.min() < 0):
            problems.append(attr)
    if problems:
        raise ConfigError(f"node weights {problems} must be finite numbers ≥ 0")
    if isinstance(graph, nx.DiGraph | nx.MultiGraph):
        raise ConfigError("the graph must be a simple undirected networkx.Graph")
