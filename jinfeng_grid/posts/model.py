"""Siting models from plain arrays: maximal coverage, set cover, p-median.

Geometry-free (like the partition core): demand ``i`` (compounds) with integer
weights ``h_i`` (households), candidate sites ``j`` with walks ``d_ij`` (metres),
existing posts ``e`` with walks ``d_ie``, a walk limit ``W``. Existing posts are always
open. ``covered_i`` is true when some open post is within ``W``. ``U`` is the set of
compounds that no existing post covers but at least one candidate would.

Variables: ``open_j`` ∈ {0, 1} (a new post at candidate ``j``).

**coverage** (``N`` new posts at most)::

    minimise   (N + 1) · Σ_{i∈U} h_i · miss_i  +  Σ_j open_j
    subject to miss_i + Σ_{j: d_ij ≤ W} open_j ≥ 1         (reach_i, i ∈ U)
               Σ_j open_j ≤ N                              (new_posts)
               0 ≤ miss_i ≤ 1

The factor ``N + 1`` makes the households outside the walk the first goal and the
number of posts the second: a post that reaches nobody new is not opened.

**set_cover**::

    minimise   Σ_j open_j
    subject to Σ_{j: d_ij ≤ W} open_j ≥ 1                  (reach_i, i ∈ U)

**p_median** (exactly ``N`` new posts; each compound walks to its nearest open post)::

    minimise   Σ_i h_i · (Σ_{j∈C_i} d_ij · go_ij + D_i · go_i0)
    subject to Σ_{j∈C_i} go_ij + go_i0 = 1                 (assign_i)
               go_ij ≤ open_j                              (open_i_j)
               Σ_j open_j = N                              (new_posts)
               0 ≤ go ≤ 1

where ``D_i`` is the walk to the nearest existing post (``go_i0`` only exists if there is
one) and ``C_i`` the candidates strictly nearer than it; walks are rounded to whole
metres so the objective is an integer.

**every community** (optional, any model)::

    Σ_{j∈R_c} open_j ≥ 1                                   (community_c)

for each community ``c`` that no existing post serves, ``R_c`` being the candidates
inside ``c`` or within ``W`` of its reference point.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pulp

from jinfeng_grid.errors import InfeasibleSpecError, PlanCheckError
from jinfeng_grid.partition.solver import run_solver

__all__ = [
    "MODELS",
    "SitingOutcome",
    "SitingProblem",
    "audit_siting",
    "build_siting_model",
    "community_reach",
    "solve_siting",
]

logger = logging.getLogger(__name__)

Model = Literal["coverage", "set_cover", "p_median"]
MODELS: tuple[Model, ...] = ("coverage", "set_cover", "p_median")


@dataclass(frozen=True, eq=False)
class SitingProblem:
    """The numbers a siting model needs (see the module docstring)."""

    households: np.ndarray
    candidate_metres: np.ndarray
    existing_metres: np.ndarray
    walk_m: float
    community_reach: Sequence[np.ndarray] = ()

    @property
    def covered_before(self) -> np.ndarray:
        if not self.existing_metres.shape[1]:
            return np.zeros(len(self.households), dtype=bool)
        return self.existing_metres.min(axis=1) <= self.walk_m

    @property
    def reach(self) -> np.ndarray:
        """``reach[i, j]``: candidate ``j`` is within the walk of compound ``i``."""
        return self.candidate_metres <= self.walk_m

    @property
    def to_cover(self) -> np.ndarray:
        """Indices of the compounds in ``U``."""
        return np.flatnonzero(~self.covered_before & self.reach.any(axis=1))


@dataclass(frozen=True, eq=False)
class SitingModel:
    """A built PuLP model, the meaning of its variables and of its objective."""

    model: Model
    problem: pulp.LpProblem
    open: dict[int, pulp.LpVariable]
    new: int | None


@dataclass(frozen=True)
class SitingOutcome:
    """Chosen candidates and what the solver proved about them.

    ``objective``/``bound`` are in the model's own unit: households outside the walk
    (coverage), new posts (set_cover), household-metres (p_median).
    """

    chosen: tuple[int, ...]
    status: Literal["optimal", "feasible", "infeasible", "no_plan"]
    objective: float | None
    bound: float | None
    seconds: float
    solver: str

    @property
    def gap(self) -> float | None:
        if self.objective is None or self.bound is None:
            return None
        diff = self.objective - self.bound
        if diff <= 1e-9:
            return 0.0
        return diff / abs(self.objective) if self.objective else math.inf


def build_siting_model(
    problem: SitingProblem, *, model: Model, new: int | None = None
) -> SitingModel:
    """Build the PuLP model of the module docstring (``new`` required unless set cover)."""
    n_candidates = problem.candidate_metres.shape[1]
    h = problem.households
    if model not in MODELS:
        raise ValueError(f"model must be one of {MODELS}, got {model!r}")
    if (new is None) != (model == "set_cover"):
        raise ValueError(f"model {model} {'takes no' if new is not None else 'needs a'} new count")
    prob = pulp.LpProblem(f"posts_{model}", pulp.LpMinimize)
    open_ = {j: prob.add_variable(f"open_{j}", 0, 1, pulp.LpBinary) for j in range(n_candidates)}
    reach = problem.reach
    if model in ("coverage", "set_cover"):
        outside = int(h[~problem.covered_before & ~reach.any(axis=1)].sum())
        terms = []
        for i in problem.to_cover:
            near = [open_[j] for j in np.flatnonzero(reach[i])]
            if model == "coverage":
                miss = prob.add_variable(f"miss_{i}", 0, 1)
                prob += miss + pulp.lpSum(near) >= 1, f"reach_{i}"
                terms.append(int(h[i]) * miss)
            else:
                prob += pulp.lpSum(near) >= 1, f"reach_{i}"
        if model == "coverage" and new is not None:
            weight = new + 1
            prob += pulp.lpSum(open_.values()) <= new, "new_posts"
            prob.setObjective(
                weight * pulp.lpSum(terms) + pulp.lpSum(open_.values()) + weight * outside
            )
        else:
            prob.setObjective(pulp.lpSum(open_.values()))
    else:
        new = int(new or 0)
        cost = np.rint(problem.candidate_metres)
        existing = problem.existing_metres
        nearest = np.rint(existing.min(axis=1)) if existing.shape[1] else None
        objective = []
        for i in range(len(h)):
            limit = nearest[i] if nearest is not None else np.inf
            nearer = np.flatnonzero(cost[i] < limit)
            go = {}
            for j in nearer:
                go[j] = var = prob.add_variable(f"go_{i}_{j}", 0, 1)
                prob += var <= open_[j], f"open_{i}_{j}"
                objective.append(int(h[i]) * float(cost[i, j]) * var)
            stay = None
            if nearest is not None:
                stay = prob.add_variable(f"go_{i}_existing", 0, 1)
                objective.append(int(h[i]) * float(nearest[i]) * stay)
            prob += pulp.lpSum(go.values()) + (stay if stay is not None else 0) == 1, f"assign_{i}"
        prob += pulp.lpSum(open_.values()) == new, "new_posts"
        prob.setObjective(pulp.lpSum(objective))
    for c, candidates in enumerate(problem.community_reach):
        prob += pulp.lpSum(open_[int(j)] for j in candidates) >= 1, f"community_{c}"
    return SitingModel(model, prob, open_, new)


def solve_siting(
    built: SitingModel,
    *,
    solver: str = "highs",
    time_limit: float | None = 30.0,
    seed: int = 0,
    threads: int | None = None,
) -> SitingOutcome:
    """Solve a built model; objective and bound are translated to the model's unit.

    No warm start is handed to the solver: with HiGHS 1.16 a solution set by
    ``setSolution`` came back from ``getSolution`` in place of the optimum it reported
    (seen on set-cover models), and these models solve quickly without one.
    """
    outcome = run_solver(
        built.problem,
        solver=solver,
        time_limit=time_limit,
        threads=threads,
        seed=seed,
        integral_objective=True,
    )
    chosen: tuple[int, ...] = ()
    objective, bound = outcome.objective, outcome.bound
    if outcome.status in ("optimal", "feasible"):
        chosen = tuple(j for j, var in built.open.items() if (var.varValue or 0.0) > 0.5)
    if built.model == "coverage" and built.new is not None:
        # total = (N + 1)·outside + posts with 0 ≤ posts ≤ N: recover the households
        weight = built.new + 1
        if objective is not None:
            objective = float((round(objective) - len(chosen)) // weight)
        if bound is not None:
            bound = float(math.ceil((bound - built.new - 1e-6) / weight))
    status = outcome.status
    if objective is not None and bound is not None:
        bound = min(bound, objective)
        # HiGHS may stop within its default relative gap: only a closed gap is a proof
        if status == "optimal" and bound < objective - 1e-6:
            status = "feasible"
    logger.info(
        "posts %s: %s, %d new, objective %s, bound %s, %.2f s",
        built.model,
        status,
        len(chosen),
        objective,
        bound,
        outcome.seconds,
    )
    return SitingOutcome(chosen, status, objective, bound, outcome.seconds, outcome.solver)


def community_reach(
    serves: np.ndarray,
    has_before: np.ndarray,
    labels: Sequence[str],
    *,
    model: Model,
    new: int | None,
    walk_m: float,
    kind: str,
    solver: str = "highs",
    time_limit: float | None = 30.0,
) -> list[np.ndarray]:
    """Candidates serving each community without a post; fails early in words.

    ``serves[c, j]``: candidate ``j`` is inside community ``c`` or within the walk of
    its centre. Raises when a community has no such candidate, or when ``new`` posts
    are fewer than the least number that serves every community (a small set cover
    solved before the main model).
    """
    need = np.flatnonzero(~has_before)
    hopeless = [labels[c] for c in need if not serves[c].any()]
    if hopeless:
        more = f" and {len(hopeless) - 10} more" if len(hopeless) > 10 else ""
        shown = ", ".join(hopeless[:10]) + more
        raise InfeasibleSpecError(
            f"every community must have a {kind} inside it or within {walk_m:.0f} m of its "
            f"centre, but no candidate site serves {shown}: add candidate sites there or "
            "lengthen the walk"
        )
    if model != "set_cover" and new is not None and len(need):
        least, proven = _least_posts_for_rule(serves[need], solver=solver, time_limit=time_limit)
        if new < least:
            how = "" if proven else " (a lower bound: the count was not proven in time)"
            raise InfeasibleSpecError(
                f"every community must have a {kind} inside it or within {walk_m:.0f} m of "
                f"its centre: {len(need)} communities have none, and serving them all takes "
                f"at least {least} new posts{how} but --new is {new}; raise --new to {least} "
                "or more, or use --model set_cover"
            )
    return [np.flatnonzero(serves[c]) for c in need]


def _least_posts_for_rule(
    serves: np.ndarray, *, solver: str, time_limit: float | None
) -> tuple[int, bool]:
    """The fewest candidates serving every row of ``serves``, and whether it is proven.

    Falls back to the counting bound ``⌈rows / most rows one candidate serves⌉``.
    """
    counting = math.ceil(len(serves) / int(serves.sum(axis=0).max()))
    prob = pulp.LpProblem("posts_rule", pulp.LpMinimize)
    useful = np.flatnonzero(serves.any(axis=0))
    open_ = {j: prob.add_variable(f"open_{j}", 0, 1, pulp.LpBinary) for j in useful}
    for c, row in enumerate(serves):
        prob += pulp.lpSum(open_[j] for j in np.flatnonzero(row)) >= 1, f"community_{c}"
    prob.setObjective(pulp.lpSum(open_.values()))
    outcome = run_solver(prob, solver=solver, time_limit=time_limit, integral_objective=True)
    if outcome.status == "optimal" and outcome.objective is not None:
        return round(outcome.objective), True
    bound = math.ceil(outcome.bound - 1e-6) if outcome.bound is not None else 0
    return max(counting, bound), False


def audit_siting(
    problem: SitingProblem,
    *,
    model: Model,
    new: int | None,
    chosen: np.ndarray,
    objective: float | None,
    serves: np.ndarray,
    has_before: np.ndarray,
) -> None:
    """Check a solution without trusting the solver; raise PlanCheckError if it fails."""
    problems: list[str] = []
    metres = np.concatenate([problem.existing_metres, problem.candidate_metres[:, chosen]], axis=1)
    nearest = metres.min(axis=1) if metres.shape[1] else np.full(len(metres), np.inf)
    covered = nearest <= problem.walk_m
    h = problem.households
    if model == "coverage":
        if new is not None and len(chosen) > new:
            problems.append(f"{len(chosen)} new posts opened, at most {new} allowed")
        outside = int(h[~covered].sum())
        if objective is not None and outside != round(objective):
            problems.append(f"{outside} households outside the walk, solver says {objective}")
    elif model == "set_cover":
        missed = np.setdiff1d(problem.to_cover, np.flatnonzero(covered))
        if len(missed):
            problems.append(f"compounds at rows {missed.tolist()[:10]} left outside the walk")
        if objective is not None and round(objective) != len(chosen):
            problems.append(f"{len(chosen)} new posts opened, solver says {objective}")
    else:
        if new is not None and len(chosen) != new:
            problems.append(f"{len(chosen)} new posts opened, {new} asked")
        total = float((h * np.rint(metres).min(axis=1)).sum())
        if objective is not None and abs(total - objective) > 0.5 + 1e-9 * abs(total):
            problems.append(f"household-metres {total:.0f}, solver says {objective:.0f}")
    if len(problem.community_reach) and not (has_before | serves[:, chosen].any(axis=1)).all():
        problems.append("a community is left without a post inside it or within the walk")
    if problems:
        raise PlanCheckError(
            f"the {model} siting failed its audit: {'; '.join(problems)} (a bug: please "
            "report it with the input)"
        )
