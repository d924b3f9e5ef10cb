"""``jinfeng-grid demo``: the bundled sample district summarised, planned, split and packaged."""

from __future__ import annotations

import argparse
import sys

from jinfeng_grid.cli import common as common
from jinfeng_grid.cli.exit_codes import EXIT_OK, EXIT_WARNINGS
from jinfeng_grid.cli.plan import describe_run

__all__ = ["add_demo"]


def add_demo(sub: argparse._SubParsersAction) -> None:
    """Register ``jinfeng-grid demo``."""
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

    from jinfeng_grid import io, pipeline
    from jinfeng_grid.config.load import load_scenario
    from jinfeng_grid.report import package
    from jinfeng_grid.report import summaries as report

    path = args.input if args.input is not None else io.sample_path()
    compounds = io.read_layer(path, layer="compounds")
    summary = report.district_summary(compounds)
    sys.stdout.write("Current district\n" + report.format_district_summary(summary))
    if args.summary_only:
        return EXIT_OK
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
    sys.stdout.write("\nPlan (scenario " + str(scenario.name) + ")\n" + describe_run(run) + "\n")
    files = package.write_package(out / "plan", out / "package")
    sys.stdout.write(f"approval package of the plan: {len(files)} files in {out / 'package'}\n")
    names = set(compounds["community"].astype(str)) if "community" in compounds.columns else set()
    if args.community not in names:
        sys.stdout.write(f"no community {args.community!r} in the input: no split\n")
        return EXIT_WARNINGS if run.plan.notes else EXIT_OK
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
    files = package.write_package(out / "split" / "alternative_1", out / "split" / "package")
    sys.stdout.write(
        f"approval package of alternative 1: {len(files)} files in {out / 'split' / 'package'}\n"
    )
    return EXIT_OK
