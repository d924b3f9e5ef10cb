"""Run the independent partition subproblems of a plan, in parallel processes.

Communities are solved per subdistrict (per connected piece of it) and grids per
community. Each subproblem is a :class:`Task`: a graph, a spec and a time limit; it
is seeded, so the plan does not depend on which process solves it or in what order.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Hashable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import networkx as nx

from jinfeng_grid.errors import InfeasibleSpecError, JinfengGridError, SolverError
from jinfeng_grid.partition.core import partition_graph
from jinfeng_grid.partition.spec import PartitionResult, PartitionSpec

__all__ = ["Outcome", "Task", "run_tasks"]

#: A task whose exact solve found nothing in time gets this many times its time
#: for a pure heuristic search (then, for a piece too large for the exact solver, an
#: exact search as long) before it is given up.
RETRY_FACTOR = 4.0

#: Least seconds of those longer retries, however short the task's own budget.
MIN_RETRY_SECONDS = 30.0

#: Share of a heuristic-only task's time spent searching for plans; the rest proves
#: a lower bound (:func:`~jinfeng_grid.partition.boundary_bound`), so that every
#: subproblem of a plan reports its gap.
HEURISTIC_SHARE = 0.75

#: Heuristic runs per subproblem. Three, not ``partition_graph``'s five: a plan's
#: subproblems end on their time limit rather than on a proof, and on the sample
#: district five runs gave the same communities and grids of the same cost (6,005-6,009
#: over five runs, which vary with the wall clock) but took 52 s instead of 46 s.
PLAN_HEURISTIC_RUNS = 3

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Task:
    """One partition subproblem of a plan level."""

    level: str
    parent: str
    graph: nx.Graph
    spec: PartitionSpec
    time_limit: float
    seed: int
    solver: str = "highs"
    fallback: PartitionSpec | None = None
    exact: bool = True


@dataclass(frozen=True)
class Outcome:
    """What a task returned: a result, or the error that stopped it (as text)."""

    task: Task
    result: PartitionResult | None
    error: str | None = None
    error_kind: str | None = None
    note: str | None = None

    @property
    def assignment(self) -> dict[Hashable, int]:
        """Node → part of the plan (empty when the task failed)."""
        return {} if self.result is None else self.result.assignment


def _solve(
    task: Task, spec: PartitionSpec, time_limit: float, *, heuristic_only: bool = False
) -> PartitionResult:
    return partition_graph(
        task.graph,
        spec,
        time_limit=time_limit,
        solver=task.solver,
        seed=task.seed,
        threads=1,
        heuristic_time=time_limit * (HEURISTIC_SHARE if heuristic_only else 0.5),
        heuristic_runs=PLAN_HEURISTIC_RUNS,
        # one part is the whole piece: nothing to decide, nothing to prove
        heuristic_only=heuristic_only or spec.k_range == (1, 1),
    )


def _run(task: Task) -> Outcome:
    """Solve a task; when it fails, try what a planner would try next, and say so.

    1. the preferred number of parts, exactly (with a heuristic warm start);
    2. any number of parts the bounds allow (``fallback``), when the count is free;
    3. a longer heuristic search (a hard piece where the exact solver ran out of time);
    4. for a piece the plan gave the heuristic alone, the exact solver as long.
    """
    attempts: list[str] = []
    errors: list[Exception] = []

    def attempt(
        spec: PartitionSpec,
        seconds: float,
        heuristic_only: bool,
        label: str,
        note: Callable[[PartitionResult], str] | None = None,
    ) -> Outcome | None:
        try:
            result = _solve(task, spec, seconds, heuristic_only=heuristic_only)
        except (InfeasibleSpecError, SolverError) as error:
            attempts.append(f"{label}: {error}" if label else str(error))
            errors.append(error)
            return None
        if note is None:
            return Outcome(task, result)
        text = note(result)
        logger.info("%s %s: %s", task.level, task.parent, text)
        return Outcome(task, result, note=text)

    spec = task.spec
    outcome = attempt(spec, task.time_limit, not task.exact, "")
    if outcome is None and task.fallback is not None:
        spec = task.fallback
        outcome = attempt(
            spec,
            task.time_limit,
            not task.exact,
            f"with {spec.k_range} parts",
            lambda r: f"{task.spec.k_range[0]} parts did not fit, {len(r.part_weights)} did",
        )
    # a plan late beats no plan: on a loaded machine the first budget can be too short
    longer = max(RETRY_FACTOR * task.time_limit, MIN_RETRY_SECONDS)
    if outcome is None and isinstance(errors[-1], SolverError):
        outcome = attempt(
            spec,
            longer,
            True,
            "longer heuristic search",
            lambda _: "found by a longer heuristic search",
        )
    if outcome is None and isinstance(errors[-1], SolverError) and not task.exact:
        outcome = attempt(
            spec,
            longer,
            False,
            "exact solver",
            lambda _: "found by the exact solver after the heuristic failed",
        )
    if outcome is None:
        return Outcome(task, None, "; ".join(attempts), type(errors[-1]).__name__)
    return outcome


def default_workers() -> int:
    """Worker processes: the CPUs this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


def run_tasks(
    tasks: Sequence[Task],
    *,
    workers: int | None = None,
    progress: Callable[[Outcome], None] | None = None,
) -> list[Outcome]:
    """Solve every task; return outcomes in the order of ``tasks``.

    Errors of the package raised inside a task (an infeasible piece, no plan in time)
    come back as :class:`Outcome` with ``error`` set, so one bad piece does not hide
    the others; the caller reports them all.
    """
    workers = default_workers() if workers is None else max(1, workers)
    outcomes: list[Outcome | None] = [None] * len(tasks)
    if workers == 1 or len(tasks) <= 1:
        for i, task in enumerate(tasks):
            outcomes[i] = _run(task)
            if progress is not None:
                progress(outcomes[i])
    else:
        # the largest tasks first, so the pool is not left waiting on one at the end
        order = sorted(
            range(len(tasks)),
            key=lambda i: -tasks[i].graph.number_of_nodes() * max(tasks[i].spec.k_range),
        )
        with ProcessPoolExecutor(max_workers=min(workers, len(tasks))) as pool:
            futures = {i: pool.submit(_run, tasks[i]) for i in order}
            for i in order:
                try:
                    outcomes[i] = futures[i].result()
                except JinfengGridError as error:
                    outcomes[i] = Outcome(tasks[i], None, str(error), type(error).__name__)
                if progress is not None:
                    progress(outcomes[i])
    return [outcome for outcome in outcomes if outcome is not None]
