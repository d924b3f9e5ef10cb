"""What a plan does when a subproblem fails: the retries, in order, and what they say."""

from __future__ import annotations

import dataclasses

import networkx as nx
import pytest

from jinfeng_grid.errors import InfeasibleSpecError, SolverError
from jinfeng_grid.partition import PartitionResult, PartitionSpec
from jinfeng_grid.plan import solve as _plan_solve
from jinfeng_grid.plan.solve import Task


def _task(*, exact: bool = True, fallback: bool = True) -> Task:
    graph = nx.path_graph(4)
    spec = PartitionSpec(k=3, bounds={"households": (1, 3)})
    return Task(
        "grid",
        "甲社区",
        graph,
        spec,
        2.0,
        0,
        fallback=dataclasses.replace(spec, k=(2, 3)) if fallback else None,
        exact=exact,
    )


def _result(parts: int) -> PartitionResult:
    return PartitionResult(
        {v: v % parts for v in range(4)}, "feasible", 1.0, 0.0, 1.0, 0.1, "none", "heuristic",
        {p: {} for p in range(parts)},
    )  # fmt: skip


def _scripted(monkeypatch: pytest.MonkeyPatch, outcomes: list) -> list[tuple]:
    calls: list[tuple] = []

    def fake(task, spec, seconds, *, heuristic_only=False):
        calls.append((spec.k_range, seconds, heuristic_only))
        outcome = outcomes[len(calls) - 1]
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    monkeypatch.setattr(_plan_solve, "_solve", fake)
    return calls


def test_a_count_that_does_not_fit_falls_back_to_the_range(monkeypatch) -> None:
    calls = _scripted(monkeypatch, [InfeasibleSpecError("no 3"), _result(2)])
    outcome = _plan_solve._run(_task())
    assert outcome.note == "3 parts did not fit, 2 did"
    assert calls == [((3, 3), 2.0, False), ((2, 3), 2.0, False)]


def test_no_plan_in_time_gets_a_longer_heuristic_search(monkeypatch) -> None:
    calls = _scripted(monkeypatch, [SolverError("late"), SolverError("late"), _result(3)])
    outcome = _plan_solve._run(_task())
    assert outcome.note == "found by a longer heuristic search"
    assert calls[-1] == ((2, 3), _plan_solve.MIN_RETRY_SECONDS, True)


def test_a_heuristic_piece_then_tries_the_exact_solver(monkeypatch) -> None:
    calls = _scripted(monkeypatch, [SolverError("a"), SolverError("b"), _result(3)])
    outcome = _plan_solve._run(_task(exact=False, fallback=False))
    assert outcome.note == "found by the exact solver after the heuristic failed"
    assert calls == [((3, 3), 2.0, True), ((3, 3), 30.0, True), ((3, 3), 30.0, False)]


def test_every_failure_is_reported_in_order(monkeypatch) -> None:
    _scripted(monkeypatch, [SolverError("a"), InfeasibleSpecError("b")])
    outcome = _plan_solve._run(_task())
    assert outcome.result is None
    assert outcome.error == "a; with (2, 3) parts: b"
    assert outcome.error_kind == "InfeasibleSpecError"
    _scripted(monkeypatch, [SolverError("a"), SolverError("b"), SolverError("c")])
    outcome = _plan_solve._run(_task())
    assert outcome.error == "a; with (2, 3) parts: b; longer heuristic search: c"
    assert outcome.error_kind == "SolverError"
