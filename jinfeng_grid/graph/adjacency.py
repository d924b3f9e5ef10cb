"""Adjacency graphs of compounds and of buildings, built from geometry.

Real compound outlines rarely touch: a street runs between them. Two compounds are
neighbours when they share a boundary longer than ``min_shared_m`` (a corner is not
enough) or face each other across a gap of at most ``gap_tolerance_m`` along a
frontage longer than ``min_facing_m``. Every edge carries its frontage (``length``,
metres), ``gap`` (metres), ``touching``, whether it crosses a ``barrier`` (an
arterial road, a river, a railway) and whether it is an ``island_link`` added only to
connect an island. Compounds facing each other across a barrier wider than a local
street (up to ``barrier_gap_m``) are neighbours too, flagged ``barrier``.

The graphs are plain :class:`networkx.Graph` objects with sorted node order, so the
partition core can use them without geometry.
"""

from __future__ import annotations

import logging
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pyproj
import shapely

from jinfeng_grid.config.columns import LAYER_KEYS
from jinfeng_grid.config.options import DEFAULT_BARRIER_GAP_M, DEFAULT_GAP_TOLERANCE_M
from jinfeng_grid.crs import is_metric
from jinfeng_grid.errors import GeometryError, InputDataError
from jinfeng_grid.graph import geometry as geo
from jinfeng_grid.graph.buildings import building_pairs, connect_buildings

__all__ = [
    "DEFAULT_BARRIER_GAP_M",
    "DEFAULT_GAP_TOLERANCE_M",
    "DEFAULT_MIN_SHARED_M",
    "ComponentSummary",
    "arterial_roads",
    "build_adjacency",
    "build_building_contiguity",
    "build_building_graph",
    "graph_components",
]

logger = logging.getLogger(__name__)

#: Shortest shared boundary that makes touching polygons neighbours (not a corner).
DEFAULT_MIN_SHARED_M = 1.0
#: Shortest frontage across a gap, as a fraction of the gap tolerance: diagonal
#: corners across a crossroads measure at most 0.16 g, so 0.25 g leaves them out.
FACING_FRACTION = 0.25


def _sorted_ids(ids: Iterable[Hashable]) -> list[Hashable]:
    values = list(ids)
    try:
        return sorted(values)  # type: ignore[type-var]
    except TypeError:
        return sorted(values, key=str)


def _prepared(frame: gpd.GeoDataFrame, what: str) -> tuple[gpd.GeoDataFrame, np.ndarray]:
    """Rows sorted by id, with valid geometries in a metric CRS; raise on unusable input."""
    if "id" not in frame.columns:
        raise InputDataError(
            f"{what} have no 'id' column: read them with jinfeng_grid.io (which maps "
            "the id column) or rename the id column to 'id'"
        )
    if frame.crs is None or not is_metric(frame.crs):
        raise GeometryError(
            f"{what} must be in a metric CRS (got {frame.crs}): read them with "
            "jinfeng_grid.io or use jinfeng_grid.crs.to_working_crs"
        )
    ids = frame["id"]
    if ids.isna().any() or ids.duplicated().any():
        dup = sorted({str(v) for v in ids[ids.duplicated(keep=False)]})
        raise InputDataError(
            f"{what} ids must be unique and present (duplicates: {', '.join(dup) or 'none'}; "
            f"missing: {int(ids.isna().sum())}): run validation and fix the ids"
        )
    geoms = frame.geometry.array
    bad = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    if bad.any():
        which = ", ".join(str(v) for v in ids[bad].head(10))
        raise GeometryError(
            f"{int(bad.sum())} {what} have no geometry (ids {which}): fix or drop them"
        )
    order = _sorted_ids(ids)
    position = pd.Series(np.arange(len(frame)), index=ids.to_numpy())
    frame = frame.iloc[position.loc[order].to_numpy()]
    values = np.asarray(frame.geometry.array, dtype=object)
    invalid = ~shapely.is_valid(values)
    if invalid.any():
        values = values.copy()
        values[invalid] = shapely.make_valid(values[invalid])
    return frame, values


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        if value != value:
            return None
        if value.is_integer():
            return int(value)
    if value is pd.NA:
        return None
    return value


def _node_attributes(frame: gpd.GeoDataFrame, keys: Sequence[str]) -> list[dict[str, Any]]:
    columns: dict[str, list[Any]] = {}
    for key in keys:
        if key == "id" or key not in frame.columns:
            continue
        series = frame[key]
        if key in ("households", "population"):
            series = pd.to_numeric(series, errors="coerce")
        columns[key] = [_plain(v) for v in series.tolist()]
    points = frame.geometry.representative_point()
    input_crs = frame.attrs.get("input_crs")
    if input_crs is not None:
        points = points.to_crs(input_crs)
    xs, ys = points.x.to_numpy(), points.y.to_numpy()
    out = []
    for k, node_id in enumerate(frame["id"].tolist()):
        attrs: dict[str, Any] = {"id": _plain(node_id)}
        attrs.update({key: values[k] for key, values in columns.items()})
        attrs["x"], attrs["y"] = float(xs[k]), float(ys[k])
        out.append(attrs)
    return out


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


def _nearest_outside(graph: nx.Graph, ids: list[Hashable], geoms: np.ndarray) -> list[list[Any]]:
    """``[u, v, distance]`` from each component but the largest to its nearest outsider."""
    index = {node: k for k, node in enumerate(ids)}
    components = sorted(
        nx.connected_components(graph), key=lambda c: (-len(c), min(index[n] for n in c))
    )
    out = []
    for component in components[1:]:
        inside = np.zeros(len(ids), dtype=bool)
        inside[[index[n] for n in component]] = True
        i, j, distance = geo.nearest_outside(geoms, inside)
        out.append([ids[i], ids[j], round(distance, 1)])
    return out


def _connect_components(
    graph: nx.Graph, ids: list[Hashable], geoms: np.ndarray, barrier_geoms: np.ndarray
) -> None:
    index = {node: k for k, node in enumerate(ids)}
    while nx.number_connected_components(graph) > 1:
        components = sorted(
            nx.connected_components(graph), key=lambda c: (-len(c), min(index[n] for n in c))
        )
        for component in components[1:]:
            inside = np.zeros(len(ids), dtype=bool)
            inside[[index[n] for n in component]] = True
            if inside.all():
                break
            i, j, distance = geo.nearest_outside(geoms, inside)
            line = shapely.shortest_line(geoms[i], geoms[j])
            barrier = bool(geo.crosses(np.array([line], dtype=object), barrier_geoms)[0])
            graph.add_edge(
                ids[i],
                ids[j],
                length=0.0,
                gap=round(distance, 3),
                touching=False,
                barrier=barrier,
                island_link=True,
            )
            logger.info(
                "island link: %s -> %s (%.0f m)",
                _label(graph, ids[i]),
                _label(graph, ids[j]),
                distance,
            )


def _label(graph: nx.Graph, node: Hashable) -> str:
    name = graph.nodes[node].get("name")
    return f"{name} ({node})" if name not in (None, "") and name != node else str(node)


@dataclass(frozen=True)
class ComponentSummary:
    """Connected components of an adjacency graph, largest first.

    Attributes
    ----------
    n_nodes, n_edges
        Size of the graph.
    components
        Node ids of each component (sorted), largest first.
    islands
        Nodes with no neighbour at all (before any island link).
    island_links
        Edges added only to connect islands, as ``(u, v)``.
    labels
        ``name (id)`` of every node in a component other than the largest.
    nearest
        For each component but the largest (before island links), its node closest
        to another component, that node and the distance in metres: why they are
        apart (a gap wider than the tolerance, or only a corner across a crossroads).
    """

    n_nodes: int
    n_edges: int
    components: tuple[tuple[Hashable, ...], ...]
    islands: tuple[Hashable, ...]
    island_links: tuple[tuple[Hashable, Hashable], ...]
    labels: tuple[tuple[Hashable, str], ...] = ()
    nearest: tuple[tuple[Hashable, Hashable, float], ...] = ()
    gap_tolerance_m: float | None = None

    @property
    def n_components(self) -> int:
        """Number of connected components."""
        return len(self.components)

    @property
    def is_connected(self) -> bool:
        """Whether the graph is one component."""
        return self.n_components <= 1

    def headline(self) -> str:
        """``"1 component, 0 islands"`` (and island links if any)."""
        c, i = self.n_components, len(self.islands)
        text = f"{c} component{'s' if c != 1 else ''}, {i} island{'s' if i != 1 else ''}"
        if self.island_links:
            text += f", {len(self.island_links)} island links"
        return text

    def __repr__(self) -> str:
        return f"<ComponentSummary {self.n_nodes} nodes, {self.n_edges} edges, {self.headline()}>"

    def __str__(self) -> str:
        lines = [f"{self.n_nodes} nodes, {self.n_edges} edges, {self.headline()}"]
        label = dict(self.labels)
        nearest = {u: (v, d) for u, v, d in self.nearest}
        for k, component in enumerate(self.components[1:], start=2):
            names = ", ".join(label.get(n, str(n)) for n in component[:12])
            more = f", … (+{len(component) - 12})" if len(component) > 12 else ""
            lines.append(f"  component {k} ({len(component)} nodes): {names}{more}")
            closest = [(u, *nearest[u]) for u in component if u in nearest]
            if closest:
                u, v, d = closest[0]
                tol = self.gap_tolerance_m
                why = (
                    ""
                    if tol is None
                    else " (corners only, not facing)"
                    if d <= tol
                    else f" (beyond the {tol:g} m gap tolerance)"
                )
                lines.append(
                    f"    nearest outside: {label.get(u, str(u))} – {label.get(v, str(v))} "
                    f"at {d:,.1f} m{why}"
                )
        if self.islands:
            names = ", ".join(label.get(n, str(n)) for n in self.islands)
            lines.append(f"  islands (no neighbour): {names}")
        for u, v in self.island_links:
            lines.append(f"  island link: {label.get(u, str(u))} – {label.get(v, str(v))}")
        return "\n".join(lines)


def graph_components(graph: nx.Graph) -> ComponentSummary:
    """Summarise the components and islands of an adjacency graph by name.

    Island links (edges flagged ``island_link``) are discounted when finding
    islands, so an island stays reported after it was connected.
    """
    components = sorted(
        (tuple(_sorted_ids(c)) for c in nx.connected_components(graph)),
        key=lambda c: (-len(c), str(c[0])),
    )
    links = tuple(
        (u, v) for u, v, linked in graph.edges(data="island_link", default=False) if linked
    )
    real_degree = dict(graph.degree())
    for u, v in links:
        real_degree[u] -= 1
        real_degree[v] -= 1
    islands = tuple(_sorted_ids(n for n, d in real_degree.items() if d == 0))
    nearest = tuple(
        (u, v, float(d)) for u, v, d in graph.graph.get("nearest_outside", []) if u in graph
    )
    named = {n for c in components[1:] for n in c} | set(islands)
    named |= {n for link in links for n in link} | {v for _, v, _ in nearest if v in graph}
    labels = tuple((n, _label(graph, n)) for n in _sorted_ids(named))
    return ComponentSummary(
        n_nodes=graph.number_of_nodes(),
        n_edges=graph.number_of_edges(),
        components=tuple(components),
        islands=islands,
        island_links=links,
        labels=labels,
        nearest=nearest,
        gap_tolerance_m=graph.graph.get("gap_tolerance_m"),
    )


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
