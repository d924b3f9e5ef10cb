"""Benchmark the partition core on the public districting graphs (Validi & Buchanan).

One instance::

    python scripts/bench_districting.py GRAPH.json --k 5 --deviation 0.01 \\
        --weight TOTPOP --time-limit 60 [--json]

All instances of a CSV (columns ``file``, ``k``, ``optimal_cut_edges``), medians of
several runs, written as JSON and a markdown table::

    python scripts/bench_districting.py --all ../shared/bench/districting/instances.csv \\
        --repeats 3 --time-limit 60 --out bench_out

Bounds: L = ceil((1 − d/2)·P/k), U = floor((1 + d/2)·P/k), P the total weight.
Generated results are not meant to be committed.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import networkx as nx
from networkx.readwrite import json_graph

from jinfeng_grid.partition import PartitionSpec, partition_graph


def read_graph(path: Path) -> nx.Graph:
    """A networkx adjacency-JSON graph."""
    with open(path, encoding="utf-8") as f:
        return json_graph.adjacency_graph(json.load(f))


def spec_for(graph: nx.Graph, k: int, deviation: float, weight: str) -> PartitionSpec:
    """The benchmark's bounds around the ideal part weight P/k."""
    total = sum(graph.nodes[v][weight] for v in graph)
    low = math.ceil((1 - deviation / 2) * total / k)
    high = math.floor((1 + deviation / 2) * total / k)
    return PartitionSpec(k=k, bounds={weight: (low, high)})


def run_once(
    graph_path: Path,
    *,
    k: int,
    deviation: float,
    weight: str,
    time_limit: float,
    solver: str = "highs",
    seed: int = 0,
    heuristic_only: bool = False,
) -> dict[str, Any]:
    """Solve one instance; the record the ``--json`` flag prints."""
    graph = read_graph(graph_path)
    spec = spec_for(graph, k, deviation, weight)
    start = time.perf_counter()
    cpu_start = time.process_time()
    result = partition_graph(
        graph,
        spec,
        time_limit=time_limit,
        solver=solver,
        seed=seed,
        heuristic_only=heuristic_only,
        heuristic_time=5.0 if heuristic_only else None,
        lower_bound=not heuristic_only,  # heuristic runs are timed alone
    )
    seconds = time.perf_counter() - start
    cpu_seconds = time.process_time() - cpu_start
    return {
        "objective": result.objective,
        "bound": result.bound,
        "gap": result.gap,
        "status": result.status,
        "seconds": round(seconds, 3),
        "cpu_seconds": round(cpu_seconds, 3),
        "solver": result.solver,
        "method": result.method,
        "assignment": {str(v): p for v, p in result.assignment.items()},
    }


def run_in_subprocess(args: list[str]) -> dict[str, Any]:
    """One run in a fresh interpreter, so that runs do not share caches or memory."""
    command = [sys.executable, __file__, *args, "--json"]
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def run_all(options: argparse.Namespace) -> None:
    csv_path = Path(options.graph)
    with open(csv_path, encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    records = []
    for row in rows:
        graph_path = csv_path.parent / row["file"]
        common = [
            str(graph_path),
            "--k",
            row["k"],
            "--deviation",
            str(options.deviation),
            "--weight",
            options.weight,
            "--time-limit",
            str(options.time_limit),
            "--solver",
            options.solver,
        ]
        load_before = round(os.getloadavg()[0], 2)
        exact = [run_in_subprocess([*common, "--seed", str(s)]) for s in range(options.repeats)]
        heur = [
            run_in_subprocess([*common, "--seed", str(s), "--heuristic-only"])
            for s in range(options.repeats)
        ]
        record = {
            "instance": row["file"].removesuffix(".json"),
            "n": int(row.get("nodes") or read_graph(graph_path).number_of_nodes()),
            "k": int(row["k"]),
            "optimum": float(row["optimal_cut_edges"]),
            "objective": statistics.median(r["objective"] for r in exact),
            "bound": statistics.median(r["bound"] if r["bound"] is not None else 0 for r in exact),
            "statuses": [r["status"] for r in exact],
            "seconds": statistics.median(r["seconds"] for r in exact),
            "seconds_all": [r["seconds"] for r in exact],
            "cpu_seconds": statistics.median(r["cpu_seconds"] for r in exact),
            "load_before": load_before,
            "heuristic_objective": statistics.median(r["objective"] for r in heur),
            "heuristic_best": min(r["objective"] for r in heur),
            "heuristic_seconds": statistics.median(r["seconds"] for r in heur),
        }
        records.append(record)
        print(json.dumps(record), flush=True)
    out = Path(options.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "bench_results.json").write_text(json.dumps(records, indent=2), encoding="utf-8")
    (out / "bench_results.md").write_text(markdown_table(records, options), encoding="utf-8")
    print(markdown_table(records, options))


def markdown_table(records: list[dict[str, Any]], options: argparse.Namespace) -> str:
    lines = [
        f"Medians of {options.repeats} runs (seeds 0..{options.repeats - 1}), "
        f"time limit {options.time_limit:g} s, solver {options.solver}, "
        f"deviation {options.deviation}. CPU s: process CPU time (all solver threads), "
        "telling apart a slow solve from a loaded machine; load: 1-minute load average "
        "before the instance's runs.",
        "",
        "| instance | n | k | optimum | ours | bound | status | seconds | CPU s | load | "
        "heuristic (median / best) | heuristic s |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in records:
        status = "/".join(sorted(set(r["statuses"])))
        lines.append(
            f"| {r['instance']} | {r['n']} | {r['k']} | {r['optimum']:g} | {r['objective']:g} | "
            f"{r['bound']:g} | {status} | {r['seconds']:.1f} | {r['cpu_seconds']:.1f} | "
            f"{r['load_before']:g} | "
            f"{r['heuristic_objective']:g} / {r['heuristic_best']:g} | "
            f"{r['heuristic_seconds']:.1f} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("graph", help="adjacency JSON, or with --all an instances CSV")
    parser.add_argument("--k", type=int)
    parser.add_argument("--deviation", type=float, default=0.01)
    parser.add_argument("--weight", default="TOTPOP")
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--solver", default="highs", choices=["highs", "cbc"])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--heuristic-only", action="store_true")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--all", action="store_true", help="GRAPH is an instances CSV")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", default="bench_out", help="directory for --all results")
    options = parser.parse_args(argv)
    if options.all:
        run_all(options)
        return
    if options.k is None:
        parser.error("--k is required for a single graph")
    record = run_once(
        Path(options.graph),
        k=options.k,
        deviation=options.deviation,
        weight=options.weight,
        time_limit=options.time_limit,
        solver=options.solver,
        seed=options.seed,
        heuristic_only=options.heuristic_only,
    )
    if options.json:
        print(json.dumps(record))
    else:
        bound = "none" if record["bound"] is None else f"{record['bound']:g}"
        gap = "none" if record["gap"] is None else f"{100 * record['gap']:.2f}%"
        print(
            f"objective {record['objective']:g}  bound {bound}  gap {gap}  "
            f"status {record['status']}  seconds {record['seconds']:.2f}"
        )


if __name__ == "__main__":
    main()
