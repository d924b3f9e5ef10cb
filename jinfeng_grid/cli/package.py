"""``jinfeng-grid package``: the approval package of a plan (atlas, maps, tables, layers)."""

from __future__ import annotations

import argparse
import datetime
import sys
from pathlib import Path

from jinfeng_grid.cli.exit_codes import EXIT_OK, EXIT_WARNINGS
from jinfeng_grid.errors import ConfigError

__all__ = ["add_package"]

_EPILOG = """\
examples:
  jinfeng-grid package plan/ --out submission/
  jinfeng-grid package plan/ --out submission/ --a4 --date 2026-12-01 \\
      --producing-unit 金凤区民政局

The folder holds (see its README.txt):
  atlas.pdf             overview, before/after, table of communities, and for each
                        changed community its map and a page of tables (四至,
                        grids, compounds, staffing); Chinese font embedded
  maps/                 overview.pdf/.png, before_after.pdf/.png (300 dpi),
                        community_<code>.pdf for each changed community
  plan.xlsx             communities, grids, compounds, moves, 四至, staffing
  moves.csv, plan.gpkg, summary.json   copied from the plan
  map.html              the interactive review map
  README.txt            what the folder holds (Chinese and English)

Pages are landscape A3 (A4 with --a4). The producing unit printed on the maps is the
scenario's [report] producing_unit unless --producing-unit is given.
"""


def add_package(sub: argparse._SubParsersAction) -> None:
    """Register ``jinfeng-grid package``."""
    parser = sub.add_parser(
        "package",
        help="write the approval package of a plan (atlas PDF, maps, workbook, layers)",
        description=(
            "Write the folder a civil-affairs office submits for approval from the plan in "
            "PLAN_DIR (made by `jinfeng-grid plan`): print maps in Chinese with legend, "
            "scale, north arrow, coordinate system and producing unit, the boundary of each "
            "changed community in words (四至), tables of its grids, compounds and staffing, "
            "an Excel workbook, the GeoPackage and the provenance."
        ),
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("plan_dir", metavar="PLAN_DIR", help="a plan directory")
    parser.add_argument("--out", required=True, metavar="DIR", help="the package folder to write")
    parser.add_argument(
        "--a4", action="store_true", help="A4 landscape pages instead of A3 landscape"
    )
    parser.add_argument(
        "--date",
        default=None,
        metavar="YYYY-MM-DD",
        help="编制日期 printed on the maps (default: today)",
    )
    parser.add_argument(
        "--producing-unit",
        default=None,
        metavar="TEXT",
        help="编制单位 printed on the maps (default: the scenario's [report] producing_unit)",
    )
    parser.add_argument(
        "--no-png", action="store_true", help="do not write the 300-dpi PNG maps (faster)"
    )
    parser.set_defaults(handler=_run_package)


def _parse_date(text: str | None) -> datetime.date | None:
    if text is None:
        return None
    try:
        return datetime.date.fromisoformat(text)
    except ValueError as error:
        raise ConfigError(f"--date {text!r} is not a date: write it as YYYY-MM-DD") from error


def _run_package(args: argparse.Namespace) -> int:
    from jinfeng_grid.report import package

    files = package.write_package(
        args.plan_dir,
        args.out,
        paper="A4" if args.a4 else "A3",
        date=_parse_date(args.date),
        producing_unit=args.producing_unit,
        png=not args.no_png,
    )
    maps = sum(1 for name in files if name.startswith("maps/"))
    listed = [name for name in files if not name.startswith("maps/")]
    sys.stdout.write(
        f"wrote the approval package to {Path(args.out)}: {', '.join(listed)} "
        f"and {maps} maps in maps/\n"
    )
    if "map.html" not in files:
        sys.stdout.write("note: no interactive map.html (jinfeng_grid.render is not available)\n")
        return EXIT_WARNINGS
    return EXIT_OK
