"""The staff-to-unit integer program, solved lexicographically in three stages.

Geometry-free: :mod:`jinfeng_grid.assign` turns a plan and a roster into a
:class:`CoverProblem` (which person may serve which unit), this module builds and
solves the model through :mod:`jinfeng_grid.partition.solver`.

Formulation (people i, units u with households h_u and residents p_u, eligible pairs
E; E(i) the units person i may serve)::

    x[i,u] ∈ {0,1}                  (i,u) ∈ E: i serves u
    z[i,g] ∈ {0,1}                  i's units lie in group g (one_group people only)
    L ≥ 0                           the largest households per person

    one_person_u:   Σ_i x[i,u] ≤ 1                         every unit, at most one person
    capacity_i:     Σ_u x[i,u] ≤ k_i                       at most k_i units per person
    one_group_i:    Σ_g z[i,g] ≤ 1;  x[i,u] ≤ z[i,g(u)]    (one_group people)
    residents_i:    Σ_{u ∈ E(i), p_u ≤ N_i} p_u x[i,u] ≤ N_i          (capped people)
    alone_i_u:      Σ_{u' ∈ E(i), u' ≠ u} x[i,u'] ≤ (|E(i)| - 1)(1 - x[i,u])
                    for u ∈ E(i) with p_u > N_i: a unit above the cap is served alone

    stage 1  min  U = Σ_u h_u (1 - Σ_i x[i,u])            uncovered households
    stage 2  min  L  s.t.  U = U*,  L ≥ Σ_u h_u x[i,u] ∀i    the largest workload
    stage 3  min  R = Σ_{i ∈ K} (1 - x[i, keep_i])  s.t.  U = U*, L ≤ L*   moves

Each stage is solved to proven optimality (all objectives are integers, so a bound
within 1 of the incumbent proves it) before its value is fixed for the next stage:
the result is the lexicographic optimum (coverage, then workload, then moves), not a
weighted compromise. A stage stopped by the time limit keeps its best plan, fixes
that value, and the outcome says it is not proven.
"""

from __future__ import annotations

import dataclasses
import logging
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulp

from jinfeng_grid.errors import SolverError
from jinfeng_grid.partition.solver import SolveOutcome, run_solver

__all__ = ["CoverProblem", "CoverSolution", "StageOutcome", "solve_cover"]

logger = logging.getLogger(__name__)

STAGES = ("coverage", "workload", "moves")
"""The stages, in lexicographic order."""


@dataclass(frozen=True)
class CoverProblem:
    """Who may serve which unit.

    Attributes
    ----------
    households, population
        Unit id → households / residents.
    eligible
        Person id → the unit ids the person may serve (in a fixed order).
    capacity
        Person id → the most units the person may serve.
    group
        Unit id → group (subdistrict) for the ``one_group`` rule.
    one_group
        People whose units must all lie in one group.
    residents_cap
        Person id → the most residents the person's units may hold together (a unit
        above the cap is served alone).
    keep
        Person id → the unit the person serves now (its successor in the plan);
        serving it is not a reassignment.
    """

    households: Mapping[str, int]
    population: Mapping[str, int]
    eligible: Mapping[str, Sequence[str]]
    capacity: Mapping[str, int]
    group: Mapping[str, str] = field(default_factory=dict)
    one_group: frozenset[str] = frozenset()
    residents_cap: Mapping[str, int] = field(default_factory=dict)
    keep: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class StageOutcome:
    """One stage of the lexicographic solve."""

    name: str
    status: str
    objective: float | None
    bound: float | None
    seconds: float


@dataclass(frozen=True)
class CoverSolution:
    """Person id → the units they serve, and how each stage went."""

    served: Mapping[str, tuple[str, ...]]
    stages: tuple[StageOutcome, ...]

    @property
    def proven(self) -> bool:
        """Whether every stage was solved to proven optimality."""
        return all(stage.status == "optimal" for stage in self.stages)


def solve_cover(
    problem: CoverProblem,
    *,
    solver: str = "highs",
    time_limit: float | None = None,
    threads: int | None = None,
    seed: int = 0,
) -> CoverSolution:
    """Solve the three stages (see the module docstring); ``time_limit`` is per model.

    People and units that cannot reach each other are independent: the problem is
    split into the connected components of the person–unit graph (e.g. one per
    subdistrict when full-time workers stay in theirs), which is exact for the
    lexicographic objective: coverage and moves add up over components, and the
    largest workload is the largest of the components' least largest workloads.
    Stage 1 and 2 are solved per component, then stage 3 per component under the
    district-wide workload bound.
    """
    options = {"solver": solver, "time_limit": time_limit, "threads": threads, "seed": seed}
    parts = _components(problem)
    firsts = [_Model(part, options) for part in parts]
    largest = 0
    for model in firsts:
        model.cover()
        largest = max(largest, model.balance())
    served: dict[str, tuple[str, ...]] = {}
    for model in firsts:
        served.update(model.settle(largest))
    stages = tuple(
        StageOutcome(
            name,
            _worst(m.stages[k].status for m in firsts),
            _combine(name, [m.stages[k].objective for m in firsts]),
            _combine(name, [m.stages[k].bound for m in firsts]),
            sum(m.stages[k].seconds for m in firsts),
        )
        for k, name in enumerate(STAGES)
    )
    for person in problem.eligible:
        served.setdefault(person, ())
    return CoverSolution(served, stages)


def _worst(statuses: Iterable[str]) -> str:
    listed = list(statuses)
    return "optimal" if all(s == "optimal" for s in listed) else "feasible"


def _combine(name: str, values: Sequence[float | None]) -> float | None:
    if any(v is None for v in values):
        return None
    if not values:
        return 0.0
    return float(max(values) if name == "workload" else sum(values))  # type: ignore[type-var]


def _components(problem: CoverProblem) -> list[CoverProblem]:
    """Independent sub-problems: connected components of the person–unit graph."""
    parent: dict[str, str] = {}

    def find(a: str) -> str:
        while parent.setdefault(a, a) != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for person, units in problem.eligible.items():
        for unit in units:
            parent[find("p:" + person)] = find("u:" + unit)
    groups: dict[str, tuple[list[str], list[str]]] = {}
    for person in sorted(problem.eligible):
        if problem.eligible[person]:
            groups.setdefault(find("p:" + person), ([], []))[0].append(person)
    for unit in sorted(problem.households):
        root = find("u:" + unit)
        if root in groups:
            groups[root][1].append(unit)
    parts = []
    for people, units in sorted(groups.values(), key=lambda g: g[1][0]):
        keep = set(units)
        parts.append(
            CoverProblem(
                households={u: problem.households[u] for u in units},
                population={u: problem.population[u] for u in units},
                eligible={p: problem.eligible[p] for p in people},
                capacity={p: problem.capacity[p] for p in people},
                group={u: problem.group[u] for u in units if u in problem.group},
                one_group=frozenset(p for p in people if p in problem.one_group),
                residents_cap={p: c for p, c in problem.residents_cap.items() if p in people},
                keep={p: u for p, u in problem.keep.items() if p in people and u in keep},
            )
        )
    return parts


class _Model:
    """One component's model, taken through the three stages in order.

    Components always have at least one eligible pair (see :func:`_components`).
    """

    def __init__(self, problem: CoverProblem, options: Mapping[str, Any]) -> None:
        self.problem, self.options = problem, options
        self.stages: list[StageOutcome] = []
        self.people = sorted(problem.eligible)
        self._grouped = False
        self.saturated: set[str] = set()
        prob = pulp.LpProblem("assign", pulp.LpMinimize)
        x: dict[tuple[str, str], pulp.LpVariable] = {}
        for n, person in enumerate(self.people):
            for m, unit in enumerate(problem.eligible[person]):
                x[person, unit] = prob.add_variable(f"x_{n}_{m}", 0, 1, pulp.LpBinary)
        units = sorted(problem.households)
        by_unit: dict[str, list[pulp.LpVariable]] = {unit: [] for unit in units}
        for (_, unit), var in x.items():
            by_unit[unit].append(var)
        for k, unit in enumerate(units):
            if len(by_unit[unit]) > 1:
                prob += pulp.lpSum(by_unit[unit]) <= 1, f"one_person_{k}"
        for n, person in enumerate(self.people):
            self._person_rules(prob, x, n, person)
        self.prob, self.x = prob, x
        self.total = sum(int(problem.households[u]) for u in units)
        self.covered = pulp.lpSum(int(problem.households[u]) * var for (_, u), var in x.items())
        self.load = prob.add_variable("largest_load", 0, None, pulp.LpContinuous)

    def _person_rules(
        self,
        prob: pulp.LpProblem,
        x: Mapping[tuple[str, str], pulp.LpVariable],
        n: int,
        person: str,
    ) -> None:
        problem = self.problem
        units = problem.eligible[person]
        mine = [x[person, u] for u in units]
        if len(mine) > problem.capacity[person]:
            prob += pulp.lpSum(mine) <= problem.capacity[person], f"capacity_{n}"
        if person in problem.one_group:
            groups = sorted({problem.group[u] for u in units})
            if len(groups) > 1:
                z = {
                    g: prob.add_variable(f"z_{n}_{j}", 0, 1, pulp.LpBinary)
                    for j, g in enumerate(groups)
                }
                prob += pulp.lpSum(z.values()) <= 1, f"one_group_{n}"
                self._grouped = True
                for m, unit in enumerate(units):
                    prob += x[person, unit] <= z[problem.group[unit]], f"in_group_{n}_{m}"
        cap = problem.residents_cap.get(person)
        if cap is not None and len(mine) > 1:
            small = [u for u in units if problem.population[u] <= cap]
            if sum(problem.population[u] for u in small) > cap:
                prob += (
                    pulp.lpSum(problem.population[u] * x[person, u] for u in small) <= cap,
                    f"residents_{n}",
                )
            others = len(mine) - 1
            for m, unit in enumerate(units):
                if problem.population[unit] > cap:
                    rest = pulp.lpSum(x[person, u] for u in units if u != unit)
                    prob += rest <= others * (1 - x[person, unit]), f"alone_{n}_{m}"

    def _loads(self) -> list[float]:
        households = self.problem.households
        return [
            sum(
                int(households[u]) * (self.x[p, u].varValue or 0.0)
                for u in self.problem.eligible[p]
            )
            for p in self.people
        ]

    def cover(self) -> None:
        """Stage 1: cover the most households; restrict the model to plans that do."""
        if self._pure and self._cover_by_duals():
            return
        self.prob.setObjective(self.total - self.covered)
        first = _solve(self.prob, "coverage", self.stages, None, self.options)
        self.prob += self.covered >= self.total - round(first.objective), "fix_coverage"

    @property
    def _pure(self) -> bool:
        """Whether stage 1 is a bipartite b-matching (no group or residents rules)."""
        return not self.problem.residents_cap and not self._grouped

    def _cover_by_duals(self) -> bool:
        """Stage 1 as a linear program, and its optimal face by complementary slackness.

        Without the group and residents rules, stage 1 is a maximum-weight bipartite
        b-matching: its constraint matrix is totally unimodular, so the LP optimum is
        a whole plan and its value is the proven optimum. The plans of optimal
        coverage are then exactly the whole plans that satisfy complementary
        slackness with the LP's dual (π_u for units, σ_i for people): a person serves
        only units with π_u + σ_i = h_u, units with π_u > 0 are covered, people with
        σ_i > 0 serve their full capacity. Stages 2 and 3 use these constraints
        instead of a weighted coverage equality, which keeps their LP bounds strong.
        Returns ``False`` (and changes nothing) if the LP solution is not whole.
        """
        problem = self.problem
        lp = pulp.LpProblem("assign_cover_lp", pulp.LpMinimize)
        v = {
            key: lp.add_variable(f"v_{n}", 0, None, pulp.LpContinuous)
            for n, key in enumerate(self.x)
        }
        units = sorted(problem.households)
        unit_rows = {}
        for k, unit in enumerate(units):
            terms = [v[p, u] for (p, u) in v if u == unit]
            if terms:
                unit_rows[unit] = f"unit_{k}"
                lp += pulp.lpSum(terms) <= 1, unit_rows[unit]
        person_rows = {}
        for n, person in enumerate(self.people):
            person_rows[person] = f"person_{n}"
            mine = [v[person, u] for u in problem.eligible[person]]
            lp += pulp.lpSum(mine) <= problem.capacity[person], person_rows[person]
        lp.setObjective(-pulp.lpSum(int(problem.households[u]) * var for (_, u), var in v.items()))
        outcome = run_solver(lp, **self.options)
        values = {key: var.varValue or 0.0 for key, var in v.items()}
        if outcome.status != "optimal" or any(
            min(abs(value), abs(value - 1)) > 1e-6 for value in values.values()
        ):
            logger.info("coverage LP not whole (%s): solving stage 1 as a MIP", outcome.status)
            return False
        duals = {
            name: lp.get_constraint_by_name(name).pi
            for name in [*unit_rows.values(), *person_rows.values()]
        }
        if any(value is None for value in duals.values()):
            logger.info("the solver gave no duals: solving stage 1 as a MIP")
            return False
        pi = {u: -float(duals[name]) for u, name in unit_rows.items()}
        sigma = {p: -float(duals[name]) for p, name in person_rows.items()}
        covered = round(sum(problem.households[u] * value for (_, u), value in values.items()))
        dual_value = sum(pi.values()) + sum(problem.capacity[p] * sigma[p] for p in sigma)
        feasible = all(value >= -1e-6 for value in [*pi.values(), *sigma.values()]) and all(
            pi[u] + sigma[p] >= problem.households[u] - 1e-6 for (p, u) in self.x
        )
        if not feasible or abs(dual_value - covered) > 1e-6 * max(1, covered):
            # the duals do not prove the LP optimum (sign convention or precision): the
            # complementary-slackness face would be wrong, so take the MIP route
            logger.info("coverage LP duals do not certify the optimum: solving as a MIP")
            return False
        for (person, unit), var in self.x.items():
            if pi[unit] + sigma[person] - problem.households[unit] > 1e-6:
                var.upBound = 0  # not tight: serving this unit costs coverage
            var.setInitialValue(round(values[person, unit]))
        for k, unit in enumerate(units):
            if unit in pi and pi[unit] > 1e-6:
                serving = [var for (p, u), var in self.x.items() if u == unit]
                self.prob += pulp.lpSum(serving) == 1, f"must_cover_{k}"
        for n, person in enumerate(self.people):
            if sigma[person] > 1e-6:
                mine = [self.x[person, u] for u in problem.eligible[person]]
                self.prob += pulp.lpSum(mine) == problem.capacity[person], f"saturated_{n}"
                self.saturated.add(person)
        self.stages.append(
            StageOutcome(
                "coverage",
                "optimal",
                float(self.total - covered),
                float(self.total - covered),
                outcome.seconds,
            )
        )
        for key, var in self.x.items():
            var.varValue = round(values[key])
        logger.info(
            "assign coverage stage: optimal (LP, totally unimodular), objective %s, %.2f s",
            f"{self.total - covered:,}",
            outcome.seconds,
        )
        return True

    def balance(self) -> int:
        """Stage 2: the least largest households per person at that coverage."""
        start = _values(self.x)
        start[self.load] = max(self._loads(), default=0.0)
        for n, person in enumerate(self.people):
            terms = [
                int(self.problem.households[u]) * self.x[person, u]
                for u in self.problem.eligible[person]
            ]
            self.prob += self.load >= pulp.lpSum(terms), f"load_{n}"
        self._unit_cuts()
        self.prob.setObjective(self.load + 0)
        second = _solve(self.prob, "workload", self.stages, start, self.options)
        return round(second.objective)

    def _unit_cuts(self) -> None:
        """Valid inequalities that make the stage-2 bound strong.

        At most one person serves unit u, so ``L ≥ Σ_i c_iu x[i,u]`` holds whenever
        ``c_iu`` is a lower bound on person i's load when serving u: h_u, plus for a
        person who must serve their full capacity k_i, the k_i - 1 smallest other
        units they may serve. Without these the LP spreads a unit over many people
        and its bound is the average load, not the largest.
        """
        households = self.problem.households
        open_units = {
            p: sorted(
                (int(households[u]), u)
                for u in self.problem.eligible[p]
                if self.x[p, u].upBound != 0
            )
            for p in self.people
        }
        terms: dict[str, list] = {}
        for person, units in open_units.items():
            extra = self.problem.capacity[person] - 1 if person in self.saturated else 0
            for h, unit in units:
                others = [g for g, v in units if v != unit][:extra]
                terms.setdefault(unit, []).append((h + sum(others)) * self.x[person, unit])
        for k, unit in enumerate(sorted(terms)):
            if len(terms[unit]) > 1:
                self.prob += self.load >= pulp.lpSum(terms[unit]), f"unit_load_{k}"

    def settle(self, largest: int) -> dict[str, tuple[str, ...]]:
        """Stage 3: fewest moves with no one above ``largest`` households."""
        start = _values(self.x)
        start[self.load] = max(self._loads(), default=0.0)
        self.prob += self.load <= largest, "fix_workload"
        keep = self.problem.keep
        keepers = [p for p in self.people if keep.get(p) in set(self.problem.eligible[p])]
        if keepers:
            moved = len(keepers) - pulp.lpSum(self.x[p, keep[p]] for p in keepers)
            self.prob.setObjective(moved)
            _solve(self.prob, "moves", self.stages, start, self.options)
        else:
            self.stages.append(StageOutcome("moves", "optimal", 0.0, 0.0, 0.0))
        served = {
            person: tuple(
                u for u in self.problem.eligible[person] if (self.x[person, u].varValue or 0) > 0.5
            )
            for person in self.people
        }
        self._audit(served, largest)
        return served

    def _audit(self, served: Mapping[str, tuple[str, ...]], largest: int) -> None:
        """Check the final plan against the rules and stage 1's coverage, not the solver."""
        problem = self.problem
        units = [u for mine in served.values() for u in mine]
        covered = sum(int(problem.households[u]) for u in units)
        best = self.total - round(self.stages[0].objective or 0.0)
        problems = []
        if len(units) != len(set(units)):
            problems.append("a unit is served by two people")
        if covered != best:
            problems.append(f"{covered:,} households covered, stage 1 found {best:,}")
        for person, mine in served.items():
            load = sum(int(problem.households[u]) for u in mine)
            if len(mine) > problem.capacity[person] or load > largest:
                problems.append(f"{person} serves {len(mine)} units, {load:,} households")
        if problems:
            raise SolverError(
                "the assignment failed its audit: " + "; ".join(problems[:5]) + "; "
                "please report this with the plan and roster (try --solver cbc meanwhile)"
            )


def _values(x: Mapping[tuple[str, str], pulp.LpVariable]) -> dict[pulp.LpVariable, float]:
    return {var: float(round(var.varValue or 0.0)) for var in x.values()}


def _solve(
    prob: pulp.LpProblem,
    name: str,
    stages: list[StageOutcome],
    start: Mapping[pulp.LpVariable, float] | None,
    options: Mapping[str, object],
) -> SolveOutcome:
    """Solve one stage; close a gap left by the solver's relative tolerance by proof.

    Objectives are whole numbers. When the solver stops with a bound below its plan
    (its relative gap tolerance, e.g. 1e-4 of 110,000 households, lets it stop up to
    11 short), the stage is re-solved with ``objective <= plan - 1`` added: infeasible
    proves the plan optimal, a feasible answer improves it and the loop goes on.
    """
    outcome = run_solver(prob, warm_start=start, integral_objective=True, **options)
    if outcome.objective is None or not math.isfinite(outcome.objective):
        raise SolverError(
            f"the assignment model found no plan in its {name} stage ({outcome.status}, "
            f"{outcome.seconds:.1f} s): allow more time (--time-limit) or try --solver cbc"
        )
    objective, bound, seconds = outcome.objective, outcome.bound, outcome.seconds
    for attempt in range(_PROOF_ROUNDS):
        if bound is not None and bound >= objective - 1e-6:
            break
        best = {var: var.varValue for var in prob.variables()}
        target = round(objective) - 1
        cut = f"prove_{name}_{attempt}"
        prob += prob.objective.copy() <= target, cut
        better = run_solver(prob, integral_objective=True, **options)
        seconds += better.seconds
        if better.status == "infeasible":
            bound = objective
        elif better.objective is not None:
            objective, bound = better.objective, better.bound
            best = {var: var.varValue for var in prob.variables()}
        # relax the cut to "no worse than the best plan", which the next stage's fixing
        # constraint says anyway (PuLP has no way to remove a constraint)
        prob.get_constraint_by_name(cut).constant += target - round(objective)
        for var, value in best.items():
            var.varValue = value
        if better.status != "infeasible" and better.objective is None:
            break  # time limit without an answer: the gap stays open
    status = "optimal" if bound is not None and bound >= objective - 1e-6 else "feasible"
    stages.append(StageOutcome(name, status, objective, bound, seconds))
    logger.info(
        "assign %s stage: %s, objective %s, %.2f s", name, status, f"{objective:,.0f}", seconds
    )
    return dataclasses.replace(
        outcome, status=status, objective=objective, bound=bound, seconds=seconds
    )


_PROOF_ROUNDS = 5
"""Most re-solves that close a stage's gap before it is reported as not proven."""
