"""Coordinate reference systems: the metric working CRS, and GCJ-02 for Chinese web tiles.

Lengths, gaps and areas are computed in a metric *working CRS*: inside China's
longitudes the CGCS2000 3-degree Gauss-Krüger zone of the data's central longitude
(EPSG:4534-4554, central meridian 75°E-135°E, without the zone prefix in the easting;
105°E is EPSG:4544, which covers Yinchuan), elsewhere the WGS 84 UTM zone. Data
already in a projected metric CRS stay in it.

GCJ-02 is the obfuscated datum of AMap/Gaode tiles; :func:`wgs84_to_gcj02` and
:func:`gcj02_to_wgs84` implement the public algorithm (accurate to well under a
metre after the inverse iteration), for drawing data on those tiles.
"""

from __future__ import annotations

import logging
from typing import TypeVar

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pyproj

from jinfeng_grid.errors import GeometryError

__all__ = [
    "gcj02_to_wgs84",
    "is_metric",
    "to_working_crs",
    "wgs84_to_gcj02",
    "working_crs",
]

logger = logging.getLogger(__name__)

# CGCS2000 / 3-degree Gauss-Kruger CM 75E is EPSG:4534, ..., CM 135E is EPSG:4554.
_GK3_FIRST_EPSG = 4534
_GK3_FIRST_CM = 75
_GK3_LAST_CM = 135
# latitudes where the CGCS2000 zones are the national choice (mainland and islands)
_CHINA_LAT = (3.0, 54.0)

Frame = TypeVar("Frame", gpd.GeoDataFrame, gpd.GeoSeries)


def _central_lonlat(data: gpd.GeoDataFrame | gpd.GeoSeries) -> tuple[float, float]:
    if data.crs is None:
        raise GeometryError("the layer has no CRS: give one with --crs (e.g. --crs EPSG:4490)")
    valid = data.geometry[~(data.geometry.isna() | data.geometry.is_empty)]
    if valid.empty:
        raise GeometryError("the layer has no geometry to choose a working CRS from")
    minx, miny, maxx, maxy = valid.total_bounds
    centre = gpd.GeoSeries(
        gpd.points_from_xy([(minx + maxx) / 2], [(miny + maxy) / 2]), crs=data.crs
    ).to_crs("EPSG:4326")
    return float(centre.x.iloc[0]), float(centre.y.iloc[0])


def working_crs(
    data: gpd.GeoDataFrame | gpd.GeoSeries | tuple[float, float],
) -> pyproj.CRS:
    """Choose the metric working CRS for a layer or a ``(lon, lat)`` point.

    Parameters
    ----------
    data
        A layer with a CRS (its bounding-box centre decides), or a longitude and
        latitude in degrees.

    Returns
    -------
    pyproj.CRS
        The CRS of the layer itself when it is already projected in metres; else the
        CGCS2000 3-degree Gauss-Krüger zone (central meridian ``3° · round(lon / 3)``)
        inside China's longitudes 73.5°E-136.5°E, else the WGS 84 UTM zone.

    Examples
    --------
    >>> working_crs((106.23, 38.49)).to_epsg()  # Yinchuan
    4544
    """
    if isinstance(data, gpd.GeoDataFrame | gpd.GeoSeries):
        if data.crs is not None and is_metric(data.crs):
            return pyproj.CRS.from_user_input(data.crs)
        lon, lat = _central_lonlat(data)
    else:
        lon, lat = (float(v) for v in data)
    central_meridian = 3 * round(lon / 3)
    if _GK3_FIRST_CM <= central_meridian <= _GK3_LAST_CM and _CHINA_LAT[0] <= lat <= _CHINA_LAT[1]:
        return pyproj.CRS.from_epsg(_GK3_FIRST_EPSG + (central_meridian - _GK3_FIRST_CM) // 3)
    zone = min(int((lon + 180) // 6) + 1, 60)
    return pyproj.CRS.from_epsg((32600 if lat >= 0 else 32700) + zone)


def is_metric(crs: pyproj.CRS | str | int) -> bool:
    """Whether ``crs`` is projected with both axes in metres."""
    crs = pyproj.CRS.from_user_input(crs)
    if not crs.is_projected:
        return False
    return all(axis.unit_name in ("metre", "meter") for axis in crs.axis_info[:2])


def to_working_crs(data: Frame, *, crs: pyproj.CRS | str | int | None = None) -> Frame:
    """Return ``data`` in its metric working CRS, remembering the input CRS.

    Parameters
    ----------
    data
        A layer as read.
    crs
        The CRS of a file that has none (``--crs``); must not contradict one the
        file has.

    Returns
    -------
    GeoDataFrame or GeoSeries
        A copy in the working CRS with ``attrs["input_crs"]`` set to the input CRS
        (WKT), so outputs can be written back in it.

    Raises
    ------
    GeometryError
        If the layer has no CRS and none is given, or the given one contradicts it.
    """
    if crs is not None:
        given = pyproj.CRS.from_user_input(crs)
        if data.crs is None:
            data = data.set_crs(given)
        elif not pyproj.CRS.from_user_input(data.crs).equals(given, ignore_axis_order=True):
            raise GeometryError(
                f"the layer's CRS is {data.crs.to_string()} but --crs says {given.to_string()}: "
                "drop --crs (it is only for files without a CRS) or fix the file"
            )
    if data.crs is None:
        raise GeometryError(
            "the layer has no CRS (a Shapefile without .prj, or a CSV-like source): give one "
            "with --crs, e.g. --crs EPSG:4490 for CGCS2000 longitude/latitude or "
            "--crs EPSG:4544 for Gauss-Krüger metres around 105°E"
        )
    input_crs = pyproj.CRS.from_user_input(data.crs)
    target = working_crs(data)
    out = data if input_crs.equals(target) else data.to_crs(target)
    out = out.copy()
    out.attrs["input_crs"] = input_crs.to_wkt()
    out.attrs["working_crs"] = target.to_wkt()
    logger.debug("crs: %s -> %s", input_crs.name, target.name)
    return out


# --- GCJ-02 (the public "eviltransform" algorithm) ---------------------------------

_GCJ_A = 6378245.0
_GCJ_EE = 0.00669342162296594323


def _outside_china(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    return (lon < 72.004) | (lon > 137.8347) | (lat < 0.8293) | (lat > 55.8271)


def _gcj_delta(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x, y = lon - 105.0, lat - 35.0
    pi = np.pi
    common = (20.0 * np.sin(6.0 * x * pi) + 20.0 * np.sin(2.0 * x * pi)) * 2.0 / 3.0
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
    dlat += common
    dlat += (20.0 * np.sin(y * pi) + 40.0 * np.sin(y / 3.0 * pi)) * 2.0 / 3.0
    dlat += (160.0 * np.sin(y / 12.0 * pi) + 320.0 * np.sin(y * pi / 30.0)) * 2.0 / 3.0
    dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
    dlon += common
    dlon += (20.0 * np.sin(x * pi) + 40.0 * np.sin(x / 3.0 * pi)) * 2.0 / 3.0
    dlon += (150.0 * np.sin(x / 12.0 * pi) + 300.0 * np.sin(x / 30.0 * pi)) * 2.0 / 3.0
    radlat = lat / 180.0 * pi
    magic = 1.0 - _GCJ_EE * np.sin(radlat) ** 2
    sqrt_magic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_GCJ_A * (1.0 - _GCJ_EE)) / (magic * sqrt_magic) * pi)
    dlon = (dlon * 180.0) / (_GCJ_A / sqrt_magic * np.cos(radlat) * pi)
    outside = _outside_china(lon, lat)
    return np.where(outside, 0.0, dlon), np.where(outside, 0.0, dlat)


def wgs84_to_gcj02(
    lon: npt.ArrayLike, lat: npt.ArrayLike
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Shift WGS 84 (or CGCS2000) longitudes/latitudes to GCJ-02 (AMap/Gaode tiles).

    Points outside China are returned unchanged, as the algorithm defines.
    """
    lon_a, lat_a = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    dlon, dlat = _gcj_delta(lon_a, lat_a)
    return lon_a + dlon, lat_a + dlat


def gcj02_to_wgs84(
    lon: npt.ArrayLike, lat: npt.ArrayLike, *, iterations: int = 5
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Invert :func:`wgs84_to_gcj02` by fixed-point iteration (error ≪ 1 m)."""
    target_lon, target_lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    out_lon, out_lat = target_lon.copy(), target_lat.copy()
    for _ in range(iterations):
        fwd_lon, fwd_lat = wgs84_to_gcj02(out_lon, out_lat)
        out_lon += target_lon - fwd_lon
        out_lat += target_lat - fwd_lat
    return out_lon, out_lat
