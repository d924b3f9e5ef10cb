"""Every plan the core returns passes the audits, on random planar graphs."""

from __future__ import annotations

import itertools
from dataclasses import replace

import networkx as nx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jinfeng_grid.errors import InfeasibleSpecError, PlanCheckError
from jinfeng_grid.partition import (
    PartitionSpec,
    audit_plan,
    boundary_bound,
    cut_edge_difference,
    diagnose_partition,
    partition_graph,
    plan_objective,
)


@st.composite
def planar_instances(draw: st.DrawFn) -> tuple[nx.Graph, PartitionSpec]:
    """A connected random piece of a triangulated grid with random weights and bounds."""
    rows = draw(st.integers(2, 4))
    cols = draw(st.integers(2, 4))
    graph = nx.grid_2d_graph(rows, cols)
    for r, c in itertools.product(range(rows - 1), range(cols - 1)):
        if draw(st.booleans()):  # a diagonal keeps the graph planar (triangulated cell)
            graph.add_edge((r, c), (r + 1, c + 1))
    dropped = draw(st.sets(st.sampled_from(sorted(graph.nodes)), max_size=rows * cols // 3))
    graph.remove_nodes_from(dropped)
    graph = graph.subgraph(max(nx.connected_components(graph), key=len)).copy()
    for v in sorted(graph.nodes):
        graph.nodes[v]["households"] = draw(st.integers(1, 6))
        graph.nodes[v]["population"] = graph.nodes[v]["households"] * draw(st.integers(1, 3))
    for e in sorted(graph.edges):
        graph.edges[e]["length"] = draw(st.integers(1, 9))
    k = draw(st.integers(1, min(3, graph.number_of_nodes())))
    total = sum(graph.nodes[v]["households"] for v in graph)
    slack = draw(st.sampled_from([0.3, 0.6, 1.0]))
    low, high = max(0.0, (1 - slack) * total / k), (1 + slack) * total / k
    bounds = {"households": (round(low, 2), round(high, 2))}
    if draw(st.booleans()):
        people = sum(graph.nodes[v]["population"] for v in graph)
        bounds["population"] = (0.0, round((1 + slack) * people / k, 2))
    edge_cost = draw(st.sampled_from([None, "length"]))
    return graph, PartitionSpec(k=k, bounds=bounds, edge_cost=edge_cost)


def brute_force_optimum(graph: nx.Graph, spec: PartitionSpec) -> float | None:
    nodes = sorted(graph.nodes)
    best = None
    k = spec.k_range[0]
    for labels in itertools.product(range(k), repeat=len(nodes)):
        if len(set(labels)) != k or labels[0] != 0:
            continue
        plan = dict(zip(nodes, labels, strict=True))
        value = plan_objective(graph, spec, plan)
        try:
            audit_plan(graph, spec, plan, value)
        except PlanCheckError:
            continue
        best = value if best is None else min(best, value)
    return best


_SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_SETTINGS
@given(planar_instances())
def test_every_exact_plan_passes_the_audits_and_matches_enumeration(
    instance: tuple[nx.Graph, PartitionSpec],
) -> None:
    graph, spec = instance
    try:
        result = partition_graph(graph, spec, time_limit=20)
    except InfeasibleSpecError:
        if graph.number_of_nodes() <= 8:
            assert brute_force_optimum(graph, spec) is None
        return
    assert result.objective is not None
    audit_plan(graph, spec, result.assignment, result.objective)
    assert result.status == "optimal"
    if graph.number_of_nodes() <= 8:
        assert abs(result.objective - brute_force_optimum(graph, spec)) < 1e-6


@_SETTINGS
@given(planar_instances(), st.integers(0, 3))
def test_every_heuristic_plan_passes_the_audits(
    instance: tuple[nx.Graph, PartitionSpec], seed: int
) -> None:
    graph, spec = instance
    if diagnose_partition(graph, spec):
        return
    try:
        result = partition_graph(graph, spec, heuristic_only=True, seed=seed)
    except Exception as error:  # the heuristic may fail to find a plan, never a bad one
        assert "heuristic found no plan" in str(error)
        return
    assert result.objective is not None
    audit_plan(graph, spec, result.assignment, result.objective)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(planar_instances(), st.integers(1, 3))
def test_the_next_best_plan_differs_from_the_excluded_one_and_is_no_better(
    instance: tuple[nx.Graph, PartitionSpec], min_difference: int
) -> None:
    graph, spec = instance
    try:
        first = partition_graph(graph, spec, time_limit=20)
    except InfeasibleSpecError:
        return
    again = replace(spec, exclude=[first.assignment], min_difference=min_difference)
    try:
        second = partition_graph(graph, again, time_limit=20, heuristic_time=0.5)
    except InfeasibleSpecError:
        if graph.number_of_nodes() <= 8:
            assert brute_force_optimum(graph, again) is None
        return
    assert second.objective is not None and first.objective is not None
    audit_plan(graph, again, second.assignment, second.objective)
    assert cut_edge_difference(graph, second.assignment, first.assignment) >= min_difference
    assert second.objective >= first.objective - 1e-6
    if graph.number_of_nodes() <= 8:
        assert abs(second.objective - brute_force_optimum(graph, again)) < 1e-6


@_SETTINGS
@given(planar_instances(), st.data())
def test_the_boundary_bound_never_exceeds_the_optimum(
    instance: tuple[nx.Graph, PartitionSpec], data: st.DataObject
) -> None:
    graph, spec = instance
    barriers = data.draw(st.sets(st.sampled_from(sorted(graph.edges)), max_size=3))
    for e in graph.edges:
        graph.edges[e]["barrier"] = e in barriers
    penalty = data.draw(st.sampled_from([0.0, 4.0, 20.0]))
    k_min, k_max = spec.k_range
    if data.draw(st.booleans()) and k_max < graph.number_of_nodes():
        k_max += 1
    spec = replace(spec, k=(k_min, k_max), barrier_attr="barrier", barrier_penalty=penalty)
    try:
        result = partition_graph(graph, spec, time_limit=20, lower_bound=False)
    except InfeasibleSpecError:
        return
    assert result.status == "optimal" and result.objective is not None
    bound = boundary_bound(graph, spec, time_limit=5)
    assert bound.value <= result.objective + 1e-6
    assert len(bound.part_bounds) == k_min
