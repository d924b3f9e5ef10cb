"""The boundary lower bound: hand-drawn cases with known optima, and how plans report it."""

from __future__ import annotations

import networkx as nx
import pytest

from jinfeng_grid.partition import PartitionSpec, boundary_bound, partition_graph


def weighted_path(n: int) -> nx.Graph:
    graph = nx.path_graph(n)
    for v in graph:
        graph.nodes[v]["households"] = 1
    return graph


def grid(rows: int, cols: int) -> nx.Graph:
    graph = nx.grid_2d_graph(rows, cols)
    for v in graph:
        graph.nodes[v]["households"] = 1
    return graph


def test_a_path_cut_in_halves_is_bounded_exactly() -> None:
    # each half of 0-1-2-3 has one boundary edge: ½·(1 + 1) = 1, the optimum
    spec = PartitionSpec(k=2, bounds={"households": (2, 2)})
    bound = boundary_bound(weighted_path(4), spec)
    assert bound.value == 1.0 and bound.complete
    assert bound.part_bounds == (1.0, 1.0)


def test_a_two_by_four_lattice_cut_into_two_squares() -> None:
    # 2 × 4 lattice into two parts of 4: the best cut is the 2 middle edges; a set of 4
    # nodes has a boundary of at least 2, so the bound is ½·(2 + 2) = 2, proven tight
    graph = grid(2, 4)
    spec = PartitionSpec(k=2, bounds={"households": (4, 4)})
    assert boundary_bound(graph, spec).value == 2.0
    result = partition_graph(graph, spec, heuristic_only=True)
    assert (result.objective, result.bound, result.status, result.gap) == (2.0, 2.0, "optimal", 0.0)


def test_three_parts_of_a_three_by_three_lattice_leave_a_gap() -> None:
    # three rows cut 6 edges, the optimum (a part of 3 nodes keeps at most 2 of the 12
    # edges); the lightest boundary of 3 nodes is 3 (a row), so the bound is
    # ½·(3 + 3 + 3) = 4.5, rounded up to 5 as the costs are integers: valid, not tight
    graph = grid(3, 3)
    spec = PartitionSpec(k=3, bounds={"households": (3, 3)})
    bound = boundary_bound(graph, spec)
    assert (bound.value, bound.part_bounds, bound.complete) == (5.0, (3.0, 3.0, 3.0), True)
    result = partition_graph(graph, spec, time_limit=20)
    assert (result.objective, result.status) == (6.0, "optimal")


def test_barrier_edges_count_their_whole_reward_at_most() -> None:
    # 0-1-2-3, the middle edge is an arterial road: cutting it (cost 5) avoids the
    # penalty of 8 for keeping it; the optimum cuts it: objective 5. The bound takes the
    # reward of every barrier edge (5 − 8 = −3) plus the constant 8 and the boundary of
    # the other edges (0 here): 5, tight.
    graph = weighted_path(4)
    for e in graph.edges:
        graph.edges[e]["length"] = 5.0
        graph.edges[e]["road"] = e == (1, 2)
    spec = PartitionSpec(
        k=2,
        bounds={"households": (1, 3)},
        edge_cost="length",
        barrier_attr="road",
        barrier_penalty=8.0,
    )
    bound = boundary_bound(graph, spec)
    assert bound.value == pytest.approx(5.0)
    assert partition_graph(graph, spec, time_limit=10).objective == pytest.approx(5.0)


def test_fixed_nodes_and_groups_only_tighten_the_bound() -> None:
    graph = grid(2, 4)
    loose = PartitionSpec(k=2, bounds={"households": (3, 5)})
    fixed = PartitionSpec(
        k=2,
        bounds={"households": (3, 5)},
        fixed={(0, 0): 0, (0, 3): 1},
        together=[[(0, 1), (1, 1)]],
    )
    assert boundary_bound(graph, fixed).value >= boundary_bound(graph, loose).value
    result = partition_graph(graph, fixed, time_limit=10)
    assert boundary_bound(graph, fixed).value <= result.objective


def test_a_single_part_is_the_only_plan() -> None:
    graph = grid(2, 3)
    spec = PartitionSpec(k=1, bounds={"households": (1, 10)})
    result = partition_graph(graph, spec, heuristic_only=True)
    assert (result.status, result.objective, result.bound, result.gap) == ("optimal", 0.0, 0.0, 0.0)


def test_a_heuristic_plan_reports_its_gap_from_the_bound() -> None:
    graph = grid(3, 3)
    spec = PartitionSpec(k=3, bounds={"households": (3, 3)})
    result = partition_graph(graph, spec, heuristic_only=True)
    assert result.method == "heuristic" and result.status == "feasible"
    assert result.bound == 5.0
    assert result.gap == pytest.approx((result.objective - 5.0) / result.objective)


def test_a_short_time_gives_a_weaker_bound_never_a_wrong_one() -> None:
    graph = grid(3, 3)
    spec = PartitionSpec(k=3, bounds={"households": (3, 3)})
    result = partition_graph(graph, spec, heuristic_only=True, time_limit=0.5, heuristic_time=0.5)
    assert result.bound is not None and result.bound <= result.objective
