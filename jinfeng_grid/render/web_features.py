"""GeoJSON features of the interactive map: display geometry, feature collections, styles.

Layers are simplified by ~1 m in the metric working CRS, projected to WGS 84 and, for
AMap/Gaode tiles, shifted to GCJ-02 (:func:`display_geometry`); each feature carries
its tooltip and popup HTML as properties.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from folium.features import GeoJsonPopup, GeoJsonTooltip

from jinfeng_grid import crs as jcrs
from jinfeng_grid.errors import InputDataError
from jinfeng_grid.render.popups import STATUS_COLOURS, esc

__all__ = [
    "COMMUNITY_LINE",
    "COMPOUND_LINE",
    "CURRENT_LINE",
    "DECIMALS",
    "GRID_LINE",
    "LAYER_NAMES",
    "ROAD_COLOURS",
    "SIMPLIFY_M",
    "SUBDISTRICT_LINE",
    "column_or_none",
    "display_geometry",
    "drop_empty",
    "feature_collection",
    "frame_records",
    "geojson_layer",
    "highlight_style",
    "layer_group",
    "polygon_style",
    "subdistrict_style",
]

logger = logging.getLogger(__name__)

#: Simplification tolerance in metres of the metric working CRS.
SIMPLIFY_M = 1.0
#: Decimals of displayed degrees (1e-6° ≈ 0.1 m).
DECIMALS = 6

LAYER_NAMES: dict[str, str] = {
    "subdistricts": "街道 Subdistricts",
    "communities": "社区（规划）Proposed communities",
    "labels": "社区名称 Community names",
    "current": "社区（现状）Current communities",
    "grids": "网格 Grids",
    "compounds": "小区 Compounds",
    "roads": "道路 Roads",
    "facilities": "警务室与卫生站 Police rooms and health stations",
    "posts": "服务站点 Posts",
    "coverage": "步行覆盖 Walk coverage",
}
"""Overlay names in the layer control, by layer key."""

SUBDISTRICT_LINE = "#252525"
COMMUNITY_LINE = "#08306b"
CURRENT_LINE = "#ae017e"
GRID_LINE = "#525252"
COMPOUND_LINE = "#737373"
ROAD_COLOURS = {"arterial": "#8c6d31", "local": "#bdbdbd"}


# --- display geometry ---------------------------------------------------------------


def display_geometry(frame: gpd.GeoDataFrame | gpd.GeoSeries, *, gcj02: bool) -> gpd.GeoSeries:
    """Geometries as drawn: simplified ~1 m, in WGS 84 (or GCJ-02), 6 decimals.

    Parameters
    ----------
    frame
        A layer with a CRS (any; geographic ones are simplified in their working CRS).
    gcj02
        Shift to GCJ-02 for AMap/Gaode tiles.
    """
    geometry = frame.geometry if isinstance(frame, gpd.GeoDataFrame) else frame
    if geometry.crs is None:
        raise InputDataError("a layer to draw has no CRS: give its data a CRS before drawing")
    if not jcrs.is_metric(geometry.crs):
        geometry = jcrs.to_working_crs(geometry)
    values = geometry.to_numpy()
    lines = shapely.get_dimensions(values) > 0
    values = values.copy()
    values[lines] = shapely.simplify(values[lines], SIMPLIFY_M, preserve_topology=True)
    out = gpd.GeoSeries(values, index=geometry.index, crs=geometry.crs).to_crs("EPSG:4326")

    def shift(xy: np.ndarray) -> np.ndarray:
        if gcj02:
            lon, lat = jcrs.wgs84_to_gcj02(xy[:, 0], xy[:, 1])
            xy = np.column_stack([lon, lat])
        return np.round(xy, DECIMALS)

    return gpd.GeoSeries(shapely.transform(out.to_numpy(), shift), index=out.index, crs="EPSG:4326")


# --- layers ------------------------------------------------------------------------------


def feature_collection(
    geometry: gpd.GeoSeries, properties: list[dict[str, Any]], what: str
) -> dict[str, Any]:
    features = []
    for position, (geom, props) in enumerate(zip(geometry.to_numpy(), properties, strict=True)):
        if geom is None or geom.is_empty:
            continue
        features.append(
            {
                "type": "Feature",
                "id": str(position),
                "properties": props,
                "geometry": shapely.geometry.mapping(geom),
            }
        )
    missing = len(properties) - len(features)
    if missing:
        logger.warning("map: %d %s without geometry are not drawn", missing, what)
    return {"type": "FeatureCollection", "features": features}


def drop_empty(frame: gpd.GeoDataFrame, what: str, id_column: str | None) -> gpd.GeoDataFrame:
    empty = frame.geometry.isna() | frame.geometry.is_empty
    if empty.any():
        ids = (
            frame.loc[empty, id_column].astype(str).tolist()
            if id_column in frame.columns
            else [str(i) for i in frame.index[empty]]
        )
        logger.warning(
            "map: %d %s have no geometry and are not drawn: %s",
            int(empty.sum()),
            what,
            ", ".join(ids[:10]) + (" ..." if len(ids) > 10 else ""),
        )
    return frame.loc[~empty]


def geojson_layer(
    data: dict[str, Any],
    *,
    style: Callable[[dict[str, Any]], dict[str, Any]],
    highlight: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
    marker: folium.CircleMarker | folium.Circle | None = None,
    popup: bool = True,
    tooltip: bool = True,
    interactive: bool = True,
) -> folium.GeoJson:
    options: dict[str, Any] = {}
    if not interactive:
        options["interactive"] = False
    layer = folium.GeoJson(
        data,
        style_function=style,
        highlight_function=highlight,
        marker=marker,
        control=False,
        **options,
    )
    if data["features"] and interactive:
        if tooltip:
            GeoJsonTooltip(
                fields=["tip"], labels=False, sticky=True, class_name="jg-tooltip"
            ).add_to(layer)
        if popup:
            GeoJsonPopup(
                fields=["pop"],
                labels=False,
                localize=False,
                class_name="jg-popup",
                max_width=420,
            ).add_to(layer)
    return layer


def layer_group(key: str, *, show: bool, suffix: str = "") -> folium.FeatureGroup:
    return folium.FeatureGroup(name=esc(LAYER_NAMES[key] + suffix), show=show)


def polygon_style(
    line: str, weight: float, *, fill: bool, fill_opacity: float = 0.0, dash: str | None = None
) -> Callable[[dict[str, Any]], dict[str, Any]]:
    def style(feature: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {"color": line, "weight": weight, "opacity": 0.9, "fill": fill}
        if fill:
            colour = STATUS_COLOURS.get(feature["properties"].get("s", ""), "#ffffff")
            out.update(fillColor=colour, fillOpacity=fill_opacity)
        if dash:
            out["dashArray"] = dash
        return out

    return style


def highlight_style(weight: float) -> Callable[[dict[str, Any]], dict[str, Any]]:
    def style(feature: dict[str, Any]) -> dict[str, Any]:
        return {"weight": weight, "color": "#ffff00"}

    return style


def column_or_none(frame: pd.DataFrame, name: str) -> pd.Series:
    if name in frame.columns:
        return frame[name]
    return pd.Series([None] * len(frame), index=frame.index, dtype=object)


def frame_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return frame.drop(columns=frame.geometry.name).to_dict("records")  # type: ignore[attr-defined]


def subdistrict_style(feature: dict[str, Any]) -> dict[str, Any]:
    # a wide translucent band under the communities, as admin boundaries are drawn
    # on maps, so that community lines stay crisp where both run together
    return {"color": SUBDISTRICT_LINE, "weight": 9.0, "opacity": 0.3, "fill": False}
