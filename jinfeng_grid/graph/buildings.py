"""Pairs and links of the building graph (see :func:`jinfeng_grid.graph.build_building_graph`).

Buildings are identified by position; ``codes`` numbers their compounds (``-1`` for
none) as ``pandas.factorize`` does, ``uniques`` holds the compound ids.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
import shapely

from jinfeng_grid.graph import geometry as geo


def building_pairs(
    geoms: np.ndarray,
    codes: np.ndarray,
    uniques: Any,
    compound_graph: nx.Graph | None,
    *,
    within_m: float,
    across_m: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(left, right, distance, same, barrier, keep)`` of candidate building pairs.

    Kept: pairs of one compound within ``within_m``, and pairs of neighbouring
    compounds (any two compounds without a compound graph) within ``across_m``.
    """
    across = across_m
    left, right = geo.candidate_pairs(geoms, max(within_m, across))
    distance = shapely.distance(geoms[left], geoms[right])
    same = (codes[left] == codes[right]) & (codes[left] >= 0)
    keep = same & (distance <= within_m)
    barrier = np.zeros(len(left), dtype=bool)
    if compound_graph is not None:
        code_of = {value: k for k, value in enumerate(uniques)}
        n = len(uniques) + 1
        edge_codes, edge_barrier = [], []
        for u, v, flag in compound_graph.edges(data="barrier", default=False):
            if u in code_of and v in code_of:
                a, b = sorted((code_of[u], code_of[v]))
                edge_codes.append(a * n + b)
                edge_barrier.append(bool(flag))
        pair_codes = np.minimum(codes[left], codes[right]) * n + np.maximum(
            codes[left], codes[right]
        )
        lookup = pd.Series(edge_barrier, index=edge_codes, dtype=bool)
        lookup = lookup[~lookup.index.duplicated()]
        neighbour = np.isin(pair_codes, lookup.index.to_numpy()) & ~same
        barrier[neighbour] = lookup.loc[pair_codes[neighbour]].to_numpy()
    else:
        neighbour = ~same
    keep |= neighbour & (distance <= across)
    return left, right, distance, same, barrier, keep


def connect_buildings(
    graph: nx.Graph,
    ids: list[Hashable],
    geoms: np.ndarray,
    codes: np.ndarray,
    uniques: Any,
    compound_graph: nx.Graph | None,
) -> int:
    """Add nearest links inside split compounds and between linked-less neighbours."""
    added = 0
    members = pd.Series(np.arange(len(ids))).groupby(codes).apply(list)
    members = members[members.index >= 0]
    for rows in members:
        if len(rows) < 2:
            continue
        sub = graph.subgraph([ids[r] for r in rows])
        if nx.is_connected(sub):
            continue
        # join the pieces by the shortest links between them (Kruskal on pieces)
        piece = {node: k for k, c in enumerate(nx.connected_components(sub)) for node in c}
        rows_arr = np.asarray(rows)
        matrix = shapely.distance(geoms[rows_arr][:, None], geoms[rows_arr][None, :])
        i_idx, j_idx = np.triu_indices(len(rows_arr), k=1)
        order = np.argsort(matrix[i_idx, j_idx], kind="stable")
        pieces = nx.utils.UnionFind(set(piece.values()))
        for k in order:
            a, b = ids[rows_arr[i_idx[k]]], ids[rows_arr[j_idx[k]]]
            if pieces[piece[a]] != pieces[piece[b]]:
                pieces.union(piece[a], piece[b])
                graph.add_edge(
                    a,
                    b,
                    distance=round(float(matrix[i_idx[k], j_idx[k]]), 3),
                    same_compound=True,
                    barrier=False,
                    nearest=True,
                )
                added += 1
    if compound_graph is None:
        return added
    code_of = {value: k for k, value in enumerate(uniques)}
    linked = {
        tuple(sorted((codes[ids_index], codes[other_index])))
        for ids_index, other_index in _cross_edges(graph, ids)
    }
    for u, v, flag in compound_graph.edges(data="barrier", default=False):
        if u not in code_of or v not in code_of:
            continue
        cu, cv = code_of[u], code_of[v]
        if tuple(sorted((cu, cv))) in linked:
            continue
        rows_u, rows_v = np.asarray(members[cu]), np.asarray(members[cv])
        i, j, d = geo.nearest_pair(geoms[rows_u], geoms[rows_v])
        graph.add_edge(
            ids[rows_u[i]],
            ids[rows_v[j]],
            distance=round(d, 3),
            same_compound=False,
            barrier=bool(flag),
            nearest=True,
        )
        added += 1
    return added


def _cross_edges(graph: nx.Graph, ids: list[Hashable]) -> list[tuple[int, int]]:
    """Index pairs of the edges that join two compounds."""
    index = {node: k for k, node in enumerate(ids)}
    return [
        (index[u], index[v])
        for u, v, same in graph.edges(data="same_compound", default=True)
        if not same
    ]
