"""Checks before and after solving: diagnoses of impossible specs, audits of plans.

The audits do not trust the solver or the heuristic: they read the graph and the spec
again with networkx and recompute everything a plan claims.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping
from typing import TYPE_CHECKING

import networkx as nx

from jinfeng_grid.errors import PlanCheckError

if TYPE_CHECKING:
    from jinfeng_grid.partition.spec import PartitionSpec

__all__ = [
    "constraints_kept",
    "cut_edge_difference",
    "diagnose",
    "every_node_assigned",
    "excluded_plans_avoided",
    "label",
    "objective_matches",
    "parts_connected",
    "plan_objective",
    "within_bounds",
]

_TOL = 1e-6


def label(graph: nx.Graph, node: Hashable) -> str:
    """How a node is named in messages: its ``name`` attribute with the id, else the id."""
    name = graph.nodes[node].get("name") if node in graph else None
    return f"{name} ({node})" if name not in (None, "") else str(node)


def _names(graph: nx.Graph, nodes: list[Hashable], most: int = 5) -> str:
    shown = ", ".join(label(graph, v) for v in nodes[:most])
    return shown + (f" and {len(nodes) - most} more" if len(nodes) > most else "")


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def diagnose(graph: nx.Graph, spec: PartitionSpec) -> list[str]:
    """Every reason, found by arithmetic and components, why no plan can meet ``spec``."""
    findings: list[str] = []
    k_min, k_max = spec.k_range
    nodes = list(graph.nodes)
    for attr, (low, high) in spec.bounds.items():
        heavy = [v for v in nodes if graph.nodes[v].get(attr, 0) > high + _TOL]
        for v in heavy:
            findings.append(
                f"node {label(graph, v)} alone holds {_fmt(graph.nodes[v][attr])} {attr} "
                f"but a part may hold at most {_fmt(high)}: raise the cap or make it its own unit"
            )
        total = sum(graph.nodes[v].get(attr, 0) for v in nodes)
        if k_max * high < total - _TOL:
            findings.append(
                f"{k_max} parts of at most {_fmt(high)} {attr} hold at most "
                f"{_fmt(k_max * high)}, less than the total {_fmt(total)}: "
                "allow more parts or raise the cap"
            )
        if k_min * low > total + _TOL:
            findings.append(
                f"{k_min} parts of at least {_fmt(low)} {attr} need {_fmt(k_min * low)}, "
                f"more than the total {_fmt(total)}: allow fewer parts or lower the floor"
            )
    components = [sorted(c, key=str) for c in nx.connected_components(graph)]
    fewest, most = 0, 0
    for comp in sorted(components, key=lambda c: str(c[0])):
        counts = [c for c in range(1, k_max + 1) if _count_fits(graph, comp, c, spec)]
        if not counts:
            weights = ", ".join(
                f"{_fmt(sum(graph.nodes[v].get(a, 0) for v in comp))} {a}" for a in spec.bounds
            )
            findings.append(
                f"the connected piece of {len(comp)} nodes ({_names(graph, comp)}) holds "
                f"{weights}, which fits no count of parts from 1 to {k_max} within the "
                "bounds: join it to its neighbours in the data or change the bounds"
            )
        else:
            fewest += counts[0]
            most += counts[-1]
    if len(components) > k_max:
        findings.append(
            f"the graph has {len(components)} separate pieces but at most {k_max} parts are "
            "allowed and a part must be connected: allow more parts or connect the pieces"
        )
    elif fewest > k_max or (most < k_min and len(components) > 0 and not findings):
        findings.append(
            f"the {len(components)} separate pieces need between {fewest} and {most} parts "
            f"in all, but {k_min}..{k_max} are asked for"
        )
    findings += _constraint_contradictions(graph, spec)
    edges = sum(1 for a, b in graph.edges if a != b)
    if spec.exclude and spec.min_difference > edges:
        findings.append(
            f"a plan must differ from each excluded plan in at least {spec.min_difference} "
            f"cut edges but the graph has only {edges} edges: lower min_difference"
        )
    return findings


def _count_fits(graph: nx.Graph, comp: list[Hashable], count: int, spec: PartitionSpec) -> bool:
    if count > len(comp):
        return False
    for attr, (low, high) in spec.bounds.items():
        weight = sum(graph.nodes[v].get(attr, 0) for v in comp)
        if not (count * low - _TOL <= weight <= count * high + _TOL):
            return False
    return True


def _constraint_contradictions(graph: nx.Graph, spec: PartitionSpec) -> list[str]:
    findings: list[str] = []
    fixed = dict(spec.fixed)
    for i, seed in enumerate(spec.seeds):
        if seed in fixed and fixed[seed] != i:
            findings.append(
                f"node {label(graph, seed)} seeds part {i} but is fixed to part {fixed[seed]}"
            )
        fixed.setdefault(seed, i)
    for group in spec.together:
        parts = sorted({fixed[v] for v in group if v in fixed})
        members = sorted(group, key=str)
        if len(parts) > 1:
            findings.append(
                f"nodes {_names(graph, members)} must stay together but are fixed to parts {parts}"
            )
        for attr, (_, high) in spec.bounds.items():
            weight = sum(graph.nodes[v].get(attr, 0) for v in group)
            if weight > high + _TOL:
                findings.append(
                    f"nodes {_names(graph, members)} must stay together but hold "
                    f"{_fmt(weight)} {attr}, more than the cap {_fmt(high)}"
                )
    for part in sorted(set(fixed.values())):
        members = [v for v, p in fixed.items() if p == part]
        for attr, (_, high) in spec.bounds.items():
            weight = sum(graph.nodes[v].get(attr, 0) for v in members)
            if weight > high + _TOL:
                findings.append(
                    f"nodes fixed to part {part} ({_names(graph, members)}) hold "
                    f"{_fmt(weight)} {attr}, more than the cap {_fmt(high)}"
                )
        comps = {frozenset(c) for c in nx.connected_components(graph)}
        homes = {next(c for c in comps if v in c) for v in members}
        if len(homes) > 1:
            findings.append(
                f"nodes fixed to part {part} ({_names(graph, members)}) lie in separate "
                "pieces of the graph, so that part cannot be connected"
            )
    return findings


def plan_objective(
    graph: nx.Graph, spec: PartitionSpec, assignment: Mapping[Hashable, int]
) -> float:
    """The objective of a plan, recomputed from the graph: cut cost + penalties."""
    total = 0.0
    for a, b, data in graph.edges(data=True):
        if a == b:
            continue
        cut = assignment[a] != assignment[b]
        if cut:
            value = 1.0 if spec.edge_cost is None else data.get(spec.edge_cost, 1.0)
            total += float(1.0 if value is None else value)
        elif spec.barrier_attr is not None and data.get(spec.barrier_attr, False):
            total += spec.barrier_penalty
    if spec.current is not None and spec.move_penalty > 0:
        labels = spec.current_part_index
        for v, old in spec.current.items():
            if assignment.get(v) != labels[old]:
                weight = (
                    1.0 if spec.move_weight is None else graph.nodes[v].get(spec.move_weight, 0)
                )
                total += spec.move_penalty * float(weight)
    return total


def every_node_assigned(graph: nx.Graph, assignment: Mapping[Hashable, int]) -> None:
    """Raise PlanCheckError unless each node of the graph has exactly one part."""
    missing = [v for v in graph.nodes if v not in assignment]
    extra = [v for v in assignment if v not in graph]
    if missing or extra:
        raise PlanCheckError(
            f"plan leaves {len(missing)} nodes unassigned ({missing[:5]}) and assigns "
            f"{len(extra)} unknown nodes ({extra[:5]})"
        )


def parts_connected(graph: nx.Graph, assignment: Mapping[Hashable, int]) -> None:
    """Raise PlanCheckError if some part does not induce a connected subgraph."""
    parts: dict[int, list[Hashable]] = {}
    for v, p in assignment.items():
        parts.setdefault(p, []).append(v)
    for p, members in sorted(parts.items()):
        if not nx.is_connected(graph.subgraph(members)):
            raise PlanCheckError(f"part {p} with {len(members)} nodes is not connected")


def within_bounds(
    graph: nx.Graph,
    assignment: Mapping[Hashable, int],
    bounds: Mapping[str, tuple[float, float]],
    k_range: tuple[int, int] | None = None,
) -> None:
    """Raise PlanCheckError if a part's weight leaves its bounds or the count of parts does."""
    parts = sorted(set(assignment.values()))
    if k_range is not None and not (k_range[0] <= len(parts) <= k_range[1]):
        raise PlanCheckError(f"plan has {len(parts)} parts, outside {k_range[0]}..{k_range[1]}")
    for attr, (low, high) in bounds.items():
        for p in parts:
            weight = sum(graph.nodes[v].get(attr, 0) for v, q in assignment.items() if q == p)
            if not (low - _TOL <= weight <= high + _TOL):
                raise PlanCheckError(
                    f"part {p} holds {_fmt(weight)} {attr}, outside [{_fmt(low)}, {_fmt(high)}]"
                )


def objective_matches(
    graph: nx.Graph, spec: PartitionSpec, assignment: Mapping[Hashable, int], objective: float
) -> None:
    """Raise PlanCheckError unless ``objective`` equals the recomputed objective."""
    actual = plan_objective(graph, spec, assignment)
    if not math.isclose(actual, objective, rel_tol=1e-6, abs_tol=1e-5):
        raise PlanCheckError(f"plan claims objective {objective} but recomputing gives {actual}")


def constraints_kept(
    graph: nx.Graph, spec: PartitionSpec, assignment: Mapping[Hashable, int]
) -> None:
    """Raise PlanCheckError if a fixed node, a seed, a together group or an exclusion fails."""
    for v, part in spec.fixed.items():
        if assignment[v] != part:
            raise PlanCheckError(
                f"node {label(graph, v)} is fixed to part {part} but in {assignment[v]}"
            )
    for i, seed in enumerate(spec.seeds):
        if assignment[seed] != i:
            raise PlanCheckError(f"seed {label(graph, seed)} of part {i} is in {assignment[seed]}")
    for group in spec.together:
        parts = {assignment[v] for v in group}
        if len(parts) > 1:
            raise PlanCheckError(
                f"nodes that must stay together are split over parts {sorted(parts)}"
            )
    excluded_plans_avoided(graph, spec, assignment)


def cut_edge_difference(
    graph: nx.Graph, plan: Mapping[Hashable, Hashable], other: Mapping[Hashable, Hashable]
) -> int:
    """How many edges one plan cuts and the other does not (either way round).

    Plans are compared by the edges they cut, so relabelling parts changes nothing:
    this is the Hamming distance of the two cut-edge vectors, the quantity the
    ``exclude`` no-good of a :class:`~jinfeng_grid.partition.PartitionSpec` bounds.
    Self-loops are ignored; both plans must assign every end of every edge.
    """
    return sum(
        1 for a, b in graph.edges if a != b and (plan[a] != plan[b]) != (other[a] != other[b])
    )


def excluded_plans_avoided(
    graph: nx.Graph, spec: PartitionSpec, assignment: Mapping[Hashable, int]
) -> None:
    """Raise PlanCheckError if the plan is too close to a plan the spec excludes."""
    for i, excluded in enumerate(spec.exclude):
        difference = cut_edge_difference(graph, assignment, excluded)
        if difference < spec.min_difference:
            raise PlanCheckError(
                f"the plan differs from excluded plan {i} in {difference} cut edges, fewer "
                f"than min_difference = {spec.min_difference}"
            )
