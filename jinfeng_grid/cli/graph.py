"""``jinfeng-grid graph``: the compound adjacency graph (and the building graph) as JSON."""

from __future__ import annotations

import argparse
import logging
import sys

from jinfeng_grid.cli import common as common
from jinfeng_grid.cli.exit_codes import EXIT_OK

__all__ = ["add_graph"]

logger = logging.getLogger(__name__)


def add_graph(sub: argparse._SubParsersAction) -> None:
    """Register ``jinfeng-grid graph``."""
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
        help=(
            "also write the building graph that plan draws grids from: Delaunay "
            "neighbours within a compound and across neighbouring compounds (needs a "
            "buildings layer)"
        ),
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

    from jinfeng_grid import graph, io
    from jinfeng_grid.errors import ConfigError
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
        roads = io.read_roads(
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
        barriers.append(io.read_lines(args.input, layer=layer, crs=args.crs, where=where))
    adjacency = graph.build_adjacency(
        report.repaired,
        gap_tolerance_m=gap,
        min_shared_m=graph.DEFAULT_MIN_SHARED_M if args.min_shared is None else args.min_shared,
        barriers=barriers or None,
        barrier_gap_m=graph.DEFAULT_BARRIER_GAP_M if args.barrier_gap is None else args.barrier_gap,
        connect_islands=args.connect_islands,
    )
    io.write_graph_json(adjacency, args.out)
    if args.buildings_out is not None:
        building_graph = graph.build_building_contiguity(
            report.repaired_buildings, compound_graph=adjacency
        )
        io.write_graph_json(building_graph, args.buildings_out)
    if not args.no_png:
        from jinfeng_grid.render.adjacency import plot_adjacency

        png = Path(args.png) if args.png is not None else Path(args.out).with_suffix(".png")
        io.write_figure(plot_adjacency(report.repaired, adjacency, barriers=barriers), png)
    sys.stdout.write(f"{graph.graph_components(adjacency)}\n")
    return EXIT_OK
