"""``jinfeng-grid plan``: communities within subdistricts and grids within communities."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from jinfeng_grid.cli import common as common
from jinfeng_grid.cli.exit_codes import EXIT_OK, EXIT_WARNINGS

if TYPE_CHECKING:
    from jinfeng_grid import pipeline

__all__ = ["add_plan", "describe_run"]


def _add_plan_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", required=True, metavar="DIR", help="output directory")
    parser.add_argument(
        "--roads-layer",
        default=None,
        help="roads layer of INPUT; arterials are barriers (default: 'roads' if INPUT has it)",
    )
    parser.add_argument(
        "--facilities-layer",
        default=None,
        help="facilities (police rooms, ...) copied into the plan (default: 'facilities' if any)",
    )
    parser.add_argument(
        "--staff-layer",
        default=None,
        help="table of actual staff copied into the plan (default: 'staff' if INPUT has it)",
    )
    parser.add_argument(
        "--time-limit",
        type=float,
        default=None,
        metavar="S",
        help="seconds for the whole plan (default: the scenario's [solver])",
    )
    parser.add_argument("--seed", type=int, default=None, help="seed (default: the scenario's)")
    parser.add_argument(
        "--workers", type=int, default=None, help="parallel processes (default: the CPUs available)"
    )
    parser.add_argument(
        "--connect-islands",
        action="store_true",
        help="link cut-off compounds to their nearest neighbour of the same subdistrict",
    )
    parser.add_argument(
        "--keep-current",
        action="store_true",
        help=(
            "minimal change: keep current communities and grids that are within bounds; "
            "re-draw the others moving as few households as possible; locked compounds stay"
        ),
    )


def add_plan(sub: argparse._SubParsersAction) -> None:
    """Register ``jinfeng-grid plan``."""
    parser = sub.add_parser(
        "plan",
        help="plan communities within subdistricts and grids within communities",
        description=(
            "Draw communities from whole compounds within each current subdistrict, then "
            "grids from buildings within each community, every unit contiguous and within "
            "the scenario's bounds. Writes plan.gpkg, summary.json, communities.csv, "
            "grids.csv and moves.csv to --out."
        ),
        epilog=(
            "examples:\n"
            "  jinfeng-grid plan district.gpkg --out plan/\n"
            "  jinfeng-grid plan district.gpkg --out reform/ --config reform2020\n"
            "  jinfeng-grid plan survey.shp --column households=户数 --column population=人口 "
            "--out plan/"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    common.add_input_arguments(parser)
    common.add_buildings_arguments(parser)
    _add_plan_arguments(parser)
    parser.set_defaults(handler=_run_plan)


def _run_plan(args: argparse.Namespace) -> int:
    from jinfeng_grid import pipeline
    from jinfeng_grid.config.columns import parse_column_flags

    input_path, out = args.input, args.out
    scenario = common.scenario_from_args(args)
    # the scenario's [columns], overridden by --column flags (as _column_map does,
    # without loading the scenario a second time)
    columns = scenario.columns.merged(parse_column_flags(args.column))
    buildings_layer = common.optional_layer(
        input_path, args.buildings_layer, "buildings", off=args.no_buildings
    )
    roads_layer = common.optional_layer(input_path, args.roads_layer, "roads", off=False)
    facilities_layer = common.optional_layer(
        input_path, args.facilities_layer, "facilities", off=False
    )
    staff_layer = common.optional_layer(input_path, args.staff_layer, "staff", off=False)
    update, close = common.progress_bar(args.quiet)
    try:
        run = pipeline.run_plan(
            input_path,
            out,
            scenario=scenario,
            layer=args.layer,
            buildings_layer=buildings_layer,
            roads_layer=roads_layer,
            facilities_layer=facilities_layer,
            staff_layer=staff_layer,
            columns=columns,
            crs=args.crs,
            encoding=args.encoding,
            keep_current=args.keep_current,
            workers=args.workers,
            progress=update,
        )
    finally:
        close()
    sys.stdout.write(describe_run(run) + "\n")
    return EXIT_WARNINGS if run.plan.notes else EXIT_OK


def describe_run(run: pipeline.PlanRun) -> str:
    """The plan in a few lines: each level, oversize communities, the notes, the files."""
    plan = run.plan
    lines = [f"{plan!r}"]
    for level in plan.levels.values():
        gap = "no bound" if level.gap is None else f"gap {100 * level.gap:.1f}%"
        lines.append(
            f"  {level.level}: {level.units} units, {level.within_bounds} within bounds, "
            f"{level.status} ({gap}), {level.seconds:.1f} s"
        )
    over = int((plan.communities["households"] > 5000).sum())
    lines.append(f"  communities above 5,000 households: {over} of {len(plan.communities)}")
    lines += [f"  note: {note}" for note in plan.notes]
    out = sorted(path.name for path in run.files.values())
    lines.append(f"wrote {', '.join(out)} to {next(iter(run.files.values())).parent}")
    return "\n".join(lines)
