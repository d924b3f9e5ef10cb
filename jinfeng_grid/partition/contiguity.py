"""Connected parts: indexed graphs, connectivity checks and contiguity constraints.

The partition core works on node indices ``0..n-1`` in a sorted node order, so that
every plan is reproducible. This module holds that indexed view of a graph, the
connectivity checks used by the heuristic and the constraints that make the parts of
the exact model connected. The model itself is built in :mod:`._model`.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np
import pulp

__all__ = [
    "IndexedGraph",
    "add_edge_flow_contiguity",
    "add_flow_contiguity",
    "components_of",
    "is_connected_subset",
    "node_weights",
    "sorted_nodes",
]


def sorted_nodes(nodes: Iterable[Hashable]) -> list[Hashable]:
    """Nodes in a deterministic order (natural order, else by type name and text)."""
    items = list(nodes)
    try:
        return sorted(items)  # type: ignore[type-var]
    except TypeError:
        return sorted(items, key=lambda v: (type(v).__name__, str(v)))


@dataclass(frozen=True, eq=False)
class IndexedGraph:
    """A graph as arrays over node indices in :func:`sorted_nodes` order.

    Attributes
    ----------
    nodes
        Node ids; position is the index.
    index
        Node id → index.
    adj
        Neighbour indices of each node, sorted.
    eu, ev
        End indices of each edge (``eu < ev``), edges sorted.
    """

    nodes: tuple[Hashable, ...]
    index: dict[Hashable, int]
    adj: tuple[tuple[int, ...], ...]
    eu: np.ndarray
    ev: np.ndarray

    @classmethod
    def from_graph(cls, graph: nx.Graph) -> IndexedGraph:
        nodes = tuple(sorted_nodes(graph.nodes))
        index = {v: i for i, v in enumerate(nodes)}
        pairs = sorted(
            {(min(index[a], index[b]), max(index[a], index[b])) for a, b in graph.edges if a != b}
        )
        adj: list[list[int]] = [[] for _ in nodes]
        for a, b in pairs:
            adj[a].append(b)
            adj[b].append(a)
        eu = np.array([a for a, _ in pairs], dtype=np.int64)
        ev = np.array([b for _, b in pairs], dtype=np.int64)
        return cls(nodes, index, tuple(tuple(sorted(a)) for a in adj), eu, ev)

    @property
    def n(self) -> int:
        return len(self.nodes)

    def edge_attr(self, graph: nx.Graph, attr: str | None, default: Any = 1.0) -> np.ndarray:
        """Values of an edge attribute in edge order (``default`` where absent or None)."""
        if attr is None:
            return np.full(len(self.eu), float(default))
        out = np.empty(len(self.eu))
        for i, (a, b) in enumerate(zip(self.eu, self.ev, strict=True)):
            value = graph.edges[self.nodes[a], self.nodes[b]].get(attr, default)
            out[i] = float(default if value is None else value)
        return out


def is_connected_subset(adj: Sequence[Sequence[int]], members: Sequence[int]) -> bool:
    """Whether the nodes ``members`` induce a connected subgraph (empty counts as not)."""
    if not members:
        return False
    inside = set(members)
    start = members[0]
    seen = {start}
    queue = deque([start])
    while queue:
        v = queue.popleft()
        for u in adj[v]:
            if u in inside and u not in seen:
                seen.add(u)
                queue.append(u)
    return len(seen) == len(inside)


def components_of(adj: Sequence[Sequence[int]], members: Iterable[int]) -> list[list[int]]:
    """Connected components of the subgraph induced by ``members`` (each sorted)."""
    inside = set(members)
    seen: set[int] = set()
    out: list[list[int]] = []
    for s in sorted(inside):
        if s in seen:
            continue
        comp = [s]
        seen.add(s)
        queue = deque([s])
        while queue:
            v = queue.popleft()
            for u in adj[v]:
                if u in inside and u not in seen:
                    seen.add(u)
                    comp.append(u)
                    queue.append(u)
        out.append(sorted(comp))
    return out


def add_flow_contiguity(
    prob: pulp.LpProblem,
    g: IndexedGraph,
    x: dict[tuple[int, int], Any],
    r: dict[tuple[int, int], Any],
    parts: Sequence[int],
    capacity: dict[int, float],
) -> dict[tuple[int, int, int], Any]:
    """Single-commodity flow per part: the root sends one unit to every other member.

    For each part j and arc (u, v) a flow ``f[u,v,j] ≥ 0`` with::

        contig_bal[v,j]:  Σ_u f[u,v,j] − Σ_u f[v,u,j] ≥ x[v,j] − M_j·r[v,j]
        contig_cap[u,v,j]: f[u,v,j] ≤ (M_j − 1)·x[v,j]
        contig_src[u,v,j]: f[u,v,j] ≤ (M_j − 1)·x[u,j]

    where ``M_j = capacity[j]`` bounds the number of nodes of part j. Every member that
    is not the root receives a net unit through arcs inside the part, so each part is
    connected to its root. Returns the flow variables.
    """
    f: dict[tuple[int, int, int], Any] = {}
    arcs = [(int(a), int(b)) for a, b in zip(g.eu, g.ev, strict=True)]
    arcs += [(b, a) for a, b in arcs]
    for j in parts:
        cap = capacity[j]
        for a, b in arcs:
            if (a, j) in x and (b, j) in x:
                f[a, b, j] = prob.add_variable(f"f_{a}_{b}_{j}", lowBound=0)
        for a, b in arcs:
            if (a, b, j) not in f:
                continue
            prob += f[a, b, j] <= (cap - 1) * x[b, j], f"contig_cap_{a}_{b}_{j}"
            prob += f[a, b, j] <= (cap - 1) * x[a, j], f"contig_src_{a}_{b}_{j}"
        for v in range(g.n):
            if (v, j) not in x:
                continue
            inflow = pulp.lpSum(f[a, v, j] for a in g.adj[v] if (a, v, j) in f)
            outflow = pulp.lpSum(f[v, b, j] for b in g.adj[v] if (v, b, j) in f)
            root = r.get((v, j), 0)
            prob += inflow - outflow >= x[v, j] - cap * root, f"contig_bal_{v}_{j}"
    return f


def add_edge_flow_contiguity(
    prob: pulp.LpProblem,
    g: IndexedGraph,
    r: dict[tuple[int, int], Any],
    cut: dict[int, Any],
    capacity: float,
) -> dict[tuple[int, int, int], Any]:
    """One flow for all parts, carried only by uncut edges (fewer variables than per part).

    ``f[u,v] ≥ 0`` on both arcs of each edge::

        econtig_bal_v:  Σ_u f[u,v] − Σ_u f[v,u] ≥ 1 − M·Σ_j r[v,j]
        econtig_cap_e:  f[u,v] + f[v,u] ≤ (M − 1)·(1 − cut[e])

    Every non-root node is reached from a root along uncut edges, which stay inside one
    part, and each part has exactly one root, so each part is connected. Keys are
    ``(u, v, -1)``.
    """
    f: dict[tuple[int, int, int], Any] = {}
    for e, (a, b) in enumerate(zip(g.eu.tolist(), g.ev.tolist(), strict=True)):
        f[a, b, -1] = prob.add_variable(f"fe_{a}_{b}", lowBound=0)
        f[b, a, -1] = prob.add_variable(f"fe_{b}_{a}", lowBound=0)
        prob += f[a, b, -1] + f[b, a, -1] <= (capacity - 1) * (1 - cut[e]), f"econtig_cap_{e}"
    roots_at: dict[int, list[Any]] = {}
    for (v, _), var in r.items():
        roots_at.setdefault(v, []).append(var)
    for v in range(g.n):
        inflow = pulp.lpSum(f[a, v, -1] for a in g.adj[v])
        outflow = pulp.lpSum(f[v, b, -1] for b in g.adj[v])
        rooted = pulp.lpSum(roots_at.get(v, []))
        prob += inflow - outflow >= 1 - capacity * rooted, f"econtig_bal_{v}"
    return f


def node_weights(graph: nx.Graph, attrs: Sequence[str]) -> dict[str, dict[Hashable, float]]:
    """Attribute → node → weight (missing or None counts 0)."""
    return {a: {v: float(graph.nodes[v].get(a, 0) or 0) for v in graph.nodes} for a in attrs}
