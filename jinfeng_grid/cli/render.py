"""``jinfeng-grid render``: the interactive review map of a plan (``map.html``)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from jinfeng_grid.cli import common
from jinfeng_grid.cli.exit_codes import EXIT_OK

__all__ = ["add_render"]

#: The choices of --basemap (jinfeng_grid.render.BASEMAPS; not imported here so that
#: building the parser does not load folium)
_BASEMAPS = ("osm", "tianditu", "amap")

_EPILOG = """\
examples:
  jinfeng-grid render plan/                      (writes plan/map.html)
  jinfeng-grid render plan/ --out review/ --posts posts.gpkg
  TIANDITU_KEY=... jinfeng-grid render plan/ --basemap tianditu
  jinfeng-grid render plan/ --basemap amap       (data shifted to GCJ-02 for AMap tiles)
  jinfeng-grid render plan/ --print A3           (also plan/maps/overview.pdf, ...)

map.html opens in any browser without network access except for the basemap tiles:
Leaflet is inlined in the file. Layers (toggled at the top right): subdistricts,
proposed communities (green within caps, red outside, orange a single compound above
the cap), community names, current communities (from the compounds' current
community), grids, compounds, roads, police rooms and health stations (or --posts)
and their walk-coverage circles. Hover for name, households and people; click for
codes, counts and the staff each unit needs.

Basemaps: osm (OpenStreetMap, default); tianditu (天地图, WGS 84/CGCS2000) needs a key
in the environment variable TIANDITU_KEY, which is never stored in the project's
files, but the browser must send it with every tile request, so it IS written into
the tile URLs of map.html: do not share such a file outside the office, and use a
browser-side key (浏览器端) restricted to your domains; amap (高德) tiles are in
GCJ-02, and the data are shifted from WGS 84 to GCJ-02 before they are drawn.
"""


def add_render(sub: argparse._SubParsersAction) -> None:
    """Register ``jinfeng-grid render``."""
    parser = sub.add_parser(
        "render",
        help="draw a plan as an interactive map (map.html) for review",
        description=(
            "Draw the plan in PLAN_DIR (written by `jinfeng-grid plan`) as an interactive "
            "map, DIR/map.html: communities coloured by whether they meet their caps, "
            "current and proposed boundaries, grids, compounds, facilities or posts with "
            "walk coverage, tooltips and popups with households, people and staff needed."
        ),
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("plan_dir", metavar="PLAN_DIR", help="a plan directory")
    parser.add_argument(
        "--out", default=None, metavar="DIR", help="where map.html goes (default: PLAN_DIR)"
    )
    parser.add_argument(
        "--posts",
        default=None,
        metavar="POSTS.gpkg",
        help="sited posts (layer 'posts'), drawn instead of the plan's facilities",
    )
    parser.add_argument(
        "--basemap",
        default="osm",
        choices=_BASEMAPS,
        help="tiles under the data: osm (default), tianditu (needs TIANDITU_KEY), amap",
    )
    parser.add_argument(
        "--walk-minutes",
        type=float,
        default=15.0,
        metavar="MIN",
        help="walk time of the coverage circles (default 15, as for jinfeng-grid posts)",
    )
    parser.add_argument(
        "--speed",
        type=float,
        default=60.0,
        metavar="M_PER_MIN",
        help="walking speed in metres per minute (default 60)",
    )
    parser.add_argument(
        "--print",
        dest="paper",
        choices=("A3", "A4"),
        default=None,
        help="also write the print maps (overview, before/after; PDF and PNG) to DIR/maps",
    )
    parser.set_defaults(handler=_run_render)


def _run_render(args: argparse.Namespace) -> int:
    from jinfeng_grid.plan.directory import read_plan
    from jinfeng_grid.render import maps as render
    from jinfeng_grid.render.basemaps import resolve_basemap

    out = Path(args.out) if args.out is not None else Path(args.plan_dir)
    resolve_basemap(args.basemap)  # a bad basemap (or no Tianditu key) fails before any work
    plan = read_plan(args.plan_dir)
    path = render.write_map(
        plan,
        out / render.MAP_FILE,
        staffing=common.plan_staffing_or_none(plan),
        posts=args.posts,
        basemap=args.basemap,
        walk_minutes=args.walk_minutes,
        speed_m_per_min=args.speed,
    )
    sys.stdout.write(f"wrote {path}\n")
    if args.paper is not None:
        maps = render.write_print_maps(plan, out / "maps", paper=args.paper)
        sys.stdout.write(f"wrote {', '.join(sorted(maps))} to {out / 'maps'}\n")
    return EXIT_OK
