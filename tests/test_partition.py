"""The partition core on tiny lattices whose optima are known by hand or by enumeration."""

from __future__ import annotations

import itertools
from collections.abc import Hashable

import networkx as nx
import pytest

from jinfeng_grid.errors import ConfigError, InfeasibleSpecError, PlanCheckError
from jinfeng_grid.partition import (
    TREE_SEARCH_OPTIONS,
    PartitionSpec,
    audit_plan,
    build_partition_model,
    diagnose_partition,
    every_node_assigned,
    objective_matches,
    partition_graph,
    parts_connected,
    plan_objective,
    solve_partition_model,
    within_bounds,
)
from jinfeng_grid.partition.solver import known_highs_options


def lattice(rows: int, cols: int, **weights: float) -> nx.Graph:
    """A rows × cols grid graph; every node carries the given weights (default 1 household)."""
    graph = nx.grid_2d_graph(rows, cols)
    for v in graph:
        graph.nodes[v].update(weights or {"households": 1})
    return graph


def brute_force_optimum(graph: nx.Graph, spec: PartitionSpec) -> float | None:
    """The optimum by enumerating every labelling (tiny graphs only); None if infeasible."""
    nodes = sorted(graph.nodes)
    best = None
    for k in range(spec.k_range[0], spec.k_range[1] + 1):
        for labels in itertools.product(range(k), repeat=len(nodes)):
            if len(set(labels)) != k:
                continue
            plan = dict(zip(nodes, labels, strict=True))
            try:
                audit_plan(graph, spec, plan, plan_objective(graph, spec, plan))
            except PlanCheckError:
                continue
            value = plan_objective(graph, spec, plan)
            best = value if best is None else min(best, value)
    return best


def parts_of(assignment: dict[Hashable, int]) -> list[set[Hashable]]:
    groups: dict[int, set[Hashable]] = {}
    for v, p in assignment.items():
        groups.setdefault(p, set()).add(v)
    return sorted(groups.values(), key=lambda s: sorted(s))


# --- known optima -------------------------------------------------------------------


def test_a_2x2_lattice_splits_into_two_dominoes_cutting_two_edges() -> None:
    result = partition_graph(lattice(2, 2), PartitionSpec(k=2, bounds={"households": (2, 2)}))
    assert (result.status, result.objective, result.bound) == ("optimal", 2, 2)


def test_a_3x3_lattice_in_three_parts_of_three_matches_enumeration() -> None:
    graph = lattice(3, 3)
    spec = PartitionSpec(k=3, bounds={"households": (3, 3)})
    result = partition_graph(graph, spec)
    assert result.objective == brute_force_optimum(graph, spec) == 6
    assert result.status == "optimal"


def test_a_4x4_lattice_in_four_parts_of_four_is_four_squares() -> None:
    result = partition_graph(lattice(4, 4), PartitionSpec(k=4, bounds={"households": (4, 4)}))
    assert result.objective == 8
    assert all(len(part) == 4 for part in parts_of(result.assignment))


def test_a_path_is_cut_between_equal_runs() -> None:
    graph = nx.path_graph(6)
    nx.set_node_attributes(graph, 1, "households")
    result = partition_graph(graph, PartitionSpec(k=3, bounds={"households": (2, 2)}))
    assert parts_of(result.assignment) == [{0, 1}, {2, 3}, {4, 5}]
    assert result.objective == 2


def test_a_star_keeps_parts_connected_through_its_centre() -> None:
    graph = nx.star_graph(4)  # centre 0, leaves 1..4, no leaf touches another
    nx.set_node_attributes(graph, 1, "households")
    spec = PartitionSpec(k=2, bounds={"households": (1, 4)})
    result = partition_graph(graph, spec)
    assert result.objective == 1 == brute_force_optimum(graph, spec)
    assert sorted(len(p) for p in parts_of(result.assignment)) == [1, 4]


def test_two_weights_at_once_both_bound_every_part() -> None:
    graph = nx.path_graph(["a", "b", "c", "d"])
    for v, pop in zip("abcd", (6, 1, 2, 3), strict=True):
        graph.nodes[v].update(households=1, population=pop)
    spec = PartitionSpec(k=2, bounds={"households": (1, 3), "population": (6, 6)})
    result = partition_graph(graph, spec)
    assert parts_of(result.assignment) == [{"a"}, {"b", "c", "d"}]
    assert result.part_weights[result.assignment["a"]] == {"households": 1, "population": 6}


# --- each constraint ----------------------------------------------------------------


def test_a_fixed_node_lands_in_its_part() -> None:
    spec = PartitionSpec(k=2, bounds={"households": (2, 2)}, fixed={(0, 0): 1, (1, 1): 0})
    result = partition_graph(lattice(2, 2), spec)
    assert result.assignment[(0, 0)] == 1
    assert result.assignment[(1, 1)] == 0


def test_nodes_kept_together_share_a_part() -> None:
    spec = PartitionSpec(k=3, bounds={"households": (3, 3)}, together=[{(0, 0), (0, 2)}])
    result = partition_graph(lattice(3, 3), spec)
    assert result.assignment[(0, 0)] == result.assignment[(0, 1)] == result.assignment[(0, 2)]
    assert result.objective == 6


def test_seeds_root_their_parts_in_order() -> None:
    graph = nx.path_graph(["a", "b", "c", "d"])
    nx.set_node_attributes(graph, 1, "households")
    spec = PartitionSpec(k=2, bounds={"households": (1, 3)}, seeds=["d", "a"])
    result = partition_graph(graph, spec)
    assert result.assignment["d"] == 0
    assert result.assignment["a"] == 1


def test_a_barrier_penalty_moves_the_cut_onto_the_barrier() -> None:
    graph = lattice(2, 4)
    for c in range(4):
        graph.edges[(0, c), (1, c)]["road"] = True
    plain = PartitionSpec(k=2, bounds={"households": (4, 4)})
    assert partition_graph(graph, plain).objective == 2  # split across the short side
    barred = PartitionSpec(
        k=2, bounds={"households": (4, 4)}, barrier_attr="road", barrier_penalty=10
    )
    result = partition_graph(graph, barred)
    assert result.objective == 4
    assert parts_of(result.assignment) == [{(0, c) for c in range(4)}, {(1, c) for c in range(4)}]


def test_edge_costs_weigh_the_cut() -> None:
    graph = lattice(2, 4)
    nx.set_edge_attributes(graph, 100.0, "length")
    for c in range(4):
        graph.edges[(0, c), (1, c)]["length"] = 10.0  # a long thin block: cut along it
    spec = PartitionSpec(k=2, bounds={"households": (4, 4)}, edge_cost="length")
    result = partition_graph(graph, spec)
    assert result.objective == 40


def test_the_minimal_change_term_keeps_the_current_plan_when_it_is_feasible() -> None:
    graph = lattice(2, 4)
    current = {(r, c): "东" if r == 0 else "西" for r, c in graph}
    spec = PartitionSpec(k=2, bounds={"households": (4, 4)}, current=current, move_penalty=1.0)
    result = partition_graph(graph, spec)
    assert result.objective == 4  # four cut edges, nobody moves (vs 2 cuts + 4 moves)
    assert all(result.assignment[v] == (0 if label == "东" else 1) for v, label in current.items())


def test_a_range_of_k_takes_the_count_that_cuts_least() -> None:
    graph = nx.path_graph(6)
    nx.set_node_attributes(graph, 1, "households")
    spec = PartitionSpec(k=(2, 4), bounds={"households": (2, 3)})
    result = partition_graph(graph, spec)
    assert len(parts_of(result.assignment)) == 2
    assert result.objective == 1


def test_one_flow_over_uncut_edges_also_keeps_parts_connected() -> None:
    graph = nx.star_graph(4)
    nx.set_node_attributes(graph, 1, "households")
    spec = PartitionSpec(k=2, bounds={"households": (2, 3)})
    model = build_partition_model(graph, spec, contiguity="edgeflow")
    assert solve_partition_model(model).status == "infeasible"
    spec = PartitionSpec(k=3, bounds={"households": (3, 3)})
    model = build_partition_model(lattice(3, 3), spec, contiguity="edgeflow")
    assert solve_partition_model(model).objective == 6


def test_cbc_solves_a_small_lattice_too() -> None:
    result = partition_graph(
        lattice(3, 3), PartitionSpec(k=3, bounds={"households": (3, 3)}), solver="cbc"
    )
    assert (result.status, result.objective, result.solver) == ("optimal", 6, "cbc")


# --- diagnoses ------------------------------------------------------------------------


def test_a_node_above_the_cap_is_named_with_its_weight() -> None:
    graph = nx.path_graph(["a", "b", "c"])
    nx.set_node_attributes(graph, {"a": 2, "b": 2, "c": 5}, "households")
    graph.nodes["c"]["name"] = "未来城"
    spec = PartitionSpec(k=3, bounds={"households": (1, 4)})
    with pytest.raises(
        InfeasibleSpecError, match=r"未来城 \(c\) alone holds 5 households.*at most 4"
    ):
        partition_graph(graph, spec)


def test_a_piece_that_fits_no_count_of_parts_is_named() -> None:
    graph = nx.Graph([("a", "b")])
    graph.add_node("island")
    nx.set_node_attributes(graph, 1, "households")
    spec = PartitionSpec(k=2, bounds={"households": (2, 3)})
    findings = diagnose_partition(graph, spec)
    assert any("piece of 1 nodes (island) holds 1 households" in f for f in findings)
    with pytest.raises(InfeasibleSpecError, match="fits no count of parts"):
        partition_graph(graph, spec)


def test_k_against_the_total_is_checked_in_numbers() -> None:
    spec = PartitionSpec(k=3, bounds={"households": (1, 2)})
    with pytest.raises(InfeasibleSpecError, match="3 parts of at most 2 households hold at most 6"):
        partition_graph(lattice(3, 3), spec)
    spec = PartitionSpec(k=3, bounds={"households": (4, 9)})
    with pytest.raises(InfeasibleSpecError, match="3 parts of at least 4 households need 12"):
        partition_graph(lattice(3, 3), spec)


def test_together_nodes_fixed_apart_are_a_contradiction() -> None:
    spec = PartitionSpec(
        k=2,
        bounds={"households": (2, 2)},
        fixed={(0, 0): 0, (0, 1): 1},
        together=[{(0, 0), (0, 1)}],
    )
    with pytest.raises(
        InfeasibleSpecError, match=r"must stay together but are fixed to parts \[0, 1\]"
    ):
        partition_graph(lattice(2, 2), spec)


def test_a_seed_fixed_to_another_part_is_a_contradiction() -> None:
    spec = PartitionSpec(k=2, bounds={"households": (2, 2)}, fixed={(0, 0): 1}, seeds=[(0, 0)])
    with pytest.raises(InfeasibleSpecError, match="seeds part 0 but is fixed to part 1"):
        partition_graph(lattice(2, 2), spec)


def test_every_finding_is_reported_at_once() -> None:
    graph = nx.path_graph(3)
    nx.set_node_attributes(graph, {0: 9, 1: 9, 2: 1}, "households")
    findings = diagnose_partition(graph, PartitionSpec(k=2, bounds={"households": (1, 5)}))
    assert len([f for f in findings if "alone holds 9" in f]) == 2
    assert any("2 parts of at most 5" in f for f in findings)


def test_bad_specs_are_config_errors() -> None:
    with pytest.raises(ConfigError, match="k must be a positive integer"):
        PartitionSpec(k=0)
    with pytest.raises(ConfigError, match="0 ≤ L ≤ U"):
        PartitionSpec(k=2, bounds={"households": (5, 3)})
    with pytest.raises(ConfigError, match="fixed to part 7"):
        PartitionSpec(k=2, fixed={"a": 7})
    with pytest.raises(ConfigError, match="not in the graph"):
        diagnose_partition(lattice(2, 2), PartitionSpec(k=2, seeds=["nowhere"]))


# --- status semantics -------------------------------------------------------------------


def test_an_infeasibility_only_the_solver_can_prove_raises_infeasible() -> None:
    graph = nx.star_graph(4)
    nx.set_node_attributes(graph, 1, "households")
    spec = PartitionSpec(k=2, bounds={"households": (2, 3)})  # a leaf-only part is not connected
    assert diagnose_partition(graph, spec) == []
    assert solve_partition_model(build_partition_model(graph, spec)).status == "infeasible"
    with pytest.raises(InfeasibleSpecError, match="solver proved"):
        partition_graph(graph, spec)


def test_a_time_limit_returns_the_start_plan_with_a_bound_and_gap() -> None:
    graph = lattice(8, 8)
    spec = PartitionSpec(k=4, bounds={"households": (15, 17)})
    start = partition_graph(graph, spec, heuristic_only=True)
    result = solve_partition_model(
        build_partition_model(graph, spec), time_limit=0.05, warm_start=start.assignment
    )
    assert result.status in {"feasible", "optimal"}
    assert result.objective is not None and result.objective <= start.objective
    # stopped before the root bound, HiGHS proves nothing: the bound is then unknown
    assert result.bound is None or result.bound <= result.objective
    if result.status == "feasible" and result.bound is not None:
        assert result.gap is not None and result.gap > 0


def test_the_result_says_what_it_is() -> None:
    result = partition_graph(lattice(3, 3), PartitionSpec(k=3, bounds={"households": (3, 3)}))
    assert repr(result).startswith(
        "<PartitionResult 3 parts, 9 nodes, objective 6, optimal (gap 0.0%)"
    )
    assert result.method == "exact"


def test_the_same_seed_gives_the_same_plan() -> None:
    graph = lattice(6, 6)
    spec = PartitionSpec(k=4, bounds={"households": (8, 10)})
    first = partition_graph(graph, spec, heuristic_only=True, seed=7)
    again = partition_graph(graph, spec, heuristic_only=True, seed=7)
    assert first.assignment == again.assignment
    assert (first.bound, first.gap) == (again.bound, again.gap)
    unbounded = partition_graph(graph, spec, heuristic_only=True, seed=7, lower_bound=False)
    assert unbounded.assignment == first.assignment
    assert unbounded.status == "feasible" and unbounded.bound is None and unbounded.gap is None


def test_the_model_writes_a_readable_lp_file(tmp_path) -> None:
    model = build_partition_model(lattice(2, 2), PartitionSpec(k=2, bounds={"households": (2, 2)}))
    model.write_lp(tmp_path / "partition.lp")
    text = (tmp_path / "partition.lp").read_text()
    names = (
        "assign_0",
        "hi_0_1",
        "one_root_0",
        "contig_bal_",
        "cut_0",
        "after_root_",
        "not_alone_",
    )
    for name in names:
        assert name in text


# --- audits ----------------------------------------------------------------------------


def test_audits_catch_broken_plans() -> None:
    graph = lattice(2, 2)
    good = {(0, 0): 0, (0, 1): 0, (1, 0): 1, (1, 1): 1}
    with pytest.raises(PlanCheckError, match="unassigned"):
        every_node_assigned(graph, {(0, 0): 0})
    with pytest.raises(PlanCheckError, match="not connected"):
        parts_connected(graph, {(0, 0): 0, (1, 1): 0, (0, 1): 1, (1, 0): 1})
    with pytest.raises(PlanCheckError, match="outside"):
        within_bounds(graph, {**good, (0, 1): 1}, {"households": (2, 2)})
    spec = PartitionSpec(k=2, bounds={"households": (2, 2)})
    with pytest.raises(PlanCheckError, match="claims objective 1"):
        objective_matches(graph, spec, good, 1)
    audit_plan(graph, spec, good, 2)


def test_three_or_more_parts_use_one_flow_over_uncut_edges_by_default() -> None:
    two = build_partition_model(lattice(2, 2), PartitionSpec(k=2, bounds={"households": (2, 2)}))
    three = build_partition_model(lattice(3, 3), PartitionSpec(k=3, bounds={"households": (3, 3)}))
    assert all(j >= 0 for (_, _, j) in two.flow) and len(two.flow) > 0
    assert {j for (_, _, j) in three.flow} == {-1}
    assert solve_partition_model(three).objective == 6
    with pytest.raises(ConfigError, match="contiguity must be"):
        build_partition_model(lattice(2, 2), PartitionSpec(k=2), contiguity="cuts")


def test_the_best_of_several_heuristic_runs_is_kept() -> None:
    graph = lattice(6, 6)
    spec = PartitionSpec(k=4, bounds={"households": (8, 10)})
    runs = [
        partition_graph(graph, spec, heuristic_only=True, seed=s, heuristic_runs=1).objective
        for s in (3, 4, 5)
    ]
    best = partition_graph(graph, spec, heuristic_only=True, seed=3, heuristic_runs=3)
    assert best.objective == min(runs)
    with pytest.raises(ConfigError, match="heuristic_runs must be an integer ≥ 1"):
        partition_graph(graph, spec, heuristic_runs=0)


def test_a_solver_bound_above_the_heuristic_plan_is_not_taken_as_a_proof() -> None:
    # HiGHS stopped before its root LP can report a "bound" above a plan known to be
    # feasible; the plan must then come back feasible with no bound, not optimal
    import networkx as nx

    from jinfeng_grid.partition.core import _prefer_incumbent
    from jinfeng_grid.partition.spec import PartitionResult, PartitionSpec

    graph = nx.path_graph(4)
    for v in graph:
        graph.nodes[v]["w"] = 1
    spec = PartitionSpec(k=2, bounds={"w": (2, 2)})
    no_plan = PartitionResult({}, "no_plan", None, 99.0, None, 0.1, "highs", "exact", {})
    result = _prefer_incumbent(graph, spec, no_plan, {0: 0, 1: 0, 2: 1, 3: 1}, "highs")
    assert (result.status, result.objective, result.bound) == ("feasible", 1.0, None)


def test_solves_with_different_thread_counts_in_one_process() -> None:
    # HiGHS sizes one thread scheduler per process at its first solve; a later solve
    # with another thread count used to stop at once with no plan
    graph = lattice(3, 3)
    spec = PartitionSpec(k=3, bounds={"households": (3, 3)})
    for threads in (None, 1, 2, 1):
        result = solve_partition_model(build_partition_model(graph, spec), threads=threads)
        assert (result.status, result.objective) == ("optimal", 6.0)


def test_solver_options_reach_highs_and_default_to_the_tuned_tree_search() -> None:
    graph = lattice(3, 3)
    spec = PartitionSpec(k=3, bounds={"households": (3, 3)})
    for options in (None, {}, {"mip_allow_cut_separation_at_nodes": True}):
        result = solve_partition_model(build_partition_model(graph, spec), solver_options=options)
        assert (result.status, result.objective) == ("optimal", 6.0)
    # a zero time limit set through the options stops HiGHS before it finds a plan
    stopped = solve_partition_model(
        build_partition_model(graph, spec), solver_options={"time_limit": 0.0}
    )
    assert stopped.status == "no_plan"
    assert TREE_SEARCH_OPTIONS["mip_allow_cut_separation_at_nodes"] is False


@pytest.mark.parametrize(
    ("options", "shown"),
    [({"mip_no_such_option": 1}, "mip_no_such_option=1"), ({"threads": "two"}, "threads='two'")],
)
def test_an_option_highs_rejects_is_named(options: dict[str, object], shown: str) -> None:
    spec = PartitionSpec(k=2, bounds={"households": (2, 2)})
    with pytest.raises(ConfigError, match=f"HiGHS rejected the option {shown}: check the name"):
        partition_graph(lattice(2, 2), spec, time_limit=5, solver_options=options)


def test_tuned_options_this_highs_lacks_are_left_at_its_default(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level("INFO", logger="jinfeng_grid.partition.solver"):
        kept = known_highs_options({"mip_pscost_minreliable": 4, "mip_from_the_future": True})
    assert kept == {"mip_pscost_minreliable": 4}
    assert "this HiGHS has no option mip_from_the_future=True" in caplog.text
