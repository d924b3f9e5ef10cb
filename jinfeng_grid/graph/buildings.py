"""The building graphs: proximity within and across compounds, and Delaunay contiguity.

:func:`build_building_graph` links nearby buildings, :func:`build_building_contiguity`
buildings whose Voronoi cells touch; both link buildings of different compounds only
where the compounds are neighbours in the compound graph, and join what is cut apart
by the closest pair of buildings (:func:`connect_buildings`).

Buildings are identified by position; ``codes`` numbers their compounds (``-1`` for
none) as ``pandas.factorize`` does, ``uniques`` holds the compound ids.
"""

from __future__ import annotations

import logging
from collections.abc import Hashable
from typing import Any

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import shapely

from jinfeng_grid.config.columns import LAYER_KEYS
from jinfeng_grid.errors import InputDataError
from jinfeng_grid.graph import geometry as geo
from jinfeng_grid.graph.nodes import _node_attributes, _prepared

__all__ = ["build_building_contiguity", "build_building_graph"]

logger = logging.getLogger(__name__)


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


def build_building_graph(
    buildings: gpd.GeoDataFrame,
    *,
    compound_graph: nx.Graph | None = None,
    within_m: float = 60.0,
    across_m: float | None = None,
    connect: bool = True,
) -> nx.Graph:
    """Build the proximity graph of buildings, within and across compounds.

    Parameters
    ----------
    buildings
        Buildings (polygons or points) with ``id`` and ``compound_id`` columns in a
        metric CRS, as returned by :func:`jinfeng_grid.io.read_buildings`.
    compound_graph
        The compound adjacency graph: buildings of different compounds are linked
        only when their compounds are neighbours (and inherit the edge's
        ``barrier``). Without it, any two nearby buildings are linked.
    within_m
        Largest distance between two buildings of one compound to be linked.
    across_m
        Largest distance across compounds; default ``within_m`` plus the compound
        graph's gap tolerance.
    connect
        Join the pieces of a compound whose buildings are farther apart than
        ``within_m``, and link the closest pair of buildings of two neighbouring
        compounds that have no link yet, so grids can be drawn wherever
        compounds are contiguous.

    Returns
    -------
    networkx.Graph
        Nodes are building ids in sorted order with ``id``, ``compound_id`` and the
        mapped fields; edges carry ``distance`` (m), ``same_compound``, ``barrier``
        and ``nearest`` (added by ``connect``).
    """
    if "compound_id" not in buildings.columns:
        raise InputDataError(
            "buildings have no 'compound_id' column: map it with "
            "--column buildings.compound_id=NAME"
        )
    frame, geoms = _prepared(buildings, "buildings")
    ids = frame["id"].tolist()
    gap_tol = float(compound_graph.graph.get("gap_tolerance_m", 0.0)) if compound_graph else 0.0
    across = within_m + gap_tol if across_m is None else across_m
    owner = frame["compound_id"].to_numpy()
    codes, uniques = pd.factorize(pd.Series(owner, dtype=object), use_na_sentinel=True)
    left, right, distance, same, barrier, keep = building_pairs(
        geoms, codes, uniques, compound_graph, within_m=within_m, across_m=across
    )

    graph = nx.Graph(kind="buildings", within_m=float(within_m), across_m=float(across))
    for node_id, attrs in zip(ids, _node_attributes(frame, LAYER_KEYS["buildings"]), strict=True):
        graph.add_node(node_id, **attrs)
    graph.add_edges_from(
        (
            ids[i],
            ids[j],
            {
                "distance": round(float(d), 3),
                "same_compound": bool(s),
                "barrier": bool(b),
                "nearest": False,
            },
        )
        for i, j, d, s, b in zip(
            left[keep], right[keep], distance[keep], same[keep], barrier[keep], strict=True
        )
    )
    added = 0
    if connect:
        added = connect_buildings(graph, ids, geoms, codes, uniques, compound_graph)
    logger.info(
        "building graph: %s buildings, %s edges (%d nearest links), %d components",
        f"{graph.number_of_nodes():,}",
        f"{graph.number_of_edges():,}",
        added,
        nx.number_connected_components(graph),
    )
    return graph


def build_building_contiguity(buildings: gpd.GeoDataFrame, *, compound_graph: nx.Graph) -> nx.Graph:
    """Contiguity of buildings for drawing grids: the Delaunay graph of the buildings.

    Two buildings are neighbours when their Voronoi cells touch (the edges of the
    Delaunay triangulation of their representative points), and either belong to one
    compound or to compounds that are neighbours in ``compound_graph``. Unlike the
    proximity graph of :func:`build_building_graph`, this graph is planar and has no
    dangling chains, so grids can be any contiguous group of cells, as areas on a map
    are; the grid outlines are the same cells.

    Parameters
    ----------
    buildings
        Buildings with ``id`` and ``compound_id`` in a metric CRS.
    compound_graph
        The compound adjacency graph; its ``barrier`` flags are inherited.

    Returns
    -------
    networkx.Graph
        Nodes are building ids (sorted) with ``id``, ``compound_id`` and the mapped
        fields; edges carry ``distance`` (m), ``same_compound`` and ``barrier``.
    """
    frame, geoms = _prepared(buildings, "buildings")
    ids = frame["id"].tolist()
    owners = frame["compound_id"].to_numpy()
    points = shapely.get_coordinates(shapely.point_on_surface(geoms))
    graph = nx.Graph(kind="buildings", method="delaunay")
    for node_id, attrs in zip(ids, _node_attributes(frame, LAYER_KEYS["buildings"]), strict=True):
        graph.add_node(node_id, **attrs)
    if len(ids) < 2:
        return graph
    # jitter-free lookup of triangulation vertices back to buildings
    lookup = {(round(x, 6), round(y, 6)): i for i, (x, y) in enumerate(points)}
    edges = shapely.delaunay_triangles(shapely.MultiPoint(points), only_edges=True)
    for line in getattr(edges, "geoms", []):
        (x0, y0), (x1, y1) = line.coords
        i, j = lookup.get((round(x0, 6), round(y0, 6))), lookup.get((round(x1, 6), round(y1, 6)))
        if i is None or j is None or i == j:
            continue
        a, b = owners[i], owners[j]
        same = a == b
        if not same and not compound_graph.has_edge(a, b):
            continue
        barrier = False if same else bool(compound_graph.edges[a, b].get("barrier", False))
        distance = float(np.hypot(*(points[i] - points[j])))
        graph.add_edge(
            ids[i],
            ids[j],
            distance=round(distance, 3),
            same_compound=bool(same),
            barrier=barrier,
            nearest=False,
        )
    # cells of one compound cut apart by another compound's cells, and neighbouring
    # compounds whose cells do not meet, are joined by their closest buildings
    codes, uniques = pd.factorize(frame["compound_id"])
    added = connect_buildings(graph, ids, geoms, codes, uniques, compound_graph)
    logger.info(
        "building contiguity: %s buildings, %s edges (%d nearest links), %d components",
        f"{graph.number_of_nodes():,}",
        f"{graph.number_of_edges():,}",
        added,
        nx.number_connected_components(graph),
    )
    return graph
