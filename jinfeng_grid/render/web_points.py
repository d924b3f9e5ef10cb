"""Points of the interactive map: police rooms, health stations or sited posts, and
their walk-coverage circles.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import folium
import geopandas as gpd
import pandas as pd
import shapely

from jinfeng_grid import io
from jinfeng_grid.errors import InputDataError
from jinfeng_grid.render.popups import (
    code_text,
    count_value,
    display_text,
    popup_html,
    tooltip_html,
)
from jinfeng_grid.render.web_features import (
    LAYER_NAMES,
    display_geometry,
    drop_empty,
    feature_collection,
    frame_records,
    geojson_layer,
    layer_group,
)

__all__ = [
    "KIND_COLOURS",
    "KIND_LABELS",
    "OTHER_KIND_COLOUR",
    "kind_colour",
    "kind_label",
    "points_layers",
    "read_posts",
]

KIND_COLOURS: dict[str, str] = {"police_room": "#2171b5", "health_station": "#e7298a"}
OTHER_KIND_COLOUR = "#6a3d9a"
KIND_LABELS: dict[str, str] = {
    "police_room": "警务室 Police room",
    "health_station": "卫生服务站 Health station",
}


def _first(row: Mapping[str, Any], *columns: str) -> Any:
    """The value of the first of ``columns`` that the row has and is not missing."""
    for column in columns:
        value = row.get(column)
        if value is not None and (isinstance(value, str) or not pd.isna(value)):
            return value
    return None


def kind_colour(kind: str) -> str:
    return KIND_COLOURS.get(kind, OTHER_KIND_COLOUR)


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, kind or "站点 post")


def points_layers(
    points: gpd.GeoDataFrame,
    *,
    key: str,
    gcj02: bool,
    radius_m: float,
    walk_minutes: float,
) -> tuple[folium.FeatureGroup, folium.FeatureGroup]:
    id_column = "post_id" if "post_id" in points.columns else "id"
    frame = drop_empty(points, LAYER_NAMES[key], id_column)
    geometry = display_geometry(frame, gcj02=gcj02)
    geometry = gpd.GeoSeries(shapely.point_on_surface(geometry.to_numpy()), index=geometry.index)
    props = []
    for row in frame_records(frame):
        kind = display_text(row.get("kind"))
        status = display_text(row.get("status"))
        new = status == "new"
        label = kind_label(kind)
        title = row.get("name") if display_text(row.get("name")) else label
        status_text = {"new": "新设 New", "existing": "已有 Existing"}.get(status, status)
        walk_m = row.get("walk_m")
        props.append(
            {
                "k": kind,
                "n": new,
                "tip": tooltip_html(title, label + (" · " + status_text if status_text else "")),
                "pop": popup_html(
                    title,
                    label,
                    [
                        ("编号 Id", code_text(row.get(id_column))),
                        ("状态 Status", status_text),
                        ("社区 Community", _first(row, "community_name", "community")),
                        (
                            "步行可达户数 Households within the walk",
                            _first(row, "households_covered", "covered_households"),
                        ),
                        ("就近服务户数 Households served (nearest)", row.get("households_served")),
                        (
                            "步行距离 Walk (along streets)",
                            None if count_value(walk_m) is None else f"{count_value(walk_m):,} m",
                        ),
                        (
                            "图上圆圈 Circle on the map",
                            f"{radius_m:,.0f} m 直线 straight line",
                        ),
                    ],
                ),
            }
        )
    data = feature_collection(geometry, props, LAYER_NAMES[key])

    def point_style(feature: dict[str, Any]) -> dict[str, Any]:
        p = feature["properties"]
        return {
            "fill": True,
            "color": "#000000" if p["n"] else "#ffffff",
            "weight": 2.5 if p["n"] else 1.5,
            "fillColor": kind_colour(p["k"]),
            "fillOpacity": 0.95,
            "radius": 8 if p["n"] else 6,
        }

    group = layer_group(key, show=True)
    geojson_layer(data, style=point_style, marker=folium.CircleMarker(radius=6), popup=True).add_to(
        group
    )

    def circle_style(feature: dict[str, Any]) -> dict[str, Any]:
        colour = kind_colour(feature["properties"]["k"])
        return {
            "color": colour,
            "weight": 1.0,
            "opacity": 0.7,
            "dashArray": "4 4",
            "fill": True,
            "fillColor": colour,
            "fillOpacity": 0.06,
        }

    coverage_data = {
        "type": "FeatureCollection",
        "features": [{**f, "properties": {"k": f["properties"]["k"]}} for f in data["features"]],
    }
    coverage = layer_group(
        "coverage", show=False, suffix=f" ({walk_minutes:g} min, {radius_m:,.0f} m)"
    )
    geojson_layer(
        coverage_data,
        style=circle_style,
        marker=folium.Circle(radius=radius_m),
        interactive=False,
    ).add_to(coverage)
    return group, coverage


def read_posts(posts: gpd.GeoDataFrame | str | Path) -> gpd.GeoDataFrame:
    """Posts as a GeoDataFrame: a frame as is, or layer ``posts`` of a file.

    Raises
    ------
    InputDataError
        If the file has no layer ``posts``, or the posts have no ``kind`` column or
        are not points.
    """
    if isinstance(posts, str | Path):
        frame = io.read_layer(posts, layer="posts")
        where = f"layer 'posts' of {Path(posts).name}"
    else:
        frame = posts
        where = "the posts"
    if not isinstance(frame, gpd.GeoDataFrame) or frame.geometry.name not in frame.columns:
        raise InputDataError(f"{where} have no geometry: give point posts")
    if "kind" not in frame.columns:
        raise InputDataError(
            f"{where} have no column 'kind' (police_room, health_station, ...); columns: "
            f"{', '.join(str(c) for c in frame.columns if c != frame.geometry.name)}"
        )
    kinds = set(shapely.get_type_id(frame.geometry.dropna().to_numpy()).tolist())
    if kinds - {0, 4}:
        raise InputDataError(f"{where} must be points; found other geometry types")
    if frame.crs is None:
        raise InputDataError(f"{where} have no CRS: set one (e.g. EPSG:4544) before drawing")
    return frame
