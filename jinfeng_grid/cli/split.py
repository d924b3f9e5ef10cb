"""``jinfeng-grid split``: split one community, with distinct alternatives."""

from __future__ import annotations

import argparse
import sys

from jinfeng_grid.cli import common as common
from jinfeng_grid.cli.exit_codes import EXIT_OK, EXIT_WARNINGS

__all__ = ["add_split"]


def add_split(sub: argparse._SubParsersAction) -> None:
    """Register ``split``."""
    parser = sub.add_parser(
        "split",
        help="split one community into several, with up to five distinct alternatives",
        description=(
            "Split one current community into connected communities within the scenario's "
            "bounds, each alternative proven optimal (or with its gap) and differing from "
            "the earlier ones in a real part of its boundary. Every other community keeps "
            "its compounds, code and grids; the new communities get new grids. Writes "
            "alternatives.csv (one row per alternative: boundary, arterial spans, sizes, "
            "households moved, grids, status) and alternative_<n>/, each a complete plan "
            "directory for the staff, posts, render and package commands."
        ),
        epilog=(
            "examples:\n"
            "  jinfeng-grid split district.gpkg --community 五里水乡 --out split/\n"
            "  jinfeng-grid split district.gpkg --community 五里水乡 --parts 4 "
            "--alternatives 3 --out split/"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    common.add_input_arguments(parser)
    common.add_buildings_arguments(parser)
    parser.add_argument("--community", required=True, help="the community to split, by name")
    parser.add_argument("--out", required=True, metavar="DIR", help="output directory")
    parser.add_argument(
        "--parts",
        type=int,
        default=None,
        metavar="N",
        help="how many communities (default: from the scenario's target size)",
    )
    parser.add_argument(
        "--alternatives",
        type=int,
        default=3,
        metavar="A",
        help="how many distinct alternatives, 1-5 (default 3)",
    )
    parser.add_argument(
        "--min-difference",
        type=int,
        default=None,
        metavar="E",
        help=(
            "boundary segments (compound adjacencies) in which each alternative differs "
            "from the earlier ones (default: half of those the best split cuts)"
        ),
    )
    parser.add_argument(
        "--roads-layer",
        default=None,
        help="roads layer of INPUT; arterials are barriers (default: 'roads' if INPUT has it)",
    )
    parser.add_argument(
        "--time-limit",
        type=float,
        default=None,
        metavar="S",
        help="seconds for all alternatives (default: the scenario's [solver])",
    )
    parser.add_argument("--seed", type=int, default=None, help="seed (default: the scenario's)")
    parser.add_argument("--workers", type=int, default=None, help="parallel processes")
    parser.set_defaults(handler=_run_split, connect_islands=False)


def _run_split(args: argparse.Namespace) -> int:
    from jinfeng_grid import pipeline
    from jinfeng_grid.config.columns import parse_column_flags

    scenario = common.scenario_from_args(args)
    columns = scenario.columns.merged(parse_column_flags(args.column))
    path = args.input
    run = pipeline.run_split(
        path,
        args.out,
        community=args.community,
        scenario=scenario,
        parts=args.parts,
        alternatives=args.alternatives,
        min_difference=args.min_difference,
        workers=args.workers,
        layer=args.layer,
        buildings_layer=common.optional_layer(
            path, args.buildings_layer, "buildings", off=args.no_buildings
        ),
        roads_layer=common.optional_layer(path, args.roads_layer, "roads", off=False),
        facilities_layer=common.optional_layer(path, None, "facilities", off=False),
        staff_layer=common.optional_layer(path, None, "staff", off=False),
        columns=columns,
        crs=args.crs,
        encoding=args.encoding,
    )
    split = run.split
    table = split.comparison[
        [
            "alternative",
            "status",
            "boundary_m",
            "barrier_spans",
            "households",
            "households_moved",
            "grids",
            "all_within_bounds",
            "seconds",
        ]
    ]
    lines = [f"{split.community}: split into {split.parts} communities"]
    lines.append(table.to_string(index=False))
    lines += [f"note: {note}" for note in split.notes]
    lines.append(
        f"wrote alternatives.csv and {len(split.alternatives)} plan directories to {args.out}"
    )
    sys.stdout.write("\n".join(lines) + "\n")
    return EXIT_WARNINGS if split.notes else EXIT_OK
