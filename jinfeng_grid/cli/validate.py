"""``jinfeng-grid validate``: every problem of a district's compounds and buildings at once."""

from __future__ import annotations

import argparse
import sys

from jinfeng_grid.cli import common as common
from jinfeng_grid.cli.exit_codes import EXIT_BAD_INPUT, EXIT_OK, EXIT_WARNINGS

__all__ = ["add_validate"]


def add_validate(sub: argparse._SubParsersAction) -> None:
    """Register ``jinfeng-grid validate``."""
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
    if report.errors:
        return EXIT_BAD_INPUT
    return EXIT_WARNINGS if report.warnings else EXIT_OK
