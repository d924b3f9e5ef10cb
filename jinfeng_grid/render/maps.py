"""Maps of a plan: interactive review maps (folium) and print maps (matplotlib).

``explore_*`` functions return a :class:`folium.Map` (show it in a notebook, or save
it with :func:`write_map`); ``plot_*`` functions return a matplotlib ``Figure``.

The interactive map (``map.html``) works offline except for the basemap tiles:
Leaflet is inlined from a vendored copy (``jinfeng_grid/data/web``, BSD-2), no other
script or stylesheet is loaded. Every piece of user text (names, ids, kinds) is
escaped. Basemaps:

``osm``
    OpenStreetMap (default); the data are drawn in WGS 84.
``tianditu``
    天地图 vector and imagery tiles with labels, WGS 84/CGCS2000. Needs a key in the
    environment variable ``TIANDITU_KEY``; the key is never stored in the project's
    files, but a browser map must send it with every tile request, so it **is**
    written into the tile URLs of the page: do not share such a ``map.html`` outside
    the office; use a browser-side key (浏览器端) restricted to your domains.
``amap``
    高德 AMap/Gaode tiles, which are in GCJ-02: the data are shifted from WGS 84 to
    GCJ-02 (:func:`jinfeng_grid.crs.wgs84_to_gcj02`) before they are drawn.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Literal

import folium
import geopandas as gpd

from jinfeng_grid import io
from jinfeng_grid.plan.directory import read_plan
from jinfeng_grid.plan.value import Plan
from jinfeng_grid.render import explore as _explore
from jinfeng_grid.render.basemaps import TIANDITU_KEY_ENV, resolve_basemap
from jinfeng_grid.render.print_maps import print_maps
from jinfeng_grid.staffing.plan import PlanStaffing

__all__ = [
    "explore_plan",
    "write_map",
    "write_print_maps",
]

logger = logging.getLogger(__name__)

MAP_FILE = "map.html"
"""The name of the interactive map in a plan or package directory."""


def write_print_maps(
    plan: Plan | str | Path,
    out_dir: str | Path,
    *,
    paper: Literal["A3", "A4"] = "A3",
    png: bool = True,
) -> dict[str, Path]:
    """Write the print maps of a plan: ``overview`` and, when the plan knows the current
    communities, ``before_after``, each as vector PDF (font embedded) and 300-dpi PNG.

    Parameters
    ----------
    plan
        A plan directory or a plan it read.
    out_dir
        Where the maps go (e.g. ``PLAN_DIR/maps``).
    paper
        ``"A3"`` (default) or ``"A4"`` landscape.
    png
        Also write PNGs.

    Returns
    -------
    dict
        File name → path.

    Examples
    --------
    >>> write_print_maps("plan/", "plan/maps")  # doctest: +SKIP
    """
    plan = plan if isinstance(plan, Plan) else read_plan(plan)
    written, _ = print_maps(plan, Path(out_dir), paper=paper, png=png)
    return written


def explore_plan(
    plan: Plan,
    *,
    staffing: PlanStaffing | None = None,
    posts: gpd.GeoDataFrame | str | Path | None = None,
    basemap: str = "osm",
    walk_minutes: float = 15.0,
    speed_m_per_min: float = 60.0,
) -> folium.Map:
    """An interactive map of a plan for review on screen.

    Overlays, toggled in a layer control (names in Chinese and English, see
    :data:`LAYER_NAMES`): subdistricts; proposed communities, filled by whether they
    meet their caps (``within_bounds``; ``oversize`` for a single compound above the
    cap) and their names; current communities, dissolved from the compounds' current
    ``community`` column when present; grids (filled like communities); compounds;
    roads; police rooms and health stations (or ``posts``) with their walk-coverage
    circles. Tooltips give name, households and population; popups add codes,
    counts, caps and, when ``staffing`` is given, the staff each unit needs with the
    actual staff and the shortfall. A title and a legend sit over the map, which fits
    the district.

    Parameters
    ----------
    plan
        A plan directory as read by :func:`jinfeng_grid.plan.read_plan`.
    staffing
        The plan's staffing (:func:`jinfeng_grid.staffing.plan_staffing`), computed
        once by the caller and shown in the popups; ``None`` shows no staff.
    posts
        Sited posts (points with ``kind``, optional ``status`` ``existing``/``new``,
        ``name``, ``covered_households``): a GeoDataFrame in any CRS, or a file whose
        layer ``posts`` holds them (``posts.gpkg``). Drawn instead of the plan's
        facilities; ``None`` draws the facilities.
    basemap
        ``"osm"`` (default), ``"tianditu"`` (needs ``TIANDITU_KEY``) or ``"amap"``
        (data shifted to GCJ-02).
    walk_minutes, speed_m_per_min
        The walk-coverage radius is ``walk_minutes * speed_m_per_min`` metres (15 min
        at 60 m/min: 900 m, the 15-minute living circle of GB 50180-2018).

    Returns
    -------
    folium.Map
        Self-contained apart from the tiles; the same plan gives the same page.

    Raises
    ------
    ConfigError
        For an unknown basemap, ``tianditu`` without ``TIANDITU_KEY``, or a
        non-positive walk time or speed.
    InputDataError
        For posts without ``kind`` or that are not points, or a posts file without a
        ``posts`` layer.

    Examples
    --------
    >>> from jinfeng_grid import io, render
    >>> from jinfeng_grid import staffing
    >>> plan = read_plan("plan/")  # doctest: +SKIP
    >>> render.explore_plan(plan, staffing=staffing.plan_staffing(plan))  # doctest: +SKIP
    <folium.folium.Map object at ...>
    """
    return _explore.build_plan_map(
        plan,
        staffing=staffing,
        posts=posts,
        basemap=basemap,
        walk_minutes=walk_minutes,
        speed_m_per_min=speed_m_per_min,
    )


def write_map(
    plan: Plan | str | Path,
    path: str | Path,
    *,
    staffing: PlanStaffing | None = None,
    posts: gpd.GeoDataFrame | str | Path | None = None,
    basemap: str = "osm",
    walk_minutes: float = 15.0,
    speed_m_per_min: float = 60.0,
) -> Path:
    """Write the interactive map of a plan as one HTML file (UTF-8).

    Parameters
    ----------
    plan
        A plan as read by :func:`jinfeng_grid.plan.read_plan`, or its directory.
    path
        The file to write (conventionally ``PLAN_DIR/map.html``); its directory is
        created if missing.
    staffing, posts, basemap, walk_minutes, speed_m_per_min
        As for :func:`explore_plan`.

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    InputDataError
        If the plan cannot be read or the file cannot be written.
    ConfigError
        As for :func:`explore_plan`.

    Examples
    --------
    >>> from jinfeng_grid import render
    >>> render.write_map("plan/", "plan/map.html")  # doctest: +SKIP
    PosixPath('plan/map.html')
    """
    holds_key = resolve_basemap(basemap).holds_key  # a bad basemap fails first
    plan = plan if isinstance(plan, Plan) else read_plan(plan)
    m = explore_plan(
        plan,
        staffing=staffing,
        posts=posts,
        basemap=basemap,
        walk_minutes=walk_minutes,
        speed_m_per_min=speed_m_per_min,
    )
    page = _explore.map_html(m)
    path = io.write_text(path, page)
    logger.info("wrote %s (%.1f MB)", path, len(page.encode("utf-8")) / 1e6)
    if holds_key:
        logger.warning(
            "%s holds the Tianditu key from %s in its tile URLs: do not share the file "
            "outside the office",
            path.name,
            TIANDITU_KEY_ENV,
        )
    return path
