"""Siting police rooms and health stations on a plan directory: each model, a few N.

Usage::

    python scripts/bench_posts.py PLAN_DIR [--runs 3] [--time-limit 30] \\
        [--new 5 10 20] [--out bench_out/bench_posts.json]

For each kind (``police_room``, ``health_station``) :func:`jinfeng_grid.posts.site_posts`
runs every model on the plan's compounds, communities, roads and facilities with the
defaults (15 minutes at 60 m/min = 900 m, gates and community centres as candidates):
``coverage`` and ``p_median`` for each ``--new`` N, ``set_cover``, and for police rooms
``set_cover`` with the every-community rule. Each configuration runs ``--runs`` times;
the whole call is timed (street graph, gates, walking distances, model, solve, tables;
reading the plan is not) and so is the solver alone. Reports the medians, the status,
the gap, the new posts and the share of households within the walk before and after.
The target is a proven optimum within 30 s on 2 cores for each model.

Writes every run's figures and the medians to ``--out`` (JSON) and a markdown table
beside it (``.md``), and prints the table.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from importlib import metadata
from pathlib import Path
from typing import Any

from jinfeng_grid.plan import Plan, read_plan
from jinfeng_grid.posts import site_posts


def configurations(news: list[int]) -> list[dict[str, Any]]:
    configs: list[dict[str, Any]] = []
    for kind in ("police_room", "health_station"):
        for new in news:
            configs.append({"kind": kind, "model": "coverage", "new": new})
        configs.append({"kind": kind, "model": "set_cover", "new": None})
        if kind == "police_room":
            configs.append(
                {"kind": kind, "model": "set_cover", "new": None, "every_community": True}
            )
        for new in news:
            configs.append({"kind": kind, "model": "p_median", "new": new})
    return configs


def run_one(plan: Plan, config: dict[str, Any], time_limit: float) -> dict[str, Any]:
    start = time.perf_counter()
    result = site_posts(
        plan.compounds,
        plan.facilities,
        communities=plan.communities,
        roads=plan.roads,
        time_limit=time_limit,
        **config,
    )
    wall = time.perf_counter() - start
    summary = result.summary()
    return {
        "seconds": wall,
        "solve_seconds": result.solve_seconds,
        "status": result.status,
        "gap": result.gap,
        "objective": result.objective,
        "new_posts": result.new_posts,
        "candidates": result.candidates,
        "distance_method": result.distance_method,
        "share_before": result.share("before"),
        "share_after": result.share("after"),
        "communities_with_post_after": summary["communities_with_post_after"],
        "communities": summary["communities"],
    }


def label(config: dict[str, Any]) -> str:
    text = config["model"]
    if config.get("every_community"):
        text += " + every community"
    return text


def markdown(rows: list[dict[str, Any]], meta: dict[str, Any]) -> str:
    lines = [
        f"Posts on `{meta['plan']}`: {meta['compounds']} compounds, {meta['runs']} runs, "
        f"medians; time limit {meta['time_limit']:g} s; {meta['cpus']} CPUs, load "
        f"{meta['load_before']} before / {meta['load_after']} after (shared machine).",
        "",
        "| kind | model | N | new | candidates | status | gap | seconds | solver s "
        "| households within walk before → after | communities with a post |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        m = row["median"]
        gap = "—" if m["gap"] is None else f"{100 * m['gap']:.2f}%"
        lines.append(
            f"| {row['kind']} | {row['label']} | {row['new'] if row['new'] is not None else '—'} "
            f"| {m['new_posts']} | {m['candidates']} | {m['status']} | {gap} "
            f"| {m['seconds']:.1f} | {m['solve_seconds']:.1f} "
            f"| {100 * m['share_before']:.1f}% → {100 * m['share_after']:.1f}% "
            f"| {m['communities_with_post_after']}/{m['communities']} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("plan", help="a plan directory (jinfeng-grid plan)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--time-limit", type=float, default=30.0)
    parser.add_argument("--new", type=int, nargs="+", default=[5, 10, 20])
    parser.add_argument("--out", default="bench_out/bench_posts.json")
    args = parser.parse_args()

    plan = read_plan(args.plan)
    load_before = [round(x, 2) for x in os.getloadavg()]
    rows = []
    for config in configurations(args.new):
        runs = [run_one(plan, config, args.time_limit) for _ in range(args.runs)]
        statuses = sorted({r["status"] for r in runs})
        gaps = [r["gap"] for r in runs if r["gap"] is not None]
        median = {
            key: statistics.median(r[key] for r in runs)
            for key in ("seconds", "solve_seconds", "share_before", "share_after")
        }
        median.update(
            status="/".join(statuses),
            gap=statistics.median(gaps) if gaps else None,
            new_posts=runs[0]["new_posts"],
            candidates=runs[0]["candidates"],
            communities_with_post_after=runs[0]["communities_with_post_after"],
            communities=runs[0]["communities"],
        )
        row = {**config, "label": label(config), "runs": runs, "median": median}
        rows.append(row)
        print(
            f"{config['kind']} {row['label']} N={config['new']}: {median['status']}, "
            f"{median['seconds']:.1f} s",
            flush=True,
        )
    meta = {
        "plan": str(args.plan),
        "compounds": len(plan.compounds),
        "runs": args.runs,
        "time_limit": args.time_limit,
        "cpus": os.cpu_count(),
        "load_before": load_before,
        "load_after": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
        "versions": {
            name: metadata.version(name) for name in ("jinfeng_grid", "pulp", "highspy", "shapely")
        },
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"meta": meta, "rows": rows}, indent=2, ensure_ascii=False))
    table = markdown(rows, meta)
    out.with_suffix(".md").write_text(table, encoding="utf-8")
    print(table)


if __name__ == "__main__":
    main()
