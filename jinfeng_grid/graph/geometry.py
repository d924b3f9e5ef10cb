"""Geometry kernels of the adjacency graphs: candidate pairs, frontage, barriers.

Everything here works on shapely arrays in a metric CRS and returns numpy arrays,
so :mod:`jinfeng_grid.graph` only assembles networkx graphs. Pairs come from an
STRtree query; the per-pair measures are vectorised shapely calls (no Python loop
over pairs).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import shapely

# distances below this count as touching (coordinates are metres)
TOUCH_EPS_M = 1e-6


@dataclass(frozen=True)
class PairMeasures:
    """Measures of candidate pairs ``(left[k], right[k])`` with ``left < right``."""

    left: npt.NDArray[np.intp]
    right: npt.NDArray[np.intp]
    gap: npt.NDArray[np.float64]
    shared: npt.NDArray[np.float64]
    facing: npt.NDArray[np.float64]
    corridor: npt.NDArray[np.object_]


def candidate_pairs(
    geoms: npt.NDArray[np.object_], distance: float
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """Index pairs ``i < j`` of geometries within ``distance`` of each other."""
    tree = shapely.STRtree(geoms)
    if distance > 0:
        left, right = tree.query(geoms, predicate="dwithin", distance=distance)
    else:
        left, right = tree.query(geoms, predicate="intersects")
    keep = left < right
    return left[keep], right[keep]


def measure_pairs(
    geoms: npt.NDArray[np.object_],
    left: npt.NDArray[np.intp],
    right: npt.NDArray[np.intp],
    *,
    gap_tolerance_m: float,
) -> PairMeasures:
    """Shared boundary and facing frontage of each candidate pair.

    ``shared`` is the length of the common boundary of touching polygons (0 at a
    corner). ``facing`` is the frontage across a gap ``d``: the mean over both sides
    of the boundary length within ``gap_tolerance_m`` of the other polygon, minus
    ``2 (g - d)``, the boundary that wraps round the ends of a facing stretch. Two
    parallel sides of length ``S`` facing each other across a street get ``S``; two
    corners meeting diagonally get at most ``0.16 g``.
    ``corridor`` is the convex hull of both facing stretches: the street between them,
    where a barrier line would lie.
    """
    g = float(gap_tolerance_m)
    a, b = geoms[left], geoms[right]
    gap = shapely.distance(a, b)
    bound_a, bound_b = shapely.boundary(a), shapely.boundary(b)
    touching = gap <= TOUCH_EPS_M
    shared = np.zeros(len(left))
    if touching.any():
        shared[touching] = shapely.length(
            shapely.intersection(bound_a[touching], bound_b[touching])
        )
    if g > 0:
        unique = np.unique(np.concatenate([left, right]))
        buffers = np.empty(len(geoms), dtype=object)
        buffers[unique] = shapely.buffer(geoms[unique], g)
        part_a = shapely.intersection(bound_a, buffers[right])
        part_b = shapely.intersection(bound_b, buffers[left])
        raw = (shapely.length(part_a) + shapely.length(part_b)) / 2
        facing = np.maximum(raw - 2 * np.maximum(g - gap, 0.0), 0.0)
        corridor = shapely.convex_hull(shapely.union(part_a, part_b))
    else:
        facing = np.zeros(len(left))  # no gap tolerance: only shared boundaries count
        corridor = shapely.intersection(bound_a, bound_b)
    return PairMeasures(
        left=left, right=right, gap=gap, shared=shared, facing=facing, corridor=corridor
    )


def crosses(
    corridors: npt.NDArray[np.object_], barriers: npt.NDArray[np.object_]
) -> npt.NDArray[np.bool_]:
    """Whether each corridor geometry intersects any barrier geometry."""
    out = np.zeros(len(corridors), dtype=bool)
    if len(barriers) == 0 or len(corridors) == 0:
        return out
    tree = shapely.STRtree(barriers)
    hit, _ = tree.query(corridors, predicate="intersects")
    out[np.unique(hit)] = True
    return out


def nearest_outside(
    geoms: npt.NDArray[np.object_], inside: npt.NDArray[np.bool_]
) -> tuple[int, int, float]:
    """The closest pair ``(i, j, distance)`` with ``i`` inside and ``j`` outside a set."""
    inner = np.flatnonzero(inside)
    outer = np.flatnonzero(~inside)
    tree = shapely.STRtree(geoms[outer])
    (src, dst), dist = tree.query_nearest(geoms[inner], return_distance=True, all_matches=False)
    best = int(np.argmin(dist))
    return int(inner[src[best]]), int(outer[dst[best]]), float(dist[best])


def nearest_pair(
    geoms_a: npt.NDArray[np.object_], geoms_b: npt.NDArray[np.object_]
) -> tuple[int, int, float]:
    """Closest pair between two small geometry arrays (indices into each, distance)."""
    matrix = shapely.distance(geoms_a[:, None], geoms_b[None, :])
    i, j = np.unravel_index(int(np.argmin(matrix)), matrix.shape)
    return int(i), int(j), float(matrix[i, j])
