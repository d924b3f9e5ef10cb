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

import base64
import html
import itertools
import logging
import os
import re
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import Element, MacroElement
from folium.features import GeoJsonPopup, GeoJsonTooltip
from jinja2 import Template

from jinfeng_grid import crs as jcrs
from jinfeng_grid.config.scenario import DEFAULT_DISTRICT_CODE, DEFAULT_DISTRICT_NAME
from jinfeng_grid.errors import ConfigError, InputDataError, JinfengGridError
from jinfeng_grid.io import files as io

logger = logging.getLogger(__name__)

BASEMAPS: tuple[str, ...] = ("osm", "tianditu", "amap")
"""Basemaps :func:`build_plan_map` draws on."""

TIANDITU_KEY_ENV = "TIANDITU_KEY"
"""Environment variable holding the Tianditu (天地图) key."""

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

STATUS_COLOURS: dict[str, str] = {
    "ok": "#74c476",
    "outside": "#ef3b2c",
    "oversize": "#fd8d3c",
    "unknown": "#bdbdbd",
}
STATUS_LABELS: dict[str, str] = {
    "ok": "符合规模 Within caps",
    "outside": "超出规模 Outside caps",
    "oversize": "单个小区超限 One compound above the cap",
    "unknown": "未核对 Not checked",
}
KIND_COLOURS: dict[str, str] = {"police_room": "#2171b5", "health_station": "#e7298a"}
OTHER_KIND_COLOUR = "#6a3d9a"
KIND_LABELS: dict[str, str] = {
    "police_room": "警务室 Police room",
    "health_station": "卫生服务站 Health station",
}
ROLE_LABELS: dict[str, str] = {
    "grid_worker": "网格员 Grid workers",
    "community_worker": "社区工作者 Community workers",
    "police": "社区民警（含辅警）Police incl. auxiliaries",
    "medical": "医务人员 Medical staff",
    "cdc": "疾控人员 CDC staff",
}

SUBDISTRICT_LINE = "#252525"
COMMUNITY_LINE = "#08306b"
CURRENT_LINE = "#ae017e"
GRID_LINE = "#525252"
COMPOUND_LINE = "#737373"
ROAD_COLOURS = {"arterial": "#8c6d31", "local": "#bdbdbd"}

_ESC = html.escape


# --- basemaps ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Tiles:
    name: str
    url: str
    attribution: str
    subdomains: str
    overlay: bool = False


@dataclass(frozen=True)
class Basemap:
    """Tile layers of a basemap and whether data must be shifted to GCJ-02."""

    key: str
    tiles: tuple[_Tiles, ...]
    gcj02: bool
    holds_key: bool = False


_TIANDITU = (
    "https://t{s}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
    "&LAYER={layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles"
    "&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk={key}"
)
_TIANDITU_ATTR = '&copy; <a href="https://www.tianditu.gov.cn">天地图 Tianditu</a>'
_AMAP_ATTR = '&copy; <a href="https://www.amap.com">高德地图 AMap</a>'
_OSM_ATTR = (
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'
)


def resolve_basemap(name: str, *, environ: Mapping[str, str] | None = None) -> Basemap:
    """The tile layers of basemap ``name`` (``osm``, ``tianditu`` or ``amap``).

    Raises
    ------
    ConfigError
        For an unknown name, or ``tianditu`` without a key in ``TIANDITU_KEY``.
    """
    environ = os.environ if environ is None else environ
    key = str(name).strip().lower()
    if key == "osm":
        tiles = (
            _Tiles(
                "OpenStreetMap", "https://tile.openstreetmap.org/{z}/{x}/{y}.png", _OSM_ATTR, "abc"
            ),
        )
        return Basemap("osm", tiles, gcj02=False)
    if key == "tianditu":
        token = environ.get(TIANDITU_KEY_ENV, "").strip()
        if not token:
            raise ConfigError(
                f"the tianditu basemap needs a Tianditu key in the environment variable "
                f"{TIANDITU_KEY_ENV} (get a browser-side key, 浏览器端, at "
                f"https://console.tianditu.gov.cn and run e.g. `export {TIANDITU_KEY_ENV}=...`); "
                "or use --basemap osm"
            )
        if not re.fullmatch(r"[0-9A-Za-z]+", token):
            raise ConfigError(
                f"{TIANDITU_KEY_ENV} does not look like a Tianditu key (letters and digits "
                "only): check the variable"
            )

        def layer(code: str) -> str:
            return _TIANDITU.format(layer=code, key=token, s="{s}", z="{z}", x="{x}", y="{y}")

        tiles = (
            _Tiles("天地图矢量 Tianditu map", layer("vec"), _TIANDITU_ATTR, "01234567"),
            _Tiles("天地图影像 Tianditu imagery", layer("img"), _TIANDITU_ATTR, "01234567"),
            _Tiles(
                "天地图注记 Tianditu labels", layer("cva"), _TIANDITU_ATTR, "01234567", overlay=True
            ),
        )
        return Basemap("tianditu", tiles, gcj02=False, holds_key=True)
    if key == "amap":
        tiles = (
            _Tiles(
                "高德地图 AMap",
                "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8"
                "&x={x}&y={y}&z={z}",
                _AMAP_ATTR,
                "1234",
            ),
            _Tiles(
                "高德影像 AMap imagery",
                "https://webst0{s}.is.autonavi.com/appmaptile?style=6&x={x}&y={y}&z={z}",
                _AMAP_ATTR,
                "1234",
            ),
        )
        return Basemap("amap", tiles, gcj02=True)
    raise ConfigError(f"unknown basemap {name!r}: use one of {', '.join(BASEMAPS)}")


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


# --- text ---------------------------------------------------------------------------


def _text(value: Any) -> str:
    """A value as display text ('' for missing)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return f"{int(value):,}"
    if isinstance(value, int | np.integer) and not isinstance(value, bool | np.bool_):
        return f"{int(value):,}"
    return str(value)


def _code(value: Any) -> str | None:
    """An id or code as text, without thousands separators (``None`` for missing)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _count(value: Any) -> int | None:
    if value is None or pd.isna(value):
        return None
    return int(value)


def _flag(value: Any) -> bool:
    """A boolean column's value; missing is false."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return False
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes")
    return bool(value)


def _range_text(low: int, high: int) -> str:
    return f"{low:,}" if low == high else f"{low:,}–{high:,}"


def tooltip_html(name: Any, what: str, households: Any = None, population: Any = None) -> str:
    """A one-line tooltip: bold name, what it is, households and people (escaped)."""
    line = f"<b>{_ESC(_text(name)) or '（无名）'}</b> <span class='jg-what'>{_ESC(what)}</span>"
    figures = []
    if _count(households) is not None:
        figures.append(f"{_count(households):,} 户 households")
    if _count(population) is not None:
        figures.append(f"{_count(population):,} 人 people")
    if figures:
        line += "<br>" + _ESC(" · ".join(figures))
    return line


def popup_html(
    title: Any,
    what: str,
    rows: Iterable[tuple[str, Any]],
    *,
    staff: Iterable[tuple[str, str, str, str]] = (),
    note: str = "",
) -> str:
    """A popup: title, a table of label/value rows, staff, a note (all escaped).

    ``staff`` rows are ``(role, needed, actual, short)``; actual and short are ``""``
    where unknown (the columns are shown when any row knows them).
    """
    parts = [
        f"<div class='jg-title'>{_ESC(_text(title)) or '（无名）'}</div>",
        f"<div class='jg-what'>{_ESC(what)}</div>",
        "<table class='jg-table'>",
    ]
    for label, value in rows:
        text = _text(value)
        if text:
            parts.append(f"<tr><th>{_ESC(label)}</th><td>{_ESC(text)}</td></tr>")
    parts.append("</table>")
    staff = list(staff)
    if staff:
        known = any(row[2] for row in staff)
        parts.append("<div class='jg-sub'>所需人员 Staff needed</div><table class='jg-table'>")
        if known:
            parts.append(
                "<tr><th></th><td>需 needed</td><td>现有 actual</td><td>缺 short</td></tr>"
            )
        for role, needed, actual, short in staff:
            cells = [needed, actual, short] if known else [needed]
            parts.append(
                f"<tr><th>{_ESC(role)}</th>"
                + "".join(f"<td>{_ESC(c)}</td>" for c in cells)
                + "</tr>"
            )
        parts.append("</table>")
    if note:
        parts.append(f"<div class='jg-note'>{_ESC(note)}</div>")
    return "".join(parts)


# --- staffing ---------------------------------------------------------------------------


StaffRows = list[tuple[str, str, str, str]]
StaffLookup = dict[tuple[str, str], StaffRows] | None


def _staff_lines(households: Any, population: Any, *, grids: Any = None) -> StaffRows:
    """Staff needed under the shipped norms (no actual staff)."""
    from jinfeng_grid.staffing.norms import required_staff

    h, p = _count(households), _count(population)
    if h is None or p is None or h < 0 or p < 0:
        return []
    needs = required_staff(h, p, grids=_count(grids))
    return [
        (ROLE_LABELS.get(role, role), _range_text(low, high), "", "")
        for role, (low, high, _) in needs.items()
    ]


def staffing_lookup(
    plan: io.PlanFiles, *, district_id: str, district_name: str, before: bool = False
) -> StaffLookup:
    """``(level, unit_id) -> staff rows`` of the plan's units, or of the current ones.

    From :func:`staffing.staffing_for_plan` (``before=False``) or
    :func:`staffing.staffing_before_plan` (``before=True``: the current units, keyed
    by ``(level, unit_name)``). ``None`` (with a warning) when the staffing cannot be
    computed; popups then show the norms from :func:`staffing.required_staff`
    without actual staff.
    """
    from jinfeng_grid.staffing import plan as staffing

    function = staffing.staffing_before_plan if before else staffing.staffing_for_plan
    try:
        table = function(plan, district_id=district_id, district_name=district_name)
    except (JinfengGridError, KeyError) as error:
        # KeyError: a plan layer without a column the staffing expects
        logger.warning(
            "map: the %s staffing could not be computed (%s: %s); popups show the staff "
            "needed under the norms, without actual staff",
            "current" if before else "plan's",
            type(error).__name__,
            error,
        )
        return None
    if table is None:
        return None
    key = "unit_name" if before else "unit_id"
    if before:
        # current units are found by name: names used twice at a level are ambiguous
        units = table.drop_duplicates(["level", "unit_id"])
        twice = units[units.duplicated(["level", "unit_name"], keep=False)]
        table = table[
            ~table.set_index(["level", "unit_name"]).index.isin(
                twice.set_index(["level", "unit_name"]).index
            )
        ]
    lookup: dict[tuple[str, str], StaffRows] = {}
    for row in table.itertuples(index=False):
        known = not pd.isna(row.actual)
        lookup.setdefault((str(row.level), str(getattr(row, key))), []).append(
            (
                ROLE_LABELS.get(str(row.role), str(row.role)),
                _range_text(int(row.required_min), int(row.required_max)),
                f"{int(row.actual):,}" if known else "",
                f"{int(row.shortfall):,}" if known and not pd.isna(row.shortfall) else "",
            )
        )
    return lookup


def _unit_staff(
    lookup: StaffLookup,
    level: str,
    unit_id: Any,
    households: Any,
    population: Any,
    *,
    grids: Any = None,
) -> StaffRows:
    if lookup is not None and (level, str(unit_id)) in lookup:
        return lookup[(level, str(unit_id))]
    return _staff_lines(households, population, grids=grids)


# --- status ------------------------------------------------------------------------------


def unit_status(row: Mapping[str, Any]) -> str:
    """``oversize``, ``ok``, ``outside`` or ``unknown`` from a unit's flags."""
    if _flag(row.get("oversize")):
        return "oversize"
    within = row.get("within_bounds")
    if within is None or pd.isna(within):
        return "unknown"
    return "ok" if _flag(within) else "outside"


def _status_text(status: str) -> str:
    return STATUS_LABELS[status]


# --- layers ------------------------------------------------------------------------------


def _feature_collection(
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


def _drop_empty(frame: gpd.GeoDataFrame, what: str, id_column: str | None) -> gpd.GeoDataFrame:
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


def _geojson_layer(
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


def _group(key: str, *, show: bool, suffix: str = "") -> folium.FeatureGroup:
    return folium.FeatureGroup(name=_ESC(LAYER_NAMES[key] + suffix), show=show)


def _polygon_style(
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


def _highlight(weight: float) -> Callable[[dict[str, Any]], dict[str, Any]]:
    def style(feature: dict[str, Any]) -> dict[str, Any]:
        return {"weight": weight, "color": "#ffff00"}

    return style


def _col(frame: pd.DataFrame, name: str) -> pd.Series:
    if name in frame.columns:
        return frame[name]
    return pd.Series([None] * len(frame), index=frame.index, dtype=object)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return frame.drop(columns=frame.geometry.name).to_dict("records")  # type: ignore[attr-defined]


def _subdistrict_style(feature: dict[str, Any]) -> dict[str, Any]:
    # a wide translucent band under the communities, as admin boundaries are drawn
    # on maps, so that community lines stay crisp where both run together
    return {"color": SUBDISTRICT_LINE, "weight": 9.0, "opacity": 0.3, "fill": False}


def _closed(geometry: shapely.Geometry, radius: float) -> shapely.Geometry:
    """The geometry with the streets between its parts filled (a closing)."""
    if radius <= 0 or geometry is None or geometry.is_empty:
        return geometry
    return geometry.buffer(radius, join_style="mitre").buffer(-radius, join_style="mitre")


def _subdistricts_layer(
    plan: io.PlanFiles, gcj02: bool, closing_m: float, staff: StaffLookup
) -> folium.FeatureGroup | None:
    frame = plan.subdistricts
    if frame is None or frame.empty:
        return None
    frame = _drop_empty(frame, "subdistricts", "subdistrict_id")
    # a subdistrict is the union of its compounds; its outline is drawn with the
    # streets between them filled, as communities are
    frame = frame.set_geometry(
        [_closed(g, closing_m) for g in frame.geometry.to_numpy()], crs=frame.crs
    )
    props = []
    for row in _records(frame):
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
                        ("编码 Code", _code(row.get("subdistrict_id"))),
                        ("户数 Households", row.get("households")),
                        ("人口 Population", row.get("population")),
                        ("社区 Communities", row.get("communities")),
                        ("网格 Grids", row.get("grids")),
                        ("小区 Compounds", row.get("compounds")),
                    ],
                    staff=_unit_staff(
                        staff,
                        "subdistrict",
                        row.get("subdistrict_id"),
                        row.get("households"),
                        row.get("population"),
                        grids=row.get("grids"),
                    ),
                ),
            }
        )
    data = _feature_collection(display_geometry(frame, gcj02=gcj02), props, "subdistricts")
    group = _group("subdistricts", show=True)
    _geojson_layer(
        data,
        style=_subdistrict_style,
        highlight=_highlight(8.0),
        popup=True,
    ).add_to(group)
    return group


def _communities_layer(
    plan: io.PlanFiles, gcj02: bool, staff: StaffLookup
) -> tuple[folium.FeatureGroup, folium.FeatureGroup]:
    frame = _drop_empty(plan.communities, "communities", "community_id")
    props = []
    for row in _records(frame):
        status = unit_status(row)
        provisional = _flag(row.get("name_provisional"))
        notes = []
        if provisional:
            notes.append("名称暂定 Provisional name")
        if _flag(row.get("unchanged")):
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
                        ("编码 Code", _code(row.get("community_id"))),
                        ("街道 Subdistrict", row.get("subdistrict")),
                        ("户数 Households", row.get("households")),
                        ("人口 Population", row.get("population")),
                        ("小区 Compounds", row.get("compounds")),
                        ("网格 Grids", row.get("grids")),
                        ("规模 Caps", _status_text(status)),
                    ],
                    staff=_unit_staff(
                        staff,
                        "community",
                        row.get("community_id"),
                        row.get("households"),
                        row.get("population"),
                        grids=row.get("grids"),
                    ),
                    note="；".join(notes),
                ),
            }
        )
    geometry = display_geometry(frame, gcj02=gcj02)
    data = _feature_collection(geometry, props, "communities")
    group = _group("communities", show=True)
    _geojson_layer(
        data,
        style=_polygon_style(COMMUNITY_LINE, 2.0, fill=True, fill_opacity=0.35),
        highlight=_highlight(4.0),
    ).add_to(group)
    labels = _group("labels", show=True)
    for point, name in zip(
        shapely.point_on_surface(geometry.to_numpy()), _col(frame, "name"), strict=True
    ):
        if point is None or point.is_empty or not _text(name):
            continue
        folium.Marker(
            location=[point.y, point.x],
            icon=folium.DivIcon(
                html=f"<div>{_ESC(_text(name))}</div>",
                icon_size=(120, 16),
                icon_anchor=(60, 8),
                class_name="jg-label",
            ),
            interactive=False,
            keyboard=False,
        ).add_to(labels)
    return group, labels


def current_communities(
    compounds: gpd.GeoDataFrame, *, closing_m: float = 15.0
) -> gpd.GeoDataFrame | None:
    """The current communities dissolved from the compounds' ``community`` column.

    Compounds with the same current ``subdistrict`` (when present) and ``community``
    are united, with the streets between them filled by a closing of ``closing_m``.
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
        union = _closed(shapely.union_all(group.geometry.to_numpy()), closing_m)
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


def _current_layer(
    plan: io.PlanFiles,
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
    for row in _records(frame):
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
                    staff=_unit_staff(
                        staff, "community", row["name"], households, row["population"]
                    ),
                    note=note,
                ),
            }
        )
    data = _feature_collection(display_geometry(frame, gcj02=gcj02), props, "current communities")
    group = _group("current", show=False)
    _geojson_layer(
        data,
        style=_polygon_style(CURRENT_LINE, 2.5, fill=False, dash="8 6"),
        highlight=_highlight(4.5),
    ).add_to(group)
    return group


def _grids_layer(plan: io.PlanFiles, gcj02: bool, staff: StaffLookup) -> folium.FeatureGroup:
    frame = _drop_empty(plan.grids, "grids", "grid_id")
    props = []
    for row in _records(frame):
        status = unit_status(row)
        virtual = _flag(row.get("virtual"))
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
                        ("编码 Code", _code(row.get("grid_id"))),
                        ("社区 Community", row.get("community_name")),
                        ("户数 Households", row.get("households")),
                        ("人口 Population", row.get("population")),
                        ("小区 Compounds", row.get("compounds")),
                        ("楼栋 Buildings", None if virtual else row.get("members")),
                        ("规模 Caps", _status_text(status)),
                    ],
                    staff=[
                        r
                        for r in _unit_staff(
                            staff,
                            "grid",
                            row.get("grid_id"),
                            row.get("households"),
                            row.get("population"),
                            grids=1,
                        )
                        if r[0] == ROLE_LABELS["grid_worker"]
                    ],
                    note="虚拟网格（无楼栋数据）Virtual grid, no building data" if virtual else "",
                ),
            }
        )
    data = _feature_collection(display_geometry(frame, gcj02=gcj02), props, "grids")
    group = _group("grids", show=False)
    _geojson_layer(
        data,
        style=_polygon_style(GRID_LINE, 1.0, fill=True, fill_opacity=0.25),
        highlight=_highlight(3.0),
    ).add_to(group)
    return group


def _compounds_layer(plan: io.PlanFiles, gcj02: bool) -> folium.FeatureGroup:
    frame = _drop_empty(plan.compounds, "compounds", "compound_id")
    props = []
    for row in _records(frame):
        props.append(
            {
                "tip": tooltip_html(
                    row.get("name"), "小区 compound", row.get("households"), row.get("population")
                ),
                "pop": popup_html(
                    row.get("name"),
                    "小区 Compound",
                    [
                        ("编号 Id", _code(row.get("compound_id"))),
                        ("户数 Households", row.get("households")),
                        ("人口 Population", row.get("population")),
                        ("现状社区 Current community", row.get("community")),
                        ("规划社区 Proposed community", row.get("community_name")),
                        ("规划社区编码 Community code", _code(row.get("community_id"))),
                        ("街道 Subdistrict", row.get("subdistrict")),
                    ],
                ),
            }
        )
    data = _feature_collection(display_geometry(frame, gcj02=gcj02), props, "compounds")
    group = _group("compounds", show=False)
    style = _polygon_style(COMPOUND_LINE, 0.8, fill=False)

    def filled(feature: dict[str, Any]) -> dict[str, Any]:
        # a transparent fill so that hovering inside a compound shows its tooltip
        return {**style(feature), "fill": True, "fillColor": "#ffffff", "fillOpacity": 0.05}

    _geojson_layer(data, style=filled, highlight=_highlight(2.5)).add_to(group)
    return group


def _roads_layer(plan: io.PlanFiles, gcj02: bool) -> folium.FeatureGroup | None:
    frame = plan.roads
    if frame is None or frame.empty:
        return None
    frame = _drop_empty(frame, "roads", "name")
    props = []
    for row in _records(frame):
        road_class = _text(row.get("class"))
        props.append(
            {
                "c": road_class if road_class in ROAD_COLOURS else "local",
                "tip": tooltip_html(
                    row.get("name"),
                    "主干道 arterial road" if road_class == "arterial" else "道路 road",
                ),
            }
        )
    data = _feature_collection(display_geometry(frame, gcj02=gcj02), props, "roads")

    def style(feature: dict[str, Any]) -> dict[str, Any]:
        kind = feature["properties"]["c"]
        return {
            "color": ROAD_COLOURS[kind],
            "weight": 4.0 if kind == "arterial" else 2.0,
            "opacity": 0.85,
        }

    group = _group("roads", show=True)
    _geojson_layer(data, style=style, popup=False).add_to(group)
    return group


def _first(row: Mapping[str, Any], *columns: str) -> Any:
    """The value of the first of ``columns`` that the row has and is not missing."""
    for column in columns:
        value = row.get(column)
        if value is not None and (isinstance(value, str) or not pd.isna(value)):
            return value
    return None


def _kind_colour(kind: str) -> str:
    return KIND_COLOURS.get(kind, OTHER_KIND_COLOUR)


def _kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, kind or "站点 post")


def _points_layers(
    points: gpd.GeoDataFrame,
    *,
    key: str,
    gcj02: bool,
    radius_m: float,
    walk_minutes: float,
) -> tuple[folium.FeatureGroup, folium.FeatureGroup]:
    id_column = "post_id" if "post_id" in points.columns else "id"
    frame = _drop_empty(points, LAYER_NAMES[key], id_column)
    geometry = display_geometry(frame, gcj02=gcj02)
    geometry = gpd.GeoSeries(shapely.point_on_surface(geometry.to_numpy()), index=geometry.index)
    props = []
    for row in _records(frame):
        kind = _text(row.get("kind"))
        status = _text(row.get("status"))
        new = status == "new"
        label = _kind_label(kind)
        title = row.get("name") if _text(row.get("name")) else label
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
                        ("编号 Id", _code(row.get(id_column))),
                        ("状态 Status", status_text),
                        ("社区 Community", _first(row, "community_name", "community")),
                        (
                            "步行可达户数 Households within the walk",
                            _first(row, "households_covered", "covered_households"),
                        ),
                        ("就近服务户数 Households served (nearest)", row.get("households_served")),
                        (
                            "步行距离 Walk (along streets)",
                            None if _count(walk_m) is None else f"{_count(walk_m):,} m",
                        ),
                        (
                            "图上圆圈 Circle on the map",
                            f"{radius_m:,.0f} m 直线 straight line",
                        ),
                    ],
                ),
            }
        )
    data = _feature_collection(geometry, props, LAYER_NAMES[key])

    def point_style(feature: dict[str, Any]) -> dict[str, Any]:
        p = feature["properties"]
        return {
            "fill": True,
            "color": "#000000" if p["n"] else "#ffffff",
            "weight": 2.5 if p["n"] else 1.5,
            "fillColor": _kind_colour(p["k"]),
            "fillOpacity": 0.95,
            "radius": 8 if p["n"] else 6,
        }

    group = _group(key, show=True)
    _geojson_layer(
        data, style=point_style, marker=folium.CircleMarker(radius=6), popup=True
    ).add_to(group)

    def circle_style(feature: dict[str, Any]) -> dict[str, Any]:
        colour = _kind_colour(feature["properties"]["k"])
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
    coverage = _group("coverage", show=False, suffix=f" ({walk_minutes:g} min, {radius_m:,.0f} m)")
    _geojson_layer(
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


# --- legend, title, page assets --------------------------------------------------------


def _swatch(fill: str | None, line: str, *, dash: bool = False, width: int = 2) -> str:
    border = f"{width}px {'dashed' if dash else 'solid'} {line}"
    background = fill if fill is not None else "transparent"
    return f"<i class='jg-sw' style='background:{background};border:{border}'></i>"


def _dot(colour: str, *, new: bool = False) -> str:
    border = "2px solid #000" if new else "1px solid #fff"
    return f"<i class='jg-dot' style='background:{colour};border:{border}'></i>"


def legend_html(
    *,
    statuses: Iterable[str],
    kinds: Iterable[str],
    has_new_posts: bool,
    caps: Mapping[str, tuple[float | None, float | None]],
    walk_text: str,
    coordinates: str = "WGS 84 / CGCS2000",
) -> str:
    """The legend as HTML (every label escaped)."""
    rows = [_dot_row(_swatch(None, "rgba(37,37,37,0.35)", width=5), "街道界 Subdistrict boundary")]
    rows.append(
        _dot_row(_swatch(None, COMMUNITY_LINE), "社区界（规划）Proposed community boundary")
    )
    rows.append(_dot_row(_swatch(None, CURRENT_LINE, dash=True), "社区界（现状）Current community"))
    rows.append(_dot_row(_swatch(None, GRID_LINE, width=1), "网格界 Grid boundary"))
    rows.append(_dot_row(_swatch(None, COMPOUND_LINE, width=1), "小区 Compound"))
    for status in statuses:
        rows.append(
            _dot_row(_swatch(STATUS_COLOURS[status], COMMUNITY_LINE), STATUS_LABELS[status])
        )
    for kind in kinds:
        rows.append(_dot_row(_dot(_kind_colour(kind)), _kind_label(kind)))
    if has_new_posts:
        rows.append(_dot_row(_dot("#ffffff", new=True), "新设站点 New post"))
    if kinds:
        rows.append(_dot_row(_swatch("rgba(33,113,181,0.1)", "#2171b5", dash=True), walk_text))
    cap_lines = []
    for level, label in (("community", "社区 Community"), ("grid", "网格 Grid")):
        low, high = caps.get(level, (None, None))
        if low is not None and high is not None:
            cap_lines.append(f"{label}: {low:,.0f}–{high:,.0f} 户 households")
    caps_html = "".join(f"<div class='jg-cap'>{_ESC(line)}</div>" for line in cap_lines)
    return (
        "<details class='jg-legend' open><summary>图例 Legend</summary>"
        + "".join(rows)
        + (f"<div class='jg-sub'>规模 Caps</div>{caps_html}" if caps_html else "")
        + "<div class='jg-note'>边界为工作示意线 "
        + "Boundaries are schematic working lines (示意)<br>"
        + f"坐标 Coordinates: {_ESC(coordinates)}</div>"
        + "</details>"
    )


def _dot_row(symbol: str, label: str) -> str:
    return f"<div class='jg-row'>{symbol}<span>{_ESC(label)}</span></div>"


def title_html(title: str, subtitle: str) -> str:
    """The title box (escaped)."""
    return (
        f"<div class='jg-titlebox'><div class='jg-maintitle'>{_ESC(title)}</div>"
        f"<div class='jg-subtitle'>{_ESC(subtitle)}</div></div>"
    )


def _web_file(name: str) -> bytes:
    return resources.files("jinfeng_grid").joinpath("data", "web", name).read_bytes()


def leaflet_assets() -> tuple[str, str]:
    """The vendored Leaflet script and stylesheet (images inlined as data: URLs)."""
    script = _web_file("leaflet.js").decode("utf-8")
    css = _web_file("leaflet.css").decode("utf-8")

    def inline(match: re.Match[str]) -> str:
        data = base64.b64encode(_web_file(match.group(1))).decode("ascii")
        return f"url(data:image/png;base64,{data})"

    css = re.sub(r"url\((images/[\w.-]+\.png)\)", inline, css)
    return script, css


def _inline_assets(m: folium.Map) -> None:
    # folium would add <script src>/<link href> to CDNs for these; the map needs only
    # Leaflet, inlined below
    m.default_js = []
    m.default_css = []
    script, css = leaflet_assets()
    header = m.get_root().header
    # "</" cannot occur inside the inlined code or it would end the element early
    for text, what in ((script, "script"), (css, "style")):
        if f"</{what}" in text.lower():
            raise RuntimeError(f"the vendored Leaflet {what} contains </{what}")
    header.add_child(Element(f"<style>{css}</style>"), name="leaflet_css_inline")
    header.add_child(Element(f"<script>{script}</script>"), name="leaflet_js_inline")
    page_css = _web_file("map.css").decode("utf-8")
    header.add_child(Element(f"<style>{page_css}</style>"), name="jinfeng_grid_css")


def stable_ids(root: Element) -> None:
    """Replace folium's random element ids by sequential ones (same plan, same page)."""
    counter = itertools.count()

    def walk(element: Element) -> None:
        renamed: OrderedDict[str, Element] = OrderedDict()
        for key, child in element._children.items():
            old = child.get_name()
            child._id = f"{next(counter):06d}"
            walk(child)
            renamed[child.get_name() if key == old else key] = child
        element._children = renamed

    walk(root)


class _Overlay(MacroElement):
    """Static HTML placed over the map (title, legend)."""

    def __init__(self, markup: str) -> None:
        super().__init__()
        self._name = "Overlay"
        self.markup = markup

    def render(self, **kwargs: Any) -> None:
        self.get_root().html.add_child(Element(self.markup), name=self.get_name())
        super().render(**kwargs)


class _FoldOnPopup(MacroElement):
    """Fold the legend and the layer control while a popup is open.

    Both sit above Leaflet's panes and would hide a popup under them; folded, each
    is one line or an icon (a click opens it again), and both come back as they
    were when the popup closes.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            var control = {{ this.control.get_name() }};
            var before = null;
            map.on("popupopen", function () {
                var legend = document.querySelector(".jg-legend");
                if (before === null) {
                    before = {
                        legend: !!(legend && legend.open),
                        layers: L.DomUtil.hasClass(
                            control.getContainer(), "leaflet-control-layers-expanded"
                        ),
                    };
                }
                if (legend) { legend.open = false; }
                control.collapse();
            });
            map.on("popupclose", function () {
                if (before === null) { return; }
                var legend = document.querySelector(".jg-legend");
                if (legend && before.legend) { legend.open = true; }
                if (before.layers) { control.expand(); }
                before = null;
            });
        })();
        {% endmacro %}
        """
    )

    def __init__(self, control: folium.LayerControl) -> None:
        super().__init__()
        self._name = "FoldOnPopup"
        self.control = control


# --- the map -------------------------------------------------------------------------------


def _scenario(plan: io.PlanFiles) -> Mapping[str, Any]:
    provenance = plan.summary.get("provenance")
    if isinstance(provenance, Mapping):
        scenario = provenance.get("scenario")
        if isinstance(scenario, Mapping):
            return scenario
    return {}


def _caps(scenario: Mapping[str, Any], level: str) -> tuple[float | None, float | None]:
    bounds = scenario.get(level)
    if not isinstance(bounds, Mapping):
        return (None, None)
    return (bounds.get("min_households"), bounds.get("max_households"))


def _total(frame: pd.DataFrame, column: str) -> int | None:
    if column not in frame.columns:
        return None
    return int(pd.to_numeric(frame[column], errors="coerce").fillna(0).sum())


def build_plan_map(
    plan: io.PlanFiles,
    *,
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
        raise InputDataError(f"the plan in {plan.path} has no communities to draw")
    radius_m = walk_minutes * speed_m_per_min
    scenario = _scenario(plan)
    report = scenario.get("report") if isinstance(scenario.get("report"), Mapping) else {}
    graph = scenario.get("graph") if isinstance(scenario.get("graph"), Mapping) else {}
    closing_m = float(graph.get("gap_tolerance_m") or 30.0) / 2

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
    _inline_assets(m)
    for tiles in base.tiles:
        folium.TileLayer(
            tiles=tiles.url,
            attr=tiles.attribution,
            name=_ESC(tiles.name),
            subdomains=tiles.subdomains,
            overlay=tiles.overlay,
            max_zoom=18,
        ).add_to(m)

    district_keys = {
        "district_id": str(report.get("district_code") or DEFAULT_DISTRICT_CODE),
        "district_name": str(report.get("district_name") or DEFAULT_DISTRICT_NAME),
    }
    staff = staffing_lookup(plan, **district_keys)
    communities, labels = _communities_layer(plan, base.gcj02, staff)
    layers: list[folium.FeatureGroup | None] = [
        _subdistricts_layer(plan, base.gcj02, closing_m, staff),
        communities,
        _current_layer(
            plan,
            base.gcj02,
            _caps(scenario, "community"),
            closing_m,
            staffing_lookup(plan, before=True, **district_keys)
            if "community" in plan.compounds
            else None,
        ),
        _grids_layer(plan, base.gcj02, staff),
        _compounds_layer(plan, base.gcj02),
        _roads_layer(plan, base.gcj02),
        labels,
    ]
    points_key = "posts" if posts is not None else "facilities"
    points = read_posts(posts) if posts is not None else plan.facilities
    kinds: list[str] = []
    has_new = False
    if points is not None and not points.empty:
        if "kind" not in points.columns:
            raise InputDataError("the plan's facilities have no column 'kind'")
        kinds = sorted({_text(k) for k in points["kind"]}, key=lambda k: (k not in KIND_COLOURS, k))
        has_new = "status" in points.columns and bool((points["status"] == "new").any())
        point_group, coverage = _points_layers(
            points, key=points_key, gcj02=base.gcj02, radius_m=radius_m, walk_minutes=walk_minutes
        )
        layers = [*layers[:-1], coverage, layers[-1], point_group]
    for layer in layers:
        if layer is not None:
            layer.add_to(m)
    control = folium.LayerControl(collapsed=False, position="topright").add_to(m)

    district = str(report.get("district_name") or "")
    units = f"{len(plan.communities):,} 个社区 communities · {len(plan.grids):,} 个网格 grids"
    households = _total(plan.communities, "households")
    population = _total(plan.communities, "population")
    if households is not None and population is not None:
        units += f" · {households:,} 户 households · {population:,} 人 people"
    _Overlay(
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
    _Overlay(
        legend_html(
            statuses=statuses,
            kinds=kinds,
            has_new_posts=has_new,
            caps={"community": _caps(scenario, "community"), "grid": _caps(scenario, "grid")},
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
    _FoldOnPopup(control).add_to(m)
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
