"""Walking distances from compounds to sites, along the streets or the straight line × detour.

See :mod:`jinfeng_grid.posts.siting` for how walks are measured; the street network
itself is built in :mod:`jinfeng_grid.posts.network`.
"""

from __future__ import annotations

import logging
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from jinfeng_grid.crs import is_metric
from jinfeng_grid.errors import ConfigError, GeometryError
from jinfeng_grid.posts import network as net
from jinfeng_grid.posts.result import OriginPoints, WalkDistances
from jinfeng_grid.posts.tables import check_positive

__all__ = ["walk_distances"]

logger = logging.getLogger(__name__)


def walk_distances(
    origins: gpd.GeoDataFrame | gpd.GeoSeries,
    sites: gpd.GeoDataFrame | gpd.GeoSeries,
    *,
    roads: gpd.GeoDataFrame | gpd.GeoSeries | None = None,
    origin_points: OriginPoints = "gates",
    detour_factor: float = 1.3,
    snap_m: float = 2.0,
    gate_reach_m: float = 30.0,
) -> WalkDistances:
    """Walking distances from origins (compounds, points) to sites (points).

    Parameters
    ----------
    origins
        Compound polygons or points, in a metric CRS; rows of the result follow their
        index.
    sites
        Points (other geometries use a point on their surface); the columns.
    roads
        Street lines; ``None`` or empty measures the straight line × ``detour_factor``.
    origin_points
        ``gates``: a polygon walks from its nearest gate (the middle of its frontage on
        a road within ``gate_reach_m``); ``point``: from a point inside it.
    detour_factor
        Multiplies straight lines where no street path exists (≥ 1).
    snap_m
        Line ends within this distance of another street are joined to it.

    Returns
    -------
    WalkDistances

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> roads = gpd.GeoSeries([shapely.LineString([(0, 0), (1000, 0)]),
    ...                        shapely.LineString([(1000, 0), (1000, 1000)])], crs=4544)
    >>> homes = gpd.GeoSeries([shapely.Point(0, 10)], crs=4544)
    >>> posts = gpd.GeoSeries([shapely.Point(990, 1000)], crs=4544)
    >>> walk_distances(homes, posts, roads=roads).metres.iloc[0, 0].round(1)
    np.float64(2020.0)
    """
    check_positive(detour_factor, "detour_factor", "1.3 is usual for a city street grid")
    if detour_factor < 1:
        raise ConfigError(f"detour_factor must be at least 1, got {detour_factor}")
    if origin_points not in ("gates", "point"):
        raise ConfigError(f"origin_points must be 'gates' or 'point', got {origin_points!r}")
    crs = origins.crs
    if crs is None or not is_metric(crs):
        raise GeometryError(
            "origins must be in a metric CRS (metres) to measure walks: reproject them, e.g. "
            "with jinfeng_grid.crs.to_working_crs"
        )
    sites = sites.to_crs(crs) if sites.crs is not None else sites
    road_geoms, network = _streets(roads, crs, snap_m)
    metres, detour_pairs, used = net.walk_matrix(
        np.asarray(origins.geometry.values, dtype=object),
        np.asarray(sites.geometry.values, dtype=object),
        roads=road_geoms,
        network=network,
        gates=origin_points == "gates",
        detour_factor=detour_factor,
        gate_reach_m=gate_reach_m,
    )
    method = _method(network, detour_pairs)
    return WalkDistances(
        pd.DataFrame(metres, index=origins.index, columns=sites.index),
        method,
        float(detour_factor),
        detour_pairs,
        0 if network is None else network.n_components,
        "gates" if used else "point",
    )


def _streets(
    roads: gpd.GeoDataFrame | gpd.GeoSeries | None, crs: Any, snap_m: float
) -> tuple[np.ndarray | None, net.StreetNetwork | None]:
    """Road lines in ``crs`` and their street network; ``None`` when there are no lines."""
    if roads is None or not len(roads):
        return None, None
    if roads.crs is not None:
        roads = roads.to_crs(crs)
    geoms = np.asarray(roads.geometry.values, dtype=object)
    geoms = geoms[~(shapely.is_missing(geoms) | shapely.is_empty(geoms))]
    network = net.build_street_network(geoms, snap_m=snap_m) if len(geoms) else None
    if network is None or not len(network.segments):
        logger.warning("the roads layer has no lines: walks are straight lines x detour")
        return None, None
    return geoms, network


def _method(network: net.StreetNetwork | None, detour_pairs: int) -> str:
    if network is None:
        return "straight_line"
    return "network+detour" if detour_pairs else "network"
