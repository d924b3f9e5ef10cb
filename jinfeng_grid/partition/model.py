"""The exact partition model: a labeling MIP built with PuLP, formulation in its docstring.

:func:`build_partition_model` turns a graph and a spec into a :class:`PartitionModel`,
a value holding the PuLP problem and what its variables mean; solving it is
:func:`jinfeng_grid.partition.solve_partition_model`'s job. Contiguity constraints
come from :mod:`._contiguity`; symmetry breaking and safe fixing live here.
"""

from __future__ import annotations

import heapq
import logging
import math
import os
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np
import pulp

from jinfeng_grid.errors import ConfigError
from jinfeng_grid.partition.contiguity import (
    IndexedGraph,
    add_edge_flow_contiguity,
    add_flow_contiguity,
    components_of,
    node_weights,
)

__all__ = [
    "Domains",
    "PartitionModel",
    "build_partition_model",
    "edge_coefficients",
    "part_domains",
    "symmetry_rank",
    "weight_arrays",
]

logger = logging.getLogger(__name__)


def symmetry_rank(g: IndexedGraph, weights: np.ndarray) -> np.ndarray:
    """Rank of each node for symmetry breaking: heaviest first (ties by index).

    A part's root is its lowest-ranked member. Heavy nodes first make the sets a root
    can reach within the cap small, which is what the safe fixing feeds on.
    """
    key = weights.sum(axis=1) if weights.size else np.zeros(g.n)
    order = sorted(range(g.n), key=lambda v: (-key[v], v))
    rank = np.empty(g.n, dtype=np.int64)
    rank[order] = np.arange(g.n)
    return rank


def weight_arrays(
    graph: nx.Graph, g: IndexedGraph, spec: Any
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Node weights (n × d, in the order of ``spec.bounds``) and the bounds L and U."""
    attrs = list(spec.bounds)
    wmap = node_weights(graph, attrs)
    weights = np.array([[wmap[a][v] for a in attrs] for v in g.nodes], dtype=float)
    weights = weights.reshape(g.n, len(attrs))
    low = np.array([spec.bounds[a][0] for a in attrs], dtype=float)
    high = np.array([spec.bounds[a][1] for a in attrs], dtype=float)
    return weights, low, high


def edge_coefficients(graph: nx.Graph, g: IndexedGraph, spec: Any) -> tuple[np.ndarray, float]:
    """Each edge's objective coefficient when cut, and the constant of the barrier term.

    ``c_e = cost_e − p_bar·[e is a barrier]`` and ``p_bar·|B|``: the objective's cut and
    barrier terms are ``Σ_e c_e·cut_e + p_bar·|B|`` (edge order of ``g``).
    """
    cost = g.edge_attr(graph, spec.edge_cost, 1.0).astype(float)
    if spec.barrier_attr is None or spec.barrier_penalty <= 0:
        return cost, 0.0
    barrier = g.edge_attr(graph, spec.barrier_attr, 0.0) > 0
    return cost - spec.barrier_penalty * barrier, float(spec.barrier_penalty * barrier.sum())


def _reach(
    g: IndexedGraph, root: int, allowed: np.ndarray, weights: np.ndarray, high: np.ndarray
) -> set[int]:
    """Nodes joinable to ``root`` by a path inside ``allowed`` weighing at most ``high``.

    Node-weighted Dijkstra per weight (both ends counted); a node qualifies only if,
    for every weight, its lightest path fits under the cap: a necessary condition for
    sharing a connected part with ``root``.
    """
    result: set[int] | None = None
    for d in range(weights.shape[1]):
        w = weights[:, d]
        dist = {root: w[root]}
        heap = [(w[root], root)]
        while heap:
            du, u = heapq.heappop(heap)
            if du > dist.get(u, math.inf):
                continue
            for t in g.adj[u]:
                if not allowed[t]:
                    continue
                nd = du + w[t]
                if nd <= high[d] + 1e-9 and nd < dist.get(t, math.inf):
                    dist[t] = nd
                    heapq.heappush(heap, (nd, t))
        found = set(dist) if w[root] <= high[d] + 1e-9 else set()
        result = found if result is None else result & found
    if result is None:  # no weights: everything connected to root within allowed
        result = set(components_of(g.adj, [int(v) for v in np.flatnonzero(allowed)])[0])
        for comp in components_of(g.adj, [int(v) for v in np.flatnonzero(allowed)]):
            if root in comp:
                result = set(comp)
    return result


def _conflicts(g: IndexedGraph, weights: np.ndarray, high: np.ndarray) -> np.ndarray:
    """Pairs of nodes that cannot share a connected part: every path between them is too heavy."""
    out = np.zeros((g.n, g.n), dtype=bool)
    everywhere = np.ones(g.n, dtype=bool)
    for u in range(g.n):
        reach = _reach(g, u, everywhere, weights, high)
        row = np.ones(g.n, dtype=bool)
        row[sorted(reach)] = False
        out[u] = row
    return out & out.T


def _clique_cover(conflict: np.ndarray, rank: np.ndarray) -> list[list[int]]:
    """Greedy cliques of the conflict graph, one grown from each node (heaviest first)."""
    seen: set[tuple[int, ...]] = set()
    out: list[list[int]] = []
    order = sorted(range(len(rank)), key=lambda v: rank[v])
    for v in order:
        clique = [v]
        for u in order:
            if u != v and all(conflict[u, c] for c in clique):
                clique.append(u)
        key = tuple(sorted(clique))
        if len(clique) > 1 and key not in seen:
            seen.add(key)
            out.append(sorted(clique))
    return out


@dataclass(frozen=True)
class Domains:
    """Which parts each node may join and root after symmetry breaking and safe fixing.

    ``allowed[v]``: parts node v may belong to; ``roots[v]``: parts v may be the root
    of; ``can_join[v][j]``: candidate roots of part j that can reach v (filled only
    when the labels are interchangeable and symmetry is broken).
    """

    allowed: dict[int, list[int]]
    roots: dict[int, list[int]]
    can_join: dict[int, dict[int, list[int]]]


def part_domains(
    g: IndexedGraph,
    spec: Any,
    weights: np.ndarray,
    low: np.ndarray,
    high: np.ndarray,
    rank: np.ndarray,
    *,
    symmetric: bool,
    fixing: bool = True,
) -> Domains:
    """The parts each node may join: the safe fixing of :func:`build_partition_model`."""
    k_min, k_max = spec.k_range
    parts = range(k_max)
    attrs = weights.shape[1]
    allowed_parts: dict[int, list[int]] = {v: list(parts) for v in range(g.n)}
    root_parts: dict[int, list[int]] = {v: list(parts) for v in range(g.n)}
    reach_of: dict[int, set[int]] = {}
    can_join: dict[int, dict[int, list[int]]] = {v: {} for v in range(g.n)}
    fixed = {g.index[v]: p for v, p in spec.fixed.items()}
    seeds = {g.index[s]: i for i, s in enumerate(spec.seeds)}
    for v, p in {**fixed, **seeds}.items():
        allowed_parts[v] = [p]
    for v in range(g.n):
        root_parts[v] = [j for j in root_parts[v] if j not in seeds.values() or seeds.get(v) == j]
        root_parts[v] = [j for j in root_parts[v] if j in allowed_parts[v]]
    if symmetric:
        total = weights.sum(axis=0)
        order = np.argsort(rank)
        before = np.zeros((g.n, attrs))
        running = np.zeros(attrs)
        for v in order:
            before[v] = running
            running = running + weights[v]
        for u in range(g.n):
            allowed = rank >= rank[u]
            reach = (
                _reach(g, u, allowed, weights, high)
                if fixing
                else set(np.flatnonzero(allowed).tolist())
            )
            reach_of[u] = reach
            cand = [j for j in root_parts[u] if j <= rank[u]]
            if fixing:
                reach_w = weights[sorted(reach)].sum(axis=0) if reach else np.zeros(attrs)
                if np.any(reach_w < low - 1e-9):
                    cand = []
                after_w = total - before[u]
                cand = [
                    j
                    for j in cand
                    if np.all(after_w >= (k_min - j) * low - 1e-9)
                    and np.all(before[u] <= j * high + 1e-9)
                ]
            root_parts[u] = cand
        for u in range(g.n):
            for j in root_parts[u]:
                for v in reach_of[u]:
                    can_join[v].setdefault(j, []).append(u)
        for v in range(g.n):
            allowed_parts[v] = [j for j in allowed_parts[v] if j in can_join[v] and j <= rank[v]]

    return Domains(allowed_parts, root_parts, can_join)


@dataclass(frozen=True, eq=False)
class PartitionModel:
    """A built, unsolved partition MIP: the PuLP problem and what its variables mean.

    ``x[v, j]`` (v a node index of ``indexed``) is 1 when node v is in part j; pairs
    proven impossible have no variable. ``r[v, j]`` marks the root of part j,
    ``z[j]`` whether part j is used (only when k is a range), ``cut[e]`` whether edge e
    (edge order of ``indexed``) is cut, ``cut_part[e, j]`` whether it crosses the
    boundary of part j, ``flow[u, v, j]`` the contiguity flow.
    """

    problem: pulp.LpProblem
    graph: nx.Graph
    spec: Any
    indexed: IndexedGraph
    x: dict[tuple[int, int], Any]
    r: dict[tuple[int, int], Any]
    z: dict[int, Any]
    cut: dict[int, Any]
    cut_part: dict[tuple[int, int], Any]
    flow: dict[tuple[int, int, int], Any]
    rank: np.ndarray
    symmetric: bool
    integral_objective: bool

    def write_lp(self, path: str | os.PathLike[str]) -> None:
        """Write the model as a CPLEX-LP file with the constraint names of the docstring."""
        self.problem.writeLP(os.fspath(path))

    @property
    def parts(self) -> range:
        return range(self.spec.k_range[1])

    def read_assignment(self) -> dict[Hashable, int]:
        """Node → part from the solved variable values."""
        out: dict[Hashable, int] = {}
        for v in range(self.indexed.n):
            best = max(
                (j for j in self.parts if (v, j) in self.x),
                key=lambda j: self.x[v, j].varValue or 0.0,
            )
            out[self.indexed.nodes[v]] = best
        return out

    def start_values(self, assignment: Mapping[Hashable, int]) -> dict[Any, float]:
        """Values of every variable for a feasible plan (relabelled as the model needs)."""
        g = self.indexed
        labels = np.array([assignment[v] for v in g.nodes], dtype=np.int64)
        if self.symmetric:
            first = {}
            for v in sorted(range(g.n), key=lambda v: self.rank[v]):
                first.setdefault(int(labels[v]), v)
            relabel = {p: i for i, p in enumerate(sorted(first, key=lambda p: self.rank[first[p]]))}
            labels = np.array([relabel[int(p)] for p in labels], dtype=np.int64)
        values: dict[Any, float] = {}
        members: dict[int, list[int]] = {}
        for v in range(g.n):
            members.setdefault(int(labels[v]), []).append(v)
            if (v, int(labels[v])) not in self.x:
                return {}  # the plan contradicts the model's fixing: no warm start
            values[self.x[v, int(labels[v])]] = 1.0
        for j, var in self.z.items():
            values[var] = 1.0 if j in members else 0.0
        seeds = {i: g.index[s] for i, s in enumerate(self.spec.seeds)}
        for j, mem in members.items():
            root = seeds.get(j, min(mem, key=lambda v: self.rank[v]))
            if (root, j) not in self.r:
                return {}
            values[self.r[root, j]] = 1.0
            inside = set(mem)
            parent: dict[int, int] = {root: -1}
            order = [root]
            for u in order:
                for t in g.adj[u]:
                    if t in inside and t not in parent:
                        parent[t] = u
                        order.append(t)
            size = dict.fromkeys(order, 1)
            for u in reversed(order[1:]):
                size[parent[u]] += size[u]
                for arc in ((parent[u], u, j), (parent[u], u, -1)):
                    if arc in self.flow:
                        values[self.flow[arc]] = float(size[u])
        for e, (a, b) in enumerate(zip(g.eu, g.ev, strict=True)):
            la, lb = int(labels[a]), int(labels[b])
            if la != lb:
                values[self.cut[e]] = 1.0
                for j in (la, lb):
                    if (e, j) in self.cut_part:
                        values[self.cut_part[e, j]] = 1.0
        return values


def build_partition_model(
    graph: nx.Graph,
    spec: Any,
    *,
    symmetry: bool = True,
    fixing: bool = True,
    contiguity: str | None = None,
    neighbours: bool = True,
) -> PartitionModel:
    r"""Build the labeling MIP with flow contiguity for ``spec`` on ``graph``.

    Sets: nodes V (sorted), edges E, parts J = {0..K−1} with K the most parts allowed,
    weights d with node weights w_d(v) and bounds [L_d, U_d].

    Variables: x[v,j] ∈ {0,1} (v in part j); r[v,j] ∈ {0,1} (v is the root of part j);
    z[j] ∈ {0,1} (part j used; only when k is a range, else z ≡ 1); cut[e] ∈ [0,1];
    cut_part[e,j] ∈ [0,1]; flow f[u,v,j] ≥ 0 on both arcs of each edge.

    Objective (minimise)::

        Σ_e c_e·cut[e]  +  p_bar·Σ_{e barrier} (1 − cut[e])
                        +  p_move·Σ_{v current} m_v·(1 − x[v, cur(v)])

    Constraints (names as in the ``.lp`` file):

    - ``assign_v``: Σ_j x[v,j] = 1
    - ``lo_d_j``, ``hi_d_j``: L_d·z[j] ≤ Σ_v w_d(v)·x[v,j] ≤ U_d·z[j]
    - ``cutp_a_e_j``, ``cutp_b_e_j``: cut_part[e,j] ≥ ±(x[u,j] − x[v,j]) for e = uv
    - ``cut_e``: cut[e] = ½·Σ_j cut_part[e,j] (per-part differences: a stronger LP
      bound than cut[e] ≥ |x[u,j] − x[v,j]|); where the objective rewards cutting
      (barrier penalty above the edge cost) also ``cutu_*``: cut_part[e,j] ≤ x[u,j] +
      x[v,j] and cut_part[e,j] ≤ 2 − x[u,j] − x[v,j]
    - ``one_root_j``: Σ_v r[v,j] = z[j]; ``root_in_v_j``: r[v,j] ≤ x[v,j]
    - ``contig_bal_v_j``, ``contig_cap_u_v_j``, ``contig_src_u_v_j``: single-commodity
      flow from the root of each part to its other members (see
      :func:`add_flow_contiguity`)
    - ``used_j``: z[j] ≥ z[j+1] and ``member_used_v_j``: x[v,j] ≤ z[j] (range of k)
    - ``together_g_v_j``: x[v,j] = x[first(g),j]; fixed nodes and seeds: only the
      variable x[v,p] of their part exists, seeds root their part (r = 1)
    - ``exclude_i``: Σ_{e ∈ C(P_i)} (1 − cut[e]) + Σ_{e ∉ C(P_i)} cut[e] ≥ m for each
      excluded plan P_i with cut edges C(P_i) and m = ``spec.min_difference``: at
      least m edges change their cut status (label-free). Edges outside some C(P_i)
      also get ``cutu_*`` (below) so that cut[e] equals the true cut status at
      integer x and cannot be raised to satisfy the no-good without cutting

    Symmetry (labels interchangeable: no fixed, seeds or current plan): nodes get a
    rank (heaviest first); the root of a part is its lowest-ranked member and roots
    increase with the part index — an orbitope-like ordering with one labeling per
    partition:

    - ``after_root_v_j``: x[v,j] ≤ Σ_{u ∈ R(v)} r[u,j], R(v) = candidate roots u with
      rank(u) ≤ rank(v) that can reach v (below)
    - ``root_order_v_j``: r[v,j] ≤ Σ_{rank(u) < rank(v)} r[u,j−1]

    Safe fixing (only with symmetry): a root u of part j keeps its part among nodes
    ranked at or after u, so v can join u only if a path from u to v through such
    nodes weighs at most U_d for every d (node-weighted shortest paths); u cannot be a
    root if what it can reach weighs less than L_d, if the nodes ranked after it weigh
    less than (k_min − j)·L_d, or those ranked before it more than j·U_d; and
    r[u,j] = x[u,j] = 0 for j > rank(u). Variables fixed to zero are not created.

    Company (``neighbours``): a node lighter than some L_d cannot be a part alone, so
    ``not_alone_v_j``: x[v,j] ≤ Σ_{u ∈ N(v)} x[u,j] (shortened WV county from 46 s to
    35 s in one measured run).

    Conflicts (with ``fixing``, any labels): u and v conflict when every path joining
    them weighs more than U_d for some d; then ``apart_c_j``: Σ_{v∈C} x[v,j] ≤ z[j]
    for greedy cliques C of the conflict graph, and cut[e] = 1 for conflicting ends.

    ``contiguity`` chooses the connectivity constraints: ``"flow"`` (per part, above),
    ``"edgeflow"`` (one flow over uncut edges, :func:`add_edge_flow_contiguity`) or
    ``"none"`` (a relaxation: parts may come out disconnected; for experiments). The
    default (None) is ``"edgeflow"`` from three parts up and ``"flow"`` below. Measured
    with HiGHS, one thread, the optimum as warm start, in CPU seconds on a loaded
    machine: OK county (k = 5) after 79 s had bound 31 with ``"flow"`` and 38 with
    ``"edgeflow"`` (3× the nodes per second: a third of the variables); NE county
    (k = 3) needed 68k simplex iterations instead of 101k, WV county (k = 3) the same
    number; on ME tract (k = 2) ``"edgeflow"`` stalled at bound 10 where ``"flow"``
    proved the optimum.
    """
    if contiguity is None:
        contiguity = "edgeflow" if spec.k_range[1] >= 3 else "flow"
    if contiguity not in ("flow", "edgeflow", "none"):
        raise ConfigError(f"contiguity must be 'flow', 'edgeflow' or 'none', got {contiguity!r}")
    g = IndexedGraph.from_graph(graph)
    attrs = list(spec.bounds)
    weights, low, high = weight_arrays(graph, g, spec)
    k_min, k_max = spec.k_range
    parts = range(k_max)
    symmetric = symmetry and spec.labels_interchangeable
    rank = symmetry_rank(g, weights)
    prob = pulp.LpProblem("partition", pulp.LpMinimize)

    domains = part_domains(g, spec, weights, low, high, rank, symmetric=symmetric, fixing=fixing)
    allowed_parts, root_parts, can_join = domains.allowed, domains.roots, domains.can_join
    seeds = {g.index[s]: i for i, s in enumerate(spec.seeds)}
    x = {
        (v, j): prob.add_variable(f"x_{v}_{j}", 0, 1, pulp.LpBinary)
        for v in range(g.n)
        for j in allowed_parts[v]
    }
    r = {
        (v, j): prob.add_variable(f"r_{v}_{j}", 0, 1, pulp.LpBinary)
        for v in range(g.n)
        for j in root_parts[v]
        if (v, j) in x
    }
    z = {j: prob.add_variable(f"z_{j}", 0, 1, pulp.LpBinary) for j in parts if j >= k_min}

    def used(j: int) -> Any:
        return z.get(j, 1)

    for v in range(g.n):
        prob += pulp.lpSum(x[v, j] for j in allowed_parts[v]) == 1, f"assign_{v}"
    for d in range(len(attrs)):
        for j in parts:
            load = pulp.lpSum(weights[v, d] * x[v, j] for v in range(g.n) if (v, j) in x)
            prob += load >= low[d] * used(j), f"lo_{d}_{j}"
            prob += load <= high[d] * used(j), f"hi_{d}_{j}"
    for j in parts:
        prob += pulp.lpSum(r[v, j] for v in range(g.n) if (v, j) in r) == used(j), f"one_root_{j}"
        for v in range(g.n):
            if (v, j) in r:
                prob += r[v, j] <= x[v, j], f"root_in_{v}_{j}"
        if j in z:
            if j + 1 in z:
                prob += z[j] >= z[j + 1], f"used_{j}"
            for v in range(g.n):
                if (v, j) in x:
                    prob += x[v, j] <= z[j], f"member_used_{v}_{j}"
    for s, i in seeds.items():
        r[s, i].lowBound = 1
    for gi, group in enumerate(spec.together):
        members = sorted(g.index[v] for v in group)
        for v in members[1:]:
            for j in parts:
                a, b = x.get((members[0], j), 0), x.get((v, j), 0)
                if isinstance(a, int) and isinstance(b, int):
                    continue
                prob += a == b, f"together_{gi}_{v}_{j}"
    if symmetric:
        for v in range(g.n):
            for j in allowed_parts[v]:
                roots = [u for u in can_join[v][j] if (u, j) in r]
                prob += x[v, j] <= pulp.lpSum(r[u, j] for u in roots), f"after_root_{v}_{j}"
                if (v, j) in r and j > 0:
                    earlier = [u for u in range(g.n) if rank[u] < rank[v] and (u, j - 1) in r]
                    prob += (
                        r[v, j] <= pulp.lpSum(r[u, j - 1] for u in earlier),
                        f"root_order_{v}_{j}",
                    )

    edge_coef, constant = edge_coefficients(graph, g, spec)
    if neighbours:
        lonely = [v for v in range(g.n) if np.any(weights[v] < low - 1e-9)]
        for v in lonely:
            for j in allowed_parts[v]:
                near = [x[u, j] for u in g.adj[v] if (u, j) in x]
                prob += x[v, j] <= pulp.lpSum(near), f"not_alone_{v}_{j}"
    conflict = _conflicts(g, weights, high) if fixing else np.zeros((g.n, g.n), dtype=bool)
    for ci, clique in enumerate(_clique_cover(conflict, rank)):
        for j in parts:
            members = [x[v, j] for v in clique if (v, j) in x]
            if len(members) > 1:
                prob += pulp.lpSum(members) <= used(j), f"apart_{ci}_{j}"
    objective: list[Any] = []
    cut: dict[int, Any] = {}
    cut_part: dict[tuple[int, int], Any] = {}
    excluded_cuts = [
        np.array([plan[g.nodes[a]] != plan[g.nodes[b]] for a, b in zip(g.eu, g.ev, strict=True)])
        for plan in spec.exclude
    ]
    # an exclusion rewards cutting edges the excluded plan keeps: those need cut exact
    rewarded = np.zeros(len(g.eu), dtype=bool)
    for cuts in excluded_cuts:
        rewarded |= ~cuts
    for e, (a, b) in enumerate(zip(g.eu.tolist(), g.ev.tolist(), strict=True)):
        cut[e] = prob.add_variable(f"cut_{e}", 1 if conflict[a, b] else 0, 1)
        coef = float(edge_coef[e])
        terms = []
        for j in parts:
            xa, xb = x.get((a, j), 0), x.get((b, j), 0)
            if isinstance(xa, int) and isinstance(xb, int):
                continue
            cut_part[e, j] = var = prob.add_variable(f"cutp_{e}_{j}", 0, 1)
            prob += var >= xa - xb, f"cutp_a_{e}_{j}"
            prob += var >= xb - xa, f"cutp_b_{e}_{j}"
            if coef < 0 or rewarded[e]:
                prob += var <= xa + xb, f"cutu_a_{e}_{j}"
                prob += var <= 2 - xa - xb, f"cutu_b_{e}_{j}"
            terms.append(var)
        prob += 2 * cut[e] == pulp.lpSum(terms), f"cut_{e}"
        if coef:
            objective.append(coef * cut[e])
    for i, cuts in enumerate(excluded_cuts):
        changed = [1 - cut[e] if cuts[e] else cut[e] for e in range(len(g.eu))]
        prob += pulp.lpSum(changed) >= spec.min_difference, f"exclude_{i}"
    if spec.current is not None and spec.move_penalty > 0:
        index_of = spec.current_part_index
        for node, old in spec.current.items():
            v = g.index[node]
            m = (
                1.0
                if spec.move_weight is None
                else float(graph.nodes[node].get(spec.move_weight, 0) or 0)
            )
            pen = spec.move_penalty * m
            constant += pen
            if (v, index_of[old]) in x:
                objective.append(-pen * x[v, index_of[old]])
    prob += pulp.lpSum(objective) + constant, "objective"

    capacity = {}
    for j in parts:
        cap = g.n - max(0, k_min - 1)
        for d in range(len(attrs)):
            sorted_w = np.sort(weights[:, d])
            cap = min(cap, int(np.searchsorted(np.cumsum(sorted_w), high[d] + 1e-9, "right")))
        capacity[j] = max(cap, 1)
    if contiguity == "flow":
        flow = add_flow_contiguity(prob, g, x, r, list(parts), capacity)
    elif contiguity == "edgeflow":
        flow = add_edge_flow_contiguity(prob, g, r, cut, max(capacity.values()))
    else:
        flow = {}
    logger.info(
        "model: %d nodes, %d edges, %d parts, %d variables, %d constraints, symmetric=%s",
        g.n,
        len(g.eu),
        k_max,
        len(prob.variables()),
        prob.numConstraints(),
        symmetric,
    )
    coefs = [c for c in prob.objective.values()] + [prob.objective.constant]
    integral = all(float(c).is_integer() for c in coefs)
    return PartitionModel(
        prob, graph, spec, g, x, r, z, cut, cut_part, flow, rank, symmetric, integral
    )
