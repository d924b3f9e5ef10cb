"""Benchmark ``assign_staff`` on the sample district's default plan and roster.

Usage::

    python scripts/bench_assign.py [--plan PLAN_DIR] [--repeats 3] --out bench_out/assign.json

Without ``--plan`` the bundled sample is first planned with the standard scenario into
a temporary directory (not timed). Each repeat assigns the sample roster (448 grid
workers, 48 police) to the plan's grids and communities; the script records wall and
CPU seconds, the three stages of each role (status, objective, bound, seconds) and
whether every stage was proven optimal, and writes JSON plus a markdown table beside it
(``.md``) with the medians. The target of issue 9 is proven optimal within 30 s on 2
cores. The machine's load average is recorded: on a shared machine wall time grows
with the load while CPU time does not.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from jinfeng_grid import __version__, io, pipeline
from jinfeng_grid.assign import AssignOptions, assign_staff
from jinfeng_grid.config import load_scenario
from jinfeng_grid.plan import Plan, read_plan


def make_plan(out: Path) -> Path:
    """Plan the bundled sample with the standard scenario into ``out``."""
    sample = io.sample_path()
    pipeline.run_plan(
        sample,
        out,
        scenario=load_scenario("standard"),
        layer="compounds",
        buildings_layer="buildings",
        roads_layer="roads",
        facilities_layer="facilities",
        staff_layer="staff",
    )
    return out


def one_run(plan: Plan, roster: Any, options: AssignOptions) -> dict[str, Any]:
    wall, cpu = time.perf_counter(), time.process_time()
    result = assign_staff(plan, roster, options=options)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    summary = result.summary()
    return {
        "wall_seconds": round(wall, 2),
        "cpu_seconds": round(cpu, 2),
        "proven_optimal": result.proven,
        "grids_covered": summary["grid_worker"]["covered"],
        "grids": summary["grid_worker"]["units"],
        "communities_covered": summary["police"]["covered"],
        "communities": summary["police"]["units"],
        "largest_grid_load": summary["grid_worker"]["largest_households_per_person"],
        "grid_workers_reassigned": summary["grid_worker"]["reassigned"],
        "police_reassigned": summary["police"]["reassigned"],
        "stages": {role: summary[role]["stages"] for role in ("grid_worker", "police")},
    }


def markdown(report: dict[str, Any]) -> str:
    runs = report["runs"]
    med = report["medians"]
    lines = [
        f"# assign_staff on the sample ({report['plan']})",
        "",
        f"{len(runs)} runs, jinfeng_grid {report['version']}, {report['machine']}, "
        f"load average at start {report['load_average_start']}, at end "
        f"{report['load_average_end']} (2 cores shared with other jobs).",
        "",
        "| run | wall s | CPU s | proven | grids covered | communities covered | "
        "largest load | moved (grid / police) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for k, run in enumerate(runs, start=1):
        lines.append(
            f"| {k} | {run['wall_seconds']:.1f} | {run['cpu_seconds']:.1f} | "
            f"{run['proven_optimal']} | {run['grids_covered']}/{run['grids']} | "
            f"{run['communities_covered']}/{run['communities']} | {run['largest_grid_load']} | "
            f"{run['grid_workers_reassigned']} / {run['police_reassigned']} |"
        )
    lines.append(
        f"| **median** | **{med['wall_seconds']:.1f}** | **{med['cpu_seconds']:.1f}** | "
        f"{all(r['proven_optimal'] for r in runs)} | | | | |"
    )
    lines += ["", "Stages of the median run (seconds summed over independent components):", ""]
    lines += ["| role | stage | status | objective | bound | s |", "|---|---|---|---|---|---|"]
    middle = sorted(runs, key=lambda r: r["wall_seconds"])[len(runs) // 2]
    for role, stages in middle["stages"].items():
        for stage in stages:
            lines.append(
                f"| {role} | {stage['name']} | {stage['status']} | {_value(stage['objective'])} | "
                f"{_value(stage['bound'])} | {stage['seconds']:.2f} |"
            )
    return "\n".join(lines) + "\n"


def _value(value: float | None) -> str:
    """A stage's objective or bound to ten significant digits (13, not 12.999999999999776)."""
    return "—" if value is None else f"{value:.10g}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--plan", type=Path, default=None, help="plan directory (default: plan)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--time-limit", type=float, default=AssignOptions().time_limit)
    parser.add_argument("--out", type=Path, required=True, help="JSON file to write")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    load_start = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="bench_assign_") as tmp:
        plan_dir = args.plan if args.plan is not None else make_plan(Path(tmp) / "plan")
        plan = read_plan(plan_dir)
        roster = io.read_layer(io.sample_path(), layer="roster")
        options = AssignOptions(time_limit=args.time_limit)
        runs = [one_run(plan, roster, options) for _ in range(args.repeats)]
    report = {
        "plan": str(args.plan) if args.plan is not None else "sample, standard scenario",
        "version": __version__,
        "machine": (
            f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
        ),
        "load_average_start": [round(x, 2) for x in load_start],
        "load_average_end": [round(x, 2) for x in os.getloadavg()],
        "options": {"time_limit": args.time_limit},
        "runs": runs,
        "medians": {
            key: statistics.median(run[key] for run in runs)
            for key in ("wall_seconds", "cpu_seconds")
        },
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    table = markdown(report)
    args.out.with_suffix(".md").write_text(table, encoding="utf-8")
    print(table)


if __name__ == "__main__":
    main()
