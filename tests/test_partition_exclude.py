"""Excluding earlier plans: alternatives that differ in the edges they cut."""

from __future__ import annotations

import itertools
from collections.abc import Hashable

import networkx as nx
import pytest

from jinfeng_grid.errors import ConfigError, InfeasibleSpecError, PlanCheckError, SolverError
from jinfeng_grid.partition import (
    PartitionSpec,
    audit_plan,
    build_partition_model,
    cut_edge_difference,
    diagnose_partition,
    partition_graph,
    plan_objective,
    solve_partition_model,
)


def path4() -> nx.Graph:
    graph = nx.path_graph(["a", "b", "c", "d"])
    nx.set_node_attributes(graph, 1, "households")
    return graph


def lattice(rows: int, cols: int) -> nx.Graph:
    graph = nx.grid_2d_graph(rows, cols)
    nx.set_node_attributes(graph, 1, "households")
    return graph


def weighted_2x4() -> nx.Graph:
    """A 2 × 4 lattice whose edge lengths give its best splits distinct costs."""
    graph = lattice(2, 4)
    lengths = [3, 5, 4, 6, 2, 7, 8, 1, 9, 10]
    for length, edge in zip(lengths, sorted(graph.edges), strict=True):
        graph.edges[edge]["length"] = length
    return graph


def cut_set(graph: nx.Graph, plan: dict[Hashable, int]) -> frozenset[tuple[Hashable, Hashable]]:
    return frozenset(e for e in graph.edges if plan[e[0]] != plan[e[1]])


def distinct_plans_by_objective(
    graph: nx.Graph, spec: PartitionSpec
) -> list[tuple[float, frozenset]]:
    """Every feasible partition once (by its cut set) with its objective, best first."""
    nodes = sorted(graph.nodes)
    found: dict[frozenset, float] = {}
    for labels in itertools.product(range(spec.k_range[1]), repeat=len(nodes)):
        plan = dict(zip(nodes, labels, strict=True))
        try:
            audit_plan(graph, spec, plan, plan_objective(graph, spec, plan))
        except PlanCheckError:
            continue
        found[cut_set(graph, plan)] = plan_objective(graph, spec, plan)
    return sorted(((value, cuts) for cuts, value in found.items()), key=lambda t: t[0])


def test_excluding_the_only_plan_of_a_path_is_proven_infeasible() -> None:
    graph = path4()
    only = {"a": "north", "b": "north", "c": "south", "d": "south"}
    spec = PartitionSpec(k=2, bounds={"households": (2, 2)}, exclude=[only])
    assert partition_graph(graph, PartitionSpec(k=2, bounds={"households": (2, 2)})).objective == 1
    assert diagnose_partition(graph, spec) == []
    assert solve_partition_model(build_partition_model(graph, spec)).status == "infeasible"
    with pytest.raises(InfeasibleSpecError, match="differs from the 1 excluded plan"):
        partition_graph(graph, spec)


def test_the_heuristic_says_so_when_every_plan_it_finds_is_excluded() -> None:
    only = {"a": 0, "b": 0, "c": 1, "d": 1}
    spec = PartitionSpec(k=2, bounds={"households": (2, 2)}, exclude=[only])
    with pytest.raises(SolverError, match="no plan that differs from the 1 excluded plan"):
        partition_graph(path4(), spec, heuristic_only=True, heuristic_time=0.5)


def test_cut_variables_cannot_be_inflated_to_dodge_an_exclusion() -> None:
    # three splits of a path, each cutting one edge; with all three excluded, marking an
    # uncut edge as cut (cost 1) must not count as a different plan
    graph = path4()
    splits = [{v: int(i >= s) for i, v in enumerate("abcd")} for s in (1, 2, 3)]
    spec = PartitionSpec(k=2, bounds={"households": (1, 3)}, exclude=splits)
    assert solve_partition_model(build_partition_model(graph, spec)).status == "infeasible"
    assert solve_partition_model(build_partition_model(graph, spec), solver="cbc").status == (
        "infeasible"
    )


def test_successive_exclusions_return_the_three_best_plans_in_order() -> None:
    graph = weighted_2x4()
    base = PartitionSpec(k=2, bounds={"households": (3, 5)}, edge_cost="length")
    ranked = distinct_plans_by_objective(graph, base)
    assert [value for value, _ in ranked[:4]] == [11, 13, 16, 18]  # distinct: order is defined
    excluded: list[dict[Hashable, int]] = []
    for value, cuts in ranked[:3]:
        spec = PartitionSpec(
            k=2, bounds={"households": (3, 5)}, edge_cost="length", exclude=excluded
        )
        result = partition_graph(graph, spec)
        assert (result.status, result.objective) == ("optimal", value)
        assert cut_set(graph, result.assignment) == cuts
        excluded.append(result.assignment)


def test_relabelling_an_excluded_plan_does_not_make_it_new() -> None:
    graph = lattice(2, 2)
    rows = {(0, 0): 0, (0, 1): 0, (1, 0): 1, (1, 1): 1}
    swapped = {v: 1 - p for v, p in rows.items()}
    spec = PartitionSpec(k=2, bounds={"households": (2, 2)}, exclude=[swapped])
    for result in (partition_graph(graph, spec), partition_graph(graph, spec, heuristic_only=True)):
        assert cut_edge_difference(graph, result.assignment, rows) == 4
        assert result.assignment[(0, 0)] == result.assignment[(1, 0)]  # columns, not rows
    columns = {(0, 0): "w", (1, 0): "w", (0, 1): "e", (1, 1): "e"}
    both = PartitionSpec(k=2, bounds={"households": (2, 2)}, exclude=[swapped, columns])
    with pytest.raises(InfeasibleSpecError, match="2 excluded plan"):
        partition_graph(graph, both)


def test_min_difference_asks_for_plans_further_away() -> None:
    graph = weighted_2x4()
    base = PartitionSpec(k=2, bounds={"households": (3, 5)}, edge_cost="length")
    best = partition_graph(graph, base)
    for m in (1, 3, 5):
        spec = PartitionSpec(
            k=2,
            bounds={"households": (3, 5)},
            edge_cost="length",
            exclude=[best.assignment],
            min_difference=m,
        )
        result = partition_graph(graph, spec)
        expected = min(
            value
            for value, cuts in distinct_plans_by_objective(graph, base)
            if len(cuts ^ cut_set(graph, best.assignment)) >= m
        )
        assert result.objective == expected
        assert cut_edge_difference(graph, result.assignment, best.assignment) >= m


def test_the_audit_rejects_a_plan_too_close_to_an_excluded_one() -> None:
    graph = lattice(2, 2)
    rows = {(0, 0): 0, (0, 1): 0, (1, 0): 1, (1, 1): 1}
    spec = PartitionSpec(k=2, bounds={"households": (2, 2)}, exclude=[rows])
    with pytest.raises(PlanCheckError, match="differs from excluded plan 0 in 0 cut edges"):
        audit_plan(graph, spec, {v: 1 - p for v, p in rows.items()}, 2)


def test_bad_exclusions_are_config_errors() -> None:
    with pytest.raises(ConfigError, match="min_difference must be an integer ≥ 1"):
        PartitionSpec(k=2, exclude=[{"a": 0}], min_difference=0)
    with pytest.raises(ConfigError, match="exclude must be a sequence of plans"):
        PartitionSpec(k=2, exclude={"a": 0})  # type: ignore[arg-type]
    spec = PartitionSpec(k=2, bounds={"households": (2, 2)}, exclude=[{"a": 0, "b": 0}])
    with pytest.raises(ConfigError, match=r"excluded plan 0 does not assign 2 nodes.*'c', 'd'"):
        partition_graph(path4(), spec)
    far = PartitionSpec(
        k=2, bounds={"households": (2, 2)}, exclude=[dict.fromkeys("abcd", 0)], min_difference=4
    )
    assert any("only 3 edges" in f for f in diagnose_partition(path4(), far))
