"""Walking along streets: the street graph, attaching points to it, gates, distances.

Geometry goes in, numbers come out; :mod:`jinfeng_grid.posts` builds the public API on
top. The street graph has a node at every intersection and line end (lines are noded
against each other with shapely) and an edge per street segment between two nodes,
weighted by its length. Line ends that stop just short of another street (a T-junction
drawn with a gap, or coordinate rounding) are joined to it when the gap is at most
``snap_m``.

A point is attached at its nearest point on the nearest segment; the straight
attachment is walked too. The walk between two attached points is the shorter of the
four ways out of and into their segments (or along the segment, when both share one).
Points attached to different components of the street graph cannot reach each other
along streets: their walk is the straight line times the detour factor, and the caller
reports how many pairs were measured that way.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import networkx as nx
import numpy as np
import shapely
from shapely import STRtree

__all__ = [
    "Attachment",
    "StreetNetwork",
    "attach_points",
    "build_street_network",
    "compound_gates",
    "network_distances",
]

logger = logging.getLogger(__name__)

#: Node coordinates are merged when they agree to this many decimals of a metre.
_NODE_DECIMALS = 3
#: A snapped line end is carried this far past the street it meets so that noding
#: finds a proper crossing (the stub left beyond it is a harmless dead end).
_SNAP_OVERSHOOT_M = 0.05


@dataclass(frozen=True, eq=False)
class StreetNetwork:
    """Streets as a graph of segments between intersections and line ends.

    Attributes
    ----------
    graph
        Undirected :class:`networkx.Graph`; nodes are ``0..n-1`` with ``x``/``y``,
        edges carry ``length`` (metres) and ``segment`` (index into ``segments``).
    segments
        The noded street segments (shapely LineStrings), from node ``segment_nodes[k, 0]``
        to node ``segment_nodes[k, 1]``.
    segment_nodes, segment_length
        End nodes and length of each segment.
    component
        Connected-component label of each node (0 is the largest).
    n_components
        Number of connected components.
    snapped
        How many line ends were joined to a street within ``snap_m``.
    """

    graph: nx.Graph
    segments: np.ndarray
    segment_nodes: np.ndarray
    segment_length: np.ndarray
    component: np.ndarray
    n_components: int
    snapped: int
    tree: STRtree

    def __repr__(self) -> str:
        return (
            f"<StreetNetwork {self.graph.number_of_nodes()} nodes, {len(self.segments)} "
            f"segments, {self.n_components} component(s), {self.snapped} gap(s) snapped>"
        )


@dataclass(frozen=True)
class Attachment:
    """Where points meet the streets: segment, offset along it, straight distance."""

    segment: np.ndarray
    offset: np.ndarray
    distance: np.ndarray
    component: np.ndarray


def _lines(geometries: np.ndarray) -> np.ndarray:
    parts = shapely.get_parts(np.asarray(geometries, dtype=object))
    parts = parts[~shapely.is_empty(parts)]
    lines = parts[shapely.get_type_id(parts) == 1]  # LineString
    rings = parts[np.isin(shapely.get_type_id(parts), (3,))]  # polygons: walk their edge
    if len(rings):
        lines = np.concatenate([lines, shapely.get_parts(shapely.boundary(rings))])
    return lines


def _snap_connectors(lines: np.ndarray, snap_m: float) -> list[shapely.LineString]:
    """Short connectors from line ends to a street they stop just short of."""
    if snap_m <= 0 or len(lines) < 2:
        return []
    tree = STRtree(lines)
    starts = shapely.get_point(lines, 0)
    ends = shapely.get_point(lines, -1)
    connectors: list[shapely.LineString] = []
    for i, points in enumerate(zip(starts, ends, strict=True)):
        for point in points:
            near = tree.query(point, predicate="dwithin", distance=snap_m)
            near = near[near != i]
            if not len(near):
                continue
            gaps = shapely.distance(point, lines[near])
            if gaps.min() == 0.0:
                continue  # already on a street: noding handles it
            target = lines[near[np.argmin(gaps)]]
            foot = shapely.line_interpolate_point(target, shapely.line_locate_point(target, point))
            p, q = np.array(point.coords[0]), np.array(foot.coords[0])
            step = q - p
            norm = float(np.hypot(*step))
            q = q + step / norm * _SNAP_OVERSHOOT_M
            connectors.append(shapely.LineString([p, q]))
    return connectors


def build_street_network(roads: np.ndarray, *, snap_m: float = 2.0) -> StreetNetwork:
    """Node the street lines and build the weighted street graph (see module doc)."""
    lines = _lines(roads)
    connectors = _snap_connectors(lines, snap_m)
    noded = shapely.unary_union(np.concatenate([lines, np.array(connectors, dtype=object)]))
    segments = shapely.get_parts(shapely.line_merge(noded))
    segments = segments[(shapely.get_type_id(segments) == 1) & (shapely.length(segments) > 0)]
    # line_merge joins runs between intersections; split closed loops' ends are nodes too
    segments = np.array(sorted(segments, key=lambda s: s.wkb), dtype=object)
    first = np.round(shapely.get_coordinates(shapely.get_point(segments, 0)), _NODE_DECIMALS)
    last = np.round(shapely.get_coordinates(shapely.get_point(segments, -1)), _NODE_DECIMALS)
    keys: dict[tuple[float, float], int] = {}
    segment_nodes = np.empty((len(segments), 2), dtype=np.int64)
    for k, (a, b) in enumerate(zip(map(tuple, first), map(tuple, last), strict=True)):
        segment_nodes[k, 0] = keys.setdefault(a, len(keys))
        segment_nodes[k, 1] = keys.setdefault(b, len(keys))
    length = shapely.length(segments)
    graph = nx.Graph()
    for (x, y), node in keys.items():
        graph.add_node(node, x=x, y=y)
    for k, (u, v) in enumerate(segment_nodes):
        if u == v:
            continue  # a closed loop never shortens a path
        if not graph.has_edge(u, v) or graph.edges[u, v]["length"] > length[k]:
            graph.add_edge(int(u), int(v), length=float(length[k]), segment=k)
    component = np.zeros(len(keys), dtype=np.int64)
    components = sorted(nx.connected_components(graph), key=lambda c: (-len(c), min(c)))
    for label, nodes in enumerate(components):
        component[list(nodes)] = label
    network = StreetNetwork(
        graph=graph,
        segments=segments,
        segment_nodes=segment_nodes,
        segment_length=length,
        component=component,
        n_components=len(components),
        snapped=len(connectors),
        tree=STRtree(segments),
    )
    logger.info("streets: %r", network)
    return network


def attach_points(network: StreetNetwork, points: np.ndarray) -> Attachment:
    """Attach each point at its nearest point on the nearest street segment.

    Ties between equally near segments go to the lowest segment index.
    """
    points = np.asarray(points, dtype=object)
    if not len(points):
        empty = np.zeros(0, dtype=np.int64)
        return Attachment(empty, np.zeros(0), np.zeros(0), empty)
    (which, segment), distance = network.tree.query_nearest(
        points, return_distance=True, all_matches=True
    )
    best = np.full(len(points), -1, dtype=np.int64)
    gap = np.full(len(points), np.inf)
    for i, k, d in zip(which, segment, distance, strict=True):
        if best[i] < 0 or k < best[i]:
            best[i], gap[i] = k, d
    offset = shapely.line_locate_point(network.segments[best], points)
    component = network.component[network.segment_nodes[best, 0]]
    return Attachment(best, offset, gap, component)


def _node_distances(network: StreetNetwork, sources: np.ndarray) -> np.ndarray:
    """Shortest street distance from each source node to every node (inf: unreachable).

    Uses scipy's compiled Dijkstra when scipy is installed (about a hundred times faster
    on a district), else networkx's; both give the same lengths.
    """
    n = network.graph.number_of_nodes()
    try:
        from scipy.sparse import coo_array
        from scipy.sparse.csgraph import dijkstra
    except ImportError:  # pragma: no cover - exercised by monkeypatching in the tests
        return _node_distances_networkx(network, sources)
    edges = list(network.graph.edges(data="length"))
    if not edges:
        table = np.full((len(sources), n), np.inf)
        table[np.arange(len(sources)), sources] = 0.0
        return table
    u, v, length = (np.array(column) for column in zip(*edges, strict=True))
    matrix = coo_array((length.astype(float), (u, v)), shape=(n, n)).tocsr()
    return dijkstra(matrix, directed=False, indices=np.asarray(sources, dtype=np.int64))


def _node_distances_networkx(network: StreetNetwork, sources: np.ndarray) -> np.ndarray:
    n = network.graph.number_of_nodes()
    table = np.full((len(sources), n), np.inf)
    for row, source in enumerate(sources):
        lengths = nx.single_source_dijkstra_path_length(network.graph, int(source), weight="length")
        table[row, list(lengths.keys())] = list(lengths.values())
    return table


def network_distances(network: StreetNetwork, origins: Attachment, sites: Attachment) -> np.ndarray:
    """Walk (metres) from every attached origin to every attached site; inf across
    components."""
    site_ends = network.segment_nodes[sites.segment]  # (s, 2)
    sources, inverse = np.unique(site_ends, return_inverse=True)
    inverse = inverse.reshape(site_ends.shape)
    table = _node_distances(network, sources)  # (unique site nodes, nodes)
    origin_ends = network.segment_nodes[origins.segment]  # (o, 2)
    origin_len = network.segment_length[origins.segment]
    site_len = network.segment_length[sites.segment]
    to_origin_end = np.stack([origins.offset, origin_len - origins.offset], axis=1)  # (o, 2)
    to_site_end = np.stack([sites.offset, site_len - sites.offset], axis=1)  # (s, 2)
    best = np.full((len(origins.segment), len(sites.segment)), np.inf)
    for a in (0, 1):
        for b in (0, 1):
            between = table[inverse[:, b]][:, origin_ends[:, a]].T  # (o, s)
            best = np.minimum(best, to_origin_end[:, a, None] + between + to_site_end[None, :, b])
    same = origins.segment[:, None] == sites.segment[None, :]
    along = np.abs(origins.offset[:, None] - sites.offset[None, :])
    best = np.where(same, np.minimum(best, along), best)
    return best + origins.distance[:, None] + sites.distance[None, :]


def compound_gates(
    polygons: np.ndarray, roads: np.ndarray, *, reach_m: float = 30.0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gates of each compound: the middle of its frontage on each road within ``reach_m``.

    For every road line within ``reach_m`` of a compound, the part of the compound's
    boundary within ``reach_m`` of that road is its frontage; the gate is the middle of
    the longest piece of it. A compound facing no road within ``reach_m`` gets one gate:
    the boundary point nearest to the nearest road. Gates of one compound closer than
    1 m to each other are merged.

    Returns
    -------
    gates, owner, frontage
        Gate points, the index of the polygon each belongs to (sorted by owner), and
        the length of the frontage it sits on (0 for a nearest-point gate).
    """
    lines = _lines(roads)
    if not len(lines):
        return np.array([], dtype=object), np.array([], dtype=np.int64), np.array([])
    polygons = np.asarray(polygons, dtype=object)
    boundaries = shapely.boundary(polygons)
    tree = STRtree(lines)
    gates: list[shapely.Point] = []
    owner: list[int] = []
    frontage: list[float] = []
    nearest = tree.query_nearest(polygons, all_matches=False)
    nearest_road = dict(zip(nearest[0].tolist(), nearest[1].tolist(), strict=True))
    for i, boundary in enumerate(boundaries):
        mine: list[shapely.Point] = []
        lengths: list[float] = []
        for k in sorted(tree.query(polygons[i], predicate="dwithin", distance=reach_m)):
            facing = shapely.line_merge(
                shapely.intersection(boundary, shapely.buffer(lines[k], reach_m))
            )
            pieces = shapely.get_parts(facing)
            pieces = pieces[shapely.get_type_id(pieces) == 1]
            if not len(pieces):
                continue
            piece_lengths = shapely.length(pieces)
            longest = pieces[int(np.argmax(piece_lengths))]
            gate = shapely.line_interpolate_point(longest, 0.5, normalized=True)
            if all(shapely.distance(gate, other) >= 1.0 for other in mine):
                mine.append(gate)
                lengths.append(float(piece_lengths.max()))
        if not mine and i in nearest_road:
            line = shapely.shortest_line(boundary, lines[nearest_road[i]])
            mine.append(shapely.get_point(line, 0))
            lengths.append(0.0)
        gates.extend(mine)
        owner.extend([i] * len(mine))
        frontage.extend(lengths)
    return (
        np.array(gates, dtype=object),
        np.array(owner, dtype=np.int64),
        np.array(frontage, dtype=float),
    )


def points_of(geometries: np.ndarray) -> np.ndarray:
    """Points as they are; any other geometry by a point on its surface."""
    geoms = np.asarray(geometries, dtype=object)
    if not len(geoms):
        return geoms
    is_point = shapely.get_type_id(geoms) == 0
    return np.where(is_point, geoms, shapely.point_on_surface(geoms))


def walk_matrix(
    origins: np.ndarray,
    sites: np.ndarray,
    *,
    network: StreetNetwork | None,
    roads: np.ndarray | None,
    gates: bool,
    detour_factor: float,
    gate_reach_m: float,
    precomputed: tuple[np.ndarray, np.ndarray] | None = None,
) -> tuple[np.ndarray, int, bool]:
    """Walks from origins to sites; pairs measured by detour; whether gates were used.

    A polygon walks from the nearest of its gates when ``gates`` (and there are streets),
    else from a point on its surface; ``precomputed`` gives the gates and the origin
    each belongs to when they are already known. Each start–site pair is walked along the streets
    when both attach to one component, else measured as the straight line × detour.
    """
    origins = np.asarray(origins, dtype=object)
    site_points = points_of(sites)
    starts = points_of(origins)
    if network is None or roads is None:
        straight = shapely.distance(starts[:, None], site_points[None, :])
        return straight * detour_factor, 0, False
    owner = np.arange(len(origins))
    if gates:
        if precomputed is None:
            polygonal = np.flatnonzero(np.isin(shapely.get_type_id(origins), (3, 6)))
            gate_points, local, _ = compound_gates(origins[polygonal], roads, reach_m=gate_reach_m)
            gate_owner = polygonal[local]
        else:
            gate_points, gate_owner = precomputed
        keep = np.setdiff1d(owner, np.unique(gate_owner))
        starts = np.concatenate([starts[keep], gate_points])
        owner = np.concatenate([keep, gate_owner])
        order = np.argsort(owner, kind="stable")
        starts, owner = starts[order], owner[order]
    walked = network_distances(
        network, attach_points(network, starts), attach_points(network, site_points)
    )
    fallback = shapely.distance(starts[:, None], site_points[None, :]) * detour_factor
    firsts = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])
    on_streets = np.minimum.reduceat(walked, firsts, axis=0)
    metres = np.minimum.reduceat(np.where(np.isinf(walked), fallback, walked), firsts, axis=0)
    return metres, int((on_streets > metres).sum()), gates


def dedupe_points(
    points: np.ndarray, within_m: float, blockers: np.ndarray | None = None
) -> np.ndarray:
    """Mask keeping the first of points closer than ``within_m`` and none near a blocker."""
    points = np.asarray(points, dtype=object)
    keep = np.ones(len(points), dtype=bool)
    if not len(points):
        return keep
    if blockers is not None and len(blockers):
        near = STRtree(blockers).query(points, predicate="dwithin", distance=within_m)
        keep[np.unique(near[0])] = False
    pairs = STRtree(points).query(points, predicate="dwithin", distance=within_m)
    later = pairs[:, pairs[0] < pairs[1]]
    # pairs sorted by their first member: each is final when its pairs come up
    for a, b in sorted(zip(later[0].tolist(), later[1].tolist(), strict=True)):
        if keep[a]:
            keep[b] = False
    return keep
