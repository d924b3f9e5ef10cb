"""Solvers: the only place that constructs a solver or reads a solver's status.

HiGHS runs through PuLP's highspy interface (``pulp.HiGHS``), driven step by step so
that a warm start can be handed to ``Highs.setSolution`` and the proven bound read
from ``Highs.getInfo()``. CBC runs through ``pulp.COIN_CMD`` on the binary bundled with
PuLP (``PULP_CBC_CMD`` is deprecated in PuLP 3.3); its bound is read from its log.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import re
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import highspy
import pulp
from pulp.apis import coin_api

from jinfeng_grid.errors import ConfigError, SolverError

__all__ = ["SOLVERS", "SolveOutcome", "known_highs_options", "run_solver"]

logger = logging.getLogger(__name__)

SOLVERS = ("highs", "cbc")
Status = Literal["optimal", "feasible", "infeasible", "no_plan"]


@dataclass(frozen=True)
class SolveOutcome:
    """What a solver run produced; variable values are left on the PuLP variables."""

    status: Status
    objective: float | None
    bound: float | None
    seconds: float
    solver: str


def known_highs_options(options: Mapping[str, Any]) -> dict[str, Any]:
    """The options of ``options`` that this HiGHS accepts; the others are logged and left out.

    For tuned defaults that older HiGHS releases lack (``mip_allow_cut_separation_at_nodes``
    came in late 2025): the solve then runs with that release's own default.
    """
    with _quiet_stdout(True):  # highspy prints its banner on stdout when created
        probe = highspy.Highs()
    probe.setOptionValue("output_flag", False)
    kept = {}
    for name, value in options.items():
        if probe.setOptionValue(name, value) == highspy.HighsStatus.kOk:
            kept[name] = value
        else:
            logger.info("this HiGHS has no option %s=%r: left at its default", name, value)
    return kept


def run_solver(
    prob: pulp.LpProblem,
    *,
    solver: str = "highs",
    time_limit: float | None = None,
    threads: int | None = None,
    warm_start: Mapping[Any, float] | None = None,
    seed: int = 0,
    msg: bool = False,
    integral_objective: bool = False,
    primal_heuristics: bool = True,
    highs_options: Mapping[str, Any] | None = None,
) -> SolveOutcome:
    """Solve ``prob`` and report the status in the four words of the partition core.

    ``warm_start`` maps PuLP variables to values (a complete feasible point is best).
    Variable values of the best plan found are set on the variables (``varValue``).
    ``integral_objective`` declares that every plan has an integer objective: a bound
    within 1 of the incumbent then proves it optimal, and bounds are rounded up.
    ``primal_heuristics=False`` turns HiGHS's own primal heuristics off
    (``mip_heuristic_effort = 0``), for when a good warm start leaves them little to
    find; CBC ignores it. ``highs_options`` are further HiGHS options by name (set
    last, so they override the ones above); CBC ignores them, and a name HiGHS does
    not know or a value it refuses raises :class:`~jinfeng_grid.errors.ConfigError`.
    """
    if solver not in SOLVERS:
        raise ConfigError(f"solver must be one of {SOLVERS}, got {solver!r}")
    if time_limit is not None and time_limit <= 0:
        raise ConfigError(f"time_limit must be positive, got {time_limit}")
    start = time.perf_counter()
    if solver == "highs":
        status, objective, bound = _run_highs(
            prob,
            time_limit,
            threads,
            warm_start,
            seed,
            msg,
            integral_objective,
            primal_heuristics,
            highs_options or {},
        )
    else:
        status, objective, bound = _run_cbc(
            prob, time_limit, threads, warm_start, seed, msg, integral_objective
        )
    if integral_objective and bound is not None:
        bound = math.ceil(bound - 1e-6)
        if objective is not None and bound >= objective - 1e-6:
            status = "optimal"
            bound = objective
    seconds = time.perf_counter() - start
    logger.info(
        "solver %s: %s, objective %s, bound %s, %.2f s", solver, status, objective, bound, seconds
    )
    return SolveOutcome(status, objective, bound, seconds, solver)


def _run_highs(
    prob: pulp.LpProblem,
    time_limit: float | None,
    threads: int | None,
    warm_start: Mapping[Any, float] | None,
    seed: int,
    msg: bool,
    integral_objective: bool,
    primal_heuristics: bool,
    extra_options: Mapping[str, Any],
) -> tuple[Status, float | None, float | None]:
    options: dict[str, Any] = {"random_seed": int(seed)}
    if integral_objective:
        # a bound within 1 proves an integer objective; the relative gap (1e-4 by
        # default) must not stop the search earlier on large objectives
        options["mip_abs_gap"] = 1 - 1e-4
        options["mip_rel_gap"] = 0.0
    if not primal_heuristics:
        options["mip_heuristic_effort"] = 0.0
    api = pulp.HiGHS(msg=msg, timeLimit=time_limit, threads=threads, **options)
    if not api.available():  # pragma: no cover - highspy is a dependency
        raise SolverError("HiGHS (highspy) is not available: install highspy or use solver='cbc'")
    # HiGHS keeps one thread scheduler per process, sized by the first solve; a later
    # solve asking for another number of threads would stop at once with no plan
    # (seen as "no_plan" in 0.3 ms after a default-threads solve). Starting each solve
    # with a fresh scheduler lets every call choose its threads.
    highspy.Highs.resetGlobalScheduler(True)
    with _quiet_stdout(not msg):  # highspy prints its banner on stdout when created
        api.createAndConfigureSolver(prob)
    api.buildSolverModel(prob)
    highs = prob.solverModel
    for name, value in extra_options.items():
        if highs.setOptionValue(name, value) != highspy.HighsStatus.kOk:
            raise ConfigError(
                f"HiGHS rejected the option {name}={value!r}: check the name and the type "
                "of the value against the HiGHS option list"
            )
    if warm_start:
        variables = prob.variables()
        values = [0.0] * len(variables)
        for var in variables:
            values[var.index] = float(warm_start.get(var, 0.0))
        solution = highspy.HighsSolution()
        solution.col_value = values
        solution.value_valid = True
        highs.setSolution(solution)
    with _quiet_stdout(not msg):
        api.callSolver(prob)
    api.findSolutionValues(prob)
    model_status = highs.getModelStatus()
    info = highs.getInfo()
    has_plan = info.primal_solution_status == 2  # kSolutionStatusFeasible
    offset = float(prob.objective.constant) if prob.objective is not None else 0.0
    objective = float(info.objective_function_value) + offset if has_plan else None
    bound_raw = float(info.mip_dual_bound)
    bound = bound_raw + offset if math.isfinite(bound_raw) else None
    if has_plan and objective is not None:
        # HiGHS 1.16 with presolve can hand back the warm start instead of the plan
        # its objective describes: trust the values we return, and claim no more
        held = pulp.value(prob.objective)
        held = float(held) if held is not None else objective
        if abs(held - objective) > 1e-6 * max(1.0, abs(objective)):
            logger.warning(
                "HiGHS reported objective %s but the values it returned score %s: keeping "
                "the values, status feasible",
                objective,
                held,
            )
            return "feasible", held, None if bound is None else min(bound, held)
    kind = highspy.HighsModelStatus
    if model_status == kind.kOptimal and has_plan:
        return "optimal", objective, objective if bound is None else min(bound, objective)
    if model_status in (kind.kInfeasible, kind.kUnboundedOrInfeasible):
        return "infeasible", None, None
    if has_plan:
        return "feasible", objective, bound
    return "no_plan", None, bound


@contextlib.contextmanager
def _quiet_stdout(quiet: bool) -> Iterator[None]:
    """Send file descriptor 1 to /dev/null (the solver's own prints), then restore it."""
    if not quiet:
        yield
        return
    try:
        sys.stdout.flush()
        saved = os.dup(1)
    except (OSError, ValueError):  # no real stdout (e.g. some notebook kernels)
        yield
        return
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 1)
            yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


_BEST_POSSIBLE = re.compile(r"best possible ([-+0-9.eE]+)")


def _run_cbc(
    prob: pulp.LpProblem,
    time_limit: float | None,
    threads: int | None,
    warm_start: Mapping[Any, float] | None,
    seed: int,
    msg: bool,
    integral_objective: bool,
) -> tuple[Status, float | None, float | None]:
    if warm_start:
        for var in prob.variables():
            var.setInitialValue(float(warm_start.get(var, 0.0)))
    with tempfile.TemporaryDirectory(prefix="jinfeng_cbc_") as tmp:
        log_path = os.path.join(tmp, "cbc.log")
        api = pulp.COIN_CMD(
            path=coin_api.pulp_cbc_path,
            msg=msg,
            timeLimit=time_limit,
            threads=threads,
            warmStart=bool(warm_start),
            gapAbs=1 - 1e-4 if integral_objective else None,
            gapRel=0.0 if integral_objective else None,
            logPath=log_path,
            options=[f"randomCbcSeed {int(seed) + 1}"],
        )
        if not api.available():
            raise SolverError(
                "CBC is not available: PuLP's bundled cbc binary was not found; "
                "install CBC (pip install pulp[cbc]) or use solver='highs'"
            )
        prob.solve(api)
        with open(log_path, encoding="utf-8", errors="replace") as log_file:
            log_text = log_file.read()
    sol_status = prob.sol_status
    objective = pulp.value(prob.objective) if sol_status in (1, 2) else None
    if sol_status == pulp.LpSolutionOptimal:
        return "optimal", objective, objective
    if sol_status == pulp.LpSolutionInfeasible or prob.status == pulp.LpStatusInfeasible:
        return "infeasible", None, None
    found = _BEST_POSSIBLE.findall(log_text)
    bound = float(found[-1]) if found else None
    if sol_status == pulp.LpSolutionIntegerFeasible:
        return "feasible", objective, bound
    return "no_plan", None, bound
