"""Arguments and helpers shared by the ``jinfeng-grid`` subcommands.

Each subcommand lives in a module of its own, ``jinfeng_grid.cli.<name>``, that
defines ``add_<name>(sub)``; they all use these helpers so that every command reads
its input, columns, scenario and progress the same way.
"""

from __future__ import annotations

import argparse
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import geopandas as gpd

    from jinfeng_grid.config.columns import ColumnMap
    from jinfeng_grid.config.scenario import Scenario
    from jinfeng_grid.plan.value import Plan
    from jinfeng_grid.staffing.plan import PlanStaffing

logger = logging.getLogger(__name__)

__all__ = [
    "add_buildings_arguments",
    "add_input_arguments",
    "column_map",
    "optional_layer",
    "plan_staffing_or_none",
    "progress_bar",
    "read_district",
    "scenario_from_args",
]


def add_input_arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``INPUT``, ``--layer``, ``--column``, ``--config``, ``--crs``, ``--encoding``."""
    parser.add_argument("input", metavar="INPUT", help="a vector file (GeoPackage, Shapefile, ...)")
    parser.add_argument(
        "--layer",
        default=None,
        help="the compounds layer (default: the layer named 'compounds', or the only layer)",
    )
    parser.add_argument(
        "--column",
        action="append",
        default=[],
        metavar="KEY=NAME",
        help=(
            "map a key to your column, repeatable: households=户数 for compounds, "
            "buildings.households=户数 (or roads.KEY, facilities.KEY) for other layers; "
            "wins over the scenario's [columns]"
        ),
    )
    parser.add_argument(
        "--config", default=None, metavar="SCENARIO.toml", help="scenario file with [columns]"
    )
    parser.add_argument(
        "--crs", default=None, help="CRS of a file that has none, e.g. EPSG:4490 or EPSG:4544"
    )
    parser.add_argument(
        "--encoding", default=None, help="attribute encoding (default: detected, e.g. GBK .dbf)"
    )


def column_map(args: argparse.Namespace) -> ColumnMap:
    """The scenario's ``[columns]`` (if ``--config``) overridden by ``--column`` flags."""
    from jinfeng_grid.config.columns import parse_column_flags
    from jinfeng_grid.config.load import load_scenario

    flags = parse_column_flags(args.column)
    if args.config is None:
        return flags
    return load_scenario(args.config).columns.merged(flags)


def optional_layer(path: str, requested: str | None, default: str, *, off: bool) -> str | None:
    """A named extra layer: the one asked for, else ``default`` if the file has it."""
    from jinfeng_grid.io import read as io

    if off:
        return None
    if requested is not None:
        return requested
    return default if default in io.list_layers(path) else None


def read_district(
    args: argparse.Namespace, *, with_buildings: bool = True
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame | None]:
    """Compounds and (unless off) buildings of ``INPUT`` as they are, not validated."""
    from jinfeng_grid import pipeline

    district = pipeline.read_layers(
        args.input,
        columns=column_map(args),
        layer=args.layer,
        buildings_layer=optional_layer(
            args.input,
            args.buildings_layer,
            "buildings",
            off=args.no_buildings or not with_buildings,
        ),
        crs=args.crs,
        encoding=args.encoding,
    )
    return district.compounds, district.buildings


def add_buildings_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "--buildings-layer",
        default=None,
        help="buildings layer of INPUT (default: 'buildings' if INPUT has it)",
    )
    group.add_argument("--no-buildings", action="store_true", help="ignore any buildings layer")


def scenario_from_args(args: argparse.Namespace) -> Scenario:
    from jinfeng_grid.config.load import load_scenario

    scenario = load_scenario(args.config)
    solver: dict[str, object] = {}
    if getattr(args, "time_limit", None) is not None:
        solver["time_limit"] = args.time_limit
    if getattr(args, "seed", None) is not None:
        solver["seed"] = args.seed
    overrides: dict[str, dict[str, object]] = {}
    if solver:
        overrides["solver"] = solver
    if getattr(args, "connect_islands", False):
        overrides["graph"] = {"connect_islands": True}
    return scenario.with_overrides(**overrides) if overrides else scenario


def progress_bar(quiet: bool) -> tuple[Callable[..., None], Callable[[], None]]:
    from tqdm import tqdm

    bars: dict[str, tqdm] = {}

    def update(level: str, _outcome: object) -> None:
        if level not in bars:
            for bar in bars.values():
                bar.close()
            bars[level] = tqdm(desc=f"{level} subproblems", unit="", disable=quiet, leave=False)
        bars[level].update(1)

    def close() -> None:
        for bar in bars.values():
            bar.close()

    return update, close


def plan_staffing_or_none(plan: Plan) -> PlanStaffing | None:
    """The plan's staffing for the maps, or None (logged) when its staff table cannot
    be attributed to its units: the map is drawn without staff rather than not at all."""
    from jinfeng_grid.errors import JinfengGridError
    from jinfeng_grid.staffing.plan import plan_staffing

    try:
        return plan_staffing(plan)
    except (JinfengGridError, KeyError) as error:
        # KeyError: a plan layer without a column the staffing expects
        logger.warning(
            "map: the staffing could not be computed (%s: %s); popups show no staff",
            type(error).__name__,
            error,
        )
        return None
