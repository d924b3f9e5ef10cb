"""``jinfeng-grid staff``: the staff each unit needs, the staff it has, the shortfall."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from jinfeng_grid.cli import common as common
from jinfeng_grid.cli.exit_codes import EXIT_OK

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["add_staff", "format_staffing_summary"]

_EPILOG = """\
examples:
  jinfeng-grid staff plan/ --out staffing/            (a plan: after, and before from
                                                      the compounds' current units)
  jinfeng-grid staff district.gpkg --out staffing/    (a district as it is now)
  jinfeng-grid staff district.gpkg --staff-layer 人员 --config scenario.toml --out s/

INPUT_OR_PLAN is a plan directory (written by `jinfeng-grid plan`) or a district file
whose compounds carry their current subdistrict and community (and buildings their
current grid). Actual staff come from the staff table (layer 'staff'): one row per
current community (or subdistrict, or the district) with counts in columns such as
grid_workers_full_time, grid_workers_part_time, police, medical, cdc. After a re-plan
actual staff are shown for the district, for unchanged subdistricts and communities,
and nowhere else (`jinfeng-grid assign` decides who serves a re-drawn unit).
"""


def add_staff(sub: argparse._SubParsersAction) -> None:
    """Register ``jinfeng-grid staff``."""
    parser = sub.add_parser(
        "staff",
        help="staffing of every grid, community, subdistrict and the district vs the norms",
        description=(
            "Write the staff each grid, community, subdistrict and the district needs under "
            "the norms (grid workers, community workers, police, medical, CDC), the actual "
            "staff where the staff table pins it down, and the shortfall: DIR/staffing.csv "
            "in long form, and DIR/staffing_comparison.csv (before/after by level and role) "
            "for a plan. Prints the district-wide figures."
        ),
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    common.add_input_arguments(parser)
    common.add_buildings_arguments(parser)
    parser.add_argument("--out", required=True, metavar="DIR", help="output directory")
    parser.add_argument(
        "--staff-layer",
        default=None,
        help="table of actual staff in a district file (default: 'staff' if it has one)",
    )
    parser.set_defaults(handler=_run_staff)


def _run_staff(args: argparse.Namespace) -> int:
    from jinfeng_grid.config.load import load_scenario
    from jinfeng_grid.errors import ConfigError
    from jinfeng_grid.io.plan_dir import write_plan_outputs
    from jinfeng_grid.io.read import read_layer
    from jinfeng_grid.plan.directory import read_plan
    from jinfeng_grid.staffing import plan as staffing

    report = load_scenario(args.config).report
    ids = {"district_id": report.district_code, "district_name": report.district_name}
    source, out = Path(args.input), Path(args.out)
    if out.resolve() == source.resolve() or (out / "plan.gpkg").exists():
        raise ConfigError(
            f"--out {out} is a plan directory: its summary.json would be overwritten; "
            "write the staffing to another directory"
        )
    before = None
    if source.is_dir():
        plan = read_plan(source)
        after = staffing.staffing_for_plan(plan, **ids)
        before = staffing.staffing_before_plan(plan, **ids)
        what = f"plan {source}"
    else:
        compounds, buildings = common.read_district(args)
        staff_layer = common.optional_layer(args.input, args.staff_layer, "staff", off=False)
        staff = None
        if staff_layer is not None:
            staff = read_layer(args.input, layer=staff_layer, encoding=args.encoding)
        after = staffing.staffing_current(compounds, buildings=buildings, staff=staff, **ids)
        what = f"district {source.name} as it is"
    tables = {"staffing": after}
    if before is not None:
        tables["staffing_comparison"] = staffing.staffing_comparison(before, after)
    summary = {
        "input": str(source),
        "district": {"id": report.district_code, "name": report.district_name},
        "district_staffing": _district_rows(after),
    }
    written = write_plan_outputs(out, layers={}, tables=tables, summary=summary)
    text = format_staffing_summary(after, before=before, title=what)
    sys.stdout.write(f"{text}\nwrote {', '.join(sorted(written))} to {out}\n")
    return EXIT_OK


def _district_rows(table: pd.DataFrame) -> list[dict[str, object]]:
    district = table[table["level"] == "district"]
    columns = ["role", "required_min", "required_max", "actual", "shortfall", "actual_per_10k"]
    return district.loc[:, columns].to_dict(orient="records")


def format_staffing_summary(
    after: pd.DataFrame, *, before: pd.DataFrame | None = None, title: str = ""
) -> str:
    """District-wide staffing by role as a few lines of text (before/after for a plan)."""
    import pandas as pd

    def figure(value: object) -> str:
        return "unknown" if pd.isna(value) else f"{int(value):,}"

    def ratio(value: object) -> str:
        return "" if pd.isna(value) else f", {float(value):.2f} per 10,000"

    lines = [f"Staffing of the {title}" if title else "Staffing"]
    sides = [("now" if before is None else "after", after)]
    if before is not None:
        sides.insert(0, ("before", before))
    for label, table in sides:
        district = table[table["level"] == "district"]
        if district.empty:
            continue
        head = district.iloc[0]
        lines.append(
            f"  {label}: {head['unit_name']}, {int(head['households']):,} households, "
            f"{int(head['population']):,} people"
        )
        for row in district.itertuples(index=False):
            need = (
                f"{row.required_min:,}"
                if row.required_min == row.required_max
                else f"{row.required_min:,}-{row.required_max:,}"
            )
            lines.append(
                f"    {row.role:<17} required {need:>11}, actual {figure(row.actual):>7}"
                f"{ratio(row.actual_per_10k)}, shortfall {figure(row.shortfall)}"
            )
    return "\n".join(lines)
