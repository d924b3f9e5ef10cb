"""The ``jinfeng-grid`` command.

Each subcommand is registered by a small ``_add_<name>`` function that adds its
parser and sets ``handler``; handlers return the exit code. Errors of the package
(:class:`~jinfeng_grid.errors.JinfengGridError`) become a one-paragraph message on
stderr and their ``exit_code``; never a traceback for bad input.

Exit codes: 0 ok, 1 warnings, 2 bad input, 3 infeasible, 4 solver or time limit
without a plan.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from jinfeng_grid import __version__
from jinfeng_grid.cli import common as common
from jinfeng_grid.cli.assign import add_assign
from jinfeng_grid.cli.package import add_package
from jinfeng_grid.cli.posts import add_posts
from jinfeng_grid.cli.render import add_render
from jinfeng_grid.cli.split import add_split
from jinfeng_grid.cli.staff import add_staff
from jinfeng_grid.errors import JinfengGridError

if TYPE_CHECKING:
    from jinfeng_grid import pipeline

__all__ = ["build_parser", "main"]

logger = logging.getLogger(__name__)

Handler = Callable[[argparse.Namespace], int]


def _add_demo(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "demo",
        help="summarise the bundled sample district, plan it, split 五里水乡, package both",
        description=(
            "Summarise the bundled synthetic Jinfeng District (households and people per "
            "subdistrict and community, communities above the 3,000- and 5,000-household "
            "marks); plan its communities and grids with the standard scenario; split "
            "五里水乡 (12,640 households) with three alternatives; and write the approval "
            "package of the plan and of the best split. Output under --out:\n"
            "  plan/                       the plan directory (plan.gpkg, summary.json, CSVs)\n"
            "  package/                    its approval package (atlas, maps, workbook, map.html)\n"
            "  split/alternatives.csv      the three splits of 五里水乡 compared\n"
            "  split/alternative_<n>/      each split as a plan directory\n"
            "  split/package/              the approval package of the best split"
        ),
        epilog="example: jinfeng-grid demo --out demo_output",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--input",
        default=None,
        help="a GeoPackage laid out like the sample (default: the bundled sample)",
    )
    parser.add_argument(
        "--out", default="demo_output", metavar="DIR", help="where it all goes (demo_output)"
    )
    parser.add_argument(
        "--config", default=None, help="scenario file or preset (default: standard)"
    )
    parser.add_argument("--workers", type=int, default=None, help="parallel processes")
    parser.add_argument(
        "--community",
        default="五里水乡",
        help="the community to split (default 五里水乡; skipped when the input has none)",
    )
    parser.add_argument(
        "--summary-only", action="store_true", help="summarise the district, do not plan it"
    )
    parser.set_defaults(handler=_run_demo)


def _run_demo(args: argparse.Namespace) -> int:
    from pathlib import Path

    from jinfeng_grid import pipeline
    from jinfeng_grid.config.load import load_scenario
    from jinfeng_grid.io import read as io
    from jinfeng_grid.report import summaries as report

    path = args.input if args.input is not None else io.sample_path()
    compounds = io.read_layer(path, layer="compounds")
    summary = report.district_summary(compounds)
    sys.stdout.write("Current district\n" + report.format_district_summary(summary))
    if args.summary_only:
        return 0
    scenario = load_scenario(args.config)
    layers = io.list_layers(path)
    found = {
        f"{name}_layer": name if name in layers else None
        for name in ("buildings", "roads", "facilities", "staff")
    }
    out = Path(args.out)
    update, close = common.progress_bar(args.quiet)
    try:
        run = pipeline.run_plan(
            path,
            out / "plan",
            scenario=scenario,
            layer="compounds",
            workers=args.workers,
            progress=update,
            **found,
        )
    finally:
        close()
    sys.stdout.write("\nPlan (scenario " + str(scenario.name) + ")\n" + _describe_run(run) + "\n")
    files = report.write_package(out / "plan", out / "package")
    sys.stdout.write(f"approval package of the plan: {len(files)} files in {out / 'package'}\n")
    names = set(compounds["community"].astype(str)) if "community" in compounds.columns else set()
    if args.community not in names:
        sys.stdout.write(f"no community {args.community!r} in the input: no split\n")
        return 1 if run.plan.notes else 0
    split = pipeline.run_split(
        path,
        out / "split",
        community=args.community,
        scenario=scenario,
        alternatives=3,
        workers=args.workers,
        layer="compounds",
        **found,
    ).split
    table = split.comparison[
        ["alternative", "status", "boundary_m", "households", "households_moved", "grids"]
    ]
    sys.stdout.write(
        f"\n{split.community} split into {split.parts}, {len(split.alternatives)} alternatives "
        f"(written to {out / 'split'}):\n{table.to_string(index=False)}\n"
    )
    files = report.write_package(out / "split" / "alternative_1", out / "split" / "package")
    sys.stdout.write(
        f"approval package of alternative 1: {len(files)} files in {out / 'split' / 'package'}\n"
    )
    return 0


def _add_validate(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "validate",
        help="check a district's compounds (and buildings) and report every problem",
        description=(
            "Read the compounds (and buildings) of INPUT and report every problem at once, "
            "grouped, with rows, ids and how to fix them. Exit status 0 = clean, "
            "1 = warnings only, 2 = errors."
        ),
        epilog="example: jinfeng-grid validate district.gpkg --column households=户数",
    )
    common.add_input_arguments(parser)
    common.add_buildings_arguments(parser)
    parser.add_argument(
        "--gap-tolerance",
        type=float,
        default=None,
        metavar="M",
        help="a compound with no other within M metres is an island (default 30)",
    )
    parser.add_argument(
        "--overlap-tolerance",
        type=float,
        default=None,
        metavar="FRACTION",
        help="report overlaps above this fraction of the smaller compound (default 0.01)",
    )
    parser.add_argument("--no-repair", action="store_true", help="do not repair invalid geometries")
    parser.set_defaults(handler=_run_validate)


def _run_validate(args: argparse.Namespace) -> int:
    from jinfeng_grid.graph import adjacency as graph
    from jinfeng_grid.validate import compounds as validate

    compounds, buildings = common.read_district(args)
    report = validate.validate_compounds(
        compounds,
        buildings=buildings,
        gap_tolerance_m=(
            graph.DEFAULT_GAP_TOLERANCE_M if args.gap_tolerance is None else args.gap_tolerance
        ),
        overlap_tolerance=(
            validate.DEFAULT_OVERLAP_TOLERANCE
            if args.overlap_tolerance is None
            else args.overlap_tolerance
        ),
        repair=not args.no_repair,
    )
    sys.stdout.write(f"{report}\n")
    return report.exit_code


def _add_graph(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "graph",
        help="build the compound adjacency graph (node-link JSON + PNG picture)",
        description=(
            "Build the adjacency graph of the compounds of INPUT: neighbours share a boundary "
            "or face each other across a street up to the gap tolerance; edges crossing an "
            "arterial road (roads layer) or a barrier layer are flagged. Writes networkx "
            "node-link JSON and a PNG of the graph over the polygons; prints the components "
            "and islands by name."
        ),
        epilog="example: jinfeng-grid graph district.gpkg --out out/graph.json --connect-islands",
    )
    common.add_input_arguments(parser)
    parser.add_argument(
        "--out", required=True, metavar="GRAPH.json", help="node-link JSON to write"
    )
    parser.add_argument(
        "--png", default=None, metavar="PATH", help="picture to write (default: OUT with .png)"
    )
    parser.add_argument("--no-png", action="store_true", help="do not draw the picture")
    parser.add_argument(
        "--buildings-out",
        default=None,
        metavar="BUILDINGS.json",
        help="also write the building proximity graph (needs a buildings layer)",
    )
    parser.add_argument(
        "--buildings-layer",
        default=None,
        help="buildings layer of INPUT for --buildings-out (default: 'buildings')",
    )
    parser.add_argument(
        "--gap-tolerance",
        type=float,
        default=None,
        metavar="M",
        help="widest street across which compounds are neighbours (default 30)",
    )
    parser.add_argument(
        "--min-shared",
        type=float,
        default=None,
        metavar="M",
        help="shortest shared boundary of touching compounds (default 1)",
    )
    parser.add_argument(
        "--barrier-gap",
        type=float,
        default=None,
        metavar="M",
        help="widest gap across an arterial road or barrier; such edges are flagged (default 80)",
    )
    parser.add_argument(
        "--connect-islands",
        action="store_true",
        help="link each island/component to its nearest compound (flagged island_link)",
    )
    parser.add_argument(
        "--roads-layer",
        default=None,
        help="roads layer of INPUT whose arterial roads are barriers (default: 'roads' if present)",
    )
    parser.add_argument(
        "--barrier-layer",
        action="append",
        default=[],
        metavar="LAYER[:COLUMN=VALUE]",
        help=(
            "another barrier layer of INPUT (river, railway), repeatable; COLUMN=VALUE keeps "
            "matching rows, e.g. --barrier-layer landuse:kind=water"
        ),
    )
    parser.set_defaults(handler=_run_graph, no_buildings=False)


def _run_graph(args: argparse.Namespace) -> int:
    from pathlib import Path

    from jinfeng_grid.errors import ConfigError
    from jinfeng_grid.graph import adjacency as graph
    from jinfeng_grid.graph.buildings import build_building_graph
    from jinfeng_grid.graph.components import graph_components
    from jinfeng_grid.io.read import read_lines, read_roads
    from jinfeng_grid.io.write import write_figure, write_graph_json
    from jinfeng_grid.validate import compounds as validate

    compounds, buildings = common.read_district(args, with_buildings=args.buildings_out is not None)
    if args.buildings_out is not None and buildings is None:
        raise ConfigError(
            f"--buildings-out needs a buildings layer: {args.input} has none named 'buildings'; "
            "name it with --buildings-layer"
        )
    gap = graph.DEFAULT_GAP_TOLERANCE_M if args.gap_tolerance is None else args.gap_tolerance
    report = validate.validate_compounds(
        compounds, buildings=buildings, gap_tolerance_m=gap
    ).raise_if_errors()
    if report.warnings:
        logger.warning(
            "%d validation warnings (run jinfeng-grid validate for the list)", len(report.warnings)
        )
    columns = common.column_map(args)
    barriers = []
    roads_layer = common.optional_layer(args.input, args.roads_layer, "roads", off=False)
    if roads_layer is not None:
        roads = read_roads(
            args.input,
            layer=roads_layer,
            columns=columns.roads,
            crs=args.crs,
            encoding=args.encoding,
        )
        barriers.append(graph.arterial_roads(roads))
    for spec in args.barrier_layer:
        layer, _, condition = spec.partition(":")
        column, eq, value = condition.partition("=")
        if condition and not (eq and column and value):
            raise ConfigError(
                f"--barrier-layer {spec!r} is not LAYER or LAYER:COLUMN=VALUE "
                "(e.g. landuse:kind=water)"
            )
        where = {column: value} if condition else None
        barriers.append(read_lines(args.input, layer=layer, crs=args.crs, where=where))
    adjacency = graph.build_adjacency(
        report.repaired,
        gap_tolerance_m=gap,
        min_shared_m=graph.DEFAULT_MIN_SHARED_M if args.min_shared is None else args.min_shared,
        barriers=barriers or None,
        barrier_gap_m=graph.DEFAULT_BARRIER_GAP_M if args.barrier_gap is None else args.barrier_gap,
        connect_islands=args.connect_islands,
    )
    write_graph_json(adjacency, args.out)
    if args.buildings_out is not None:
        building_graph = build_building_graph(report.repaired_buildings, compound_graph=adjacency)
        write_graph_json(building_graph, args.buildings_out)
    if not args.no_png:
        from jinfeng_grid.render.cartography import plot_adjacency

        png = Path(args.png) if args.png is not None else Path(args.out).with_suffix(".png")
        write_figure(plot_adjacency(report.repaired, adjacency, barriers=barriers), png)
    sys.stdout.write(f"{graph_components(adjacency)}\n")
    return 0


# --- plan ---


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


def _add_plan(sub: argparse._SubParsersAction) -> None:
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
    sys.stdout.write(_describe_run(run) + "\n")
    return 1 if run.plan.notes else 0


def _describe_run(run: pipeline.PlanRun) -> str:
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


_SUBCOMMANDS: list[Callable[[argparse._SubParsersAction], None]] = [
    _add_plan,
    add_split,
    _add_demo,
    _add_validate,
    _add_graph,
    add_staff,
    add_assign,
    add_render,
    add_posts,
    add_package,
]


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser of ``jinfeng-grid`` with every subcommand."""
    parser = argparse.ArgumentParser(
        prog="jinfeng-grid",
        description=(
            "Re-draw communities (社区) and grids (网格) of a city district: contiguous, "
            "within household caps, staffed to the norms."
        ),
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    verbosity = parser.add_mutually_exclusive_group()
    verbosity.add_argument("-v", "--verbose", action="store_true", help="log every stage")
    verbosity.add_argument(
        "-q", "--quiet", action="store_true", help="log errors only, no progress bars"
    )
    sub = parser.add_subparsers(title="commands", dest="command", metavar="COMMAND")
    for add in _SUBCOMMANDS:
        add(sub)
    for command in sub.choices.values():
        # -q/-v are accepted after the subcommand too; SUPPRESS keeps the value given
        # before it when they are not repeated
        group = command.add_mutually_exclusive_group()
        group.add_argument(
            "-v",
            "--verbose",
            action="store_true",
            default=argparse.SUPPRESS,
            help="log every stage",
        )
        group.add_argument(
            "-q",
            "--quiet",
            action="store_true",
            default=argparse.SUPPRESS,
            help="log errors only, no progress bars",
        )
    return parser


def _configure_logging(*, verbose: bool, quiet: bool) -> None:
    # the default shows warnings (and progress bars); -v every stage; -q errors only
    level = logging.INFO if verbose else logging.ERROR if quiet else logging.WARNING
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    package_logger = logging.getLogger("jinfeng_grid")
    package_logger.handlers[:] = [
        h for h in package_logger.handlers if isinstance(h, logging.NullHandler)
    ]
    package_logger.addHandler(handler)
    package_logger.setLevel(level)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    _configure_logging(verbose=args.verbose, quiet=args.quiet)
    handler: Handler = args.handler
    try:
        return handler(args)
    except JinfengGridError as error:
        sys.stderr.write(f"jinfeng-grid {args.command}: {type(error).__name__}: {error}\n")
        return error.exit_code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
