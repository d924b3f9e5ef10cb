"""``jinfeng-grid assign``: a named grid worker for every grid, an officer per community."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinfeng_grid.cli.exit_codes import EXIT_OK, EXIT_WARNINGS

if TYPE_CHECKING:
    from jinfeng_grid.assign.assignment import StaffAssignment

__all__ = ["add_assign", "format_assignment"]

_EPILOG = """\
examples:
  jinfeng-grid assign plan/ --staff district.gpkg --out assign/
  jinfeng-grid assign plan/ --staff district.gpkg:roster --out assign/ --police-reach 1500
  jinfeng-grid assign plan/ --staff roster.csv --out assign/ --residents-per-officer 4000

ROSTER is a file (GeoPackage, CSV, ...) with one row per person: staff_id, role
(grid_worker, police, ...), employment (full_time/part_time) and where known the
current subdistrict, community, grid and police_room. PATH:LAYER names its layer
(default: the layer 'roster', or the file's only layer).

Rules: a part-time grid worker serves one grid of their own community (the new
community holding most of their current grid's, else community's, households); a
full-time worker up to --full-time-grids grids of their subdistrict; an officer the
communities within --police-reach metres of their police room (or, without one, of
their current community) holding at most --residents-per-officer residents together
(a larger community is served alone). Objective, in this order: most households
covered, smallest largest workload, fewest people moved off their unit's successor
(the new unit holding more than half of their unit's households).

Writes DIR/assignments.csv (person -> unit, kept or reassigned), DIR/uncovered.csv
(units without a person, largest first, and the hire that closes each),
DIR/workload.csv (per person), DIR/hires.csv (per subdistrict), DIR/summary.json
and DIR/assignments.gpkg (layers grids and communities with covered, staff_id).
Exit status 0 = every stage proven optimal, 1 = a stage stopped at its time limit.
"""


def add_assign(sub: argparse._SubParsersAction) -> None:
    """Register ``jinfeng-grid assign``."""
    from jinfeng_grid.assign.options import AssignOptions

    defaults = AssignOptions()
    parser = sub.add_parser(
        "assign",
        help="assign the actual grid workers to the new grids and police to communities",
        description=(
            "Give every grid of a plan a named grid worker and every community a police "
            "officer from a roster, under the district's rules, by an integer program "
            "solved to proven optimality; list the units left uncovered and the hires "
            "that close the gap."
        ),
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("plan", metavar="PLAN_DIR", help="a directory written by jinfeng-grid plan")
    parser.add_argument(
        "--staff", required=True, metavar="ROSTER[:LAYER]", help="the roster of people"
    )
    parser.add_argument("--out", required=True, metavar="DIR", help="output directory")
    parser.add_argument(
        "--full-time-grids",
        type=int,
        default=defaults.full_time_grids,
        metavar="K",
        help=f"most grids of one subdistrict per full-time worker ({defaults.full_time_grids})",
    )
    parser.add_argument(
        "--residents-per-officer",
        type=int,
        default=defaults.residents_per_officer,
        metavar="N",
        help=(
            "most residents of the communities one officer serves together "
            f"({defaults.residents_per_officer:,}; the norm is 3,000-5,000)"
        ),
    )
    parser.add_argument(
        "--police-reach",
        type=float,
        default=defaults.police_reach_m,
        metavar="M",
        help=f"metres from an officer's police room to a community ({defaults.police_reach_m:g})",
    )
    parser.add_argument(
        "--time-limit",
        type=float,
        default=defaults.time_limit,
        metavar="S",
        help=f"seconds per solver run ({defaults.time_limit:g})",
    )
    parser.add_argument("--solver", choices=("highs", "cbc"), default="highs", help="(highs)")
    parser.add_argument("--seed", type=int, default=0, help="solver seed (0)")
    parser.set_defaults(handler=_run_assign)


def _read_roster(spec: str) -> Any:
    from jinfeng_grid.errors import InputDataError
    from jinfeng_grid.io import read as io

    path, layer = spec, None
    head, sep, tail = spec.rpartition(":")
    if sep and head and not Path(spec).exists() and Path(head).exists():
        path, layer = head, tail
    if not Path(path).exists():
        raise InputDataError(f"roster {path} does not exist: give --staff FILE or FILE:LAYER")
    if layer is None:
        layers = io.list_layers(path)
        if "roster" in layers:
            layer = "roster"
        elif len(layers) > 1:
            raise InputDataError(
                f"{path} has no layer 'roster' and several others ({', '.join(layers)}): "
                f"name the roster's layer with --staff {path}:LAYER"
            )
    return io.read_layer(path, layer=layer)


def _run_assign(args: argparse.Namespace) -> int:
    from jinfeng_grid.assign.assignment import assign_staff
    from jinfeng_grid.assign.options import AssignOptions
    from jinfeng_grid.errors import ConfigError
    from jinfeng_grid.io.plan_dir import write_plan_outputs
    from jinfeng_grid.io.write import write_layers
    from jinfeng_grid.plan.directory import read_plan

    source, out = Path(args.plan), Path(args.out)
    if out.resolve() == source.resolve() or (out / "plan.gpkg").exists():
        raise ConfigError(
            f"--out {out} is a plan directory: its summary.json would be overwritten; "
            "write the assignment to another directory"
        )
    options = AssignOptions(
        full_time_grids=args.full_time_grids,
        residents_per_officer=args.residents_per_officer,
        police_reach_m=args.police_reach,
        solver=args.solver,
        time_limit=args.time_limit,
        seed=args.seed,
    )
    plan = read_plan(source)
    roster = _read_roster(args.staff)
    result = assign_staff(plan, roster, options=options)
    summary = {
        "plan": str(source),
        "roster": args.staff,
        "options": {
            "full_time_grids": options.full_time_grids,
            "residents_per_officer": options.residents_per_officer,
            "police_reach_m": options.police_reach_m,
            "solver": options.solver,
            "time_limit": options.time_limit,
            "seed": options.seed,
        },
        "proven_optimal": result.proven,
        **result.summary(),
    }
    written = write_plan_outputs(
        out,
        layers={},
        tables={
            "assignments": result.assignments,
            "uncovered": result.uncovered,
            "workload": result.workload,
            "hires": result.hires,
        },
        summary=summary,
    )
    crs = plan.compounds.attrs.get("input_crs")
    gpkg = write_layers(
        out / "assignments.gpkg",
        {"grids": result.grids, "communities": result.communities},
        crs=crs,
    )
    files = sorted([*written, gpkg.name])
    sys.stdout.write(f"{format_assignment(result)}\nwrote {', '.join(files)} to {out}\n")
    return EXIT_OK if result.proven else EXIT_WARNINGS


def format_assignment(result: StaffAssignment, *, top: int = 5) -> str:
    """A few lines per role: coverage, workload, moves, the largest uncovered units, hires."""
    lines = [repr(result)]
    summary = result.summary()
    for role, unit in (("grid_worker", "grids"), ("police", "communities")):
        figures = summary[role]
        share = figures["covered_households"] / max(1, figures["households"])
        stages = ", ".join(f"{s['name']} {s['status']}" for s in figures["stages"])
        seconds = sum(s["seconds"] for s in figures["stages"])
        lines.append(
            f"  {role}: {figures['people']} people serve {figures['covered']} of "
            f"{figures['units']} {unit} ({100 * share:.1f}% of households); largest load "
            f"{figures['largest_households_per_person']:,} households; {figures['kept']} kept "
            f"their unit, {figures['reassigned']} reassigned ({stages}; {seconds:.1f} s)"
        )
        need = figures["requirement"]
        if need:
            basis = "one per grid" if role == "grid_worker" else "2-3 per 10,000 residents"
            norm = (
                f"{need['required_min']:,}"
                if need["required_min"] == need["required_max"]
                else f"{need['required_min']:,}-{need['required_max']:,}"
            )
            lines.append(
                f"    norm: {norm} ({basis}), roster {need['roster']:,}, "
                f"{need['norm_shortfall']:,} short of the norm; "
                f"{figures['unit_gone']} people's units no longer exist"
            )
        left = result.uncovered[result.uncovered["hire"] == role]
        if len(left):
            listed = ", ".join(
                f"{row.unit_name} ({row.households:,})" for row in left.head(top).itertuples()
            )
            lines.append(f"    uncovered {len(left)}, largest: {listed}")
            hires = result.hires[result.hires["role"] == role]
            if role == "grid_worker":
                lines.append(
                    f"    to close it: {int(hires['part_time_hires'].sum())} part-time workers "
                    f"(one per grid, from its community) or "
                    f"{int(hires['full_time_hires'].sum())} full-time workers "
                    "(up to two grids each, by subdistrict)"
                )
            else:
                lines.append(
                    f"    to close it: {int(hires['police_hires'].sum())} police officers "
                    "(one per community)"
                )
    return "\n".join(lines)
