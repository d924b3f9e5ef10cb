"""The unit layers of the interactive map: subdistricts, communities, current
communities, grids, compounds and roads, with their tooltips and popups.

The plan's communities and grids are drawn as the plan outlined them; subdistricts
and current communities are outlined (:func:`jinfeng_grid.plan.outline.outline`) at
the closing distance of the plan's scenario.
"""

from __future__ import annotations

import logging
from typing import Any

import folium
import geopandas as gpd
import pandas as pd
import shapely

from jinfeng_grid.plan.outline import outline
from jinfeng_grid.plan.value import Plan
from jinfeng_grid.render.popups import (
    ROLE_LABELS,
    StaffLookup,
    code_text,
    display_text,
    esc,
    flag_value,
    popup_html,
    status_text,
    tooltip_html,
    unit_staff,
    unit_status,
)
from jinfeng_grid.render.web_features import (
    COMMUNITY_LINE,
    COMPOUND_LINE,
    CURRENT_LINE,
    GRID_LINE,
    ROAD_COLOURS,
    column_or_none,
    display_geometry,
    drop_empty,
    feature_collection,
    frame_records,
    geojson_layer,
    highlight_style,
    layer_group,
    polygon_style,
    subdistrict_style,
)

__all__ = [
    "communities_layer",
    "compounds_layer",
    "current_communities",
    "current_layer",
    "grids_layer",
    "roads_layer",
    "subdistricts_layer",
]

logger = logging.getLogger(__name__)


def subdistricts_layer(
    plan: Plan, gcj02: bool, closing_m: float, staff: StaffLookup
) -> folium.FeatureGroup | None:
    frame = plan.subdistricts
    if frame is None or frame.empty:
        return None
    frame = drop_empty(frame, "subdistricts", "subdistrict_id")
    # a subdistrict is the union of its compounds; its outline is drawn with the
    # streets between them filled, as communities are
    frame = frame.set_geometry(
        [outline(g, closing_m=closing_m) for g in frame.geometry.to_numpy()], crs=frame.crs
    )
    props = []
    for row in frame_records(frame):
        props.append(
            {
                "tip": tooltip_html(
                    row.get("name"),
                    "街道 subdistrict",
                    row.get("households"),
                    row.get("population"),
                ),
                "pop": popup_html(
                    row.get("name"),
                    "街道 Subdistrict",
                    [
                        ("编码 Code", code_text(row.get("subdistrict_id"))),
                        ("户数 Households", row.get("households")),
                        ("人口 Population", row.get("population")),
                        ("社区 Communities", row.get("communities")),
                        ("网格 Grids", row.get("grids")),
                        ("小区 Compounds", row.get("compounds")),
                    ],
                    staff=unit_staff(staff, "subdistrict", row.get("subdistrict_id")),
                ),
            }
        )
    data = feature_collection(display_geometry(frame, gcj02=gcj02), props, "subdistricts")
    group = layer_group("subdistricts", show=True)
    geojson_layer(
        data,
        style=subdistrict_style,
        highlight=highlight_style(8.0),
        popup=True,
    ).add_to(group)
    return group


def communities_layer(
    plan: Plan, gcj02: bool, staff: StaffLookup
) -> tuple[folium.FeatureGroup, folium.FeatureGroup]:
    frame = drop_empty(plan.communities, "communities", "community_id")
    props = []
    for row in frame_records(frame):
        status = unit_status(row)
        provisional = flag_value(row.get("name_provisional"))
        notes = []
        if provisional:
            notes.append("名称暂定 Provisional name")
        if flag_value(row.get("unchanged")):
            notes.append("沿用现状 Unchanged from the current plan")
        props.append(
            {
                "s": status,
                "tip": tooltip_html(
                    row.get("name"), "社区 community", row.get("households"), row.get("population")
                ),
                "pop": popup_html(
                    row.get("name"),
                    "社区（规划）Proposed community",
                    [
                        ("编码 Code", code_text(row.get("community_id"))),
                        ("街道 Subdistrict", row.get("subdistrict")),
                        ("户数 Households", row.get("households")),
                        ("人口 Population", row.get("population")),
                        ("小区 Compounds", row.get("compounds")),
                        ("网格 Grids", row.get("grids")),
                        ("规模 Caps", status_text(status)),
                    ],
                    staff=unit_staff(staff, "community", row.get("community_id")),
                    note="；".join(notes),
                ),
            }
        )
    geometry = display_geometry(frame, gcj02=gcj02)
    data = feature_collection(geometry, props, "communities")
    group = layer_group("communities", show=True)
    geojson_layer(
        data,
        style=polygon_style(COMMUNITY_LINE, 2.0, fill=True, fill_opacity=0.35),
        highlight=highlight_style(4.0),
    ).add_to(group)
    labels = layer_group("labels", show=True)
    for point, name in zip(
        shapely.point_on_surface(geometry.to_numpy()), column_or_none(frame, "name"), strict=True
    ):
        if point is None or point.is_empty or not display_text(name):
            continue
        folium.Marker(
            location=[point.y, point.x],
            icon=folium.DivIcon(
                html=f"<div>{esc(display_text(name))}</div>",
                icon_size=(120, 16),
                icon_anchor=(60, 8),
                class_name="jg-label",
            ),
            interactive=False,
            keyboard=False,
        ).add_to(labels)
    return group, labels


def current_communities(
    compounds: gpd.GeoDataFrame, *, closing_m: float
) -> gpd.GeoDataFrame | None:
    """The current communities dissolved from the compounds' ``community`` column.

    Compounds with the same current ``subdistrict`` (when present) and ``community``
    are outlined (:func:`jinfeng_grid.plan.outline.outline`) at ``closing_m``, the
    closing distance of the plan's scenario.
    Returns ``None`` when the compounds have no current community.
    """
    if "community" not in compounds.columns:
        return None
    known = compounds[compounds["community"].notna() & (compounds["community"].astype(str) != "")]
    if len(known) < len(compounds):
        logger.info("map: %d compounds have no current community", len(compounds) - len(known))
    if known.empty:
        return None
    keys = ["subdistrict", "community"] if "subdistrict" in known.columns else ["community"]
    rows = []
    for key, group in known.groupby([known[k].astype(str) for k in keys], sort=True):
        key = key if isinstance(key, tuple) else (key,)
        union = outline(group.geometry.to_numpy(), closing_m=closing_m)
        rows.append(
            {
                "name": key[-1],
                "subdistrict": key[0] if len(key) > 1 else None,
                "households": int(pd.to_numeric(group.get("households"), errors="coerce").sum()),
                "population": int(pd.to_numeric(group.get("population"), errors="coerce").sum()),
                "compounds": len(group),
                "geometry": union,
            }
        )
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=compounds.crs)


def current_layer(
    plan: Plan,
    gcj02: bool,
    caps: tuple[float | None, float | None],
    closing_m: float,
    staff: StaffLookup,
) -> folium.FeatureGroup | None:
    frame = current_communities(plan.compounds, closing_m=closing_m)
    if frame is None:
        return None
    low, high = caps
    props = []
    for row in frame_records(frame):
        households = row["households"]
        if high is not None and households > high:
            note = f"高于规划上限 {high:,.0f} 户 Above the cap of {high:,.0f} households"
        elif low is not None and households < low:
            note = f"低于规划下限 {low:,.0f} 户 Below the floor of {low:,.0f} households"
        else:
            note = ""
        props.append(
            {
                "tip": tooltip_html(
                    row["name"], "现状社区 current community", households, row["population"]
                ),
                "pop": popup_html(
                    row["name"],
                    "社区（现状）Current community",
                    [
                        ("街道 Subdistrict", row["subdistrict"]),
                        ("户数 Households", households),
                        ("人口 Population", row["population"]),
                        ("小区 Compounds", row["compounds"]),
                    ],
                    staff=unit_staff(staff, "community", row["name"]),
                    note=note,
                ),
            }
        )
    data = feature_collection(display_geometry(frame, gcj02=gcj02), props, "current communities")
    group = layer_group("current", show=False)
    geojson_layer(
        data,
        style=polygon_style(CURRENT_LINE, 2.5, fill=False, dash="8 6"),
        highlight=highlight_style(4.5),
    ).add_to(group)
    return group


def grids_layer(plan: Plan, gcj02: bool, staff: StaffLookup) -> folium.FeatureGroup:
    frame = drop_empty(plan.grids, "grids", "grid_id")
    props = []
    for row in frame_records(frame):
        status = unit_status(row)
        virtual = flag_value(row.get("virtual"))
        props.append(
            {
                "s": status,
                "tip": tooltip_html(
                    row.get("name"), "网格 grid", row.get("households"), row.get("population")
                ),
                "pop": popup_html(
                    row.get("name"),
                    "网格 Grid",
                    [
                        ("编码 Code", code_text(row.get("grid_id"))),
                        ("社区 Community", row.get("community_name")),
                        ("户数 Households", row.get("households")),
                        ("人口 Population", row.get("population")),
                        ("小区 Compounds", row.get("compounds")),
                        ("楼栋 Buildings", None if virtual else row.get("members")),
                        ("规模 Caps", status_text(status)),
                    ],
                    staff=[
                        r
                        for r in unit_staff(staff, "grid", row.get("grid_id"))
                        if r[0] == ROLE_LABELS["grid_worker"]
                    ],
                    note="虚拟网格（无楼栋数据）Virtual grid, no building data" if virtual else "",
                ),
            }
        )
    data = feature_collection(display_geometry(frame, gcj02=gcj02), props, "grids")
    group = layer_group("grids", show=False)
    geojson_layer(
        data,
        style=polygon_style(GRID_LINE, 1.0, fill=True, fill_opacity=0.25),
        highlight=highlight_style(3.0),
    ).add_to(group)
    return group


def compounds_layer(plan: Plan, gcj02: bool) -> folium.FeatureGroup:
    frame = drop_empty(plan.compounds, "compounds", "compound_id")
    props = []
    for row in frame_records(frame):
        props.append(
            {
                "tip": tooltip_html(
                    row.get("name"), "小区 compound", row.get("households"), row.get("population")
                ),
                "pop": popup_html(
                    row.get("name"),
                    "小区 Compound",
                    [
                        ("编号 Id", code_text(row.get("compound_id"))),
                        ("户数 Households", row.get("households")),
                        ("人口 Population", row.get("population")),
                        ("现状社区 Current community", row.get("community")),
                        ("规划社区 Proposed community", row.get("community_name")),
                        ("规划社区编码 Community code", code_text(row.get("community_id"))),
                        ("街道 Subdistrict", row.get("subdistrict")),
                    ],
                ),
            }
        )
    data = feature_collection(display_geometry(frame, gcj02=gcj02), props, "compounds")
    group = layer_group("compounds", show=False)
    style = polygon_style(COMPOUND_LINE, 0.8, fill=False)

    def filled(feature: dict[str, Any]) -> dict[str, Any]:
        # a transparent fill so that hovering inside a compound shows its tooltip
        return {**style(feature), "fill": True, "fillColor": "#ffffff", "fillOpacity": 0.05}

    geojson_layer(data, style=filled, highlight=highlight_style(2.5)).add_to(group)
    return group


def roads_layer(plan: Plan, gcj02: bool) -> folium.FeatureGroup | None:
    frame = plan.roads
    if frame is None or frame.empty:
        return None
    frame = drop_empty(frame, "roads", "name")
    props = []
    for row in frame_records(frame):
        road_class = display_text(row.get("class"))
        props.append(
            {
                "c": road_class if road_class in ROAD_COLOURS else "local",
                "tip": tooltip_html(
                    row.get("name"),
                    "主干道 arterial road" if road_class == "arterial" else "道路 road",
                ),
            }
        )
    data = feature_collection(display_geometry(frame, gcj02=gcj02), props, "roads")

    def style(feature: dict[str, Any]) -> dict[str, Any]:
        kind = feature["properties"]["c"]
        return {
            "color": ROAD_COLOURS[kind],
            "weight": 4.0 if kind == "arterial" else 2.0,
            "opacity": 0.85,
        }

    group = layer_group("roads", show=True)
    geojson_layer(data, style=style, popup=False).add_to(group)
    return group
