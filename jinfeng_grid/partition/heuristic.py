"""The heuristic: recursive spanning-tree bisection, then a greedy ReCom chain.

Every plan it holds is connected. Steps, in a seeded ``numpy.random.Generator``:

1. contract each ``together`` group into one node;
2. split the graph into k connected parts by cutting random spanning trees where both
   sides can still meet the bounds (recursive bisection); if no such edge exists,
   cut where the violation is least and let step 3 repair it;
3. a ReCom chain: merge two neighbouring parts, draw a random spanning tree of the
   union, and among its edges whose removal gives two parts within bounds, take the
   best; keep the move when (violation, objective) does not get worse; single-node
   moves along part boundaries polish the result.

The number of steps, not the clock, ends the search, so a seed gives one plan; the
time budget is only a safety stop. A plan closer than ``min_difference`` cut edges to
an excluded plan counts as a violation like a broken bound, so the search moves away
from excluded plans and never returns one.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np

from jinfeng_grid.partition.contiguity import (
    IndexedGraph,
    components_of,
    is_connected_subset,
    node_weights,
)

__all__ = ["HeuristicProblem", "heuristic_partition"]

logger = logging.getLogger(__name__)

_T_START = 1.0  # start temperature, in units of the mean edge cost


@dataclass(frozen=True, eq=False)
class HeuristicProblem:
    """The spec as arrays over contracted nodes (``together`` groups are one node)."""

    graph: IndexedGraph  # original graph, sorted node order
    group: np.ndarray  # original node index -> contracted node
    adj: tuple[tuple[int, ...], ...]  # contracted adjacency
    weights: np.ndarray  # contracted node x weight
    low: np.ndarray
    high: np.ndarray
    k_range: tuple[int, int]
    eu: np.ndarray  # contracted edge ends (may repeat: one per original edge)
    ev: np.ndarray
    cost: np.ndarray  # edge cost if cut
    keep_cost: np.ndarray  # edge cost if not cut (barrier penalty)
    move_cost: np.ndarray  # contracted node x part: cost of the node being in that part
    required: np.ndarray  # contracted node -> required part or -1
    excluded_cuts: np.ndarray  # excluded plan x contracted edge: whether that plan cuts it
    excluded_offset: np.ndarray  # excluded plan -> cut edges inside together groups
    min_difference: int

    @classmethod
    def from_graph(cls, graph: nx.Graph, spec: Any) -> HeuristicProblem:
        g = IndexedGraph.from_graph(graph)
        k_min, k_max = spec.k_range
        parent = list(range(g.n))

        def find(v: int) -> int:
            while parent[v] != v:
                parent[v] = parent[parent[v]]
                v = parent[v]
            return v

        for grp in spec.together:
            members = sorted(g.index[v] for v in grp)
            for v in members[1:]:
                parent[find(v)] = find(members[0])
        roots = sorted({find(v) for v in range(g.n)})
        cid = {r: i for i, r in enumerate(roots)}
        group = np.array([cid[find(v)] for v in range(g.n)], dtype=np.int64)
        m = len(roots)
        attrs = list(spec.bounds)
        wmap = node_weights(graph, attrs)
        weights = np.zeros((m, len(attrs)))
        for v in range(g.n):
            weights[group[v]] += [wmap[a][g.nodes[v]] for a in attrs]
        cost = g.edge_attr(graph, spec.edge_cost, 1.0)
        keep = np.zeros(len(cost))
        if spec.barrier_attr is not None and spec.barrier_penalty > 0:
            keep = (g.edge_attr(graph, spec.barrier_attr, 0.0) > 0) * spec.barrier_penalty
        eu, ev = group[g.eu], group[g.ev]
        inner = eu == ev
        adj_sets: list[set[int]] = [set() for _ in range(m)]
        for a, b in zip(eu[~inner].tolist(), ev[~inner].tolist(), strict=True):
            adj_sets[a].add(b)
            adj_sets[b].add(a)
        move = np.zeros((m, k_max))
        if spec.current is not None and spec.move_penalty > 0:
            index_of = spec.current_part_index
            for node, old in spec.current.items():
                v = g.index[node]
                w = (
                    1.0
                    if spec.move_weight is None
                    else float(graph.nodes[node].get(spec.move_weight, 0) or 0)
                )
                row = np.full(k_max, spec.move_penalty * w)
                if index_of[old] < k_max:
                    row[index_of[old]] = 0.0
                move[group[v]] += row
        required = np.full(m, -1, dtype=np.int64)
        for node, p in list(spec.fixed.items()) + [(s, i) for i, s in enumerate(spec.seeds)]:
            required[group[g.index[node]]] = p
        excluded = np.zeros((len(spec.exclude), len(eu)), dtype=bool)
        for i, other in enumerate(spec.exclude):
            excluded[i] = [
                other[g.nodes[a]] != other[g.nodes[b]] for a, b in zip(g.eu, g.ev, strict=True)
            ]
        return cls(
            graph=g,
            group=group,
            adj=tuple(tuple(sorted(a)) for a in adj_sets),
            weights=weights,
            low=np.array([spec.bounds[a][0] for a in attrs]),
            high=np.array([spec.bounds[a][1] for a in attrs]),
            k_range=(k_min, k_max),
            eu=eu[~inner],
            ev=ev[~inner],
            cost=cost[~inner],
            keep_cost=keep[~inner],
            move_cost=move,
            required=required,
            excluded_cuts=excluded[:, ~inner],
            excluded_offset=excluded[:, inner].sum(axis=1),
            min_difference=int(spec.min_difference),
        )

    @property
    def n(self) -> int:
        return len(self.adj)

    def loads(self, labels: np.ndarray, k: int) -> np.ndarray:
        """Each part's total of each weight (k × weights) under a labelling."""
        return np.stack(
            [np.bincount(labels, self.weights[:, d], minlength=k) for d in range(len(self.low))],
            axis=1,
        )

    def excess(self, loads: np.ndarray) -> np.ndarray:
        """Relative excess over the bounds of each row of part loads (rows × weights)."""
        over = np.maximum(loads - self.high, 0) + np.maximum(self.low - loads, 0)
        return (over / np.maximum(self.high, 1e-9)).sum(axis=-1)

    def score(self, labels: np.ndarray, k: int) -> tuple[float, float]:
        """(violation, objective) of a labelling of contracted nodes into k parts.

        The violation sums the relative excess over each bound, the nodes outside
        their required part, and the excluded plans this one is too close to.
        """
        viol = float(self.excess(self.loads(labels, k)).sum())
        viol += float(np.count_nonzero((self.required >= 0) & (self.required != labels)))
        cut = labels[self.eu] != labels[self.ev]
        if len(self.excluded_cuts):
            # an excluded plan is as bad as a broken bound: one unit per plan too close
            difference = (self.excluded_cuts != cut).sum(axis=1) + self.excluded_offset
            viol += float(np.count_nonzero(difference < self.min_difference))
        obj = float(self.cost[cut].sum() + self.keep_cost[~cut].sum())
        obj += float(self.move_cost[np.arange(self.n), labels].sum())
        return round(viol, 9), round(obj, 9)


def heuristic_partition(
    problem: HeuristicProblem, *, seed: int = 0, time_budget: float = 5.0, steps: int | None = None
) -> np.ndarray | None:
    """A connected plan as part labels over original node indices, or None if none found.

    The plan meets the bounds and constraints when returned; None means the search
    ended without a plan it could certify (the exact solver may still find one).
    """
    rng = np.random.default_rng(seed)
    deadline = time.perf_counter() + time_budget
    if problem.n == 0:
        return None
    k_min, k_max = problem.k_range
    total = problem.weights.sum(axis=0)
    counts = [
        k
        for k in range(k_min, k_max + 1)
        if k <= problem.n
        and np.all(k * problem.low <= total + 1e-9)
        and np.all(total <= k * problem.high + 1e-9)
    ]
    if not counts or len(components_of(problem.adj, range(problem.n))) > 1:
        return None
    steps = steps if steps is not None else max(300, min(12 * problem.n, 2000))
    best: tuple[tuple[float, float], np.ndarray] | None = None
    restarts = 5  # chains kept once a plan is feasible; more are drawn until one is
    for attempt in range(10 * restarts * len(counts)):
        if attempt >= restarts * len(counts) and best is not None and best[0][0] == 0:
            break
        k = counts[attempt % len(counts)]
        start = _bisect(problem, k, rng)
        if start is None:
            continue
        labels = _relabel(problem, start, k)
        labels = _recom_chain(problem, labels, k, rng, steps, deadline)
        score = problem.score(labels, k)
        if best is None or score < best[0]:
            best = (score, labels)
        if time.perf_counter() > deadline:
            logger.info("heuristic: time budget of %.1f s reached", time_budget)
            break
    if best is None:
        return None
    (violation, objective), labels = best
    if violation > 0:
        return None
    plan = labels[problem.group]
    g = problem.graph
    for p in np.unique(plan):
        if not is_connected_subset(g.adj, np.flatnonzero(plan == p).tolist()):
            return None
    logger.info("heuristic: objective %g with %d parts", objective, len(np.unique(plan)))
    return plan


def _random_tree(
    adj: tuple[tuple[int, ...], ...], members: list[int], rng: np.random.Generator
) -> dict[int, list[int]]:
    """A random spanning tree (Kruskal on random edge weights) of a connected node set."""
    inside = set(members)
    edges = [(a, b) for a in members for b in adj[a] if b in inside and a < b]
    order = rng.permutation(len(edges))
    parent = {v: v for v in members}

    def find(v: int) -> int:
        while parent[v] != v:
            parent[v] = parent[parent[v]]
            v = parent[v]
        return v

    tree: dict[int, list[int]] = {v: [] for v in members}
    for i in order:
        a, b = edges[i]
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[ra] = rb
            tree[a].append(b)
            tree[b].append(a)
    return tree


def _tree_splits(
    problem: HeuristicProblem, members: list[int], rng: np.random.Generator
) -> tuple[list[int], np.ndarray, dict[int, tuple[int, int]]]:
    """Preorder of a random spanning tree, subtree weights, and each node's span."""
    tree = _random_tree(problem.adj, members, rng)
    root = members[int(rng.integers(len(members)))]
    order = [root]
    parent = {root: -1}
    stack = [root]
    order = []
    while stack:
        v = stack.pop()
        order.append(v)
        for t in tree[v]:
            if t not in parent:
                parent[t] = v
                stack.append(t)
    pos = {v: i for i, v in enumerate(order)}
    size = dict.fromkeys(order, 1)
    sub = {v: problem.weights[v].copy() for v in order}
    for v in reversed(order[1:]):
        size[parent[v]] += size[v]
        sub[parent[v]] = sub[parent[v]] + sub[v]
    spans = {v: (pos[v], pos[v] + size[v]) for v in order}
    weights = np.array([sub[v] for v in order]).reshape(len(order), -1)
    return order, weights, spans


def _bisect(problem: HeuristicProblem, k: int, rng: np.random.Generator) -> np.ndarray | None:
    """Recursive spanning-tree bisection into k connected parts (None if it runs out)."""
    labels = np.zeros(problem.n, dtype=np.int64)
    rest = list(range(problem.n))
    for part in range(k - 1):
        remaining = k - part
        total = problem.weights[rest].sum(axis=0)
        best: tuple[float, list[int]] | None = None
        for _ in range(60):
            order, sub, spans = _tree_splits(problem, rest, rng)
            if len(order) < 2:
                continue
            piece_w = sub[1:]
            other = total - piece_w
            viol = (
                np.maximum(piece_w - problem.high, 0)
                + np.maximum(problem.low - piece_w, 0)
                + np.maximum(other - (remaining - 1) * problem.high, 0)
                + np.maximum((remaining - 1) * problem.low - other, 0)
            ).sum(axis=1)
            i = int(np.argmin(viol))  # the first of the least violations
            if best is None or viol[i] < best[0]:
                a, b = spans[order[i + 1]]
                best = (float(viol[i]), order[a:b])
            if best[0] == 0:
                break
        if best is not None and best[0] > 0:
            grown = _grow_piece(problem, rest, remaining, rng)
            if grown is not None:
                best = (0.0, grown)
        if best is None:
            return None
        piece = best[1]
        labels[piece] = part
        leftover = set(rest) - set(piece)
        comps = components_of(problem.adj, leftover)
        # keep the largest piece to split further, the others join this part
        comps.sort(key=len, reverse=True)
        for extra in comps[1:]:
            labels[extra] = part
        rest = comps[0]
    labels[rest] = k - 1
    return labels


def _grow_piece(
    problem: HeuristicProblem, rest: list[int], remaining: int, rng: np.random.Generator
) -> list[int] | None:
    """Grow random connected pieces inside ``rest`` until one leaves a feasible remainder.

    Tree cuts sample some bipartitions rarely; random growth (a random frontier node
    that still fits under the cap) reaches others, which matters under tight bounds.
    """
    total = problem.weights[rest].sum(axis=0)
    inside = set(rest)
    low, high = problem.low, problem.high
    for _ in range(400):
        start = rest[int(rng.integers(len(rest)))]
        piece, load = [start], problem.weights[start].copy()
        members = {start}
        while True:
            other = total - load
            if (
                np.all(load >= low - 1e-9)
                and np.all(other >= (remaining - 1) * low - 1e-9)
                and np.all(other <= (remaining - 1) * high + 1e-9)
                and len(components_of(problem.adj, inside - members)) == 1
            ):
                return sorted(piece)
            frontier = sorted(
                {t for v in piece for t in problem.adj[v] if t in inside and t not in members}
            )
            under = np.all(load + problem.weights[frontier] <= high + 1e-9, axis=1)
            fits = [t for t, ok in zip(frontier, under.tolist(), strict=True) if ok]
            if not fits:
                break
            t = fits[int(rng.integers(len(fits)))]
            piece.append(t)
            members.add(t)
            load = load + problem.weights[t]
    return None


def _relabel(problem: HeuristicProblem, labels: np.ndarray, k: int) -> np.ndarray:
    """Rename parts to agree best with required parts and the current plan (greedy)."""
    agree = np.zeros((k, problem.move_cost.shape[1]))
    for v in range(problem.n):
        agree[labels[v]] -= problem.move_cost[v]
        if problem.required[v] >= 0:
            agree[labels[v], problem.required[v]] += 1e6
    mapping: dict[int, int] = {}
    taken: set[int] = set()
    for flat in np.argsort(-agree, axis=None, kind="stable"):
        p, q = divmod(int(flat), agree.shape[1])
        if p not in mapping and q not in taken and q < k:
            mapping[p] = q
            taken.add(q)
    return np.array([mapping[int(p)] for p in labels], dtype=np.int64)


def _recom_chain(
    problem: HeuristicProblem,
    labels: np.ndarray,
    k: int,
    rng: np.random.Generator,
    steps: int,
    deadline: float,
) -> np.ndarray:
    """ReCom with annealed acceptance; returns the best plan seen.

    A move that keeps (violation, objective) no worse is always taken; a feasible move
    that raises the objective by Δ is taken with probability exp(−Δ/T), T falling
    linearly from ``_T_START`` to zero, so the chain can leave local optima early and
    ends greedy.
    """
    score = problem.score(labels, k)
    kept = (score, labels)
    unit = float(problem.cost.mean()) if len(problem.cost) else 1.0
    for step in range(steps):
        if k < 2 or time.perf_counter() > deadline:
            break
        cut = np.flatnonzero(labels[problem.eu] != labels[problem.ev])
        if len(cut) == 0:
            break
        e = cut[int(rng.integers(len(cut)))]
        a, b = int(labels[problem.eu[e]]), int(labels[problem.ev[e]])
        members = np.flatnonzero((labels == a) | (labels == b)).tolist()
        order, sub, spans = _tree_splits(problem, members, rng)
        best: tuple[tuple[float, float], int, int, np.ndarray] | None = None
        piece_w, rest_w = sub[1:], sub[0] - sub[1:]
        if score[0] == 0:
            # a feasible plan only tries splits that keep both pieces within bounds
            fits = (
                (piece_w <= problem.high + 1e-9)
                & (piece_w >= problem.low - 1e-9)
                & (rest_w <= problem.high + 1e-9)
                & (rest_w >= problem.low - 1e-9)
            )
            candidates = (np.flatnonzero(fits.all(axis=1)) + 1).tolist()
            floor = np.zeros(len(order))
        else:
            # the bound violation of a split is known from the two pieces' weights, and
            # it is a floor under the whole violation: try the splits from the lowest
            # floor and stop once no later one can match the best violation found
            others = [p for p in range(k) if p not in (a, b)]
            floor = (
                np.concatenate([[0.0], problem.excess(piece_w) + problem.excess(rest_w)])
                + problem.excess(problem.loads(labels, k)[others]).sum()
            )
            candidates = sorted(range(1, len(order)), key=lambda i: (floor[i], i))
        for i in candidates:
            if best is not None and floor[i] > best[0][0] + 1e-7:
                break
            lo, hi = spans[order[i]]
            piece = order[lo:hi]
            for o, (first, second) in enumerate(((a, b), (b, a))):
                trial = labels.copy()
                trial[members] = second
                trial[piece] = first
                s = problem.score(trial, k)
                # the first best in the order of the splits, as a plain scan finds it
                if best is None or (s, i, o) < best[:3]:
                    best = (s, i, o, trial)
        if best is not None:
            temperature = _T_START * unit * (1 - step / steps)
            worse = best[0][1] - score[1]
            if best[0] <= score or (
                best[0][0] == 0 == score[0]
                and temperature > 0
                and rng.random() < np.exp(-worse / temperature)
            ):
                score, labels = best[0], best[3]
        if step % 50 == 49:
            labels, score = _node_moves(problem, labels, k, score)
        if score < kept[0]:
            kept = (score, labels)
    labels, score = _node_moves(problem, kept[1], k, kept[0])
    return labels


def _node_moves(
    problem: HeuristicProblem, labels: np.ndarray, k: int, score: tuple[float, float]
) -> tuple[np.ndarray, tuple[float, float]]:
    """Move single boundary nodes to a neighbouring part while that improves the score."""
    improved = True
    while improved:
        improved = False
        for v in range(problem.n):
            a = int(labels[v])
            targets = sorted({int(labels[t]) for t in problem.adj[v]} - {a})
            if not targets:
                continue
            rest = np.flatnonzero(labels == a)
            rest = rest[rest != v].tolist()
            if not rest or not is_connected_subset(problem.adj, rest):
                continue
            for b in targets:
                trial = labels.copy()
                trial[v] = b
                s = problem.score(trial, k)
                if s < score:
                    labels, score, improved = trial, s, True
                    break
    return labels, score


def plan_to_nodes(problem: HeuristicProblem, plan: np.ndarray) -> dict[Hashable, int]:
    """Original node id → part."""
    return {problem.graph.nodes[i]: int(p) for i, p in enumerate(plan)}
