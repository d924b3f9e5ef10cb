"""The compound adjacency graph, built from geometry.

Real compound outlines rarely touch: a street runs between them. Two compounds are
neighbours when they share a boundary longer than ``min_shared_m`` (a corner is not
enough) or face each other across a gap of at most ``gap_tolerance_m`` along a
frontage longer than ``min_facing_m``. Every edge carries its frontage (``length``,
metres), ``gap`` (metres), ``touching``, whether it crosses a ``barrier`` (an
arterial road, a river, a railway) and whether it is an ``island_link`` added only to
connect an island. Compounds facing each other across a barrier wider than a local
street (up to ``barrier_gap_m``) are neighbours too, flagged ``barrier``.

The graph is a plain :class:`networkx.Graph` with sorted node order, so the partition
core can use it without geometry. Its components and islands are summarised by
:mod:`jinfeng_grid.graph.components`; the building graphs are in
:mod:`jinfeng_grid.graph.buildings`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import networkx as nx
import numpy as np
import pyproj
import shapely

from jinfeng_grid.config.columns import LAYER_KEYS
from jinfeng_grid.config.options import DEFAULT_BARRIER_GAP_M, DEFAULT_GAP_TOLERANCE_M
from jinfeng_grid.errors import InputDataError
from jinfeng_grid.graph import geometry as geo
from jinfeng_grid.graph.components import _connect_components, _nearest_outside, graph_components
from jinfeng_grid.graph.nodes import _node_attributes, _prepared

__all__ = [
    "DEFAULT_MIN_SHARED_M",
    "arterial_roads",
    "build_adjacency",
]

logger = logging.getLogger(__name__)

# DEFAULT_GAP_TOLERANCE_M and DEFAULT_BARRIER_GAP_M are scenario options too
# ([graph] gap_tolerance_m, barrier_gap_m): they are defined and documented in
# jinfeng_grid.config.options, and re-exported here as the defaults of build_adjacency.
#: Shortest shared boundary that makes touching polygons neighbours (not a corner).
DEFAULT_MIN_SHARED_M = 1.0
#: Shortest frontage across a gap, as a fraction of the gap tolerance: diagonal
#: corners across a crossroads measure at most 0.16 g, so 0.25 g leaves them out.
FACING_FRACTION = 0.25


#: Road classes that are barriers: ``arterial`` and the names used for the same roads
#: in Chinese standards (CJJ 37: 快速路, 主干路) and in OpenStreetMap exports.
ARTERIAL_CLASSES = frozenset(
    {
        "arterial",
        "expressway",
        "motorway",
        "trunk",
        "primary",
        "快速路",
        "城市快速路",
        "主干路",
        "主干道",
        "城市主干路",
    }
)


def arterial_roads(roads: gpd.GeoDataFrame) -> gpd.GeoSeries:
    """The barrier lines of a roads layer: rows whose ``class`` is an arterial class
    (:data:`ARTERIAL_CLASSES`: ``arterial``, 快速路, 主干路, OSM ``primary``/``trunk``, ...)."""
    if "class" not in roads.columns:
        raise InputDataError(
            "the roads layer has no 'class' column: map it with --column roads.class=NAME"
        )
    cls = roads["class"].astype("string").str.strip().str.lower()
    return roads.geometry[cls.isin(ARTERIAL_CLASSES).fillna(False).to_numpy()]


def _barrier_array(
    barriers: gpd.GeoDataFrame | gpd.GeoSeries | Sequence[gpd.GeoSeries] | None,
    crs: Any,
) -> np.ndarray:
    if barriers is None:
        return np.empty(0, dtype=object)
    layers = [barriers] if isinstance(barriers, gpd.GeoDataFrame | gpd.GeoSeries) else barriers
    parts = []
    for layer in layers:
        if isinstance(layer, gpd.GeoDataFrame):
            layer = arterial_roads(layer) if "class" in layer.columns else layer.geometry
        if layer.crs is not None and crs is not None and layer.crs != crs:
            layer = layer.to_crs(crs)
        values = np.asarray(layer.array, dtype=object)
        parts.append(values[~(shapely.is_missing(values) | shapely.is_empty(values))])
    return np.concatenate(parts) if parts else np.empty(0, dtype=object)


def build_adjacency(
    compounds: gpd.GeoDataFrame,
    *,
    gap_tolerance_m: float = DEFAULT_GAP_TOLERANCE_M,
    min_shared_m: float = DEFAULT_MIN_SHARED_M,
    min_facing_m: float | None = None,
    barriers: gpd.GeoDataFrame | gpd.GeoSeries | Sequence[gpd.GeoSeries] | None = None,
    barrier_gap_m: float = DEFAULT_BARRIER_GAP_M,
    connect_islands: bool = False,
) -> nx.Graph:
    """Build the compound adjacency graph.

    Parameters
    ----------
    compounds
        Compounds with an ``id`` column in a metric CRS, as returned by
        :func:`jinfeng_grid.io.read_compounds`.
    gap_tolerance_m
        Widest gap (street) across which two compounds still face each other.
        ``0`` gives plain rook contiguity of touching polygons.
    min_shared_m
        Shortest common boundary of touching compounds that makes them neighbours.
    min_facing_m
        Shortest frontage across a gap; default ``0.25 * gap_tolerance_m`` (corners
        diagonally across a crossroads are not neighbours).
    barriers
        Lines or polygons that separate compounds: a roads layer (its ``arterial``
        rows are used), or geometries of rivers and railways, or a list of them.
    barrier_gap_m
        Widest gap across a barrier: compounds facing each other across an arterial
        road (wider than a local street) up to this distance are neighbours with
        ``barrier=True``, so a plan can cross an arterial where it must and the
        objective can avoid it. Used only when ``barriers`` are given.
    connect_islands
        Link every component but the largest to its nearest compound outside it
        (edges flagged ``island_link``) until the graph is connected.

    Returns
    -------
    networkx.Graph
        Nodes are compound ids in sorted order with attributes ``id``, the mapped
        fields present (``name``, ``households``, ``population``, ``subdistrict``,
        ``community``, ``grid``, ``locked``) and ``x``/``y`` (a point inside the
        compound, in the input CRS). Edges carry ``length`` (shared or facing
        length, m), ``gap`` (m), ``touching``, ``barrier`` and ``island_link``.

    Raises
    ------
    InputDataError
        If ids are missing or repeated.
    GeometryError
        If geometries are missing or the CRS is not metric.
    """
    if gap_tolerance_m < 0 or min_shared_m < 0:
        raise InputDataError("gap_tolerance_m and min_shared_m must not be negative")
    min_facing = FACING_FRACTION * gap_tolerance_m if min_facing_m is None else min_facing_m
    frame, geoms = _prepared(compounds, "compounds")
    ids = frame["id"].tolist()
    left, right = geo.candidate_pairs(geoms, gap_tolerance_m)
    pairs = geo.measure_pairs(geoms, left, right, gap_tolerance_m=gap_tolerance_m)
    keep = (pairs.shared >= max(min_shared_m, 1e-9)) | (
        (pairs.facing >= max(min_facing, 1e-9)) & (pairs.gap <= gap_tolerance_m)
    )
    barrier_geoms = _barrier_array(barriers, frame.crs)
    crossing = geo.crosses(pairs.corridor[keep], barrier_geoms)
    edge_left, edge_right = pairs.left[keep], pairs.right[keep]
    length = np.maximum(pairs.shared, pairs.facing)[keep]
    gap = pairs.gap[keep]
    if len(barrier_geoms) and barrier_gap_m > gap_tolerance_m:
        # compounds facing each other across a barrier wider than a local street
        wide_left, wide_right = geo.candidate_pairs(geoms, barrier_gap_m)
        n = len(geoms)
        known = np.isin(wide_left * n + wide_right, edge_left * n + edge_right)
        wide_left, wide_right = wide_left[~known], wide_right[~known]
        wide = geo.measure_pairs(geoms, wide_left, wide_right, gap_tolerance_m=barrier_gap_m)
        facing = wide.facing >= FACING_FRACTION * barrier_gap_m
        across = np.zeros(len(wide_left), dtype=bool)
        across[facing] = geo.crosses(wide.corridor[facing], barrier_geoms)
        edge_left = np.concatenate([edge_left, wide.left[across]])
        edge_right = np.concatenate([edge_right, wide.right[across]])
        length = np.concatenate([length, wide.facing[across]])
        gap = np.concatenate([gap, wide.gap[across]])
        crossing = np.concatenate([crossing, np.ones(int(across.sum()), dtype=bool)])

    input_crs = frame.attrs.get("input_crs")
    graph = nx.Graph(
        kind="compounds",
        gap_tolerance_m=float(gap_tolerance_m),
        min_shared_m=float(min_shared_m),
        min_facing_m=float(min_facing),
        barrier_gap_m=float(barrier_gap_m) if len(barrier_geoms) else None,
        # x/y of the nodes are in the input CRS
        crs=pyproj.CRS.from_user_input(input_crs or frame.crs).to_string(),
    )
    for node_id, attrs in zip(ids, _node_attributes(frame, LAYER_KEYS["compounds"]), strict=True):
        graph.add_node(node_id, **attrs)
    touching = gap <= geo.TOUCH_EPS_M
    graph.add_edges_from(
        (
            ids[i],
            ids[j],
            {
                "length": round(float(length[k]), 3),
                "gap": round(float(gap[k]), 3),
                "touching": bool(touching[k]),
                "barrier": bool(crossing[k]),
                "island_link": False,
            },
        )
        for k, (i, j) in enumerate(zip(edge_left, edge_right, strict=True))
    )
    graph.graph["nearest_outside"] = _nearest_outside(graph, ids, geoms)
    if connect_islands:
        _connect_components(graph, ids, geoms, barrier_geoms)
    summary = graph_components(graph)
    logger.info(
        "adjacency: %s compounds, %s edges (%d across a barrier), %s",
        f"{graph.number_of_nodes():,}",
        f"{graph.number_of_edges():,}",
        int(crossing.sum()),
        summary.headline(),
    )
    return graph
