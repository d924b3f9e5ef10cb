"""The layers drawn on the print maps: unit fills, roads, boundaries, facilities.

Units are filled so that neighbours differ (:func:`unit_colours`); roads are drawn as
on Chinese maps with their names as labels; the district, subdistrict and community
boundaries and the police rooms and health stations carry their legend handles.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import networkx as nx
import pandas as pd
from matplotlib import patheffects as pe
from matplotlib.axes import Axes
from matplotlib.lines import Line2D

from jinfeng_grid.errors import InputDataError
from jinfeng_grid.plan.outline import outline
from jinfeng_grid.render.labels import Label

if TYPE_CHECKING:
    from jinfeng_grid.plan.value import Plan

__all__ = [
    "DISTRICT_GENERALISATION_M",
    "PALETTE",
    "admin_handles",
    "district_outline",
    "draw_roads",
    "facility_layer",
    "require_columns",
    "road_handles",
    "subdistrict_lines",
    "unit_colours",
    "view_box",
]

logger = logging.getLogger(__name__)

#: The closing, in metres, that turns the union of the community outlines into the
#: district's silhouette for its 区界 line: a cartographic generalisation (wide enough
#: to close arterial roads, parks and squares between communities, not the district's
#: bays), not the outline of a unit, which is closed at the scenario's closing distance.
DISTRICT_GENERALISATION_M = 400.0

#: Fills that neighbouring units never share (graph colouring), soft enough to print.
PALETTE = (
    "#f7d9a8",
    "#c9e3b5",
    "#bcd6ee",
    "#f4c4c9",
    "#ddd0ec",
    "#f9eba2",
    "#c3e6df",
    "#e9d3bf",
)


# --- colouring ----------------------------------------------------------------------------


def unit_colours(units: gpd.GeoDataFrame, key: str, *, gap_m: float = 30.0) -> dict[str, str]:
    """A fill per unit such that units within ``gap_m`` of each other differ (DSatur)."""
    ids = units[key].astype(str).tolist()
    graph = nx.Graph()
    graph.add_nodes_from(sorted(ids))
    geoms = units.geometry.buffer(gap_m / 2).reset_index(drop=True)
    left, right = geoms.sindex.query(geoms, predicate="intersects")
    for a, b in zip(left, right, strict=True):
        if a < b:
            graph.add_edge(ids[a], ids[b])
    colouring = nx.greedy_color(graph, strategy="saturation_largest_first")
    return {unit: PALETTE[colouring[unit] % len(PALETTE)] for unit in ids}


# --- layers -------------------------------------------------------------------------------


def draw_roads(ax: Axes, roads: gpd.GeoDataFrame | None, k: float, *, local: bool) -> list[Label]:
    """Roads as on Chinese maps (arterials cased in grey, filled yellow); their name labels."""
    if roads is None or roads.empty:
        return []
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    shown = roads.cx[x0:x1, y0:y1]
    cls = (
        shown["class"].astype(str) if "class" in shown.columns else pd.Series("local", shown.index)
    )
    labels: list[Label] = []
    layers = [("arterial", 3.6 * k, 2.4 * k, "#f2c14e", 6)]
    if local:
        layers.insert(0, ("local", 1.6 * k, 0.9 * k, "#ffffff", 5))
    for kind, casing, fill, colour, z in layers:
        part = shown[cls == kind]
        if part.empty:
            continue
        part.plot(ax=ax, color="#8c8c8c", linewidth=casing, zorder=z)
        part.plot(ax=ax, color=colour, linewidth=fill, zorder=z + 0.1)
        if "name" not in part.columns:
            continue
        for name, group in part.groupby(part["name"].astype(str), sort=True):
            if not name or name == "nan":
                continue
            line = group.geometry.union_all().intersection(view_box(ax))
            parts = [g for g in getattr(line, "geoms", [line]) if g.length > 0]
            if not parts:
                continue
            longest = max(parts, key=lambda g: g.length)
            mid = longest.interpolate(0.5, normalized=True)
            a = longest.interpolate(0.45, normalized=True)
            b = longest.interpolate(0.55, normalized=True)
            angle = math.degrees(math.atan2(b.y - a.y, b.x - a.x))
            if angle > 90:
                angle -= 180
            elif angle <= -90:
                angle += 180
            labels.append(
                Label(
                    mid.x,
                    mid.y,
                    name,
                    size=(8.0 if kind == "arterial" else 6.5) * k,
                    priority=(3e6 if kind == "arterial" else 1e4) + longest.length,
                    color="#5a4a1a" if kind == "arterial" else "#555555",
                    rotation=round(angle, 1),
                    shift=False,
                )
            )
    return labels


def view_box(ax: Axes) -> Any:
    """The area the axes show, as a shapely box in data coordinates."""
    from shapely.geometry import box

    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    return box(x0, y0, x1, y1)


def district_outline(ax: Axes, communities: gpd.GeoDataFrame, k: float) -> None:
    """区界: a broad soft band under a dash-dot line round the district (outer rings only).

    The district is the union of the plan's community outlines, generalised by
    :data:`DISTRICT_GENERALISATION_M` so that the line runs round the district, not
    along the arterial roads, parks and squares between its communities.
    """
    from shapely.geometry import Polygon as ShapelyPolygon

    area = outline(communities.geometry.to_numpy(), closing_m=DISTRICT_GENERALISATION_M)
    rings = [ShapelyPolygon(part.exterior) for part in getattr(area, "geoms", [area])]
    boundary = gpd.GeoSeries(rings, crs=communities.crs).boundary
    boundary.plot(ax=ax, color="#d9c4e3", linewidth=7 * k, zorder=7)
    boundary.plot(
        ax=ax, color="#6a3d9a", linewidth=1.4 * k, linestyle=(0, (8, 2, 1.5, 2)), zorder=7.1
    )


def subdistrict_lines(
    ax: Axes, plan: Plan, k: float, *, closing_m: float
) -> gpd.GeoDataFrame | None:
    """街道界: each subdistrict outlined at ``closing_m`` (the scenario's closing distance)."""
    subs = plan.subdistricts
    if subs is None or subs.empty:
        return None
    outlines = [outline(g, closing_m=closing_m) for g in subs.geometry.to_numpy()]
    gpd.GeoSeries(outlines, crs=subs.crs).boundary.plot(
        ax=ax, color="#6a3d9a", linewidth=1.1 * k, linestyle=(0, (5, 1.5, 1, 1.5)), zorder=6.5
    )
    return subs


def facility_layer(ax: Axes, facilities: gpd.GeoDataFrame | None, k: float) -> list[Any]:
    """Police rooms and health stations as symbols; their legend handles."""
    if facilities is None or facilities.empty or "kind" not in facilities.columns:
        return []
    handles = []
    styles = {
        "police_room": ("^", "#1f4e9c", "社区警务室"),
        "health_station": ("P", "#c62828", "社区卫生服务站"),
    }
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    shown = facilities.cx[x0:x1, y0:y1]
    for kind, (marker, colour, label) in styles.items():
        part = shown[shown["kind"].astype(str) == kind]
        if part.empty:
            continue
        points = part.geometry.representative_point()
        ax.scatter(
            points.x,
            points.y,
            marker=marker,
            s=46 * k * k,
            c=colour,
            edgecolors="white",
            linewidths=0.7,
            zorder=15,
        )
        handles.append(
            Line2D(
                [],
                [],
                marker=marker,
                linestyle="none",
                markersize=8 * k,
                color=colour,
                markeredgecolor="white",
                label=label,
            )
        )
    return handles


def road_handles(plan: Plan, k: float, *, local: bool) -> list[Any]:
    """Legend handles of the roads drawn (arterials, and local roads when ``local``)."""
    if plan.roads is None or plan.roads.empty:
        return []
    handles = [
        Line2D(
            [],
            [],
            color="#f2c14e",
            linewidth=2.4 * k,
            label="主干路",
            path_effects=[pe.Stroke(linewidth=3.6 * k, foreground="#8c8c8c"), pe.Normal()],
        )
    ]
    if local:
        handles.append(
            Line2D(
                [],
                [],
                color="white",
                linewidth=0.9 * k,
                label="支路",
                path_effects=[pe.Stroke(linewidth=1.6 * k, foreground="#8c8c8c"), pe.Normal()],
            )
        )
    return handles


def admin_handles(k: float, *, community: bool = True, subdistrict: bool = True) -> list[Any]:
    """Legend handles of the boundaries: 区界, and 街道界 and 社区界 when asked."""
    handles = [
        Line2D(
            [],
            [],
            color="#6a3d9a",
            linewidth=1.4 * k,
            linestyle=(0, (8, 2, 1.5, 2)),
            label="区界",
            path_effects=[pe.Stroke(linewidth=7 * k, foreground="#d9c4e3"), pe.Normal()],
        ),
    ]
    if subdistrict:
        handles.append(
            Line2D(
                [],
                [],
                color="#6a3d9a",
                linewidth=1.1 * k,
                linestyle=(0, (5, 1.5, 1, 1.5)),
                label="街道界（示意）",
            )
        )
    if community:
        handles.append(Line2D([], [], color="#333333", linewidth=0.8 * k, label="社区界（示意）"))
    return handles


def require_columns(plan: Plan, layer: str, columns: Sequence[str]) -> gpd.GeoDataFrame:
    """The plan's ``layer``, which must have ``columns`` (else an InputDataError)."""
    frame = getattr(plan, layer)
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputDataError(
            f"the plan's {layer} layer lacks column(s) {', '.join(missing)} (it has "
            f"{', '.join(map(str, frame.columns))}): make the plan again with jinfeng-grid plan"
        )
    return frame
