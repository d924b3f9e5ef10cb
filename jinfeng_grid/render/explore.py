"""folium implementation of :func:`jinfeng_grid.render.explore_plan`.

How the page is put together, and why:

- **Offline but the tiles.** folium loads Leaflet, jQuery, Bootstrap and Font Awesome
  from CDNs. The map uses none of them but Leaflet, whose script and stylesheet are
  vendored under ``jinfeng_grid/data/web`` (BSD-2, see its ``README.txt``) and
  inlined into the page (the stylesheet's images as ``data:`` URLs). Nothing here
  uses a folium element that needs jQuery (``folium.Popup`` does), so points are
  drawn as GeoJSON features like the polygons.
- **Escaping.** folium's ``GeoJsonTooltip``/``GeoJsonPopup`` put property values
  into ``innerHTML`` unescaped. Each feature therefore carries its tooltip and popup
  as HTML built here, where every piece of user text (names, ids, kinds) goes through
  :func:`html.escape`; the feature data is embedded by Jinja's ``tojson``, which
  escapes ``<``, ``>``, ``&`` and ``'`` so no text can close the ``<script>``.
- **Display coordinates.** Layers are simplified by ~1 m in the metric working CRS,
  projected to WGS 84 and, for AMap/Gaode tiles, shifted to GCJ-02 with
  :func:`jinfeng_grid.crs.wgs84_to_gcj02`; coordinates are rounded to 6 decimals
  (~0.1 m).
- **Determinism.** folium names every element with a random id; the ids are
  replaced by sequential ones so that the same plan gives the same page.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path

import folium
import geopandas as gpd
import numpy as np
import pandas as pd

from jinfeng_grid.errors import ConfigError, InputDataError
from jinfeng_grid.plan.outline import closing_distance
from jinfeng_grid.plan.value import Plan
from jinfeng_grid.render.basemaps import (
    resolve_basemap,
)
from jinfeng_grid.render.popups import (
    STATUS_COLOURS,
    display_text,
    esc,
    staffing_lookup,
    unit_status,
)
from jinfeng_grid.render.web_features import (
    display_geometry,
)
from jinfeng_grid.render.web_layers import (
    communities_layer,
    compounds_layer,
    current_layer,
    grids_layer,
    roads_layer,
    subdistricts_layer,
)
from jinfeng_grid.render.web_page import (
    FoldOnPopup,
    Overlay,
    inline_assets,
    legend_html,
    stable_ids,
    title_html,
)
from jinfeng_grid.render.web_points import (
    KIND_COLOURS,
    points_layers,
    read_posts,
)
from jinfeng_grid.staffing.plan import PlanStaffing

__all__ = ["build_plan_map", "map_html"]

logger = logging.getLogger(__name__)

# --- the map -------------------------------------------------------------------------------


def _caps(plan: Plan, level: str) -> tuple[float | None, float | None]:
    bounds = getattr(plan.scenario, level)
    return (bounds.min_households, bounds.max_households)


def _total(frame: pd.DataFrame, column: str) -> int | None:
    if column not in frame.columns:
        return None
    return int(pd.to_numeric(frame[column], errors="coerce").fillna(0).sum())


def build_plan_map(
    plan: Plan,
    *,
    staffing: PlanStaffing | None = None,
    posts: gpd.GeoDataFrame | str | Path | None = None,
    basemap: str = "osm",
    walk_minutes: float = 15.0,
    speed_m_per_min: float = 60.0,
    environ: Mapping[str, str] | None = None,
) -> folium.Map:
    """See :func:`jinfeng_grid.render.explore_plan`."""
    if not (np.isfinite(walk_minutes) and walk_minutes > 0):
        raise ConfigError(f"walk_minutes must be a positive number of minutes, got {walk_minutes}")
    if not (np.isfinite(speed_m_per_min) and speed_m_per_min > 0):
        raise ConfigError(
            f"speed_m_per_min must be a positive walking speed in m/min, got {speed_m_per_min}"
        )
    base = resolve_basemap(basemap, environ=environ)
    if plan.communities.empty:
        raise InputDataError(f"{plan.where} has no communities to draw")
    radius_m = walk_minutes * speed_m_per_min
    recorded = plan.scenario
    closing_m = closing_distance(recorded)

    bounds = display_geometry(plan.communities, gcj02=base.gcj02).total_bounds
    m = folium.Map(
        location=[(bounds[1] + bounds[3]) / 2, (bounds[0] + bounds[2]) / 2],
        zoom_start=13,
        tiles=None,
        control_scale=True,
        max_zoom=18,
        zoom_snap=0.25,
        zoom_delta=0.5,
    )
    inline_assets(m)
    for tiles in base.tiles:
        folium.TileLayer(
            tiles=tiles.url,
            attr=tiles.attribution,
            name=esc(tiles.name),
            subdomains=tiles.subdomains,
            overlay=tiles.overlay,
            max_zoom=18,
        ).add_to(m)

    staff = staffing_lookup(staffing.units if staffing is not None else None)
    communities, labels = communities_layer(plan, base.gcj02, staff)
    layers: list[folium.FeatureGroup | None] = [
        subdistricts_layer(plan, base.gcj02, closing_m, staff),
        communities,
        current_layer(
            plan,
            base.gcj02,
            _caps(plan, "community"),
            closing_m,
            staffing_lookup(staffing.current if staffing is not None else None, before=True),
        ),
        grids_layer(plan, base.gcj02, staff),
        compounds_layer(plan, base.gcj02),
        roads_layer(plan, base.gcj02),
        labels,
    ]
    points_key = "posts" if posts is not None else "facilities"
    points = read_posts(posts) if posts is not None else plan.facilities
    kinds: list[str] = []
    has_new = False
    if points is not None and not points.empty:
        if "kind" not in points.columns:
            raise InputDataError("the plan's facilities have no column 'kind'")
        kinds = sorted(
            {display_text(k) for k in points["kind"]}, key=lambda k: (k not in KIND_COLOURS, k)
        )
        has_new = "status" in points.columns and bool((points["status"] == "new").any())
        point_group, coverage = points_layers(
            points, key=points_key, gcj02=base.gcj02, radius_m=radius_m, walk_minutes=walk_minutes
        )
        layers = [*layers[:-1], coverage, layers[-1], point_group]
    for layer in layers:
        if layer is not None:
            layer.add_to(m)
    control = folium.LayerControl(collapsed=False, position="topright").add_to(m)

    district = recorded.report.district_name
    units = f"{len(plan.communities):,} 个社区 communities · {len(plan.grids):,} 个网格 grids"
    households = _total(plan.communities, "households")
    population = _total(plan.communities, "population")
    if households is not None and population is not None:
        units += f" · {households:,} 户 households · {population:,} 人 people"
    Overlay(
        title_html(
            f"{district}社区与网格规划（示意）".strip(), "Community and grid plan · " + units
        )
    ).add_to(m)
    statuses = [
        s
        for s in STATUS_COLOURS
        if s in {unit_status(r) for r in plan.communities.to_dict("records")}
        or s in {unit_status(r) for r in plan.grids.to_dict("records")}
    ]
    Overlay(
        legend_html(
            statuses=statuses,
            kinds=kinds,
            has_new_posts=has_new,
            caps={"community": _caps(plan, "community"), "grid": _caps(plan, "grid")},
            walk_text=(
                f"步行 {walk_minutes:g} 分钟（直线 {radius_m:,.0f} m）"
                f"{walk_minutes:g}-min walk, {radius_m:,.0f} m straight line"
            ),
            coordinates=(
                "GCJ-02（已由 WGS 84 转换 converted for AMap tiles）"
                if base.gcj02
                else "WGS 84 / CGCS2000"
            ),
        )
    ).add_to(m)
    FoldOnPopup(control).add_to(m)
    m.fit_bounds([[bounds[1], bounds[0]], [bounds[3], bounds[2]]])
    stable_ids(m.get_root())
    logger.info(
        "map: %d communities, %d grids, %d compounds on %s%s",
        len(plan.communities),
        len(plan.grids),
        len(plan.compounds),
        base.key,
        " (GCJ-02)" if base.gcj02 else "",
    )
    return m


def map_html(m: folium.Map) -> str:
    """The complete page of a map."""
    return m.get_root().render()
